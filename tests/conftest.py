"""Shared test helpers: paths and a one-call lint of a file or a text."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubspec.lint.pipeline import LintResult, lint_bytes
from hubspec.run import files
from hubspec.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def lint_file(
    path: Path, source_root: Path | None = None, settings: Settings | None = None
) -> LintResult:
    return lint_bytes(
        path.name,
        path.read_bytes(),
        source_root=source_root or path.parent,
        reader=files.read_referenced,
        settings=settings,
    )


def lint_text(
    text: str, source_root: Path | None = None, settings: Settings | None = None
) -> LintResult:
    return lint_bytes(
        "buildspec.yml",
        text.encode("utf-8"),
        source_root=source_root or Path("/nonexistent-source-root"),
        reader=files.read_referenced,
        settings=settings,
    )


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    return CORPUS
