"""What a rule is: metadata, documentation and a pure check over the lint context."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from hubspec.build.project import Project
from hubspec.model import Related, Severity
from hubspec.records import field, record

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


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
ProjectCheck = Callable[[Project], Iterable[str]]
"""A check of the project's own settings, with no place in a buildspec: messages only."""

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
