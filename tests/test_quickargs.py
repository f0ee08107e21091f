"""The fast argv parser against typer: typer's parameters made from the option table as the
fast parser reads it, and the same request or none."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hubspec.cli import app as cli
from hubspec.cli import quickargs
from hubspec.cli.quickargs import parse
from hubspec.run.options import COMMANDS, OPTIONS, WITH_PATHS, Option, Request

GROUP = typer.main.get_command(cli.app)


def typer_request(argv: list[str]) -> tuple[Request | None, int]:
    """The request typer hands to run_lint/run_fix/run_audit for argv (None if it stops before),
    and its exit code."""
    captured: list[Request] = []

    def record(request: Request) -> int:
        captured.append(request)
        return 0

    with (
        patch.object(cli, "run_lint", record),
        patch.object(cli, "run_fix", record),
        patch.object(cli, "run_audit", record),
    ):
        result = CliRunner().invoke(cli.app, argv)
    assert len(captured) <= 1
    return (captured[0] if captured else None), result.exit_code


def typed_fields(request: Request) -> list[tuple[str, str, Any]]:
    """Field values with their types, so that "json" and OutputFormat.json count as different."""
    rows = []
    for name, value in [
        ("command", request.command),
        ("paths", request.paths),
        *request.values.items(),
    ]:
        kinds = [type(item).__name__ for item in value] if isinstance(value, list) else []
        rows.append((name, type(value).__name__, kinds, value))
    return rows


# --- the table is typer's declarations ------------------------------------------------------------


def click_options(command: str) -> dict[str, Any]:
    params = GROUP.commands[command].params
    return {param.name: param for param in params if param.param_type_name == "option"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_option_table_matches_typer(command: str) -> None:
    table = COMMANDS[command]
    declared = click_options(command)
    assert sorted(option.field for option in table) == sorted(declared)
    for option in table:
        param = declared[option.field]
        assert sorted(option.names) == sorted([*param.opts, *param.secondary_opts]), option
        assert param.is_flag == (option.kind == "flag"), option
        assert param.multiple == option.multiple, option
        assert param.nargs == 1 and not param.count, option
        assert param.envvar is None and not param.is_eager and param.callback is None, option
        assert _kind(param) == option.kind, option
        if option.kind == "flag":
            assert getattr(param, "flag_value", True) is True and param.default is False, option
        if option.kind == "choice":
            assert option.choices is not None
            values = [
                choice.value if isinstance(choice, Enum) else choice
                for choice in param.type.choices
            ]
            assert values == [member.value for member in option.choices], option
            assert param.type.case_sensitive, option
        if option.kind == "int":
            bounds = (param.type.min, param.type.max, param.type.min_open, param.type.clamp)
            assert bounds == (0, None, False, False), option
        if option.kind == "path":
            settings_ = (param.type.exists, param.type.readable, param.type.writable)
            assert settings_ == (False, True, False), option
            assert not param.type.resolve_path and not param.type.allow_dash, option
            assert param.type.file_okay and param.type.dir_okay, option


def _kind(param: Any) -> str:
    """The parser's kind for a click parameter (class names: typer 0.28 vendors a renamed click)."""
    name = type(param.type).__name__
    if getattr(param, "is_flag", False):
        return "flag" if name == "BoolParamType" else name
    kinds = {
        "StringParamType": "text",
        "IntRange": "int",
        "TyperChoice": "choice",
        "Choice": "choice",
    }
    return kinds.get(name, "path" if name in ("TyperPath", "Path") else name)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_request_fields_and_defaults_match_typer(command: str) -> None:
    table = COMMANDS[command]
    params = {param.name: param for param in GROUP.commands[command].params}
    arguments = [param for param in params.values() if param.param_type_name == "argument"]
    if command in WITH_PATHS:
        (paths,) = arguments
        assert (paths.name, paths.nargs, _kind(paths)) == ("paths", -1, "text")
    else:
        assert arguments == []
    fields = Request(command).values  # every option has a default
    assert sorted([*fields, *(param.name for param in arguments)]) == sorted(params)
    for name, default in fields.items():
        assert default == params[name].default and type(default) is type(params[name].default)
    names = [name for option in table for name in option.names]
    assert len({option.field for option in table}) == len(table) and len(set(names)) == len(names)


def test_every_option_is_in_a_command_once() -> None:
    for option in OPTIONS:
        assert option.commands and set(option.commands) <= set(COMMANDS), option
        assert all(sum(option is other for other in COMMANDS[c]) == 1 for c in option.commands)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_click_parses_the_command_as_the_fast_parser_assumes(command: str) -> None:
    """Interspersed paths, no unknown options tolerated, help spelled -h/--help, no normalising."""
    click_command = GROUP.commands[command]
    assert click_command.allow_interspersed_args and not click_command.ignore_unknown_options
    assert not click_command.allow_extra_args
    context = click_command.make_context(
        command, [], parent=GROUP.make_context("hubspec", [command])
    )
    assert context.token_normalize_func is None
    assert sorted(context.help_option_names) == sorted(quickargs.HELP)
    assert GROUP.params[0].opts == ["--version"]  # the only group option; argv[0] is the command


# --- examples where click's behaviour is easy to get wrong ----------------------------------------

SAME = [
    ["lint"],
    ["lint", "a.yml", "--format", "json", "b.yml"],
    ["lint", "--", "--format", "-x", "--"],
    ["lint", "-", "--stdin-filename", "ci/buildspec.yml"],
    ["lint", "--select", "-x", "--select=", "--ignore", "--"],
    ["lint", "--format", "bad", "--format", "json"],  # click converts the last value only
    ["lint", "--jobs", " 3 "],
    ["lint", "--jobs", "1_0"],
    ["lint", "-j", "+2", "-f", "sarif", "-o", "-"],
    ["lint", "-j1", "-fjson", "-oreport.json", "a.yml"],  # a short option's attached value
    ["lint", "-o=x", "-o-"],  # click's value is what follows the letter, "=x" and "-"
    ["lint", "--config=", ""],
    ["lint", "--exit-zero", "--exit-zero", "--stats", "--color", "never"],
    ["fix", "--diff", "x", "--mirror", "a", "--mirror=b", "--strategy", "mirror"],
    ["fix", "--store=secrets-manager", "--secret", "-s", "--user-variable", "1x"],
    ["audit"],
    ["audit", "--region", "eu-west-1", "--region=us-east-1", "--shared", "--project", "a"],
    ["audit", "--profile", "ops", "-f", "sarif", "-o", "out.sarif", "--stats", "--fail-on", "info"],
    ["audit", "--select", "HS1", "--ignore=HS103", "--mirror", "m.example", "--exit-zero"],
]
FALLBACK = [
    [],
    ["--version"],
    ["rules"],
    ["Lint", "a.yml"],
    ["lint", "--help"],
    ["lint", "-h", "a.yml"],
    ["lint", "--select", "-h"],  # click reads a value here; left to typer all the same
    ["lint", "-f=json"],  # the value "=json" is no format: typer says so
    ["lint", "-j=2"],
    ["lint", "-jx"],
    ["lint", "--exit-zero=true"],
    ["lint", "--forma", "json"],
    ["lint", "--format", "JSON"],
    ["lint", "--format"],
    ["lint", "--jobs", "-1"],
    ["lint", "--jobs", "two"],
    ["lint", "--diff"],
    ["fix", "--format", "json"],
    ["fix", "--store", "vault"],
    ["lint", "-x"],
    ["lint", "---format", "json"],
    ["lint", "--=json"],
    ["audit", "buildspec.yml"],  # audit takes no paths: typer says so
    ["audit", "--", "x"],
    ["audit", "--jobs", "2"],
    ["audit", "--region"],
]


@pytest.mark.parametrize("argv", SAME, ids=repr)
def test_fast_parser_gives_typers_request(argv: list[str]) -> None:
    fast = parse(argv)
    typed, code = typer_request(argv)
    assert fast is not None and typed is not None and code == 0
    assert typed_fields(fast) == typed_fields(typed)


@pytest.mark.parametrize("argv", FALLBACK, ids=repr)
def test_fast_parser_leaves_the_rest_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def test_unreadable_path_option_is_left_to_typer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click.Path(readable=True) rejects an existing unreadable path (root reads everything)."""
    config = tmp_path / "hubspec.toml"
    config.write_text("")
    argv = ["lint", "--config", str(config)]
    assert parse(argv) is not None
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode, **kw: path != str(config) and real(path, mode, **kw)
    )
    assert typer_request(argv) == (None, 2)
    assert parse(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse(["lint", "x"]) is not None
    monkeypatch.setenv("_HUBSPEC_COMPLETE", "bash_complete")
    assert parse(["lint", "x"]) is None


# --- random argv: the fast parser says None or exactly what typer says ----------------------------

ALL_OPTIONS: list[Option[Any]] = list(OPTIONS)
TEXT = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["-", "--", "-x", "--select", "HS101", "=", "a=b", "-h"]),
)
SPECIAL = st.sampled_from(
    ["--", "-", "-h", "--help", "--version", "--bogus", "-z", "-fjson", "-j2", "-o=x", "--=x", ""]
)
PATHS = st.sampled_from(["buildspec.yml", "ci/", "-", "a b.yml", ".", "x=y"])


def values(option: Option, *, valid: bool) -> st.SearchStrategy[str]:
    if option.kind == "choice":
        assert option.choices is not None
        good = st.sampled_from([str(member.value) for member in option.choices])
        near = good.flatmap(lambda v: st.sampled_from([v.upper(), v[:-1], f" {v}", f"{v}=", ""]))
        return good if valid else st.one_of(good, near)
    if option.kind == "int":
        good = st.integers(0, 64).map(str)
        odd = st.sampled_from([" 3", "+1", "1_0", "-1", "x", "", "0x1", "٣"])
        return good if valid else st.one_of(good, odd, st.integers(-3, 3).map(str))
    if option.kind == "path":
        good = st.sampled_from(["out.json", "conf/hubspec.toml", ".", "-", "", "--select"])
        return good if valid else st.one_of(good, TEXT)
    return TEXT.filter(lambda text: text not in quickargs.HELP) if valid else TEXT


@st.composite
def option_tokens(draw: st.DrawFn, options: list[Option], valid: bool) -> list[str]:
    option = draw(st.sampled_from(options))
    name = draw(st.sampled_from(option.names))
    attach = draw(st.booleans())
    long = name.startswith("--")
    if option.kind == "flag":
        return [f"{name}={draw(TEXT)}"] if not valid and attach and long else [name]
    value = draw(values(option, valid=valid))
    if not attach or (not long and not value):  # `-o` + "" is `-o` with no value
        return [name, value]
    return [f"{name}={value}" if long else f"{name}{value}"]  # `-j2`: click's attached value


@st.composite
def any_argv(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    own = option_tokens(list(COMMANDS[command]), valid=False)
    pieces = st.one_of(
        own,
        own,
        option_tokens(ALL_OPTIONS, valid=False),
        PATHS.map(lambda path: [path]),
        SPECIAL.map(lambda token: [token]),
    )
    tokens = [token for piece in draw(st.lists(pieces, max_size=8)) for token in piece]
    if tokens and draw(st.integers(0, 3)) == 0:
        tokens = tokens[:-1]  # often an option left without its value
    return [command, *tokens]


@st.composite
def valid_argv(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    table = list(COMMANDS[command])
    pieces = option_tokens(table, valid=True)
    if command in WITH_PATHS:
        pieces = st.one_of(pieces, PATHS.map(lambda path: [path]))
    tokens = [token for piece in draw(st.lists(pieces, max_size=8)) for token in piece]
    if command in WITH_PATHS and draw(st.booleans()):
        tokens += [
            "--",
            *draw(
                st.lists(
                    st.one_of(PATHS, TEXT).filter(lambda t: t not in quickargs.HELP), max_size=3
                )
            ),
        ]
    return [command, *tokens]


@st.composite
def one_option_argv(draw: st.DrawFn) -> list[str]:
    """One option with a likely or unlikely value, where a conversion difference cannot hide."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    return [command, *draw(option_tokens(list(COMMANDS[command]), valid=False))]


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_argv(), one_option_argv()))
def test_fast_parser_is_none_or_typers_request(argv: list[str]) -> None:
    fast = parse(argv)
    typed, code = typer_request(argv)
    if fast is not None:
        assert typed is not None and code == 0
        assert typed_fields(fast) == typed_fields(typed)


@settings(max_examples=200, deadline=None)
@given(valid_argv())
def test_fast_parser_takes_every_plain_invocation(argv: list[str]) -> None:
    fast = parse(argv)
    typed, code = typer_request(argv)
    assert typed is not None and code == 0
    assert fast is not None
    assert typed_fields(fast) == typed_fields(typed)


def test_every_short_option_takes_a_value() -> None:
    """quickargs reads `-j2` as `-j 2` (as click does) because no short option is a flag;
    a short flag would make `-qj2` a cluster, which only typer reads."""
    short = [option for option in ALL_OPTIONS for name in option.names if not name.startswith("--")]
    assert short and all(option.kind != "flag" for option in short)
