"""Audit an account: list projects per region, read them 100 at a time, lint each one.

No printing and no exit: the CLI renders the outcome. Problems with one region or project
become notes and the audit goes on; Ctrl-C stops it with what it has (`interrupted`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubspec.audit.client import Account, Unreadable
from hubspec.audit.convert import AccountProject, from_api
from hubspec.build.project import Project
from hubspec.docker.images import is_docker_hub, parse_image
from hubspec.facts.daemon import daemon_use
from hubspec.facts.secrets import mask, plaintext_secrets
from hubspec.lint.host import project_findings
from hubspec.lint.pipeline import lint_bytes
from hubspec.model import Finding
from hubspec.records import field, record, replace
from hubspec.report import Note, Report
from hubspec.rules.base import ProjectFacts
from hubspec.settings import Settings

if TYPE_CHECKING:
    from hubspec.facts.budget import Budget
    from hubspec.facts.context import LintContext

SOURCE_ROOT = Path("/codebuild/output/src")
"""Where CodeBuild checks the source out; the audit has no copy of it (see `_no_source`)."""
ProgressCallback = Callable[[int, int], None]


@record
class AuditOptions:
    """What to audit: regions (none: the session's), a profile, project names, shared ones."""

    regions: tuple[str, ...] = ()
    profile: str | None = None
    projects: tuple[str, ...] = ()
    shared: bool = False
    settings: Settings = field(default_factory=Settings)


@record(frozen=False)
class AuditOutcome:
    """Findings, buildspec texts (secrets masked), budgets and notes, project by project."""

    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    budgets: list[Budget] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    projects: int = 0
    regions_read: int = 0
    interrupted: bool = False

    @property
    def report(self) -> Report:
        return Report(
            findings=self.findings,
            files_checked=self.projects,
            sources=self.sources,
            budgets=self.budgets,
            notes=self.notes,
            unit="project",
        )


def audit_account(
    options: AuditOptions,
    progress: ProgressCallback | None = None,
    account: Account | None = None,
) -> AuditOutcome:
    """Audit every region; raises AuditError only when nothing can be read at all."""
    account = account or Account(options.profile)
    regions = options.regions or _default_regions(account)
    outcome = AuditOutcome()
    try:
        listed = list(_listed(account, regions, options, outcome))
        total = sum(len(names) for _, _, names in listed)
        done = 0
        missing = {name for name in options.projects if not name.startswith("arn:")}
        for region, client, names in listed:
            for batch in account.projects(client, names):
                missing.difference_update(item.get("name") for item in batch.projects)
                for name in batch.denied:
                    missing.discard(name)
                    outcome.notes.append(Note(_path(region, name), "access denied; not audited"))
                for data in sorted(batch.projects, key=lambda item: str(item.get("name"))):
                    audit_project(from_api(data, region), options.settings, outcome)
                done += len(batch.projects) + len(batch.not_found) + len(batch.denied)
                if progress is not None:
                    progress(done, total)
        outcome.notes.extend(
            Note(_path(region, name), "no such project")
            for name in sorted(missing)
            for region, _, _ in listed
        )
    except KeyboardInterrupt:
        outcome.interrupted = True
    return outcome


def _default_regions(account: Account) -> tuple[str, ...]:
    from hubspec.audit.client import AuditError

    region = account.default_region
    if region is None:
        raise AuditError("no AWS region: pass --region or set AWS_REGION (or a profile's region)")
    return (region,)


def _listed(
    account: Account, regions: Sequence[str], options: AuditOptions, outcome: AuditOutcome
) -> Iterator[tuple[str, Any, list[str]]]:
    """Each readable region with its client and the names to read; the others are noted."""
    for region in regions:
        try:
            client = account.client(region)
            if options.projects:
                names = list(options.projects)
                if options.shared:
                    names += [n for n in account.names(client, shared=True) if n not in names]
            else:
                names = sorted(account.names(client, shared=options.shared))
        except Unreadable as problem:
            outcome.notes.append(Note(f"codebuild://{region}", f"{problem}; region not audited"))
            continue
        outcome.regions_read += 1
        yield region, client, names


def audit_project(item: AccountProject, settings: Settings, outcome: AuditOutcome) -> None:
    """Lint one project (its settings, and its inline buildspec) into the outcome."""
    project = item.project
    display = item.display
    hidden = _project_secrets(item)
    findings: list[Finding] = []
    facts = ProjectFacts(project)
    if item.inline is not None:
        result = lint_bytes(
            display,
            item.inline.encode("utf-8"),
            source_root=SOURCE_ROOT,
            reader=_no_source,
            settings=settings,
            project=project,
        )
        context = result.context
        if context is not None:
            hidden |= context.secrets
            budget = context.budget
            pulls = budget.build_image_pulls + _build_image_pulls(context, project)
            outcome.budgets.append(replace(budget, path=display, build_image_pulls=pulls))
            use = daemon_use(context)
            where = context.document.span(*use.first) if use.first is not None else None
            facts = ProjectFacts(project, use, where)
        hidden |= result.secrets
        findings.extend(result.findings)
        outcome.sources[display] = mask(result.text, hidden)
    findings.extend(project_findings(display, facts, settings))
    if item.elsewhere is not None:
        outcome.notes.append(Note(display, f"buildspec {item.elsewhere}; lint that file there"))
    outcome.findings.extend(
        # not fixable here: `hubspec fix` edits files, not accounts
        replace(
            finding,
            message=mask(finding.message, hidden),
            project=project.name,
            project_arn=project.arn,
            fixable=False,
        )
        for finding in sorted(findings, key=lambda f: (f.span.start, f.rule, f.message))
    )
    outcome.projects += 1


def _build_image_pulls(context: LintContext, project: Project) -> int:
    """CodeBuild pulls a Docker Hub build image anonymously (no registry credential) for
    each build that runs in it: the build, or each batch task without an image of its own."""
    image = project.image
    if image is None or project.registry_credential or image.startswith("aws/codebuild/"):
        return 0
    ref = parse_image(image)
    if ref is None or not is_docker_hub(ref, mirrors=context.settings.mirrors):
        return 0
    tasks = context.analysis.model.batch_tasks
    return sum(1 for task in tasks if not task.image) if tasks else 1


def _project_secrets(item: AccountProject) -> set[str]:
    """PLAINTEXT project values that look like secrets: no output may show them."""
    return {
        variable.value
        for variable in plaintext_secrets(item.project)
        if variable.value is not None and len(variable.value) >= 4
    }


def _no_source(path: object) -> str | None:
    """The source repository is not in the account: Dockerfiles and scripts are unknown."""
    return None


def _path(region: str, name: str) -> str:
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) > 5:
            return f"codebuild://{parts[3]}/{parts[5].removeprefix('project/')}"
    return f"codebuild://{region}/{name}"
