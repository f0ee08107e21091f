"""Batch builds: the buildspec files a batch runs are linted too, as part of the same source.

A batch names them by path from the source root (`batch.build-list[].buildspec`, ...); each is
read like a named file, with the source root of the buildspec that names it, and linted once
however many buildspecs name it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from hubspec.lint.pipeline import LintResult
from hubspec.run import files
from hubspec.settings import Settings


class SettingsFor(Protocol):
    def __call__(self, path: Path) -> Settings: ...


def seen_key(path: Path) -> str:
    """One key per file, however it is named: its device and inode (one stat, where
    realpath costs one per folder of the path), or its real path when it cannot be had."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return os.path.realpath(path)
    return f"{status.st_dev}:{status.st_ino}"


def batch_targets(
    results: Iterable[LintResult], seen: set[str], settings_for: SettingsFor
) -> list[tuple[str, bytes, Path, Path, Settings]]:
    """(display, bytes, source root, path, settings) of each batch buildspec not yet linted.

    Adds them to `seen`. A file that cannot be read is skipped: the buildspec naming it
    already has HS005 for it (or the file went away since the analysis looked).
    """
    found: list[tuple[str, bytes, Path, Path, Settings]] = []
    for result in results:
        for root, path in result.batch_buildspecs:
            key = seen_key(path)
            if key in seen:
                continue
            seen.add(key)
            try:
                data = files.read_bytes(path, files.MAX_INPUT_BYTES)
            except OSError:
                continue
            found.append((_display(path), data, root, path, settings_for(path)))
    return found


def _display(path: Path) -> str:
    """The file relative to the current directory when under it, as discovery names files."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()
