"""`hubspec audit` as a plain function of a request, like `lint` and `fix` in commands.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.cli.commands import (
    EXIT_FINDINGS,
    EXIT_OK,
    Color,
    FailOn,
    OutputFormat,
    _echo,
    _Exit,
    _internal_error,
    _progress,
    _usage_error,
    emit,
)
from hubspec.records import record

if TYPE_CHECKING:
    from hubspec.settings import Settings

EXIT_INTERRUPTED = 130


@record
class AuditRequest:
    """Every option of `hubspec audit`, with the types and defaults typer delivers."""

    region: list[str] | None = None
    profile: str | None = None
    project: list[str] | None = None
    shared: bool = False
    output_format: OutputFormat | None = None
    output: Path | None = None
    fail_on: FailOn | None = None
    exit_zero: bool = False
    select: list[str] | None = None
    ignore: list[str] | None = None
    mirror: list[str] | None = None
    config: Path | None = None
    stats: bool = False
    color: Color = Color.auto


def run_audit(request: AuditRequest) -> int:
    """`hubspec audit`: the report on stdout, notes and errors on stderr; the exit code."""
    try:
        return _audit(request)
    except _Exit as stop:
        return stop.code


def _audit(request: AuditRequest) -> int:
    from hubspec.audit.client import AuditError
    from hubspec.audit.runner import AuditOptions, audit_account
    from hubspec.model import Severity

    settings, fail_on = _settings(request)
    options = AuditOptions(
        regions=tuple(dict.fromkeys(request.region or ())),
        profile=request.profile,
        projects=tuple(dict.fromkeys(request.project or ())),
        shared=request.shared,
        settings=settings,
    )
    try:
        with _progress(request.color, "auditing") as progress:
            outcome = audit_account(options, progress)
    except AuditError as error:
        _usage_error(str(error))
    except Exception as error:
        _internal_error(f"audit: {type(error).__name__}: {error}")
    report = outcome.report
    if not outcome.regions_read and not outcome.interrupted:
        for note in report.notes:
            _echo(f"{note.path}: {note.message}", err=True)
        _usage_error("no region could be read; nothing was audited")
    emit(report, request.output_format, request.output, request.color, stats=request.stats)
    if outcome.interrupted:
        _echo(
            f"hubspec: interrupted: the report covers the {outcome.projects} project(s)"
            " audited before Ctrl-C",
            err=True,
        )
        return EXIT_INTERRUPTED
    threshold = Severity(fail_on)
    failed = any(finding.severity.rank >= threshold.rank for finding in report.active)
    return EXIT_FINDINGS if failed and not request.exit_zero else EXIT_OK


def _settings(request: AuditRequest) -> tuple[Settings, str]:
    """Settings from --config (no config file is searched: an account has no folder) and the
    options; and the failing severity."""
    from hubspec.run.config import ConfigError, load_config
    from hubspec.run.runner import RunOptions
    from hubspec.settings import Settings

    options = RunOptions(
        paths=[],
        select=frozenset(code.upper() for code in request.select) if request.select else None,
        ignore=frozenset(code.upper() for code in request.ignore or ()),
        mirrors=frozenset(request.mirror or ()),
    )
    base = Settings()
    fail_on = "error"
    if request.config is not None:
        if not request.config.is_file():
            _usage_error(f"{request.config}: config file not found")
        try:
            config = load_config(request.config)
        except ConfigError as error:
            _usage_error(str(error))
        base = config.settings(base)
        fail_on = config.fail_on.value if config.fail_on else fail_on
    if request.fail_on is not None:
        fail_on = request.fail_on.value
    return options.apply(base), fail_on
