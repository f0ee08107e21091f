"""Quote removal: the text a quoted or escaped piece of a shell word stands for.

Takes the source text of one piece (unquoted, inside double quotes, or the body of `$'...'`);
hands on its value. Pure functions over strings, shared by the evaluator and the field split.
"""

from __future__ import annotations

import re


def unescape(text: str) -> str:
    """Quote removal for unquoted text: `\\c` is c, backslash-newline disappears."""
    return _unescape(text, None)


def unescape_dq(text: str) -> str:
    """Inside double quotes only \\ before $ ` " \\ or newline is special."""
    return _unescape(text, '$`"\\\n')


def _unescape(text: str, special: str | None) -> str:
    """Drop the backslash before a character of `special` (any character when None); a
    backslash-newline disappears."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and (special is None or text[i + 1] in special):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = "0123456789abcdefABCDEF"


def ansi_c(body: str) -> str:
    """Decode the escapes of a $'...' string the way bash does for the common cases."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1]
        i += 2
        if esc in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[esc])
        elif esc in "01234567":
            j = i - 1
            while j < n and j < i + 2 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i - 1 : j], 8) & 0xFF))
            i = j
        elif esc in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[esc]
            j = i
            while j < n and j < i + limit and body[j] in _HEX:
                j += 1
            if j == i:
                out.append("\\" + esc)
            else:
                code = int(body[i:j], 16)
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                i = j
        elif esc == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + esc)
    return "".join(out)


_IFS_BLANKS = re.compile(r"[ \t\n]+")


def split_fields(segments: list[tuple[str, bool]]) -> list[str]:
    """The words bash makes of one word's pieces: (value, split) with split for an unquoted
    expansion, cut at runs of blanks (the default IFS); an empty unquoted expansion is no word.
    """
    fields: list[str] = []
    current: str | None = None
    for text, split in segments:
        if not split:
            current = (current or "") + text
            continue
        for k, piece in enumerate(_IFS_BLANKS.split(text)):
            if k and current is not None:
                fields.append(current)
                current = None
            if piece:
                current = (current or "") + piece
    if current is not None:
        fields.append(current)
    return fields
