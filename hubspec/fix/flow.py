"""Insertions into flow-style collections (`{a: 1}`, `[x, y]`) as text, the rest of the line kept.

A new entry goes in with the `, ` separator flow style needs, beside an existing entry, so
that line breaks, comments and a trailing comma inside the brackets stay where they were.
"""

from __future__ import annotations

import re

from hubspec.load.document import Document, Node
from hubspec.model import Edit

_FLOW_PLAIN = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s]([^,\[\]{}#]|#(?<! #))*")
"""A scalar YAML reads back unchanged as plain text inside flow brackets."""


def scalar(value: str, style: str = "") -> str:
    """`value` as a flow-style scalar: in the file's quote style, else plain where YAML allows."""
    plain_ok = (
        _FLOW_PLAIN.fullmatch(value) is not None
        and ": " not in value
        and not value.endswith((":", " "))
    )
    if style == "" and plain_ok:
        return value
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + value.replace("'", "''") + "'"


def add_entry(document: Document, mapping: Node, entry: str, before: Node | None = None) -> Edit:
    """Add `key: value` to a flow mapping: before the key `before`, else after the last entry."""
    if before is not None:
        return Edit(before.start, before.start, f"{entry}, ")
    return _append(document, mapping, [value for _, value in mapping.pairs], entry)


def add_item(document: Document, sequence: Node, item: str, before: Node | None = None) -> Edit:
    """Add an item to a flow sequence: before the item `before`, else after the last one."""
    if before is not None:
        return Edit(before.start, before.start, f"{item}, ")
    return _append(document, sequence, sequence.items, item)


def _append(document: Document, collection: Node, members: list[Node], text: str) -> Edit:
    """Insert `text` after the last member (with a separator), or alone into an empty `{}`/`[]`."""
    if not members:
        at = collection.start + 1
        return Edit(at, at, text)
    last = members[-1]
    at = max(last.end, last.start)
    return Edit(at, at, f", {text}")
