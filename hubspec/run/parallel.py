"""`map` over worker processes when that pays; results in input order."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from hubspec.run.tasks import InternalError

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

PARALLEL_MIN_FILES = 16
"""With `jobs=0` (automatic), worker processes are used only above this many files."""
T = TypeVar("T")
R = TypeVar("R")


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


def parallel_map(
    function: Callable[[T], R], tasks: Sequence[T], jobs: int, preload: Sequence[str] = ()
) -> Iterator[R]:
    """`map(function, tasks)` in input order, over worker processes when `jobs` says so.

    Where forking is safe, this process is one of the workers and the others are forked
    (hubspec.run.forked) after the lint machinery is imported, so they start warm; elsewhere (macOS, or a process that runs threads) a
    ProcessPoolExecutor starts fresh ones. An exception raised for one task (InternalError
    names the file) stops the run and is raised here, as in the serial loop.
    """
    workers = workers_for(jobs, len(tasks))
    if workers <= 1:
        yield from map(function, tasks)
    elif _fork_safe():
        yield from _forked(function, tasks, workers, preload)
    else:
        yield from _started(function, tasks, workers)


_FORKED_CHUNK = 4
"""Files per chunk for forked workers: a chunk costs them little, and small chunks keep
both busy to the end (any free worker takes the next)."""


def _forked(
    function: Callable[[T], R], tasks: Sequence[T], workers: int, preload: Sequence[str]
) -> Iterator[R]:
    """Over this process and forked children, which inherit the tasks and the imported
    machinery: bench/run.py put hubspec lint at 0.55 (corpus) and 0.75 (corpus copied 10
    times) of check-jsonschema's time with forked children alone, at 0.70 and 0.96 with a
    ProcessPoolExecutor that forks (a loaded machine). This process working beside one child
    instead of waiting for two took 4-7% off the corpus's wall time (see forked.py)."""
    from hubspec.run.forked import WorkerLost, forked_map

    _preload(preload)
    try:
        yield from forked_map(function, tasks, workers, _FORKED_CHUNK)
    except WorkerLost as error:
        raise InternalError(str(error)) from error


def _started(function: Callable[[T], R], tasks: Sequence[T], workers: int) -> Iterator[R]:
    """Over workers a forkserver (or spawn) starts: where forking this process is unsafe."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunksize = max(1, min(16, len(tasks) // (workers * 4)))
    pool = ProcessPoolExecutor(workers, mp_context=_start_context(), initializer=_worker_start)
    try:
        yield from pool.map(function, tasks, chunksize=chunksize)
    except BrokenProcessPool as error:
        raise InternalError(f"a worker process stopped unexpectedly ({error})") from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fork_safe() -> bool:
    """Whether to fork workers: POSIX but not macOS, where system libraries are not
    fork-safe, and only while this process runs one thread.

    Forking a process that runs other threads can deadlock the child: a lock held by another
    thread stays locked there. The Go runtime behind the `dockerfile` package runs threads
    as soon as it is loaded, so once a Dockerfile was parsed in this process it is not forked.
    """
    return hasattr(os, "fork") and sys.platform != "darwin" and _single_threaded()


def _worker_start() -> None:
    """Ctrl-C is the parent's to handle: it stops the run; workers print no tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _preload(modules: Sequence[str]) -> None:
    """Import what every file needs before forking, so workers do not each import it.

    Not the Go-backed Dockerfile parser: it starts threads (see _fork_safe).
    """
    import importlib

    for name in ("hubspec.events.walk", "hubspec.facts.budget", *modules):
        importlib.import_module(name)


def _start_context() -> BaseContext:
    """forkserver where there is one (a fresh, single-threaded process forks the workers),
    else spawn."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
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
