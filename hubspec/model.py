"""Plain data shared by every stage: positions, spans, findings, edits."""

from __future__ import annotations

import enum

from hubspec.records import field, record


class Severity(enum.StrEnum):
    """How bad a finding is; ordered so that gates can compare."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@record(order=True)
class Position:
    """A 1-based line and column, columns counted in characters."""

    line: int
    column: int


@record
class Span:
    """A range of source text; `end` is exclusive."""

    start: Position
    end: Position

    @staticmethod
    def point(line: int, column: int) -> Span:
        return Span(Position(line, column), Position(line, column + 1))


@record
class Edit:
    """Replace text[start:end] (character offsets in the decoded text) with `replacement`."""

    start: int
    end: int
    replacement: str


@record
class Related:
    """Another file's line that explains a finding (the Dockerfile line that pulls)."""

    path: str
    line: int
    message: str


@record
class Finding:
    """One problem at one place; the linter stamps rule metadata onto what rules report."""

    path: str
    rule: str
    name: str
    severity: Severity
    message: str
    span: Span
    fixable: bool = False
    notes: tuple[str, ...] = field(default=())
    suppressed: str | None = None
    related: tuple[Related, ...] = field(default=())
    project: str | None = None
    """The CodeBuild project a finding of an embedded buildspec or a project is about."""
    project_arn: str | None = None
    """The project's ARN, when it is known (an audited account's project)."""
