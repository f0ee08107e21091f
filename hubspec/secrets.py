"""Literal secrets written in a buildspec, so that no output ever shows them.

Reports quote source lines (code frames, diffs); a line holding a literal password or
token is shown with the value replaced by asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from hubspec.rules.plaintext_credential import looks_like_secret

if TYPE_CHECKING:
    from hubspec.context import LintContext

MASK = "********"


def secret_literals(context: LintContext) -> set[str]:
    """Secret-looking env.variables values and `docker login -p` literals in this file."""
    from hubspec.analysis import Login

    found: set[str] = set()
    for entry in context.analysis.model.env:
        literal = entry.literal
        if entry.section == "variables" and literal and looks_like_secret(entry.name, literal):
            found.add(literal)
    text = context.document.text
    for event in context.analysis.events:
        if isinstance(event, Login) and event.password_span and not event.password_variables:
            start, end = event.password_span
            raw = text[start:end].strip("'\"")
            if raw:
                found.add(raw)
    return {value for value in found if len(value) >= 4}


def mask(text: str, secrets: AbstractSet[str]) -> str:
    """The text with every secret value replaced; longest first so parts are not left."""
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


_ASSIGNMENT = re.compile(r"^[ \t-]*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?[ \t]*:[ \t]*(.+?)[ \t]*$")
_PASSWORD_OPTION = re.compile(r"(?:^|\s)(?:-p|--password)(?:=|\s+)(['\"]?)([^\s'\"]+)\1")


def text_secrets(text: str) -> set[str]:
    """Secret-looking values found line by line, for a file that does not parse as YAML."""
    found: set[str] = set()
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line.split(" #", 1)[0])
        if match:
            value = match.group(2).strip("'\"")
            if looks_like_secret(match.group(1), value):
                found.add(value)
        for option in _PASSWORD_OPTION.finditer(line):
            if not option.group(2).startswith("$"):
                found.add(option.group(2))
    return {value for value in found if len(value) >= 4}
