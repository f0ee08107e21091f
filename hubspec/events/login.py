"""`docker login` -> a Login event: the registry, and where the user and secret come from."""

from __future__ import annotations

from collections.abc import Callable

from hubspec.docker import cli as docker_cli
from hubspec.events.model import Login, Place
from hubspec.shell.state import SimpleCommand, Word

SpanOf = Callable[[Word], "tuple[int, int] | None"]
"""A word's span in the buildspec text; None when the word is not in it (a script's)."""


def login_event(
    place: Place, use: docker_cli.LoginUse, command: SimpleCommand, span_of: SpanOf
) -> Login | None:
    """The login, or None for a login to a registry hubspec cannot name (not Docker Hub)."""
    words = command.words
    server = use.server
    if use.unresolved:
        # A login to a server hubspec cannot name (`$ACCOUNT.dkr.ecr...`) is not taken
        # as a Docker Hub login unless its written form says docker.io.
        raw = words[use.server_word].raw if use.server_word is not None else ""
        if "docker.io" not in raw:
            return None
        server = raw
    hub, canonical = docker_cli.is_hub_login_server(server)
    username_vars = words[use.username_word].variables if use.username_word is not None else ()
    password_vars: tuple[str, ...] = ()
    password_span = None
    if use.password_word is not None:
        word = words[use.password_word]
        password_vars = word.variables
        password_span = span_of(word)
    elif use.password_stdin and command.pipe_input is not None and _echoes(command.pipe_input):
        password_vars = tuple(
            name for word in command.pipe_input.words[1:] for name in word.variables
        )
    server_span = span_of(words[use.server_word]) if use.server_word is not None else None
    return Login(
        place=place,
        server=server,
        hub=hub,
        canonical=canonical,
        server_span=server_span,
        username_variables=username_vars,
        password_variables=password_vars,
        password_span=password_span,
        password_stdin=use.password_stdin,
    )


def _echoes(command: SimpleCommand) -> bool:
    """Whether a pipeline's input is a variable printed by echo/printf (not `aws ... get-secret`)."""
    return bool(command.words) and command.words[0].value in ("echo", "printf")
