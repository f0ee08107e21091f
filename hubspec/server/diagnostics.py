"""Findings -> LSP diagnostics: exact ranges, rule code and docs link, severity, notes."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from hubspec.model import Finding, Severity
from hubspec.server.positions import Lines

SOURCE = "hubspec"
DOCS_URL = "https://github.com/hubspec/hubspec#rules"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_diagnostic(finding: Finding, lines: Lines, uri: str) -> types.Diagnostic:
    """One active finding as the editor shows it."""
    here = types.Range(lines.at(finding.span.start), lines.at(finding.span.end))
    related = [
        types.DiagnosticRelatedInformation(types.Location(uri, here), note)
        for note in finding.notes
    ]
    for item in finding.related:
        target = from_fs_path(str(Path(item.path)))
        if target is None:
            continue
        line = types.Range(types.Position(item.line - 1, 0), types.Position(item.line, 0))
        related.append(
            types.DiagnosticRelatedInformation(types.Location(target, line), item.message)
        )
    return types.Diagnostic(
        range=here,
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=DOCS_URL),
        source=SOURCE,
        related_information=related or None,
        data={"name": finding.name, "fixable": finding.fixable},
    )


def crash_diagnostic(error: BaseException) -> types.Diagnostic:
    """The one diagnostic for a document whose analysis failed: hubspec's bug, not the user's."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 1)),
        message=(
            f"hubspec failed on this file ({type(error).__name__}); the server log has the"
            " details; please report it at https://github.com/hubspec/hubspec/issues"
        ),
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
        code="internal-error",
    )


def config_diagnostic(message: str) -> types.Diagnostic:
    """A config file that cannot be used stops linting, as it stops the CLI (exit 2)."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 1)),
        message=f"hubspec config: {message}",
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
        code="config",
    )
