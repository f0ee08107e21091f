"""What the build's environment decides for a docker command, through the real command line:
`--build-arg NAME` without a value takes NAME from it (compose's `${NAME}` and `COMPOSE_FILE`
are in test_docker_compose.py)."""

from __future__ import annotations

from pathlib import Path

from repos import lint, repository, write

_BUILDSPEC = """\
version: 0.2
env:
  variables:
    BASE: 123456789012.dkr.ecr.us-east-1.amazonaws.com/base:1
  parameter-store:
    SECRET_BASE: /ci/base-image
phases:
  build:
    commands:
      - docker build --build-arg BASE -t a .
      - BASE=python:3.12 docker build --build-arg BASE -t b .
      - docker build --build-arg SECRET_BASE -f Dockerfile.secret -t c .
      - docker build --build-arg OTHER -f Dockerfile.other -t d .
"""


def test_a_build_arg_without_a_value_takes_it_from_the_environment(tmp_path: Path) -> None:
    top = repository(
        tmp_path,
        files={
            "Dockerfile": "ARG BASE=node:20\nFROM $BASE\n",
            "Dockerfile.secret": "ARG SECRET_BASE=node:20\nFROM $SECRET_BASE\n",
            "Dockerfile.other": "ARG OTHER=node:20\nFROM $OTHER\n",
        },
    )
    write(top, "buildspec.yml", _BUILDSPEC)
    lines = lint(top, "buildspec.yml")
    # line 10: BASE is the ECR image the env block gives it: no Docker Hub pull
    assert [line.split(" ")[0:2] for line in lines] == [
        ["buildspec.yml:11:9:", "HS101"],  # the command's own BASE=python:3.12
        ["buildspec.yml:12:9:", "HS103"],  # a value from Parameter Store: not known
        ["buildspec.yml:13:9:", "HS103"],  # a name the buildspec never sets: the project may
    ], lines
    assert "python:3.12 is pulled" in lines[0]
    assert "takes its value from the environment" in lines[2]
