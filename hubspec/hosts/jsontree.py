"""JSON text -> the positioned node tree of `hubspec.load.document` (offsets of every value).

The standard library's decoder gives values but no positions; this parser walks the text
with its C string scanner (`json.decoder.scanstring`) and a few patterns, so offsets stay
exact and large templates parse quickly. Strings keep their raw token span: `Node.start` is
the opening quote, so `textmap.json_string` can map escapes back to host columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from hubspec.load.document import DEFER_DEPTH, Node, deferred_below
from hubspec.load.source import YamlProblem

MAX_DEPTH = 256
_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None}
_TAGS = {
    True: "tag:yaml.org,2002:bool",
    False: "tag:yaml.org,2002:bool",
    None: "tag:yaml.org,2002:null",
}


class _Error(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_json(
    text: str, wanted: Callable[[Node], Iterable[Node]] | None = None
) -> Node | YamlProblem:
    """The tree of one JSON value, or the problem (message and offset) that stops it.

    With `wanted`, a collection nested `DEFER_DEPTH` deep is parsed into nodes only below
    the nodes that `wanted` picks from the tree above it; elsewhere the standard library's
    C scanner checks it (as strictly as this parser: `_skipped`) and it keeps its kind and
    offsets but not its contents.
    """
    parser = _Parser(text, defer=wanted is not None)
    try:
        node, end = parser.value(_skip(text, 0), 0)
        end = _skip(text, end)
        if end != len(text):
            raise _Error("extra data after the JSON value", end)
        for chosen in wanted(node) if wanted is not None else ():
            parser.expand(chosen)
    except _Error as error:
        return YamlProblem(f"invalid JSON: {error}", error.offset)
    return node


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


class _Lenient(Exception):
    """What the C scanner reads and this parser refuses: a key twice, NaN or Infinity."""


def _pairs(pairs: list[tuple[str, Any]]) -> None:
    if len({key for key, _ in pairs}) != len(pairs):
        raise _Lenient


def _constant(name: str) -> None:
    raise _Lenient


@cache
def _scanner() -> Callable[[str, int], tuple[Any, int]]:
    decoder = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
    scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
    return scan


def _skipped(text: str, at: int, depth: int) -> int | None:
    """Where the JSON value at `at` (`depth` deep) ends, if this parser would read it without
    an error; None when the C scanner finds one (or cannot tell), for this parser to word it.

    The scanner reads strings with the same `scanstring`, numbers, words and whitespace by
    the same grammar; duplicate keys, NaN/Infinity and nesting past MAX_DEPTH (bounded by
    counting brackets) are what it would let through.
    """
    try:
        _, end = _scanner()(text, at)
    except (ValueError, StopIteration, RecursionError, _Lenient):
        return None
    if depth + text.count("{", at, end) + text.count("[", at, end) > MAX_DEPTH:
        return None
    return int(end)


class _Parser:
    def __init__(self, text: str, *, defer: bool = False) -> None:
        self.text = text
        self.defer = defer
        self.deferred: dict[int, int] = {}
        """The depth of each collection skipped so far, by the id of its node."""

    def expand(self, node: Node) -> None:
        """Parse the collections below `node` that were skipped into nodes."""
        self.defer = False
        for current, depth in deferred_below(node, self.deferred):
            full, _ = self.value(current.start, depth)
            current.pairs, current.items = full.pairs, full.items

    def value(self, at: int, depth: int) -> tuple[Node, int]:
        text = self.text
        char = text[at : at + 1]
        if char == '"':
            return self.string(at)
        if char in ("{", "["):
            if depth >= MAX_DEPTH:
                raise _Error(f"nested deeper than {MAX_DEPTH} levels", at)
            if self.defer and depth >= DEFER_DEPTH:
                end = _skipped(text, at, depth)
                if end is not None:
                    node = (
                        Node("mapping", "tag:yaml.org,2002:map", at, end, flow=True)
                        if char == "{"
                        else Node("sequence", "tag:yaml.org,2002:seq", at, end, flow=True)
                    )
                    self.deferred[id(node)] = depth
                    return node, end
            return self.mapping(at, depth) if char == "{" else self.sequence(at, depth)
        for word, meaning in _WORDS.items():
            if text.startswith(word, at):
                return Node("scalar", _TAGS[meaning], at, at + len(word), meaning), at + len(word)
        number = _NUMBER.match(text, at)
        if number is None:
            shown = repr(char) if char else "the end of the text"
            raise _Error(f"expected a value, found {shown}", at)
        literal = number.group()
        value: int | float = float(literal) if any(c in literal for c in ".eE") else int(literal)
        tag = "tag:yaml.org,2002:float" if isinstance(value, float) else "tag:yaml.org,2002:int"
        return Node("scalar", tag, at, number.end(), value), number.end()

    def string(self, at: int) -> tuple[Node, int]:
        try:
            value, end = scanstring(self.text, at + 1, True)
        except json.JSONDecodeError as error:
            raise _Error(error.msg.lower(), error.pos) from None
        return Node("scalar", "tag:yaml.org,2002:str", at, end, value, '"'), end

    def mapping(self, at: int, depth: int) -> tuple[Node, int]:
        text = self.text
        node = Node("mapping", "tag:yaml.org,2002:map", at, at, flow=True)
        cursor = _skip(text, at + 1)
        if text[cursor : cursor + 1] == "}":
            node.end = cursor + 1
            return node, cursor + 1
        seen: dict[str, int] = {}
        while True:
            if text[cursor : cursor + 1] != '"':
                raise _Error("expected a key in double quotes", cursor)
            key, cursor = self.string(cursor)
            if key.value in seen:
                line = text.count("\n", 0, seen[key.value]) + 1
                raise _Error(
                    f"duplicate key '{key.value}' (first defined on line {line})", key.start
                )
            seen[key.value] = key.start
            cursor = _skip(text, cursor)
            if text[cursor : cursor + 1] != ":":
                raise _Error("expected ':' after a key", cursor)
            value, cursor = self.value(_skip(text, cursor + 1), depth + 1)
            node.pairs.append((key, value))
            cursor = _skip(text, cursor)
            char = text[cursor : cursor + 1]
            if char == "}":
                node.end = cursor + 1
                return node, cursor + 1
            if char != ",":
                raise _Error("expected ',' or '}' in an object", cursor)
            cursor = _skip(text, cursor + 1)

    def sequence(self, at: int, depth: int) -> tuple[Node, int]:
        text = self.text
        node = Node("sequence", "tag:yaml.org,2002:seq", at, at, flow=True)
        cursor = _skip(text, at + 1)
        if text[cursor : cursor + 1] == "]":
            node.end = cursor + 1
            return node, cursor + 1
        while True:
            item, cursor = self.value(cursor, depth + 1)
            node.items.append(item)
            cursor = _skip(text, cursor)
            char = text[cursor : cursor + 1]
            if char == "]":
                node.end = cursor + 1
                return node, cursor + 1
            if char != ",":
                raise _Error("expected ',' or ']' in an array", cursor)
            cursor = _skip(text, cursor + 1)
