"""Hover and completion for rule codes: the docs of a code under the cursor (in a
suppression comment or on a diagnostic), and the codes inside `# hubspec: ignore[`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lsprotocol import types

from hubspec.facts.suppress import comment_start
from hubspec.rules import BY_CODE, RULES
from hubspec.rules.base import Rule
from hubspec.server.positions import Lines

_CODE = re.compile(r"HS\d+", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#\s*hubspec:\s*ignore(?:-file)?\[(?P<codes>[^\]]*)")
_OPEN_LIST = re.compile(r"#\s*hubspec:\s*ignore(?:-file)?\[(?P<codes>[^\]]*)$")


def rule_markdown(rule: Rule) -> str:
    """A rule's docs as `hubspec explain` prints them."""
    return f"**{rule.code}** `{rule.name}` ({rule.severity.value})\n\n{rule.summary}\n\n{rule.docs}"


def hover(
    lines: Lines, position: types.Position, diagnostics: Iterable[types.Diagnostic]
) -> types.Hover | None:
    """The docs of the rule code under the cursor in a suppression, else of the diagnostics
    under it."""
    line = lines.line(position.line)
    column = lines.offset(position) - lines.starts[position.line] if line else 0
    hash_at = comment_start(line)
    if hash_at is not None:
        directive = _DIRECTIVE.match(line, hash_at)
        if directive is not None:
            first = directive.start("codes")
            for match in _CODE.finditer(directive.group("codes")):
                start, end = first + match.start(), first + match.end()
                rule = BY_CODE.get(match.group().upper())
                if rule is not None and start <= column <= end:
                    start_at = lines.starts[position.line]
                    return types.Hover(
                        types.MarkupContent(types.MarkupKind.Markdown, rule_markdown(rule)),
                        lines.range(start_at + start, start_at + end),
                    )
    found: list[Rule] = []
    for diagnostic in diagnostics:
        rule = BY_CODE.get(str(diagnostic.code))
        if rule is not None and rule not in found and _inside(position, diagnostic.range):
            found.append(rule)
    if not found:
        return None
    text = "\n\n---\n\n".join(rule_markdown(rule) for rule in found)
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))


def _inside(position: types.Position, span: types.Range) -> bool:
    here = (position.line, position.character)
    return (span.start.line, span.start.character) <= here <= (span.end.line, span.end.character)


def completions(lines: Lines, position: types.Position) -> types.CompletionList | None:
    """Rule codes, when the cursor is inside the brackets of a suppression comment."""
    line = lines.line(position.line)
    column = lines.offset(position) - lines.starts[position.line] if line else 0
    before = line[:column]
    hash_at = comment_start(before)
    if hash_at is None:
        return None
    opened = _OPEN_LIST.match(before, hash_at)
    if opened is None:
        return None
    *earlier, last = opened.group("codes").split(",")
    written = {code.strip().upper() for code in earlier}
    typed = last.lstrip()
    line_start = lines.starts[position.line]
    replace = lines.range(line_start + column - len(typed), line_start + column)
    items = [
        types.CompletionItem(
            label=rule.code,
            kind=types.CompletionItemKind.Value,
            detail=f"{rule.name} ({rule.severity.value})",
            documentation=types.MarkupContent(types.MarkupKind.Markdown, rule_markdown(rule)),
            filter_text=rule.code,
            text_edit=types.TextEdit(replace, rule.code),
        )
        for rule in RULES
        if rule.code not in written and rule.code.startswith(typed.strip().upper())
    ]
    return types.CompletionList(is_incomplete=False, items=items)
