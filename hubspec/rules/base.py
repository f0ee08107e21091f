"""What a rule is: metadata, documentation and a pure check over the lint context."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from hubspec.model import Related, Severity, Span
from hubspec.records import field, record

if TYPE_CHECKING:
    from hubspec.build.project import Project
    from hubspec.facts.context import LintContext
    from hubspec.facts.daemon import DaemonUse


@record
class Diagnostic:
    """What a check reports: a message at character offsets of the buildspec text."""

    code: str
    message: str
    start: int
    end: int
    notes: tuple[str, ...] = field(default=())
    fixable: bool = False
    related: tuple[Related, ...] = field(default=())


Check = Callable[["LintContext"], Iterable[Diagnostic]]


@record
class ProjectFacts:
    """What project rules look at: a CodeBuild project (from a template, Terraform or the
    API) and what its buildspec does with the Docker daemon (None: buildspec not known)."""

    project: Project
    daemon: DaemonUse | None = None
    daemon_span: Span | None = None
    """Where the first daemon command is written (in `daemon_path`, else the host file)."""
    daemon_path: str | None = None


@record
class ProjectDiagnostic:
    """What a project check reports: a message at a span of the definition (None: unknown,
    as for a project read from the API) or, with `path`, of the buildspec file."""

    code: str
    message: str
    span: Span | None
    path: str | None = None


ProjectCheck = Callable[[ProjectFacts], Iterable[ProjectDiagnostic]]

_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix")


@record
class Rule:
    """A rule as data. `check` is None for rules raised by the loader itself (HS001)."""

    code: str
    name: str
    severity: Severity
    summary: str
    docs: str
    check: Check | None = None
    fixable: bool = False
    project_check: ProjectCheck | None = None
    """For rules about the CodeBuild project itself (HS104-HS106, HS202): run once per
    project."""

    def section(self, title: str) -> str:
        """One section of the docs (What it does, Why is this bad?, ...), without its heading."""
        parts = _SECTION.split(self.docs)
        for index in range(1, len(parts), 2):
            if parts[index].strip() == title:
                return parts[index + 1].strip()
        return ""


def docs_of(module_doc: str | None) -> str:
    """A rule module's docstring: the user documentation.

    Rule docstrings start at column 0, so stripping is all `inspect.cleandoc` would do (a test
    checks this), and the lint path does not import `inspect`.
    """
    return (module_doc or "").strip()
