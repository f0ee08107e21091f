"""A new text for a buffer -> the LSP text edits that make it, line by line."""

from __future__ import annotations

import difflib
from itertools import accumulate

from lsprotocol import types

from hubspec.server.positions import Lines


def split_lines(text: str) -> list[str]:
    """Lines with their '\\n' kept, as hubspec splits them."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def text_edits(old: Lines, new_text: str) -> list[types.TextEdit]:
    """The fewest whole-line replacements that turn the old text into the new one."""
    before, after = split_lines(old.text), split_lines(new_text)
    offsets = list(accumulate(map(len, before), initial=0))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [
        types.TextEdit(old.range(offsets[i1], offsets[i2]), "".join(after[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
