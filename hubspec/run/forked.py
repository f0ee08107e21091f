"""`map` over this process and forked children, for a process with one thread.

ProcessPoolExecutor costs a lint of 200 files a tenth of its time before the first file is
linted: importing concurrent.futures.process and multiprocessing, and pickling every task to
send it. Forked children here inherit the tasks and the warm lint machinery. This process
works too, as one of the workers: a coordinator beside its workers would take CPU time from
them on a machine with as many CPUs as workers, and the results it computes itself need no
pickling. Every worker takes chunk numbers from one pipe (any free one takes the next
chunk); children send pickled results back on a pipe of their own, and this process puts
all results back in input order.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_NUMBER = struct.Struct("<i")
_LENGTH = struct.Struct("<Q")
_END = -1
"""Read from the order pipe once it is closed and empty: every chunk is taken."""
_NONE_YET = -2
"""Read from the order pipe while it is empty but open: more may come."""
_BATCH = 4096 // _NUMBER.size
"""Chunk numbers per write: one write of at most PIPE_BUF bytes is atomic, so every reader,
taking one number at a time, always finds whole numbers."""


class WorkerLost(Exception):
    """A worker process ended before sending all its results."""


def forked_map(
    function: Callable[[T], R], tasks: Sequence[T], workers: int, chunksize: int
) -> Iterator[R]:
    """`map(function, tasks)` in input order, over this process and `workers - 1` children.

    An exception raised by `function` for a task is raised here at its task's place in input
    order (the run stops), so the same input fails the same way whichever worker is faster;
    a child that dies raises WorkerLost. Children are stopped and reaped however the
    iteration ends.
    """
    chunks = [
        range(start, min(start + chunksize, len(tasks)))
        for start in range(0, len(tasks), chunksize)
    ]
    run = _Run(function, tasks, chunks)
    try:
        for _ in range(min(workers, len(chunks)) - 1):
            run.fork()
        yield from run.collect()
    finally:
        run.stop()


class _Run:
    """One map: the order pipe, the children's result pipes, and results not yet yielded."""

    def __init__(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], chunks: Sequence[range]
    ) -> None:
        self.function = function
        self.tasks = tasks
        self.chunks = chunks
        self.order_read, self.order_write = os.pipe()
        self.children: dict[int, int] = {}  # result pipe -> pid
        self.done: dict[int, tuple[bool, Any]] = {}

    def fork(self) -> None:
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            code = 1
            try:
                os.close(self.order_write)
                os.close(result_read)
                for other in self.children:
                    os.close(other)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                while (number := _take(self.order_read)) != _END:
                    _write_all(result_write, self.pickled(number))
                code = 0
            finally:
                os._exit(code)
        os.close(result_write)
        self.children[result_read] = pid

    def outcome(self, number: int) -> tuple[bool, Any]:
        """(True, the chunk's results) or (False, the exception its first failing task raised)."""
        try:
            return True, [self.function(self.tasks[i]) for i in self.chunks[number]]
        except Exception as error:
            return False, error

    def pickled(self, number: int) -> bytes:
        ok, value = self.outcome(number)
        try:
            data = pickle.dumps((number, ok, value), pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            if ok:
                value = error
            data = pickle.dumps(
                (number, False, RuntimeError(f"{type(value).__name__}: {value}")),
                pickle.HIGHEST_PROTOCOL,
            )
        return _LENGTH.pack(len(data)) + data

    def collect(self) -> Iterator[Any]:
        """Hand out chunk numbers, work on some, read the children's results as they come,
        and yield all in input order."""
        pending = b"".join(_NUMBER.pack(number) for number in range(len(self.chunks)))
        # Shared with the children (one open file description): they wait with select.
        os.set_blocking(self.order_read, False)
        os.set_blocking(self.order_write, False)
        buffers = {fd: bytearray() for fd in self.children}
        working = True
        following = 0
        while following < len(self.chunks):
            if pending:
                pending = self._hand_out(pending)
            number = _take_now(self.order_read) if working else _END
            if number >= 0:
                self.done[number] = self.outcome(number)
            elif number == _END:
                working = False
                if not buffers and following not in self.done:
                    raise WorkerLost("the worker processes ended before all files were linted")
            waiting = number < 0 and following not in self.done
            self._receive(buffers, pending, working, block=waiting)
            while following in self.done:
                ok, value = self.done.pop(following)
                if not ok:
                    raise value  # at its place in input order, as the serial loop would
                yield from value
                following += 1

    def _hand_out(self, pending: bytes) -> bytes:
        try:
            written = os.write(self.order_write, pending[: _BATCH * _NUMBER.size])
        except BlockingIOError:
            written = 0
        pending = pending[written:]
        if not pending:  # the children read the end of the pipe once it is empty
            os.close(self.order_write)
            self.order_write = -1
        return pending

    def _receive(
        self, buffers: dict[int, bytearray], pending: bytes, working: bool, *, block: bool
    ) -> None:
        """Read what the children sent; with `block`, wait until something can be done."""
        readable = list(buffers)
        if block and working:
            readable.append(self.order_read)
        writable = [self.order_write] if block and pending else []
        if not readable and not writable:
            return
        ready, _, _ = select.select(readable, writable, [], None if block else 0)
        for fd in ready:
            if fd == self.order_read:
                continue
            data = os.read(fd, 1 << 16)
            if not data:
                # A child exits 0 only once the pipe is empty, with all it took sent.
                code = _exit_code(self.children.pop(fd))
                os.close(fd)
                if code != 0 or buffers.pop(fd):
                    raise WorkerLost(_lost_message(code))
                continue
            buffers[fd] += data
            for number, ok, value in _messages(buffers[fd]):
                self.done[number] = ok, value

    def stop(self) -> None:
        """Close the pipes, end the children that still run, and reap every one."""
        for fd in (self.order_read, self.order_write, *self.children):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        for pid in self.children.values():
            try:
                finished, _ = os.waitpid(pid, os.WNOHANG)
                if finished == 0:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass


def _take(orders: int) -> int:
    """The next chunk number, waiting for one, or _END."""
    while (number := _take_now(orders)) == _NONE_YET:
        select.select([orders], [], [])
    return number


def _take_now(orders: int) -> int:
    """The next chunk number if one is waiting, _NONE_YET if not, or _END."""
    try:
        data = os.read(orders, _NUMBER.size)
    except BlockingIOError:
        return _NONE_YET
    return _NUMBER.unpack(data)[0] if data else _END


def _messages(buffer: bytearray) -> Iterator[tuple[int, bool, Any]]:
    """Complete messages at the front of `buffer`, removed from it."""
    while len(buffer) >= _LENGTH.size:
        size = _LENGTH.unpack_from(buffer)[0]
        end = _LENGTH.size + size
        if len(buffer) < end:
            return
        message = pickle.loads(buffer[_LENGTH.size : end])
        del buffer[:end]
        yield message


def _exit_code(pid: int) -> int | None:
    """The child's exit code once it has ended (negative: the signal that killed it)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def _lost_message(code: int | None) -> str:
    if code is not None and code < 0:
        return f"a worker process was killed by signal {-code}"
    return f"a worker process stopped unexpectedly (exit code {code})"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
