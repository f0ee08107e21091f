"""`make_run`: the recipe lines a make command line runs, in make's order.

Goals are made left to right; a target's prerequisites first (normal, then order-only), each
target once; a circular dependency is dropped, as make drops it. Recipe lines are expanded
when their target is made, with its automatic variables ($@, $<, $^) and target-specific
variables. What cannot be followed becomes a `MakeProblem` (the caller reports that a pull
may be missed) instead of a guess.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from hubspec.events.make.args import MakeArgs, parse_make_args
from hubspec.events.make.database import Database, Problem
from hubspec.events.make.expand import COMMAND_LINE, ENVIRONMENT, Expander, Unexpandable, Variable
from hubspec.events.make.maker import Maker, RecipeLine
from hubspec.events.make.read import MakefileReader
from hubspec.records import record

DEFAULT_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")

Resolve = Callable[[str, str], "Path | None"]
"""(directory, file name as written) -> the path under the source root, or None."""
Read = Callable[[Path], "str | None"]


@record(slots=True)
class MakeProblem:
    path: Path | None
    line: int
    reason: str


@record(slots=True)
class MakeRun:
    """What one make command runs: its directory, recipe lines, their environment, problems."""

    directory: str
    lines: tuple[RecipeLine, ...]
    problems: tuple[MakeProblem, ...]
    environment: dict[str, str | None]
    """Variables make exports to the recipe shells (None: set, value unknown)."""


def make_run(
    argv: Sequence[str | None],
    cwd: str,
    resolve: Resolve,
    read: Read,
    environment: Mapping[str, str | None],
    source_dir: str = ".",
) -> MakeRun:
    """What `argv` (a make command run in `cwd`) runs.

    `environment` holds the variables the shell exports (None: set, value unknown); `cwd` and
    the directory make runs in are written as the walk writes them ("." = source root);
    `source_dir` is the source root as the build sees it (make's $(CURDIR) is absolute).
    """
    args = parse_make_args(argv)
    directory = cwd
    for change in args.directories:
        directory = posixpath.normpath(posixpath.join(directory, change))
    if args.problem is not None or args.runs_nothing:
        problems = (MakeProblem(None, 0, args.problem),) if args.problem else ()
        return MakeRun(directory, (), problems, {})
    expander = Expander({}, args.environment_overrides)
    curdir = directory if posixpath.isabs(directory) else posixpath.join(source_dir, directory)
    _initial_variables(expander, args, environment, posixpath.normpath(curdir))
    database = Database()

    def locate(name: str) -> tuple[Path, str | None] | None:
        path = resolve(directory, name)
        if path is None:
            return None
        text = read(path)
        if text is None and "/" not in name:
            for include in args.include_dirs:
                other = resolve(posixpath.join(directory, include), name)
                found = read(other) if other is not None else None
                if other is not None and found is not None:
                    return other, found
        return path, text

    def exists(target: str) -> bool:
        path = resolve(directory, target)
        return path is not None and read(path) is not None

    reader = MakefileReader(expander, database, locate)
    try:
        _read_makefiles(reader, args, directory, resolve)
        maker = Maker(database, expander, args, exists)
        maker.make_goals()
    except Unexpandable as error:
        database.problems.append(Problem(None, 0, f"make is not followed: {error}", False))
        return MakeRun(directory, (), _problems(database), {})
    return MakeRun(directory, tuple(maker.lines), _problems(database), maker.environment())


def _initial_variables(
    expander: Expander, args: MakeArgs, environment: Mapping[str, str | None], curdir: str
) -> None:
    """Make's variables before it reads a Makefile: environment, defaults, command line."""
    variables = expander.variables
    for name, value in environment.items():
        source = expander.unknown(f"${name}") if value is None else value
        variables[name] = Variable(source, value is not None, ENVIRONMENT, True)
    defaults = {
        "MAKE": "make",
        "SHELL": "/bin/sh",
        "CURDIR": curdir,
        "MAKECMDGOALS": " ".join(args.goals),
        "MAKEFLAGS": "",
        "MAKELEVEL": "0",
        ".SHELLFLAGS": "-c",
    }
    for name, value in defaults.items():
        variables[name] = Variable(value, False, "default")
    for name, value in args.overrides.items():
        variables[name] = Variable(value, True, COMMAND_LINE, True)
    for name, value in args.appends.items():
        old = variables.get(name)
        joined = f"{old.value} {value}" if old is not None and old.value else value
        variables[name] = Variable(joined, True, COMMAND_LINE, True)


def _read_makefiles(
    reader: MakefileReader, args: MakeArgs, directory: str, resolve: Resolve
) -> None:
    database = reader.database
    if any(name == "-" for name in args.files):
        database.problems.append(Problem(None, 0, "make reads its Makefile from stdin", False))
        return
    for name in args.files:
        if not reader.read(name):
            database.problems.append(Problem(None, 0, f"make -f {name}: no such file", False))
    if args.files:
        return
    for name in DEFAULT_MAKEFILES:
        if reader.read(name, optional=True):
            return
    where = f"in {directory}" if directory != "." else "at the source root"
    database.problems.append(Problem(None, 0, f"no Makefile was found {where}", False))


def _problems(database: Database) -> tuple[MakeProblem, ...]:
    return tuple(
        MakeProblem(problem.path, problem.line, problem.reason)
        for problem in database.problems
        if not problem.structural or database.mentions_docker
    )
