"""`lint` and `fix` as plain functions of a request, so that running them needs no typer.

cli.py (typer) and quickargs.py (the fast path) both only build a request; everything after
that, every message and exit code included, lives here. rich is imported by the reporters only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO, TypeVar

from hubspec.cli.echo import echo
from hubspec.records import record
from hubspec.run.options import (
    BASELINE,
    COLOR,
    CONFIG,
    DIFF,
    EXIT_ZERO,
    FAIL_ON,
    IGNORE,
    ISOLATED,
    JOBS,
    MIRROR,
    NO_IGNORES,
    OUTPUT,
    OUTPUT_FORMAT,
    SECRET,
    SELECT,
    SOURCE_ROOT,
    STATS,
    STDIN_FILENAME,
    STORE,
    STRATEGY,
    TOKEN_VARIABLE,
    USER_VARIABLE,
    WRITE_BASELINE,
    Color,
    OutputFormat,
    Request,
    Store,
    Strategy,
    fix_settings,
)

if TYPE_CHECKING:
    from hubspec.report import Report
    from hubspec.run.options import RunOptions

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
ISSUES_URL = "https://github.com/hubspec/hubspec/issues"
PROGRESS_THRESHOLD = 20
T = TypeVar("T")


@record
class ServerRequest:
    """`hubspec server`: it takes no options."""


LSP_MODULES = frozenset({"pygls", "lsprotocol", "cattrs", "attrs"})
LSP_MISSING = "`hubspec server` needs the lsp extra: pip install 'hubspec[lsp]'"


class _Exit(Exception):
    """Ends a command with this exit code; its message, if any, is already written."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def run_lint(request: Request) -> int:
    """`hubspec lint`: the report on stdout, messages on stderr; returns the exit code."""
    try:
        return _lint(request)
    except _Exit as stop:
        return stop.code


def run_fix(request: Request) -> int:
    """`hubspec fix`: rewrites files (or prints the diff); returns the exit code."""
    try:
        return _fix(request)
    except _Exit as stop:
        return stop.code


def run_server(request: ServerRequest | None = None) -> int:
    """`hubspec server`: LSP over stdin/stdout until the client ends it; the exit code."""
    try:
        from hubspec.server.app import serve
    except ModuleNotFoundError as error:  # not installed; a broken install is a bug report
        if (error.name or "").partition(".")[0] not in LSP_MODULES:
            raise
        echo(f"hubspec: error: {LSP_MISSING}", err=True)
        return EXIT_USAGE
    return serve()


def _lint(request: Request) -> int:
    from hubspec.run.runner import lint_paths

    options = _options(request)
    color = request[COLOR]
    with _progress(color) as progress:
        outcome = _run(lambda: lint_paths(options, progress))
    report = outcome.report
    write_baseline = request[WRITE_BASELINE]
    if write_baseline is not None:
        from hubspec.run import baseline as baselines

        _write_report_file(write_baseline, baselines.dump(report))
        echo(f"wrote {len(report.active)} finding(s) to the baseline {write_baseline}", err=True)
        return EXIT_OK
    baseline = request[BASELINE]
    if baseline is not None:
        report = _apply_baseline(report, baseline)
    emit(report, request)
    failed = outcome.failed(report)
    return EXIT_FINDINGS if failed and not request[EXIT_ZERO] else EXIT_OK


def emit(report: Report, request: Request) -> None:
    """Render the report on stdout (or into --output, the terminal getting the text report),
    as `lint` and `audit` both do; --stats adds the pull budget unless stdout is machine-read."""
    chosen = _choose_format(request[OUTPUT_FORMAT])
    output, color = request[OUTPUT], request[COLOR]
    if output is not None:
        from io import StringIO

        buffer = StringIO()
        _render(report, chosen, buffer, Color.never)
        _write_report_file(output, buffer.getvalue())
        _render(report, OutputFormat.text, sys.stdout, color)
    else:
        _render(report, chosen, sys.stdout, color)
    machine_readable = chosen in (OutputFormat.json, OutputFormat.sarif, OutputFormat.junit)
    if request[STATS] and (output is not None or not machine_readable):
        from hubspec.report import stats as stats_report

        stats_report.render(report, sys.stdout)


def _fix(request: Request) -> int:
    from hubspec.fix.edits import AddedReference
    from hubspec.fix.instructions import next_steps
    from hubspec.model import Severity
    from hubspec.run.diffs import unified_diff
    from hubspec.run.runner import fix_paths

    for name in (request[USER_VARIABLE], request[TOKEN_VARIABLE]):
        if name is not None and not (name.isidentifier() and name.isascii()):
            _usage_error(f"'{name}' is not a valid shell variable name")
    options = _options(request)
    if request[STORE] is Store.secrets_manager and not request[SECRET]:
        _usage_error("--store secrets-manager needs --secret ID")
    if request[STRATEGY] is Strategy.mirror:
        options = _mirror_options(options, request[MIRROR])
    diff = request[DIFF]
    stdin_only = options.paths == ["-"]
    run = _run(lambda: fix_paths(options, write=not diff and not stdin_only))
    if stdin_only and not diff:
        outcome = run.outcomes[0]
        if outcome.new_data is not None:
            sys.stdout.buffer.write(outcome.new_data)
        else:
            sys.stdout.write(outcome.before.text)
        return EXIT_FINDINGS if outcome.refusal else EXIT_OK
    refused = [outcome for outcome in run.outcomes if outcome.refusal]
    for outcome in refused:
        echo(f"{outcome.path}: not fixed: {outcome.refusal}", err=True)
    for outcome in run.outcomes:
        for reason in outcome.skipped:
            echo(f"{outcome.path}: left on Docker Hub: {reason}", err=True)
    for error in run.errors:
        echo(f"hubspec: error: {error}", err=True)
    if diff:
        changed = [outcome for outcome in run.outcomes if outcome.changed]
        for outcome in changed:
            sys.stdout.write(unified_diff(outcome))
        return EXIT_FINDINGS if changed or refused or run.errors else EXIT_OK
    added: list[AddedReference] = []
    for outcome in run.outcomes:
        if outcome.path in run.written:
            echo(f"fixed {outcome.path}:")
            for change in outcome.changes:
                echo(f"  - {change}")
            added.extend(outcome.added)
    remaining = [finding for finding in run.report.active if finding.severity is Severity.ERROR]
    if not run.written and not refused and not run.errors:
        echo("Nothing to fix.")
    steps = next_steps(added)
    if steps:
        echo("")
        echo("Still to do, once:")
        for line in steps:
            echo(line)
    if remaining:
        echo(f"{len(remaining)} error(s) remain; run `hubspec lint` to see them.", err=True)
    return EXIT_FINDINGS if remaining or refused or run.errors else EXIT_OK


def _options(request: Request) -> RunOptions:
    """The core's run options from a request; the fix names come from the option table."""
    from hubspec.model import Severity
    from hubspec.run.options import RunOptions

    config = request[CONFIG]
    if config is not None and not config.is_file():
        _usage_error(f"{config}: config file not found")
    select, ignore, fail_on = request[SELECT], request[IGNORE], request[FAIL_ON]
    return RunOptions(
        paths=request.paths or ["."],
        stdin_filename=request[STDIN_FILENAME],
        source_root=request[SOURCE_ROOT],
        select=frozenset(code.upper() for code in select) if select else None,
        ignore=frozenset(code.upper() for code in ignore or ()),
        mirrors=frozenset(request[MIRROR] or ()),
        fail_on=Severity(fail_on.value) if fail_on is not None else None,
        fix_options=fix_settings(request),
        config_file=config,
        isolated=request[ISOLATED],
        no_ignores=request[NO_IGNORES],
        jobs=request[JOBS],
    )


def _mirror_options(options: RunOptions, mirror: list[str] | None) -> RunOptions:
    """--strategy mirror takes its target from the one --mirror that names a mirror kind."""
    from hubspec.fix.mirror import parse_mirror
    from hubspec.records import replace

    targets = [
        item for item in mirror or () if item == "ecr-public" or item.startswith("pull-through:")
    ]
    if len(targets) != 1:
        _usage_error(
            "--strategy mirror needs one --mirror ecr-public or"
            " --mirror pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX"
        )
    try:
        parsed = parse_mirror(targets[0])
    except ValueError as error:
        _usage_error(str(error))
    trusted = options.mirrors - {targets[0]}
    if parsed.host:
        trusted |= {f"{parsed.host}/{parsed.prefix}"}
    return replace(options, mirror_target=targets[0], mirrors=frozenset(trusted))


def _apply_baseline(report: Report, path: Path) -> Report:
    from hubspec.run import baseline as baselines

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _usage_error(f"{path}: cannot be read ({error.strerror or error})")
    try:
        return baselines.subtract(report, baselines.load(text, str(path)))
    except baselines.BaselineError as error:
        _usage_error(str(error))


def _write_report_file(path: Path, text: str) -> None:
    from hubspec.run.files import write_new

    try:
        write_new(path, text.encode("utf-8"), overwrite=True)
    except OSError as error:
        _usage_error(f"{path}: cannot be written ({error.strerror or error})")


def _choose_format(chosen: OutputFormat | None) -> OutputFormat:
    if chosen is not None:
        return chosen
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return OutputFormat.github
    return OutputFormat.text


def _render(report: Report, output_format: OutputFormat, out: TextIO, color: Color) -> None:
    if output_format is OutputFormat.json:
        from hubspec.report import json as json_report

        json_report.render(report, out)
    elif output_format is OutputFormat.sarif:
        from hubspec.report import sarif

        sarif.render(report, out)
    elif output_format is OutputFormat.github:
        from hubspec.report import github

        github.render(report, out)
    elif output_format is OutputFormat.junit:
        from hubspec.report import junit

        junit.render(report, out)
    elif output_format is OutputFormat.text and _wants_frames(out, color):
        from hubspec.report import text

        text.render(report, out, color=_color_flag(color))
    else:
        from hubspec.report import concise

        concise.render(report, out)


def _wants_frames(out: TextIO, color: Color) -> bool:
    return color is Color.always or out.isatty()


def _color_flag(color: Color) -> bool | None:
    """--color for this run wins over NO_COLOR, which wins over detection (no-color.org)."""
    if color is Color.always:
        return True
    if color is Color.never or os.environ.get("NO_COLOR"):
        return False
    return None


class _progress:
    """A progress bar on stderr for many files on a terminal; nothing otherwise."""

    def __init__(self, color: Color, label: str = "linting") -> None:
        self.enabled = sys.stderr.isatty() and color is not Color.never and not os.environ.get("CI")
        self.bar: object | None = None
        self.label = label

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self.enabled:
            return None
        from hubspec.report.progress import ProgressBar

        bar = ProgressBar(sys.stderr, PROGRESS_THRESHOLD, self.label)
        self.bar = bar
        return bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is None:
            return
        from hubspec.report.progress import ProgressBar

        if isinstance(self.bar, ProgressBar):
            self.bar.close()


def _run(work: Callable[[], T]) -> T:
    """Run core work, turning usage and internal errors into messages and exit codes."""
    from hubspec.run.baseline import BaselineError
    from hubspec.run.config import ConfigError
    from hubspec.run.files import PathError
    from hubspec.run.tasks import InternalError

    try:
        return work()
    except (PathError, ConfigError, BaselineError) as error:
        _usage_error(str(error))
    except InternalError as error:
        _internal_error(str(error))
    except Exception as error:
        _internal_error(f"{type(error).__name__}: {error}")


def _internal_error(message: str) -> NoReturn:
    echo(f"hubspec: internal error: {message}", err=True)
    echo(f"hubspec: this is a bug; please report it at {ISSUES_URL}", err=True)
    raise _Exit(EXIT_USAGE)


def _usage_error(message: str) -> NoReturn:
    echo(f"hubspec: error: {message}", err=True)
    raise _Exit(EXIT_USAGE)
