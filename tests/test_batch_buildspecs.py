"""Batch builds: the buildspecs a batch names are linted too, through the real command line.

A named buildspec that is not in the source (ci/gone.yml) is noted (HS005, info): hubspec does
not lint it, and the batch's build that runs it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from repos import hubspec, lint

PULL = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull {image}\n"


def repository(tmp_path: Path, batch: str) -> Path:
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "ci").mkdir()
    (top / "buildspec.yml").write_text(
        f"version: 0.2\nbatch:\n{batch}phases:\n  build:\n    commands:\n      - echo batch\n"
    )
    (top / "ci" / "unit.yml").write_text(PULL.format(image="node:20"))
    (top / "ci" / "e2e.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - bash ci/e2e.sh\n"
    )
    (top / "ci" / "e2e.sh").write_text("docker pull redis:7\n")
    return top


BATCHES = {
    "build-list": (
        "  build-list:\n    - identifier: unit\n      buildspec: ci/unit.yml\n"
        "    - identifier: e2e\n      buildspec: ci/e2e.yml\n"
        "    - identifier: again\n      buildspec: ./ci/unit.yml\n"
        "    - identifier: gone\n      buildspec: ci/gone.yml\n"
    ),
    "build-graph": (
        "  build-graph:\n    - identifier: unit\n      buildspec: ci/unit.yml\n"
        "    - identifier: e2e\n      buildspec: ci/e2e.yml\n      depend-on: [unit]\n"
        "    - identifier: again\n      buildspec: ./ci/unit.yml\n"
        "    - identifier: gone\n      buildspec: ci/gone.yml\n"
    ),
    "build-matrix": (
        "  build-matrix:\n    dynamic:\n      buildspec:\n        - ci/unit.yml\n"
        "        - ci/e2e.yml\n        - ./ci/unit.yml\n        - ci/gone.yml\n"
    ),
}


GONE_AT = {"build-list": "11:18", "build-graph": "12:18", "build-matrix": "9:11"}
"""Where each batch names ci/gone.yml."""


@pytest.mark.parametrize("kind", sorted(BATCHES))
def test_batch_buildspecs_are_linted_with_their_own_path(kind: str, tmp_path: Path) -> None:
    top = repository(tmp_path, BATCHES[kind])
    lines = lint(top, "buildspec.yml")
    assert lines == [
        f"buildspec.yml:{GONE_AT[kind]}: HS005 the batch's buildspec file ci/gone.yml was not"
        " found; it is not linted",
        "ci/unit.yml:5:9: HS101 node:20 is pulled from Docker Hub without a Docker Hub login:"
        " `docker pull node:20`",
        "ci/e2e.yml:5:9: HS101 redis:7 is pulled from Docker Hub without a Docker Hub login:"
        " `docker pull redis:7` in ci/e2e.sh, line 1",
    ]


def test_a_batch_buildspec_named_on_the_command_line_is_linted_once(tmp_path: Path) -> None:
    top = repository(tmp_path, BATCHES["build-list"])
    lines = lint(top, "buildspec.yml", "ci/unit.yml")
    assert len([line for line in lines if line.startswith("ci/unit.yml:")]) == 1, lines


LOGIN = '      - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin\n'


@pytest.mark.parametrize("kind", sorted(BATCHES))
def test_fix_fixes_the_batch_buildspecs_lint_reports(kind: str, tmp_path: Path) -> None:
    """What `lint buildspec.yml` reports as fixable in the buildspecs its batch runs, `fix
    buildspec.yml` fixes: each once, however many times the batch names it."""
    top = repository(tmp_path, BATCHES[kind])
    top_text = (top / "buildspec.yml").read_text()
    diff = hubspec("fix", "--diff", "buildspec.yml", cwd=top)
    assert diff.returncode == 1, diff.stderr  # it would change files
    assert diff.stdout.count("+++ b/ci/unit.yml") == 1 and "+++ b/ci/e2e.yml" in diff.stdout
    done = hubspec("fix", "buildspec.yml", cwd=top)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (top / "buildspec.yml").read_text() == top_text
    for name, command in (("unit", "docker pull node:20"), ("e2e", "bash ci/e2e.sh")):
        text = (top / "ci" / f"{name}.yml").read_text()
        assert "    DOCKER_TOKEN: dockerhub-token\n" in text
        assert text.index(LOGIN) < text.index(command)
    assert (top / "ci" / "e2e.sh").read_text() == "docker pull redis:7\n"  # scripts are not edited
    assert [line.split(": ")[1].split()[0] for line in lint(top, "buildspec.yml")] == ["HS005"]


def test_a_batch_buildspec_named_on_the_command_line_is_fixed_once(tmp_path: Path) -> None:
    top = repository(tmp_path, BATCHES["build-list"])
    diff = hubspec("fix", "--diff", "buildspec.yml", "ci/unit.yml", cwd=top)
    assert diff.stdout.count("+++ b/ci/unit.yml") == 1, diff.stdout


def test_many_batches_in_workers_equal_the_serial_run(tmp_path: Path) -> None:
    """A second round of batch buildspecs after a first round in worker processes.

    The first round runs in this process and a forked child; once this process has parsed a
    Dockerfile (the Go runtime's threads run in it), the second round cannot fork it and
    takes the other pool: its results must be the serial run's, in the same order.
    """
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    for number in range(20):
        folder = top / f"app{number:02}"
        (folder / "ci").mkdir(parents=True)
        (folder / "Dockerfile").write_text(f"FROM node:{number}\n")
        (folder / "buildspec.yml").write_text(
            "version: 0.2\nbatch:\n  build-list:\n    - identifier: unit\n"
            f"      buildspec: app{number:02}/ci/unit.yml\n"
            "phases:\n  build:\n    commands:\n"
            f"      - docker build -t app app{number:02}\n"
        )
        (folder / "ci" / "unit.yml").write_text(PULL.format(image=f"redis:{number}"))
    names = [f"app{number:02}/buildspec.yml" for number in range(20)]
    serial = lint(top, "--jobs", "1", *names)
    assert len(serial) == 40, serial
    assert lint(top, "--jobs", "2", *names) == serial
    assert "app07/ci/unit.yml:5:9: HS101 redis:7 is pulled from Docker Hub" in "\n".join(serial)


def test_a_batch_buildspec_hubspec_does_not_read_is_noted_with_why(tmp_path: Path) -> None:
    """A path outside the source root is never read, a variable is not known statically, a
    folder is no buildspec: each is HS005 (info) at its `buildspec:` value, which `--ignore`
    hides like any rule; the exit code stays that of the errors."""
    batch = "".join(
        f"    - identifier: task{index}\n      buildspec: {path}\n"
        for index, path in enumerate(("../other/buildspec.yml", "$SPEC", "ci", "ci/unit.yml"))
    )
    top = repository(tmp_path, f"  build-list:\n{batch}")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "buildspec.yml").write_text(PULL.format(image="outside:1"))
    lines = lint(top, "buildspec.yml")
    assert lines[:3] == [
        "buildspec.yml:5:18: HS005 the batch's buildspec file ../other/buildspec.yml is outside"
        " the source root, which hubspec does not read; it is not linted",
        "buildspec.yml:7:18: HS005 the batch's buildspec path $SPEC is not known statically;"
        " it is not linted",
        "buildspec.yml:9:18: HS005 the batch's buildspec file ci is a directory; it is not linted",
    ]
    assert [line.split(":")[0] for line in lines[3:]] == ["ci/unit.yml"]
    assert lint(top, "buildspec.yml", "--ignore", "HS005") == lines[3:]
    only_notes = hubspec("lint", "--ignore", "HS101", "buildspec.yml", cwd=top)
    assert only_notes.returncode == 0, only_notes.stdout
