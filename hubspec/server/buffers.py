"""The editor's open files, read before the disk, and which buildspec read which file.

A buildspec's Dockerfile, compose file or script is read from its open buffer when the
editor has one (unsaved changes count), else from disk through `run.files`. Each lint
records the files it asked for, so that editing one of them re-lints the buildspecs that
use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubspec.events.model import FileReader
from hubspec.run import files


def normal(path: Path) -> Path:
    """One spelling per file: absolute, `..` resolved (symlinks are left as they are)."""
    return Path(os.path.normpath(os.path.abspath(path)))


class Buffers:
    """Open buffers by file path, and the files each linted document read."""

    def __init__(self) -> None:
        self.texts: dict[Path, str] = {}
        self.uses: dict[str, frozenset[Path]] = {}
        """Document URI -> the files its last lint read (present or not)."""

    def put(self, path: Path, text: str) -> None:
        self.texts[normal(path)] = text

    def drop(self, path: Path) -> None:
        self.texts.pop(normal(path), None)

    def forget(self, uri: str) -> None:
        """A closed document no longer needs re-linting when its files change."""
        self.uses.pop(uri, None)

    def reader(self, seen: set[Path]) -> FileReader:
        """A reader over open buffers, then the disk, that notes every path asked for."""

        def read(path: Path) -> str | None:
            key = normal(path)
            seen.add(key)
            text = self.texts.get(key)
            if text is not None:
                return text.removeprefix("\ufeff")
            return files.read_referenced(key)

        return read

    def users_of(self, path: Path) -> list[str]:
        """The documents whose last lint read `path`."""
        key = normal(path)
        return [uri for uri, used in self.uses.items() if key in used]
