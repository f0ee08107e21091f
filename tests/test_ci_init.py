"""`hubspec init [--ecr-repo NAME] [--dockerfile PATH] [PATH]`: a new buildspec that builds an image
and pushes it to ECR, with the ECR login, the Docker Hub login and the parameter-store block; it
refuses to overwrite without `--force`, and what it writes lints clean."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from hubspec.cli.app import app

runner = CliRunner()
ENV: dict[str, str | None] = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "CI": None}


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env=ENV)


def load(path: Path) -> Any:
    return YAML(typ="safe").load(io.StringIO(path.read_text(encoding="utf-8")))


def lint_all(path: Path) -> tuple[int, list[dict[str, Any]]]:
    """Every finding at every severity, with --fail-on info."""
    result = invoke("lint", "--isolated", "--fail-on", "info", "--format", "json", str(path))
    return result.exit_code, json.loads(result.stdout)["findings"]


def commands(document: Any, phase: str) -> list[str]:
    return list(document["phases"][phase]["commands"])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM node:20-alpine\nCOPY . .\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_buildspec_yml_that_lints_clean(project: Path) -> None:
    result = invoke("init")
    assert result.exit_code == 0, result.output
    path = project / "buildspec.yml"
    assert "buildspec.yml" in result.stdout
    assert lint_all(path) == (0, [])
    document = load(path)
    assert document["version"] == 0.2
    assert document["env"]["parameter-store"] == {
        "DOCKER_USER": "dockerhub-user",
        "DOCKER_TOKEN": "dockerhub-token",
    }
    assert document["env"]["variables"]["IMAGE_REPO_NAME"] == "app"
    pre_build = commands(document, "pre_build")
    assert pre_build[0] == (
        'echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin'
    )
    ecr_login = next(command for command in pre_build if "aws ecr get-login-password" in command)
    assert "docker login --username AWS --password-stdin" in ecr_login
    assert ".dkr.ecr." in ecr_login
    build = " ".join(commands(document, "build") + commands(document, "post_build"))
    assert "docker build" in build
    assert "docker push" in build


def test_the_hub_login_comes_before_every_pull(project: Path) -> None:
    invoke("init")
    document = load(project / "buildspec.yml")
    ordered = [
        command
        for phase in ("install", "pre_build", "build", "post_build")
        if phase in document["phases"]
        for command in commands(document, phase)
    ]
    hub_login = ordered.index(
        'echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin'
    )
    first_build = next(i for i, command in enumerate(ordered) if "docker build" in command)
    assert hub_login < first_build


def test_fix_has_nothing_to_do_on_init_output(project: Path) -> None:
    invoke("init")
    before = (project / "buildspec.yml").read_bytes()
    result = invoke("fix", "--isolated", "buildspec.yml")
    assert result.exit_code == 0
    assert "Nothing to fix." in result.stdout
    assert (project / "buildspec.yml").read_bytes() == before


def test_init_with_path_ecr_repo_and_dockerfile(project: Path) -> None:
    (project / "docker").mkdir()
    (project / "docker" / "app.Dockerfile").write_text("FROM python:3.12-slim\n")
    (project / "ci").mkdir()
    result = invoke(
        "init",
        "--ecr-repo",
        "team/web-app",
        "--dockerfile",
        "docker/app.Dockerfile",
        "ci/build.yml",
    )
    assert result.exit_code == 0, result.output
    path = project / "ci" / "build.yml"
    document = load(path)
    assert document["env"]["variables"]["IMAGE_REPO_NAME"] == "team/web-app"
    (build,) = [c for c in commands(document, "build") if c.startswith("docker build")]
    words = shlex.split(build)
    assert words[words.index("-f") + 1] == "docker/app.Dockerfile"
    # linted from the source root (where CodeBuild runs), the Dockerfile is found: no HS103
    result = invoke(
        "lint", "--isolated", "--fail-on", "info", "-f", "json", "--source-root", ".", str(path)
    )
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []


def test_init_with_secrets_manager(project: Path) -> None:
    result = invoke("init", "--store", "secrets-manager", "--secret", "ci/dockerhub")
    assert result.exit_code == 0, result.output
    document = load(project / "buildspec.yml")
    assert document["env"]["secrets-manager"] == {
        "DOCKER_USER": "ci/dockerhub:username",
        "DOCKER_TOKEN": "ci/dockerhub:token",
    }
    assert "parameter-store" not in document["env"]
    assert lint_all(project / "buildspec.yml") == (0, [])
    assert invoke("init", "--force", "--store", "secrets-manager").exit_code == 2


def test_init_refuses_to_overwrite_without_force(project: Path) -> None:
    path = project / "buildspec.yml"
    path.write_text("version: 0.2\n# mine\n")
    result = invoke("init")
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert path.read_text() == "version: 0.2\n# mine\n"
    result = invoke("init", "--force", "--ecr-repo", "other")
    assert result.exit_code == 0
    assert load(path)["env"]["variables"]["IMAGE_REPO_NAME"] == "other"
    assert lint_all(path) == (0, [])


@pytest.mark.parametrize("name", ["Upper", "has space", "-dash", "a//b", ""])
def test_init_refuses_a_bad_ecr_repository(project: Path, name: str) -> None:
    result = invoke("init", "--ecr-repo", name)
    assert result.exit_code == 2
    assert not (project / "buildspec.yml").exists()
    assert "Traceback" not in result.output


def test_init_dockerfile_path_with_a_space_stays_one_word(project: Path) -> None:
    """A Dockerfile path with a space is quoted in `docker build` (or refused): never split."""
    folder = project / "docker files"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.12\n")
    result = invoke("init", "--dockerfile", "docker files/Dockerfile")
    if result.exit_code == 2:
        assert not (project / "buildspec.yml").exists()
        return
    assert result.exit_code == 0, result.output
    document = load(project / "buildspec.yml")
    (build,) = [c for c in commands(document, "build") if c.startswith("docker build")]
    words = shlex.split(build)
    assert words[words.index("-f") + 1] == "docker files/Dockerfile", build
    assert words[-1] == "docker files", build
    assert lint_all(project / "buildspec.yml") == (0, [])


def test_init_into_a_missing_folder_is_a_usage_error(project: Path) -> None:
    result = invoke("init", "no/such/dir/buildspec.yml")
    assert result.exit_code == 2
    assert "no/such/dir/buildspec.yml" in result.stderr
    assert "Traceback" not in result.output
