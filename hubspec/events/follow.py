"""The plug point for commands that run commands written in another file.

`bash x.sh`, `source x.sh`, `make build`, `npm run x`: each kind has a `Follower` that
recognises its command and hands back the shell text to analyse (`Chunk`s, each with the file
and line it is written at and the directory it runs in) and how its shell state flows
(`Flow`). The walk analyses the chunks as if their commands ran at the command that runs them,
reports their pulls and logins there with a note naming the file and line, and follows what
they run in turn (depth bounded, cycles detected). Add a kind by writing a Follower and
listing it in `FOLLOWERS`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from hubspec.events.resolve import Resolver
from hubspec.records import record
from hubspec.shell.state import ShellState, SimpleCommand


class Flow(enum.Enum):
    """How shell state flows between the caller and what a followed command runs."""

    SOURCED = "sourced"  # the caller's own shell: variables, functions and cd flow back
    CHILD = "child"  # one child shell for all chunks: starts with the caller's state
    EACH_CHUNK = "each-chunk"  # each chunk a child shell of its own (make's recipe lines)


@record
class Chunk:
    """Shell text written in a file, run as one script."""

    text: str
    path: Path
    shown: str  # the file as messages name it (relative to the source root)
    line: int  # the file's line where `text` starts
    cwd: str | None = None  # where it runs, as ShellState.cwd; None: the caller's directory
    variables: tuple[tuple[str, str | None], ...] = ()
    """Set in its shell before it runs (None: set, value unknown): what make exports."""


@record
class Followed:
    """What a command runs from files: chunks in order, and what could not be followed."""

    chunks: tuple[Chunk, ...]
    flow: Flow
    key: str
    """Names what runs (file and target) to detect a cycle: `a.sh` runs `b.sh` runs `a.sh`."""
    arguments: tuple[str | None, ...] | None = None
    """`$1`, `$2`, ... (None: an unknown word); None keeps the caller's."""
    problems: tuple[str, ...] = ()
    """Why something it runs is unknown (a missing script): each an HS103 at the command."""


class Call:
    """A command a follower is asked about: its words, directory, and the state it runs in."""

    def __init__(
        self, command: SimpleCommand, words: Sequence[str | None], state: Callable[[], ShellState]
    ) -> None:
        self.command = command
        self.words = words
        """The words from the real program on (wrappers like `sudo` skipped); None: unknown."""
        self.cwd = command.cwd
        """Where it runs, as ShellState.cwd ("." the source root, "?" unknown)."""
        self._state = state
        self._known: ShellState | None = None

    def state(self) -> ShellState:
        """The shell state where the command runs (its variables): computed when asked."""
        if self._known is None:
            self._known = self._state()
        return self._known


MAKE_PROGRAMS = frozenset({"make", "gmake"})
MANAGERS = frozenset({"npm", "yarn", "pnpm"})
"""Programs whose followers (hubspec.events.recipes) load on first use: kept here so that
recognising them does not import the Makefile and package.json readers."""


class Follower(Protocol):
    """Recognises one kind of command that runs a file's commands; None when not its kind.

    Files are located and read only through `resolver` (`locate`, `over_budget`, `open`),
    which counts them against the buildspec's budget.
    """

    def __call__(self, call: Call, resolver: Resolver) -> Followed | None: ...
