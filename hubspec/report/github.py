"""GitHub Actions workflow commands: annotations on the pull request's changed lines."""

from __future__ import annotations

from typing import TextIO

from hubspec.model import Finding, Severity
from hubspec.report import Report, summary_line

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    span = finding.span
    properties = ",".join(
        (
            f"file={_escape_property(finding.path)}",
            f"line={span.start.line}",
            f"col={span.start.column}",
            f"endLine={span.end.line}",
            f"endColumn={span.end.column}",
            f"title={_escape_property(finding.rule)}",
        )
    )
    return f"::{_LEVEL[finding.severity]} {properties}::{_escape_data(finding.message)}"


def render(report: Report, out: TextIO) -> None:
    for finding in report.active:
        out.write(annotation(finding) + "\n")
    for note in report.notes:
        out.write(f"::notice title=hubspec::{_escape_data(f'{note.path}: {note.message}')}\n")
    out.write(summary_line(report) + "\n")
