"""The default source root, through the real command line (`python -m hubspec`, default options).

CodeBuild runs every phase from the top of the repository, whatever folder the buildspec is in.
Each test lays out a repository in a temporary folder: `ci/buildspec.yml` runs
`docker build -t app .`, the top's Dockerfile pulls node:20 from Docker Hub and a decoy
`ci/Dockerfile` pulls python:3.12, so the image in the report says which folder was the root.
The `.git` folders and files are made here; no `git` program is needed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from repos import hubspec

BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .
"""
TOP_IMAGE = "node:20"
CI_IMAGE = "python:3.12"


def pulled(result: subprocess.CompletedProcess[str]) -> set[str]:
    """The images of the HS101 findings in a JSON report (asserting it parsed)."""
    report = json.loads(result.stdout)
    return {
        finding["message"].split(" ", 1)[0]
        for finding in report["findings"]
        if finding["rule"] == "HS101"
    }


def make_project(top: Path, git: str | None = "folder", *, decoy: bool = True) -> Path:
    """A repository at `top`: buildspec in ci/, Dockerfile at the top; `git` = folder, file
    (a worktree or submodule) or None (no work tree)."""
    (top / "ci").mkdir(parents=True)
    (top / "ci" / "buildspec.yml").write_text(BUILDSPEC, encoding="utf-8")
    (top / "Dockerfile").write_text(f"FROM {TOP_IMAGE}\n", encoding="utf-8")
    if decoy:
        (top / "ci" / "Dockerfile").write_text(f"FROM {CI_IMAGE}\n", encoding="utf-8")
    if git == "folder":
        (top / ".git").mkdir()
    elif git == "file":
        (top / ".git").write_text("gitdir: /elsewhere/.git/worktrees/app\n", encoding="utf-8")
    return top


@pytest.mark.parametrize("git", ["folder", "file"])
def test_from_the_top_of_the_repository(tmp_path: Path, git: str) -> None:
    top = make_project(tmp_path / "app", git)
    result = hubspec("lint", "-f", "json", "ci/buildspec.yml", cwd=top)
    assert result.returncode == 1, result.stderr
    assert pulled(result) == {TOP_IMAGE}


@pytest.mark.parametrize("git", ["folder", "file"])
def test_from_inside_a_subfolder(tmp_path: Path, git: str) -> None:
    top = make_project(tmp_path / "app", git)
    result = hubspec("lint", "-f", "json", "buildspec.yml", cwd=top / "ci")
    assert result.returncode == 1, result.stderr
    assert pulled(result) == {TOP_IMAGE}
    assert json.loads(result.stdout)["findings"][0]["path"] == "buildspec.yml"


def test_from_outside_the_repository(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = hubspec("lint", "-f", "json", str(top / "ci" / "buildspec.yml"), cwd=elsewhere)
    assert pulled(result) == {TOP_IMAGE}


def test_discovery_from_the_top(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app")
    result = hubspec("lint", "--format", "concise", cwd=top)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"ci/buildspec.yml:5:9: HS101 {TOP_IMAGE} is pulled")


def test_the_nearest_work_tree_is_the_root(tmp_path: Path) -> None:
    """A submodule (a `.git` file) inside a repository is a repository of its own."""
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / ".git").mkdir()
    (outer / "Dockerfile").write_text("FROM ubuntu:24.04\n", encoding="utf-8")
    make_project(outer / "modules" / "app", "file")
    result = hubspec("lint", "-f", "json", "modules/app/ci/buildspec.yml", cwd=outer)
    assert pulled(result) == {TOP_IMAGE}


def test_without_git_the_current_directory_holding_the_buildspec(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app", None)
    result = hubspec("lint", "-f", "json", "ci/buildspec.yml", cwd=top)
    assert pulled(result) == {TOP_IMAGE}


def test_without_git_inside_the_folder_that_is_the_root(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app", None)
    result = hubspec("lint", "-f", "json", "buildspec.yml", cwd=top / "ci")
    assert pulled(result) == {CI_IMAGE}


def test_without_git_and_outside_the_current_directory_the_buildspec_folder(
    tmp_path: Path,
) -> None:
    top = make_project(tmp_path / "app", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = hubspec("lint", "-f", "json", str(top / "ci" / "buildspec.yml"), cwd=elsewhere)
    assert pulled(result) == {CI_IMAGE}


def test_the_option_wins(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app")
    result = hubspec("lint", "-f", "json", "--source-root", "ci", "ci/buildspec.yml", cwd=top)
    assert pulled(result) == {CI_IMAGE}


def test_the_config_wins(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app")
    (top / ".hubspec.toml").write_text('source-root = "ci"\n', encoding="utf-8")
    result = hubspec("lint", "-f", "json", "ci/buildspec.yml", cwd=top)
    assert pulled(result) == {CI_IMAGE}


def test_messages_name_files_relative_to_the_source_root(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app", decoy=False)
    buildspec = top / "ci" / "buildspec.yml"
    buildspec.write_text(BUILDSPEC.replace("build -t app .", "build -f docker/Dockerfile ."))
    result = hubspec("lint", "--format", "concise", "buildspec.yml", cwd=top / "ci")
    assert result.returncode == 0, result.stderr
    assert "HS103" in result.stdout
    assert "the Dockerfile docker/Dockerfile was not found" in result.stdout


@pytest.mark.parametrize(
    ("where", "name"),
    [(".", "ci/buildspec.yml"), ("ci", "buildspec.yml")],
    ids=["top", "subfolder"],
)
def test_stdin_with_a_file_name(tmp_path: Path, where: str, name: str) -> None:
    top = make_project(tmp_path / "app")
    result = hubspec(
        "lint", "-f", "json", "--stdin-filename", name, "-", cwd=top / where, stdin=BUILDSPEC
    )
    assert pulled(result) == {TOP_IMAGE}
    assert json.loads(result.stdout)["findings"][0]["path"] == name


def test_stdin_without_a_name_is_a_buildspec_in_the_current_directory(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app")
    result = hubspec("lint", "-f", "json", "-", cwd=top / "ci", stdin=BUILDSPEC)
    assert pulled(result) == {TOP_IMAGE}


def test_fix_finds_the_pull_from_the_top(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app", decoy=False)
    result = hubspec("fix", "ci/buildspec.yml", cwd=top)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed ci/buildspec.yml" in result.stdout
    fixed = (top / "ci" / "buildspec.yml").read_text(encoding="utf-8")
    assert "docker login --username" in fixed
    assert hubspec("lint", "ci/buildspec.yml", cwd=top).returncode == 0


def test_fix_diff_from_a_subfolder(tmp_path: Path) -> None:
    top = make_project(tmp_path / "app", "file", decoy=False)
    result = hubspec("fix", "--diff", "buildspec.yml", cwd=top / "ci")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("--- a/buildspec.yml\n+++ b/buildspec.yml\n")
    assert '+      - echo "$DOCKER_TOKEN" | docker login' in result.stdout
    assert (top / "ci" / "buildspec.yml").read_text(encoding="utf-8") == BUILDSPEC
