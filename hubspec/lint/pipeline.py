"""The lint pipeline for one file: bytes -> document -> rules -> findings."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from hubspec.build.project import Project
from hubspec.events.model import FileReader
from hubspec.facts import suppress
from hubspec.facts.budget import Budget
from hubspec.facts.context import LintContext
from hubspec.facts.secrets import mask, text_secrets
from hubspec.facts.suppress import Suppression
from hubspec.load.document import Document, parse
from hubspec.load.source import Source, YamlProblem, decode
from hubspec.model import Finding, Position, Related, Severity, Span
from hubspec.records import record, replace
from hubspec.rules import BY_CODE, RULES
from hubspec.rules.base import Check, Diagnostic, Rule
from hubspec.settings import Settings


@record
class LintResult:
    """The findings of one file, and its document when it parsed (the fixer needs it)."""

    path: str
    findings: tuple[Finding, ...]
    document: Document | None
    context: LintContext | None
    text: str = ""
    unused_suppressions: tuple[Suppression, ...] = ()
    secrets: frozenset[str] = frozenset()
    """Literal secrets in the text, kept when the context is dropped (see `detached`)."""
    budgets: tuple[Budget, ...] = ()
    """A host file's pull budget per project (a buildspec's is its context's)."""
    batch_buildspecs: tuple[tuple[Path, Path], ...] = ()
    """(source root, file) of each buildspec its batch runs: the runner lints them too."""
    named_buildspecs: tuple[str, ...] = ()
    """The buildspec files a host file's projects name, linted here in their project's context:
    in a run that also lints one of them alone, these findings stand for it (run.merge)."""

    @property
    def active(self) -> list[Finding]:
        """The findings that count: not suppressed in the file."""
        return [finding for finding in self.findings if finding.suppressed is None]

    def detached(self) -> LintResult:
        """This result without its document and context: small, and picklable for workers.

        What reports need stays: findings, the text they quote (none without findings),
        unused suppressions, and the literal secrets so that reports still mask them.
        """
        text = self.text if self.findings else ""
        if self.context is None:
            return replace(self, document=None, text=text)
        secrets = self.secrets | self.context.secrets
        return replace(self, document=None, context=None, text=text, secrets=secrets)


@record
class Rejected:
    """A Source that is not a buildspec document, and why (HS001)."""

    source: Source
    problem: YamlProblem


def load(display: str, source: Source) -> Document | Rejected:
    """Parse a decoded Source: the Document, or the Source with its problem."""
    parsed = parse(display, source)
    if isinstance(parsed, YamlProblem):
        return Rejected(source, parsed)
    return parsed


def lint_bytes(
    display: str,
    data: bytes,
    *,
    source_root: Path,
    reader: FileReader,
    settings: Settings | None = None,
    project: Project | None = None,
) -> LintResult:
    """Lint one buildspec given as bytes; never raises for bad input."""
    return lint_source(
        display,
        decode(data),
        source_root=source_root,
        reader=reader,
        settings=settings,
        project=project,
    )


def lint_source(
    display: str,
    source: Source,
    *,
    source_root: Path,
    reader: FileReader,
    settings: Settings | None = None,
    project: Project | None = None,
) -> LintResult:
    """Lint one decoded buildspec (a file's, or one embedded in a host file)."""
    settings = settings or Settings()
    loaded = load(display, source)
    if isinstance(loaded, Rejected):
        text = source.text
        finding = _yaml_finding(display, loaded, settings)
        return LintResult(
            display, (finding,), None, None, text, secrets=frozenset(text_secrets(text))
        )
    context = LintContext(loaded, source_root, reader, settings, project)
    diagnostics: list[Diagnostic] = []
    for check in _checks(settings.select, settings.ignore):
        diagnostics.extend(check(context))
    findings = [to_finding(display, loaded, diagnostic, settings) for diagnostic in diagnostics]
    literals = context.secrets if findings else frozenset()
    if literals:
        findings = [replace(f, message=mask(f.message, literals)) for f in findings]
    unused: list[Suppression] = []
    if not settings.no_ignores:
        applied = suppress.apply(findings, suppress.find_suppressions(loaded))
        findings = applied.findings
        unused = [item for item in applied.unused if _judged(item, settings)]
        if is_selected(BY_CODE["HS004"], settings):
            findings.extend(_unused_finding(display, loaded, item, settings) for item in unused)
    findings.sort(key=lambda f: (f.span.start, f.rule, f.message))
    batch: tuple[tuple[Path, Path], ...] = ()
    if loaded.root.get("batch") is not None:
        batch = tuple((source_root, path) for path in context.analysis.batch_buildspecs)
    return LintResult(
        display,
        tuple(findings),
        loaded,
        context,
        loaded.text,
        tuple(unused),
        batch_buildspecs=batch,
    )


def _judged(item: Suppression, settings: Settings) -> bool:
    """A suppression is known to be unused only if every rule it names ran this time."""
    named = [
        rule for rule in RULES if not item.codes or any(rule.code.startswith(c) for c in item.codes)
    ]
    return bool(named) and all(is_selected(rule, settings) for rule in named)


def _unused_finding(
    display: str, document: Document, item: Suppression, settings: Settings
) -> Finding:
    codes = ",".join(item.codes) if item.codes else "all rules"
    kind = "ignore-file" if item.whole_file else "ignore"
    diagnostic = Diagnostic(
        "HS004",
        f"unused suppression: no {codes} finding for this `hubspec: {kind}` to suppress",
        item.start,
        item.end,
        fixable=True,
    )
    return to_finding(display, document, diagnostic, settings)


@lru_cache(maxsize=64)
def _checks(select: frozenset[str] | None, ignore: frozenset[str]) -> tuple[Check, ...]:
    """The checks a selection runs, in rule order: the same few selections lint every file."""
    chosen = Settings(select=select, ignore=ignore)
    return tuple(rule.check for rule in RULES if rule.check and is_selected(rule, chosen))


def is_selected(rule: Rule, settings: Settings) -> bool:
    if settings.select is not None and not _matches(rule.code, settings.select):
        return False
    return not _matches(rule.code, settings.ignore)


def _matches(code: str, patterns: frozenset[str]) -> bool:
    return any(code.startswith(pattern.upper()) for pattern in patterns) or "ALL" in patterns


def severity_of(rule: Rule, settings: Settings) -> Severity:
    return settings.severities.get(rule.code, rule.severity)


_CONTROL = r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]"
"""Compiled (and cached by `re`) for the first message that is not printable ASCII: the
surrogate range alone took 0.6 ms to compile at every start."""


def printable(message: str) -> str:
    """Messages quote the buildspec; its control characters must not forge lines or
    drive the terminal, and a lone surrogate (from a `\\ud800` escape) cannot be written
    as UTF-8, so they are shown escaped."""
    if message.isascii() and message.isprintable():  # ' ' to '~': nothing to escape
        return message
    return re.sub(_CONTROL, lambda match: repr(match.group())[1:-1], message)


def rule_finding(
    display: str,
    code: str,
    message: str,
    span: Span,
    settings: Settings,
    *,
    fixable: bool = False,
    notes: tuple[str, ...] = (),
    related: tuple[Related, ...] = (),
    project: str | None = None,
) -> Finding:
    """A finding of rule `code`: the rule's name, the severity the settings give it, and the
    message made printable. Every finding of the lint is made here."""
    rule = BY_CODE[code]
    return Finding(
        path=display,
        rule=rule.code,
        name=rule.name,
        severity=severity_of(rule, settings),
        message=printable(message),
        span=span,
        fixable=fixable,
        notes=notes,
        related=related,
        project=project,
    )


def to_finding(
    display: str, document: Document, diagnostic: Diagnostic, settings: Settings
) -> Finding:
    span = document.span(diagnostic.start, diagnostic.end)
    return rule_finding(
        display,
        diagnostic.code,
        diagnostic.message,
        span,
        settings,
        fixable=diagnostic.fixable,
        notes=diagnostic.notes,
        related=diagnostic.related,
    )


def _yaml_finding(display: str, rejected: Rejected, settings: Settings) -> Finding:
    start = rejected.source.position(min(rejected.problem.offset, len(rejected.source.text)))
    span = Span(start, Position(start.line, start.column + 1))
    return rule_finding(display, "HS001", rejected.problem.message, span, settings)
