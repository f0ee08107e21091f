"""Bytes -> Source: the decoded text with its layout facts and the one map from offsets to line:col.

Every later stage works on character offsets into `Source.text` (the text without its BOM);
`Source.position` is the only place they become the 1-based line and column a user sees. A
buildspec embedded in another file (a block scalar of a template, a JSON string, a heredoc)
is a Source of its own text with an `Embedding`: its positions are then those of the host file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import cached_property
from itertools import accumulate

from hubspec.model import Position, Span
from hubspec.records import record

MAX_FILE_BYTES = 256 * 1024  # the largest corpus buildspec is 19 KB
BOM = b"\xef\xbb\xbf"


@record
class YamlProblem:
    """Why the text is not a usable buildspec document (HS001), and where (an offset)."""

    message: str
    offset: int


@record
class Embedding:
    """Where an embedded text lies in its host: the host's Source and an offset map into it.

    `host_offset` takes an offset of the embedded text and gives the offset in the host's
    text of the character the user sees there (past an indentation that was removed, at the
    start of a JSON escape, ...). It must be defined for every offset up to the text's length.
    """

    host: Source
    host_offset: Callable[[int], int]


@record(eq=False)
class Source:
    """One decoded text: the raw bytes, the text (BOM removed), and how it was written.

    `problem` is set when the bytes are not a text hubspec reads (not UTF-8, binary, too
    large, UTF-16); `text` is then the bytes decoded with replacement characters, so that
    the problem can still be shown at its line and column.
    """

    data: bytes
    text: str
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    problem: YamlProblem | None = None
    embedding: Embedding | None = None

    @staticmethod
    def of_text(text: str, embedding: Embedding | None = None) -> Source:
        """A Source for text that exists only in memory (an embedded buildspec, a test)."""
        return Source(
            text.encode("utf-8", errors="surrogatepass"),
            text,
            newline=newline_of(text),
            embedding=embedding,
        )

    @cached_property
    def line_starts(self) -> list[int]:
        """Where each line of `text` starts; most files need none (no finding, no directive)."""
        return line_starts_of(self.text)

    def line(self, index: int) -> str:
        """Line `index` (0-based) of `text`, without its line break."""
        return line_in(self.text, self.line_starts, index)

    def local_position(self, offset: int) -> Position:
        """Line and column of an offset in this text itself (for layout, not for users)."""
        return position_in(self.line_starts, offset)

    def position(self, offset: int) -> Position:
        """The line and column the user sees: in this file, or in the host file it is part of."""
        if self.embedding is not None:
            return self.embedding.host.position(self.embedding.host_offset(offset))
        return position_in(self.line_starts, offset)

    def span(self, start: int, end: int) -> Span:
        """The span of text[start:end], at least one character wide."""
        return Span(self.position(start), self.position(max(end, start + 1)))

    def encode(self, text: str) -> bytes:
        """A new text of this source as bytes written the same way (the BOM kept)."""
        return (BOM if self.bom else b"") + text.encode(self.encoding)


LINE_BREAK = re.compile(r"\r\n?|\n")
"""Where lines end, for YAML and for LSP alike: CR LF, CR or LF (not NEL, U+2028, a form
feed or the other characters `str.splitlines` also breaks at)."""


def line_starts_of(text: str) -> list[int]:
    """The offset where each line starts (lines end at CR LF, CR or LF)."""
    if "\r" in text:
        return [0, *(found.end() for found in LINE_BREAK.finditer(text))]
    starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
    starts.pop()
    return starts


def line_in(text: str, starts: list[int], index: int) -> str:
    """Line `index` (0-based) of `text` whose `line_starts_of` are `starts`, without its break."""
    if not 0 <= index < len(starts):
        return ""
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    line = text[starts[index] : end]
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """The lines of `text` as positions count them (see `LINE_BREAK`), the last one only if
    it is not empty: what `str.splitlines` gives for text with no other line separators."""
    if keepends:
        starts = line_starts_of(text)
        ends = [*starts[1:], len(text)]
        lines = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    else:
        lines = LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def position_in(line_starts: list[int], offset: int) -> Position:
    index = bisect.bisect_right(line_starts, offset) - 1
    return Position(index + 1, offset - line_starts[index] + 1)


def newline_of(text: str) -> str:
    """How the text ends its lines; new lines a fix adds are written the same way."""
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def decode(data: bytes) -> Source:
    """Decode UTF-8 (BOM optional); anything else is a Source with a clear problem, never a guess.

    Offsets of a problem index the text without the BOM, as every other offset does.
    """
    bom = data.startswith(BOM)
    body = data[3:] if bom else data
    problem = _refused(data, body)
    if problem is None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            problem = YamlProblem(
                f"the file is not valid UTF-8 (byte 0x{body[error.start]:02x} at byte offset"
                f" {error.start + (3 if bom else 0)})",
                _char_offset(body, error.start),
            )
        else:
            return Source(data, text, bom=bom, newline=newline_of(text))
    lossy = body.decode("utf-8", errors="replace")
    return Source(data, lossy, bom=bom, newline=newline_of(lossy), problem=problem)


def _refused(data: bytes, body: bytes) -> YamlProblem | None:
    """Bytes not read as a text at all: UTF-16, too large, binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return YamlProblem("the file is UTF-16 encoded; CodeBuild reads buildspecs as UTF-8", 0)
    if len(data) > MAX_FILE_BYTES:
        return YamlProblem(
            f"the file is larger than {MAX_FILE_BYTES:,} bytes, far beyond any real buildspec;"
            " it is not read",
            0,
        )
    nul = body.find(b"\x00")
    if nul != -1:
        return YamlProblem(
            "the file is binary (it contains a NUL byte), not YAML", _char_offset(body, nul)
        )
    return None


def _char_offset(body: bytes, byte_offset: int) -> int:
    """The offset in the lossily decoded text of the character at `byte_offset`."""
    return len(body[:byte_offset].decode("utf-8", errors="replace"))
