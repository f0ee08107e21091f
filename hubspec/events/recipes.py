"""Followers for make and package.json scripts, for the `events.follow` plug point.

`make [target...]` runs its recipe lines, each in a shell of its own started in make's
directory, with the variables make exports; `npm run x` / `yarn x` / `pnpm run x` run the
script's command (and npm's and yarn's `prex`/`postx`) in the package's directory. What make
cannot expand reaches the shell analysis as a value it cannot know (a command substitution of
the make reference); where it may stand for a docker command, it is reported: a pull may be
missed.
"""

from __future__ import annotations

import posixpath
import re
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

from hubspec.events.follow import MAKE_PROGRAMS, MANAGERS, Call, Chunk, Flow, Followed
from hubspec.events.make import MakeProblem, make_run
from hubspec.events.make.run import ReadCache
from hubspec.events.npm import script_run
from hubspec.events.resolve import UNKNOWN_CWD, Opened, Resolver
from hubspec.shell.state import SOURCE_DIR_MARK, ShellState, SimpleCommand

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)\+?=")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CACHES: weakref.WeakKeyDictionary[Resolver, ReadCache] = weakref.WeakKeyDictionary()
"""Makefiles read for one buildspec (its resolver), kept while it is linted."""
_ALWAYS_SET = ("PATH",)
"""Set in the environment of every make run, whatever the buildspec says."""
_MISSED = "so a docker pull may be missed"


def follow_make(call: Call, resolver: Resolver) -> Followed | None:
    """The recipe lines a make command runs; None when the command is not make."""
    words, cwd = call.words, call.cwd
    program = words[0] if words else None
    if program is None or not program.endswith("make"):  # most commands: one check
        return None
    if posixpath.basename(program) not in MAKE_PROGRAMS:
        return None
    key = "make " + " ".join(word if word is not None else "?" for word in words[1:])
    if cwd == UNKNOWN_CWD:
        return Followed(
            (), Flow.EACH_CHUNK, key, None, (f"make runs in an unknown directory, {_MISSED}",)
        )
    environment = _environment(call.state())
    environment.update(call.command.assignments)
    argv, unknown = _make_words(call.command, words)
    reasons: dict[Path, str] = {}
    read = _read_with(resolver, reasons)
    cache = _CACHES.setdefault(resolver, {})
    run = make_run(
        argv, cwd, resolver.locate, read, environment, SOURCE_DIR_MARK, unknown, reasons.get, cache
    )
    changed = [
        (name, value)
        for name, value in run.environment.items()
        if name not in environment or environment[name] != value
    ]
    variables = tuple(changed)
    chunks = []
    problems = [_problem(problem, resolver) for problem in run.problems]
    for line in run.lines:
        shown = resolver.shown(line.path)
        chunks.append(Chunk(line.command, line.path, shown, line.line, run.directory, variables))
        for source in line.unknown:
            if "docker" in source:
                problems.append(
                    f"{shown}, line {line.line}: make cannot expand {source}, {_MISSED}"
                )
    return Followed(
        tuple(chunks), Flow.EACH_CHUNK, f"{key} (in {run.directory})", None, tuple(problems)
    )


def follow_package_script(call: Call, resolver: Resolver) -> Followed | None:
    """The package.json scripts `npm run x`, `yarn x` or `pnpm run x` runs."""
    words, cwd = call.words, call.cwd
    program = words[0] if words else None
    if program is None or not program.endswith(("npm", "yarn")):  # most commands: one check
        return None
    if posixpath.basename(program) not in MANAGERS or cwd == UNKNOWN_CWD:
        return None
    reasons: dict[Path, str] = {}
    read = _read_with(resolver, reasons, manifest=True)
    run = script_run(words, cwd, resolver.locate, read, resolver.subfolders)
    if run is None:
        return None
    unread = [f"{resolver.shown(path)} {reason}" for path, reason in reasons.items()]
    problems = tuple(f"{problem}, {_MISSED}" for problem in (*run.problems, *unread))
    if run.path is None:
        return Followed((), Flow.EACH_CHUNK, "package.json", None, problems)
    chunks = tuple(
        Chunk(
            script.command,
            script.path,
            f"{resolver.shown(script.path)} script {script.name}",
            script.line,
            script.directory,
        )
        for script in run.scripts
    )
    key = f"{resolver.shown(run.path)} {'+'.join(script.name for script in run.scripts)}"
    if run.workspaces:
        key += f" in {', '.join(run.workspaces)}"
    return Followed(chunks, Flow.EACH_CHUNK, key, None, problems)


def _environment(state: ShellState) -> dict[str, str | None]:
    """What make takes from the shell: its variables (None: set, value unknown).

    The shell analysis does not track `export`, so every variable it knows is passed on;
    CodeBuild's own variables (env.variables, parameter-store, ...) are exported. PATH is
    set even when the buildspec never names it (make itself was found through it): its
    value is the image's, not known here. Knowing that keeps `export PATH := $(PATH):...`
    from changing the environment of each sub-make, so nested `$(MAKE)` calls share one
    read of the Makefiles (the read cache of `events.make.run`)."""
    environment: dict[str, str | None] = dict.fromkeys((*state.unknown, *_ALWAYS_SET))
    environment.update(state.variables)
    return {name: value for name, value in environment.items() if _NAME.fullmatch(name)}


def _make_words(
    command: SimpleCommand, words: Sequence[str | None]
) -> tuple[list[str | None], list[str]]:
    """make's words, and the names of `NAME=$X` assignments whose value is not known."""
    offset = len(command.words) - len(words)
    argv: list[str | None] = []
    unknown: list[str] = []
    for index, value in enumerate(words):
        raw = command.words[offset + index].raw if value is None else ""
        match = _ASSIGNMENT.match(raw)
        if value is None and match is not None and index > 0:
            unknown.append(match.group(1))
        else:
            argv.append(value)
    return argv, unknown


def _read_with(
    resolver: Resolver, reasons: dict[Path, str] | None = None, *, manifest: bool = False
) -> Callable[[Path], str | None]:
    """Reads through the resolver, which keeps the buildspec's file budget (package files
    have their own: `manifest`) and the root; why a file that exists could not be read goes
    to `reasons`."""

    def read(path: Path) -> str | None:
        if not manifest and resolver.over_budget():
            if reasons is not None:
                reasons[path] = "is over the file budget"
            return None
        opened = resolver.open_manifest(path) if manifest else resolver.open(path)
        if isinstance(opened, Opened):
            return opened.text
        if reasons is not None and opened != "was not found":
            reasons[path] = opened
        return None

    return read


def _problem(problem: MakeProblem, resolver: Resolver) -> str:
    if problem.path is None:
        return f"make: {problem.reason}, {_MISSED}"
    where = resolver.shown(problem.path)
    if problem.line:
        where = f"{where}, line {problem.line}"
    return f"{where}: {problem.reason}, {_MISSED}"
