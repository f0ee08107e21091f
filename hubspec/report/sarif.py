"""SARIF 2.1.0 for code scanning: rule metadata, regions and stable fingerprints."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from hubspec import __version__
from hubspec.facts.fingerprint import fingerprint
from hubspec.model import Related, Severity
from hubspec.report import Report
from hubspec.rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/hubspec/hubspec#rules"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does") or rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [rule.name], "fixable": rule.fixable},
    }


def document(report: Report) -> dict[str, Any]:
    index = {rule.code: position for position, rule in enumerate(RULES)}
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.path)},
                        "region": {
                            "startLine": finding.span.start.line,
                            "startColumn": finding.span.start.column,
                            "endLine": finding.span.end.line,
                            "endColumn": finding.span.end.column,
                        },
                    }
                }
            ],
            "partialFingerprints": {
                "hubspec/v1": fingerprint(finding, report.sources.get(finding.path, ""))
            },
        }
        absolute = os.path.isabs(finding.path)
        related = [
            _related(number, item, absolute) for number, item in enumerate(finding.related, 1)
        ]
        if related:
            result["relatedLocations"] = related
        if finding.project is not None:
            logical: dict[str, Any] = {"name": finding.project, "kind": "resource"}
            if finding.project_arn is not None:
                logical["fullyQualifiedName"] = finding.project_arn
            result["locations"][0]["logicalLocations"] = [logical]
        if finding.suppressed is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hubspec",
                        "version": __version__,
                        "informationUri": "https://github.com/hubspec/hubspec",
                        "rules": [_rule(rule) for rule in RULES],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                **_invocations(report),
            }
        ],
    }


def _related(number: int, item: Related, absolute: bool) -> dict[str, Any]:
    """The other file's line behind a finding (the Dockerfile or script line that pulls),
    named as the finding's own file is: by its absolute path, or from where hubspec runs."""
    return {
        "id": number,
        "physicalLocation": {
            "artifactLocation": {
                "uri": _uri(os.path.abspath(item.path) if absolute else _from_here(item.path))
            },
            "region": {"startLine": item.line},
        },
        "message": {"text": item.message},
    }


def _from_here(path: str) -> str:
    """A file as results name theirs: relative to where hubspec runs (`../scripts/build.sh`
    from a subfolder), or as it is on another drive."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _uri(path: str) -> str:
    """`path` as the URI reference SARIF asks for (RFC 3986): a relative one percent-encoded
    (`my%20dir/buildspec.yml`: spaces, '#', '%' and non-ASCII letters are not URI characters,
    and ':' would read as a scheme), an absolute path as a file URI, a URI as it is."""
    if _SCHEME.match(path):
        return path  # `codebuild://...` (an audited project)
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/")


def _invocations(report: Report) -> dict[str, Any]:
    """Notes (a region that could not be read, a buildspec kept elsewhere) as notifications."""
    if not report.notes:
        return {}
    notifications = [
        {
            "level": "note",
            "message": {"text": note.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(note.path)}}}],
        }
        for note in report.notes
    ]
    return {
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    }


def render(report: Report, out: TextIO) -> None:
    json.dump(document(report), out, indent=2)
    out.write("\n")
