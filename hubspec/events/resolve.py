"""The one resolver for the files a build uses: paths as the build sees them, and their text.

A build names files relative to its working directory (or under $CODEBUILD_SRC_DIR); they are
looked up under the source root and nowhere else: an absolute path, a path climbing out of
the root, or a symlink pointing out of it is refused without being read. Whatever the reader
cannot give (a missing file, a FIFO or device, a huge file) and binary text come back as a
reason in words, so the caller reports it instead of hanging or guessing.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import TypeVar

from hubspec.events.model import FileReader
from hubspec.records import record
from hubspec.shell.state import SOURCE_DIR_MARK

_T = TypeVar("_T")
SOURCE_DIR_VARIABLE = "CODEBUILD_SRC_DIR"
UNKNOWN_CWD = "?"
OUTSIDE = "is outside the source or in an unknown directory"
"""Why a file a build names is not read when its path leaves the source root (or the
directory it is relative to is not known)."""
MAX_REFERENCED_FILES = 64
"""Files (Dockerfiles, compose files, scripts) followed per buildspec."""
MAX_PACKAGE_MANIFESTS = 1_000
"""package.json and pnpm-workspace.yaml files read per buildspec: a monorepo's workspace
packages have a budget of their own, not the 64 files above."""
MAX_FOLDER_ENTRIES = 10_000
"""Entries of one folder looked at when listing its subfolders (npm workspace patterns)."""


@record
class Opened:
    """A file the build uses, read: where it is, how messages name it, and its text."""

    path: Path
    shown: str
    text: str


class Resolver:
    """Resolves and reads the files one buildspec refers to, within a budget of files."""

    def __init__(self, source_root: Path, reader: FileReader) -> None:
        self.source_root = source_root
        self.reader = reader
        self.followed = 0
        self.manifests = 0
        root = str(source_root)
        self.root_prefix = root if root.endswith(os.sep) else root + os.sep
        self._real_root: str | None = None
        self._plain_folders: set[str] = set()
        self.made: dict[Path, str] = {}
        """Files the build makes before this point (`events.made`), each with how a message
        says it is made ("downloaded by `curl -LO https://...`")."""
        self.copies: dict[Path, tuple[Path, str]] = {}
        """Files the build puts in place with `cp` or `mv` before this point: the file they
        come from, and the command."""
        self.folder_copies: dict[Path, tuple[Path, str]] = {}
        """Folders the build copies or moves whole (`cp -r docker build`): the folder."""
        self.moved: dict[Path, str] = {}
        """Files and folders the build moves away (`mv a b`: a), each with the command."""

    def locate(self, cwd: str, written: str) -> Path | None:
        """A path as the build sees it -> a path under the source root, or None if unknown."""
        if written == SOURCE_DIR_MARK or written.startswith(SOURCE_DIR_MARK + "/"):
            cwd, written = ".", "." + written[len(SOURCE_DIR_MARK) :]  # wherever it runs
        elif cwd == UNKNOWN_CWD or posixpath.isabs(written):
            return None
        if cwd.startswith(SOURCE_DIR_MARK):
            cwd = "." + cwd[len(SOURCE_DIR_MARK) :]
        elif posixpath.isabs(cwd):
            return None
        joined = posixpath.normpath(posixpath.join(cwd, written))
        if joined.startswith(".."):
            return None
        return self.source_root / joined

    def shown(self, path: Path) -> str:
        """`path` as the build names it: relative to the source root when under it.

        Path.relative_to, by strings: it is lexical too, and costs more than the read.
        """
        text = str(path)
        if text.startswith(self.root_prefix):
            return text[len(self.root_prefix) :].replace(os.sep, "/") or "."
        return "." if text == self.root_prefix.rstrip(os.sep) else path.as_posix()

    def note_made(self, path: Path, how: str) -> None:
        """The build writes `path` (`how`: "written by `...`"); the first writer is named."""
        self.copies.pop(path, None)
        self.moved.pop(path, None)
        self.made.setdefault(path, how)

    def note_moved(self, path: Path, command: str) -> None:
        """`mv` takes the file or folder `path` away: from here it is not there."""
        self.made.pop(path, None)
        self.copies.pop(path, None)
        self.folder_copies.pop(path, None)
        self.moved[path] = command

    def note_copy(self, path: Path, source: Path, command: str) -> None:
        """The build copies `source` to `path`: from here `path` holds what `source` holds
        now (the checkout's file, or what the build made of it), whatever `source` becomes."""
        made = self.made.get(source)
        moved_by = self._moved_away(source) if self.moved else None
        if made is not None or moved_by is not None:
            which = f"is {made}" if moved_by is None else f"was moved away by `{moved_by}`"
            self.note_made(path, f"copied by `{command}` from {self.shown(source)}, which {which}")
            return
        self.made.pop(path, None)
        self.moved.pop(path, None)
        found = self.copies.get(source)
        if found is None and self.folder_copies:
            found = self._in_copied_folder(source)  # copied (or moved) in with its folder
        origin = found[0] if found is not None else source
        self.copies[path] = (origin, command)

    def note_folder_copy(self, path: Path, source: Path, command: str) -> None:
        """The build copies the folder `source` to `path` (`cp -r`, `mv`): a file under
        `path` is read from under `source`."""
        origin, _ = self.folder_copies.get(source, (source, command))
        self.folder_copies[path] = (origin, command)
        self.moved.pop(path, None)

    def is_folder(self, path: Path) -> bool:
        """Whether `path` is a folder of the checkout (where `cp a dir` puts dir/a)."""
        return self._inside_root(path) and os.path.isdir(path)

    def subfolders(self, cwd: str) -> tuple[tuple[str, bool], ...]:
        """The folders in a folder of the checkout (`cwd` as ShellState.cwd), sorted, each
        with whether it is a symlink; () for a folder outside the root or not there."""
        path = self.locate(cwd, ".")
        if path is None or not self._inside_root(path):
            return ()
        try:
            with os.scandir(path) as entries:
                found = [
                    (entry.name, entry.is_symlink())
                    for _, entry in zip(range(MAX_FOLDER_ENTRIES), entries, strict=False)
                    if entry.is_dir()
                ]
        except (OSError, ValueError):
            return ()
        return tuple(sorted(found))

    def over_budget(self) -> bool:
        return self.followed >= MAX_REFERENCED_FILES

    def open_manifest(self, path: Path) -> Opened | str:
        """A package manager's file (package.json, pnpm-workspace.yaml), counted against
        `MAX_PACKAGE_MANIFESTS`; as `open` otherwise."""
        if self.manifests >= MAX_PACKAGE_MANIFESTS:
            return f"is over the budget of {MAX_PACKAGE_MANIFESTS:,} package files"
        self.manifests += 1
        return self._opened(path)

    def open(self, path: Path) -> Opened | str:
        """The file's text, or why it cannot be had ("was not found", "is binary", ...).

        Each call counts against the budget; check `over_budget` first.
        """
        self.followed += 1
        return self._opened(path)

    def _opened(self, path: Path) -> Opened | str:
        if self.moved:
            moved_by = self._moved_away(path)
            if moved_by is not None:
                return f"was moved away by `{moved_by}` earlier in the build"
        made = self.made.get(path)
        if made is not None:  # the build's own copy, whatever the checkout holds
            return f"is {made} during the build, not taken from the repository"
        copy = self.copies.get(path)
        if copy is None and self.folder_copies:
            copy = self._in_copied_folder(path)
        if copy is None:
            return self._read(path)
        origin, command = copy  # the checkout's file, as it was when copied
        opened = self._read(origin)
        if isinstance(opened, str):
            return f"is copied by `{command}` from {self.shown(origin)}, which {opened}"
        return opened

    def _moved_away(self, path: Path) -> str | None:
        """The `mv` that took `path` (or a folder above it) away, if one did."""
        moved_by = self.moved.get(path)
        if moved_by is not None or path in self.made or path in self.copies:
            return moved_by  # put back in place since, if made or copied there
        found = self._folder_above(path, self.moved)
        return found[1] if found is not None else None

    def _in_copied_folder(self, path: Path) -> tuple[Path, str] | None:
        """Where a file under a folder the build copied comes from, and the command."""
        found = self._folder_above(path, self.folder_copies)
        if found is None:
            return None
        folder, (origin, command) = found
        return origin / path.relative_to(folder), command

    def _folder_above(self, path: Path, table: dict[Path, _T]) -> tuple[Path, _T] | None:
        """The nearest folder above `path`, up to the source root, that `table` holds."""
        for folder in path.parents:
            if folder in table:
                return folder, table[folder]
            if folder == self.source_root:
                break
        return None

    def _read(self, path: Path) -> Opened | str:
        """The checkout's file at `path`, or why it cannot be had."""
        try:
            if not self._inside_root(path):
                return "is a symlink out of the source root, which hubspec does not read"
            text = self.reader(path)
            if text is None:
                return _unreadable(path)
        except ValueError:  # a NUL or a lone surrogate in the name: no file can have it
            return "is not a valid file name"
        if "\x00" in text:
            return "is a binary file, not text"
        return Opened(path, self.shown(path), text)

    def _inside_root(self, path: Path) -> bool:
        """Whether the file, its symlinks followed, stays under the source root.

        Paths come from `locate` (the root joined with a normalized relative path), so a
        file is inside unless a folder below the root, or the file, is a symlink: one lstat
        per new folder and one for the file; realpath only behind a symlink.
        """
        folder = os.path.dirname(path)
        if folder not in self._plain_folders:
            if not self._plain_below_root(folder):
                return self._real_inside(path)
            self._plain_folders.add(folder)
        return not os.path.islink(path) or self._real_inside(path)

    def _plain_below_root(self, folder: str) -> bool:
        """Whether no folder between the source root and `folder` is a symlink: then
        `folder` is inside the root whatever the root's own path resolves to."""
        root = str(self.source_root)
        while folder != root and folder not in self._plain_folders:
            if not folder.startswith(self.root_prefix) or os.path.islink(folder):
                return False
            folder = os.path.dirname(folder)
        return True

    def _real_inside(self, path: Path) -> bool:
        """The full check, for a path through a symlink: resolve it and compare."""
        if self._real_root is None:
            root = os.path.realpath(self.source_root)
            self._real_root = root if root.endswith(os.sep) else root + os.sep
        real = os.path.realpath(path)
        return real.startswith(self._real_root) or real + os.sep == self._real_root


def _unreadable(path: Path) -> str:
    """Why the reader gave nothing for a file, in the words a message ends with."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "was not found"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(mode):
        return "is a directory"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO or device), which hubspec does not read"
    return "is too large or cannot be read"
