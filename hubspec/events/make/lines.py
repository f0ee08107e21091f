"""A Makefile's text as make reads it: logical lines, recipe lines apart.

Make joins a line ending in a backslash with the next one. Outside recipes the backslash,
the newline and the blanks around them become one space and `#` starts a comment; a recipe
line keeps both (its shell sees them) and loses one leading tab of each continued line.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubspec.records import record

RECIPE_PREFIX = "\t"


@record(slots=True)
class Line:
    """One logical line: `recipe` when it starts with a tab (a recipe line in rule context)."""

    text: str
    number: int
    recipe: bool
    raw: str


def _continued(text: str) -> bool:
    """Whether a physical line ends in an odd number of backslashes."""
    stripped = text.rstrip("\\")
    return (len(text) - len(stripped)) % 2 == 1


def logical_lines(text: str) -> Iterator[Line]:
    """The logical lines of a Makefile, numbered by their first physical line (1-based)."""
    physical = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(physical):
        number = index + 1
        first = physical[index]
        index += 1
        if first.startswith(RECIPE_PREFIX):
            parts = [first[1:]]
            while _continued(parts[-1]) and index < len(physical):
                following = physical[index]
                index += 1
                parts.append(following[1:] if following.startswith(RECIPE_PREFIX) else following)
            joined = "\n".join(parts)
            yield Line(joined, number, True, joined)
            continue
        parts = [first]
        while _continued(parts[-1]) and index < len(physical):
            parts.append(physical[index])
            index += 1
        raw = "\n".join(parts)
        yield Line(join_continued(parts), number, False, raw)


def join_continued(parts: list[str]) -> str:
    """Non-recipe continuation: backslash-newline and the blanks around it -> one space."""
    if len(parts) == 1:
        return parts[0]
    pieces = [parts[0][:-1].rstrip()]
    for part in parts[1:-1]:
        pieces.append(part[:-1].strip())
    pieces.append(parts[-1].lstrip())
    return " ".join(piece for piece in pieces if piece)


def strip_comment(text: str) -> str:
    """The line without its `#` comment (`\\#` is a literal `#`)."""
    if "#" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] == "#":
            out.append("#")
            index += 2
            continue
        if char == "#":
            break
        out.append(char)
        index += 1
    return "".join(out)
