"""Lint a host file (template, CDK output, Terraform): every project's buildspec and the
project itself, each finding at its line:col in the host file (or in the buildspec file a
project names) and carrying the project's name."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hubspec.build.project import Project, VariableType
from hubspec.events.model import FileReader
from hubspec.events.resolve import Resolver
from hubspec.facts.budget import Budget
from hubspec.facts.daemon import daemon_use
from hubspec.facts.secrets import looks_like_secret, mask
from hubspec.hosts.found import HostProject, Problem
from hubspec.hosts.read import read_host
from hubspec.hosts.spans import Spans
from hubspec.hosts.textmap import Mapped, rewrite, same_width
from hubspec.lint.pipeline import LintResult, is_selected, lint_source, rule_finding
from hubspec.load.source import Embedding, Source
from hubspec.model import Finding, Position, Span
from hubspec.records import record, replace
from hubspec.rules import BY_CODE, RULES
from hubspec.rules.base import ProjectFacts
from hubspec.settings import Settings

_TEMPLATE_VARIABLE = re.compile(r"\$\$\{|\$\{[^}]*\}")


def lint_host(
    display: str,
    data: bytes,
    *,
    kind: str,
    source_root: Path,
    reader: FileReader,
    settings: Settings | None = None,
) -> LintResult:
    """Lint one host file given as bytes; never raises for bad input."""
    settings = settings or Settings()
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as error:
        lossy = data.decode("utf-8", errors="replace")
        problem = Problem("HS001", f"the file is not valid UTF-8 (byte offset {error.start})", 0, 1)
        return LintResult(
            display,
            (_problem_finding(display, problem, Spans(lossy), settings, None),),
            None,
            None,
            lossy,
        )
    host = read_host(kind, text, len(data))
    spans = Spans(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    host_source = Source(data, text, bom=bom, newline=newline)
    findings: list[Finding] = []
    secrets: set[str] = set()
    budgets: list[Budget] = []
    named: list[str] = []
    if host.problem is not None:
        findings.append(_problem_finding(display, host.problem, spans, settings, None))
    base = Path(display).parent
    for found in host.projects:
        linted = _lint_project(
            display, found, spans, host_source, base, source_root, reader, settings
        )
        findings.extend(linted.findings)
        secrets |= linted.secrets
        budgets.append(linted.budget)
        if linted.named is not None:
            named.append(linted.named)
    if secrets:
        findings = [replace(f, message=mask(f.message, secrets)) for f in findings]
    findings.sort(key=lambda f: (f.path != display, f.path, f.span.start, f.rule, f.message))
    return LintResult(
        display,
        tuple(findings),
        None,
        None,
        text,
        secrets=frozenset(secrets),
        budgets=tuple(budgets),
        named_buildspecs=tuple(dict.fromkeys(named)),
    )


class _Linted:
    def __init__(self, budget: Budget) -> None:
        self.findings: list[Finding] = []
        self.secrets: set[str] = set()
        self.budget = budget
        self.named: str | None = None
        """The buildspec file the project names, as shown, once it was linted."""


def _lint_project(
    display: str,
    found: HostProject,
    spans: Spans,
    host_source: Source,
    base: Path,
    source_root: Path,
    reader: FileReader,
    settings: Settings,
) -> _Linted:
    project = found.project
    name = project.name
    facts = ProjectFacts(project)
    image_pulls = _image_pulls(project, settings)
    linted = _Linted(Budget(f"{display} ({name})", 0, 1, image_pulls, ()))
    linted.secrets |= {
        variable.value
        for variable in project.variables
        if variable.type is VariableType.PLAINTEXT
        and variable.value
        and looks_like_secret(variable.name, variable.value)
    }
    for problem in found.problems:
        if is_selected(BY_CODE[problem.code], settings):
            linted.findings.append(_problem_finding(display, problem, spans, settings, name))
    embedded: tuple[str, Source] | None = None
    if found.inline is not None:
        mapped = found.inline
        embedded = (
            display,
            Source.of_text(mapped.text, Embedding(host_source, mapped.host_offset)),
        )
    elif found.path is not None:
        path = named_buildspec(found, base, source_root)
        read = _read_named(path, source_root, reader)
        if isinstance(read, _Unread):
            if is_selected(BY_CODE["HS005"], settings):
                message = f"the buildspec file {read.shown} {read.reason}; it is not linted"
                problem = Problem("HS005", message, *found.path_span)
                linted.findings.append(_problem_finding(display, problem, spans, settings, name))
        else:
            source = Source.of_text(read)
            if found.substitutions:
                mapped = _substituted(read, found.substitutions)
                source = Source.of_text(mapped.text, Embedding(source, mapped.host_offset))
            embedded = (str(path), source)
            linted.named = str(path)
    if embedded is not None:
        path_shown, source = embedded
        result = lint_source(
            path_shown,
            source,
            source_root=source_root,
            reader=reader,
            settings=settings,
            project=project,
        )
        linted.findings.extend(replace(finding, project=name) for finding in result.findings)
        linted.secrets |= result.secrets
        if result.context is not None:
            context = result.context
            linted.secrets |= context.secrets
            use = daemon_use(context)
            where = context.document.span(*use.first) if use.first is not None else None
            facts = ProjectFacts(project, use, where, path_shown if path_shown != display else None)
            budget = context.budget
            linted.budget = replace(
                budget,
                path=linted.budget.path,
                build_image_pulls=budget.build_image_pulls + image_pulls,
            )
    linted.findings.extend(project_findings(display, facts, settings))
    return linted


def named_buildspec(found: HostProject, base: Path, source_root: Path) -> Path:
    """The buildspec file a project names by path: from the source root, or from a Terraform
    module's folder (`base`, the host file's), with `..` taken out as the resolver takes it
    out of the paths a build names (`infra/../ci/buildspec.yml` is `ci/buildspec.yml`)."""
    assert found.path is not None
    return Path(os.path.normpath((base if found.base == "module" else source_root) / found.path))


@record
class _Unread:
    """Why a named buildspec file was not read, and its path from the source root."""

    shown: str
    reason: str


def _read_named(path: Path, source_root: Path, reader: FileReader) -> str | _Unread:
    """The text of a buildspec file a project names, read as the build's own files are
    (`events.resolve`): nothing outside the source root, through `..` or a symlink."""
    root = os.path.abspath(source_root)
    inside = os.path.relpath(os.path.abspath(path), root)
    shown = Path(inside).as_posix()
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        return _Unread(shown, "is outside the source root, which hubspec does not read")
    opened = Resolver(source_root, reader).open(path)  # the reader knows `path` as it is
    return _Unread(shown, opened) if isinstance(opened, str) else opened.text


def project_findings(display: str, facts: ProjectFacts, settings: Settings) -> list[Finding]:
    """The findings of the project rules (HS104-HS106) for one project.

    Also for projects read from elsewhere (the CodeBuild API): a diagnostic without a span
    is placed at 1:1 of `display`.
    """
    findings: list[Finding] = []
    for rule in RULES:
        if rule.project_check is None or not is_selected(rule, settings):
            continue
        for diagnostic in rule.project_check(facts):
            span = diagnostic.span or Span(Position(1, 1), Position(1, 2))
            path = diagnostic.path or display
            findings.append(
                rule_finding(
                    path, rule.code, diagnostic.message, span, settings, project=facts.project.name
                )
            )
    return findings


def _image_pulls(project: Project, settings: Settings) -> int:
    """1 when CodeBuild pulls the project's build image from Docker Hub, for `--stats`."""
    from hubspec.rules.build_image_on_hub import hub_image

    on_hub = project.image is not None and hub_image(project.image, settings.mirrors) is not None
    return 1 if on_hub else 0


def _substituted(text: str, variables: tuple[tuple[str, str | None], ...]) -> Mapped:
    """A `templatefile` text with its variables: literals put in, others unknown; `$${` is `${`."""
    known = dict(variables)

    def value(match: re.Match[str]) -> str:
        token = match.group()
        if token == "$${":
            return "${"
        literal = known.get(token[2:-1].strip())
        return literal if literal is not None else same_width(token)

    return rewrite(Mapped.verbatim(text, 0), _TEMPLATE_VARIABLE, value)


def _problem_finding(
    display: str, problem: Problem, spans: Spans, settings: Settings, project: str | None
) -> Finding:
    span = spans.span(problem.start, problem.end)
    return rule_finding(display, problem.code, problem.message, span, settings, project=project)
