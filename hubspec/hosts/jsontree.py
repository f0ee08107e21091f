"""JSON text -> the positioned node tree of `hubspec.load.document` (offsets of every value).

The standard library's decoder gives values but no positions; this parser walks the text
with its C string scanner (`json.decoder.scanstring`) and a few patterns, so offsets stay
exact and large templates parse quickly. Strings keep their raw token span: `Node.start` is
the opening quote, so `textmap.json_string` can map escapes back to host columns.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]

from hubspec.load.document import Node
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


def parse_json(text: str) -> Node | YamlProblem:
    """The tree of one JSON value, or the problem (message and offset) that stops it."""
    try:
        node, end = _Parser(text).value(_skip(text, 0), 0)
        end = _skip(text, end)
        if end != len(text):
            raise _Error("extra data after the JSON value", end)
    except _Error as error:
        return YamlProblem(f"invalid JSON: {error}", error.offset)
    return node


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def value(self, at: int, depth: int) -> tuple[Node, int]:
        text = self.text
        char = text[at : at + 1]
        if char == '"':
            return self.string(at)
        if char in ("{", "["):
            if depth >= MAX_DEPTH:
                raise _Error(f"nested deeper than {MAX_DEPTH} levels", at)
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
