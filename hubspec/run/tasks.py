"""One file's work as a worker does it: plain, picklable tasks in, small results out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.lint.pipeline import LintResult, lint_bytes
from hubspec.model import Severity
from hubspec.records import record, replace
from hubspec.run import files
from hubspec.run.inputs import Configs, Input, read_source
from hubspec.settings import Settings

if TYPE_CHECKING:
    from hubspec.facts.budget import Budget
    from hubspec.fix import FixOutcome


class InternalError(Exception):
    """A bug in hubspec while handling one file; the message names the file."""


def lint_source(
    configs: Configs, source: Input | files.Target
) -> tuple[LintResult, Budget | None, Severity] | None:
    """Read (in the worker, when there are workers) and lint one input; None if excluded."""
    item = read_source(configs, source)
    if item is None:
        return None
    result, budget = lint_task(Task(item.display, item.data, item.root, item.settings))
    return result, budget, item.settings.fail_on


@record
class Task:
    """One file's work as sent to a worker: plain, picklable data."""

    display: str
    data: bytes
    root: Path
    settings: Settings
    mirror_target: str | None = None


def lint_task(task: Task) -> tuple[LintResult, Budget | None]:
    """Lint one file and keep only what the report needs (small, picklable)."""
    result = lint_one(task.display, task.data, task.root, task.settings)
    try:
        budget = result.context.budget if result.context is not None else None
        return result.detached(), budget
    except Exception as error:
        raise InternalError(f"{task.display}: {type(error).__name__}: {error}") from error


def fix_task(task: Task) -> FixOutcome:
    """Fix one file in memory; the outcome's lint results are detached (small, picklable)."""
    from hubspec.fix import fix_bytes, mirror_bytes
    from hubspec.hosts.kind import kind_of

    try:
        if kind_of(task.display, task.data) is not None:
            from hubspec.fix.host import fix_host

            outcome = fix_host(
                task.display,
                task.data,
                source_root=task.root,
                reader=files.read_referenced,
                settings=task.settings,
                mirror_spec=task.mirror_target,
            )
        elif task.mirror_target is not None:
            outcome = mirror_bytes(
                task.display,
                task.data,
                source_root=task.root,
                reader=files.read_referenced,
                mirror_spec=task.mirror_target,
                settings=task.settings,
            )
        else:
            outcome = fix_bytes(
                task.display,
                task.data,
                source_root=task.root,
                reader=files.read_referenced,
                settings=task.settings,
            )
        after = outcome.after.detached() if outcome.after is not None else None
        return replace(outcome, before=outcome.before.detached(), after=after)
    except Exception as error:
        raise InternalError(f"{task.display}: {type(error).__name__}: {error}") from error


def lint_one(display: str, data: bytes, root: Path, settings: Settings) -> LintResult:
    """Lint a buildspec, or a host file (template, Terraform) with its projects' buildspecs."""
    from hubspec.hosts.kind import kind_of

    try:
        kind = kind_of(display, data)
        if kind is not None:
            from hubspec.lint.host import lint_host

            return lint_host(
                display,
                data,
                kind=kind,
                source_root=root,
                reader=files.read_referenced,
                settings=settings,
            )
        return lint_bytes(
            display, data, source_root=root, reader=files.read_referenced, settings=settings
        )
    except Exception as error:
        raise InternalError(f"{display}: {type(error).__name__}: {error}") from error
