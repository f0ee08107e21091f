"""`lint` and `fix` as plain functions of a request, so that running them needs no typer.

cli.py (typer) and quickargs.py (the fast path) both only build a request; everything after
that, every message and exit code included, lives here. rich is imported by the reporters only.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, cast

from hubspec.records import record

if TYPE_CHECKING:
    from hubspec.report import Report
    from hubspec.run.runner import RunOptions

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
ISSUES_URL = "https://github.com/hubspec/hubspec/issues"
PROGRESS_THRESHOLD = 20
T = TypeVar("T")
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # click's strip_ansi


class OutputFormat(StrEnum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Strategy(StrEnum):
    login = "login"
    mirror = "mirror"


class Store(StrEnum):
    parameter_store = "parameter-store"
    secrets_manager = "secrets-manager"


@record
class LintRequest:
    """Every option of `hubspec lint`, with the types and defaults typer delivers."""

    paths: list[str] | None = None
    output_format: OutputFormat | None = None
    output: Path | None = None
    stdin_filename: str | None = None
    source_root: Path | None = None
    fail_on: FailOn | None = None
    exit_zero: bool = False
    select: list[str] | None = None
    ignore: list[str] | None = None
    mirror: list[str] | None = None
    config: Path | None = None
    isolated: bool = False
    no_ignores: bool = False
    jobs: int = 0
    baseline: Path | None = None
    write_baseline: Path | None = None
    stats: bool = False
    color: Color = Color.auto


@record
class FixRequest:
    """Every option of `hubspec fix`, with the types and defaults typer delivers."""

    paths: list[str] | None = None
    diff: bool = False
    stdin_filename: str | None = None
    source_root: Path | None = None
    strategy: Strategy = Strategy.login
    store: Store | None = None
    secret: str | None = None
    user_variable: str | None = None
    token_variable: str | None = None
    user_parameter: str | None = None
    token_parameter: str | None = None
    registry_secret: str | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    mirror: list[str] | None = None
    config: Path | None = None
    isolated: bool = False
    no_ignores: bool = False
    jobs: int = 0


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


def run_lint(request: LintRequest) -> int:
    """`hubspec lint`: the report on stdout, messages on stderr; returns the exit code."""
    try:
        return _lint(request)
    except _Exit as stop:
        return stop.code


def run_fix(request: FixRequest) -> int:
    """`hubspec fix`: rewrites files (or prints the diff); returns the exit code."""
    try:
        return _fix(request)
    except _Exit as stop:
        return stop.code


def run_server(request: ServerRequest | None = None) -> int:
    """`hubspec server`: LSP over stdin/stdout until the client ends it; the exit code."""
    try:
        from hubspec.server.app import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in LSP_MODULES:
            raise
        _echo(f"hubspec: error: {LSP_MISSING}", err=True)
        return EXIT_USAGE
    return serve()


def _lint(request: LintRequest) -> int:
    from hubspec.run.runner import fail_on_for, lint_paths

    options = _options(request)
    with _progress(request.color) as progress:
        outcome = _run(lambda: lint_paths(options, progress))
    report = outcome.report
    if request.write_baseline is not None:
        from hubspec.run import baseline as baselines

        _write_report_file(request.write_baseline, baselines.dump(report))
        _echo(
            f"wrote {len(report.active)} finding(s) to the baseline {request.write_baseline}",
            err=True,
        )
        return EXIT_OK
    if request.baseline is not None:
        report = _apply_baseline(report, request.baseline)
    emit(report, request.output_format, request.output, request.color, stats=request.stats)
    from hubspec.model import Severity

    threshold_of = _run(lambda: fail_on_for(options))
    fail_on = request.fail_on

    def threshold(path: str) -> Severity:
        return Severity(fail_on.value if fail_on is not None else threshold_of(path))

    failed = any(finding.severity.rank >= threshold(finding.path).rank for finding in report.active)
    return EXIT_FINDINGS if failed and not request.exit_zero else EXIT_OK


def emit(
    report: Report,
    output_format: OutputFormat | None,
    output: Path | None,
    color: Color,
    *,
    stats: bool,
) -> None:
    """Render the report on stdout (or into `output`, the terminal getting the text report)."""
    chosen = _choose_format(output_format)
    if output is not None:
        from io import StringIO

        buffer = StringIO()
        _render(report, chosen, buffer, Color.never)
        _write_report_file(output, buffer.getvalue())
        _render(report, OutputFormat.text, sys.stdout, color)
    else:
        _render(report, chosen, sys.stdout, color)
    machine_readable = chosen in (OutputFormat.json, OutputFormat.sarif, OutputFormat.junit)
    if stats and (output is not None or not machine_readable):
        from hubspec.report import stats as stats_report

        stats_report.render(report, sys.stdout)


def _fix(request: FixRequest) -> int:
    from hubspec.fix.edits import AddedReference
    from hubspec.fix.instructions import next_steps
    from hubspec.model import Severity
    from hubspec.run.runner import fix_paths, unified_diff

    for name in (request.user_variable, request.token_variable):
        if name is not None and not (name.isidentifier() and name.isascii()):
            _usage_error(f"'{name}' is not a valid shell variable name")
    store = request.store
    given = {
        "user_variable": request.user_variable,
        "token_variable": request.token_variable,
        "user_parameter": request.user_parameter,
        "token_parameter": request.token_parameter,
        "store": store.value if store is not None else None,
        "secret_id": request.secret,
        "registry_secret": request.registry_secret,
    }
    options = _options(request, {key: value for key, value in given.items() if value is not None})
    if store is Store.secrets_manager and not request.secret:
        _usage_error("--store secrets-manager needs --secret ID")
    if request.strategy is Strategy.mirror:
        options = _mirror_options(options, request.mirror)
    diff = request.diff
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
        _echo(f"{outcome.path}: not fixed: {outcome.refusal}", err=True)
    for outcome in run.outcomes:
        for reason in outcome.skipped:
            _echo(f"{outcome.path}: left on Docker Hub: {reason}", err=True)
    for error in run.errors:
        _echo(f"hubspec: error: {error}", err=True)
    if diff:
        changed = [outcome for outcome in run.outcomes if outcome.changed]
        for outcome in changed:
            sys.stdout.write(unified_diff(outcome))
        return EXIT_FINDINGS if changed or refused or run.errors else EXIT_OK
    added: list[AddedReference] = []
    for outcome in run.outcomes:
        if outcome.path in run.written:
            _echo(f"fixed {outcome.path}:")
            for change in outcome.changes:
                _echo(f"  - {change}")
            added.extend(outcome.added)
    remaining = [finding for finding in run.report.active if finding.severity is Severity.ERROR]
    if not run.written and not refused and not run.errors:
        _echo("Nothing to fix.")
    steps = next_steps(added)
    if steps:
        _echo("")
        _echo("Still to do, once:")
        for line in steps:
            _echo(line)
    if remaining:
        _echo(f"{len(remaining)} error(s) remain; run `hubspec lint` to see them.", err=True)
    return EXIT_FINDINGS if remaining or refused or run.errors else EXIT_OK


def _options(
    request: LintRequest | FixRequest, fix_options: dict[str, str] | None = None
) -> RunOptions:
    """The core's run options from the options `lint` and `fix` share."""
    from hubspec.run.runner import RunOptions

    config = request.config
    if config is not None and not config.is_file():
        _usage_error(f"{config}: config file not found")
    return RunOptions(
        paths=request.paths or ["."],
        stdin_filename=request.stdin_filename,
        source_root=request.source_root,
        select=frozenset(code.upper() for code in request.select) if request.select else None,
        ignore=frozenset(code.upper() for code in request.ignore or ()),
        mirrors=frozenset(request.mirror or ()),
        fix_options=fix_options or {},
        config_file=config,
        isolated=request.isolated,
        no_ignores=request.no_ignores,
        jobs=request.jobs,
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
        from hubspec.report.progress import ProgressBar

        if isinstance(self.bar, ProgressBar):
            self.bar.close()


def _run(work: Callable[[], T]) -> T:
    """Run core work, turning usage and internal errors into messages and exit codes."""
    from hubspec.run.baseline import BaselineError
    from hubspec.run.config import ConfigError
    from hubspec.run.files import PathError
    from hubspec.run.runner import InternalError

    try:
        return work()
    except (PathError, ConfigError, BaselineError) as error:
        _usage_error(str(error))
    except InternalError as error:
        _internal_error(str(error))
    except Exception as error:
        _internal_error(f"{type(error).__name__}: {error}")


def _internal_error(message: str) -> NoReturn:
    _echo(f"hubspec: internal error: {message}", err=True)
    _echo(f"hubspec: this is a bug; please report it at {ISSUES_URL}", err=True)
    raise _Exit(EXIT_USAGE)


def _usage_error(message: str) -> NoReturn:
    _echo(f"hubspec: error: {message}", err=True)
    raise _Exit(EXIT_USAGE)


def _echo(message: str, *, err: bool = False) -> None:
    """One line as typer.echo (click.echo) writes it, so that both entry points print the same bytes.

    Off a terminal ANSI sequences are removed; a stream whose encoding is ASCII or unset is
    bypassed for its binary buffer, written in UTF-8 with errors replaced; each line is flushed.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    binary = _binary_writer(stream)
    target = stream if binary is None else binary
    text = message + "\n"
    if not _isatty(target) and not type(target).__module__.startswith("ipykernel."):
        text = _ANSI.sub("", text)
    if binary is None:
        stream.write(text)
        stream.flush()
        return
    encoding = getattr(binary, "encoding", None) or sys.getdefaultencoding()
    binary.write(text.encode("utf-8" if _is_ascii(encoding) else encoding, "replace"))
    binary.flush()


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False


def _is_ascii(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def _binary_writer(stream: IO[Any]) -> IO[Any] | None:
    """Where click writes bytes instead of `stream` (click's _force_correct_text_writer), or None."""
    if _writes_bytes(stream, default=False):
        return stream
    if not _is_ascii(getattr(stream, "encoding", None) or "ascii"):
        return None
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _writes_bytes(buffer, default=True):
        return cast("IO[Any]", buffer)
    return None


def _writes_bytes(stream: IO[Any], *, default: bool) -> bool:
    try:
        stream.write(b"")
    except Exception:
        try:
            stream.write("")
        except Exception:
            return default
        return False
    return True
