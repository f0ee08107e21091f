"""The command line: options -> run options -> core -> reporter -> exit code. The only typer import."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar

import typer

from hubspec import __version__

if TYPE_CHECKING:
    from hubspec.report import Report
    from hubspec.runner import RunOptions

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
ISSUES_URL = "https://github.com/hubspec/hubspec/issues"
PROGRESS_THRESHOLD = 20
T = TypeVar("T")

app = typer.Typer(
    name="hubspec",
    help="Lint and fix AWS CodeBuild buildspecs so Docker Hub pulls run logged in.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _options(
    paths: list[str] | None,
    *,
    stdin_filename: str | None,
    source_root: Path | None,
    select: list[str] | None,
    ignore: list[str] | None,
    mirror: list[str] | None,
    config: Path | None,
    isolated: bool,
    no_ignores: bool,
    jobs: int = 0,
    fix_options: dict[str, str] | None = None,
) -> RunOptions:
    from hubspec.runner import RunOptions

    if config is not None and not config.is_file():
        _usage_error(f"{config}: config file not found")
    return RunOptions(
        paths=paths or ["."],
        stdin_filename=stdin_filename,
        source_root=source_root,
        select=frozenset(code.upper() for code in select) if select else None,
        ignore=frozenset(code.upper() for code in ignore or ()),
        mirrors=frozenset(mirror or ()),
        fix_options=fix_options or {},
        config_file=config,
        isolated=isolated,
        no_ignores=no_ignores,
        jobs=jobs,
    )


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
    from hubspec.runner import fail_on_for, lint_paths

    options = _options(
        paths,
        stdin_filename=stdin_filename,
        source_root=source_root,
        select=select,
        ignore=ignore,
        mirror=mirror,
        config=config,
        isolated=isolated,
        no_ignores=no_ignores,
        jobs=jobs,
    )
    with _progress(color) as progress:
        outcome = _run(lambda: lint_paths(options, progress))
    report = outcome.report
    if write_baseline is not None:
        from hubspec import baseline as baselines

        _write_report_file(write_baseline, baselines.dump(report))
        typer.echo(
            f"wrote {len(report.active)} finding(s) to the baseline {write_baseline}", err=True
        )
        raise typer.Exit(EXIT_OK)
    if baseline is not None:
        report = _apply_baseline(report, baseline)
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
    from hubspec.model import Severity

    threshold_of = _run(lambda: fail_on_for(options))

    def threshold(path: str) -> Severity:
        return Severity(fail_on.value if fail_on is not None else threshold_of(path))

    failed = any(finding.severity.rank >= threshold(finding.path).rank for finding in report.active)
    raise typer.Exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


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
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    mirror: MirrorOpt = None,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    no_ignores: NoIgnoresOpt = False,
    jobs: JobsOpt = 0,
) -> None:
    """Add the Docker Hub login and its parameter-store block where pulls run without login."""
    from hubspec.fix.instructions import next_steps
    from hubspec.fix.plan import AddedReference
    from hubspec.model import Severity
    from hubspec.runner import fix_paths, unified_diff

    for name in (user_variable, token_variable):
        if name is not None and not (name.isidentifier() and name.isascii()):
            _usage_error(f"'{name}' is not a valid shell variable name")
    given = {
        "user_variable": user_variable,
        "token_variable": token_variable,
        "user_parameter": user_parameter,
        "token_parameter": token_parameter,
        "store": store.value if store is not None else None,
        "secret_id": secret,
    }
    options = _options(
        paths,
        stdin_filename=stdin_filename,
        source_root=source_root,
        select=select,
        ignore=ignore,
        mirror=mirror,
        config=config,
        isolated=isolated,
        no_ignores=no_ignores,
        jobs=jobs,
        fix_options={key: value for key, value in given.items() if value is not None},
    )
    if store is Store.secrets_manager and not secret:
        _usage_error("--store secrets-manager needs --secret ID")
    if strategy is Strategy.mirror:
        options = _mirror_options(options, mirror)
    stdin_only = options.paths == ["-"]
    run = _run(lambda: fix_paths(options, write=not diff and not stdin_only))
    if stdin_only and not diff:
        outcome = run.outcomes[0]
        if outcome.new_data is not None:
            sys.stdout.buffer.write(outcome.new_data)
        else:
            sys.stdout.write(outcome.before.text)
        raise typer.Exit(EXIT_FINDINGS if outcome.refusal else EXIT_OK)
    refused = [outcome for outcome in run.outcomes if outcome.refusal]
    for outcome in refused:
        typer.echo(f"{outcome.path}: not fixed: {outcome.refusal}", err=True)
    for outcome in run.outcomes:
        for reason in outcome.skipped:
            typer.echo(f"{outcome.path}: left on Docker Hub: {reason}", err=True)
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
    remaining = [finding for finding in run.report.active if finding.severity is Severity.ERROR]
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
    from hubspec.files import write_new
    from hubspec.init import InitError, render_buildspec
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
    from hubspec import baseline as baselines

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _usage_error(f"{path}: cannot be read ({error.strerror or error})")
    try:
        return baselines.subtract(report, baselines.load(text, str(path)))
    except baselines.BaselineError as error:
        _usage_error(str(error))


def _write_report_file(path: Path, text: str) -> None:
    from hubspec.files import write_new

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

    def __init__(self, color: Color) -> None:
        self.enabled = sys.stderr.isatty() and color is not Color.never and not os.environ.get("CI")
        self.bar: object | None = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self.enabled:
            return None
        from hubspec.report.progress import ProgressBar

        bar = ProgressBar(sys.stderr, PROGRESS_THRESHOLD)
        self.bar = bar
        return bar.update

    def __exit__(self, *exc: object) -> None:
        from hubspec.report.progress import ProgressBar

        if isinstance(self.bar, ProgressBar):
            self.bar.close()


def _run(work: Callable[[], T]) -> T:
    """Run core work, turning usage and internal errors into messages and exit codes."""
    from hubspec.baseline import BaselineError
    from hubspec.config import ConfigError
    from hubspec.files import PathError
    from hubspec.runner import InternalError

    try:
        return work()
    except (PathError, ConfigError, BaselineError) as error:
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
