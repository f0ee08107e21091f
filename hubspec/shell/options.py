"""Command-line option tables and the parser that reads an argv with them.

Takes an argv of words (None for a word not known statically) and a table of the options a
program knows; hands on which options were given with which values, and where the operands
start. The rules are pflag's (docker's parser): `--opt value`, `--opt=value`, `-abc` clusters,
`-ovalue`, `-o=value`, `--`. Used for the wrappers of `hubspec.shell.wrappers` and the docker
CLI of `hubspec.docker.cli`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from hubspec.records import record

FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})
"""Values that turn a flag off (`--rm=false`)."""


class Arity(enum.Enum):
    """How an option consumes words (pflag's three kinds)."""

    FLAG = "flag"  # `--rm`, `-d`; `--rm=false` is allowed
    VALUE = "value"  # `--name x`, `--name=x`, `-nx`, `-n=x`
    OPTIONAL = "optional"  # a value only with `=` (pflag NoOptDefVal)


OptionTable = Mapping[str, tuple[str, Arity]]
"""Spelling (`-e`, `--env`) -> (canonical long name, arity)."""


def table(
    values: Sequence[str] = (), flags: Sequence[str] = (), optional: Sequence[str] = ()
) -> OptionTable:
    """Build a table from `"e/env"` (short and long), `"env"` (long) or `"e"` (short) entries."""
    found: dict[str, tuple[str, Arity]] = {}
    for specs, arity in ((values, Arity.VALUE), (flags, Arity.FLAG), (optional, Arity.OPTIONAL)):
        for spec in specs:
            short, _, long = spec.rpartition("/")
            if not short and len(long) == 1:
                short = long
            else:
                found[f"--{long}"] = (long, arity)
            if short:
                found[f"-{short}"] = (long, arity)
    return MappingProxyType(found)


@record
class Option:
    name: str
    value: str | None  # None: the value word is not known (or missing)
    word: int  # the word holding the value (the option word itself for `--x=v` and flags)


@record
class Parsed:
    options: tuple[Option, ...]
    positionals: tuple[tuple[int, str | None], ...]
    opaque: tuple[int, ...]  # None words in option position: options or operands, who knows
    unknown: tuple[tuple[int, str], ...]  # options not in the table

    def all(self, name: str) -> list[Option]:
        return [option for option in self.options if option.name == name]

    def last(self, name: str) -> Option | None:
        found = self.all(name)
        return found[-1] if found else None

    def flag(self, name: str) -> bool:
        option = self.last(name)
        return option is not None and option.value not in FALSE

    @property
    def help(self) -> bool:
        return self.flag("help")


def parse(
    argv: Sequence[str | None], start: int, table: OptionTable, *, interspersed: bool
) -> Parsed:
    """Parse options the way pflag does.

    Without `interspersed` (docker run, the root command, wrappers) parsing stops at the first
    operand, which is then the only positional returned; a None word there is taken as that
    operand. With it, None words are `opaque` and parsing goes on.
    """
    options: list[Option] = []
    positionals: list[tuple[int, str | None]] = []
    opaque: list[int] = []
    unknown: list[tuple[int, str]] = []
    i = start
    while i < len(argv):
        word = argv[i]
        if word is None:
            if not interspersed:
                positionals.append((i, None))
                break
            opaque.append(i)
        elif word == "--":
            rest = range(i + 1, len(argv))
            positionals.extend((j, argv[j]) for j in (rest if interspersed else rest[:1]))
            break
        elif word.startswith("--"):
            i = _long(argv, i, word, table, options, unknown)
        elif word.startswith("-") and word != "-":
            i = _short(argv, i, word, table, options, unknown)
        else:
            positionals.append((i, word))
            if not interspersed:
                break
        i += 1
    return Parsed(tuple(options), tuple(positionals), tuple(opaque), tuple(unknown))


def _long(
    argv: Sequence[str | None],
    i: int,
    word: str,
    table: OptionTable,
    options: list[Option],
    unknown: list[tuple[int, str]],
) -> int:
    """`--name`, `--name=value`, `--name value`; returns the index of the last word used."""
    name, eq, value = word.partition("=")
    spec = table.get(name)
    if spec is None:
        unknown.append((i, name))
        return i
    canonical, arity = spec
    if eq:
        options.append(Option(canonical, value, i))
    elif arity is Arity.VALUE:
        if i + 1 < len(argv):
            options.append(Option(canonical, argv[i + 1], i + 1))
            return i + 1
        options.append(Option(canonical, None, i))
    else:
        options.append(Option(canonical, "true" if arity is Arity.FLAG else "", i))
    return i


def _short(
    argv: Sequence[str | None],
    i: int,
    word: str,
    table: OptionTable,
    options: list[Option],
    unknown: list[tuple[int, str]],
) -> int:
    """A cluster like `-itd`, `-eFOO=1`, `-e=FOO`, `-e FOO`; returns the last word used."""
    j = 1
    while j < len(word):
        spec = table.get(f"-{word[j]}")
        if spec is None:
            unknown.append((i, f"-{word[j]}"))
            return i
        canonical, arity = spec
        rest = word[j + 1 :]
        if len(rest) > 1 and rest[0] == "=":
            options.append(Option(canonical, rest[1:], i))
            return i
        if arity is not Arity.VALUE:
            options.append(Option(canonical, "true" if arity is Arity.FLAG else "", i))
            j += 1
            continue
        if rest:
            options.append(Option(canonical, rest, i))
            return i
        if i + 1 < len(argv):
            options.append(Option(canonical, argv[i + 1], i + 1))
            return i + 1
        options.append(Option(canonical, None, i))
        return i
    return i
