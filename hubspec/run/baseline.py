"""Baselines for gradual adoption: record today's findings, report only new ones later."""

from __future__ import annotations

import json
from collections import Counter

from hubspec.facts.fingerprint import fingerprint
from hubspec.records import replace
from hubspec.report import Report

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def dump(report: Report) -> str:
    """The baseline document for a report's active findings."""
    entries = sorted(
        (
            {
                "rule": f.rule,
                "path": f.path,
                "fingerprint": fingerprint(f, report.sources.get(f.path, "")),
            }
            for f in report.active
        ),
        key=lambda entry: (entry["path"], entry["rule"], entry["fingerprint"]),
    )
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"


def load(text: str, name: str) -> Counter[tuple[str, str, str]]:
    try:
        document = json.loads(text)
        entries = document["findings"]
        if document.get("version") != VERSION:
            raise BaselineError(
                f"{name}: baseline version {document.get('version')} is not {VERSION}"
            )
        return Counter((e["rule"], e["path"], e["fingerprint"]) for e in entries)
    except (ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"{name}: not a hubspec baseline ({error})") from None


def subtract(report: Report, baseline: Counter[tuple[str, str, str]]) -> Report:
    """The report without findings the baseline knows (each baseline entry absorbs one)."""
    remaining = Counter(baseline)
    kept = []
    for finding in report.findings:
        key = (
            finding.rule,
            finding.path,
            fingerprint(finding, report.sources.get(finding.path, "")),
        )
        if finding.suppressed is None and remaining[key] > 0:
            remaining[key] -= 1
            continue
        kept.append(finding)
    return replace(report, findings=kept)
