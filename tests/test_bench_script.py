"""The benchmark script's statistics and tables work on a tiny input (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from repos import lint

from conftest import CORPUS

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def rows(bench: ModuleType) -> list:
    row = bench.Row
    return [
        row("single", "hubspec lint", 1, [0.2, 0.1, 0.3], peak_kb=40 * 1024, tree_kb=41 * 1024),
        row("single", "yamllint", 1, [0.2, 0.2, 0.2]),
        row("single", "check-jsonschema", 1, [0.8, 0.4, 0.6]),
        row("corpus", "hubspec lint", 10, [1.0, 1.2, 1.1]),
        row("corpus", "hubspec fix --diff", 10, [1.5, 1.2, 1.1]),
        row("corpus", "yamllint", 10, [2.0, 2.4, 2.2]),
        row(
            "corpus10",
            "hubspec lint",
            100,
            [9.0, 10.0, 11.0],
            peak_kb=120 * 1024,
            tree_kb=160 * 1024,
        ),
    ]


def test_stats(bench: ModuleType) -> None:
    stats = bench.stats([1.0, 2.0, 3.0, 10.0])
    assert stats.median == 2.5
    assert stats.minimum == 1.0
    assert stats.noise == pytest.approx(1.0 / 2.5)


def test_paired_ratio_is_the_median_of_per_round_ratios(bench: ModuleType) -> None:
    assert bench.paired_ratio([1.0, 4.0, 3.0], [2.0, 2.0, 3.0]) == 1.0


def test_table_has_one_line_per_row_and_ratios_to_hubspec_lint(bench: ModuleType) -> None:
    text = bench.table(rows(bench))
    lines = text.strip().splitlines()
    assert lines[0].startswith("| scenario | files | tool | median s")
    assert lines[0].count("|") == lines[2].count("|")
    assert len(lines) == 2 + 7
    assert "| single | 1 | hubspec lint | 0.200 | 0.100 | ±50% | 40 | 41 | 1.00 |" in lines
    assert "| single | 1 | yamllint | 0.200 | 0.200 | ±0% |  |  | 1.00 |" in lines
    assert "| corpus | 10 | yamllint | 2.200 | 2.000 | ±9% |  |  | 2.00 |" in lines


def test_goals(bench: ModuleType) -> None:
    found = {goal.text: goal for goal in bench.goals(rows(bench))}
    assert found["single: hubspec lint / yamllint"].value == 1.0
    assert found["single: hubspec lint / yamllint"].met
    assert found["single: hubspec lint / check-jsonschema"].value == pytest.approx(0.25)
    assert found["corpus: hubspec lint / yamllint"].value == 0.5
    assert "corpus: hubspec lint / check-jsonschema" not in found  # no such row
    assert found["corpus: hubspec fix --diff / hubspec lint"].value == pytest.approx(1.0)
    # per file: (1.1 - 0.2) / 10 = 0.09 s, then (10 - 0.2) / 100 = 0.098 s
    assert found["linear: per-file time, corpus10 / corpus"].value == pytest.approx(0.098 / 0.09)
    assert found["corpus10: hubspec lint max RSS MB"].met
    memory = found["corpus10: hubspec lint tree PSS MB"]
    assert memory.value == 160
    assert not memory.met
    table = bench.goals_table(list(found.values()))
    assert "| corpus10: hubspec lint tree PSS MB | 160.00 | 150 | NO |" in table


def test_the_iac_goal_is_the_median_of_same_round_ratios(bench: ModuleType) -> None:
    """Each round's one-file and corpus times are that round's: a host that drifts between
    scenarios (here: twice as slow in the corpus scenario's rounds) does not move the goal."""
    row = bench.Row
    iac = row("iac", "hubspec lint", 4, [0.30, 0.60, 0.45], inline=2)
    one = row("iac", bench.ONE_FILE, 1, [0.10, 0.20, 0.15])
    corpus = row("iac", bench.BUILDSPEC_CORPUS, 10, [1.10, 2.20, 1.60])
    drifted = [
        row("single", "hubspec lint", 1, [0.2, 0.2, 0.2]),
        row("corpus", "hubspec lint", 10, [4.2, 4.2, 4.2]),
    ]
    found = {goal.text: goal for goal in bench.goals([*drifted, iac, one, corpus])}
    # rounds: (0.2 / 2) / (1.0 / 10) = 1.0, (0.4 / 2) / (2.0 / 10) = 1.0, 0.15 / 0.145 = 1.03
    assert found["iac: time per inline buildspec / per buildspec file"].value == pytest.approx(1.0)
    alone = {goal.text: goal for goal in bench.goals([*drifted, iac])}  # across scenarios
    assert alone["iac: time per inline buildspec / per buildspec file"].value == pytest.approx(
        ((0.45 - 0.2) / 2) / ((4.2 - 0.2) / 10)
    )
    assert bench.command(bench.ONE_FILE, ["x.yml"])[1:] == ["lint", "x.yml"]


def test_commands_pass_the_same_files_to_every_tool(bench: ModuleType) -> None:
    files = ["a/buildspec.yml", "b/buildspec.yml"]
    for tool in bench.TOOLS:
        assert bench.command(tool, files)[-2:] == files


@pytest.fixture(scope="module")
def server_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_lsp", SCRIPT.parent / "lsp.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_lsp"] = module
    spec.loader.exec_module(module)
    return module


def test_server_scenario_statistics_and_goals(server_bench: ModuleType) -> None:
    assert server_bench.percentile([float(n) for n in range(1, 101)], 0.95) == 95.0
    assert server_bench.percentile([3.0], 0.95) == 3.0
    latencies = [0.004] * 90 + [0.030] * 6 + [0.080] * 4  # p95 is the 95th of 100: 30 ms
    run = server_bench.ServerRun(100, latencies, rss_base_kb=50 * 1024, rss_end_kb=65 * 1024)
    goals = {text: (value, limit) for text, value, limit in server_bench.goals(run)}
    assert goals["server: didChange -> diagnostics median ms"] == (pytest.approx(4.0), 20)
    assert goals["server: didChange -> diagnostics p95 ms"] == (pytest.approx(30.0), 50)
    assert goals["server: RSS after 100 edits / after 100"] == (pytest.approx(1.3), 1.2)
    table = server_bench.table(run)
    assert "| server | 100 | 4.0 | 30.0 | 80.0 | 50.0 | 65.0 |" in table


def test_server_scenario_buildspec_is_60_lines_and_lints(server_bench: ModuleType) -> None:
    from conftest import lint_text

    assert len(server_bench.BUILDSPEC.splitlines()) == 60
    result = lint_text(server_bench.BUILDSPEC)
    assert result.document is not None
    assert {finding.rule for finding in result.active} <= {"HS101", "HS103"}


def test_missing_names_each_program_once(bench: ModuleType, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "hubspec").touch()
    monkeypatch.setattr(bench, "BIN", tmp_path)
    assert bench.missing(bench.TOOLS) == ["yamllint", "check-jsonschema"]
    assert bench.missing(["hubspec lint", "hubspec fix --diff"]) == []


def test_a_new_user_without_the_peers_gets_one_line(tmp_path: Path) -> None:
    """As a fresh checkout runs it: a Python with nothing installed beside it (a link to the
    base interpreter in an empty folder, so no venv's packages or scripts are found)."""
    bare = tmp_path / "bin" / "python3"
    bare.parent.mkdir()
    bare.symlink_to(Path(sys.base_prefix) / "bin" / "python3")
    result = subprocess.run(
        [str(bare), str(SCRIPT), "--scenarios", "single", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bench/run.py: hubspec, yamllint, check-jsonschema not installed")
    assert "pip install -e '.[bench]'" in lines[0]


def test_an_unknown_tool_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--tools", "hadolint", "--no-compile"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unknown tool 'hadolint'" in result.stderr
    assert "Traceback" not in result.stderr


def test_single_is_the_example_as_a_repository_of_its_own(
    bench: ModuleType, tmp_path: Path
) -> None:
    buildspec = bench.example_repository(tmp_path)
    assert buildspec.read_bytes() == bench.SINGLE.read_bytes()
    assert (buildspec.parent / ".git").is_dir()
    assert (buildspec.parent / "Dockerfile").is_file()
    assert not (buildspec.parent / ".hubspec.toml").exists()


def test_corpus_is_linted_as_checkouts_whose_scripts_are_found(
    bench: ModuleType, tmp_path: Path
) -> None:
    """Without a `.git`, the default source root is a buildspec's own folder, where the scripts
    and Dockerfiles its repository names from the top are not found: the bench would time
    less work than a checkout costs."""
    copy = bench.as_repositories(CORPUS, tmp_path / "corpus")
    entries = [entry for entry in copy.iterdir() if entry.is_dir()]
    assert entries and all((entry / ".git").is_dir() for entry in entries)
    files = bench.corpus_files(copy)
    assert len(files) == len(bench.corpus_files(CORPUS))
    # 0069/cicd/buildspec.yml runs cicd/install-terraform.sh, named from the repository's top
    buildspec = next(file for file in files if file.endswith("0069/cicd/buildspec.yml"))
    missing = "cicd/install-terraform.sh was not found"
    assert any(missing in line for line in lint(tmp_path, str(CORPUS / "0069/cicd/buildspec.yml")))
    assert not any(missing in line for line in lint(tmp_path, buildspec))
    assert bench.repositories(CORPUS, copy) == copy  # made once per run, then shared
