"""Parse the argv of `hubspec lint|fix|audit ...` and `hubspec server` without typer.

Importing typer (and its click) and building the command tree costs more than linting one
file, so the console script tries this parser first. It accepts only what click parses the
same way for those commands and gives the same request typer would build, from the same
option table (hubspec.run.options); for anything else (help, version, other commands, errors,
a short option it does not know, shell completion) it returns None and typer takes over, with
its own messages. tests/test_quickargs.py holds the typer app to the table and compares both
parsers on random argv.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hubspec.cli.commands import ServerRequest
from hubspec.run.options import COMMANDS, WITH_PATHS, Command, Option, Request

HELP = frozenset({"-h", "--help"})
_COMMAND_NAMES: dict[str, Command] = {command: command for command in COMMANDS}


class _Unsure(Exception):
    """Leave this argv to typer."""


def parse(argv: Sequence[str]) -> Request | ServerRequest | None:
    """The request for argv (without the program name), or None to let typer parse it."""
    if list(argv) == ["server"] and not _completing():
        return ServerRequest()
    command = _COMMAND_NAMES.get(argv[0]) if argv else None
    if command is None or HELP.intersection(argv) or _completing():
        return None
    options = COMMANDS[command]
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
        name, equals, attached = _split_attached(token)
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
    if command not in WITH_PATHS:
        return None if paths else Request(command, None, **values)  # typer reports the argument
    return Request(command, paths or None, **values)


def _split_attached(token: str) -> tuple[str, str, str]:
    """(name, "=" or "", value) of an option token whose value may be attached: `--jobs=2`,
    and as click reads a short option, `-j2` (every short option takes a value, so the rest
    of the token is its value, `-f=json` giving "=json"); otherwise (token, "", "")."""
    if token.startswith("--"):
        return token.partition("=")
    if len(token) > 2:
        return token[:2], "=", token[2:]
    return token, "", ""


def _convert(options: tuple[Option[Any], ...], field: str, value: str) -> object:
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
