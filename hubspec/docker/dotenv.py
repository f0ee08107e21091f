"""A compose env file (`.env`, `--env-file`) -> the variables it sets, as compose-go reads it.

Compose interpolates `${NAME}` in its files from the environment and, for names the
environment does not set, from this file; `COMPOSE_FILE` may come from it too. The syntax is
compose-go's dotenv: `KEY=value` or `export KEY=value`; a value in single quotes is literal,
one in double quotes knows `\\n`, `\\t`, `\\"` and `\\\\` and is interpolated, as is an
unquoted one (trimmed, ` #` starts a comment); quoted values may span lines; `KEY` alone
takes the value the environment has, if any; blank lines and `#` lines are skipped.
Interpolation sees the environment first, then the file's earlier keys; a value built from
a name that is set but not known (None) is not known either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hubspec.docker._expand import Value, expand

_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}
_UNQUOTED_END = re.compile(r"[ \t]+#|$", re.MULTILINE)


def read_dotenv(
    text: str, environment: Mapping[str, str | None]
) -> tuple[dict[str, str | None], tuple[int, str] | None]:
    """The variables the file sets (None: set, value not known), and the first problem
    (line, message) that makes compose refuse the file, if any."""
    found: dict[str, str | None] = {}
    position, line = 0, 0
    while position < len(text):
        line += 1
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        stripped = text[position:line_end].strip()
        if not stripped or stripped.startswith("#"):
            position = line_end + 1
            continue
        key = _KEY.match(text, position)
        if key is None or key.end() > line_end:
            return found, (line, "expected a variable name")
        name, after = key.group(1), key.end()
        if after == line_end:  # `KEY` alone: the environment's value, if it has one
            if name in environment:
                found[name] = environment[name]
            position = line_end + 1
            continue
        if text[after] not in "=:":
            return found, (line, f"unexpected character {text[after]!r} after {name}")
        value, following, problem = _value(text, after + 1, environment, found)
        if problem is not None:
            return found, (line, problem)
        found[name] = value
        line += text.count("\n", line_end, following - 1)  # a quoted value's own lines
        position = following
    return found, None


def _value(
    text: str, start: int, environment: Mapping[str, str | None], found: dict[str, str | None]
) -> tuple[str | None, int, str | None]:
    """(value, where the next line starts, problem) of the value that starts at `start`."""
    while start < len(text) and text[start] in " \t":
        start += 1
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        close = _closing(text, start + 1, quote)
        if close < 0:
            return None, len(text), f"the value's {quote} is not closed"
        rest_end = text.find("\n", close)
        rest_end = len(text) if rest_end < 0 else rest_end
        rest = text[close + 1 : rest_end].strip()
        if rest and not rest.startswith("#"):
            shown = rest if len(rest) <= 40 else rest[:37] + "..."
            return None, rest_end + 1, f"unexpected text after the quoted value: {shown!r}"
        raw = text[start + 1 : close]
        if quote == "'":
            return raw, rest_end + 1, None
        return _interpolated(_unescaped(raw), environment, found), rest_end + 1, None
    end = _UNQUOTED_END.search(text, start)
    stop = end.start() if end is not None else len(text)
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    raw = text[start:stop].strip()
    return _interpolated(raw, environment, found), line_end + 1, None


def _closing(text: str, start: int, quote: str) -> int:
    """The index of the quote that closes a value, skipping `\\"` in double quotes; -1."""
    position = start
    while position < len(text):
        character = text[position]
        if character == quote:
            return position
        position += 2 if character == "\\" and quote == '"' else 1
    return -1


def _unescaped(raw: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group()), raw)


def _interpolated(
    raw: str, environment: Mapping[str, str | None], found: dict[str, str | None]
) -> str | None:
    """`raw` with `${NAME}` expanded; None when a piece is not known."""
    if "$" not in raw:
        return raw

    def lookup(name: str) -> Value | None:
        for source in (environment, found):
            if name in source:
                value = source[name]
                return Value.of(value) if value is not None else Value.unknown(name)
        return None

    def unset_plain(name: str) -> Value:
        return Value.unknown(name)  # the project's environment may set it

    value = expand(raw, lookup, unset_plain, compose=True).value
    return value.text if value.is_known else None
