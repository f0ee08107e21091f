"""Variable expansion for Dockerfile words and compose values, with unknowns kept as unknowns.

A statically unknown variable must not silently become an empty string: `node:${TAG}` still
pins the repository even though the tag is open, while `${BASE}` pins nothing. Values are
therefore sequences of known and unknown parts, and callers look at the known prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from hubspec.records import field, record

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_OPERATORS = frozenset("-+?")


@record
class Value:
    """A string made of known text and unknown pieces (kept as their source text)."""

    parts: tuple[tuple[str, bool], ...] = ()

    @staticmethod
    def of(text: str) -> Value:
        return Value(((text, True),)) if text else Value()

    @staticmethod
    def unknown(source: str) -> Value:
        return Value(((source, False),))

    @property
    def is_known(self) -> bool:
        return all(known for _, known in self.parts)

    @property
    def text(self) -> str:
        """The value with unknown pieces shown as written (`node:${TAG}`)."""
        return "".join(text for text, _ in self.parts)

    @property
    def prefix(self) -> str:
        """The known text before the first unknown piece."""
        out: list[str] = []
        for text, known in self.parts:
            if not known:
                break
            out.append(text)
        return "".join(out)

    @property
    def surely_empty(self) -> bool:
        return self.is_known and not self.text

    @property
    def surely_nonempty(self) -> bool:
        return any(known and text for text, known in self.parts)

    def __add__(self, other: Value) -> Value:
        return Value(self.parts + other.parts)


Lookup = Callable[[str], "Value | None"]
"""The value of a variable, or None when it is unset."""
UnsetPlain = Callable[[str], Value]
"""What a plain `$X` of an unset variable becomes (empty, or unknown)."""


@record
class Expansion:
    """The result of expanding one word."""

    value: Value
    unknown: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


@record(frozen=False)
class _Result:
    value: Value = field(default_factory=Value)
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, other: _Result) -> None:
        self.value = self.value + other.value
        self.unknown.extend(name for name in other.unknown if name not in self.unknown)
        self.errors.extend(other.errors)

    def literal(self, text: str) -> None:
        self.value = self.value + Value.of(text)


MAX_NESTING = 32
"""`${A:-${B:-...}}` levels expanded; deeper is an error and an unknown value, not a crash."""


@cache
def _ordinary_run(stop: str | None, escape: str, compose: bool) -> re.Pattern[str]:
    """Text up to the next character `_Expander.word` treats specially."""
    special = {"$"} if compose else {"$", "'", '"', escape}
    if stop is not None:
        special.add(stop)
    return re.compile("[^" + "".join(re.escape(char) for char in sorted(special)) + "]+")


class _Expander:
    """A small recursive-descent expander; `compose` selects compose-go rules over BuildKit's."""

    def __init__(
        self, text: str, lookup: Lookup, unset_plain: UnsetPlain, compose: bool, escape: str
    ) -> None:
        self.text = text
        self.pos = 0
        self.lookup = lookup
        self.unset_plain = unset_plain
        self.compose = compose
        self.escape = escape
        self.depth = 0  # `${A:-${B:-...}}` words open inside each other

    def word(self, stop: str | None) -> _Result:
        """Expand until `stop` (consumed) or the end of the text."""
        result = _Result()
        text = self.text
        quoted = False
        ordinary = _ordinary_run(stop, self.escape, self.compose)
        while self.pos < len(text):
            run = ordinary.match(text, self.pos)
            if run is not None:  # characters that stand for themselves, taken at once
                result.literal(run.group())
                self.pos = run.end()
                continue
            ch = text[self.pos]
            if stop is not None and ch == stop and not quoted:
                self.pos += 1
                return result
            if self.compose:
                if text.startswith("$$", self.pos):
                    result.literal("$")
                    self.pos += 2
                elif ch == "$":
                    result.add(self.dollar())
                else:
                    result.literal(ch)
                    self.pos += 1
                continue
            if ch == self.escape:
                result.literal(text[self.pos + 1 : self.pos + 2] or ch)
                self.pos += 2
            elif ch == "'" and not quoted:
                end = text.find("'", self.pos + 1)
                end = len(text) if end == -1 else end
                result.literal(text[self.pos + 1 : end])
                self.pos = end + 1
            elif ch == '"':
                quoted = not quoted
                self.pos += 1
            elif ch == "$":
                result.add(self.dollar())
            else:
                result.literal(ch)
                self.pos += 1
        if stop is not None:
            result.errors.append(f"missing '{stop}' in {self.text!r}")
        return result

    def name(self) -> str:
        start = self.pos
        if self.pos < len(self.text) and self.text[self.pos] in _NAME_START:
            self.pos += 1
            while self.pos < len(self.text) and self.text[self.pos] in _NAME_CHARS:
                self.pos += 1
        return self.text[start : self.pos]

    def dollar(self) -> _Result:
        start = self.pos
        self.pos += 1
        if self.text.startswith("{", self.pos):
            self.pos += 1
            return self.braced(start)
        name = self.name()
        if not name:
            result = _Result()
            result.literal("$")
            return result
        return self.plain(name, start)

    def plain(self, name: str, start: int) -> _Result:
        result = _Result()
        value = self.lookup(name)
        if value is None:
            value = self.unset_plain(name)
        if not value.is_known:
            result.unknown.append(name)
            if not value.parts:
                value = Value.unknown(self.text[start : self.pos])
        result.value = value
        return result

    def skip_braces(self) -> None:
        """Move past the `}` that closes an expression we cannot evaluate."""
        depth = 1
        while self.pos < len(self.text) and depth:
            if self.text.startswith("${", self.pos):
                depth += 1
                self.pos += 1
            elif self.text[self.pos] == "}":
                depth -= 1
            self.pos += 1

    def braced(self, start: int) -> _Result:
        name = self.name()
        rest = self.text[self.pos : self.pos + 2]
        if name and rest[:1] == "}":
            self.pos += 1
            return self.plain(name, start)
        colon = rest[:1] == ":" and rest[1:2] in _OPERATORS
        operator = rest[1:2] if colon else rest[:1]
        too_deep = self.depth >= MAX_NESTING
        if not name or operator not in _OPERATORS or too_deep:
            self.skip_braces()
            source = self.text[start : self.pos]
            result = _Result(value=Value.unknown(source))
            shown = source if len(source) <= 60 else source[:57] + "..."
            result.errors.append(
                f"{shown} nests expansions deeper than {MAX_NESTING} levels"
                if too_deep
                else f"unsupported expansion {shown}"
            )
            if name:
                result.unknown.append(name)
            return result
        self.pos += 2 if colon else 1
        self.depth += 1
        try:
            word = self.word("}")
        finally:
            self.depth -= 1
        source = self.text[start : self.pos]
        return self.apply(name, operator, colon, word, source)

    def apply(self, name: str, operator: str, colon: bool, word: _Result, source: str) -> _Result:
        """Shell parameter expansion semantics, with unknown values propagated."""
        value = self.lookup(name)
        unknown = _Result(value=Value.unknown(source), unknown=[name])
        if value is not None and not value.is_known and not value.surely_nonempty:
            return unknown
        is_set = value is not None
        nonempty = value is not None and value.surely_nonempty
        use_word = (not nonempty) if colon else (not is_set)
        if operator == "-":
            if not use_word:
                return self._value(name, value)
            return word
        if operator == "+":
            return _Result() if use_word else word
        # "?": an error at build time; statically the variable may well be set there.
        return unknown if use_word else self._value(name, value)

    @staticmethod
    def _value(name: str, value: Value | None) -> _Result:
        if value is None:
            return _Result()
        return _Result(value=value, unknown=[] if value.is_known else [name])


def expand(
    text: str,
    lookup: Lookup,
    unset_plain: UnsetPlain,
    *,
    compose: bool = False,
    escape: str = "\\",
) -> Expansion:
    """Expand `$X`, `${X}`, `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}`, `${X:?w}`, `${X?w}`.

    Shell rules (BuildKit's lexer) handle the escape character and quotes; compose rules
    (compose-go) only know `$$`. Other operators (`#`, `%`, `/`) are reported as errors and
    make the piece unknown.
    """
    result = _Expander(text, lookup, unset_plain, compose, escape).word(None)
    return Expansion(
        value=_merge(result.value), unknown=tuple(result.unknown), errors=tuple(result.errors)
    )


def _merge(value: Value) -> Value:
    """Join adjacent parts of the same kind, for simple equality in tests and messages."""
    parts: list[tuple[str, bool]] = []
    for text, known in value.parts:
        if parts and parts[-1][1] == known:
            parts[-1] = (parts[-1][0] + text, known)
        elif text:
            parts.append((text, known))
    return Value(tuple(parts))
