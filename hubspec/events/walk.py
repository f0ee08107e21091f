"""The execution-order walk: every pull, login and logout a build runs, in order.

Walks the build model's steps through the shell analysis (carrying shell state between
commands for version 0.2) and hands each docker command to `commands.docker_command`.
Files are resolved and read only through one `Resolver`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.build.model import BuildModel, LazyOffsets, Step, build_model, value_offsets
from hubspec.events.commands import docker_command, docker_uses, identity
from hubspec.events.expand import Expander
from hubspec.events.followed import MAX_ANALYSED_CHARACTERS, FollowedFiles
from hubspec.events.followers import FOLLOWERS, PROGRAMS
from hubspec.events.images import ImageEvents
from hubspec.events.model import Analysis, FileReader, Place, PullSource, SourceKind
from hubspec.events.resolve import SOURCE_DIR_VARIABLE, Opened, Resolver
from hubspec.load.document import Document
from hubspec.settings import Settings
from hubspec.shell import walk as shell
from hubspec.shell.state import SOURCE_DIR_MARK, ShellState, SimpleCommand, Word

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def analyse_document(
    document: Document, source_root: Path, reader: FileReader, settings: Settings
) -> Analysis:
    model = build_model(document)
    walker = _Walker(document, Resolver(source_root, reader), settings.mirrors, model)
    walker.run()
    assigned = walker.assigned | walker.files.assigned
    batch, unread = walker.batch_buildspecs()
    return Analysis(model, walker.images.events, assigned, batch, unread)


def initial_state(model: BuildModel) -> shell.ShellState:
    """Shell state at the start of a build: env.variables known, secret stores unknown."""
    state = shell.ShellState()
    for entry in model.env:
        literal = entry.literal if entry.section == "variables" else None
        if literal is not None and "$" not in literal:
            state.variables[entry.name] = literal
        else:
            state.unknown.add(entry.name)
    state.variables.setdefault(SOURCE_DIR_VARIABLE, SOURCE_DIR_MARK)
    return state


class _Walker:
    def __init__(
        self, document: Document, resolver: Resolver, mirrors: frozenset[str], model: BuildModel
    ) -> None:
        self.document = document
        self.model = model
        self.images = ImageEvents(mirrors)
        self.expander = Expander(self.images, resolver)
        self.files = FollowedFiles(self.expander, FOLLOWERS, PROGRAMS)
        self.assigned: set[str] = set()

    def run(self) -> None:
        carries_state = self.model.version != "0.1"
        start_state = initial_state(self.model)
        state = start_state  # the analysis never changes the state it is given
        known_at_start = set(start_state.variables) | start_state.unknown
        for step in self.model.steps:
            if not carries_state:
                state = start_state
            self.files.analysed += len(step.text)
            if self.files.analysed > MAX_ANALYSED_CHARACTERS:
                # Aliases can repeat one long command many times: bound the total work.
                every = value_offsets(self.document, step.node)
                place = _place(step, every, 0, 1, step.user, False)
                reason = (
                    f"the commands add up to more than {MAX_ANALYSED_CHARACTERS:,} characters"
                    " (repeated through aliases?); the rest is not analysed"
                )
                self.images.unresolved(place, reason)
                break
            after = self._step(step, state)
            if after is not state:
                state = after
                self.assigned |= (set(state.variables) | state.unknown) - known_at_start

    def batch_buildspecs(self) -> tuple[list[Path], list[tuple[int, int, str]]]:
        """The batch's buildspec files that are in the source (the runner lints them too),
        and (start, end, why) of each one that is not: missing, unreadable, outside the
        source root, or named with a variable."""
        found: list[Path] = []
        unread: list[tuple[int, int, str]] = []
        resolver = self.expander.resolver
        for node in self.model.batch_buildspecs:
            written = str(node.value)
            if "$" in written:
                why = f"the batch's buildspec path {written} is not known statically"
                unread.append((node.start, node.end, why))
                continue
            path = resolver.locate(".", written)
            opened = resolver.open(path) if path is not None else None
            if isinstance(opened, Opened):
                found.append(opened.path)
                continue
            shown = written if path is None else resolver.shown(path)
            reason = opened or "is outside the source root, which hubspec does not read"
            unread.append((node.start, node.end, f"the batch's buildspec file {shown} {reason}"))
        return found, unread

    def _step(self, step: Step, state: ShellState) -> ShellState:
        """Walk one command string; the shell state after it."""
        site = _StepSite(self, step)
        errors, after = self.files.walk_text(step.text, state, site)
        if errors and "docker" in step.text:
            self._shell_error(step, site.offsets, errors[0][1])
        return after

    def _shell_error(self, step: Step, offsets: Sequence[int], message: str) -> None:
        start = len(step.text) - len(step.text.lstrip())
        problem = (
            f"the command nests shells deeper than hubspec follows ({message})"
            if "deep" in message
            else f"the command is not valid shell ({message})"
        )
        place = _place(step, offsets, start, start + 1, step.user, False)
        self.images.unresolved(place, f"{problem}, so a docker pull in it may be missed")

    def _command(
        self,
        step: Step,
        command: SimpleCommand,
        offsets: Sequence[int],
        state: Callable[[], ShellState],
    ) -> bool:
        """Record a docker command's events; False when the command does not run docker."""
        used = docker_uses(command)
        if used is None:
            return False
        found, uses = used
        if not uses:
            return True
        user = identity(found, command, step.user)
        place = _place(step, offsets, command.start, command.end, user, command.conditional)

        def span_of(word: Word) -> tuple[int, int]:
            return _span(offsets, word)

        def source_of(word: Word, verb: str) -> PullSource:
            return PullSource(SourceKind.COMMAND, span=_span(offsets, word), instruction=verb)

        docker_command(place, command, uses, self.expander, span_of, source_of, state=state)
        return True


class _StepSite:
    """Commands written in one buildspec command string: places from its offsets."""

    def __init__(self, walker: _Walker, step: Step) -> None:
        self.walker = walker
        self.step = step
        self.offsets = LazyOffsets(walker.document, step.node)  # computed on first use
        self._shifted: dict[int, Sequence[int]] = {0: self.offsets}

    def _offsets(self, base: int) -> Sequence[int]:
        if base not in self._shifted:
            self._shifted[base] = self.offsets[base:]
        return self._shifted[base]

    def docker(self, command: SimpleCommand, base: int, state: Callable[[], ShellState]) -> bool:
        return self.walker._command(self.step, command, self._offsets(base), state)

    def place(self, command: SimpleCommand, base: int) -> Place:
        offsets = self._offsets(base)
        step = self.step
        return _place(step, offsets, command.start, command.end, step.user, command.conditional)


def _place(
    step: Step, offsets: Sequence[int], start: int, end: int, user: str, conditional: bool
) -> Place:
    last = len(offsets) - 1
    begin = offsets[min(max(start, 0), last)]
    finish = offsets[min(max(end - 1, 0), last)] + 1 if end > start else begin + 1
    return Place(step, begin, max(finish, begin + 1), user, conditional)


def _span(offsets: Sequence[int], word: Word) -> tuple[int, int]:
    last = len(offsets) - 1
    start = offsets[min(word.start, last)]
    end = offsets[min(max(word.end - 1, 0), last)] + 1
    return start, max(end, start + 1)
