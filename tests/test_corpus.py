"""Every real buildspec in ../shared/corpus: no crash, the YAML/schema verdicts checked by hand,
and every file with HS101 fixed, verified and stable under a second fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from hubspec.fix import fix_bytes
from hubspec.lint.pipeline import lint_bytes
from hubspec.run import files

# Checked by reading each file: real YAML errors, a missing version, unquoted ': ' commands, a
# string where a list belongs, a reserved CODEBUILD_ name, and three unknown keys.
STRUCTURAL = {
    ("0022/Sample_Project/buildspec.yaml", "HS001", 55),  # unterminated quoted scalar
    ("0028/buildspec.yaml", "HS001", 9),  # cache: key twice
    ("0267/codebuild/buildspec.yml", "HS001", 9),  # cache: key twice
    ("0277/docker/buildspec.yml", "HS001", 18),  # a stray ',' after a block mapping
    ("0318/buildspec-docker.yml", "HS001", 11),  # `//` comments are not YAML
    ("0126/ci/buildspec.yml", "HS002", 5),  # CODEBUILD_RESOLVED_SOURCE_VERSION redefined
    ("0221/buildspec-docker.yml", "HS002", 15),  # - echo "X: ${Y}" unquoted
    ("0280/buildspec_docker.yml", "HS002", 63),  # commands: a string, not a list
    ("0297/docker/buildspec.yml", "HS002", 1),  # no version key
    ("0451/buildspecs/buildspec.yml", "HS002", 14),  # unquoted ': ' command
    ("0250/application/buildspec.yaml", "HS003", 6),  # env.secret-manager (typo)
    ("0393/docker/buildspec.yml", "HS003", 2),  # parameter-store at the top level
    ("0420/deploy/buildspec.yml", "HS003", 34),  # artifacts.type
}


def _buildspecs(corpus: Path) -> list[Path]:
    return [target.path for target in files.discover([str(corpus)])]


def _lint(path: Path):  # type: ignore[no-untyped-def]
    rel = path.relative_to(CORPUS)
    return lint_bytes(
        rel.as_posix(),
        path.read_bytes(),
        source_root=CORPUS / rel.parts[0],
        reader=files.read_referenced,
    )


def test_every_corpus_file_lints_and_structural_findings_are_the_checked_ones(corpus: Path) -> None:
    paths = _buildspecs(corpus)
    assert len(paths) >= 215
    structural = set()
    for path in paths:
        result = _lint(path)
        for finding in result.findings:
            assert finding.span.start.line >= 1 and finding.span.start.column >= 1
            if finding.rule in ("HS001", "HS002", "HS003"):
                structural.add((result.path, finding.rule, finding.span.start.line))
    assert structural == STRUCTURAL


def test_every_corpus_file_with_hs101_is_fixed_and_stable(corpus: Path) -> None:
    fixed = 0
    for path in _buildspecs(corpus):
        rel = path.relative_to(corpus)
        root = corpus / rel.parts[0]
        data = path.read_bytes()
        outcome = fix_bytes(rel.as_posix(), data, source_root=root, reader=files.read_referenced)
        has_hs101 = any(f.rule == "HS101" for f in outcome.before.findings)
        if not has_hs101:
            assert outcome.new_data is None
            continue
        assert outcome.refusal is None, f"{rel}: {outcome.refusal}"
        assert outcome.new_data is not None and outcome.after is not None
        assert not [f for f in outcome.after.findings if f.rule == "HS101"]
        old_lines = data.decode("utf-8-sig").splitlines()
        new_lines = iter(outcome.new_data.decode("utf-8-sig").splitlines())
        assert all(any(line == new for new in new_lines) for line in old_lines), rel
        again = fix_bytes(
            rel.as_posix(), outcome.new_data, source_root=root, reader=files.read_referenced
        )
        assert again.new_data is None and again.refusal is None
        fixed += 1
    assert fixed >= 60


@pytest.mark.parametrize("name", ["0412/docker/buildspec.yml", "0403/buildspec.yml"])
def test_version_01_files_are_never_rewritten(name: str, corpus: Path) -> None:
    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} not in this corpus")
    outcome = fix_bytes(
        name, path.read_bytes(), source_root=path.parent, reader=files.read_referenced
    )
    assert outcome.new_data is None
