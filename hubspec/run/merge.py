"""One finding per problem when a run reaches a buildspec file twice.

A template's project that names a buildspec file (`BuildSpec: ci/buildspec.yml`) lints that
file in the project's context: the project's secrets, image and privileged mode decide what
its commands need. When the same run also lints the file alone (discovered in the folder, or
named on the command line), the project's findings stand for it, since they know more: a
login that reads a project secret is no HS203 there. Findings that are still the same
(the file named by two projects, say) are reported once, with the first project's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hubspec.facts.budget import Budget
from hubspec.lint.pipeline import LintResult
from hubspec.model import Finding
from hubspec.run.batch import seen_key


def merged_findings(results: Sequence[LintResult], named: set[str] | None = None) -> list[Finding]:
    """The findings of `results` in order, without a file's own lint where a project's stands
    for it (`named`: `superseded(results)`, taken here when not given), each distinct one once."""
    if named is None:
        named = superseded(results)
    kept: list[Finding] = []
    for result in results:
        if named and seen_key(Path(result.path)) in named:
            continue  # linted in its project's context by a host file of this run
        kept.extend(result.findings)
    return list(distinct(kept))


def kept_budgets(budgets: Sequence[Budget], named: set[str]) -> list[Budget]:
    """The pull budgets without those of files a project's budget counts already (`--stats`
    would count their pulls twice); a project's budget is named after its host file."""
    if not named:
        return list(budgets)
    return [budget for budget in budgets if seen_key(Path(budget.path)) not in named]


def superseded(results: Iterable[LintResult]) -> set[str]:
    """The files (by `seen_key`) that host files of the run lint in a project's context:
    their own lint and fix give way to the project's."""
    return {seen_key(Path(path)) for result in results for path in result.named_buildspecs}


def distinct(findings: Iterable[Finding]) -> Iterable[Finding]:
    """Each finding once: the same rule, place, message and suppression (and audited project)."""
    seen: set[tuple[object, ...]] = set()
    for finding in findings:
        key = (
            finding.path,
            finding.rule,
            finding.span,
            finding.message,
            finding.suppressed,
            finding.project_arn,
        )
        if key not in seen:
            seen.add(key)
            yield finding
