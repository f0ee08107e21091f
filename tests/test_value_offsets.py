"""value_offsets maps each character of a scalar to its source: checked against a plain oracle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES
from hubspec.build.model import value_offsets
from hubspec.load.document import Document, Node, parse
from hubspec.load.source import Source, decode
from hubspec.records import replace


def oracle(document: Document, node: Node) -> list[int]:
    """value_offsets as it was, with the character-by-character greedy match it speeds up."""
    value = str(node.value)
    source = document.text[node.start : node.end]
    if source == value:
        return list(range(node.start, node.start + len(value) + 1))
    if (
        len(source) == len(value) + 2
        and source[0] in "'\""
        and source[-1] == source[0]
        and source[1:-1] == value
        and not value.startswith(source[0])
    ):
        return list(range(node.start + 1, node.start + len(value) + 2))
    offsets: list[int] = []
    cursor = 0
    for char in value:
        probe = cursor
        limit = min(len(source), cursor + 64)
        while probe < limit and not (
            char == source[probe] or (char in " \n" and source[probe] in " \t\r\n")
        ):
            probe += 1
        if probe < limit:
            offsets.append(node.start + probe)
            cursor = probe + 1
        else:
            offsets.append(node.start + min(cursor, max(len(source) - 1, 0)))
    offsets.append(node.start + min(cursor, len(source)))
    return offsets


def scalars(node: Node) -> Iterator[Node]:
    if node.kind == "scalar":
        yield node
    elif node.kind == "mapping":
        for key, value in node.pairs:
            yield from scalars(key)
            yield from scalars(value)
    else:
        for item in node.items:
            yield from scalars(item)


def documents() -> list[Path]:
    found = sorted(FIXTURES.rglob("*.yml")) + sorted(CORPUS.rglob("*.yml"))
    return [path for path in found if path.is_file()]


def test_fast_offsets_equal_the_oracle_on_every_scalar_of_fixtures_and_corpus() -> None:
    checked = 0
    for path in documents():
        decoded = decode(path.read_bytes())
        if decoded.problem is not None:
            continue
        document = parse(str(path), decoded)
        if not isinstance(document, Document):
            continue
        for node in scalars(document.root):
            if node.value is None:
                continue
            assert list(value_offsets(document, node)) == oracle(document, node), (path, node.start)
            checked += 1
    assert checked > 5000


@given(
    value=st.text(alphabet="ab \n\t#'\"\\", max_size=30),
    source=st.text(alphabet="ab \n\t\r#'\"\\", max_size=80),
)
@settings(max_examples=2000, deadline=None)
def test_fast_offsets_equal_the_oracle_on_any_value_and_source(value: str, source: str) -> None:
    """Whatever text a node spans, both matchers pick the same source characters."""
    document = parse("x.yml", decode(b"k: v\n"))
    assert isinstance(document, Document)
    text = "k: " + source
    node = Node(kind="scalar", tag="tag:yaml.org,2002:str", start=3, end=len(text), value=value)
    document = replace(document, source=Source.of_text(text))
    assert list(value_offsets(document, node)) == oracle(document, node)


@pytest.mark.parametrize("value", ["docker pull node", "a\nb", " x "])
def test_plain_scalar_offsets_are_its_own_characters(value: str) -> None:
    document = parse("x.yml", decode(b"k: v\n"))
    assert isinstance(document, Document)
    document = replace(document, source=Source.of_text("k: " + value))
    node = Node(
        kind="scalar", tag="tag:yaml.org,2002:str", start=3, end=3 + len(value), value=value
    )
    assert list(value_offsets(document, node)) == list(range(3, 4 + len(value)))
