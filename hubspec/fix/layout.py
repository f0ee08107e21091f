"""How a buildspec is laid out: indentation, sequence style, line boundaries, node extents.

New lines written by the fixer copy these, so a fixed file looks as if its author wrote it.
"""

from __future__ import annotations

from hubspec.load.document import Document, Node
from hubspec.model import Edit
from hubspec.records import record


@record
class Layout:
    """The file's own indentation unit and how far its `- ` dashes sit inside their key."""

    indent: int
    dash_offset: int
    newline: str
    quote: str


def detect(document: Document) -> Layout:
    return Layout(
        indent=_indent_unit(document),
        dash_offset=_dash_offset(document),
        newline=document.newline,
        quote=_quote_style(document),
    )


def column(document: Document, offset: int) -> int:
    """0-based column of an offset in the document's own text."""
    return document.local_position(offset).column - 1


def line_start(document: Document, offset: int) -> int:
    return document.line_starts[document.local_position(offset).line - 1]


def line_end(document: Document, offset: int) -> int:
    """Offset of the line break ending the line that holds `offset` (or the text's end)."""
    index = document.local_position(offset).line - 1
    return document.line_starts[index] + len(document.line(index))


def insert_lines_after(document: Document, offset: int, lines: list[str], shape: Layout) -> Edit:
    """Insert whole lines after the line holding `offset` (keeps a missing final newline)."""
    end = line_end(document, offset)
    return Edit(end, end, "".join(shape.newline + line for line in lines))


def insert_lines_before(
    document: Document, line_start: int, lines: list[str], shape: Layout
) -> Edit:
    """Insert whole lines at `line_start`, the start of a line."""
    return Edit(line_start, line_start, "".join(line + shape.newline for line in lines))


def last_content(document: Document, node: Node) -> int:
    """Offset of the last character that belongs to a node (block collections end early)."""
    current = node
    while True:
        if current.kind == "mapping" and current.pairs and not current.flow:
            current = current.pairs[-1][1]
            continue
        if current.kind == "sequence" and current.items and not current.flow:
            current = current.items[-1]
            continue
        break
    text = document.text
    end = max(current.end, current.start + 1)
    if current.style in ("|", ">") and "+" in text[current.start : current.start + 4]:
        # Keep chomping: the trailing blank lines belong to the value; insert after them.
        return end - 1
    while end > current.start + 1 and text[end - 1] in " \t\r\n":
        end -= 1
    return end - 1


def _indent_unit(document: Document) -> int:
    """The smallest indentation step between a mapping key and its nested keys."""
    steps: list[int] = []
    todo = [document.root]
    while todo:
        node = todo.pop()
        if node.kind == "mapping" and not node.flow:
            for key, value in node.pairs:
                if value.kind == "mapping" and not value.flow and value.pairs:
                    step = column(document, value.pairs[0][0].start) - column(document, key.start)
                    if step > 0:
                        steps.append(step)
                todo.append(value)
        elif node.kind == "sequence":
            todo.extend(node.items)
    return min(steps) if steps else 2


def _dash_offset(document: Document) -> int:
    """Columns between a key and the dashes of its block sequence (0 or the indent)."""
    todo = [document.root]
    while todo:
        node = todo.pop()
        if node.kind == "mapping" and not node.flow:
            for key, value in node.pairs:
                if value.kind == "sequence" and not value.flow and value.items:
                    dash = _dash_before(document, value.items[0])
                    if dash is not None:
                        return dash - column(document, key.start)
                todo.append(value)
    return 2


def _dash_before(document: Document, item: Node) -> int | None:
    """0-based column of the `-` that introduces a block sequence item."""
    start = line_start(document, item.start)
    segment = document.text[start : item.start]
    index = segment.rfind("-")
    return index if index != -1 else None


def dash_prefix(document: Document, item: Node) -> str | None:
    """The text from the start of an item's line up to its value: `      - ` or None."""
    start = line_start(document, item.start)
    segment = document.text[start : item.start]
    if segment.strip() != "-":
        return None
    return segment


def _quote_style(document: Document) -> str:
    """Quote new commands the way most existing commands are quoted ('' when plain)."""
    counts = {"": 0, "'": 0, '"': 0}
    todo = [document.root]
    while todo:
        node = todo.pop()
        if node.kind == "mapping":
            for key, value in node.pairs:
                if key.value in ("commands", "finally") and value.kind == "sequence":
                    for item in value.items:
                        if item.kind == "scalar" and (item.style or "") in counts:
                            counts[item.style or ""] += 1
                todo.append(value)
        elif node.kind == "sequence":
            todo.extend(node.items)
    return max(counts, key=lambda style: (counts[style], style == ""))


def quote(command: str, style: str) -> str:
    """A command as a YAML scalar in the given style; plain only where YAML reads it back."""
    if style == "'":
        return "'" + command.replace("'", "''") + "'"
    if style == '"':
        return '"' + command.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return command


def comment_block_start(document: Document, offset: int) -> int:
    """Move an insertion point up over the comment lines directly above it.

    Such comments describe the line below them, so new lines go above them, whatever
    their indentation.
    """
    lines = document.line_starts
    line_index = document.local_position(offset).line - 1
    start = lines[line_index]
    while line_index > 0:
        previous = lines[line_index - 1]
        if not document.text[previous:start].lstrip(" ").startswith("#"):
            break
        line_index -= 1
        start = previous
    return start
