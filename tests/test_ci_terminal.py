"""Terminals: a progress bar on stderr when linting many files on a terminal (never in the
machine-readable output), code frames on a terminal, and colour as `--color` and `NO_COLOR` say.

The CLI runs in a subprocess whose stdout and stderr are each a pseudo-terminal or a pipe.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs pseudo-terminals")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
PULL = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
FILES = 30


def run(
    args: list[str], cwd: Path, *, stdout_tty: bool, stderr_tty: bool, **env_extra: str
) -> tuple[int, str, str]:
    """Run `python -m hubspec ARGS`; return exit code, stdout and stderr (decoded)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "TERM", "COLUMNS"}
    }
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", **env_extra)
    streams: dict[str, tuple[int, int] | None] = {
        "stdout": pty.openpty() if stdout_tty else None,
        "stderr": pty.openpty() if stderr_tty else None,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "hubspec", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=streams["stdout"][1] if streams["stdout"] else subprocess.PIPE,
        stderr=streams["stderr"][1] if streams["stderr"] else subprocess.PIPE,
    )
    readers: dict[int, str] = {}
    for name, pair in streams.items():
        if pair is not None:
            os.close(pair[1])
            readers[pair[0]] = name
        else:
            pipe = getattr(process, name)
            readers[pipe.fileno()] = name
    chunks: dict[str, bytes] = {"stdout": b"", "stderr": b""}
    while readers:
        ready, _, _ = select.select(list(readers), [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError("hubspec produced no output for 120 s")
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other side is closed
                data = b""
            if data:
                chunks[readers[fd]] += data
            else:
                del readers[fd]
    code = process.wait(timeout=120)
    for pair in streams.values():
        if pair is not None:
            os.close(pair[0])
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    return code, chunks["stdout"].decode("utf-8"), chunks["stderr"].decode("utf-8")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    for number in range(FILES):
        folder = root / "services" / f"svc{number:02d}"
        folder.mkdir(parents=True)
        (folder / "buildspec.yml").write_text(PULL, encoding="utf-8")
    return root


def test_progress_bar_on_a_terminal_and_json_stays_clean(many: Path) -> None:
    code, out, err = run(
        ["lint", "--isolated", "--format", "json", "services"],
        many,
        stdout_tty=False,
        stderr_tty=True,
    )
    assert code == 1
    document = json.loads(out)
    assert document["summary"]["files"] == FILES
    assert "\x1b" not in out
    assert "linting" in err
    assert f"{FILES}/{FILES}" in err


@pytest.mark.parametrize("output_format", ["sarif", "junit", "github", "concise"])
def test_machine_readable_stdout_on_a_terminal_has_no_progress(
    many: Path, output_format: str
) -> None:
    code, out, err = run(
        ["lint", "--isolated", "--format", output_format, "services"],
        many,
        stdout_tty=True,
        stderr_tty=True,
    )
    assert code == 1
    assert "linting" not in out
    assert not ANSI.search(out), output_format
    if output_format == "sarif":
        assert len(json.loads(out)["runs"][0]["results"]) == FILES
    assert "linting" in err


def test_no_progress_bar_for_a_few_files(many: Path) -> None:
    code, _, err = run(
        ["lint", "--isolated", "--format", "json", "services/svc00", "services/svc01"],
        many,
        stdout_tty=False,
        stderr_tty=True,
    )
    assert code == 1
    assert "linting" not in err


def test_no_progress_bar_off_a_terminal(many: Path) -> None:
    code, _, err = run(["lint", "--isolated", "services"], many, stdout_tty=False, stderr_tty=False)
    assert code == 1
    assert err == ""


def test_no_progress_bar_in_ci(many: Path) -> None:
    code, _, err = run(
        ["lint", "--isolated", "--format", "json", "services"],
        many,
        stdout_tty=False,
        stderr_tty=True,
        CI="true",
    )
    assert code == 1
    assert "linting" not in err


def test_frames_with_colour_on_a_terminal(many: Path) -> None:
    code, out, _ = run(
        ["lint", "--isolated", "services/svc00"], many, stdout_tty=True, stderr_tty=True
    )
    assert code == 1
    assert COLOUR.search(out)
    plain = ANSI.sub("", out)
    assert " 5 |       - docker pull node:20" in plain
    assert "^^^" in plain


def test_no_color_gives_frames_without_escapes(many: Path) -> None:
    code, out, _ = run(
        ["lint", "--isolated", "services"], many, stdout_tty=True, stderr_tty=True, NO_COLOR="1"
    )
    assert code == 1
    assert not ANSI.search(out)
    assert " 5 |       - docker pull node:20" in out, "still code frames, only without colour"


def test_color_never_on_a_terminal(many: Path) -> None:
    code, out, _ = run(
        ["lint", "--isolated", "--color", "never", "services/svc00"],
        many,
        stdout_tty=True,
        stderr_tty=True,
    )
    assert code == 1
    assert not ANSI.search(out)


def test_color_always_off_a_terminal(many: Path) -> None:
    code, out, err = run(
        ["lint", "--isolated", "--color", "always", "services/svc00"],
        many,
        stdout_tty=False,
        stderr_tty=False,
    )
    assert code == 1
    assert COLOUR.search(out)
    assert err == ""


def test_color_auto_off_a_terminal_is_plain(many: Path) -> None:
    code, out, _ = run(
        ["lint", "--isolated", "--color", "auto", "services/svc00"],
        many,
        stdout_tty=False,
        stderr_tty=False,
    )
    assert code == 1
    assert not ANSI.search(out)
    assert out.startswith("services/svc00/buildspec.yml:5:9: HS101 ")


def test_color_always_wins_over_no_color(many: Path) -> None:
    """no-color.org: NO_COLOR is a default; a command-line option for one run overrides it."""
    code, out, _ = run(
        ["lint", "--isolated", "--color", "always", "services/svc00"],
        many,
        stdout_tty=False,
        stderr_tty=False,
        NO_COLOR="1",
    )
    assert code == 1
    assert COLOUR.search(out)


def test_output_file_is_plain_while_the_terminal_gets_frames(many: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, out, _ = run(
        ["lint", "--isolated", "-f", "json", "-o", str(report), "services"],
        many,
        stdout_tty=True,
        stderr_tty=True,
    )
    assert code == 1
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["files"] == FILES
    assert " 5 |       - docker pull node:20" in ANSI.sub("", out)
