"""What rules look at: the document and what later stages derive from it, computed once."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.document import Document
from hubspec.records import field, record
from hubspec.schema import SchemaIssue, validate
from hubspec.settings import Settings

if TYPE_CHECKING:
    from hubspec.analysis import Analysis
    from hubspec.budget import Budget

FileReader = Callable[[Path], "str | None"]


@record(frozen=False)
class LintContext:
    """One buildspec under lint; derived views are cached so each stage runs once."""

    document: Document
    source_root: Path
    reader: FileReader
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def schema_issues(self) -> list[SchemaIssue]:
        return validate(self.document)

    @cached_property
    def analysis(self) -> Analysis:
        from hubspec.analysis import analyse_document

        return analyse_document(self)

    @cached_property
    def secrets(self) -> frozenset[str]:
        """Secret literals written in the file, which no output may show."""
        from hubspec.secrets import secret_literals

        return frozenset(secret_literals(self))

    @cached_property
    def budget(self) -> Budget:
        """Docker Hub pulls per build: a rule reports it, and so does the run's summary."""
        from hubspec.budget import budget_of

        return budget_of(self)
