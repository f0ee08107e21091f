"""Fingerprints that survive line shifts: rule, file and the normalised offending line."""

from __future__ import annotations

from hubspec.load.source import split_lines
from hubspec.model import Finding


def line_of(source: str, line: int) -> str:
    lines = split_lines(source)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def fingerprint(finding: Finding, source: str) -> str:
    """Stable across line shifts, re-indenting and comments: rule, file, normalised command."""
    import hashlib  # only baselines and machine-readable reports need fingerprints

    from hubspec.facts.suppress import comment_start

    line = line_of(source, finding.span.start.line)
    cut = comment_start(line)
    if cut is not None:
        line = line[:cut]
    normal = " ".join(line.split())
    digest = hashlib.sha256(f"{finding.rule}\0{finding.path}\0{normal}".encode()).hexdigest()
    return digest[:32]
