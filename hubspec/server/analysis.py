"""Lint one editor buffer: which documents are buildspecs, and their diagnostics."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from lsprotocol import types

from hubspec.facts.secrets import mask, text_secrets
from hubspec.hosts.kind import text_kind
from hubspec.lint.host import lint_host
from hubspec.lint.pipeline import LintResult, lint_bytes
from hubspec.records import record, replace
from hubspec.run.files import BUILDSPEC_NAME, YAML_NAME
from hubspec.server.buffers import Buffers
from hubspec.server.diagnostics import crash_diagnostic, to_diagnostic
from hubspec.server.positions import Lines
from hubspec.server.projects import project_findings
from hubspec.settings import Settings

_TOP_KEY = re.compile(r"^(version|phases)[ \t]*:", re.MULTILINE)


def is_lintable(name: str, text: str, language: str = "") -> bool:
    """A buildspec, or a template or Terraform file whose projects hubspec lints."""
    return is_buildspec(name, text, language) or text_kind(name, text) is not None


def is_buildspec(name: str, text: str, language: str = "") -> bool:
    """A buildspec by name (`buildspec*.yml`), or a YAML file (by name, or by language for an
    unsaved buffer) with `version` and `phases` at the top level, as the CLI's discovery
    judges."""
    if BUILDSPEC_NAME.match(name):
        return True
    if not YAML_NAME.match(name) and language != "yaml":
        return False
    return {match.group(1) for match in _TOP_KEY.finditer(text)} == {"version", "phases"}


@record
class Target:
    """A document to lint: its URI, name in messages, text, and what it is linted with."""

    uri: str
    display: str
    text: str
    settings: Settings
    root: Path
    encoding: str = types.PositionEncodingKind.Utf16
    hosts: tuple[Path, ...] = ()
    """The host files under the source root: a project of one may name this buildspec."""


@record
class Checked:
    """A lint of one buffer: diagnostics to publish, the files it read, the log if it failed."""

    diagnostics: list[types.Diagnostic]
    uses: frozenset[Path] = frozenset()
    failure: str | None = None


def lint_text(target: Target, buffers: Buffers, seen: set[Path]) -> LintResult:
    """The lint of the buffer's text, reading other files through the open buffers."""
    data = target.text.encode("utf-8", errors="surrogatepass")
    kind = text_kind(target.display, target.text)
    if kind is not None:
        return lint_host(
            target.display,
            data,
            kind=kind,
            source_root=target.root,
            reader=buffers.reader(seen),
            settings=target.settings,
        )
    alone = lint_bytes(
        target.display,
        data,
        source_root=target.root,
        reader=buffers.reader(seen),
        settings=target.settings,
    )
    if not target.hosts:
        return alone
    found = project_findings(
        target.display, target.root, target.settings, target.hosts, buffers, seen
    )
    return alone if found is None else replace(alone, findings=tuple(found))


def check(target: Target, buffers: Buffers) -> Checked:
    """Diagnostics for one buildspec; a crash gives one error diagnostic and a log text."""
    seen: set[Path] = set()
    try:
        result = lint_text(target, buffers, seen)
        lines = Lines(target.text, target.encoding)
        diagnostics = [
            to_diagnostic(finding, lines, target.uri)
            for finding in result.active
            if finding.path == target.display  # a project's buildspec file has its own
        ]
    except Exception as error:  # a bug in hubspec must not stop the server
        return Checked([crash_diagnostic(error)], frozenset(seen), failure_log(target, error))
    return Checked(diagnostics, frozenset(seen))


def failure_log(target: Target, error: BaseException) -> str:
    """What the server log says about a crash: the traceback, secrets of the text masked."""
    trace = "".join(traceback.format_exception(error))
    return mask(f"hubspec failed on {target.display}:\n{trace}", text_secrets(target.text))
