"""The typer command line: declarations, help and errors; `lint` and `fix` run in commands.py.

The only typer import. The console script (hubspec.entry) parses the common `lint` and `fix`
invocations itself and comes here only for everything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from hubspec import __version__
from hubspec.cli.audit import AuditRequest, run_audit
from hubspec.cli.commands import (
    EXIT_OK,
    EXIT_USAGE,
    Color,
    FailOn,
    FixRequest,
    LintRequest,
    OutputFormat,
    Store,
    Strategy,
    run_fix,
    run_lint,
    run_server,
)

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
        "--source-root",
        help="Where Dockerfiles are looked up (default: the top of the buildspec's git work tree).",
    ),
]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour in text output.")]
SelectOpt = Annotated[
    list[str] | None, typer.Option("--select", help="Only these rule codes (prefixes allowed).")
]
IgnoreOpt = Annotated[
    list[str] | None, typer.Option("--ignore", help="Skip these rule codes (prefixes allowed).")
]
MirrorOpt = Annotated[
    list[str] | None,
    typer.Option("--mirror", help="A registry host or prefix you trust as a Docker Hub mirror."),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Use this config file instead of the nearest one.")
]
IsolatedOpt = Annotated[bool, typer.Option("--isolated", help="Ignore every config file.")]
JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        help="Worker processes; 0 = automatic (one per CPU above 16 files), 1 = none.",
    ),
]
NoIgnoresOpt = Annotated[
    bool,
    typer.Option(
        "--no-ignores", help="Report findings even where `# hubspec: ignore` suppresses them."
    ),
]


@app.command()
def lint(
    paths: PathsArg = None,
    output_format: FormatOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report here; the terminal gets the text report."
        ),
    ] = None,
    stdin_filename: StdinNameOpt = None,
    source_root: SourceRootOpt = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="Lowest severity that makes the exit code 1 (default: error)."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when problems are found.")
    ] = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    mirror: MirrorOpt = None,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    no_ignores: NoIgnoresOpt = False,
    jobs: JobsOpt = 0,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Report only findings that are not in this baseline."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", help="Record today's findings as the baseline and exit 0."
        ),
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            help="Show each file's Docker Hub pulls per build and how many builds fit the limits.",
        ),
    ] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Report problems in buildspecs: YAML, schema, and Docker Hub pulls without login."""
    request = LintRequest(
        paths=paths,
        output_format=output_format,
        output=output,
        stdin_filename=stdin_filename,
        source_root=source_root,
        fail_on=fail_on,
        exit_zero=exit_zero,
        select=select,
        ignore=ignore,
        mirror=mirror,
        config=config,
        isolated=isolated,
        no_ignores=no_ignores,
        jobs=jobs,
        baseline=baseline,
        write_baseline=write_baseline,
        stats=stats,
        color=color,
    )
    raise typer.Exit(run_lint(request))


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
    strategy: Annotated[
        Strategy,
        typer.Option(
            "--strategy",
            help="login: add the Docker Hub login (default). mirror: rewrite Hub images to --mirror"
            " (ecr-public, or pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX).",
        ),
    ] = Strategy.login,
    store: Annotated[
        Store | None, typer.Option("--store", help="Where the Docker Hub credentials live.")
    ] = None,
    secret: Annotated[
        str | None,
        typer.Option("--secret", help="Secrets Manager secret ID (with --store secrets-manager)."),
    ] = None,
    user_variable: Annotated[
        str | None,
        typer.Option("--user-variable", help="Shell variable for the user (DOCKER_USER)."),
    ] = None,
    token_variable: Annotated[
        str | None,
        typer.Option("--token-variable", help="Shell variable for the token (DOCKER_TOKEN)."),
    ] = None,
    user_parameter: Annotated[
        str | None,
        typer.Option("--user-parameter", help="SSM parameter holding the user (dockerhub-user)."),
    ] = None,
    token_parameter: Annotated[
        str | None,
        typer.Option(
            "--token-parameter", help="SSM parameter holding the token (dockerhub-token)."
        ),
    ] = None,
    registry_secret: Annotated[
        str | None,
        typer.Option(
            "--registry-secret",
            help="HS104: the Secrets Manager secret (ARN or name) with the Docker Hub login for"
            " pulling a project's build image; adds RegistryCredential to templates and Terraform.",
        ),
    ] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    mirror: MirrorOpt = None,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    no_ignores: NoIgnoresOpt = False,
    jobs: JobsOpt = 0,
) -> None:
    """Add the Docker Hub login and its parameter-store block where pulls run without login."""
    request = FixRequest(
        paths=paths,
        diff=diff,
        stdin_filename=stdin_filename,
        source_root=source_root,
        strategy=strategy,
        store=store,
        secret=secret,
        user_variable=user_variable,
        token_variable=token_variable,
        user_parameter=user_parameter,
        token_parameter=token_parameter,
        registry_secret=registry_secret,
        select=select,
        ignore=ignore,
        mirror=mirror,
        config=config,
        isolated=isolated,
        no_ignores=no_ignores,
        jobs=jobs,
    )
    raise typer.Exit(run_fix(request))


@app.command()
def audit(
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region", help="A region to audit (repeat for more). Default: the session's region."
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="The AWS profile (default: AWS_PROFILE).")
    ] = None,
    project: Annotated[
        list[str] | None,
        typer.Option("--project", help="Audit only this project (name or ARN; repeat for more)."),
    ] = None,
    shared: Annotated[
        bool, typer.Option("--shared", help="Also audit projects shared with the account.")
    ] = False,
    output_format: FormatOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report here; the terminal gets the text report."
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="Lowest severity that makes the exit code 1 (default: error)."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when problems are found.")
    ] = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    mirror: MirrorOpt = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Read settings from this config file.")
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats", help="Show each project's Docker Hub pulls per build and the limits."
        ),
    ] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Lint every CodeBuild project of an AWS account (read-only; needs the aws extra)."""
    request = AuditRequest(
        region=region,
        profile=profile,
        project=project,
        shared=shared,
        output_format=output_format,
        output=output,
        fail_on=fail_on,
        exit_zero=exit_zero,
        select=select,
        ignore=ignore,
        mirror=mirror,
        config=config,
        stats=stats,
        color=color,
    )
    raise typer.Exit(run_audit(request))


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
