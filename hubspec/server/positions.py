"""Editor positions: LSP counts lines from 0 and columns in the negotiated code units.

hubspec counts columns in characters (code points); LSP clients count UTF-16 code units
unless they negotiated UTF-8 or UTF-32. An astral character (an emoji) is one character
but two UTF-16 units and four UTF-8 bytes, so every column is converted here.
"""

from __future__ import annotations

from lsprotocol import types

from hubspec.load.source import line_in, line_starts_of
from hubspec.model import Position


class Lines:
    """One buffer's text split into lines as hubspec, YAML and LSP split it, for positions."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.starts = line_starts_of(text)
        self.encoding = encoding

    def line(self, index: int) -> str:
        """Line `index` (0-based) without its line break."""
        return line_in(self.text, self.starts, index)

    def units(self, chars: str) -> int:
        """How many code units of the negotiated encoding `chars` takes."""
        if self.encoding == types.PositionEncodingKind.Utf32:
            return len(chars)
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(chars.encode("utf-8", errors="surrogatepass"))
        return len(chars.encode("utf-16-le", errors="surrogatepass")) // 2

    def at_offset(self, offset: int) -> types.Position:
        """The LSP position of a character offset into the text."""
        offset = max(0, min(offset, len(self.text)))
        index = _line_of(self.starts, offset)
        start = self.starts[index]
        return types.Position(index, self.units(self.text[start:offset]))

    def at(self, position: Position) -> types.Position:
        """The LSP position of hubspec's 1-based line and character column.

        hubspec counts without a byte order mark, which an editor buffer may still hold.
        """
        index = min(max(position.line - 1, 0), len(self.starts) - 1)
        line = self.line(index)
        skip = 1 if index == 0 and line.startswith("\ufeff") else 0
        return types.Position(index, self.units(line[: max(position.column - 1, 0) + skip]))

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position (clamped to its line, as LSP asks)."""
        if position.line >= len(self.starts):
            return len(self.text)
        line = self.line(position.line)
        column = 0
        used = 0
        while column < len(line) and used < position.character:
            used += self.units(line[column])
            column += 1
        return self.starts[position.line] + column

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.at_offset(start), self.at_offset(end))


def _line_of(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset) - 1
