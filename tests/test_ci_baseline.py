"""Baselines for gradual adoption: `--write-baseline FILE` records today's findings, fingerprinted
by rule, path and the normalised command so they survive line shifts; `--baseline FILE` then
reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hubspec.cli.app import app

runner = CliRunner()
ENV: dict[str, str | None] = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "CI": None}
TODAY = """\
version: 0.2
env:
  variables:
    DOCKER_USER: me
phases:
  build:
    commands:
      - docker pull node:20
      - docker pull python:3.12
      - docker login -u "$DOCKER_USER" -p "$DOCKER_PASSWORD"
"""


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["lint", "--isolated", *args], env=ENV)


def new_findings(*args: str) -> tuple[int, list[tuple[str, int]]]:
    result = invoke("--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    return result.exit_code, [
        (f["rule"], f["line"]) for f in document["findings"] if not f["suppressed"]
    ]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "buildspec.yml").write_text(TODAY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    return tmp_path


def edit(project: Path, text: str) -> None:
    (project / "buildspec.yml").write_text(text, encoding="utf-8")


def test_write_baseline_records_todays_findings(project: Path) -> None:
    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    rules = sorted(entry["rule"] for entry in document["findings"])
    assert rules == ["HS101", "HS101", "HS201", "HS203"]
    assert {entry["path"] for entry in document["findings"]} == {"buildspec.yml"}
    assert "DOCKER_PASSWORD" not in (project / "baseline.json").read_text(), (
        "fingerprints, not commands, are stored"
    )


def test_baseline_hides_known_findings(project: Path) -> None:
    assert new_findings("--baseline", "baseline.json") == (0, [])
    concise = invoke("--baseline", "baseline.json", "--format", "concise")
    assert concise.exit_code == 0
    assert "HS101" not in concise.stdout


def test_known_findings_survive_line_shifts(project: Path) -> None:
    edit(
        project,
        "# CI for the app\n\n"
        + TODAY.replace("phases:\n", "phases:\n  install:\n    commands:\n      - echo hi\n"),
    )
    assert new_findings("--baseline", "baseline.json") == (0, [])


def test_known_findings_survive_reindenting_and_spacing(project: Path) -> None:
    edit(
        project,
        TODAY.replace("      - docker pull node:20", "      -   docker  pull   node:20").replace(
            "  build:\n    commands:\n", "  build:\n    commands:\n\n"
        ),
    )
    assert new_findings("--baseline", "baseline.json") == (0, [])


def test_known_findings_survive_a_trailing_comment(project: Path) -> None:
    """The fingerprint is the command, not the YAML line: a comment after it changes nothing."""
    edit(project, TODAY.replace("docker pull node:20", "docker pull node:20  # TODO: mirror"))
    assert new_findings("--baseline", "baseline.json") == (0, [])


def test_a_new_finding_is_reported(project: Path) -> None:
    edit(
        project,
        TODAY.replace(
            "phases:\n", "phases:\n  install:\n    commands:\n      - docker pull ruby:3\n"
        ),
    )
    code, found = new_findings("--baseline", "baseline.json")
    assert found == [("HS101", 8)]
    assert code == 1


def test_a_changed_command_is_new(project: Path) -> None:
    edit(project, TODAY.replace("docker pull python:3.12", "docker pull python:3.13"))
    assert new_findings("--baseline", "baseline.json") == (1, [("HS101", 9)])


def test_a_second_copy_of_a_known_finding_is_new(project: Path) -> None:
    edit(
        project,
        TODAY.replace("      - docker login", "      - docker pull node:20\n      - docker login"),
    )
    assert new_findings("--baseline", "baseline.json") == (1, [("HS101", 10)])


def test_baseline_is_per_path(project: Path) -> None:
    (project / "other").mkdir()
    (project / "other" / "buildspec.yml").write_text(TODAY, encoding="utf-8")
    code, found = new_findings("--baseline", "baseline.json")
    assert code == 1
    assert len(found) == 4


def test_suppressed_findings_are_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    edit(tmp_path, TODAY.replace("node:20", "node:20  # hubspec: ignore[HS101] warm cache"))
    assert invoke("--write-baseline", "b.json").exit_code == 0
    rules = [entry["rule"] for entry in json.loads((tmp_path / "b.json").read_text())["findings"]]
    assert sorted(rules) == ["HS101", "HS201", "HS203"]


def test_baseline_with_other_formats(project: Path) -> None:
    edit(
        project,
        TODAY.replace("      - docker login", "      - docker pull ruby:3\n      - docker login"),
    )
    sarif = json.loads(invoke("-f", "sarif", "--baseline", "baseline.json").stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["HS101"]
    github = invoke("-f", "github", "--baseline", "baseline.json").stdout
    assert github.count("::error ") == 1
    assert "ruby:3" in github


@pytest.mark.parametrize(
    "content", ["not json", '{"version": 99, "findings": []}', '{"findings": 3}', "[]"]
)
def test_a_bad_baseline_is_a_usage_error(project: Path, content: str) -> None:
    (project / "bad.json").write_text(content, encoding="utf-8")
    result = invoke("--baseline", "bad.json")
    assert result.exit_code == 2
    assert "bad.json" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_baseline_is_a_usage_error(project: Path) -> None:
    result = invoke("--baseline", "missing.json")
    assert result.exit_code == 2
    assert "missing.json" in result.stderr
