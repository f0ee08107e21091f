"""`path:line:col: CODE message` lines: for editors, grep and non-terminals."""

from __future__ import annotations

from typing import TextIO

from hubspec.report import Report, summary_line


def render(report: Report, out: TextIO) -> None:
    for finding in report.active:
        start = finding.span.start
        out.write(f"{finding.path}:{start.line}:{start.column}: {finding.rule} {finding.message}\n")
    for note in report.notes:
        out.write(f"{note.path}: note: {note.message}\n")
    out.write(summary_line(report) + "\n")
