"""Bounded fuzzing in CI: every target of tests/fuzz/targets.py for a fixed number of examples.

The targets are the YAML loader, the shell analysis, the Dockerfile and compose readers and
the fix engine (see tests/fuzz/targets.py for what each one checks). Longer runs by hand:
`python tests/fuzz/run_long.py --minutes 10`. Every crash found becomes a case under
fixtures/regressions/, which the last test here replays through lint and fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fuzz import targets
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES
from hubspec.fix import fix_bytes
from hubspec.lint.pipeline import lint_bytes
from hubspec.run import files

# Examples per target; HUBSPEC_FUZZ_EXAMPLES scales a CI run up (or down) without editing.
SCALE = float(os.environ.get("HUBSPEC_FUZZ_SCALE", "1"))
EXAMPLES = {
    "load": 1500,
    "shell": 2000,
    "dockerfile": 1200,
    "compose": 1200,
    "dotenv": 1500,
    "workspaces": 1000,
    "pnpm_filters": 800,
    "fix": 600,
    "lint": 700,
}

HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fuzz_target(name: str) -> None:
    function, strategy = targets.TARGETS[name]

    @settings(
        max_examples=max(1, int(EXAMPLES[name] * SCALE)),
        deadline=None,
        suppress_health_check=HEALTH,
        print_blob=True,
    )
    @given(strategy)
    def run(value: Any) -> None:
        function(value)

    run()


REGRESSIONS = sorted(path.parent for path in (FIXTURES / "regressions").glob("*/expected.txt"))


@pytest.mark.parametrize("case", REGRESSIONS, ids=[case.name for case in REGRESSIONS])
def test_regression_case_lints_and_fixes(case: Path) -> None:
    """A crash the fuzzer found: lint gives the expected findings, fix does not raise."""
    data = (case / "buildspec.yml").read_bytes()
    result = lint_bytes("buildspec.yml", data, source_root=case, reader=files.read_referenced)
    actual = [f"{f.rule} {f.span.start.line}:{f.span.start.column}" for f in result.findings]
    expected = [
        " ".join(line.split(" ", 2)[:2])
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert actual == expected
    fix_bytes("buildspec.yml", data, source_root=case, reader=files.read_referenced)
