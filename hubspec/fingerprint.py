"""Fingerprints that survive line shifts: rule, file and the normalised offending line."""

from __future__ import annotations

import hashlib

from hubspec.model import Finding


def line_of(source: str, line: int) -> str:
    lines = source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def fingerprint(finding: Finding, source: str) -> str:
    normal = " ".join(line_of(source, finding.span.start.line).split())
    digest = hashlib.sha256(f"{finding.rule}\0{finding.path}\0{normal}".encode()).hexdigest()
    return digest[:32]
