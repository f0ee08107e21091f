"""The typer command line: help and errors; `lint` and `fix` run in commands.py, `audit` in audit.py.

The only typer import. The console script (hubspec.entry) parses the common `lint` and `fix`
invocations itself and comes here only for everything else.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from hubspec import __version__
from hubspec.cli.audit import run_audit
from hubspec.cli.commands import EXIT_OK, EXIT_USAGE, run_fix, run_lint, run_server
from hubspec.run.options import COMMANDS, PATHS_HELP, WITH_PATHS, Command, Option, Request, Store

app = typer.Typer(
    name="hubspec",
    help="Lint and fix AWS CodeBuild buildspecs so Docker Hub pulls run logged in.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def lint(paths: list[str] | None = None, **values: Any) -> None:
    """Report problems in buildspecs: YAML, schema, and Docker Hub pulls without login."""
    raise typer.Exit(run_lint(Request("lint", paths, **values)))


def fix(paths: list[str] | None = None, **values: Any) -> None:
    """Add the Docker Hub login and its parameter-store block where pulls run without login."""
    raise typer.Exit(run_fix(Request("fix", paths, **values)))


def audit(**values: Any) -> None:
    """Lint every CodeBuild project of an AWS account (read-only; needs the aws extra)."""
    raise typer.Exit(run_audit(Request("audit", None, **values)))


def _declare(function: Callable[..., None], command: Command) -> None:
    """Give `function` the parameters of `command` from the option table and register it.

    typer reads a command's options from its signature; this one is made from OPTIONS, so the
    table declares every option once, for typer as for the fast parser and the config. A
    command outside WITH_PATHS (`audit`) gets no paths argument.
    """
    paths = inspect.Parameter(
        "paths",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=None,
        annotation=Annotated[list[str] | None, typer.Argument(help=PATHS_HELP)],
    )
    options = [_parameter(option, command) for option in COMMANDS[command]]
    parameters = [paths, *options] if command in WITH_PATHS else options
    function.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    function.__annotations__ = {item.name: item.annotation for item in parameters}
    app.command(command)(function)


def _parameter(option: Option[Any], command: Command) -> inspect.Parameter:
    declared = typer.Option(
        *option.names, help=option.help_for(command), min=0 if option.kind == "int" else None
    )
    return inspect.Parameter(
        option.field,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=option.default,
        annotation=Annotated[_value_type(option), declared],
    )


def _value_type(option: Option[Any]) -> Any:
    """The Python type typer converts the option's text to (Any: types made at run time)."""
    if option.kind == "flag":
        return bool
    if option.kind == "int":
        return int
    value: Any = {"text": str, "path": Path}.get(option.kind) or option.choices
    if option.multiple:
        value = list[value]
    return value | None if option.default is None else value


_declare(lint, "lint")
_declare(fix, "fix")
_declare(audit, "audit")


@app.command("rules")
def rules_command(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = "table",
) -> None:
    """List every rule: code, name, severity, fixable, summary."""
    from hubspec.rules import RULES, markdown_table

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


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the buildspec.")] = Path(
        "buildspec.yml"
    ),
    ecr_repo: Annotated[
        str, typer.Option("--ecr-repo", help="The ECR repository to push to.")
    ] = "app",
    dockerfile: Annotated[
        str, typer.Option("--dockerfile", help="The Dockerfile, relative to the source root.")
    ] = "Dockerfile",
    store: Annotated[
        Store, typer.Option("--store", help="Where the Docker Hub credentials live.")
    ] = (Store.parameter_store),
    secret: Annotated[
        str | None, typer.Option("--secret", help="Secrets Manager secret ID.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a new buildspec: build an image, push it to ECR, with the Docker Hub login."""
    from hubspec.run.files import write_new
    from hubspec.run.init import InitError, render_buildspec
    from hubspec.settings import FixDefaults

    if path.exists() and not force:
        _usage_error(f"{path}: already exists; use --force to overwrite it")
    try:
        text = render_buildspec(
            ecr_repo, dockerfile, FixDefaults(store=store.value, secret_id=secret)
        )
    except InitError as error:
        _usage_error(str(error))
    try:
        write_new(path, text.encode("utf-8"), overwrite=force)
    except OSError as error:
        _usage_error(f"{path}: cannot be written ({error.strerror or error})")
    typer.echo(f"wrote {path}; run `hubspec lint {path}` to check it")


@app.command()
def server() -> None:
    """Run the language server on stdin/stdout for editors (needs the lsp extra)."""
    raise typer.Exit(run_server())


def _usage_error(message: str) -> NoReturn:
    typer.echo(f"hubspec: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)
