"""`hubspec lint` through the CLI: formats, exit codes, discovery, selection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, SHARED
from hubspec import __version__
from hubspec.cli.app import app

runner = CliRunner()
EXAMPLE = FIXTURES / "examples" / "node-app" / "buildspec.yml"
WARNING_ONLY = "version: 0.2\nphases:\n  prebuild:\n    commands:\n      - ls\n"


def _lint(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["lint", *args], env=env or {"GITHUB_ACTIONS": ""})


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"hubspec {__version__}"


def test_concise_lines_and_exit_code() -> None:
    result = _lint("--format", "concise", str(EXAMPLE))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{EXAMPLE}:17:9: HS101 node:20-alpine is pulled from Docker Hub")
    assert lines[-1] == "Found 1 problem (1 error) in 1 file. 1 fixable with `hubspec fix`."


def test_json_contract() -> None:
    result = _lint("--format", "json", str(EXAMPLE))
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["version"] == 1
    (finding,) = report["findings"]
    assert set(finding) >= {
        "path",
        "rule",
        "name",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "fixable",
    }
    assert (finding["rule"], finding["line"], finding["column"], finding["fixable"]) == (
        "HS101",
        17,
        9,
        True,
    )
    assert report["summary"]["errors"] == 1


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text(WARNING_ONLY)
    assert _lint(str(path)).exit_code == 0
    assert _lint("--fail-on", "warning", str(path)).exit_code == 1
    assert _lint("--fail-on", "warning", "--exit-zero", str(path)).exit_code == 0


def test_select_and_ignore() -> None:
    assert _lint("--ignore", "HS101", str(EXAMPLE)).exit_code == 0
    assert _lint("--select", "HS0", str(EXAMPLE)).exit_code == 0
    assert _lint("--select", "HS1", str(EXAMPLE)).exit_code == 1


def test_text_frames_on_color_always() -> None:
    result = _lint("--color", "always", str(EXAMPLE))
    assert "\x1b[" in result.output
    assert "      - docker build -t $IMAGE_REPO_NAME:latest ." in result.output
    assert "^" * 10 in result.output


def test_github_format_is_default_under_actions() -> None:
    result = _lint(str(EXAMPLE), env={"GITHUB_ACTIONS": "true"})
    assert result.output.startswith(
        f"::error file={EXAMPLE},line=17,col=9,endLine=17,endColumn=50,title=HS101::"
    )


def test_sarif_validates() -> None:
    schema_path = SHARED / "schemas" / "sarif-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("../shared/schemas is not beside the checkout")
    result = _lint("--format", "sarif", str(EXAMPLE))
    document = json.loads(result.output)
    jsonschema.Draft7Validator(json.loads(schema_path.read_text())).validate(document)
    run = document["runs"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"HS001", "HS101", "HS203"}
    (result_row,) = run["results"]
    assert result_row["locations"][0]["physicalLocation"]["region"]["startLine"] == 17
    assert len(result_row["partialFingerprints"]["hubspec/v1"]) == 32


def test_sarif_fingerprint_survives_line_shift(tmp_path: Path) -> None:
    original = EXAMPLE.read_text()
    (tmp_path / "Dockerfile").write_text("FROM node:20\n")
    path = tmp_path / "buildspec.yml"
    path.write_text(original)
    first = json.loads(_lint("--format", "sarif", str(path)).output)["runs"][0]["results"][0]
    path.write_text("# a new comment line\n" + original)
    second = json.loads(_lint("--format", "sarif", str(path)).output)["runs"][0]["results"][0]
    assert first["partialFingerprints"] == second["partialFingerprints"]
    assert first["locations"] != second["locations"]


def test_directory_discovery(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(WARNING_ONLY)
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "build.yaml").write_text(WARNING_ONLY)
    (tmp_path / "ci" / "other.yaml").write_text("name: not a buildspec\n")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "buildspec.yml").write_text(WARNING_ONLY)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "buildspec.yml").write_text(WARNING_ONLY)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "buildspec.yml").write_text(WARNING_ONLY)
    (tmp_path / ".gitignore").write_text("vendor/\n")
    result = _lint("--format", "json", str(tmp_path))
    paths = sorted(
        {
            Path(f["path"]).relative_to(tmp_path).as_posix()
            for f in json.loads(result.output)["findings"]
        }
    )
    assert paths == ["buildspec.yml", "ci/build.yaml"]


def test_no_path_means_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "buildspec.yml").write_text(WARNING_ONLY)
    monkeypatch.chdir(tmp_path)
    result = _lint("--format", "concise")
    assert result.output.startswith("buildspec.yml:3:3: HS003")
