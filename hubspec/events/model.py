"""What the events walk hands on: pulls, logins, logouts and what it could not follow."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

from hubspec.build.model import BuildModel, Step
from hubspec.docker.images import ImageRef
from hubspec.records import field, record

FileReader = Callable[[Path], "str | None"]
"""Reads a file the build uses (Dockerfile, compose file, script): its text, or None."""


class SourceKind(enum.Enum):
    """Where an image reference is written, which decides how a mirror fix can rewrite it."""

    COMMAND = "command"  # a word of a buildspec command (`span`)
    DOCKERFILE = "dockerfile"  # a FROM/COPY --from/# syntax line of a Dockerfile (`path`, `line`)
    COMPOSE = "compose"  # a service's `image:` line of a compose file (`path`, `line`)
    SCRIPT = "script"  # a word of a script the buildspec runs (`path`, `line`): never edited
    IMPLICIT = "implicit"  # written nowhere (buildx create's buildkit image)


@record
class Place:
    """Where an event happens: its step, and character offsets in the buildspec text."""

    step: Step
    start: int
    end: int
    user: str
    conditional: bool
    via: tuple[str, ...] = ()
    """For an event in a file the command runs (a script): `file, line N`, outermost first."""

    def note(self) -> tuple[str, ...]:
        """A finding's note naming the script line the event is written at, if any."""
        if not self.via:
            return ()
        chain = ", run from ".join(reversed(self.via))
        return (f"written in {chain}, which this command runs",)


@record
class PullSource:
    """Where an image reference is written, so a mirror fix can rewrite it."""

    kind: SourceKind
    path: Path | None = None
    line: int = 0
    span: tuple[int, int] | None = None
    instruction: str = ""
    default_args: tuple[str, ...] = ()


IMPLICIT = PullSource(SourceKind.IMPLICIT)


@record
class Pull:
    """An image a command makes the Docker daemon fetch, and how it gets there."""

    place: Place
    image: ImageRef
    how: str
    hub: bool
    written: str
    source: PullSource = IMPLICIT
    platforms: int = 1


@record
class Login:
    """A `docker login`: which registry, and which variables carry the user and secret.

    Spans are None for a login inside a script the buildspec runs (nothing there is edited).
    """

    place: Place
    server: str | None
    hub: bool
    canonical: bool
    server_span: tuple[int, int] | None
    username_variables: tuple[str, ...]
    password_variables: tuple[str, ...]
    password_span: tuple[int, int] | None
    password_stdin: bool


@record
class Logout:
    place: Place
    hub: bool


@record
class Unresolved:
    """Something that may pull from Docker Hub but cannot be followed statically."""

    place: Place
    reason: str


Event = Pull | Login | Logout | Unresolved


@record(frozen=False)
class Analysis:
    """The build model and its events, in the order the build runs them."""

    model: BuildModel
    events: list[Event] = field(default_factory=list)
    assigned: set[str] = field(default_factory=set)
    batch_buildspecs: list[Path] = field(default_factory=list)
    """The other buildspec files this one's batch runs, found under the source root."""
    unread_batch_buildspecs: list[tuple[int, int, str]] = field(default_factory=list)
    """(start, end, why) of each `buildspec:` of the batch that names no file hubspec reads."""


def with_login_state(events: list[Event]) -> list[tuple[Event, bool]]:
    """Each event with whether a Docker Hub login is in effect for its user when it runs.

    A login counts from the command after it on (a login inside a conditional counts: the
    build usually takes that branch); a logout of Docker Hub ends it; users are separate
    because each has its own $HOME/.docker/config.json.
    """
    logged_in: set[str] = set()
    annotated: list[tuple[Event, bool]] = []
    for event in events:
        annotated.append((event, event.place.user in logged_in))
        if isinstance(event, Login) and event.hub:
            logged_in.add(event.place.user)
        elif isinstance(event, Logout) and event.hub:
            logged_in.discard(event.place.user)
    return annotated
