"""The command line: options -> settings -> core -> reporter -> exit code. The only typer import."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, TextIO, TypeVar

import typer

from hubspec import __version__
from hubspec.model import Severity
from hubspec.report import Report

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
ISSUES_URL = "https://github.com/hubspec/hubspec/issues"
T = TypeVar("T")

app = typer.Typer(
    name="hubspec",
    help="Lint and fix AWS CodeBuild buildspecs so Docker Hub pulls run logged in.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hubspec {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Lint and fix AWS CodeBuild buildspecs so Docker Hub pulls run logged in."""


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(help="Buildspec files or directories to search; '-' reads stdin. Default: '.'"),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format", "-f", help="Report format (default: text, or github under GitHub Actions)."
    ),
]
StdinNameOpt = Annotated[
    str | None, typer.Option("--stdin-filename", help="The name to report for '-' (stdin).")
]
SourceRootOpt = Annotated[
    Path | None,
    typer.Option(
        "--source-root", help="Where Dockerfiles are looked up (default: each buildspec's folder)."
    ),
]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour in text output.")]


@app.command()
def lint(
    paths: PathsArg = None,
    output_format: FormatOpt = None,
    stdin_filename: StdinNameOpt = None,
    source_root: SourceRootOpt = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1.")
    ] = FailOn.error,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when problems are found.")
    ] = False,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rule codes (prefixes allowed).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip these rule codes (prefixes allowed).")
    ] = None,
    mirror: Annotated[
        list[str] | None,
        typer.Option(
            "--mirror", help="A registry host or prefix you trust as a Docker Hub mirror."
        ),
    ] = None,
    color: ColorOpt = Color.auto,
) -> None:
    """Report problems in buildspecs: YAML, schema, and Docker Hub pulls without login."""
    from hubspec.runner import RunOptions, lint_paths

    options = RunOptions(
        paths=paths or ["."],
        stdin_filename=stdin_filename,
        source_root=source_root,
        select=frozenset(select) if select else None,
        ignore=frozenset(ignore or ()),
        mirrors=frozenset(mirror or ()),
    )
    outcome = _run(lambda: lint_paths(options))
    _render(outcome.report, _choose_format(output_format), sys.stdout, color)
    threshold = Severity(fail_on.value)
    failed = any(f.severity.rank >= threshold.rank for f in outcome.report.active)
    raise typer.Exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


class Store(str, Enum):
    parameter_store = "parameter-store"
    secrets_manager = "secrets-manager"


@app.command()
def fix(
    paths: PathsArg = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Print a unified diff and write nothing; exit 1 if a file would change."
        ),
    ] = False,
    stdin_filename: StdinNameOpt = None,
    source_root: SourceRootOpt = None,
    store: Annotated[
        Store, typer.Option("--store", help="Where the Docker Hub credentials live.")
    ] = Store.parameter_store,
    secret: Annotated[
        str | None,
        typer.Option("--secret", help="Secrets Manager secret ID (with --store secrets-manager)."),
    ] = None,
    user_variable: Annotated[
        str, typer.Option("--user-variable", help="Shell variable for the user.")
    ] = "DOCKER_USER",
    token_variable: Annotated[
        str, typer.Option("--token-variable", help="Shell variable for the token.")
    ] = "DOCKER_TOKEN",
    user_parameter: Annotated[
        str, typer.Option("--user-parameter", help="SSM parameter holding the user.")
    ] = "dockerhub-user",
    token_parameter: Annotated[
        str, typer.Option("--token-parameter", help="SSM parameter holding the token.")
    ] = "dockerhub-token",
    mirror: Annotated[
        list[str] | None,
        typer.Option(
            "--mirror", help="A registry host or prefix you trust as a Docker Hub mirror."
        ),
    ] = None,
) -> None:
    """Add the Docker Hub login and its parameter-store block where pulls run without login."""
    from hubspec.fix.instructions import next_steps
    from hubspec.fix.plan import AddedReference
    from hubspec.runner import RunOptions, fix_paths, unified_diff
    from hubspec.settings import FixDefaults

    if store is Store.secrets_manager and not secret:
        _usage_error("--store secrets-manager needs --secret ID")
    for name in (user_variable, token_variable):
        if not name.isidentifier() or not name.isascii():
            _usage_error(f"'{name}' is not a valid shell variable name")
    options = RunOptions(
        paths=paths or ["."],
        stdin_filename=stdin_filename,
        source_root=source_root,
        mirrors=frozenset(mirror or ()),
        fix=FixDefaults(
            user_variable=user_variable,
            token_variable=token_variable,
            user_parameter=user_parameter,
            token_parameter=token_parameter,
            store=store.value,
            secret_id=secret,
        ),
    )
    stdin_only = options.paths == ["-"]
    run = _run(lambda: fix_paths(options, write=not diff and not stdin_only))
    if stdin_only and not diff:
        outcome = run.outcomes[0]
        sys.stdout.buffer.write(outcome.new_data or b"")
        if outcome.new_data is None:
            sys.stdout.write(outcome.before.text)
        raise typer.Exit(EXIT_FINDINGS if outcome.refusal else EXIT_OK)
    refused = [outcome for outcome in run.outcomes if outcome.refusal]
    for outcome in refused:
        typer.echo(f"{outcome.path}: not fixed: {outcome.refusal}", err=True)
    for error in run.errors:
        typer.echo(f"hubspec: error: {error}", err=True)
    if diff:
        changed = [outcome for outcome in run.outcomes if outcome.changed]
        for outcome in changed:
            sys.stdout.write(unified_diff(outcome))
        raise typer.Exit(EXIT_FINDINGS if changed or refused or run.errors else EXIT_OK)
    added: list[AddedReference] = []
    for outcome in run.outcomes:
        if outcome.path in run.written:
            typer.echo(f"fixed {outcome.path}:")
            for change in outcome.changes:
                typer.echo(f"  - {change}")
            added.extend(outcome.added)
    remaining = [f for f in run.report.active if f.severity is Severity.ERROR]
    if not run.written and not refused and not run.errors:
        typer.echo("Nothing to fix.")
    steps = next_steps(added)
    if steps:
        typer.echo("")
        typer.echo("Still to do, once:")
        for line in steps:
            typer.echo(line)
    if remaining:
        typer.echo(f"{len(remaining)} error(s) remain; run `hubspec lint` to see them.", err=True)
    raise typer.Exit(EXIT_FINDINGS if remaining or refused or run.errors else EXIT_OK)


@app.command("rules")
def rules_command(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = "table",
) -> None:
    """List every rule: code, name, severity, fixable, summary."""
    from hubspec.rules import RULES

    if output_format == "json":
        import json

        rows = [
            {
                "code": rule.code,
                "name": rule.name,
                "severity": rule.severity.value,
                "fixable": rule.fixable,
                "summary": rule.summary,
            }
            for rule in RULES
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if output_format == "markdown":
        from hubspec.rules import markdown_table

        typer.echo(markdown_table(), nl=False)
        return
    if output_format != "table":
        _usage_error(f"unknown rules format '{output_format}' (choose table, json or markdown)")
    for rule in RULES:
        fixable = "fix" if rule.fixable else "   "
        typer.echo(
            f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {fixable}  {rule.summary}"
        )


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code (HS101) or name.")]) -> None:
    """Print one rule's documentation."""
    from hubspec.rules import find

    rule = find(code)
    if rule is None:
        _usage_error(f"no rule '{code}'; `hubspec rules` lists them")
    typer.echo(
        f"# {rule.code} {rule.name} ({rule.severity.value})\n\n{rule.summary}\n\n{rule.docs}"
    )


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
    elif output_format is OutputFormat.text and _wants_frames(out, color):
        from hubspec.report import text

        text.render(report, out, color=_color_flag(color))
    else:
        from hubspec.report import concise

        concise.render(report, out)


def _wants_frames(out: TextIO, color: Color) -> bool:
    return color is Color.always or out.isatty()


def _color_flag(color: Color) -> bool | None:
    if color is Color.never or os.environ.get("NO_COLOR"):
        return False
    if color is Color.always:
        return True
    return None


def _run(work: Callable[[], T]) -> T:
    """Run core work, turning usage and internal errors into messages and exit codes."""
    from hubspec.config import ConfigError
    from hubspec.files import PathError
    from hubspec.runner import InternalError

    try:
        return work()
    except (PathError, ConfigError) as error:
        _usage_error(str(error))
    except InternalError as error:
        _internal_error(str(error))
    except Exception as error:
        _internal_error(f"{type(error).__name__}: {error}")


def _internal_error(message: str) -> NoReturn:
    typer.echo(f"hubspec: internal error: {message}", err=True)
    typer.echo(f"hubspec: this is a bug; please report it at {ISSUES_URL}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _usage_error(message: str) -> NoReturn:
    typer.echo(f"hubspec: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
