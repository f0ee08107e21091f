"""hubspec.run.forked: map over this process and forked children, results in input order,
every failure raised, and no child left running or unreaped however the iteration ends."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator

import pytest

from hubspec.run.forked import WorkerLost, forked_map

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin", reason="forked workers are POSIX only"
)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The pids of the children forked during the test; each must be reaped at the end."""
    pids: list[int] = []
    real = os.fork

    def recording() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording)
    yield pids
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def double(number: int) -> int:
    return number * 2


@pytest.mark.parametrize(
    ("count", "workers", "chunksize"),
    [(1, 2, 4), (7, 2, 1), (50, 3, 4), (101, 2, 16), (20_000, 2, 1)],
)
def test_results_come_in_input_order(
    forks: list[int], count: int, workers: int, chunksize: int
) -> None:
    """20,000 one-task chunks fill the order pipe several times over."""
    tasks = list(range(count))
    assert list(forked_map(double, tasks, workers, chunksize)) == [n * 2 for n in tasks]
    assert len(forks) == min(workers, -(-count // chunksize)) - 1  # this process is one


def test_each_worker_works_on_its_own_share(forks: list[int]) -> None:
    """This process and each child take chunks; any free one takes the next."""

    def slow_pid(number: int) -> int:
        time.sleep(0.005)  # long enough that another worker takes the next chunk
        return os.getpid()

    pids = list(forked_map(slow_pid, list(range(60)), 3, 1))
    workers = {os.getpid(), *forks}
    assert set(pids) == workers and len(workers) == 3
    assert min(pids.count(pid) for pid in workers) >= 10


def test_this_process_alone_when_one_worker_is_asked(forks: list[int]) -> None:
    assert list(forked_map(double, list(range(9)), 1, 2)) == [n * 2 for n in range(9)]
    assert forks == []


def test_results_of_this_process_need_not_be_picklable(forks: list[int]) -> None:
    """Only a child's results cross a pipe: this process keeps its own as they are."""
    parent = os.getpid()

    def local_results(number: int) -> object:
        if os.getpid() == parent:
            return lambda: number
        time.sleep(0.002)  # the child is slower, so this process surely takes some chunks
        return number

    results = list(forked_map(local_results, list(range(200)), 2, 1))
    assert [r() if callable(r) else r for r in results] == list(range(200))
    assert any(callable(r) for r in results)


def test_an_exception_in_a_task_is_raised_in_the_parent(forks: list[int]) -> None:
    def failing(number: int) -> int:
        if number == 33:
            raise KeyError("task 33")
        return number

    with pytest.raises(KeyError, match="task 33"):
        list(forked_map(failing, list(range(80)), 2, 4))


def test_of_several_failing_tasks_the_first_in_input_order_is_raised(forks: list[int]) -> None:
    """A later task that fails sooner (in the faster child) does not win."""

    def failing(number: int) -> int:
        if number == 3:
            time.sleep(0.3)
            raise KeyError("task 3")
        if number == 30:
            raise KeyError("task 30")
        return number

    results: list[int] = []
    with pytest.raises(KeyError, match="task 3'"):
        results.extend(forked_map(failing, list(range(40)), 2, 2))
    assert results == [0, 1]


def _in_a_child(parent: int) -> bool:
    """True in a forked child; in this process, wait a little so that the child takes work."""
    if os.getpid() == parent:
        time.sleep(0.01)
        return False
    return True


def test_an_exception_that_cannot_be_pickled_arrives_as_its_text(forks: list[int]) -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    parent = os.getpid()

    def failing(number: int) -> int:
        if _in_a_child(parent):
            raise Local("not picklable")
        return number

    with pytest.raises(RuntimeError, match="Local: not picklable"):
        list(forked_map(failing, list(range(10)), 2, 1))


def test_an_exception_in_this_process_is_raised_as_it_is(forks: list[int]) -> None:
    class Local(Exception):
        pass

    parent = os.getpid()

    def failing(number: int) -> int:
        if os.getpid() == parent:
            raise Local("raised here")
        time.sleep(0.01)
        return number

    with pytest.raises(Local, match="raised here"):
        list(forked_map(failing, list(range(10)), 2, 1))


def test_a_child_that_exits_is_reported(forks: list[int]) -> None:
    parent = os.getpid()

    def exiting(number: int) -> int:
        if _in_a_child(parent):
            os._exit(3)
        return number

    with pytest.raises(WorkerLost, match=r"exit code 3"):
        list(forked_map(exiting, list(range(40)), 2, 1))


def test_a_child_killed_by_a_signal_is_reported(forks: list[int]) -> None:
    parent = os.getpid()

    def killed(number: int) -> int:
        if _in_a_child(parent):
            os.kill(os.getpid(), signal.SIGKILL)
        return number

    with pytest.raises(WorkerLost, match=f"signal {int(signal.SIGKILL)}"):
        list(forked_map(killed, list(range(40)), 2, 1))


def test_stopping_early_ends_and_reaps_the_children(forks: list[int]) -> None:
    results = forked_map(double, list(range(5_000)), 3, 1)
    assert next(results) == 0
    results.close()
    assert len(forks) == 2  # the fixture checks that both were reaped


def test_an_interrupt_in_this_process_stops_and_reaps_the_children(forks: list[int]) -> None:
    """Ctrl-C reaches this process (the children ignore it) while it works on a chunk."""
    parent = os.getpid()

    def interrupted(number: int) -> int:
        if os.getpid() == parent and number > 20:
            raise KeyboardInterrupt
        return number

    with pytest.raises(KeyboardInterrupt):
        list(forked_map(interrupted, list(range(5_000)), 3, 1))
    assert len(forks) == 2
