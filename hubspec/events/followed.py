"""Walking the files a command runs (scripts, and what other followers find) in order.

Their docker commands become events at the buildspec command that runs the file, with the
file and line in `Place.via`; what they run in turn is followed too, up to MAX_DEPTH files
deep, and a file that runs itself again (`a.sh` -> `b.sh` -> `a.sh`) is reported, not
followed. Inside a file nothing has a span in the buildspec: a fix never edits these files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from hubspec.events.commands import (
    docker_command,
    docker_uses,
    identity,
    names_docker,
    shown_command,
)
from hubspec.events.expand import Expander
from hubspec.events.follow import Call, Chunk, Flow, Followed, Follower
from hubspec.events.made import MAKERS, copied_files, made_files, moved_files, writes_files
from hubspec.events.model import Place, PullSource, SourceKind
from hubspec.events.scripts import SCRIPT_NAME
from hubspec.records import replace
from hubspec.shell import walk as shell
from hubspec.shell.state import ShellResult, ShellState, SimpleCommand, Word
from hubspec.shell.wrappers import WRAPPERS, unwrap

MAX_DEPTH = 8
"""Files followed inside each other (a script running a script running a script...)."""
MAX_ANALYSED_CHARACTERS = 1_000_000
"""Characters of buildspec commands and followed files analysed per buildspec."""
POSITIONAL = ("@", "*", "#", *(str(number) for number in range(1, 10)))


class FollowedFiles:
    """Runs followed files for one buildspec; shares its events, resolver and budget."""

    def __init__(
        self, expander: Expander, followers: Sequence[Follower], programs: frozenset[str]
    ) -> None:
        self.expander = expander
        self.followers = followers
        self.programs = programs
        self.analysed = 0
        self.assigned: set[str] = set()
        """Variables the followed files set (a login there may read them)."""

    def _may_follow(self, command: SimpleCommand) -> bool:
        """A cheap first test: is the program one a follower may claim, a path or a wrapper?"""
        first = command.words[0].value if command.words else None
        if first is None:
            return False
        return first in self.programs or "/" in first or first in WRAPPERS

    def _note_made(self, command: SimpleCommand) -> None:
        """Take note of the files a command writes (`curl -o`, `wget`, `> f`, `tee f`):
        running or building from one later uses what is not the repository's."""
        if not (command.writes and writes_files(command)):
            first = command.words[0].value if command.words else None
            if first is None:
                return
            program = first.rsplit("/", 1)[-1] if "/" in first else first
            if program not in MAKERS and program not in WRAPPERS:
                return  # `/usr/bin/curl` and `sudo curl` are looked at, as `made_files` is
        resolver = self.expander.resolver
        words = _unwrapped(command)
        for written, how in made_files(command, words):
            path = resolver.locate(command.cwd, written)
            if path is not None:
                resolver.note_made(path, how)
        moves = moved_files(words)
        for source, destination, may_be_folder in copied_files(words):
            path = resolver.locate(command.cwd, destination)
            if path is None:
                continue
            if may_be_folder and resolver.is_folder(path):
                path = path / posixpath.basename(source)
            origin = resolver.locate(command.cwd, source)
            shown = shown_command(command)
            if origin is None:
                resolver.note_made(path, f"written by `{shown}` from outside the source")
            elif resolver.is_folder(origin):
                resolver.note_folder_copy(path, origin, shown)
            else:
                resolver.note_copy(path, origin, shown)
            if moves and origin is not None and origin != path:
                resolver.note_moved(origin, shown)

    def followed(self, call: Call) -> Followed | None:
        """What the command runs from a file, if a follower knows it."""
        if not call.words:
            return None
        resolver = self.expander.resolver
        for follower in self.followers:
            found = follower(call, resolver)
            if found is not None:
                return found
        return None

    def walk_text(
        self, text: str, state: ShellState, site: Site, stack: tuple[str, ...] = ()
    ) -> tuple[tuple[tuple[int, str], ...], ShellState]:
        """Walk a script's commands in order: (its shell errors, the state after it).

        A file sourced at the top level (`source env.sh && docker pull $IMAGE`) changes the
        state of what follows it in the same script: the rest is analysed again from there.
        """
        base, current = 0, state
        result = shell.analyse(text, state)
        while True:
            part = text[base:]
            sourced: ShellState | None = None
            resumed: tuple[int, ShellState, ShellResult] | None = None
            for command in result.commands:
                state_at = partial(self._before, part, command, current)
                self._note_made(command)  # bash opens `> f` before the command runs
                if names_docker(command) and site.docker(command, base, state_at):
                    continue  # a docker command runs no file
                if not self._may_follow(command):
                    continue
                call = Call(command, _unwrapped(command), state_at)
                followed = self.followed(call)
                if followed is None:
                    continue
                back = self._run(site.place(command, base), followed, call.state(), stack)
                if back is None:
                    continue
                rest = _rest_after(part, command) if command.nesting == 0 else None
                if rest is not None and self._affordable(len(part) - rest):
                    again = shell.analyse(part[rest:], back)
                    if not again.errors:
                        resumed = (base + rest, back, again)
                        break
                sourced = back
            if resumed is not None:
                base, current, result = resumed
                continue
            errors = tuple((base + offset, message) for offset, message in result.errors)
            if sourced is None:
                return errors, result.state
            return errors, _flowed_back(current, result.state, sourced)

    def _affordable(self, characters: int) -> bool:
        """Count more analysis against the budget; False (counting nothing) if over it."""
        if self.analysed + characters > MAX_ANALYSED_CHARACTERS:
            return False
        self.analysed += characters
        return True

    def _before(self, text: str, command: SimpleCommand, state: ShellState) -> ShellState:
        """The shell state where `command` runs: what the script before it left behind.

        Over the analysis budget, the state before the script (with the command's directory).
        """
        head = text[: command.start]
        found = state
        if head.strip() and self._affordable(len(head)):
            found = shell.analyse(head, state).state
        if found.cwd == command.cwd:
            return found
        moved = found.copy()
        moved.cwd = command.cwd
        return moved

    def _run(
        self, place: Place, followed: Followed, state: ShellState, stack: tuple[str, ...]
    ) -> ShellState | None:
        images = self.expander.images
        for problem in followed.problems:
            images.unresolved(place, problem)
        if followed.key in stack:
            chain = " -> ".join((*stack, followed.key))
            images.unresolved(place, f"{followed.key} runs itself again ({chain}); not followed")
            return None
        if len(stack) >= MAX_DEPTH:
            reason = (
                f"{followed.key} is run {len(stack) + 1} files deep; hubspec follows {MAX_DEPTH}"
            )
            images.unresolved(place, reason)
            return None
        current = _bound(state, followed.arguments)
        if followed.flow is not Flow.SOURCED and current.dirs:
            current = current.copy()
            current.dirs = ()  # a shell of its own starts with no `pushd` stack
        for chunk in followed.chunks:
            self.analysed += len(chunk.text)
            if self.analysed > MAX_ANALYSED_CHARACTERS:
                reason = (
                    f"{chunk.shown} is not analysed: the commands and files add up to more"
                    f" than {MAX_ANALYSED_CHARACTERS:,} characters"
                )
                images.unresolved(place, reason)
                return None
            start = _started(current, chunk)
            after = self._chunk(place, chunk, start, (*stack, followed.key))
            if followed.flow is not Flow.EACH_CHUNK:
                current = after
        if followed.flow is not Flow.SOURCED:
            return None
        # back in the caller: its own name, and its $1.. unless `source x.sh` kept them
        names = (*POSITIONAL, SCRIPT_NAME) if followed.arguments is not None else (SCRIPT_NAME,)
        return _restored(current, state, names)

    def _chunk(
        self, outer: Place, chunk: Chunk, state: ShellState, stack: tuple[str, ...]
    ) -> ShellState:
        errors, after = self.walk_text(chunk.text, state, _ChunkSite(self, outer, chunk), stack)
        if errors and "docker" in chunk.text:
            offset, message = errors[0]
            line = chunk.line + chunk.text.count("\n", 0, offset)
            self.expander.images.unresolved(
                outer,
                f"{chunk.shown}, line {line} is not valid shell ({message}),"
                " so a docker pull in it may be missed",
            )
        self.assigned |= set(after.variables) - set(state.variables)
        self.assigned |= after.unknown - state.unknown
        return after

    def docker(
        self,
        place: Place,
        command: SimpleCommand,
        chunk: Chunk,
        line: int,
        state: Callable[[], ShellState],
    ) -> bool:
        """Record the events of a docker command written in a followed file."""
        used = docker_uses(command)
        if used is None:
            return False
        found, uses = used
        place = replace(place, user=identity(found, command, place.step.user))

        def no_span(word: Word) -> None:
            return None

        def source_of(word: Word, verb: str) -> PullSource:
            return PullSource(SourceKind.SCRIPT, chunk.path, line, None, verb)

        where = f"{chunk.shown}, line {line}"
        docker_command(place, command, uses, self.expander, no_span, source_of, where, state)
        return True


def _unwrapped(command: SimpleCommand) -> list[str | None]:
    """The command's words from the real program on (wrappers like `sudo` skipped); none when
    what runs behind the wrappers is not known."""
    values = [word.value for word in command.words]
    found = unwrap(values)
    return values[found.word :] if found is not None else []


class Site(Protocol):
    """Where the commands being walked are written: their places, and their docker events."""

    def docker(self, command: SimpleCommand, base: int, state: Callable[[], ShellState]) -> bool:
        """Record the events of a docker command (`state`: the shell state where it runs,
        computed when asked); False when it runs no docker."""
        ...

    def place(self, command: SimpleCommand, base: int) -> Place:
        """Where a command that runs a file is reported."""
        ...


class _ChunkSite:
    """Commands written in a followed file: reported at the command that runs the file."""

    def __init__(self, files: FollowedFiles, outer: Place, chunk: Chunk) -> None:
        self.files = files
        self.outer = outer
        self.chunk = chunk

    def _line(self, command: SimpleCommand, base: int) -> int:
        return self.chunk.line + self.chunk.text.count("\n", 0, base + command.start)

    def place(self, command: SimpleCommand, base: int) -> Place:
        outer = self.outer
        return replace(
            outer,
            conditional=outer.conditional or command.conditional,
            via=(*outer.via, f"{self.chunk.shown}, line {self._line(command, base)}"),
        )

    def docker(self, command: SimpleCommand, base: int, state: Callable[[], ShellState]) -> bool:
        place = self.place(command, base)
        return self.files.docker(place, command, self.chunk, self._line(command, base), state)


def _started(state: ShellState, chunk: Chunk) -> ShellState:
    """The state a chunk starts in: its own directory and variables, if it has them."""
    if chunk.cwd is None and not chunk.variables:
        return state
    start = state.copy()
    if chunk.cwd is not None:
        start.cwd = chunk.cwd
    for name, value in chunk.variables:
        if value is None:
            start.variables.pop(name, None)
            start.unknown.add(name)
        else:
            start.unknown.discard(name)
            start.variables[name] = value
    return start


def _bound(state: ShellState, arguments: tuple[str | None, ...] | None) -> ShellState:
    """`state` with `$1`.., `$@`, `$*` and `$#` set to a file's arguments."""
    if arguments is None:
        return state
    bound = state.copy()
    for name in POSITIONAL:
        bound.variables.pop(name, None)
        bound.unknown.discard(name)
    words = [argument for argument in arguments if argument is not None]
    known = len(words) == len(arguments)
    for number, argument in enumerate(arguments[:9], start=1):
        if argument is None:
            bound.unknown.add(str(number))
        else:
            bound.variables[str(number)] = argument
    for number in range(len(arguments) + 1, 10):
        bound.variables[str(number)] = ""
    bound.variables["#"] = str(len(arguments))
    if known:
        bound.variables["*"] = " ".join(words)
    else:
        bound.unknown.add("*")
    if known and len(words) <= 1:
        bound.variables["@"] = words[0] if words else ""
    else:
        bound.unknown.add("@")  # several words: one value cannot stand for them
    return bound


def _restored(state: ShellState, caller: ShellState, names: Sequence[str]) -> ShellState:
    """After `source x.sh`, the caller's values of `names` are back."""
    restored = state.copy()
    for name in names:
        restored.variables.pop(name, None)
        restored.unknown.discard(name)
        if name in caller.variables:
            restored.variables[name] = caller.variables[name]
        elif name in caller.unknown:
            restored.unknown.add(name)
    return restored


def _flowed_back(start: ShellState, end: ShellState, sourced: ShellState) -> ShellState:
    """The state after a command that sourced a file: the file's, then the command's own.

    The command's own changes (made around the `source`) win; the sourced file's variables
    and directory hold where the command did not change them.
    """
    merged = sourced.copy()
    for name, value in end.variables.items():
        if start.variables.get(name) != value or name in start.unknown:
            merged.variables[name] = value
            merged.unknown.discard(name)
    for name in end.unknown - start.unknown:
        merged.variables.pop(name, None)
        merged.unknown.add(name)
    if end.cwd != start.cwd:
        merged.cwd = end.cwd
    return merged


def _rest_after(text: str, command: SimpleCommand) -> int | None:
    """Where the commands after `command` start, when it ends a list item (`;`, `&&`, newline)."""
    index = command.end
    while index < len(text) and text[index] in " \t":
        index += 1
    if text.startswith("&&", index):
        index += 2
    elif text.startswith((";", "\n"), index) and not text.startswith(";;", index):
        index += 1
    else:
        return None
    return index if text[index:].strip() else None
