"""One docker command -> its events: image uses, builds, compose runs, logins and logouts."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hubspec.docker import cli as docker_cli
from hubspec.events.expand import Expander
from hubspec.events.login import SpanOf, login_event
from hubspec.events.model import Logout, Place, PullSource
from hubspec.records import replace
from hubspec.shell.state import ShellState, SimpleCommand, Word

SourceOf = Callable[[Word, str], PullSource]
"""Where an image word of the command is written (given the docker verb that uses it)."""


def docker_command(
    place: Place,
    command: SimpleCommand,
    uses: list[docker_cli.DockerEvent],
    expander: Expander,
    span_of: SpanOf,
    source_of: SourceOf,
    written_in: str = "",
    state: Callable[[], ShellState] | None = None,
) -> None:
    """Record the events of one docker command, run at `place`, in the order it has them.

    `written_in` names the file and line of a command in a followed file (a script);
    `state` gives the shell state where it runs, for what the environment decides.
    """
    images = expander.images
    shown = shown_command(command)
    how = f"`{shown}` in {written_in}" if written_in else f"`{shown}`"
    for use in uses:
        if isinstance(use, docker_cli.ImageUse):
            if not images.is_local(use.source, use.image):
                source = source_of(command.words[use.word], use.verb)
                images.image(place, use.image, how, source=source)
        elif isinstance(use, docker_cli.BuildUse):
            if any(value is None for _, value in use.build_args):
                use = _from_environment(use, command_environment(command, state))
            expander.build(place, use, command.cwd, shown)
            images.remember_tags(command.words, use.tags)
        elif isinstance(use, docker_cli.ComposeUse):
            expander.compose(place, use, command.cwd, shown, command_environment(command, state))
        elif isinstance(use, docker_cli.LoginUse):
            login = login_event(place, use, command, span_of)
            if login is not None:
                images.events.append(login)
        elif isinstance(use, docker_cli.LogoutUse):
            hub, _ = docker_cli.is_hub_login_server(use.server)
            images.events.append(Logout(place, hub))
        elif not (use.operand and _partial(place, command, use, how, expander, source_of)):
            images.unresolved(place, use.reason)


def _partial(
    place: Place,
    command: SimpleCommand,
    use: docker_cli.Unresolved,
    how: str,
    expander: Expander,
    source_of: SourceOf,
) -> bool:
    """An image operand only partly known (`node:$TAG`): a pull when its repository is known."""
    word = command.words[use.word]
    verb = " ".join(w.value or "" for w in command.words[:2])
    source = source_of(word, verb)
    return expander.images.partial_image(place, word, use.source, how, source)


def command_environment(
    command: SimpleCommand, state: Callable[[], ShellState] | None
) -> dict[str, str | None]:
    """The environment a docker command runs in (None: set, value not known): the shell's
    variables, then the command's own assignments. The shell analysis does not track
    `export`, and CodeBuild's `env` variables are exported, so every variable counts."""
    environment: dict[str, str | None] = {}
    if state is not None:
        known = state()
        environment.update(dict.fromkeys(known.unknown))
        environment.update(known.variables)
    environment.update(command.assignments)
    return environment


def _from_environment(
    use: docker_cli.BuildUse, environment: Mapping[str, str | None]
) -> docker_cli.BuildUse:
    """`--build-arg NAME` takes NAME's value from the environment: known there, it is known
    here; a name the build does not set stays unknown (the project may set it)."""
    build_args = tuple(
        (name, value if value is not None else environment.get(name))
        for name, value in use.build_args
    )
    return replace(use, build_args=build_args)


def names_docker(command: SimpleCommand) -> bool:
    """The cheap test the walk makes before `docker_uses`: most commands have no word naming
    a docker program."""
    mark = docker_cli.PROGRAM_MARK
    for word in command.words:
        value = word.value
        if value is not None and mark in value:
            return True
    return False


def docker_uses(
    command: SimpleCommand,
) -> tuple[docker_cli.Invocation, list[docker_cli.DockerEvent]] | None:
    """The docker CLI a command runs and its uses; None when it runs no docker program."""
    return docker_cli.docker_use([word.value for word in command.words])


def identity(found: docker_cli.Invocation, command: SimpleCommand, default_user: str) -> str:
    """Whose Docker credentials a command uses: its user, and a non-default config directory.

    `docker --config DIR` and `DOCKER_CONFIG=DIR` read and write credentials elsewhere, so a
    login there does not serve pulls with the default config, and the other way round.
    """
    user = found.user or default_user
    config = found.config
    for name, value in command.assignments:
        if name == "DOCKER_CONFIG":
            config = value if value is not None else "?"
    return f"{user} (docker config {config})" if config else user


def shown_command(command: SimpleCommand, redirection: str = "", *, piped: bool = False) -> str:
    """The command as a message shows it: its words as written (after the pipeline's stages
    before it when `piped`, and a redirection), cut at 80 characters."""
    stages = [command]
    while piped and stages[-1].pipe_input is not None:
        stages.append(stages[-1].pipe_input)
    text = " | ".join(" ".join(word.raw for word in stage.words) for stage in reversed(stages))
    text += redirection
    return text if len(text) <= 80 else text[:77] + "..."
