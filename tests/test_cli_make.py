"""Makefiles and package.json scripts through the real command line, and bad input for them.

Each case runs `python -m hubspec lint` in a repository made in tmp_path (with a `.git`
folder), under a memory limit and a timeout: recursion, a Makefile including itself, a
binary, huge or FIFO Makefile, a symlink out of the repository must give a finding or
nothing, never a hang, a traceback or a read outside the source.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from repos import lint, repository

HUB = "is pulled from Docker Hub without a Docker Hub login"


def test_make_from_the_top_and_from_a_subfolder(tmp_path: Path) -> None:
    makefile = "REGISTRY ?= docker.io\n\n.PHONY: ci\nci: login image\n\nimage:\n\tdocker build -t app build\n"
    login = 'login:\n\t@echo "$$TOKEN" | docker login -u me --password-stdin\n'
    top = repository(
        tmp_path,
        "make ci",
        files={"Makefile": makefile + login, "build/Dockerfile": "FROM node:20\n"},
    )
    assert lint(top, "buildspec.yml", "--ignore", "HS203") == []
    (top / "Makefile").write_text(makefile + "login:\n\t@echo no login\n")
    expected = f"HS101 node:20 {HUB}: FROM node:20 in build/Dockerfile, line 1, built by `docker build -t app build`"
    assert lint(top, "buildspec.yml") == [f"buildspec.yml:5:9: {expected}"]
    assert lint(top / "build", "../buildspec.yml") == [f"../buildspec.yml:5:9: {expected}"]


def test_npm_script_through_the_command_line(tmp_path: Path) -> None:
    package = '{"scripts": {"pretest": "docker pull postgres:16", "test": "jest"}}'
    top = repository(tmp_path, "cd web", "npm test", files={"web/package.json": package})
    assert lint(top, "buildspec.yml") == [
        f"buildspec.yml:6:9: HS101 postgres:16 {HUB}: `docker pull postgres:16`"
        " in web/package.json script pretest, line 1"
    ]


def test_npm_workspaces_through_the_command_line(tmp_path: Path) -> None:
    """Each workspace's script runs in its own folder (its `docker build .` builds its own
    Dockerfile); the buildspec may sit in a subfolder and be linted from anywhere."""
    files: dict[str, str | bytes] = {
        "package.json": '{"workspaces": ["packages/*"]}',
        "packages/web/package.json": '{"name": "web", "scripts": {"build": "docker build -t web ."}}',
        "packages/web/Dockerfile": "FROM node:20\n",
        "packages/api/package.json": '{"name": "api", "scripts": {"build": "echo no docker"}}',
        "packages/api/Dockerfile": "FROM python:3.12\n",
    }
    top = repository(tmp_path, "npm ci", "npm run build --workspaces --if-present", files=files)
    (top / "ci").mkdir()
    (top / "buildspec.yml").rename(top / "ci" / "buildspec.yml")
    expected = (
        f"HS101 node:20 {HUB}: FROM node:20 in packages/web/Dockerfile, line 1,"
        " built by `docker build -t web .`"
    )
    assert lint(top, "ci/buildspec.yml") == [f"ci/buildspec.yml:6:9: {expected}"]
    assert lint(top / "packages", "../ci/buildspec.yml") == [f"../ci/buildspec.yml:6:9: {expected}"]


def test_pnpm_recursive_run_through_the_command_line(tmp_path: Path) -> None:
    """`pnpm -r build`: each package's script in its own folder, dependencies first, so the
    login a shared package's script does comes before the pull of the package using it."""
    files: dict[str, str | bytes] = {
        "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
        "package.json": '{"name": "root", "private": true}',
        "packages/login/package.json": (
            '{"name": "login", "scripts": {"build":'
            ' "echo $DOCKER_TOKEN | docker login -u me --password-stdin"}}'
        ),
        "packages/app/package.json": (
            '{"name": "app", "dependencies": {"login": "workspace:*"},'
            ' "scripts": {"build": "docker build -t app ."}}'
        ),
        "packages/app/Dockerfile": "FROM node:20\n",
    }
    top = repository(tmp_path, "pnpm -r build", files=files)
    assert lint(top, "buildspec.yml", "--ignore", "HS203") == []
    top.joinpath("packages/app/package.json").write_text(
        '{"name": "app", "scripts": {"build": "docker build -t app ."}}'
    )  # no dependency: app, first in the workspace's order, builds before the login
    assert lint(top, "buildspec.yml", "--ignore", "HS203") == [
        f"buildspec.yml:5:9: HS101 node:20 {HUB}: FROM node:20 in packages/app/Dockerfile,"
        " line 1, built by `docker build -t app .`"
    ]


def test_a_monorepo_of_a_hundred_workspaces_is_followed_whole(tmp_path: Path) -> None:
    """package.json files have a budget of their own (1,000), not the 64 files a buildspec
    may follow: the pull in the last of 100 workspace packages is found, nothing is HS103."""
    files: dict[str, str | bytes] = {"package.json": '{"workspaces": ["packages/*"]}'}
    for number in range(100):
        command = "docker pull redis:7" if number == 99 else f"echo {number}"
        files[f"packages/p{number:03}/package.json"] = (
            f'{{"name": "p{number:03}", "scripts": {{"build": "{command}"}}}}'
        )
    top = repository(tmp_path, "npm run build --workspaces", files=files)
    assert lint(top, "buildspec.yml") == [
        f"buildspec.yml:5:9: HS101 redis:7 {HUB}: `docker pull redis:7`"
        " in packages/p099/package.json script build, line 1"
    ]


def test_a_workspace_linked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "package.json").write_text('{"name": "x", "scripts": {"b": "docker pull redis"}}')
    top = repository(
        tmp_path, "npm run b -ws", files={"package.json": '{"workspaces": ["libs/*"]}'}
    )
    (top / "libs").mkdir()
    (top / "libs" / "x").symlink_to(outside)
    found = lint(top, "buildspec.yml")
    assert found == [
        "buildspec.yml:5:9: HS103 cannot tell whether this pulls from Docker Hub:"
        " libs/x/package.json is a symlink out of the source root, which hubspec does not"
        " read, so a docker pull may be missed"
    ]


def test_recursive_make_is_followed_into_the_directory(tmp_path: Path) -> None:
    top = repository(
        tmp_path,
        "make",
        files={
            "Makefile": "all:\n\t$(MAKE) -C services/api image\n",
            "services/api/Makefile": "image:\n\tdocker pull $(BASE)\nBASE = golang:1.22\n",
        },
    )
    assert lint(top, "buildspec.yml") == [
        f"buildspec.yml:5:9: HS101 golang:1.22 {HUB}: `docker pull golang:1.22`"
        " in services/api/Makefile, line 2"
    ]


def test_a_make_that_runs_itself_is_reported_not_followed_forever(tmp_path: Path) -> None:
    files = {"Makefile": "a: b\n\tdocker pull alpine\nb: a\n\t$(MAKE) a\n"}
    top = repository(tmp_path, "make a", files=files)
    found = lint(top, "buildspec.yml")
    assert any("HS103" in line and "runs itself again" in line for line in found), found
    assert any("HS101 alpine" in line for line in found), found


@pytest.mark.parametrize(
    ("makefile", "reason"),
    [
        (b"all:\n\tdocker pull alpine\n\x00\x01\xff" * 10, "is a binary file"),
        ("include Makefile\nall:\n\tdocker pull alpine\n", "includes itself"),
        ("all:\n\tdocker pull alpine\n" + "# filler\n" * 300_000, "is too large"),
    ],
    ids=["binary", "self-include", "huge"],
)
def test_bad_makefiles_give_hs103(tmp_path: Path, makefile: str | bytes, reason: str) -> None:
    top = repository(tmp_path, "make", files={"Makefile": makefile})
    found = lint(top, "buildspec.yml")
    assert any("HS103" in line and reason in line for line in found), found


def test_a_fifo_makefile_does_not_hang(tmp_path: Path) -> None:
    top = repository(tmp_path, "make -f pipe.mk", files={})
    os.mkfifo(top / "pipe.mk")
    found = lint(top, "buildspec.yml")
    assert any("HS103" in line and "pipe.mk" in line for line in found), found


def test_a_makefile_symlinked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.mk"
    outside.write_text("all:\n\tdocker pull alpine\n")
    top = repository(tmp_path, "make -f link.mk", files={})
    (top / "link.mk").symlink_to(outside)
    found = lint(top, "buildspec.yml")
    assert not any("alpine" in line for line in found), found
    assert any("HS103" in line and "link.mk" in line for line in found), found
