"""Text cut out of a host file, with the host offset of every character.

An inline buildspec is rarely the host's text as it stands: a block scalar loses its
indentation, a JSON string its escapes, `!Sub` replaces `${Name}`, `Fn::Join` glues pieces.
`Mapped` carries the resulting text and, for each character (and its end), the host offset
where the user sees it, so a finding at any offset of the buildspec has a host line:col.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from hubspec.load.source import LINE_BREAK
from hubspec.records import record


@record(eq=False)
class Mapped:
    """`text` and `offsets`: offsets[i] is the host offset of text[i]; one more for the end."""

    text: str
    offsets: list[int]

    @staticmethod
    def verbatim(text: str, start: int) -> Mapped:
        """Text that stands in the host as it is, from `start` on."""
        return Mapped(text, list(range(start, start + len(text) + 1)))

    @staticmethod
    def synthetic(text: str, at: int) -> Mapped:
        """Text that is not in the host (a placeholder): every character maps to `at`."""
        return Mapped(text, [at] * (len(text) + 1))

    def host_offset(self, offset: int) -> int:
        return self.offsets[min(max(offset, 0), len(self.offsets) - 1)]

    def __add__(self, other: Mapped) -> Mapped:
        return Mapped(self.text + other.text, self.offsets[:-1] + other.offsets)


def join(pieces: Iterable[Mapped], at: int) -> Mapped:
    result = Mapped.synthetic("", at)
    for piece in pieces:
        result = result + piece
    return result


def rewrite(
    mapped: Mapped, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> Mapped:
    """Replace each match of `pattern`; the new text of a match maps to where the match was.

    A replacement as long as its match keeps a one-to-one map; another length maps each new
    character to the match's start (and the rest after it stays exact).
    """
    text = mapped.text
    parts: list[Mapped] = []
    cursor = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        parts.append(_slice(mapped, cursor, start))
        new = replace(match)
        if len(new) == end - start:
            parts.append(Mapped(new, [*mapped.offsets[start:end], mapped.offsets[end]]))
        else:
            parts.append(Mapped.synthetic(new, mapped.offsets[start]))
        cursor = end
    if not parts:
        return mapped
    parts.append(_slice(mapped, cursor, len(text)))
    return join(parts, mapped.offsets[0])


def _slice(mapped: Mapped, start: int, end: int) -> Mapped:
    return Mapped(mapped.text[start:end], mapped.offsets[start : end + 1])


def same_width(text: str) -> str:
    """An unknown value written as `${...}`: a shell variable of the same width that no
    step defines, so the shell analysis treats it as unknown and columns stay exact."""
    inner = re.sub(r"\W", "_", text[2:-1]) or "_"
    return "${" + inner + "}"


JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def json_string(raw: str, start: int) -> Mapped:
    """The value of a JSON (or HCL quoted) string body `raw` (no quotes) at host `start`.

    Every escape maps to the host offset of its backslash; other characters map one-to-one.
    Invalid escapes are kept as written (the caller has parsed the string already).
    """
    if "\\" not in raw:
        return Mapped.verbatim(raw, start)
    chars: list[str] = []
    offsets: list[int] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            code = raw[index + 1]
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[index + 2 : index + 6]):
                value = chr(int(raw[index + 2 : index + 6], 16))
                width = 6
                if 0xD800 <= ord(value) < 0xDC00 and raw[index + 6 : index + 8] == "\\u":
                    low = int(raw[index + 8 : index + 12] or "0", 16)
                    if 0xDC00 <= low < 0xE000:
                        value = chr(0x10000 + ((ord(value) - 0xD800) << 10) + (low - 0xDC00))
                        width = 12
                chars.append(value)
                offsets.append(start + index)
                index += width
                continue
            if code in JSON_ESCAPES:
                chars.append(JSON_ESCAPES[code])
                offsets.append(start + index)
                index += 2
                continue
        chars.append(char)
        offsets.append(start + index)
        index += 1
    offsets.append(start + len(raw))
    return Mapped("".join(chars), offsets)


def aligned(value: str, host: str, start: int, end: int) -> Mapped:
    """Map `value` onto host[start:end] by walking both: each value character maps to the
    next host character equal to it (within a short reach), else to where the walk is.

    For scalar styles whose layout is not modelled exactly (folded, quoted with escapes):
    exact for every character the host spells as is, close for the others.
    """
    offsets: list[int] = []
    cursor = start
    for char in value:
        found = host.find(char, cursor, min(end, cursor + 16)) if char not in "\n" else -1
        if char == "\n":
            found = host.find("\n", cursor, end)
        if found == -1:
            offsets.append(min(cursor, max(end - 1, start)))
            continue
        offsets.append(found)
        cursor = found + 1
    offsets.append(min(cursor, end))
    return Mapped(value, offsets)


def block_scalar(value: str, host: str, start: int, end: int) -> Mapped:
    """A literal block scalar (`|`) at host[start:end] (from its header on): each line of the
    value is a host line after the block's indentation, which is not part of the text."""
    header_end, lines_start = _line_break(host, start)
    if header_end >= end:
        return aligned(value, host, start, end)
    header = host[start:header_end]
    indent = _block_indent(header, host, lines_start, end)
    offsets: list[int] = []
    position = lines_start
    lines = value.split("\n")  # YAML gives a block scalar's line breaks as LF, whatever the host's
    exact = True  # every character (but line breaks) is the host character it maps to
    for number, line in enumerate(lines):
        content_end, next_line = _line_break(host, position)
        content = position + min(indent, content_end - position)
        offsets.extend(range(content, content + len(line)))
        exact = exact and host.startswith(line, content)
        if number < len(lines) - 1:
            offsets.append(content_end)  # the line break: where the line ends
        position = next_line
    offsets.append(offsets[-1] + 1 if offsets else lines_start)
    return Mapped(value, offsets) if exact else aligned(value, host, start, end)


def _block_indent(header: str, host: str, lines_start: int, end: int) -> int:
    explicit = re.search(r"[|>][-+]?([1-9])|[|>]([1-9])", header)
    if explicit:
        parent = len(header) - len(header.lstrip(" "))
        return parent + int(explicit.group(1) or explicit.group(2))
    position = lines_start
    while position < end:
        line_end, next_line = _line_break(host, position)
        line = host[position : min(line_end, end)]
        if line.strip():
            return len(line) - len(line.lstrip(" "))
        position = next_line
    return 0


def _line_break(host: str, position: int) -> tuple[int, int]:
    """Where the host line holding `position` ends (CR LF, CR or LF), and where the next
    one starts (past the text's end when it is the last)."""
    found = LINE_BREAK.search(host, position)
    if found is None:
        return len(host), len(host) + 1
    return found.start(), found.end()
