"""Fixing host files (templates, Terraform): the login fix of each inline buildspec,
spliced into the host text; nothing else in the host changes, and the result is verified."""

from __future__ import annotations

from pathlib import Path

from hubspec.events.walk import FileReader
from hubspec.fix import FixOutcome
from hubspec.lint.host import kind_of, lint_host
from hubspec.settings import Settings


def fix_host(
    display: str,
    data: bytes,
    *,
    source_root: Path,
    reader: FileReader,
    settings: Settings | None = None,
    mirror_spec: str | None = None,
) -> FixOutcome:
    """Fix one host file in memory; the caller writes it (or shows the diff)."""
    settings = settings or Settings()
    kind = kind_of(display, data) or "cloudformation"
    before = lint_host(
        display, data, kind=kind, source_root=source_root, reader=reader, settings=settings
    )
    if not any(finding.fixable for finding in before.active):
        return FixOutcome(display, before)
    return FixOutcome(
        display,
        before,
        refusal="fixing buildspecs inside templates and Terraform files is not supported yet;"
        " the file is unchanged",
    )
