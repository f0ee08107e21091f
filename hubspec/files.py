"""The one reader and the one atomic writer, and buildspec discovery."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "cdk.out",
        ".terraform",
        ".aws-sam",
    }
)
BUILDSPEC_NAME = re.compile(r"buildspec.*\.ya?ml$", re.IGNORECASE)
YAML_NAME = re.compile(r".*\.ya?ml$", re.IGNORECASE)
_TOP_KEY = re.compile(rb"^(version|phases)\s*:", re.MULTILINE)
MAX_REFERENCED_BYTES = 1024 * 1024
MAX_INPUT_BYTES = 1024 * 1024


class PathError(Exception):
    """A path given on the command line that cannot be linted (usage error, exit 2)."""


@dataclass(frozen=True)
class Target:
    """A file to lint: where it is on disk and how to name it in reports."""

    path: Path
    display: str


def discover(paths: list[str]) -> list[Target]:
    """Expand command-line paths into buildspec files, in a stable order."""
    targets: list[Target] = []
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise PathError(f"{raw}: no such file or directory") from None
        except OSError as error:
            raise PathError(f"{raw}: cannot be read ({error.strerror})") from None
        if stat.S_ISDIR(mode):
            targets.extend(Target(found, str(found)) for found in _walk(path))
        elif stat.S_ISREG(mode):
            targets.append(Target(path, raw))
        else:
            raise PathError(f"{raw}: not a regular file or directory")
    return targets


def _walk(root: Path) -> Iterator[Path]:
    ignored = _gitignored_dirs(root)
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in SKIPPED_DIRS and (here / name).resolve() not in ignored
        )
        for name in sorted(filenames):
            candidate = here / name
            if BUILDSPEC_NAME.match(name) or (
                YAML_NAME.match(name) and _looks_like_buildspec(candidate)
            ):
                yield candidate


def _gitignored_dirs(root: Path) -> set[Path]:
    """Directories named in a root .gitignore as plain names (a small, safe subset)."""
    ignore_file = root / ".gitignore"
    found: set[Path] = set()
    try:
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        entry = line.strip().rstrip("/")
        if entry and not entry.startswith(("#", "!")) and not any(c in entry for c in "*?["):
            found.add((root / entry.lstrip("/")).resolve())
    return found


def _looks_like_buildspec(path: Path) -> bool:
    """A YAML file whose top level has both `version` and `phases`, as the AWS toolkits judge."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    keys = {match.group(1) for match in _TOP_KEY.finditer(head)}
    return keys == {b"version", b"phases"}


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a file's bytes; with a limit, read at most limit + 1 so oversize is detectable."""
    with path.open("rb") as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def read_referenced(path: Path) -> str | None:
    """Text of a file a build refers to (Dockerfile, compose file), or None if unreadable."""
    try:
        if not path.is_file():
            return None
        data = read_bytes(path, MAX_REFERENCED_BYTES)
    except OSError:
        return None
    if len(data) > MAX_REFERENCED_BYTES:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


class WriteConflict(Exception):
    """The file changed on disk after it was read; it is left as it is."""


def write_atomic(path: Path, data: bytes, expected_old: bytes | None = None) -> None:
    """Replace a file's content atomically, keeping its mode; follow a symlink to its target.

    The new content goes to a temporary file in the same directory, is fsynced, and replaces
    the target with os.replace, so readers see the old or the new bytes, never a mixture.
    """
    target = path.resolve()
    if expected_old is not None and read_bytes(target) != expected_old:
        raise WriteConflict(f"{path}: changed on disk while hubspec was working; not written")
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".hubspec-tmp", dir=target.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
