"""Reporters: findings -> text for people or machines. The only package that imports rich."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hubspec.model import Finding, Severity
from hubspec.records import field, record

if TYPE_CHECKING:
    from hubspec.facts.budget import Budget

FORMATS = ("text", "concise", "json", "sarif", "github")


@record
class Note:
    """Something the user should know that is not a finding: a project whose buildspec lives
    elsewhere, a region that could not be read."""

    path: str
    message: str


@record
class Report:
    """What every reporter renders: the findings, the files checked and their text."""

    findings: Sequence[Finding]
    files_checked: int
    sources: dict[str, str] = field(default_factory=dict)
    budgets: Sequence[Budget] = ()
    notes: Sequence[Note] = ()
    unit: str = "file"
    """What `files_checked` counts, for people: file, or project in an account audit."""

    @property
    def active(self) -> list[Finding]:
        """Findings not suppressed by a `# hubspec: ignore` comment: the ones that count."""
        return [finding for finding in self.findings if finding.suppressed is None]

    def counts(self) -> Counter[str]:
        return Counter(finding.severity.value for finding in self.active)

    def fixable(self) -> int:
        return sum(1 for finding in self.active if finding.fixable)


def summary_line(report: Report) -> str:
    """One line for people: how many problems of which kind in how many files."""
    counts = report.counts()
    total = len(report.active)
    files = report.files_checked
    checked = f"{files} {report.unit}{'s' if files != 1 else ''}"
    if not total:
        return f"All checks passed ({checked} checked)."
    parts = [
        f"{counts[level.value]} {level.value}{'s' if counts[level.value] != 1 else ''}"
        for level in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[level.value]
    ]
    line = f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {checked}."
    fixable = report.fixable()
    if fixable:
        line += f" {fixable} fixable with `hubspec fix`."
    return line
