"""Walk fixtures/<RULE>/<case>/: lint buildspec.yml and compare with expected.txt.

expected.txt holds one finding per line: `CODE LINE:COL` optionally followed by the exact
message. The findings must match in full: no missing and no extra finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, lint_file

CASES = sorted(path.parent for path in FIXTURES.glob("*/*/expected.txt"))


def _expected(case: Path) -> list[tuple[str, str, str | None]]:
    rows = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        rows.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
    return rows


def _buildspec(case: Path) -> Path:
    for name in ("buildspec.yml", "buildspec.yaml"):
        if (case / name).exists():
            return case / name
    raise AssertionError(f"{case}: no buildspec.yml")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case: Path) -> None:
    result = lint_file(_buildspec(case), source_root=case)
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

    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - {"valid", "examples"}
    assert folders <= set(BY_CODE), folders - set(BY_CODE)
