"""A new text for a buffer -> the LSP text edits that make it, line by line."""

from __future__ import annotations

import difflib
from itertools import accumulate

from lsprotocol import types

from hubspec.load.source import split_lines
from hubspec.server.positions import Lines


def text_edits(old: Lines, new_text: str) -> list[types.TextEdit]:
    """The fewest whole-line replacements that turn the old text into the new one."""
    before = split_lines(old.text, keepends=True)
    after = split_lines(new_text, keepends=True)
    offsets = list(accumulate(map(len, before), initial=0))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [
        types.TextEdit(old.range(offsets[i1], offsets[i2]), "".join(after[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
