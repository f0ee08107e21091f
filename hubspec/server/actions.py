"""Code actions: the login fix, fix all, ignore a finding on its line, drop an unused ignore.

Every edit is checked as `hubspec fix` checks its own (fix/verify.py): the new text is
linted again, must parse, must add no finding and must keep every original key and value.
An edit that fails is not offered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from hubspec.facts.suppress import Suppression, comment_start, removal_edit
from hubspec.fix import apply_edits, fix_bytes, verify
from hubspec.fix.host import fix_host
from hubspec.hosts.kind import text_kind
from hubspec.lint.pipeline import LintResult
from hubspec.load.document import Document
from hubspec.model import Edit, Finding
from hubspec.server.analysis import Target, lint_text
from hubspec.server.buffers import Buffers
from hubspec.server.edits import text_edits
from hubspec.server.positions import Lines
from hubspec.server.projects import project_fix

FIX_ALL = "source.fixAll.hubspec"
NOT_SUPPRESSIBLE = frozenset({"HS001", "HS004"})
"""Rules a `hubspec: ignore` comment cannot silence (suppress.apply keeps them)."""


class Actions:
    """The code actions for one version of one buffer."""

    def __init__(self, target: Target, buffers: Buffers, version: int | None) -> None:
        self.target = target
        self.buffers = buffers
        self.version = version
        self.lines = Lines(target.text, target.encoding)
        self.before = self.lint(target.text)

    def lint(self, text: str) -> LintResult:
        seen: set[Path] = set()
        return lint_text(_with_text(self.target, text), self.buffers, seen)

    def findings_in(self, wanted: types.Range) -> list[Finding]:
        """Active findings of this buffer whose range touches the requested one (a template's
        lint also holds the findings of the buildspec files its projects name)."""
        return [
            finding
            for finding in self.before.active
            if finding.path == self.target.display and _touches(self._range(finding), wanted)
        ]

    def _range(self, finding: Finding) -> types.Range:
        return types.Range(self.lines.at(finding.span.start), self.lines.at(finding.span.end))

    def fixed(self) -> types.WorkspaceEdit | None:
        """What `hubspec fix` would write, verified by it, as an edit of this buffer (and of
        the buildspec files a template's projects name); None when it changes nothing or
        refuses."""
        target = self.target
        data = target.text.encode("utf-8", errors="surrogatepass")
        reader = self.buffers.reader(set())
        if text_kind(target.display, target.text) is not None:
            outcome = fix_host(
                target.display,
                data,
                source_root=target.root,
                reader=reader,
                settings=target.settings,
            )
            new_text = outcome.new_data.decode("utf-8") if outcome.new_data is not None else None
            return self.edit(new_text, outcome.files) if outcome.changed else None
        if target.hosts:
            named, text = project_fix(
                target.display, target.root, target.settings, target.hosts, self.buffers
            )
            if named:  # fixed in its project's context, as `hubspec fix .` does
                return self.edit(text) if text is not None else None
        outcome = fix_bytes(
            target.display, data, source_root=target.root, reader=reader, settings=target.settings
        )
        if outcome.new_data is None:
            return None
        return self.edit(outcome.new_data.decode("utf-8"))

    def edit(
        self, new_text: str | None, others: Sequence[tuple[Path, str, str]] = ()
    ) -> types.WorkspaceEdit:
        """This buffer's new text (None: unchanged) and other files' (path, old, new)."""
        changes: list[types.TextDocumentEdit] = []
        if new_text is not None:
            identifier = types.OptionalVersionedTextDocumentIdentifier(
                self.target.uri, self.version
            )
            changes.append(
                types.TextDocumentEdit(identifier, list(text_edits(self.lines, new_text)))
            )
        for path, old_text, other_text in others:
            uri = from_fs_path(str(path.absolute()))
            assert uri is not None  # an absolute path always has one
            other = types.OptionalVersionedTextDocumentIdentifier(uri, None)
            edits = text_edits(Lines(old_text, self.target.encoding), other_text)
            changes.append(types.TextDocumentEdit(other, list(edits)))
        return types.WorkspaceEdit(document_changes=list(changes))

    def login_fix(self, findings: list[Finding], edit: types.WorkspaceEdit) -> types.CodeAction:
        return types.CodeAction(
            title="Log in to Docker Hub before the pulls (hubspec fix)",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=self.diagnostics(findings),
            edit=edit,
            is_preferred=True,
        )

    def fix_all(self, edit: types.WorkspaceEdit) -> types.CodeAction:
        return types.CodeAction(title="Fix all hubspec problems", kind=FIX_ALL, edit=edit)

    def ignore(self, finding: Finding) -> types.CodeAction | None:
        """`# hubspec: ignore[CODE]` at the end of the finding's line, else on a line of its
        own above it; the first that verifiably silences the finding and nothing else."""
        for candidate in _ignore_candidates(self.before, finding):
            if self.verified(candidate, silenced=finding):
                return types.CodeAction(
                    title=f"Ignore {finding.rule} on this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=self.diagnostics([finding]),
                    edit=self.edit(candidate),
                )
        return None

    def drop_unused(self, finding: Finding) -> types.CodeAction | None:
        """Delete the unused suppression that an HS004 finding points at."""
        document = self.before.document
        if document is None:
            return None
        for item in self.before.unused_suppressions:
            if document.position(item.start) != finding.span.start:
                continue
            new_text = _spliced(self.target.text, document, removal_edit(document, item))
            if self.verified(new_text):
                return types.CodeAction(
                    title=f"Remove the unused suppression {_shown(item)}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=self.diagnostics([finding]),
                    edit=self.edit(new_text),
                )
        return None

    def verified(self, new_text: str, silenced: Finding | None = None) -> bool:
        after = self.lint(new_text)
        if verify.problems(self.before, after, []):
            return False
        if silenced is None:
            return True
        key = (silenced.rule, silenced.message)
        count = Counter((f.rule, f.message) for f in after.active)[key]
        return count < Counter((f.rule, f.message) for f in self.before.active)[key]

    def diagnostics(self, findings: list[Finding]) -> list[types.Diagnostic]:
        from hubspec.server.diagnostics import to_diagnostic

        return [to_diagnostic(finding, self.lines, self.target.uri) for finding in findings]


def _with_text(target: Target, text: str) -> Target:
    from hubspec.records import replace

    return replace(target, text=text)


def _touches(a: types.Range, b: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _shown(item: Suppression) -> str:
    return f"[{','.join(item.codes)}]" if item.codes else "(all rules)"


def _spliced(buffer: str, document: Document, edit: Edit) -> str:
    """An edit at document offsets applied to the buffer (which may hold a BOM first)."""
    shift = len(buffer) - len(document.text)
    moved = Edit(edit.start + shift, edit.end + shift, edit.replacement)
    return apply_edits(buffer, [moved])


def _ignore_candidates(before: LintResult, finding: Finding) -> Iterator[str]:
    document = before.document
    if document is None:
        return
    text = document.text
    bom = "\ufeff" if document.bom else ""
    index = finding.span.start.line - 1
    starts = document.line_starts
    line_start = starts[index]
    line_end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
    line = text[line_start:line_end].rstrip("\r")
    directive = f"# hubspec: ignore[{finding.rule}]"
    if comment_start(line) is None:
        at = line_start + len(line.rstrip(" \t"))
        yield bom + apply_edits(text, [Edit(at, at, "  " + directive)])
    newline = document.newline
    for anchor in (index, _item_line(document, index)):
        if anchor is None:
            continue
        start = starts[anchor]
        above = document.line(anchor)
        indent = above[: len(above) - len(above.lstrip(" "))]
        yield bom + apply_edits(text, [Edit(start, start, indent + directive + newline)])


def _item_line(document: Document, index: int) -> int | None:
    """The line of the `- ` item a line belongs to, when the line is inside a multi-line
    scalar (`- |`): a comment above that item covers all of it."""
    line = document.line(index)
    depth = len(line) - len(line.lstrip(" "))
    for above in range(index - 1, -1, -1):
        text = document.line(above)
        stripped = text.lstrip(" ")
        if not stripped.strip():
            continue
        indent = len(text) - len(stripped)
        if indent < depth:
            return above if stripped.startswith("- ") else None
    return None


def code_actions(
    actions: Actions, wanted: types.Range, only: Sequence[str] | None
) -> Iterator[types.CodeAction | None]:
    """The actions for a range, lazily: the caller checks for cancellation between them."""

    def allowed(kind: str) -> bool:
        return only is None or any(kind == want or kind.startswith(want + ".") for want in only)

    findings = actions.findings_in(wanted)
    hub = [f for f in findings if f.rule == "HS101" and f.fixable]
    login = bool(hub) and allowed(types.CodeActionKind.QuickFix)
    # Unasked (no `only`), fix-all comes with findings under the cursor, not on every move.
    fix_all = allowed(FIX_ALL) and (only is not None or bool(findings))
    fixed = actions.fixed() if login or fix_all else None
    yield None
    if fixed is not None and login:
        yield actions.login_fix(hub, fixed)
    if fixed is not None and fix_all:
        yield actions.fix_all(fixed)
    if not allowed(types.CodeActionKind.QuickFix):
        return
    for finding in findings:
        if finding.rule == "HS004":
            yield actions.drop_unused(finding)
        elif finding.rule not in NOT_SUPPRESSIBLE:
            yield actions.ignore(finding)
