"""ConfigSearch: the nearest config of many paths, one search per directory, symlinks resolved.

Checked against the plain definition (resolve the path, then look in each folder up to the
repository root) on a tree with configs, a repository root, symlinked folders and files, and
paths written with `..` and `.`; the shared caches must not change any answer, in any order.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubspec.run.config import CONFIG_NAMES, ConfigSearch, find_config
from hubspec.run.files import discover

TABLE = "[tool.hubspec]\nignore = ['HS003']\n"


def reference(start: Path) -> Path | None:
    """The definition: realpath, then every folder up to the one holding .git (or /)."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    while True:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() and (
                name != "pyproject.toml" or "hubspec" in candidate.read_text()
            ):
                return candidate
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("search")
    made = {
        "repo/.git/HEAD": "",
        "repo/.hubspec.toml": TABLE,
        "repo/a/b/buildspec.yml": "",
        "repo/a/pyproject.toml": "[project]\nname = 'x'\n",
        "repo/c/pyproject.toml": TABLE,
        "repo/c/d/e/buildspec.yml": "",
        "repo/sub/.git": "gitdir: elsewhere\n",
        "repo/sub/x/buildspec.yml": "",
        "other/.hubspec.toml": TABLE,
        "other/deep/buildspec.yml": "",
        "bare/f/buildspec.yml": "",
    }
    for name, text in made.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "repo/a/link-to-other").symlink_to(root / "other/deep", target_is_directory=True)
    (root / "repo/c/d/linked.yml").symlink_to(root / "other/deep/buildspec.yml")
    (root / "repo/c/d/buildspec-linked.yml").symlink_to(root / "other/deep/buildspec.yml")
    (root / "other/back").symlink_to(root / "repo/c", target_is_directory=True)
    (root / "repo/a/dangling.yml").symlink_to(root / "nowhere.yml")
    starts = [
        "repo/a/b/buildspec.yml",
        "repo/a/b",
        "repo/a",
        "repo/c/d/e/buildspec.yml",
        "repo/c/d/linked.yml",
        "repo/a/link-to-other/buildspec.yml",
        "repo/a/link-to-other/../b/buildspec.yml",
        "repo/a/b/../../c/d/./e/buildspec.yml",
        "other/back/d/e/buildspec.yml",
        "repo/sub/x/buildspec.yml",
        "other/deep/buildspec.yml",
        "bare/f/buildspec.yml",
        "repo/a/dangling.yml",
        "repo/a/missing/buildspec.yml",
    ]
    return root, starts


def test_each_start_alone_matches_the_definition(layout: tuple[Path, list[str]]) -> None:
    root, starts = layout
    answers = {start: find_config(root / start) for start in starts}
    assert answers == {start: reference(root / start) for start in starts}
    # The layout exercises every outcome: a .hubspec.toml, a pyproject table, a pyproject
    # without one passed over, a symlinked folder leading elsewhere, and none at all.
    assert answers["repo/a/b/buildspec.yml"] == (root / "repo/.hubspec.toml").resolve()
    assert answers["repo/c/d/e/buildspec.yml"] == (root / "repo/c/pyproject.toml").resolve()
    assert answers["repo/a/link-to-other/buildspec.yml"] == (root / "other/.hubspec.toml").resolve()
    assert answers["repo/c/d/linked.yml"] == (root / "other/.hubspec.toml").resolve()
    assert answers["other/back/d/e/buildspec.yml"] == (root / "repo/c/pyproject.toml").resolve()
    assert answers["repo/sub/x/buildspec.yml"] is None  # a .git file marks a root too


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(14)), relative=st.booleans())
def test_one_shared_search_gives_the_same_answers_in_any_order(
    layout: tuple[Path, list[str]],
    order: list[int],
    relative: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, starts = layout
    search = ConfigSearch()
    if relative:
        monkeypatch.chdir(root)
    for index in order:
        start = Path(starts[index]) if relative else root / starts[index]
        assert search.nearest(start) == reference(root / starts[index]), starts[index]


def test_what_discovery_knows_of_a_file_gives_the_same_answers(
    layout: tuple[Path, list[str]],
) -> None:
    """Named or found in a folder, a file that discovery saw is no symlink skips the lstat
    of itself; a symlinked one is resolved as before."""
    root, starts = layout
    named = [str(root / start) for start in starts if (root / start).is_file()]
    for paths in (named, [str(root)]):
        search = ConfigSearch()
        targets = discover(paths)
        assert {target.link for target in targets} == {True, False}, paths
        for target in targets:
            answer = search.nearest(target.path, is_file=True, is_link=target.link)
            assert answer == reference(target.path), target.path


def test_a_real_path_is_resolved_once_per_folder(layout: tuple[Path, list[str]]) -> None:
    """Files of a folder already seen cost one lstat each (their own), not one per part."""
    root, _ = layout
    search = ConfigSearch()
    search.nearest(root / "repo/a/b/buildspec.yml")
    (root / "repo/a/b/other.yml").write_text("version: 0.2\n", encoding="utf-8")
    calls: list[str] = []
    real_lstat = os.lstat

    def counting(path: str | os.PathLike[str], *args: object, **kwargs: object) -> os.stat_result:
        calls.append(os.fspath(path))
        return real_lstat(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "lstat", counting)
        search.nearest(root / "repo/a/b/other.yml")
    assert calls == [str((root / "repo/a/b/other.yml").resolve())]
