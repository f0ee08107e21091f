"""The fix engine: plan text insertions, apply them, verify the result; nothing is written here."""

from __future__ import annotations

from pathlib import Path

from hubspec.build.project import Project
from hubspec.events.model import FileReader
from hubspec.facts.suppress import removal_edit
from hubspec.fix import verify
from hubspec.fix.edits import AddedReference, Refusal
from hubspec.fix.plan import plan_login_fix
from hubspec.lint.pipeline import LintResult, lint_bytes
from hubspec.model import Edit
from hubspec.records import field, record
from hubspec.settings import Settings


@record
class FixOutcome:
    """What fixing one file gives: the new bytes (None when unchanged or refused) and why."""

    path: str
    before: LintResult
    new_data: bytes | None = None
    after: LintResult | None = None
    changes: tuple[str, ...] = ()
    refusal: str | None = None
    added: tuple[AddedReference, ...] = field(default=())
    files: tuple[tuple[Path, str, str], ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.new_data is not None or bool(self.files)


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
    project: Project | None = None,
) -> FixOutcome:
    """Fix one buildspec in memory; the caller decides whether to write or diff.

    Two passes: the login fix first, then the removal of suppressions that are unused,
    including those the login fix made unused. The result is verified against the original.
    """
    settings = settings or Settings()

    def lint(raw: bytes) -> LintResult:
        return lint_bytes(
            display, raw, source_root=source_root, reader=reader, settings=settings, project=project
        )

    before = lint(data)
    if before.context is None:
        return FixOutcome(display, before)
    document = before.context.document
    changes: list[str] = []
    added: list[AddedReference] = []
    fixed_users: list[str] = []
    try:
        active = {f.span.start for f in before.active if f.rule == "HS101"}
        plan = plan_login_fix(before.context, active)
        text = document.text
        current, current_data = before, data
        if plan is not None:
            text = apply_edits(text, plan.edits)
            changes.extend(plan.changes)
            added.extend(plan.added)
            fixed_users.extend(plan.fixed_users)
            current_data = document.source.encode(text)
            current = lint(current_data)
        if current.document is not None and current.unused_suppressions and _fixes_hs004(settings):
            edits = [removal_edit(current.document, item) for item in current.unused_suppressions]
            text = apply_edits(current.document.text, edits)
            changes.append(f"removed {len(edits)} unused hubspec: ignore comment(s)")
    except Refusal as refusal:
        return FixOutcome(display, before, refusal=str(refusal))
    new_data = document.source.encode(text)
    if new_data == data:
        return FixOutcome(display, before)
    # Without a suppression removal the new text is the one just linted: not again.
    after = current if new_data == current_data else lint(new_data)
    reasons = verify.problems(before, after, fixed_users)
    if reasons:
        return FixOutcome(display, before, refusal="; ".join(reasons))
    return FixOutcome(
        display, before, new_data=new_data, after=after, changes=tuple(changes), added=tuple(added)
    )


def _fixes_hs004(settings: Settings) -> bool:
    from hubspec.lint.pipeline import is_selected
    from hubspec.rules import BY_CODE

    return not settings.no_ignores and is_selected(BY_CODE["HS004"], settings)


def mirror_bytes(
    display: str,
    data: bytes,
    *,
    source_root: Path,
    reader: FileReader,
    mirror_spec: str,
    settings: Settings | None = None,
) -> FixOutcome:
    """Rewrite the Docker Hub images of one buildspec (and its Dockerfiles and compose files)
    to a mirror, in memory; every changed file is verified before the caller writes any."""
    from hubspec.fix.mirror import parse_mirror, plan_mirror_fix

    settings = settings or Settings()
    before = lint_bytes(display, data, source_root=source_root, reader=reader, settings=settings)
    if before.context is None:
        return FixOutcome(display, before)
    document = before.context.document
    try:
        mirror = parse_mirror(mirror_spec)
        plan = plan_mirror_fix(before.context, mirror)
        if plan is None:
            return FixOutcome(display, before)
        text = apply_edits(document.text, plan.buildspec.edits)
        new_files = {
            path: apply_edits(plan.texts[path], edits) for path, edits in plan.files.items()
        }
    except (Refusal, ValueError) as refusal:
        return FixOutcome(display, before, refusal=str(refusal))
    if not plan.rewritten:
        return FixOutcome(display, before, skipped=tuple(plan.skipped))

    def overlay(path: Path) -> str | None:
        return new_files[path] if path in new_files else reader(path)

    new_data = document.source.encode(text)
    after = lint_bytes(
        display, new_data, source_root=source_root, reader=overlay, settings=settings
    )
    reasons = verify.mirror_problems(before, after, plan.in_buildspec, new_files, plan.texts)
    if reasons:
        return FixOutcome(display, before, refusal="; ".join(reasons))
    return FixOutcome(
        display,
        before,
        new_data=new_data if new_data != data else None,
        after=after,
        changes=tuple(plan.buildspec.changes),
        files=tuple((path, plan.texts[path], new_files[path]) for path in sorted(new_files)),
        skipped=tuple(plan.skipped),
    )
