"""Running the real command line in a git work tree a test makes (a `.git` folder, no git).

Shared by the tests of scripts, Makefiles and batch builds: each runs `python -m hubspec lint`
as a user would, under a memory limit and a timeout.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

GIB = 1024**3


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))


def hubspec(
    *args: str, cwd: Path | None = None, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m hubspec ARGS` in `cwd` as a user runs it (not as under GitHub Actions,
    where the default report format changes); the caller checks the exit code."""
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    return subprocess.run(
        [sys.executable, "-m", "hubspec", *args],
        cwd=cwd,
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def lint(cwd: Path, *args: str) -> list[str]:
    """The finding lines of `hubspec lint --format concise ARGS`, run in `cwd`."""
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", "--format", "concise", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        preexec_fn=_limits,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), (result.returncode, result.stderr)
    return [line for line in result.stdout.splitlines() if ": HS" in line]


def write(top: Path, name: str, text: str | bytes) -> Path:
    """Write a file of the repository, its folders made as needed."""
    path = top / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def repository(tmp_path: Path, *commands: str, files: dict[str, str | bytes] | None = None) -> Path:
    """A git work tree holding a buildspec that runs `commands` in its build phase, and `files`."""
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    lines = "".join(f"      - {command}\n" for command in commands)
    (top / "buildspec.yml").write_text(f"version: 0.2\nphases:\n  build:\n    commands:\n{lines}")
    for name, text in (files or {}).items():
        write(top, name, text)
    return top
