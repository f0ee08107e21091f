"""files.discover: which files a folder argument lints, and in which order.

The walk lists folders with scandir (no stat per plain file); it must pick and order files
exactly as the os.walk-based walk it replaced, written out here as the reference.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubspec.run import files

BUILDSPEC = b"version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


def _reference_walk(root: Path) -> Iterator[Path]:
    """os.walk top-down, sorted, symlinked folders not entered, non-regular files skipped."""
    ignored = files._gitignored_dirs(root)
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in files.SKIPPED_DIRS
            and not (ignored and (here / name).resolve() in ignored)
        )
        for name in sorted(filenames):
            candidate = here / name
            if not (files.BUILDSPEC_NAME.match(name) or files.HOST_NAME.match(name)):
                continue
            try:
                regular = stat.S_ISREG(candidate.stat().st_mode)
            except OSError:
                regular = False
            if regular and (
                files.BUILDSPEC_NAME.match(name) or files._looks_like_lintable(candidate)
            ):
                yield candidate


def _tree(root: Path) -> None:
    for folder in ("a/b", "c", "node_modules/x", ".git", "ignored", "z", "Z", "a b"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name in (
        "a/b/buildspec.yml",
        "a/x.yaml",
        "node_modules/x/buildspec.yml",
        "ignored/buildspec.yml",
        "z/BuildSpec.YML",
        "Z/buildspec-prod.yaml",
        "a b/buildspec.yml",
        "top.yml",
        ".git/buildspec.yml",
    ):
        (root / name).write_bytes(BUILDSPEC)
    (root / "a/other.yml").write_bytes(b"key: 1\n")  # YAML, but no buildspec
    (root / "a/notes.txt").write_bytes(BUILDSPEC)
    (root / ".gitignore").write_text("ignored/\n")
    (root / "c/linked-folder").symlink_to("../a")
    (root / "c/link.yml").symlink_to("../a/x.yaml")
    (root / "c/dangling.yml").symlink_to("../missing.yml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "c/fifo-buildspec.yml")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and FIFOs")
def test_discover_picks_and_orders_files_as_os_walk(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = [target.path for target in files.discover([str(tmp_path)])]
    assert found == list(_reference_walk(tmp_path))
    relative = [path.relative_to(tmp_path).as_posix() for path in found]
    assert relative == [
        "top.yml",
        "Z/buildspec-prod.yaml",
        "a/x.yaml",
        "a/b/buildspec.yml",
        "a b/buildspec.yml",
        "c/link.yml",
        "z/BuildSpec.YML",
    ]


def test_discover_matches_os_walk_on_the_corpus(corpus: Path) -> None:
    found = [target.path for target in files.discover([str(corpus)])]
    assert found == list(_reference_walk(corpus))
    assert len(found) > 200


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_discover_names_files_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    shown = [target.display for target in files.discover(["."])]
    assert shown[:2] == ["top.yml", "Z/buildspec-prod.yaml"]
    shown = [target.display for target in files.discover(["a/"])]
    assert shown == ["a/x.yaml", "a/b/buildspec.yml"]


def test_discover_gives_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file named and also found in a named folder is linted once, where it first comes,
    and counts as named (a config's excludes do not apply to it)."""
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    walked = files.discover(["a"])
    assert [(t.display, t.named) for t in walked] == [
        ("a/x.yaml", False),
        ("a/b/buildspec.yml", False),
    ]
    both = files.discover(["a", "./a/b/buildspec.yml", "top.yml", "a/", "top.yml"])
    assert [(t.display, t.named) for t in both] == [
        ("a/x.yaml", False),
        ("a/b/buildspec.yml", True),
        ("top.yml", True),
    ]
    named_first = files.discover(["a/x.yaml", "a"])
    assert [(t.display, t.named) for t in named_first] == [
        ("a/x.yaml", True),
        ("a/b/buildspec.yml", False),
    ]
