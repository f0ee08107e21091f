"""The fix engine: plan text insertions, apply them, verify the result; nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hubspec.context import FileReader
from hubspec.fix import verify
from hubspec.fix.plan import AddedReference, Refusal, plan_login_fix
from hubspec.lint import LintResult, lint_bytes
from hubspec.model import Edit
from hubspec.settings import Settings


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file gives: the new bytes (None when unchanged or refused) and why."""

    path: str
    before: LintResult
    new_data: bytes | None = None
    after: LintResult | None = None
    changes: tuple[str, ...] = ()
    refusal: str | None = None
    added: tuple[AddedReference, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.new_data is not None


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Splice insertions and replacements into text, back to front (stable for equal offsets)."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[0]))
    pieces: list[str] = []
    cursor = 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise Refusal("two edits overlap; nothing was changed")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.replacement)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def fix_bytes(
    display: str,
    data: bytes,
    *,
    source_root: Path,
    reader: FileReader,
    settings: Settings | None = None,
) -> FixOutcome:
    """Fix one buildspec in memory; the caller decides whether to write or diff."""
    settings = settings or Settings()
    before = lint_bytes(display, data, source_root=source_root, reader=reader, settings=settings)
    if before.context is None:
        return FixOutcome(display, before)
    try:
        plan = plan_login_fix(before.context)
        if plan is None:
            return FixOutcome(display, before)
        document = before.context.document
        text = apply_edits(document.text, plan.edits)
    except Refusal as refusal:
        return FixOutcome(display, before, refusal=str(refusal))
    new_data = (("\ufeff" if document.bom else "") + text).encode("utf-8")
    after = lint_bytes(display, new_data, source_root=source_root, reader=reader, settings=settings)
    reasons = verify.problems(before, after, plan.fixed_users)
    if reasons:
        return FixOutcome(display, before, refusal="; ".join(reasons))
    if new_data == data:
        return FixOutcome(display, before)
    return FixOutcome(
        display,
        before,
        new_data=new_data,
        after=after,
        changes=tuple(plan.changes),
        added=tuple(plan.added),
    )
