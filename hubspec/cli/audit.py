"""`hubspec audit` as a plain function of a request, like `lint` and `fix` in commands.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubspec.cli.commands import (
    EXIT_FINDINGS,
    EXIT_OK,
    _Exit,
    _internal_error,
    _progress,
    _usage_error,
    emit,
)
from hubspec.cli.echo import echo
from hubspec.run.options import (
    COLOR,
    CONFIG,
    EXIT_ZERO,
    FAIL_ON,
    IGNORE,
    MIRROR,
    PROFILE,
    PROJECT,
    REGION,
    SELECT,
    SHARED,
    Request,
)

if TYPE_CHECKING:
    from hubspec.settings import Settings

EXIT_INTERRUPTED = 130


def run_audit(request: Request) -> int:
    """`hubspec audit`: the report on stdout, notes and errors on stderr; the exit code."""
    try:
        return _audit(request)
    except _Exit as stop:
        return stop.code


def _audit(request: Request) -> int:
    from hubspec.audit.client import AuditError
    from hubspec.audit.runner import AuditOptions, audit_account

    settings = _settings(request)
    options = AuditOptions(
        regions=tuple(dict.fromkeys(request[REGION] or ())),
        profile=request[PROFILE],
        projects=tuple(dict.fromkeys(request[PROJECT] or ())),
        shared=request[SHARED],
        settings=settings,
    )
    try:
        with _progress(request[COLOR], "auditing") as progress:
            outcome = audit_account(options, progress)
    except AuditError as error:
        _usage_error(str(error))
    except Exception as error:
        _internal_error(f"audit: {type(error).__name__}: {error}")
    report = outcome.report
    if not outcome.regions_read and not outcome.interrupted:
        for note in report.notes:
            echo(f"{note.path}: {note.message}", err=True)
        _usage_error("no region could be read; nothing was audited")
    emit(report, request)
    if outcome.interrupted:
        echo(
            f"hubspec: interrupted: the report covers the {outcome.projects} project(s)"
            " audited before Ctrl-C",
            err=True,
        )
        return EXIT_INTERRUPTED
    threshold = settings.fail_on
    failed = any(finding.severity.rank >= threshold.rank for finding in report.active)
    return EXIT_FINDINGS if failed and not request[EXIT_ZERO] else EXIT_OK


def _settings(request: Request) -> Settings:
    """Settings from --config (no config file is searched: an account has no folder) and the
    options, --fail-on included."""
    from hubspec.model import Severity
    from hubspec.run.config import ConfigError, load_config
    from hubspec.run.options import RunOptions
    from hubspec.settings import Settings

    select, ignore, fail_on = request[SELECT], request[IGNORE], request[FAIL_ON]
    options = RunOptions(
        paths=[],
        select=frozenset(code.upper() for code in select) if select else None,
        ignore=frozenset(code.upper() for code in ignore or ()),
        mirrors=frozenset(request[MIRROR] or ()),
        fail_on=Severity(fail_on.value) if fail_on is not None else None,
    )
    base = Settings()
    config = request[CONFIG]
    if config is not None:
        if not config.is_file():
            _usage_error(f"{config}: config file not found")
        try:
            base = load_config(config).settings(base)
        except ConfigError as error:
            _usage_error(str(error))
    return options.apply(base)
