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
        **_project_keys(finding),
    }


def _project_keys(finding: Finding) -> dict[str, str]:
    """`project` (and `project_arn` when known) for findings in or about a CodeBuild project."""
    keys = {"project": finding.project} if finding.project is not None else {}
    if finding.project_arn is not None:
        keys["project_arn"] = finding.project_arn
    return keys


def budget_section(report: Report) -> dict[str, Any]:
    """Docker Hub pulls per build for each file, and the dated limits they are measured against."""
    from hubspec.facts.budget import LIMITS_AS_OF, PULLS_PER_WINDOW, WINDOW_HOURS

    return {
        "limits_as_of": LIMITS_AS_OF,
        "window_hours": WINDOW_HOURS,
        "limits": dict(PULLS_PER_WINDOW),
        "files": [
            {
                "path": budget.path,
                "pulls_per_build": budget.pulls_per_build,
                "builds": budget.builds,
                "build_image_pulls": budget.build_image_pulls,
                "pulls_per_run": budget.pulls_per_run,
                "images": dict(budget.images),
                "runs_per_window": {
                    tier: budget.runs_per_window(tier) for tier in PULLS_PER_WINDOW
                },
            }
            for budget in report.budgets
        ],
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
    document["budget"] = budget_section(report)
    if report.notes:
        document["notes"] = [{"path": note.path, "message": note.message} for note in report.notes]
    json.dump(document, out, indent=2)
    out.write("\n")
