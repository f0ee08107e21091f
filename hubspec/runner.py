"""Runs the core over command-line paths: discovery, reading, linting; no printing, no exit."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from hubspec import files
from hubspec.budget import budget_of
from hubspec.config import Config, find_config, load_config
from hubspec.fix import FixOutcome, fix_bytes
from hubspec.lint import LintResult, lint_bytes
from hubspec.model import Finding
from hubspec.report import Report
from hubspec.secrets import mask, secret_literals
from hubspec.settings import FixDefaults, Settings

STDIN = "-"


class InternalError(Exception):
    """A bug in hubspec while handling one file; the message names the file."""


@dataclass(frozen=True)
class RunOptions:
    """What the CLI parsed, as plain data (so the core can be driven without the CLI).

    None (or empty) means "not given": the config file, then the defaults decide.
    """

    paths: list[str]
    stdin_filename: str | None = None
    source_root: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    mirrors: frozenset[str] = frozenset()
    fix: FixDefaults | None = None
    fix_options: dict[str, str] = field(default_factory=dict)
    config_file: Path | None = None
    isolated: bool = False
    no_ignores: bool = False

    def apply(self, settings: Settings) -> Settings:
        """Command-line options over the settings from config and defaults."""
        fix = self.fix or replace(settings.fix, **self.fix_options)
        return replace(
            settings,
            source_root=self.source_root or settings.source_root,
            mirrors=settings.mirrors | self.mirrors,
            select=self.select if self.select is not None else settings.select,
            ignore=settings.ignore | self.ignore,
            fix=fix,
            no_ignores=self.no_ignores or settings.no_ignores,
        )

    def settings(self) -> Settings:
        return self.apply(Settings())


class Configs:
    """Finds and caches the config for each file: --config, else the nearest, else none."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.fixed: Config | None = None
        self.by_path: dict[Path, Config | None] = {}
        if options.config_file is not None and not options.isolated:
            self.fixed = load_config(options.config_file)

    def for_path(self, path: Path) -> Config | None:
        if self.options.isolated:
            return None
        if self.fixed is not None:
            return self.fixed
        found = find_config(path)
        if found is None:
            return None
        if found not in self.by_path:
            self.by_path[found] = load_config(found)
        return self.by_path[found]

    def settings_for(self, path: Path) -> Settings:
        config = self.for_path(path)
        base = config.settings(Settings()) if config is not None else Settings()
        settings = self.options.apply(base)
        if config is not None:
            settings = replace(settings, ignore=settings.ignore | config.ignored_for(path))
        return settings


@dataclass(frozen=True)
class Outcome:
    """The results of a run: one LintResult per file, and the report built from them."""

    results: list[LintResult] = field(default_factory=list)

    @property
    def report(self) -> Report:
        return Report(
            findings=[finding for result in self.results for finding in result.findings],
            files_checked=len(self.results),
            sources={result.path: shown_text(result) for result in self.results},
            budgets=[
                budget_of(result.context, result.path)
                for result in self.results
                if result.context is not None
            ],
        )


ProgressCallback = Callable[[int, int], None]


def lint_paths(options: RunOptions, progress: ProgressCallback | None = None) -> Outcome:
    configs = Configs(options)
    results: list[LintResult] = []
    inputs = _inputs(options, configs)
    for number, item in enumerate(inputs, 1):
        settings = configs.settings_for(item.path or Path(item.display))
        results.append(lint_one(item.display, item.data, item.root, settings))
        if progress is not None:
            progress(number, len(inputs))
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
            sources[result.path] = shown_text(result)
        return Report(findings=findings, files_checked=len(self.outcomes), sources=sources)


def fix_paths(options: RunOptions, *, write: bool) -> FixRun:
    """Fix every input in memory; with `write`, replace changed files atomically."""
    configs = Configs(options)
    outcomes: list[FixOutcome] = []
    written: list[str] = []
    errors: list[str] = []
    for item in _inputs(options, configs):
        settings = configs.settings_for(item.path or Path(item.display))
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
    secrets = _secrets(outcome.before)
    old = mask(outcome.before.text, secrets).splitlines(keepends=True)
    new_text = outcome.new_data.decode("utf-8").lstrip("\ufeff")
    new = mask(new_text, secrets).splitlines(keepends=True)
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


def fail_on_from_config(options: RunOptions) -> str:
    """The failing severity from --config or the config nearest the current directory."""
    config = Configs(options).for_path(Path.cwd())
    return config.fail_on.value if config is not None and config.fail_on is not None else "error"


def _secrets(result: LintResult) -> set[str]:
    return secret_literals(result.context) if result.context is not None else set()


def shown_text(result: LintResult) -> str:
    """A file's text as reports may quote it: literal secrets masked."""
    return mask(result.text, _secrets(result))


def _inputs(options: RunOptions, configs: Configs) -> list[Input]:
    """Every input, read once; stdin is read only when '-' is given."""
    inputs: list[Input] = []
    named = [path for path in options.paths if path != STDIN]
    explicit = {Path(path) for path in named}
    targets = [
        target
        for target in files.discover(named)
        if target.path in explicit or not _excluded(configs, target.path)
    ]
    if STDIN in options.paths:
        display = options.stdin_filename or "<stdin>"
        fallback = Path(options.stdin_filename).parent if options.stdin_filename else Path.cwd()
        data = sys.stdin.buffer.read(files.MAX_INPUT_BYTES + 1)
        root = configs.settings_for(Path(display)).source_root or fallback
        inputs.append(Input(display, data, root, None))
    for target in targets:
        try:
            data = files.read_bytes(target.path, files.MAX_INPUT_BYTES)
        except OSError as error:
            raise files.PathError(f"{target.display}: cannot be read ({error.strerror})") from None
        root = configs.settings_for(target.path).source_root or target.path.parent
        inputs.append(Input(target.display, data, root, target.path))
    return inputs


def _excluded(configs: Configs, path: Path) -> bool:
    config = configs.for_path(path)
    return config is not None and config.excludes(path)
