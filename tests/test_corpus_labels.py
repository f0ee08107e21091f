"""The hand-labelled corpus files: HS101 and HS103 verdicts must match the labels exactly.

corpus_labels.json was written by reading each buildspec and its Dockerfiles, not by running
hubspec; each entry lists the expected (line, image) of every HS101 and the line of every HS103.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, lint_file
from hubspec.docker.images import parse_image

LABELS = json.loads((Path(__file__).parent / "corpus_labels.json").read_text(encoding="utf-8"))


def _familiar(image: str) -> str:
    ref = parse_image(image)
    return ref.familiar if ref is not None else image


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labelled_file(name: str, corpus: Path) -> None:
    label = LABELS[name]
    path = CORPUS / name
    source_root = CORPUS / name.split("/", 1)[0]
    result = lint_file(path, source_root=source_root)
    hs101 = sorted(
        (f.span.start.line, f.message.split(" is pulled from Docker Hub", 1)[0])
        for f in result.findings
        if f.rule == "HS101"
    )
    expected = sorted((item["line"], _familiar(item["image"])) for item in label["hs101"])
    assert hs101 == expected
    hs103 = sorted({f.span.start.line for f in result.findings if f.rule == "HS103"})
    assert hs103 == sorted({item["line"] for item in label.get("hs103", [])})


def test_enough_files_labelled() -> None:
    using_docker = [
        name
        for name, label in LABELS.items()
        if label["hs101"] or label.get("hs103") or label.get("hub_login_lines")
    ]
    assert len(LABELS) >= 30
    assert len(using_docker) >= 30
