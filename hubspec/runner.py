"""Runs the core over command-line paths: discovery, reading, linting; no printing, no exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from hubspec import files
from hubspec.lint import LintResult, lint_bytes
from hubspec.report import Report
from hubspec.settings import Settings

STDIN = "-"


class InternalError(Exception):
    """A bug in hubspec while handling one file; the message names the file."""


@dataclass(frozen=True)
class RunOptions:
    """What the CLI parsed, as plain data (so the core can be driven without the CLI)."""

    paths: list[str]
    stdin_filename: str | None = None
    source_root: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    mirrors: frozenset[str] = frozenset()

    def settings(self) -> Settings:
        return Settings(
            source_root=self.source_root,
            mirrors=self.mirrors,
            select=self.select,
            ignore=self.ignore,
        )


@dataclass(frozen=True)
class Outcome:
    """The results of a run: one LintResult per file, and the report built from them."""

    results: list[LintResult] = field(default_factory=list)

    @property
    def report(self) -> Report:
        return Report(
            findings=[finding for result in self.results for finding in result.findings],
            files_checked=len(self.results),
            sources={result.path: result.text for result in self.results},
        )


def lint_paths(options: RunOptions) -> Outcome:
    settings = options.settings()
    results: list[LintResult] = []
    for display, data, root in _inputs(options):
        results.append(lint_one(display, data, root, settings))
    return Outcome(results)


def lint_one(display: str, data: bytes, root: Path, settings: Settings) -> LintResult:
    try:
        return lint_bytes(display, data, source_root=root, reader=files.read_referenced, settings=settings)
    except Exception as error:
        raise InternalError(f"{display}: {type(error).__name__}: {error}") from error


def _inputs(options: RunOptions) -> list[tuple[str, bytes, Path]]:
    """(display name, bytes, source root) for each input; stdin is read once."""
    inputs: list[tuple[str, bytes, Path]] = []
    named = [path for path in options.paths if path != STDIN]
    targets = files.discover(named)
    if STDIN in options.paths:
        display = options.stdin_filename or "<stdin>"
        root = options.source_root or (Path(options.stdin_filename).parent if options.stdin_filename else Path.cwd())
        inputs.append((display, sys.stdin.buffer.read(files.MAX_INPUT_BYTES + 1), root))
    for target in targets:
        try:
            data = files.read_bytes(target.path, files.MAX_INPUT_BYTES)
        except OSError as error:
            raise files.PathError(f"{target.display}: cannot be read ({error.strerror})") from None
        root = options.source_root or target.path.parent
        inputs.append((target.display, data, root))
    return inputs
