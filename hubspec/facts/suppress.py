"""In-file suppressions: `# hubspec: ignore[HS101] reason` and `# hubspec: ignore-file[HS203]`.

A comment at the end of a line covers findings on that line. A comment on its own line
covers the next line that is not a comment, and the whole YAML node that starts there (so a
comment above a `- |` block-scalar command covers every line of it). `ignore-file` covers
the whole file. Codes may be prefixes (`HS1`); no code list means every rule.
"""

from __future__ import annotations

import re

from hubspec.load.document import Document, Node
from hubspec.load.source import split_lines
from hubspec.model import Edit, Finding
from hubspec.records import field, record, replace

_DIRECTIVE = re.compile(
    r"#\s*hubspec:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?[ \t]*(?P<reason>[^\r\n]*)"
)


@record(frozen=False)
class Suppression:
    """One directive: where it is, what it covers, and whether it was needed.

    `line` and `column` are in the document's own text (where the directive is edited);
    `first_line` and `last_line` number lines as findings do (in the host file, if embedded).
    """

    line: int
    column: int
    start: int
    end: int
    codes: tuple[str, ...]
    reason: str
    whole_file: bool
    own_line: bool
    first_line: int
    last_line: int
    used: bool = field(default=False)

    def covers(self, finding: Finding) -> bool:
        if self.codes and not any(finding.rule.startswith(code) for code in self.codes):
            return False
        if self.whole_file:
            return True
        return self.first_line <= finding.span.start.line <= self.last_line


def find_suppressions(document: Document) -> list[Suppression]:
    """Every directive in the document's comments (text inside strings is not a comment)."""
    if "hubspec:" not in document.text:  # every directive holds it; most files have none
        return []
    extents = _node_extents(document)
    found: list[Suppression] = []
    lines = split_lines(document.text)
    for index, line in enumerate(lines):
        if "hubspec:" not in line:
            continue
        hash_at = comment_start(line)
        if hash_at is None:
            continue
        match = _DIRECTIVE.match(line, hash_at)
        if match is None:
            continue
        number = index + 1
        own_line = not line[:hash_at].strip()
        target = _next_code_line(lines, index) if own_line else number
        codes = tuple(
            code.strip().upper() for code in (match.group("codes") or "").split(",") if code.strip()
        )
        start = document.line_starts[index] + hash_at
        found.append(
            Suppression(
                line=number,
                column=hash_at + 1,
                start=start,
                end=document.line_starts[index] + len(line.rstrip("\r")),
                codes=codes,
                reason=match.group("reason").strip(),
                whole_file=match.group("kind") == "ignore-file",
                own_line=own_line,
                first_line=_shown_line(document, target),
                last_line=_shown_line(document, max(target, extents.get(target, target))),
            )
        )
    return found


def _shown_line(document: Document, line: int) -> int:
    """The line findings report for a line of the text: itself, or in an embedded
    buildspec (a template's block scalar) the host file's line it is written on."""
    if document.source.embedding is None or line > len(document.line_starts):
        return line
    return document.position(document.line_starts[line - 1]).line


def comment_start(line: str) -> int | None:
    """Column of a YAML comment in a line, skipping `#` inside quotes or words."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t[{,:-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return None


def _next_code_line(lines: list[str], index: int) -> int:
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return index + 1


def _node_extents(document: Document) -> dict[int, int]:
    """For each line where a node starts, the last line of the longest node starting there."""
    extents: dict[int, int] = {}
    todo: list[Node] = [document.root]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        first = document.local_position(node.start).line
        last = document.local_position(max(node.start, node.end - 1)).line
        if node.kind == "scalar" and node.style in ("|", ">"):
            while last > first and not document.line(last - 1).strip():
                last -= 1
        extents[first] = max(extents.get(first, first), last if node.kind == "scalar" else first)
        if node.kind == "mapping":
            for key, value in node.pairs:
                todo.extend((key, value))
        elif node.kind == "sequence":
            todo.extend(node.items)
    return extents


@record
class Applied:
    """Findings after suppression, and the directives nothing used."""

    findings: list[Finding]
    unused: list[Suppression]


def apply(findings: list[Finding], suppressions: list[Suppression]) -> Applied:
    """Mark covered findings as suppressed (keeping the reason); report unused directives."""
    kept: list[Finding] = []
    for finding in findings:
        covering = next((s for s in suppressions if s.covers(finding)), None)
        if covering is None or finding.rule in ("HS001", "HS004"):
            kept.append(finding)
            continue
        covering.used = True
        kept.append(replace(finding, suppressed=covering.reason or "suppressed"))
    return Applied(kept, [s for s in suppressions if not s.used])


def removal_edit(document: Document, suppression: Suppression) -> Edit:
    """The edit that deletes an unused directive (its whole line when it stands alone)."""
    if suppression.own_line:
        start = document.line_starts[suppression.line - 1]
        following = (
            document.line_starts[suppression.line]
            if suppression.line < len(document.line_starts)
            else len(document.text)
        )
        return Edit(start, following, "")
    before = document.text[: suppression.start]
    trimmed = len(before.rstrip(" \t"))
    return Edit(trimmed, suppression.end, "")
