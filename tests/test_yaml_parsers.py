"""The libyaml fast path of document.parse gives exactly what ruamel's pure parser gives.

hubspec/load/document.py reads libyaml's events (ruamel.yaml.clib) where they are known to match
the pure parser's and leaves every other text to the pure parser. These tests compare the
two paths on whole results (every Node field and offset, shared alias nodes, data, or the
YamlProblem) for the fixtures, the corpus and generated documents, check each class of
difference that tests/fuzz/yaml_parsers.py found, and check both ways of falling back:
no C extension, and an error from it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from fuzz import yaml_parsers as diff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from hubspec.load import document
from hubspec.load.document import Document, parse
from hubspec.load.source import Source, YamlProblem, decode, line_in, line_starts_of

pytest.importorskip("_ruamel_yaml", reason="ruamel.yaml.clib is not installed")

EOF_LINE_COLUMN = diff.EOF_LINE_COLUMN
"""The one difference kept on the fast path: only mark indexes are used, and they agree."""


def _decoded(data: bytes) -> Source | None:
    result = decode(data)
    return result if result.problem is None else None


def _check_paths_agree(texts: list[tuple[str, bytes]]) -> set[str]:
    """Assert both paths agree on every text; the names of those that took the fast path."""
    fast: set[str] = set()
    mismatches: list[str] = []
    for name, data in texts:
        decoded = _decoded(data)
        if decoded is None:
            continue
        if document._c_events(decoded.text) is not None:
            fast.add(name)
        if diff.signature(diff.parse_pure(decoded)) != diff.signature(diff.parse_default(decoded)):
            mismatches.append(name)
    assert mismatches == []
    return fast


def _files(base: Path, patterns: tuple[str, ...]) -> list[tuple[str, bytes]]:
    return [
        (str(path.relative_to(base)), path.read_bytes())
        for pattern in patterns
        for path in sorted(base.rglob(pattern))
        if path.is_file()
    ]


def test_fixtures_parse_the_same_by_both_paths() -> None:
    texts = _files(FIXTURES, ("*.yml", "*.yaml"))
    assert len(texts) > 400
    assert len(_check_paths_agree(texts)) > len(texts) * 0.8  # the fast path is really taken


def test_corpus_parses_the_same_by_both_paths(corpus: Path) -> None:
    texts = _files(corpus, ("*",))
    buildspecs = {name for name, _ in texts if "buildspec" in name.lower()}
    assert len(buildspecs) > 200
    fast = _check_paths_agree(texts)
    assert len(fast & buildspecs) > len(buildspecs) * 0.95


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(diff.yaml_texts())
def test_generated_documents_parse_the_same_by_both_paths(text: str) -> None:
    decoded = diff.decoded_of(text)
    if decoded is None:
        return
    fast = document._c_events(decoded.text) is not None
    assert fast == (diff.fallback_reason(decoded.text) is None)
    if fast:
        assert diff.fast_path_difference(decoded.text) <= {EOF_LINE_COLUMN}
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
HEAD = "version: 0.2\nphases:\n  build:\n    commands:\n"

# Forms the fast path reads (True) or leaves to the pure parser (False); both agree on all.
FORMS = {
    "empty": ("", True),
    "comment only": ("# nothing here\n", True),
    "several documents": ("version: 0.2\n---\nversion: 0.2\n", True),
    "document end marker twice": ("version: 0.2\n...\n...\n", False),
    "document end marker after a comment": ("version: 0.2\n...\n# x\n...\n", False),
    "document end markers each ending one": ("version: 0.2\n...\n---\na: 1\n...\n", True),
    "duplicate key": ("version: 0.2\nversion: 0.1\n", True),
    "anchor and alias": (HEAD + "      - &pull docker pull node:20\n      - *pull\n", True),
    "CRLF": (BUILDSPEC.replace("\n", "\r\n"), True),
    "CR only": (BUILDSPEC.replace("\n", "\r"), True),
    "non-ASCII and astral": (
        HEAD + "      - echo 'é 中 \U0001f433' && docker pull a # \U0001f600\n",
        True,
    ),
    "folded, chomping": (
        HEAD + "      - >-\n        docker\n        pull\n\n        x\n      - >+\n        x\n\n",
        True,
    ),
    "literal, indentation indicator": (
        HEAD + "      - |2-\n          indented\n        docker pull a\n",
        True,
    ),
    "flow collections": ("version: 0.2\nphases: {build: {commands: [a, 'b', \"c\"]}}\n", True),
    "explicit key": ("version: 0.2\n? phases\n: build:\n    commands: [x]\n", True),
    "long line": (HEAD + "      - echo " + "x" * 5000 + "\n", True),
    "escapes": (HEAD + '      - "docker pull \\u00e9\\U0001F433\\x41\\t\\\\ \\/"\n', True),
    "multi-line plain": (HEAD + "      - docker pull\n        node:20\n", True),
    "mapping in a sequence": (HEAD + "      - a: 1\n        b: 2\n", True),
    "merge key": ("version: 0.2\nbase: &b {x: 1}\nphases:\n  <<: *b\n", False),
    "document markers only": ("---\n...\n", False),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_forms_parse_the_same_by_both_paths(name: str) -> None:
    text, fast = FORMS[name]
    assert (document._c_events(text) is not None) == fast
    decoded = Source.of_text(text)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


# One text of each class in which libyaml's events differ from ruamel's, and the check in
# document._c_events that sends it to the pure parser.
DIVERGENT = {
    "tab after a value": ("version: 0.2\t\nphases: {}\n", "pre-check '\\t'"),
    "tab before a comment": ("version: 0.2\t# c\nphases: {}\n", "pre-check '\\t'"),
    "tab after ':'": ("version:\t0.2\nphases: {}\n", "pre-check '\\t'"),
    "NEL": ("version: 0.2\nphases: a\x85b: c\n", "pre-check '\\x85'"),
    "LS": ("version: 0.2\nphases: a\u2028b: c\n", "pre-check '\\u2028'"),
    "PS in a quoted scalar": ("version: '0.2\u2029'\nphases: {}\n", "pre-check '\\u2029'"),
    "second BOM": ("\ufeff" + BUILDSPEC, "pre-check '\\ufeff'"),
    "tab after a comment's lone CR": ("version: 0.2\n# c\rphases: 1\t\n", "pre-check '\\t'"),
    "%YAML 1.1": ("%YAML 1.1\n---\nversion: 0.2\nphases: {a: yes}\n", "pre-check '%'"),
    "%TAG": ("%TAG !e! tag:e.com,2000:\n---\nversion: 0.2\n", "pre-check '%'"),
    "empty value in flow": ("version: 0.2\nphases: {build: }\n", "empty scalar in flow style"),
    "empty value before an explicit key": (
        "version: 0.2\nenv:\n? phases\n: {}\n",
        "empty value before '?' or ':'",
    ),
    "tag with a second !": ("version: 0.2\nphases: !a$!\n", "tag"),
    "non-specific tag": ("version: 0.2\nphases: !\n", "tag"),
    "alias name with ':'": ("*version: 0.2\n", "anchor or alias name"),
    "anchor name with ':'": ("version: 0.2\nphases:\n  &b: x\n", "anchor or alias name"),
    "comment right after a block scalar header": (
        "version: 0.2\nphases: |#\n  x\n",
        "block scalar header",
    ),
    "quoted key and ':' in a flow sequence": (
        'version: 0.2\nphases: ["x":1]\n',
        "flow mapping without '{'",
    ),
    "top-level block scalar at column 0": ("--- |\nfoo\n", "libyaml error"),
    "empty key": ("version: 0.2\n: x\n", "libyaml error"),
    "anchor name with '.'": (BUILDSPEC + "      - &a.b x\n", "libyaml error"),
}


@pytest.mark.parametrize("name", sorted(DIVERGENT))
def test_each_class_of_difference_goes_to_the_pure_parser(name: str) -> None:
    text, reason = DIVERGENT[name]
    assert diff.event_difference(text), "libyaml now agrees: the check may be dropped"
    assert diff.fallback_reason(text) == reason
    assert document._c_events(text) is None
    decoded = Source.of_text(text)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


MOVED_EMPTY_VALUES = {
    "next key": ("version: 0.2\nenv:\nphases: {}\n", "version: 0.2\nenv:\n"),
    "end of the text": (
        BUILDSPEC + "env:\n  variables:\n    A:\n",
        BUILDSPEC + "env:\n  variables:\n    A:\n",
    ),
    "after comments and blank lines": (
        "version: 0.2\nenv:   # none yet\n\n  # later\r\nphases: {}\n",
        "version: 0.2\nenv:   # none yet\n\n  # later\r\n",
    ),
    "end of a nested mapping": (
        "version: 0.2\nphases:\n  build:\nenv: {}\n",
        "version: 0.2\nphases:\n  build:\n",
    ),
}


@pytest.mark.parametrize("name", sorted(MOVED_EMPTY_VALUES))
def test_an_empty_block_value_takes_the_fast_path_at_ruamels_mark(name: str) -> None:
    """libyaml marks `key:` right after the ':', ruamel at the next token: the event moves there."""
    text, before_mark = MOVED_EMPTY_VALUES[name]
    assert "empty scalar marked elsewhere" in diff.event_difference(text)
    events = document._c_events(text)
    assert events is not None
    empty = [event for event in events if type(event).__name__ == "ScalarEvent" and not event.value]
    assert [event.start_mark.index for event in empty] == [len(before_mark)]
    assert diff.fast_path_difference(text) <= {EOF_LINE_COLUMN}
    decoded = Source.of_text(text)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


def test_a_text_without_a_final_line_break_takes_the_fast_path() -> None:
    text = BUILDSPEC.rstrip("\n")
    assert diff.event_difference(text) == {EOF_LINE_COLUMN}
    assert document._c_events(text) is not None
    decoded = Source.of_text(text)
    result = diff.parse_default(decoded)
    assert isinstance(result, document.Document)
    assert result.root.end == len(text)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(result)


def test_without_the_c_extension_the_pure_parser_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = diff.signature(diff.parse_pure(Source.of_text(BUILDSPEC)))
    document._c_parser_class.cache_clear()
    monkeypatch.setitem(sys.modules, "_ruamel_yaml", None)  # import fails
    try:
        assert document._c_parser_class() is None
        assert document._c_events(BUILDSPEC) is None
        result = document.parse("buildspec.yml", Source.of_text(BUILDSPEC))
        assert diff.signature(result) == expected
    finally:
        document._c_parser_class.cache_clear()
    monkeypatch.undo()
    assert document._c_parser_class() is not None


class _FailingParser:
    """Stands in for libyaml's parser: fails on the second event with its own message."""

    def __init__(self, text: str) -> None:
        self.count = 0

    def get_event(self) -> Any:
        from ruamel.yaml.error import MarkedYAMLError
        from ruamel.yaml.events import StreamStartEvent

        self.count += 1
        if self.count > 1:
            raise MarkedYAMLError(problem="a libyaml message")
        return StreamStartEvent()

    def dispose(self) -> None:
        pass


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("version: 0.2\nphases: a: b\n", "invalid YAML: mapping values are not allowed here", 22),
        (
            "version: 0.2\nphases:\n  build: 'x\n",
            "invalid YAML: found unexpected end of stream (while scanning a quoted scalar)",
            33,
        ),
        (BUILDSPEC, None, None),
    ],
)
def test_an_error_in_the_c_parser_gives_the_pure_parsers_result(
    monkeypatch: pytest.MonkeyPatch, text: str, message: str | None, offset: int | None
) -> None:
    decoded = Source.of_text(text)
    expected = diff.parse_pure(decoded)
    monkeypatch.setattr(document, "_c_parser_class", lambda: _FailingParser)
    assert document._c_events(text) is None
    result = document.parse("buildspec.yml", decoded)
    assert diff.signature(result) == diff.signature(expected)
    if message is None:
        assert isinstance(result, document.Document)
    else:
        assert isinstance(result, YamlProblem)
        assert result.message == message
        assert result.offset == offset


def test_a_c_parser_that_cannot_start_leaves_the_text_to_the_pure_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str) -> Any:
        raise AttributeError("built for another ruamel.yaml")

    decoded = Source.of_text(BUILDSPEC)
    expected = diff.signature(diff.parse_pure(decoded))
    monkeypatch.setattr(document, "_c_parser_class", lambda: broken)
    assert document._c_events(BUILDSPEC) is None
    assert diff.signature(document.parse("buildspec.yml", decoded)) == expected


@given(st.text(min_size=1, max_size=12))
@settings(max_examples=3000, deadline=None)
def test_plain_scalars_skip_the_resolver_only_when_it_would_say_string(value: str) -> None:
    """The first-character shortcut in _compose agrees with ruamel's YAML 1.2 resolver."""
    from ruamel.yaml.nodes import ScalarNode

    from hubspec.load.document import _default_resolver, _plain_string_starts

    starts = _plain_string_starts()
    assert starts is not None
    resolved = str(_default_resolver().resolve(ScalarNode, value, (True, False)))
    if value[0] not in starts:
        assert resolved == "tag:yaml.org,2002:str"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("v: 0.2\n", "float"),
        ("v: true\n", "bool"),
        ("v: ~\n", "null"),
        ("v: 12\n", "int"),
        ("v: yes\n", "str"),
        ("v: docker build .\n", "str"),
        ("v: .inf\n", "float"),
    ],
)
def test_plain_scalar_tags_on_the_fast_path(text: str, tag: str) -> None:
    document = parse("buildspec.yml", decode(text.encode()))
    assert isinstance(document, Document)
    ((_, value),) = document.root.pairs
    assert value.tag == "tag:yaml.org,2002:" + tag


def test_many_nodes_without_aliases_are_refused_as_an_alias_bomb_is() -> None:
    """Without aliases the size check is skipped below the limit: the node count decides."""
    items = document.MAX_EXPANDED_NODES // 2 + 10
    text = "version: 0.2\nphases: {}\nx:\n" + "  - [a]\n" * items
    result = parse("buildspec.yml", Source.of_text(text))
    assert isinstance(result, YamlProblem)
    assert "aliases expand to more than 100,000 nodes" in result.message
    fewer = "version: 0.2\nphases: {}\nx:\n" + "  - [a]\n" * (items // 4)
    assert isinstance(parse("buildspec.yml", Source.of_text(fewer)), Document)


def test_scalars_share_empty_child_lists_that_stay_empty(corpus: Path) -> None:
    for path in sorted(corpus.rglob("*.y*ml"))[:60]:
        decoded = _decoded(path.read_bytes())
        if decoded is not None:
            parse(str(path), decoded)
    assert document._NO_PAIRS == [] and document._NO_ITEMS == []


@given(st.text(alphabet="ab\n\r \x85\u2028\x0c", max_size=40))
def test_line_starts_are_the_offsets_after_each_yaml_line_break(text: str) -> None:
    """CR LF, CR and LF end a line (YAML 1.2, LSP); NEL, U+2028 and a form feed do not."""
    expected = [0] + [
        index + 1
        for index, char in enumerate(text)
        if char == "\n" or (char == "\r" and text[index + 1 : index + 2] != "\n")
    ]
    assert line_starts_of(text) == expected
    assert [line_in(text, expected, index) for index in range(len(expected))] == (
        text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )


@given(st.text(alphabet="a%#\t\n\r \x85\u2028\u2029\ufeffé", max_size=30))
def test_the_fast_pure_only_check_agrees_with_its_pattern(text: str) -> None:
    """The same answer, except that tabs after the '#' of comment lines are allowed."""
    in_comments = "\t" in text and all(
        line.lstrip(" ").startswith("#") and line.index("\t") > line.index("#")
        for line in text.replace("\r", "\n").split("\n")
        if "\t" in line
    )
    without = text.replace("\t", "") if in_comments else text
    assert document._pure_only(text) == (re.search(document._PURE_ONLY, without) is not None)


@pytest.mark.parametrize(
    "text",
    [
        BUILDSPEC + "# a note\twith a tab\n",
        BUILDSPEC + "# a note\twith a tab\r\n# and another\t\r\n",
        "version: 0.2\n  #\tindented comment\nphases: {}\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        # x\ty\n",
    ],
)
def test_tabs_in_comment_lines_take_the_fast_path(text: str) -> None:
    assert document._c_events(text) is not None
    assert diff.fast_path_difference(text) <= {EOF_LINE_COLUMN}
    decoded = Source.of_text(text)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_tabs_put_into_comment_lines_of_fixtures_change_nothing(data: st.DataObject) -> None:
    texts = _commented_fixture_texts()
    text = data.draw(st.sampled_from(texts))
    lines = text.split("\n")
    comments = [index for index, line in enumerate(lines) if line.lstrip(" ").startswith("#")]
    for index in data.draw(st.lists(st.sampled_from(comments), min_size=1, max_size=4)):
        line = lines[index]
        at = data.draw(st.integers(line.index("#") + 1, len(line)))
        lines[index] = line[:at] + "\t" + line[at:]
    changed = "\n".join(lines)
    assert document._c_events(changed) is not None
    assert diff.fast_path_difference(changed) <= {EOF_LINE_COLUMN}
    decoded = Source.of_text(changed)
    assert diff.signature(diff.parse_pure(decoded)) == diff.signature(diff.parse_default(decoded))


_COMMENTED: list[str] = []


def _commented_fixture_texts() -> list[str]:
    """Fixture texts on the fast path that have comment lines (read once)."""
    if not _COMMENTED:
        for _, raw in _files(FIXTURES, ("*.yml", "*.yaml")):
            decoded = _decoded(raw)
            if decoded is None or document._c_events(decoded.text) is None:
                continue
            if any(line.lstrip(" ").startswith("#") for line in decoded.text.split("\n")):
                _COMMENTED.append(decoded.text)
    return _COMMENTED


def test_remembered_scalar_tags_depend_on_the_value_and_its_quoting() -> None:
    """The libyaml path remembers the resolver's tag per (value, implicit flags)."""
    first = parse("a.yml", decode(b"a: 0.2\nb: '0.2'\nc: true\nd: 'true'\ne: null\n"))
    again = parse("b.yml", decode(b"e: '0.2'\nd: 0.2\nc: 'true'\nb: true\na: ~\n"))
    assert isinstance(first, Document) and isinstance(again, Document)
    assert first.data == {"a": 0.2, "b": "0.2", "c": True, "d": "true", "e": None}
    assert again.data == {"e": "0.2", "d": 0.2, "c": "true", "b": True, "a": None}
    assert document._RESOLVED[("0.2", (True, False))] == "tag:yaml.org,2002:float"
