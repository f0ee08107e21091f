"""make through the events followers: nested `$(MAKE)` calls, and what they cost.

A Makefile whose `export PATH := $(PATH):...` runs `$(MAKE)` at every level (corpus 0232)
must be read once for all levels: PATH is set, with a value hubspec does not know, in every
make's environment, so the appended value stays unknown and each sub-make's environment is
the same as its parent's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubspec.events.make import run as make_run_module
from hubspec.lint.pipeline import lint_bytes
from hubspec.run import files

NESTED = """export PATH := $(PATH):/opt/tools/bin

all:
\t@$(MAKE) level1

level1:
\t@$(MAKE) level2

level2:
\t@$(MAKE) level3

level3:
\tdocker pull node:20
"""

BUILDSPEC = b"version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


def _lint(root: Path, data: bytes = BUILDSPEC):  # type: ignore[no-untyped-def]
    return lint_bytes("buildspec.yml", data, source_root=root, reader=files.read_referenced)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads = [0]
    original = make_run_module._read_phase

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(make_run_module, "_read_phase", counted)
    return reads


def test_nested_makes_that_extend_path_read_the_makefiles_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Makefile").write_text(NESTED)
    reads = _count_reads(monkeypatch)
    result = _lint(tmp_path)
    assert reads[0] == 1
    messages = [finding.message for finding in result.findings if finding.rule == "HS101"]
    assert messages == [
        "node:20 is pulled from Docker Hub without a Docker Hub login:"
        " `docker pull node:20` in Makefile, line 13"
    ]


def test_a_known_variable_that_grows_at_each_level_still_reads_each_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps its rule: a Makefile that read a different value is read again."""
    (tmp_path / "Makefile").write_text(NESTED.replace("PATH", "TOOLS"))
    reads = _count_reads(monkeypatch)
    data = BUILDSPEC.replace(b"- make\n", b"- TOOLS=/usr/bin make\n")
    result = _lint(tmp_path, data)
    assert reads[0] == 4
    assert [finding.rule for finding in result.findings] == ["HS101"]


def test_path_in_a_recipe_is_the_image_path_not_an_empty_one(tmp_path: Path) -> None:
    """`$(PATH)` is not "" in make: an image named from it is unknown (HS103), not guessed."""
    (tmp_path / "Makefile").write_text(
        "export PATH := $(PATH):/opt/bin\nall:\n\tdocker pull $(firstword $(subst :, ,$(PATH)))\n"
    )
    found = [(finding.rule, finding.message) for finding in _lint(tmp_path).findings]
    assert found == [
        (
            "HS103",
            "cannot tell whether this pulls from Docker Hub:"
            " the image operand of docker pull is not known statically",
        )
    ]


def test_package_files_have_a_budget_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `MAX_PACKAGE_MANIFESTS` package.json files, the rest are HS103, not read."""
    from hubspec.events import resolve

    monkeypatch.setattr(resolve, "MAX_PACKAGE_MANIFESTS", 3)
    (tmp_path / "package.json").write_text('{"workspaces": ["p/*"]}')
    for name in "abcd":
        (tmp_path / "p" / name).mkdir(parents=True)
        (tmp_path / "p" / name / "package.json").write_text(
            f'{{"name": "{name}", "scripts": {{"build": "docker pull {name}"}}}}'
        )
    data = b"version: 0.2\nphases:\n  build:\n    commands:\n      - npm run build -ws\n"
    result = _lint(tmp_path, data)
    assert [(finding.rule, finding.message.split(":")[0]) for finding in result.findings] == [
        ("HS101", "a is pulled from Docker Hub without a Docker Hub login"),
        ("HS101", "b is pulled from Docker Hub without a Docker Hub login"),
        ("HS103", "cannot tell whether this pulls from Docker Hub"),
    ]
    assert "p/c/package.json is over the budget of 3 package files" in result.findings[2].message
