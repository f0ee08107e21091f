"""Runs the core over command-line paths: discovery, reading, linting; no printing, no exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from hubspec import files
from hubspec.fix import FixOutcome, fix_bytes
from hubspec.lint import LintResult, lint_bytes
from hubspec.model import Finding
from hubspec.report import Report
from hubspec.settings import FixDefaults, Settings

STDIN = "-"


class InternalError(Exception):
    """A bug in hubspec while handling one file; the message names the file."""


@dataclass(frozen=True)
class RunOptions:
    """What the CLI parsed, as plain data (so the core can be driven without the CLI)."""

    paths: list[str]
    stdin_filename: str | None = None
    source_root: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    mirrors: frozenset[str] = frozenset()
    fix: FixDefaults = field(default_factory=FixDefaults)

    def settings(self) -> Settings:
        return Settings(
            source_root=self.source_root,
            mirrors=self.mirrors,
            select=self.select,
            ignore=self.ignore,
            fix=self.fix,
        )


@dataclass(frozen=True)
class Outcome:
    """The results of a run: one LintResult per file, and the report built from them."""

    results: list[LintResult] = field(default_factory=list)

    @property
    def report(self) -> Report:
        return Report(
            findings=[finding for result in self.results for finding in result.findings],
            files_checked=len(self.results),
            sources={result.path: result.text for result in self.results},
        )


def lint_paths(options: RunOptions) -> Outcome:
    settings = options.settings()
    results: list[LintResult] = []
    for item in _inputs(options):
        results.append(lint_one(item.display, item.data, item.root, settings))
    return Outcome(results)


def lint_one(display: str, data: bytes, root: Path, settings: Settings) -> LintResult:
    try:
        return lint_bytes(
            display, data, source_root=root, reader=files.read_referenced, settings=settings
        )
    except Exception as error:
        raise InternalError(f"{display}: {type(error).__name__}: {error}") from error


@dataclass(frozen=True)
class FixRun:
    """The outcome of `hubspec fix` over all inputs, and which files were written."""

    outcomes: list[FixOutcome]
    written: list[str]
    errors: list[str]

    @property
    def report(self) -> Report:
        findings: list[Finding] = []
        sources: dict[str, str] = {}
        for outcome in self.outcomes:
            result = outcome.after or outcome.before
            findings.extend(result.findings)
            sources[result.path] = result.text
        return Report(findings=findings, files_checked=len(self.outcomes), sources=sources)


def fix_paths(options: RunOptions, *, write: bool) -> FixRun:
    """Fix every input in memory; with `write`, replace changed files atomically."""
    settings = options.settings()
    outcomes: list[FixOutcome] = []
    written: list[str] = []
    errors: list[str] = []
    for item in _inputs(options):
        try:
            outcome = fix_bytes(
                item.display,
                item.data,
                source_root=item.root,
                reader=files.read_referenced,
                settings=settings,
            )
        except Exception as error:
            raise InternalError(f"{item.display}: {type(error).__name__}: {error}") from error
        outcomes.append(outcome)
        if write and outcome.new_data is not None and item.path is not None:
            try:
                files.write_atomic(item.path, outcome.new_data, expected_old=item.data)
                written.append(item.display)
            except (OSError, files.WriteConflict) as error:
                errors.append(_write_error(item.display, error))
    return FixRun(outcomes, written, errors)


def _write_error(display: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{display}: not written ({error.strerror or error}); the file is unchanged"
    return str(error)


def unified_diff(outcome: FixOutcome) -> str:
    """The change a fix would make, as a unified diff of the decoded texts."""
    import difflib

    if outcome.new_data is None:
        return ""
    old = outcome.before.text.splitlines(keepends=True)
    new = outcome.new_data.decode("utf-8").lstrip("\ufeff").splitlines(keepends=True)
    before, after = (
        (outcome.path, outcome.path)
        if outcome.path.startswith("/")
        else (f"a/{outcome.path}", f"b/{outcome.path}")
    )
    lines = difflib.unified_diff(old, new, before, after)
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


@dataclass(frozen=True)
class Input:
    """One buildspec to process: its name in reports, bytes, source root, and file (not stdin)."""

    display: str
    data: bytes
    root: Path
    path: Path | None


def _inputs(options: RunOptions) -> list[Input]:
    """Every input, read once; stdin is read only when '-' is given."""
    inputs: list[Input] = []
    named = [path for path in options.paths if path != STDIN]
    targets = files.discover(named)
    if STDIN in options.paths:
        display = options.stdin_filename or "<stdin>"
        fallback = Path(options.stdin_filename).parent if options.stdin_filename else Path.cwd()
        data = sys.stdin.buffer.read(files.MAX_INPUT_BYTES + 1)
        inputs.append(Input(display, data, options.source_root or fallback, None))
    for target in targets:
        try:
            data = files.read_bytes(target.path, files.MAX_INPUT_BYTES)
        except OSError as error:
            raise files.PathError(f"{target.display}: cannot be read ({error.strerror})") from None
        inputs.append(
            Input(target.display, data, options.source_root or target.path.parent, target.path)
        )
    return inputs
