"""Bad input never crashes: each case gives HS001 (exit 1) or a usage error (exit 2), naming the file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from repos import hubspec

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)

CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "the file is empty"),
    "only-comment": (b"# nothing here\n", "the file is empty"),
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
    "invalid-utf8": (b"version: 0.2\nphases: {}\nx: \xff\xfe\n", "not valid UTF-8"),
    "utf16": ("version: 0.2\n".encode("utf-16"), "UTF-16"),
    "tabs": (b"version: 0.2\nphases:\n\tbuild:\n\t\tcommands: []\n", "tabs"),
    "duplicate-keys": (b"version: 0.2\nphases: {}\nversion: 0.1\n", "duplicate key 'version'"),
    "alias-bomb": (ALIAS_BOMB.encode(), "aliases expand"),
    "nested-brackets": (b"a: " + b"[" * 20000 + b"]" * 20000 + b"\n", "nested deeper"),
    "nested-sequences": (("- " * 5000 + "x\n").encode(), "nested deeper"),
    "multi-document": (b"version: 0.2\nphases: {}\n---\nversion: 0.2\n", "several YAML documents"),
    "unknown-tag": (b"version: !Ref Version\nphases: {}\n", "'!Ref' is not plain data"),
    "python-tag": (
        b"version: 0.2\nphases: !!python/object/apply:os.system ['touch /tmp/hubspec-pwned']\n",
        "'!!python/object/apply:os.system' is not plain data",
    ),
    "root-list": (b"- version: 0.2\n", "the document is a sequence"),
    "root-scalar": (b"just a string\n", "the document is a scalar"),
    "syntax-error": (b"version: 0.2\nphases:\n  build:\n    commands: [a, b\n", "invalid YAML"),
    "huge-file": (b"# " + b"x" * (10 * 1024 * 1024) + b"\n", "larger than 262,144 bytes"),
    "long-line": (
        b"version: 0.2\nx: " + b"y" * (2 * 1024 * 1024) + b"\n",
        "larger than 262,144 bytes",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_hs001(name: str, tmp_path: Path) -> None:
    data, wanted = CASES[name]
    path = tmp_path / f"{name}-buildspec.yml"
    path.write_bytes(data)
    started = time.monotonic()
    result = hubspec("lint", "--format", "concise", str(path))
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:"), first
    assert " HS001 " in first
    assert wanted in first
    assert not Path("/tmp/hubspec-pwned").exists()


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    result = hubspec("lint", str(tmp_path / "nope.yml"))
    assert result.returncode == 2
    assert "nope.yml: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_usage_error(tmp_path: Path) -> None:
    fifo = tmp_path / "buildspec.yml"
    os.mkfifo(fifo)
    result = hubspec("lint", str(fifo))
    assert result.returncode == 2
    assert "not a regular file or directory" in result.stderr


def test_device_is_usage_error() -> None:
    result = hubspec("lint", "/dev/null")
    assert result.returncode == 2
    assert "/dev/null: not a regular file or directory" in result.stderr


def test_stdin_with_filename(tmp_path: Path) -> None:
    result = hubspec(
        "lint",
        "--format",
        "concise",
        "--stdin-filename",
        "ci/buildspec.yml",
        "-",
        stdin="version: 0.2\nphases:\n  prebuild:\n    commands: [ls]\n",
    )
    assert result.returncode == 0
    assert result.stdout.startswith("ci/buildspec.yml:3:3: HS003 unknown phase 'prebuild'")


def test_unreadable_file_is_usage_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "buildspec.yml"
    path.write_text("version: 0.2\n")
    path.chmod(0)
    result = hubspec("lint", str(path))
    assert result.returncode == 2
    assert "cannot be read" in result.stderr


_NESTED = "${B:-" * 3000 + "node:20" + "}" * 3000


@pytest.mark.parametrize(
    ("name", "text", "command"),
    [
        ("Dockerfile", f"FROM {_NESTED}\n", "docker build ."),
        ("compose.yaml", f'services:\n  a:\n    image: "{_NESTED}"\n', "docker compose pull"),
        (".env", f"IMAGE={_NESTED}\n", "docker compose pull"),
    ],
)
def test_expansions_nested_thousands_deep(
    tmp_path: Path, name: str, text: str, command: str
) -> None:
    """`${B:-${B:-...}}` 3,000 levels deep in a Dockerfile, a compose file or its `.env`:
    HS103 (or the value is unknown), never a RecursionError reported as an internal error."""
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "buildspec.yml").write_text(
        f"version: 0.2\nphases:\n  build:\n    commands:\n      - {command}\n"
    )
    (top / name).write_text(text)
    if name == ".env":
        (top / "compose.yaml").write_text("services:\n  a:\n    image: ${IMAGE}\n")
    done = hubspec("lint", "buildspec.yml", cwd=top)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning fails nothing
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    (line,) = [line for line in done.stdout.splitlines() if " HS103 " in line]
    reason = "uses ${IMAGE}" if name == ".env" else "nests expansions deeper than 32 levels"
    assert line.startswith("buildspec.yml:5:9: HS103 ") and reason in line, line
