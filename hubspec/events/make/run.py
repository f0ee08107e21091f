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
from hubspec.events.make.read import Locate, MakefileReader
from hubspec.records import record, replace

DEFAULT_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")

Resolve = Callable[[str, str], "Path | None"]
"""(directory, file name as written) -> the path under the source root, or None."""
Read = Callable[[Path], "str | None"]
Why = Callable[[Path], "str | None"]


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
    unknown_assignments: Sequence[str] = (),
    why: Why | None = None,
    cache: ReadCache | None = None,
) -> MakeRun:
    """What `argv` (a make command run in `cwd`) runs.

    `environment` holds the variables the shell exports (None: set, value unknown); `cwd` and
    the directory make runs in are written as the walk writes them ("." = source root);
    `source_dir` is the source root as the build sees it (make's $(CURDIR) is absolute);
    `unknown_assignments` names command-line variables (`NAME=$X`) whose value is not known;
    `why` tells why a file `read` gave nothing for exists but cannot be read (None: missing);
    `cache` keeps read phases for later make runs of the same buildspec.
    """
    args = parse_make_args(argv)
    directory = cwd
    for change in args.directories:
        directory = posixpath.normpath(posixpath.join(directory, change))
    if args.problem is not None or args.runs_nothing:
        problems = (MakeProblem(None, 0, args.problem),) if args.problem else ()
        return MakeRun(directory, (), problems, {})

    def locate(name: str) -> tuple[Path, str | None, str | None] | None:
        path = resolve(directory, name)
        if path is None:
            return None
        text = read(path)
        if text is None and "/" not in name:
            for include in args.include_dirs:
                other = resolve(posixpath.join(directory, include), name)
                found = read(other) if other is not None else None
                if other is not None and found is not None:
                    return other, found, None
        return path, text, why(path) if text is None and why is not None else None

    def exists(target: str) -> bool:
        path = resolve(directory, target)
        return path is not None and read(path) is not None

    key = (
        directory,
        source_dir,
        tuple(args.files),
        tuple(args.include_dirs),
        tuple(sorted(args.overrides.items())),
        tuple(sorted(args.appends.items())),
        args.environment_overrides,
        tuple(unknown_assignments),
    )
    earlier = cache.setdefault(key, []) if cache is not None else []
    read_phase = next((phase for phase in earlier if phase.fits(args, environment)), None)
    if read_phase is None:
        try:
            read_phase = _read_phase(
                args, directory, environment, source_dir, unknown_assignments, locate
            )
        except Unexpandable as error:
            problem = MakeProblem(None, 0, f"make is not followed: {error}")
            return MakeRun(directory, (), (problem,), {})
        earlier[:] = [read_phase, *earlier[: MAX_KEPT - 1]]
    database, expander = read_phase.fresh(environment)
    try:
        maker = Maker(database, expander, args, exists)
        if args.unknown_words:
            reason = "a make argument is not known statically, so its goals are not known"
            database.problems.append(Problem(None, 0, reason))
        if args.goals or not args.unknown_words:
            maker.make_goals()
    except Unexpandable as error:
        database.problems.append(Problem(None, 0, f"make is not followed: {error}", False))
        return MakeRun(directory, (), _problems(database), {})
    return MakeRun(directory, tuple(maker.lines), _problems(database), maker.environment())


class ReadPhase:
    """What reading the Makefiles left. Another make run with the same command line gets
    the same when the environment variables the Makefiles asked for have the same values
    (and its goals are the same, if the Makefiles read $(MAKECMDGOALS))."""

    def __init__(
        self,
        database: Database,
        expander: Expander,
        goals: list[str] | None,
        asked: dict[str, object],
    ) -> None:
        self.database = database
        self.expander = expander
        self.goals = goals
        self.asked = asked

    def fits(self, args: MakeArgs, environment: Mapping[str, str | None]) -> bool:
        if self.goals is not None and self.goals != args.goals:
            return False
        return all(environment.get(name, _ABSENT) == value for name, value in self.asked.items())

    def fresh(self, environment: Mapping[str, str | None]) -> tuple[Database, Expander]:
        """Copies the making phase may change, with this run's environment variables."""
        old = self.expander
        expander = Expander({}, old.environment_overrides)
        expander.unknowns = list(old.unknowns)
        variables = {
            name: variable
            for name, variable in old.variables.items()
            if variable.origin != ENVIRONMENT
        }
        _environment_variables(expander, environment)
        expander.variables.update(variables)
        return replace(self.database, problems=list(self.database.problems)), expander


ReadCache = dict[tuple[object, ...], list[ReadPhase]]
"""Read phases by command line; one cache per buildspec: a Makefile that runs $(MAKE) for
each step is read once, not once per sub-make."""
MAX_KEPT = 8
_ABSENT = object()


def _read_phase(
    args: MakeArgs,
    directory: str,
    environment: Mapping[str, str | None],
    source_dir: str,
    unknown_assignments: Sequence[str],
    locate: Locate,
) -> ReadPhase:
    expander = Expander({}, args.environment_overrides)
    curdir = directory if posixpath.isabs(directory) else posixpath.join(source_dir, directory)
    _initial_variables(expander, args, environment, posixpath.normpath(curdir))
    for name in unknown_assignments:
        marker = expander.unknown(f"$({name}) (set on the command line)", f"$({name})")
        expander.variables[name] = Variable(marker, False, COMMAND_LINE, True)
    database = Database()
    expander.looked_up = set()
    _read_makefiles(MakefileReader(expander, database, locate), args)
    asked = {name: environment.get(name, _ABSENT) for name in expander.looked_up}
    expander.looked_up = None
    return ReadPhase(database, expander, list(args.goals) if database.uses_goals else None, asked)


def _initial_variables(
    expander: Expander, args: MakeArgs, environment: Mapping[str, str | None], curdir: str
) -> None:
    """Make's variables before it reads a Makefile: environment, defaults, command line."""
    variables = expander.variables
    _environment_variables(expander, environment)
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


def _environment_variables(expander: Expander, environment: Mapping[str, str | None]) -> None:
    """The environment's variables as make's (exported; None: a value not known)."""
    for name, value in environment.items():
        source = expander.unknown(f"${name}", "${" + name + "}") if value is None else value
        expander.variables[name] = Variable(source, value is not None, ENVIRONMENT, True)


def _read_makefiles(reader: MakefileReader, args: MakeArgs) -> None:
    """The Makefiles make reads: each `-f` file, else the first of DEFAULT_MAKEFILES.

    A Makefile that is missing (or outside the source root) runs nothing: make stops with
    "No targets specified and no makefile found", or the Makefile is made by a configure or
    cmake step, which writes no docker commands. One that exists but cannot be read is
    reported by the reader.
    """
    database = reader.database
    if any(name == "-" for name in args.files):
        database.problems.append(Problem(None, 0, "make reads its Makefile from stdin", False))
        return
    for name in args.files:
        reader.read(name, optional=True)
    if args.files:
        return
    for name in DEFAULT_MAKEFILES:
        if reader.read(name, optional=True):
            return


def _problems(database: Database) -> tuple[MakeProblem, ...]:
    return tuple(
        MakeProblem(problem.path, problem.line, problem.reason)
        for problem in database.problems
        if not problem.structural or database.mentions_docker
    )
