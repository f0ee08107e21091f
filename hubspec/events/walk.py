"""The execution-order walk: every pull, login and logout a build runs, in order.

Walks the build model's steps through the shell analysis (carrying shell state between
commands for version 0.2) and hands each docker command to `commands.docker_command`.
Files are resolved and read only through one `Resolver`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.build.model import BuildModel, LazyOffsets, Step, build_model, value_offsets
from hubspec.docker import cli as docker_cli
from hubspec.events.commands import docker_command, identity
from hubspec.events.expand import Expander
from hubspec.events.images import ImageEvents
from hubspec.events.model import Analysis, FileReader, Place, PullSource, SourceKind
from hubspec.events.resolve import SOURCE_DIR_MARK, SOURCE_DIR_VARIABLE, Resolver
from hubspec.load.document import Document
from hubspec.settings import Settings
from hubspec.shell import walk as shell
from hubspec.shell.state import SimpleCommand, Word

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_ANALYSED_CHARACTERS = 1_000_000


def analyse_document(
    document: Document, source_root: Path, reader: FileReader, settings: Settings
) -> Analysis:
    model = build_model(document)
    walker = _Walker(document, Resolver(source_root, reader), settings.mirrors, model)
    walker.run()
    return Analysis(model, walker.images.events, walker.assigned)


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
        self.assigned: set[str] = set()

    def run(self) -> None:
        carries_state = self.model.version != "0.1"
        start_state = initial_state(self.model)
        state = start_state  # the analysis never changes the state it is given
        known_at_start = set(start_state.variables) | start_state.unknown
        analysed = 0
        for step in self.model.steps:
            if not carries_state:
                state = start_state
            analysed += len(step.text)
            if analysed > MAX_ANALYSED_CHARACTERS:
                # Aliases can repeat one long command many times: bound the total work.
                every = value_offsets(self.document, step.node)
                place = _place(step, every, 0, 1, step.user, False)
                reason = (
                    f"the commands add up to more than {MAX_ANALYSED_CHARACTERS:,} characters"
                    " (repeated through aliases?); the rest is not analysed"
                )
                self.images.unresolved(place, reason)
                break
            result = shell.analyse(step.text, state)
            offsets: LazyOffsets | None = None  # made for the first event: most steps have none
            for command in result.commands:
                for word in command.words:
                    value = word.value
                    if value is not None and docker_cli.PROGRAM_MARK in value:
                        if offsets is None:
                            offsets = LazyOffsets(self.document, step.node)
                        self._command(step, command, offsets)
                        break  # else: no docker program can run (see docker_events)
            if result.errors and "docker" in step.text:
                if offsets is None:
                    offsets = LazyOffsets(self.document, step.node)
                self._shell_error(step, offsets, result.errors[0][1])
            if result.state is not state:
                state = result.state
                self.assigned |= (set(state.variables) | state.unknown) - known_at_start

    def _shell_error(self, step: Step, offsets: Sequence[int], message: str) -> None:
        start = len(step.text) - len(step.text.lstrip())
        problem = (
            f"the command nests shells deeper than hubspec follows ({message})"
            if "deep" in message
            else f"the command is not valid shell ({message})"
        )
        place = _place(step, offsets, start, start + 1, step.user, False)
        self.images.unresolved(place, f"{problem}, so a docker pull in it may be missed")

    def _command(self, step: Step, command: SimpleCommand, offsets: Sequence[int]) -> None:
        used = docker_cli.docker_use([word.value for word in command.words])
        if used is None or not used[1]:
            return
        found, uses = used
        user = identity(found, command, step.user)
        place = _place(step, offsets, command.start, command.end, user, command.conditional)

        def span_of(word: Word) -> tuple[int, int]:
            return _span(offsets, word)

        def source_of(word: Word, verb: str) -> PullSource:
            return PullSource(SourceKind.COMMAND, span=_span(offsets, word), instruction=verb)

        docker_command(place, command, uses, self.expander, span_of, source_of)


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
