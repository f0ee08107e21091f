"""One wrapper table: the shell analysis and the docker model see through the same wrappers."""

from __future__ import annotations

import shlex

import pytest

from hubspec.docker.cli import ImageUse, docker_events
from hubspec.shell.state import nested_body
from hubspec.shell.walk import ShellState, analyse
from hubspec.shell.wrappers import WRAPPERS, unwrap

# A typical use of every wrapper in the table, options included.
PREFIXES = {
    "sudo": "sudo -E -u ci",
    "env": "env -i PATH=/bin",
    "time": "time -p",
    "command": "command -p",
    "builtin": "builtin",
    "exec": "exec -a name",
    "nice": "nice -n 10",
    "nohup": "nohup",
    "setsid": "setsid -w",
    "timeout": "timeout -s KILL 5m",
    "stdbuf": "stdbuf -oL",
}


def test_every_wrapper_has_an_example() -> None:
    assert set(PREFIXES) == set(WRAPPERS)


@pytest.mark.parametrize("name", sorted(PREFIXES))
def test_docker_behind_the_wrapper_is_found(name: str) -> None:
    argv: list[str | None] = [*shlex.split(PREFIXES[name]), "docker", "pull", "node:20"]
    events = docker_events(argv)
    assert events == [ImageUse("node:20", len(argv) - 1, "docker pull")]


@pytest.mark.parametrize("name", sorted(set(PREFIXES) - {"builtin"}))  # bash is no builtin
def test_a_shell_behind_the_wrapper_runs_its_script(name: str) -> None:
    script = f"{PREFIXES[name]} bash -c 'docker pull node:20'"
    commands = analyse(script, ShellState()).commands
    assert [[w.value for w in c.words] for c in commands[1:]] == [["docker", "pull", "node:20"]]
    assert nested_body(commands[0].words) is not None


@pytest.mark.parametrize(
    ("argv", "word", "user"),
    [
        (["sudo", "docker"], 1, "root"),
        (["sudo", "-u", "ci", "docker"], 3, "ci"),
        (["sudo", "--user", None, "docker"], 3, "<unknown>"),
        (["timeout", None, "docker"], 2, None),
        (["env", "A=1", "nice", "docker"], 3, None),
        (["A=1", "docker"], 1, None),
    ],
)
def test_unwrap_finds_the_command_and_its_user(
    argv: list[str | None], word: int, user: str | None
) -> None:
    found = unwrap(argv)
    assert found is not None
    assert (found.word, found.user) == (word, user)


@pytest.mark.parametrize(
    "argv",
    [["sudo"], ["timeout", "60"], ["env", None, "docker"], ["command", "-v", "docker"], ["A=1"]],
)
def test_unwrap_without_a_known_command(argv: list[str | None]) -> None:
    assert unwrap(argv) is None
