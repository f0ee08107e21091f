"""What rules look at: the document and what later stages derive from it, computed once."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from hubspec.build.project import Project
from hubspec.events.model import Analysis, FileReader
from hubspec.events.walk import analyse_document
from hubspec.facts.budget import Budget, budget_of
from hubspec.facts.secrets import secret_literals
from hubspec.load.document import Document
from hubspec.records import field, record
from hubspec.schema.check import SchemaIssue, validate
from hubspec.settings import Settings


@record(frozen=False)
class LintContext:
    """One buildspec under lint; derived views are cached so each stage runs once."""

    document: Document
    source_root: Path
    reader: FileReader
    settings: Settings = field(default_factory=Settings)
    project: Project | None = None
    """The CodeBuild project the buildspec runs in, when its definition is known."""

    @cached_property
    def schema_issues(self) -> list[SchemaIssue]:
        return validate(self.document)

    @cached_property
    def analysis(self) -> Analysis:
        return analyse_document(self.document, self.source_root, self.reader, self.settings)

    @cached_property
    def secrets(self) -> frozenset[str]:
        """Secret literals written in the file, which no output may show."""
        return frozenset(secret_literals(self.analysis, self.document.text))

    @cached_property
    def store_variables(self) -> frozenset[str]:
        """Names CodeBuild fetches from a secret store: the buildspec's and the project's."""
        stored = self.analysis.model.defined("parameter-store", "secrets-manager")
        extra = self.project.store_variables if self.project is not None else frozenset()
        return frozenset(stored) | extra

    @cached_property
    def budget(self) -> Budget:
        """Docker Hub pulls per build: a rule reports it, and so does the run's summary."""
        mirrors = self.settings.mirrors
        return budget_of(self.analysis, self.document.path, self.secrets, mirrors)
