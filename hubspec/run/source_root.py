"""The default source root: the folder CodeBuild runs a buildspec's commands in.

CodeBuild checks out the repository and runs every phase from its top, whatever folder the
buildspec is in (`ci/buildspec.yml` still builds `./Dockerfile` at the top). Without
`--source-root` or a config's `source-root`, hubspec takes the same folder: the top of the
git work tree that holds the buildspec (the nearest folder above it with a `.git` folder, or
a `.git` file as in worktrees and submodules; no `git` program is run); outside any work
tree, the current directory when the buildspec is inside it; else the buildspec's folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubspec.run.files import first_upward

GIT_MARKER = ".git"


class SourceRoots:
    """Finds the default source root of many buildspecs, looking at each folder once.

    A root at or below the current directory is given relative to it (`.`, `app`), as the
    user names files, so that reports name files the way the command line did; any other
    root is absolute.
    """

    def __init__(self, cwd: Path | None = None, marks: GitMarks | None = None) -> None:
        self._cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
        self._tops: dict[str, str | None] = {}
        self._marks = marks if marks is not None else GitMarks()
        self._shown_roots: dict[str, Path] = {}

    def for_file(self, buildspec: Path) -> Path:
        """The default source root of a buildspec at `buildspec` (which need not exist)."""
        folder = os.path.dirname(os.path.abspath(buildspec))
        top = self._work_tree_top(folder)
        if top is None:
            top = self._cwd if _is_within(folder, self._cwd) else folder
        return self._shown(top)

    def _work_tree_top(self, folder: str) -> str | None:
        """The nearest folder at or above `folder` that holds `.git`, or None."""
        return first_upward(folder, self._top_if_marked, self._tops)

    def _top_if_marked(self, directory: str) -> str | None:
        return directory if self._marks(directory) else None

    def _shown(self, root: str) -> Path:
        """The root as reports name it; the same for every buildspec of one work tree."""
        shown = self._shown_roots.get(root)
        if shown is None:
            within = _is_within(root, self._cwd)
            shown = Path(os.path.relpath(root, self._cwd)) if within else Path(root)
            self._shown_roots[root] = shown
        return shown


class GitMarks:
    """Which folders hold `.git` (a folder, or a file as in worktrees and submodules): asked
    once per folder for the config search (which stops there) and the source root alike."""

    def __init__(self) -> None:
        self._known: dict[str, bool] = {}

    def __call__(self, directory: str) -> bool:
        known = self._known.get(directory)
        if known is None:
            known = os.path.lexists(os.path.join(directory, GIT_MARKER))
            self._known[directory] = known
        return known


def _is_within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or below it (both absolute and normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
