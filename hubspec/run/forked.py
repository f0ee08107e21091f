"""`map` over forked worker processes, for a process with one thread.

ProcessPoolExecutor costs a lint of 200 files a tenth of its time before the first file is
linted: importing concurrent.futures.process and multiprocessing, and pickling every task to
send it. Forked children here inherit the tasks and the warm lint machinery; they take
chunk numbers from one pipe (any free child takes the next chunk) and send pickled results
back on a pipe of their own, which the parent puts back in input order.
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
_STOP = -1
_BATCH = 4096 // _NUMBER.size
"""Chunk numbers per write: one write of at most PIPE_BUF bytes is atomic."""


class WorkerLost(Exception):
    """A worker process ended before sending all its results."""


def forked_map(
    function: Callable[[T], R], tasks: Sequence[T], workers: int, chunksize: int
) -> Iterator[R]:
    """`map(function, tasks)` in input order, over `workers` forked children.

    An exception raised by `function` is raised here at its task's place in input order (the
    run stops), so the same input fails the same way whichever child is faster; a child that
    dies raises WorkerLost. Children are stopped and reaped however the iteration ends.
    """
    chunks = [
        range(start, min(start + chunksize, len(tasks)))
        for start in range(0, len(tasks), chunksize)
    ]
    order_read, order_write = os.pipe()
    children: dict[int, int] = {}  # result pipe -> pid
    try:
        for _ in range(min(workers, len(chunks))):
            result_read, result_write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                code = 1
                try:
                    os.close(order_write)
                    os.close(result_read)
                    for other in children:
                        os.close(other)
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    _work(function, tasks, chunks, order_read, result_write)
                    code = 0
                finally:
                    os._exit(code)
            os.close(result_write)
            children[result_read] = pid
        os.close(order_read)
        order_read = -1
        yield from _collect(chunks, children, order_write)
    finally:
        _stop(children, order_read, order_write)


def _work(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    chunks: Sequence[range],
    orders: int,
    results: int,
) -> None:
    """A child's loop: take a chunk number, send (number, results or exception), repeat."""
    while True:
        number = _NUMBER.unpack(_read_exactly(orders, _NUMBER.size))[0]
        if number == _STOP:
            return
        try:
            payload: tuple[int, bool, Any] = (
                number,
                True,
                [function(tasks[i]) for i in chunks[number]],
            )
            data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # sent to the parent, which raises it
            data = _pickled_error(number, error)
        _write_all(results, _LENGTH.pack(len(data)) + data)


def _pickled_error(number: int, error: BaseException) -> bytes:
    try:
        return pickle.dumps((number, False, error), pickle.HIGHEST_PROTOCOL)
    except Exception:
        plain = RuntimeError(f"{type(error).__name__}: {error}")
        return pickle.dumps((number, False, plain), pickle.HIGHEST_PROTOCOL)


def _collect(chunks: Sequence[range], children: dict[int, int], orders: int) -> Iterator[Any]:
    """Hand out chunk numbers, read results as they come, yield them in input order."""
    pending = b"".join(_NUMBER.pack(number) for number in range(len(chunks)))
    pending += _NUMBER.pack(_STOP) * len(children)
    os.set_blocking(orders, False)
    buffers = {fd: bytearray() for fd in children}
    done: dict[int, tuple[bool, Any]] = {}
    following = 0
    while following < len(chunks):
        if not buffers:
            raise WorkerLost("the worker processes ended before all files were linted")
        writable = [orders] if pending else []
        ready, can_write, _ = select.select(list(buffers), writable, [])
        if can_write:
            try:
                written = os.write(orders, pending[: _BATCH * _NUMBER.size])
            except BlockingIOError:
                written = 0
            pending = pending[written:]
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if not data:
                # A child exits 0 only after the stop number, so with all it claimed sent.
                code = _exit_code(children.pop(fd))
                os.close(fd)
                if code != 0 or buffers.pop(fd):
                    raise WorkerLost(_lost_message(code))
                continue
            buffers[fd] += data
            for number, ok, value in _messages(buffers[fd]):
                done[number] = ok, value
        while following in done:
            ok, value = done.pop(following)
            if not ok:
                raise value  # at its place in input order, as the serial loop would
            yield from value
            following += 1


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


def _stop(children: dict[int, int], order_read: int, order_write: int) -> None:
    """Close the pipes, end the children that still run, and reap every one."""
    for fd in (order_read, order_write, *children):
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
    for pid in children.values():
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the parent closed the pipe")
        data += chunk
    return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
