"""Runs the core over command-line paths: discovery, reading, linting; no printing, no exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hubspec.facts.secrets import mask
from hubspec.lint.pipeline import LintResult, lint_bytes
from hubspec.model import Finding
from hubspec.records import field, record, replace
from hubspec.report import Report
from hubspec.run import files
from hubspec.run.config import Config, ConfigSearch, load_config
from hubspec.run.source_root import SourceRoots
from hubspec.settings import FixDefaults, Settings

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from hubspec.facts.budget import Budget
    from hubspec.fix import FixOutcome

STDIN = "-"
PARALLEL_MIN_FILES = 16
"""With `jobs=0` (automatic), worker processes are used only above this many files."""
T = TypeVar("T")
R = TypeVar("R")


class InternalError(Exception):
    """A bug in hubspec while handling one file; the message names the file."""


@record
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
    mirror_target: str | None = None
    jobs: int = 0
    """Worker processes: 0 = automatic (several only for many files on several CPUs), 1 = none."""

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
        self.loaded: dict[Path, Config] = {}
        self.search = ConfigSearch()
        self.base_settings: dict[int, Settings] = {}
        """Settings before per-file ignores, by id of the config (kept alive here), 0 for none."""
        self.default_roots = SourceRoots()
        """The source root of files for which neither the options nor a config name one."""
        if options.config_file is not None and not options.isolated:
            self.fixed = load_config(options.config_file)

    def for_path(self, path: Path, *, is_file: bool | None = None) -> Config | None:
        if self.options.isolated:
            return None
        if self.fixed is not None:
            return self.fixed
        found = self.search.nearest(path, is_file=is_file)
        if found is None:
            return None
        if found not in self.loaded:
            self.loaded[found] = load_config(found)
        return self.loaded[found]

    def settings_for(self, path: Path) -> Settings:
        return self.settings_with(path, self.for_path(path))

    def settings_with(self, path: Path, config: Config | None) -> Settings:
        """The settings for `path` under `config`, the config `for_path` found for it."""
        key = id(config) if config is not None else 0
        settings = self.base_settings.get(key)
        if settings is None:
            base = config.settings(Settings()) if config is not None else Settings()
            settings = self.base_settings[key] = self.options.apply(base)
        if config is not None and config.per_file_ignores:
            settings = replace(settings, ignore=settings.ignore | config.ignored_for(path))
        return settings


@record
class Outcome:
    """The results of a run: one LintResult per file, and the report built from them.

    `lint_paths` gives detached results (no document or context: see LintResult.detached)
    and the pull budget of each parsed file in `budgets`.
    """

    results: list[LintResult] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)

    @property
    def report(self) -> Report:
        return Report(
            findings=[finding for result in self.results for finding in result.findings],
            files_checked=len(self.results),
            sources={result.path: shown_text(result) for result in self.results},
            budgets=[
                *self.budgets,
                *(budget for result in self.results for budget in result.budgets),
                *(result.context.budget for result in self.results if result.context is not None),
            ],
        )


ProgressCallback = Callable[[int, int], None]


def lint_paths(options: RunOptions, progress: ProgressCallback | None = None) -> Outcome:
    """Lint every input, in worker processes when that pays; results in input order."""
    configs = Configs(options)
    sources = _sources(options, configs)
    results: list[LintResult] = []
    budgets: list[Budget] = []
    linted = _map(partial(_lint_source, configs), sources, options.jobs)
    for number, outcome in enumerate(linted, 1):
        if outcome is not None:
            result, budget = outcome
            results.append(result)
            if budget is not None:
                budgets.append(budget)
        if progress is not None:
            progress(number, len(sources))
    return Outcome(results, budgets)


def _lint_source(
    configs: Configs, source: Input | files.Target
) -> tuple[LintResult, Budget | None] | None:
    """Read (in the worker, when there are workers) and lint one input; None if excluded."""
    item = _read_source(configs, source)
    if item is None:
        return None
    return _lint_task(_Task(item.display, item.data, item.root, item.settings))


@record
class _Task:
    """One file's work as sent to a worker: plain, picklable data."""

    display: str
    data: bytes
    root: Path
    settings: Settings
    mirror_target: str | None = None


def _lint_task(task: _Task) -> tuple[LintResult, Budget | None]:
    """Lint one file and keep only what the report needs (small, picklable)."""
    result = lint_one(task.display, task.data, task.root, task.settings)
    try:
        budget = result.context.budget if result.context is not None else None
        return result.detached(), budget
    except Exception as error:
        raise InternalError(f"{task.display}: {type(error).__name__}: {error}") from error


def _fix_task(task: _Task) -> FixOutcome:
    """Fix one file in memory; the outcome's lint results are detached (small, picklable)."""
    from hubspec.fix import fix_bytes, mirror_bytes
    from hubspec.lint.host import kind_of

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


def workers_for(jobs: int, files_count: int) -> int:
    """How many worker processes to use: `jobs` if given, else several only when it pays."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (automatic) or more")
    cpus = _cpu_count()
    if jobs == 0:
        if files_count <= PARALLEL_MIN_FILES or cpus <= 1:
            return 1
        jobs = cpus
    return max(1, min(jobs, files_count))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _map(
    function: Callable[[T], R], tasks: Sequence[T], jobs: int, preload: Sequence[str] = ()
) -> Iterator[R]:
    """`map(function, tasks)` in input order, over worker processes when `jobs` says so.

    Workers are forked (where that is safe) after the lint machinery is imported, so they
    start warm; elsewhere a ProcessPoolExecutor starts them. An exception raised for one
    task (InternalError names the file) stops the run and is raised here, as in the serial
    loop.
    """
    workers = workers_for(jobs, len(tasks))
    if workers <= 1:
        yield from map(function, tasks)
        return
    _preload(preload)
    if _fork_safe():
        from hubspec.run.forked import WorkerLost, forked_map

        try:
            yield from forked_map(function, tasks, workers, _FORKED_CHUNK)
        except WorkerLost as error:
            raise InternalError(str(error)) from error
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunksize = max(1, min(16, len(tasks) // (workers * 4)))
    pool = ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_worker_start)
    try:
        yield from pool.map(function, tasks, chunksize=chunksize)
    except BrokenProcessPool as error:
        raise InternalError(f"a worker process stopped unexpectedly ({error})") from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_FORKED_CHUNK = 4
"""Files per chunk for forked workers: a chunk costs them little, and small chunks keep
both busy to the end (any free worker takes the next)."""


def _fork_safe() -> bool:
    """Whether to fork workers directly (`hubspec.run.forked`): POSIX but not macOS, where
    system libraries are not fork-safe, and only while this process runs one thread."""
    return hasattr(os, "fork") and sys.platform != "darwin" and _single_threaded()


def _worker_start() -> None:
    """Ctrl-C is the parent's to handle: it stops the run; workers print no tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _preload(modules: Sequence[str]) -> None:
    """Import what every file needs before forking, so workers do not each import it.

    Not the Go-backed Dockerfile parser: it starts threads (see _mp_context).
    """
    import importlib

    for name in ("hubspec.events.walk", "hubspec.facts.budget", *modules):
        importlib.import_module(name)


def _mp_context() -> BaseContext:
    """fork (workers start warm) when this process has one thread; else forkserver or spawn.

    Forking a process that runs other threads can deadlock the child: a lock held by another
    thread stays locked there. The Go runtime behind the `dockerfile` package runs threads
    as soon as it is loaded, so once a Dockerfile was parsed in this process it is not forked.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _single_threaded():
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _single_threaded() -> bool:
    import threading

    if threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: trust Python's count, and keep away from the Go runtime
        return "dockerfile" not in sys.modules


def lint_one(display: str, data: bytes, root: Path, settings: Settings) -> LintResult:
    """Lint a buildspec, or a host file (template, Terraform) with its projects' buildspecs."""
    from hubspec.lint.host import kind_of, lint_host

    try:
        kind = kind_of(display, data)
        if kind is not None:
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


@record
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
    """Fix every input in memory; with `write`, replace changed files atomically.

    With a mirror strategy one buildspec may change several files (its Dockerfiles and
    compose files): they are all written or, if one write fails, all put back.
    """
    configs = Configs(options)
    outcomes: list[FixOutcome] = []
    written: list[str] = []
    errors: list[str] = []
    inputs = _inputs(options, configs)
    tasks = [
        _Task(item.display, item.data, item.root, item.settings, options.mirror_target)
        for item in inputs
    ]
    for item, outcome in zip(
        inputs, _map(_fix_task, tasks, options.jobs, ("hubspec.fix",)), strict=True
    ):
        outcomes.append(outcome)
        if not write or item.path is None or not outcome.changed:
            continue
        try:
            _write_all(item, outcome)
            written.append(item.display)
        except (OSError, files.WriteConflict) as error:
            errors.append(_write_error(item.display, error))
    return FixRun(outcomes, written, errors)


def _write_all(item: Input, outcome: FixOutcome) -> None:
    """Write the buildspec and every other file of one outcome: all of them or none."""
    assert item.path is not None
    plan: list[tuple[Path, bytes, bytes]] = []
    if outcome.new_data is not None:
        plan.append((item.path, item.data, outcome.new_data))
    for path, old_text, new_text in outcome.files:
        old = files.read_bytes(path)
        bom = old.startswith(b"\xef\xbb\xbf")
        try:
            current = old[3 if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            raise files.WriteConflict(f"{path}: not valid UTF-8; not rewritten") from None
        if current != old_text:
            raise files.WriteConflict(
                f"{path}: changed on disk while hubspec was working; not written"
            )
        plan.append((path, old, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")))
    done: list[tuple[Path, bytes]] = []
    for path, old, new in plan:
        try:
            files.write_atomic(path, new, expected_old=old)
        except (OSError, files.WriteConflict) as error:
            if not done:
                raise
            restored = _roll_back(done)
            raise files.WriteConflict(f"{error}; {restored}") from error
        done.append((path, old))


def _roll_back(done: list[tuple[Path, bytes]]) -> str:
    """Put back the files already written for this buildspec; say what happened."""
    failed: list[str] = []
    for path, old in reversed(done):
        try:
            files.write_atomic(path, old)
        except (OSError, files.WriteConflict):
            failed.append(str(path))
    if failed:
        return "could not restore " + ", ".join(failed) + ": check them by hand"
    return "the files written before it were put back, so every file of this buildspec is unchanged"


def _write_error(display: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{display}: not written ({error.strerror or error}); the file is unchanged"
    return str(error)


def unified_diff(outcome: FixOutcome) -> str:
    """The change a fix would make, as unified diffs of the decoded texts (every file)."""
    import difflib

    secrets = _secrets(outcome.before)
    pairs: list[tuple[str, str, str]] = []
    if outcome.new_data is not None:
        new_text = outcome.new_data.decode("utf-8").lstrip("\ufeff")
        pairs.append((outcome.path, outcome.before.text, new_text))
    pairs.extend((str(path), old, new) for path, old, new in outcome.files)
    chunks: list[str] = []
    for name, old_text, new_text in pairs:
        old = mask(old_text, secrets).splitlines(keepends=True)
        new = mask(new_text, secrets).splitlines(keepends=True)
        before, after = (name, name) if name.startswith("/") else (f"a/{name}", f"b/{name}")
        lines = difflib.unified_diff(old, new, before, after)
        chunks.extend(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
    return "".join(chunks)


def fail_on_for(options: RunOptions) -> Callable[[str], str]:
    """The failing severity for each reported path: --config, else the file's nearest config."""
    configs = Configs(options)
    cache: dict[str, str] = {}

    def lookup(path: str) -> str:
        if path not in cache:
            config = configs.for_path(Path(path))
            cache[path] = config.fail_on.value if config is not None and config.fail_on else "error"
        return cache[path]

    return lookup


def _secrets(result: LintResult) -> set[str]:
    return set(result.context.secrets) if result.context is not None else set(result.secrets)


def shown_text(result: LintResult) -> str:
    """A file's text as reports may quote it: literal secrets masked."""
    return mask(result.text, _secrets(result))


@record
class Input:
    """One buildspec to process: its name in reports, bytes, source root, file (not stdin) and
    settings."""

    display: str
    data: bytes
    root: Path
    path: Path | None
    settings: Settings


def _inputs(options: RunOptions, configs: Configs) -> list[Input]:
    """Every input, read once; stdin is read only when '-' is given."""
    inputs: list[Input] = []
    for source in _sources(options, configs):
        item = _read_source(configs, source)
        if item is not None:
            inputs.append(item)
    return inputs


def _sources(options: RunOptions, configs: Configs) -> list[Input | files.Target]:
    """stdin (read now, when '-' is given) and every buildspec file, in report order."""
    sources: list[Input | files.Target] = []
    named = [path for path in options.paths if path != STDIN]
    targets = files.discover(named)
    if STDIN in options.paths:
        display = options.stdin_filename or "<stdin>"
        data = sys.stdin.buffer.read(files.MAX_INPUT_BYTES + 1)
        settings = configs.settings_for(Path(display))
        # stdin without a name is taken as a buildspec in the current directory
        stdin_path = Path(options.stdin_filename or STDIN)
        root = settings.source_root or configs.default_roots.for_file(stdin_path)
        sources.append(Input(display, data, root, None, settings))
    sources.extend(targets)
    return sources


def _read_source(configs: Configs, source: Input | files.Target) -> Input | None:
    """A file's bytes and settings, or None when its config excludes it."""
    if isinstance(source, Input):
        return source
    path = source.path
    config = configs.for_path(path, is_file=True)  # discover gives regular files
    if not source.named and config is not None and config.excludes(path):
        # a file named on the command line is linted whatever its config excludes
        return None
    try:
        data = files.read_bytes(path, files.MAX_INPUT_BYTES)
        if len(data) > files.MAX_INPUT_BYTES and files.is_host_name(path.name):
            data = files.read_bytes(path, files.MAX_HOST_BYTES)  # templates may be larger
    except OSError as error:
        raise files.PathError(f"{source.display}: cannot be read ({error.strerror})") from None
    settings = configs.settings_with(path, config)
    root = settings.source_root or configs.default_roots.for_file(path)
    return Input(source.display, data, root, path, settings)
