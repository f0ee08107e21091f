"""Shared test helpers: paths, a one-call lint of a file or a text, and template text."""

from __future__ import annotations

from collections.abc import Sequence
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


STORED_HUB_CREDENTIALS = (
    ("DOCKERHUB_USERNAME", "PARAMETER_STORE", "/ci/hub/user"),
    ("DOCKERHUB_TOKEN", "PARAMETER_STORE", "/ci/hub/token"),
)
"""A project's Docker Hub credentials kept in Parameter Store: (name, type, value)."""


def codebuild_project(
    name: str,
    buildspec: str,
    *,
    privileged: bool = False,
    variables: Sequence[tuple[str, str, str]] = (),
) -> str:
    """One `AWS::CodeBuild::Project` resource (to go under `Resources:`) whose buildspec is the
    file `buildspec`, with environment variables (name, type, value)."""
    lines = [
        f"  {name}:",
        "    Type: AWS::CodeBuild::Project",
        "    Properties:",
        "      Environment:",
        "        Image: aws/codebuild/standard:7.0",
        f"        PrivilegedMode: {'true' if privileged else 'false'}",
    ]
    if variables:
        lines.append("        EnvironmentVariables:")
        lines += [
            f"          - {{Name: {key}, Type: {kind}, Value: {value}}}"
            for key, kind, value in variables
        ]
    lines += ["      Source:", "        Type: CODEPIPELINE", f"        BuildSpec: {buildspec}"]
    return "\n".join(lines) + "\n"
