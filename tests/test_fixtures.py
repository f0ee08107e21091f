"""Walk fixtures/<RULE>/<case>/: lint buildspec.yml and compare with expected.txt.

expected.txt holds one finding per line: `CODE LINE:COL` optionally followed by the exact
message. The findings must match in full: no missing and no extra finding. Where a case has
fixed.yml, `hubspec fix` must produce exactly it, only by adding lines, and a second fix must
change nothing; where it has refused.txt, the fix must refuse with a reason containing it and
leave the bytes as they were.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, lint_file
from hubspec.fix import fix_bytes
from hubspec.run import files
from hubspec.run.tasks import lint_one
from hubspec.settings import Settings

CASES = sorted(path.parent for path in FIXTURES.glob("*/*/expected.txt"))


def _expected(case: Path) -> list[tuple[str, str, str | None]]:
    rows = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        rows.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
    return rows


HOST_FILES = ("template.yaml", "template.json", "main.tf", "cdk.out/Stack.template.json")
"""A case may hold a host file instead of a buildspec: its projects' buildspecs are linted."""


def _buildspec(case: Path) -> Path:
    for name in ("buildspec.yml", "buildspec.yaml"):
        if (case / name).exists():
            return case / name
    raise AssertionError(f"{case}: no buildspec.yml")


def _source(case: Path) -> Path:
    for name in HOST_FILES:
        if (case / name).exists():
            return case / name
    return _buildspec(case)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case: Path) -> None:
    source = _source(case)
    if source.name.startswith("buildspec"):
        result = lint_file(source, source_root=case)
    else:
        result = lint_one(str(source), source.read_bytes(), case, Settings())
    actual = [
        (f.rule, f"{f.span.start.line}:{f.span.start.column}", f.message) for f in result.findings
    ]
    expected = _expected(case)
    assert [(code, pos) for code, pos, _ in actual] == [(code, pos) for code, pos, _ in expected], (
        "\n".join(f"{c} {p} {m}" for c, p, m in actual)
    )
    for (_, _, message), (_, _, wanted) in zip(actual, expected, strict=True):
        if wanted is not None:
            assert message == wanted


def test_every_rule_folder_is_a_rule() -> None:
    from hubspec.rules import BY_CODE

    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - {
        "valid",
        "examples",
        "goldens",
        "regressions",
    }
    assert folders <= set(BY_CODE), folders - set(BY_CODE)


def _fixed(case: Path) -> Path:
    """The expected fixed file: fixed.yml for a buildspec, fixed.<name> for a host file."""
    source = _source(case)
    return case / ("fixed.yml" if source.name.startswith("buildspec") else f"fixed.{source.name}")


FIX_CASES = [case for case in CASES if _fixed(case).exists() or (case / "refused.txt").exists()]


def _fix(case: Path, data: bytes):  # type: ignore[no-untyped-def]
    source = _source(case)
    if not source.name.startswith("buildspec"):
        from hubspec.fix.host import fix_host

        return fix_host(str(source), data, source_root=case, reader=files.read_referenced)
    return fix_bytes("buildspec.yml", data, source_root=case, reader=files.read_referenced)


@pytest.mark.parametrize("case", FIX_CASES, ids=[f"{c.parent.name}/{c.name}" for c in FIX_CASES])
def test_fix(case: Path) -> None:
    data = _source(case).read_bytes()
    outcome = _fix(case, data)
    if (case / "refused.txt").exists():
        assert outcome.new_data is None
        assert outcome.refusal is not None
        assert (case / "refused.txt").read_text(encoding="utf-8").strip() in outcome.refusal
        return
    expected = _fixed(case).read_bytes()
    assert outcome.refusal is None
    assert outcome.new_data == expected, (
        outcome.new_data.decode("utf-8") if outcome.new_data else None
    )
    again = _fix(case, expected)
    assert again.new_data is None and again.refusal is None
    assert not [f for f in again.before.findings if f.rule == "HS101"]
    if not (case / "flow").exists():
        _assert_only_adds(data.decode("utf-8-sig"), expected.decode("utf-8-sig"))


def _assert_only_adds(old: str, new: str) -> None:
    """Every original line is still there, in order, byte for byte."""
    new_lines = iter(new.splitlines(keepends=True))
    for line in old.splitlines(keepends=True):
        assert any(candidate == line for candidate in new_lines), f"line lost or changed: {line!r}"
