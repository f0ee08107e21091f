"""The options of `hubspec lint`, `hubspec fix` and `hubspec audit`, declared once.

`OPTIONS` is the one table: the typer app (cli/app.py) builds each command's parameters from
it, the fast argument parser (cli/quickargs.py) parses argv with it, and the config reader
(run/config.py) takes from it the keys that set the same things. A `Request` holds one run's
values, read back by option (`request[FAIL_ON]`), typed by the option's declaration.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

from hubspec.model import Severity
from hubspec.records import field, record, replace
from hubspec.settings import FixDefaults, Settings

T = TypeVar("T")
Kind = Literal["flag", "text", "path", "int", "choice"]
Command = Literal["lint", "fix", "audit"]
LINT: tuple[Command, ...] = ("lint",)
FIX: tuple[Command, ...] = ("fix",)
AUDIT: tuple[Command, ...] = ("audit",)
BOTH: tuple[Command, ...] = ("lint", "fix")
REPORTING: tuple[Command, ...] = ("lint", "audit")
"""The commands that print a findings report (format, output, exit on severity)."""
ALL: tuple[Command, ...] = ("lint", "fix", "audit")
WITH_PATHS: frozenset[Command] = frozenset(BOTH)
"""The commands that take paths; `audit` reads an AWS account and takes none."""


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


class Option(Generic[T]):
    """One command-line option: what it is called, what it takes, and where else it is set.

    `default` is the value when the option is not given (what typer delivers); `config` is the
    config file's key for the same setting (`fix.secret` is key `secret` of `[fix]`), and
    `setting` the field of `Settings` (or `fix.` + a field of `FixDefaults`) it fills; `helps`
    replaces `help` for a command where it means something else there.
    """

    __slots__ = (
        "choices",
        "commands",
        "config",
        "default",
        "field",
        "help",
        "helps",
        "kind",
        "multiple",
        "names",
        "setting",
    )

    def __init__(
        self,
        field: str,
        names: tuple[str, ...],
        kind: Kind,
        help: str,
        *,
        default: T,
        commands: tuple[Command, ...] = BOTH,
        multiple: bool = False,
        choices: type[StrEnum] | None = None,
        config: str | None = None,
        setting: str | None = None,
        helps: dict[Command, str] | None = None,
    ) -> None:
        self.field = field
        self.names = names
        self.kind = kind
        self.help = help
        self.default = default
        self.commands = commands
        self.multiple = multiple
        self.choices = choices
        self.config = config
        self.setting = setting
        self.helps = helps or {}

    def help_for(self, command: Command) -> str:
        """The help text under `command` (where an audit's account differs from files)."""
        return self.helps.get(command, self.help)

    def __repr__(self) -> str:
        return f"Option({self.field!r}, {self.names!r})"


OUTPUT_FORMAT: Option[OutputFormat | None] = Option(
    "output_format",
    ("--format", "-f"),
    "choice",
    "Report format (default: text, or github under GitHub Actions).",
    default=None,
    commands=REPORTING,
    choices=OutputFormat,
)
OUTPUT: Option[Path | None] = Option(
    "output",
    ("--output", "-o"),
    "path",
    "Write the report here; the terminal gets the text report.",
    default=None,
    commands=REPORTING,
)
DIFF: Option[bool] = Option(
    "diff",
    ("--diff",),
    "flag",
    "Print a unified diff and write nothing; exit 1 if a file would change.",
    default=False,
    commands=FIX,
)
STDIN_FILENAME: Option[str | None] = Option(
    "stdin_filename",
    ("--stdin-filename",),
    "text",
    "The name to report for '-' (stdin).",
    default=None,
)
SOURCE_ROOT: Option[Path | None] = Option(
    "source_root",
    ("--source-root",),
    "path",
    "Where Dockerfiles are looked up (default: the top of the buildspec's git work tree).",
    default=None,
    config="source-root",
    setting="source_root",
)
FAIL_ON: Option[FailOn | None] = Option(
    "fail_on",
    ("--fail-on",),
    "choice",
    "Lowest severity that makes the exit code 1 (default: error).",
    default=None,
    commands=REPORTING,
    choices=FailOn,
    config="fail-on",
    setting="fail_on",
)
EXIT_ZERO: Option[bool] = Option(
    "exit_zero",
    ("--exit-zero",),
    "flag",
    "Exit 0 even when problems are found.",
    default=False,
    commands=REPORTING,
)
STRATEGY: Option[Strategy] = Option(
    "strategy",
    ("--strategy",),
    "choice",
    "login: add the Docker Hub login (default). mirror: rewrite Hub images to --mirror"
    " (ecr-public, or pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX).",
    default=Strategy.login,
    commands=FIX,
    choices=Strategy,
)
STORE: Option[Store | None] = Option(
    "store",
    ("--store",),
    "choice",
    "Where the Docker Hub credentials live.",
    default=None,
    commands=FIX,
    choices=Store,
    config="fix.store",
    setting="fix.store",
)
SECRET: Option[str | None] = Option(
    "secret",
    ("--secret",),
    "text",
    "Secrets Manager secret ID (with --store secrets-manager).",
    default=None,
    commands=FIX,
    config="fix.secret",
    setting="fix.secret_id",
)
USER_VARIABLE: Option[str | None] = Option(
    "user_variable",
    ("--user-variable",),
    "text",
    "Shell variable for the user (DOCKER_USER).",
    default=None,
    commands=FIX,
    config="fix.user-variable",
    setting="fix.user_variable",
)
TOKEN_VARIABLE: Option[str | None] = Option(
    "token_variable",
    ("--token-variable",),
    "text",
    "Shell variable for the token (DOCKER_TOKEN).",
    default=None,
    commands=FIX,
    config="fix.token-variable",
    setting="fix.token_variable",
)
USER_PARAMETER: Option[str | None] = Option(
    "user_parameter",
    ("--user-parameter",),
    "text",
    "SSM parameter holding the user (dockerhub-user).",
    default=None,
    commands=FIX,
    config="fix.user-parameter",
    setting="fix.user_parameter",
)
TOKEN_PARAMETER: Option[str | None] = Option(
    "token_parameter",
    ("--token-parameter",),
    "text",
    "SSM parameter holding the token (dockerhub-token).",
    default=None,
    commands=FIX,
    config="fix.token-parameter",
    setting="fix.token_parameter",
)
REGISTRY_SECRET: Option[str | None] = Option(
    "registry_secret",
    ("--registry-secret",),
    "text",
    "HS104: the Secrets Manager secret (ARN or name) with the Docker Hub login for"
    " pulling a project's build image; adds RegistryCredential to templates and Terraform.",
    default=None,
    commands=FIX,
    setting="fix.registry_secret",
)
SELECT: Option[list[str] | None] = Option(
    "select",
    ("--select",),
    "text",
    "Only these rule codes (prefixes allowed).",
    default=None,
    multiple=True,
    config="select",
    setting="select",
    commands=ALL,
)
IGNORE: Option[list[str] | None] = Option(
    "ignore",
    ("--ignore",),
    "text",
    "Skip these rule codes (prefixes allowed).",
    default=None,
    multiple=True,
    config="ignore",
    setting="ignore",
    commands=ALL,
)
MIRROR: Option[list[str] | None] = Option(
    "mirror",
    ("--mirror",),
    "text",
    "A registry host or prefix you trust as a Docker Hub mirror.",
    default=None,
    multiple=True,
    config="mirrors",
    setting="mirrors",
    commands=ALL,
)
CONFIG: Option[Path | None] = Option(
    "config",
    ("--config",),
    "path",
    "Use this config file instead of the nearest one.",
    default=None,
    commands=ALL,
    helps={"audit": "Read settings from this config file (an account has no folder to search)."},
)
ISOLATED: Option[bool] = Option(
    "isolated", ("--isolated",), "flag", "Ignore every config file.", default=False
)
NO_IGNORES: Option[bool] = Option(
    "no_ignores",
    ("--no-ignores",),
    "flag",
    "Report findings even where `# hubspec: ignore` suppresses them.",
    default=False,
    setting="no_ignores",
)
JOBS: Option[int] = Option(
    "jobs",
    ("--jobs", "-j"),
    "int",
    "Worker processes; 0 = automatic (one per CPU above 16 files), 1 = none.",
    default=0,
)
BASELINE: Option[Path | None] = Option(
    "baseline",
    ("--baseline",),
    "path",
    "Report only findings that are not in this baseline.",
    default=None,
    commands=LINT,
)
WRITE_BASELINE: Option[Path | None] = Option(
    "write_baseline",
    ("--write-baseline",),
    "path",
    "Record today's findings as the baseline and exit 0.",
    default=None,
    commands=LINT,
)
STATS: Option[bool] = Option(
    "stats",
    ("--stats",),
    "flag",
    "Show each file's Docker Hub pulls per build and how many builds fit the limits.",
    default=False,
    commands=REPORTING,
    helps={"audit": "Show each project's Docker Hub pulls per build and the limits."},
)
COLOR: Option[Color] = Option(
    "color",
    ("--color",),
    "choice",
    "Colour in text output.",
    default=Color.auto,
    commands=REPORTING,
    choices=Color,
)
REGION: Option[list[str] | None] = Option(
    "region",
    ("--region",),
    "text",
    "A region to audit (repeat for more). Default: the session's region.",
    default=None,
    commands=AUDIT,
    multiple=True,
)
PROFILE: Option[str | None] = Option(
    "profile",
    ("--profile",),
    "text",
    "The AWS profile (default: AWS_PROFILE).",
    default=None,
    commands=AUDIT,
)
PROJECT: Option[list[str] | None] = Option(
    "project",
    ("--project",),
    "text",
    "Audit only this project (name or ARN; repeat for more).",
    default=None,
    commands=AUDIT,
    multiple=True,
)
SHARED: Option[bool] = Option(
    "shared",
    ("--shared",),
    "flag",
    "Also audit projects shared with the account.",
    default=False,
    commands=AUDIT,
)

OPTIONS: tuple[Option[Any], ...] = (
    REGION,
    PROFILE,
    PROJECT,
    SHARED,
    OUTPUT_FORMAT,
    OUTPUT,
    DIFF,
    STDIN_FILENAME,
    SOURCE_ROOT,
    FAIL_ON,
    EXIT_ZERO,
    STRATEGY,
    STORE,
    SECRET,
    USER_VARIABLE,
    TOKEN_VARIABLE,
    USER_PARAMETER,
    TOKEN_PARAMETER,
    REGISTRY_SECRET,
    SELECT,
    IGNORE,
    MIRROR,
    CONFIG,
    ISOLATED,
    NO_IGNORES,
    JOBS,
    BASELINE,
    WRITE_BASELINE,
    STATS,
    COLOR,
)
"""Every option of every command, in the order `--help` lists them."""
PATHS_HELP = "Buildspec files or directories to search; '-' reads stdin. Default: '.'"
COMMANDS: dict[Command, tuple[Option[Any], ...]] = {
    command: tuple(option for option in OPTIONS if command in option.commands) for command in ALL
}


class Request:
    """One run's paths (None for `audit`) and option values; an option not given has its default."""

    __slots__ = ("command", "paths", "values")

    def __init__(self, command: Command, paths: list[str] | None = None, **values: object) -> None:
        options = COMMANDS[command]
        unknown = set(values) - {option.field for option in options}
        if unknown:
            raise TypeError(f"`hubspec {command}` has no option {sorted(unknown)[0]!r}")
        self.command = command
        self.paths = paths
        self.values = {option.field: values.get(option.field, option.default) for option in options}

    def __getitem__(self, option: Option[T]) -> T:
        return cast(T, self.values.get(option.field, option.default))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return (self.command, self.paths, self.values) == (other.command, other.paths, other.values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        given = ", ".join(f"{field}={value!r}" for field, value in self.values.items())
        return f"Request({self.command!r}, paths={self.paths!r}, {given})"


def fix_settings(request: Request) -> dict[str, str]:
    """The `FixDefaults` fields the request's options set (enums by their values)."""
    chosen: dict[str, str] = {}
    for option in COMMANDS[request.command]:
        value = request[option]
        if option.setting is not None and option.setting.startswith("fix.") and value is not None:
            chosen[option.setting.removeprefix("fix.")] = str(value)
    return chosen


@record
class RunOptions:
    """What the CLI parsed, as plain data (so the core can be driven without the CLI).

    None (or empty) means "not given": the config file, then the defaults decide.
    """

    paths: list[str]
    stdin_filename: str | None = None
    source_root: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    mirrors: frozenset[str] = frozenset()
    fail_on: Severity | None = None
    fix: FixDefaults | None = None
    fix_options: dict[str, str] = field(default_factory=dict)
    config_file: Path | None = None
    isolated: bool = False
    no_ignores: bool = False
    mirror_target: str | None = None
    jobs: int = 0
    """Worker processes: 0 = automatic (several only for many files on several CPUs), 1 = none."""

    def apply(self, settings: Settings) -> Settings:
        """Command-line options over the settings from config and defaults."""
        fix = self.fix or replace(settings.fix, **self.fix_options)
        return replace(
            settings,
            source_root=self.source_root or settings.source_root,
            mirrors=settings.mirrors | self.mirrors,
            select=self.select if self.select is not None else settings.select,
            ignore=settings.ignore | self.ignore,
            fix=fix,
            no_ignores=self.no_ignores or settings.no_ignores,
            fail_on=self.fail_on or settings.fail_on,
        )

    def settings(self) -> Settings:
        return self.apply(Settings())
