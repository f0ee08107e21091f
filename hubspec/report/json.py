"""The JSON report, version 1 (a contract: keys may be added, never removed)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from hubspec.model import Finding
from hubspec.report import Report

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "line": finding.span.start.line,
        "column": finding.span.start.column,
        "end_line": finding.span.end.line,
        "end_column": finding.span.end.column,
        "fixable": finding.fixable,
        "notes": list(finding.notes),
        "suppressed": finding.suppressed is not None,
        "suppression": finding.suppressed,
    }


def render(report: Report, out: TextIO) -> None:
    counts = report.counts()
    document = {
        "version": VERSION,
        "findings": [finding_dict(finding) for finding in report.findings],
        "summary": {
            "files": report.files_checked,
            "findings": len(report.active),
            "suppressed": len(report.findings) - len(report.active),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "fixable": report.fixable(),
        },
    }
    json.dump(document, out, indent=2)
    out.write("\n")
