"""Worker processes (`RunOptions.jobs`): same results, same order, same errors as a serial run."""

from __future__ import annotations

import multiprocessing
import re
import warnings
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES
from hubspec.run import files, tasks
from hubspec.run import parallel as mapping
from hubspec.run.diffs import unified_diff
from hubspec.run.options import RunOptions
from hubspec.run.parallel import PARALLEL_MIN_FILES, workers_for
from hubspec.run.runner import fix_paths, lint_paths
from hubspec.run.tasks import InternalError

PLAIN = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo {n}\n"


def test_workers_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapping, "_cpu_count", lambda: 4)
    assert workers_for(0, PARALLEL_MIN_FILES) == 1  # few files: not worth a pool
    assert workers_for(0, PARALLEL_MIN_FILES + 1) == 4
    assert workers_for(1, 500) == 1
    assert workers_for(3, 500) == 3
    assert workers_for(8, 2) == 2  # never more workers than files
    monkeypatch.setattr(mapping, "_cpu_count", lambda: 1)
    assert workers_for(0, 500) == 1
    with pytest.raises(ValueError):
        workers_for(-1, 5)


@pytest.mark.parametrize("root", [CORPUS, FIXTURES], ids=["corpus", "fixtures"])
def test_parallel_lint_equals_serial_in_order(root: Path) -> None:
    if not root.is_dir():
        pytest.skip(f"{root} is not here")
    calls: list[tuple[int, int]] = []
    serial = lint_paths(RunOptions(paths=[str(root)], jobs=1))
    parallel = lint_paths(
        RunOptions(paths=[str(root)], jobs=2), lambda done, total: calls.append((done, total))
    )
    assert [result.path for result in parallel.results] == [
        result.path for result in serial.results
    ]
    assert parallel.results == serial.results
    assert parallel.report == serial.report
    total = len(serial.results)
    assert calls == [(number, total) for number in range(1, total + 1)]


def test_parallel_fix_diff_equals_serial() -> None:
    root = FIXTURES / "HS101"
    serial = fix_paths(RunOptions(paths=[str(root)], jobs=1), write=False)
    parallel = fix_paths(RunOptions(paths=[str(root)], jobs=2), write=False)
    assert parallel.outcomes == serial.outcomes
    assert [unified_diff(outcome) for outcome in parallel.outcomes] == [
        unified_diff(outcome) for outcome in serial.outcomes
    ]
    assert parallel.report == serial.report
    assert any(outcome.changed for outcome in parallel.outcomes)


def test_workers_started_without_fork_give_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where forking is unsafe (macOS, threads) a forkserver or spawn starts the workers."""
    root = FIXTURES / "HS101"
    serial = lint_paths(RunOptions(paths=[str(root)], jobs=1))
    monkeypatch.setattr(mapping, "_fork_safe", lambda: False)
    monkeypatch.setattr(mapping, "workers_for", lambda jobs, count: 2)
    started = lint_paths(RunOptions(paths=[str(root)], jobs=2))
    assert started.results == serial.results


def test_detached_results_keep_secrets_masked(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text(
        "version: 0.2\nenv:\n  variables:\n    DOCKER_PASSWORD: hunter2hunter2\n"
        "phases:\n  build:\n    commands:\n      - docker build .\n",
        encoding="utf-8",
    )
    outcome = lint_paths(RunOptions(paths=[str(path)], jobs=1))
    assert outcome.results[0].context is None
    assert "hunter2hunter2" not in outcome.report.sources[str(path)]


def test_detached_results_carry_text_only_for_findings(tmp_path: Path) -> None:
    """Reports quote a file's text only at its findings: a clean file sends none back."""
    clean = tmp_path / "clean" / "buildspec.yml"
    pulls = tmp_path / "pulls" / "buildspec.yml"
    for path, command in ((clean, "make"), (pulls, "docker pull node:20")):
        path.parent.mkdir()
        path.write_text(PLAIN.replace("echo {n}", command), encoding="utf-8")
    outcome = lint_paths(RunOptions(paths=[str(clean), str(pulls)], jobs=1))
    texts = {Path(result.path).parent.name: result.text for result in outcome.results}
    assert texts == {"clean": "", "pulls": pulls.read_text(encoding="utf-8")}
    assert [finding.rule for finding in outcome.report.findings] == ["HS101"]


def test_an_internal_error_in_a_worker_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the failure is injected into forked workers")
    for number in range(PARALLEL_MIN_FILES + 4):
        folder = tmp_path / f"repo{number:02}"
        folder.mkdir()
        (folder / "buildspec.yml").write_text(PLAIN.format(n=number), encoding="utf-8")
    broken = str(tmp_path / "repo07" / "buildspec.yml")
    real = tasks.lint_bytes

    def failing(display: str, *args: object, **kwargs: object) -> object:
        if display == broken:
            raise KeyError("boom")
        return real(display, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks, "lint_bytes", failing)
    # These files run no Dockerfile parse, so forking is safe even after other tests ran one.
    monkeypatch.setattr(mapping, "_fork_safe", lambda: True)
    expected = re.escape(f"{broken}: KeyError: 'boom'")
    with warnings.catch_warnings(), pytest.raises(InternalError, match=expected):
        # Python 3.12+ warns when forking with threads (here maybe the Go runtime's).
        warnings.simplefilter("ignore", DeprecationWarning)
        lint_paths(RunOptions(paths=[str(tmp_path)], jobs=2))


def _many_buildspecs(root: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = root / f"app{number:02d}" / "buildspec.yml"
        path.parent.mkdir(parents=True)
        path.write_text(PLAIN.format(n=number))
        paths.append(path)
    return paths


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_unreadable_file_in_order_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Workers read their own files; the error is the one a serial run meets first."""
    _many_buildspecs(tmp_path, PARALLEL_MIN_FILES + 14)  # enough for workers
    discover = files.discover

    def with_vanished_files(named: list[str]) -> list[files.Target]:
        """Two files that are gone by the time they are read (deleted after the walk)."""
        found = discover(named)
        for index in (25, 7):
            gone = tmp_path / f"gone{index}.yml"
            found.insert(index, files.Target(gone, str(gone)))
        return found

    monkeypatch.setattr(files, "discover", with_vanished_files)
    with pytest.raises(files.PathError, match=r"gone7.yml: cannot be read \(No such"):
        lint_paths(RunOptions(paths=[str(tmp_path)], jobs=jobs))


@pytest.mark.parametrize("jobs", [1, 2])
def test_config_excludes_apply_in_workers(tmp_path: Path, jobs: int) -> None:
    paths = _many_buildspecs(tmp_path, PARALLEL_MIN_FILES + 4)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hubspec.toml").write_text('exclude = ["app1*/*"]\n')
    calls: list[tuple[int, int]] = []
    outcome = lint_paths(
        RunOptions(paths=[str(tmp_path)], jobs=jobs),
        lambda done, total: calls.append((done, total)),
    )
    linted = [Path(result.path).parent.name for result in outcome.results]
    assert linted == [f"app{n:02d}" for n in range(len(paths)) if not 10 <= n <= 19]
    assert calls[-1] == (len(paths), len(paths))  # progress counts excluded files as done
    named = lint_paths(RunOptions(paths=[str(paths[12])], jobs=jobs))
    assert [result.path for result in named.results] == [str(paths[12])]  # named: linted
