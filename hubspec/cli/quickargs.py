"""Parse the argv of `hubspec lint|fix|audit ...` and `hubspec server` without typer.

Importing typer (and its click) and building the command tree costs more than linting one
file, so the console script tries this parser first. It accepts only what click parses the
same way for those two commands and gives the same request typer would build; for anything
else (help, version, other commands, errors, short-option clusters, shell completion) it
returns None and typer takes over, with its own messages. tests/test_quickargs.py holds the
table to typer's declarations and compares both parsers on random argv.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from hubspec.cli.audit import AuditRequest
from hubspec.cli.commands import (
    Color,
    FailOn,
    FixRequest,
    LintRequest,
    OutputFormat,
    ServerRequest,
    Store,
    Strategy,
)
from hubspec.records import fields, record

Kind = Literal["flag", "text", "path", "int", "choice"]
HELP = frozenset({"-h", "--help"})


@record
class Option:
    """One option as click declares it: its request field, names and the values it takes."""

    field: str
    names: tuple[str, ...]
    kind: Kind
    multiple: bool = False
    choices: type[Enum] | None = None


def _flag(field: str, name: str) -> Option:
    return Option(field, (name,), "flag")


def _text(field: str, *names: str, multiple: bool = False) -> Option:
    return Option(field, names, "text", multiple=multiple)


def _path(field: str, *names: str) -> Option:
    return Option(field, names, "path")


def _choice(field: str, choices: type[Enum], *names: str) -> Option:
    return Option(field, names, "choice", choices=choices)


_SHARED = (
    _text("stdin_filename", "--stdin-filename"),
    _path("source_root", "--source-root"),
    _text("select", "--select", multiple=True),
    _text("ignore", "--ignore", multiple=True),
    _text("mirror", "--mirror", multiple=True),
    _path("config", "--config"),
    _flag("isolated", "--isolated"),
    _flag("no_ignores", "--no-ignores"),
    Option("jobs", ("--jobs", "-j"), "int"),
)
LINT_OPTIONS = (
    _choice("output_format", OutputFormat, "--format", "-f"),
    _path("output", "--output", "-o"),
    _choice("fail_on", FailOn, "--fail-on"),
    _flag("exit_zero", "--exit-zero"),
    _path("baseline", "--baseline"),
    _path("write_baseline", "--write-baseline"),
    _flag("stats", "--stats"),
    _choice("color", Color, "--color"),
    *_SHARED,
)
FIX_OPTIONS = (
    _flag("diff", "--diff"),
    _choice("strategy", Strategy, "--strategy"),
    _choice("store", Store, "--store"),
    _text("secret", "--secret"),
    _text("user_variable", "--user-variable"),
    _text("token_variable", "--token-variable"),
    _text("user_parameter", "--user-parameter"),
    _text("token_parameter", "--token-parameter"),
    _text("registry_secret", "--registry-secret"),
    *_SHARED,
)
AUDIT_OPTIONS = (
    _text("region", "--region", multiple=True),
    _text("profile", "--profile"),
    _text("project", "--project", multiple=True),
    _flag("shared", "--shared"),
    _choice("output_format", OutputFormat, "--format", "-f"),
    _path("output", "--output", "-o"),
    _choice("fail_on", FailOn, "--fail-on"),
    _flag("exit_zero", "--exit-zero"),
    _text("select", "--select", multiple=True),
    _text("ignore", "--ignore", multiple=True),
    _text("mirror", "--mirror", multiple=True),
    _path("config", "--config"),
    _flag("stats", "--stats"),
    _choice("color", Color, "--color"),
)
Request = LintRequest | FixRequest | AuditRequest
COMMANDS: dict[
    str, tuple[type[LintRequest] | type[FixRequest] | type[AuditRequest], tuple[Option, ...]]
] = {
    "lint": (LintRequest, LINT_OPTIONS),
    "fix": (FixRequest, FIX_OPTIONS),
    "audit": (AuditRequest, AUDIT_OPTIONS),
}


class _Unsure(Exception):
    """Leave this argv to typer."""


def parse(argv: Sequence[str]) -> Request | ServerRequest | None:
    """The request for argv (without the program name), or None to let typer parse it."""
    if list(argv) == ["server"] and not _completing():
        return ServerRequest()
    if not argv or argv[0] not in COMMANDS or HELP.intersection(argv) or _completing():
        return None
    request_type, options = COMMANDS[argv[0]]
    by_name = {name: option for option in options for name in option.names}
    paths: list[str] = []
    given: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    rest = list(reversed(argv[1:]))
    while rest:
        token = rest.pop()
        if token == "--":
            paths.extend(reversed(rest))
            break
        if token == "-" or not token.startswith("-"):
            paths.append(token)
            continue
        name, equals, attached = token.partition("=") if token.startswith("--") else (token, "", "")
        option = by_name.get(name)
        if option is None:
            return None
        if option.kind == "flag":
            if equals:
                return None
            given[option.field] = ""
            continue
        if equals:
            value = attached
        elif rest:
            value = rest.pop()
        else:
            return None
        if option.multiple:
            repeated.setdefault(option.field, []).append(value)
        else:
            given[option.field] = value
    # Any: the fields and kinds of the table are held to the request types by the tests.
    values: dict[str, Any] = {}
    try:
        for field, value in given.items():
            values[field] = _convert(options, field, value)
        for field, items in repeated.items():
            values[field] = [_convert(options, field, item) for item in items]
    except _Unsure:
        return None
    if "paths" not in fields(request_type):
        return None if paths else request_type(**values)  # typer reports the extra argument
    return request_type(paths=paths or None, **values)  # type: ignore[call-arg]


def _convert(options: tuple[Option, ...], field: str, value: str) -> object:
    """The value click would deliver for the last occurrence of an option."""
    option = next(option for option in options if option.field == field)
    if option.kind == "flag":
        return True
    if option.kind == "text":
        return value
    if option.kind == "choice":
        assert option.choices is not None
        for member in option.choices:
            if member.value == value:
                return member
        raise _Unsure
    if option.kind == "int":
        try:
            number = int(value)  # what click.INT does: "+3", " 3", "1_0" are numbers too
        except ValueError:
            raise _Unsure from None
        if number < 0:  # click.IntRange(min=0)
            raise _Unsure
        return number
    return _path_value(value)


def _path_value(value: str) -> Path:
    """click.Path(readable=True): an existing path must be readable (a missing one is fine)."""
    try:
        os.stat(value)
    except OSError:
        return Path(value)
    except ValueError:
        raise _Unsure from None
    if not os.access(value, os.R_OK):
        raise _Unsure
    return Path(value)


def _completing() -> bool:
    """click answers shell completion when _<PROG>_COMPLETE is set; leave that to typer."""
    return any(
        name.startswith("_") and name.endswith("_COMPLETE") and value
        for name, value in os.environ.items()
    )
