"""Runs the core over command-line paths: lint or fix every input; no printing, no exit.

The steps live beside it: inputs.py (discovery, configs, reading), tasks.py (one file's work),
parallel.py (the map over workers), writing.py (all of a fix's files or none), diffs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from hubspec.lint.pipeline import LintResult
from hubspec.model import Severity
from hubspec.records import field, record
from hubspec.report import Report
from hubspec.run import batch, files
from hubspec.run.diffs import shown_text
from hubspec.run.inputs import Configs, Input, find_sources, read_inputs
from hubspec.run.merge import kept_budgets, merged_findings, superseded
from hubspec.run.options import RunOptions
from hubspec.run.parallel import parallel_map
from hubspec.run.tasks import Task, fix_task, lint_source
from hubspec.run.writing import write_all, write_error

if TYPE_CHECKING:
    from hubspec.facts.budget import Budget
    from hubspec.fix import FixOutcome


@record
class Outcome:
    """The results of a run: one LintResult per file, and the report built from them.

    `lint_paths` gives detached results (no document or context: see LintResult.detached)
    and the pull budget of each parsed file in `budgets`.
    """

    results: list[LintResult] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    fail_on: dict[str, Severity] = field(default_factory=dict)
    """The failing severity of each file (from its settings), by its name in reports."""

    def failed(self, report: Report) -> bool:
        """Whether a finding of `report` is at or above its file's failing severity."""
        return any(
            finding.severity.rank >= self.fail_on.get(finding.path, Severity.ERROR).rank
            for finding in report.active
        )

    @property
    def report(self) -> Report:
        named = superseded(self.results)
        budgets = [
            *self.budgets,
            *(result.context.budget for result in self.results if result.context is not None),
            *(budget for result in self.results for budget in result.budgets),
        ]
        return Report(
            findings=merged_findings(self.results, named),
            files_checked=len(self.results),
            sources={result.path: shown_text(result) for result in self.results},
            budgets=kept_budgets(budgets, named),
        )


ProgressCallback = Callable[[int, int], None]


def lint_paths(options: RunOptions, progress: ProgressCallback | None = None) -> Outcome:
    """Lint every input, in worker processes when that pays; results in input order."""
    configs = Configs(options)
    sources: list[Input | files.Target] = list(find_sources(options, configs))
    outcome = Outcome()
    given = sources
    seen: set[str] | None = None  # every file linted, by seen_key: taken when a batch needs it
    while sources:  # then the buildspecs their batches run, until no new one
        first = len(outcome.results)
        linted = parallel_map(partial(lint_source, configs), sources, options.jobs)
        for number, done in enumerate(linted, 1):
            if done is not None:
                result, budget, fail_on = done
                outcome.results.append(result)
                outcome.fail_on[result.path] = fail_on
                if budget is not None:
                    outcome.budgets.append(budget)
            if progress is not None:
                progress(number, len(sources))
        if not any(result.batch_buildspecs for result in outcome.results[first:]):
            break
        if seen is None:
            seen = {batch.seen_key(source.path) for source in given if source.path is not None}
        found = batch.batch_targets(outcome.results[first:], seen, configs.settings_for)
        sources = [Input(*item) for item in found]
    return outcome


@record
class FixRun:
    """The outcome of `hubspec fix` over all inputs, and which files were written."""

    outcomes: list[FixOutcome]
    written: list[str]
    errors: list[str]

    @property
    def report(self) -> Report:
        results = [outcome.after or outcome.before for outcome in self.outcomes]
        return Report(
            findings=merged_findings(results),
            files_checked=len(results),
            sources={result.path: shown_text(result) for result in results},
        )


def fix_paths(options: RunOptions, *, write: bool) -> FixRun:
    """Fix every input in memory; with `write`, replace changed files atomically.

    With a mirror strategy one buildspec may change several files (its Dockerfiles and
    compose files): they are all written or, if one write fails, all put back.
    """
    from hubspec.fix import FixOutcome

    configs = Configs(options)
    outcomes: list[FixOutcome] = []
    written: list[str] = []
    errors: list[str] = []
    inputs = read_inputs(options, configs)
    fixed = _fixed(inputs, options)
    seen: set[str] | None = None  # every file fixed, by seen_key: taken when a batch needs it
    newest = fixed
    while any(outcome.before.batch_buildspecs for outcome in newest):
        # the buildspecs the batches run, as `lint` reports them, until no new one
        if seen is None:
            seen = {batch.seen_key(item.path) for item in inputs if item.path is not None}
        found = batch.batch_targets(
            [outcome.before for outcome in newest], seen, configs.settings_for
        )
        more = [Input(*item) for item in found]
        newest = _fixed(more, options)
        inputs, fixed = [*inputs, *more], [*fixed, *newest]
    named = superseded([outcome.before for outcome in fixed])
    if named:  # before any write: a written file is a new inode
        given_way = [
            item.path is not None and batch.seen_key(item.path) in named for item in inputs
        ]
        fixed = [
            FixOutcome(outcome.path, outcome.before) if yields else outcome
            for outcome, yields in zip(fixed, given_way, strict=True)
        ]  # a file a project's fix covers is fixed there, in the project's context
    for item, outcome in zip(inputs, fixed, strict=True):
        outcomes.append(outcome)
        if not write or item.path is None or not outcome.changed:
            continue
        try:
            write_all(item, outcome)
            written.append(item.display)
        except (OSError, files.WriteConflict) as error:
            errors.append(write_error(item.display, error))
    return FixRun(outcomes, written, errors)


def _fixed(inputs: list[Input], options: RunOptions) -> list[FixOutcome]:
    """Each input fixed in memory, in worker processes when that pays."""
    tasks = [
        Task(item.display, item.data, item.root, item.settings, options.mirror_target)
        for item in inputs
    ]
    return list(parallel_map(fix_task, tasks, options.jobs, ("hubspec.fix",)))
