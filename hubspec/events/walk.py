"""Docker Hub events in execution order: every pull, login and logout a build runs.

Walks the build model's steps through the shell analysis (carrying shell state between
commands for version 0.2), classifies each simple command with the docker CLI model, and
resolves builds and compose runs to the images their Dockerfiles and compose files pull.
Files are read only through the context's reader.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.build.model import BuildModel, LazyOffsets, Step, build_model, value_offsets
from hubspec.docker import cli as docker_cli
from hubspec.docker.compose import COMPOSE_DEFAULT_FILES, compose_services
from hubspec.docker.dockerfile import DockerfilePull, dockerfile_pulls
from hubspec.docker.images import (
    HUB_DOMAINS,
    ImageRef,
    is_docker_hub,
    known_repository,
    parse_image,
)
from hubspec.load.document import Document
from hubspec.records import field, record
from hubspec.settings import Settings
from hubspec.shell import walk as shell

if TYPE_CHECKING:
    from collections.abc import Sequence

FileReader = Callable[[Path], "str | None"]
"""Reads a file the build uses (Dockerfile, compose file): its text, or None when unreadable."""

SOURCE_DIR_VARIABLE = "CODEBUILD_SRC_DIR"
SOURCE_DIR_MARK = "/codebuild/output/src"
MAX_REFERENCED_FILES = 64
MAX_ANALYSED_CHARACTERS = 1_000_000
UNKNOWN_CWD = "?"


@record
class Place:
    """Where an event happens: its step, and character offsets in the buildspec text."""

    step: Step
    start: int
    end: int
    user: str
    conditional: bool


@record
class PullSource:
    """Where an image reference is written, so a mirror fix can rewrite it.

    `kind` is "command" (the word at `span` in the buildspec), "dockerfile" or "compose"
    (line `line` of `path`); "implicit" when no file names it (buildx create's buildkit).
    """

    kind: str
    path: Path | None = None
    line: int = 0
    span: tuple[int, int] | None = None
    instruction: str = ""
    default_args: tuple[str, ...] = ()


@record
class Pull:
    """An image a command makes the Docker daemon fetch, and how it gets there."""

    place: Place
    image: ImageRef
    how: str
    hub: bool
    written: str
    source: PullSource = PullSource("implicit")
    platforms: int = 1


@record
class Login:
    """A `docker login`: which registry, and which variables carry the user and secret."""

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


def analyse_document(
    document: Document, source_root: Path, reader: FileReader, settings: Settings
) -> Analysis:
    model = build_model(document)
    walker = _Walker(document, source_root, reader, settings.mirrors, model)
    walker.run()
    return Analysis(model, walker.events, walker.assigned)


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
        self,
        document: Document,
        source_root: Path,
        reader: FileReader,
        mirrors: frozenset[str],
        model: BuildModel,
    ) -> None:
        self.document = document
        self.source_root = source_root
        self.reader = reader
        self.model = model
        self.events: list[Event] = []
        self.assigned: set[str] = set()
        self.local_images: dict[str, set[str | None]] = {}
        self.mirrors = mirrors
        self.files_followed = 0
        root = str(source_root)
        self.root_prefix = root if root.endswith(os.sep) else root + os.sep

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
                place = self._place(step, every, 0, 1, step.user, False)
                reason = (
                    f"the commands add up to more than {MAX_ANALYSED_CHARACTERS:,} characters"
                    " (repeated through aliases?); the rest is not analysed"
                )
                self.events.append(Unresolved(place, reason))
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
                _, message = result.errors[0]
                start = len(step.text) - len(step.text.lstrip())
                problem = (
                    f"the command nests shells deeper than hubspec follows ({message})"
                    if "deep" in message
                    else f"the command is not valid shell ({message})"
                )
                self.events.append(
                    Unresolved(
                        self._place(step, offsets, start, start + 1, step.user, False),
                        f"{problem}, so a docker pull in it may be missed",
                    )
                )
            if result.state is not state:
                state = result.state
                self.assigned |= (set(state.variables) | state.unknown) - known_at_start

    def _place(
        self, step: Step, offsets: Sequence[int], start: int, end: int, user: str, conditional: bool
    ) -> Place:
        last = len(offsets) - 1
        begin = offsets[min(max(start, 0), last)]
        finish = offsets[min(max(end - 1, 0), last)] + 1 if end > start else begin + 1
        return Place(step, begin, max(finish, begin + 1), user, conditional)

    def _command(self, step: Step, command: shell.SimpleCommand, offsets: Sequence[int]) -> None:
        argv = [word.value for word in command.words]
        used = docker_cli.docker_use(argv)
        if used is None or not used[1]:
            return
        found, events = used
        user = _identity(found, command, step.user)
        place = self._place(step, offsets, command.start, command.end, user, command.conditional)
        cwd = command.cwd
        for event in events:
            if isinstance(event, docker_cli.ImageUse):
                if not self._is_local(event.verb, event.image):
                    span = self._span(offsets, command.words[event.word])
                    source = PullSource("command", span=span, instruction=event.verb)
                    self._image(place, event.image, f"`{_shown(command)}`", source=source)
            elif isinstance(event, docker_cli.BuildUse):
                self._build(place, event, cwd, command)
                self._remember_tags(command, event.tags)
            elif isinstance(event, docker_cli.ComposeUse):
                self._compose(place, event, cwd, command)
            elif isinstance(event, docker_cli.LoginUse):
                self._login(place, event, command, step, offsets)
            elif isinstance(event, docker_cli.LogoutUse):
                hub, _ = docker_cli.is_hub_login_server(event.server)
                self.events.append(Logout(place, hub))
            elif event.operand and self._partial_image(
                place, command.words[event.word], command, offsets
            ):
                continue
            else:
                self.events.append(Unresolved(place, event.reason))

    def _remember_tags(self, command: shell.SimpleCommand, tag_words: tuple[int, ...]) -> None:
        """Images a build tags are local afterwards: `docker run` of them pulls nothing."""
        for index in tag_words:
            word = command.words[index]
            known = word.value is not None
            text = word.value if word.value is not None else _literal_prefix(word.raw)
            for option in ("--tag=", "-t"):
                if text.startswith(option) and text != option:
                    text = text[len(option) :]
            name = _name_and_tag(text, complete=known)
            if name is not None:
                self.local_images.setdefault(name[0], set()).add(name[1])

    def _is_local(self, verb: str, image: str, *, complete: bool = True) -> bool:
        """Whether `docker run/create` names an image an earlier build tagged (no pull)."""
        if verb.endswith(("pull", "--cache-from", "--build-context")):
            return False
        name = _name_and_tag(image, complete=complete)
        if name is None or name[0] not in self.local_images:
            return False
        tags = self.local_images[name[0]]
        return None in tags or name[1] is None or name[1] in tags

    def _partial_image(
        self, place: Place, word: shell.Word, command: shell.SimpleCommand, offsets: Sequence[int]
    ) -> bool:
        """`docker pull node:$TAG`: the tag is open but the repository, so the registry, is not."""
        if _registry_host_not_hub(word.raw):
            return True
        repository = known_repository(_literal_prefix(word.raw))
        if repository is None:
            return False
        verb = " ".join(w.value or "" for w in command.words[:2])
        if self._is_local(verb, _literal_prefix(word.raw), complete=False):
            return True
        self._image(
            place,
            repository,
            f"`{_shown(command)}`",
            written=word.raw.replace('"', "").replace("'", ""),
            source=PullSource("command", span=self._span(offsets, word), instruction=verb),
        )
        return True

    def _image(
        self,
        place: Place,
        text: str,
        how: str,
        written: str | None = None,
        source: PullSource | None = None,
        platforms: int = 1,
    ) -> None:
        ref = parse_image(text)
        if ref is None:
            if text.strip().lower() != "scratch":
                self.events.append(
                    Unresolved(place, f"'{text}' is not an image reference hubspec can read")
                )
            return
        if ref.path == "library/scratch" and ref.domain == "docker.io":
            return
        hub = is_docker_hub(ref, mirrors=self.mirrors)
        where = source or PullSource("implicit")
        self.events.append(Pull(place, ref, how, hub, written or ref.familiar, where, platforms))

    def _dockerfile_image(
        self, place: Place, pull: DockerfilePull, how: str, path: Path, platforms: int = 1
    ) -> None:
        written = None if pull.exact else f"{pull.image}:<unknown tag>"
        source = PullSource(
            "dockerfile", path, pull.line, None, pull.instruction, pull.default_args
        )
        self._image(place, pull.image, how, written=written, source=source, platforms=platforms)

    def _resolve(self, cwd: str, path: str) -> Path | None:
        """A path as the build sees it -> a path under the source root, or None if unknown."""
        if cwd == UNKNOWN_CWD:
            return None
        if path.startswith(SOURCE_DIR_MARK):
            path = "." + path[len(SOURCE_DIR_MARK) :]
        elif posixpath.isabs(path):
            return None
        if cwd.startswith(SOURCE_DIR_MARK):
            cwd = "." + cwd[len(SOURCE_DIR_MARK) :]
        elif posixpath.isabs(cwd):
            return None
        joined = posixpath.normpath(posixpath.join(cwd, path))
        if joined.startswith(".."):
            return None
        return self.source_root / joined

    def _read(self, path: Path, place: Place | None = None) -> str | None:
        if self.files_followed >= MAX_REFERENCED_FILES:
            if place is not None:
                self.events.append(
                    Unresolved(
                        place,
                        f"more than {MAX_REFERENCED_FILES} Dockerfiles and compose files are"
                        f" referenced; {self._relative(path)} is not followed",
                    )
                )
            return None
        self.files_followed += 1
        return self.reader(path)

    def _relative(self, path: Path) -> str:
        """`path` as the build names it: relative to the source root when under it.

        Path.relative_to, by strings: it is lexical too, and costs more than the read.
        """
        text = str(path)
        if text.startswith(self.root_prefix):
            return text[len(self.root_prefix) :].replace(os.sep, "/") or "."
        return "." if text == self.root_prefix.rstrip(os.sep) else path.as_posix()

    def _build(
        self, place: Place, use: docker_cli.BuildUse, cwd: str, command: shell.SimpleCommand
    ) -> None:
        if use.unresolved:
            self.events.append(Unresolved(place, use.unresolved))
            return
        if (
            use.context is None
            or use.dockerfile == "-"
            or (use.dockerfile is None and use.context == "-")
        ):
            self.events.append(
                Unresolved(
                    place, "the Dockerfile comes from stdin, so its FROM lines cannot be read"
                )
            )
            return
        if "://" in use.context or use.context.startswith("git@"):
            self.events.append(
                Unresolved(
                    place,
                    f"the build context {use.context} is remote, so its Dockerfile cannot be read",
                )
            )
            return
        written = use.dockerfile or posixpath.join(use.context, "Dockerfile")
        path = self._resolve(cwd, written)
        if path is None:
            self.events.append(
                Unresolved(
                    place,
                    f"the Dockerfile {written} is outside the source or in an unknown directory",
                )
            )
            return
        text = self._read(path, place)
        shown = self._relative(path)
        if text is None:
            self.events.append(
                Unresolved(
                    place,
                    f"the Dockerfile {shown} was not found, so its FROM lines cannot be checked",
                )
            )
            return
        pulls, problems = dockerfile_pulls(
            text, dict(use.build_args), use.target, named_contexts=use.named_contexts
        )
        built_by = f"built by `{_shown(command)}`"
        for pull in pulls:
            how = _dockerfile_how(pull, shown, built_by)
            self._dockerfile_image(place, pull, how, path, max(1, len(use.platforms)))
        for problem in problems:
            self.events.append(
                Unresolved(place, f"{shown}, line {problem.line}: {problem.message}")
            )

    def _compose(
        self, place: Place, use: docker_cli.ComposeUse, cwd: str, command: shell.SimpleCommand
    ) -> None:
        if use.unresolved:
            self.events.append(Unresolved(place, use.unresolved))
            return
        base = use.project_directory or "."
        names = list(use.files) or [posixpath.join(base, name) for name in COMPOSE_DEFAULT_FILES]
        found_any = False
        for written in names:
            path = self._resolve(cwd, written)
            text = self._read(path, place) if path is not None else None
            if text is None:
                if use.files:
                    self.events.append(
                        Unresolved(place, f"the compose file {written} was not found")
                    )
                continue
            found_any = True
            self._compose_file(place, use, path, text, command)  # type: ignore[arg-type]
            if not use.files:
                break
        if not found_any and not use.files:
            self.events.append(
                Unresolved(
                    place, "no compose file (compose.yaml, docker-compose.yml, ...) was found"
                )
            )

    def _compose_file(
        self,
        place: Place,
        use: docker_cli.ComposeUse,
        path: Path,
        text: str,
        command: shell.SimpleCommand,
    ) -> None:
        shown = self._relative(path)
        services, problems = compose_services(text, {})
        verb = use.verb.rsplit(" ", 1)[-1]
        for service in services:
            if use.services and service.name not in use.services:
                continue
            if service.build_context is not None:
                if verb == "pull":
                    continue
                folder = path.parent / service.build_context
                dockerfile = folder / (service.build_dockerfile or "Dockerfile")
                text_df = self._read(dockerfile, place)
                if text_df is None:
                    self.events.append(
                        Unresolved(
                            place,
                            f"the Dockerfile of service {service.name} in {shown} was not found",
                        )
                    )
                    continue
                pulls, issues = dockerfile_pulls(text_df, dict(service.build_args))
                built_by = f"service {service.name} of {shown}, built by `{_shown(command)}`"
                for pull in pulls:
                    how = _dockerfile_how(pull, self._relative(dockerfile), built_by)
                    self._dockerfile_image(place, pull, how, dockerfile)
                for issue in issues:
                    self.events.append(
                        Unresolved(
                            place,
                            f"{self._relative(dockerfile)}, line {issue.line}: {issue.message}",
                        )
                    )
            elif service.image is not None and verb != "build":
                self._image(
                    place,
                    service.image,
                    f"image of service {service.name} in {shown}, line {service.image_line}, pulled by `{_shown(command)}`",
                    source=PullSource("compose", path, service.image_line or 0, None, "image"),
                )
        for problem in problems:
            self.events.append(
                Unresolved(place, f"{shown}, line {problem.line}: {problem.message}")
            )

    def _login(
        self,
        place: Place,
        use: docker_cli.LoginUse,
        command: shell.SimpleCommand,
        step: Step,
        offsets: Sequence[int],
    ) -> None:
        words = command.words
        server = use.server
        if use.unresolved:
            # A login to a server hubspec cannot name (`$ACCOUNT.dkr.ecr...`) is not taken
            # as a Docker Hub login unless its written form says docker.io.
            raw = words[use.server_word].raw if use.server_word is not None else ""
            if "docker.io" not in raw:
                return
            server = raw
        hub, canonical = docker_cli.is_hub_login_server(server)
        username_vars = words[use.username_word].variables if use.username_word is not None else ()
        password_vars: tuple[str, ...] = ()
        password_span = None
        if use.password_word is not None:
            word = words[use.password_word]
            password_vars = word.variables
            password_span = self._span(offsets, word)
        elif use.password_stdin and _echoes(command.pipe_input):
            assert command.pipe_input is not None
            password_vars = tuple(
                name for word in command.pipe_input.words[1:] for name in word.variables
            )
        server_span = (
            self._span(offsets, words[use.server_word]) if use.server_word is not None else None
        )
        self.events.append(
            Login(
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
        )

    def _span(self, offsets: Sequence[int], word: shell.Word) -> tuple[int, int]:
        last = len(offsets) - 1
        start = offsets[min(word.start, last)]
        end = offsets[min(max(word.end - 1, 0), last)] + 1
        return start, max(end, start + 1)


def _dockerfile_how(pull: DockerfilePull, shown: str, built_by: str) -> str:
    written = (
        f"# syntax={pull.image}"
        if pull.instruction.startswith("#")
        else f"{pull.instruction} {pull.image}"
    )
    return f"{written} in {shown}, line {pull.line}, {built_by}"


def _name_and_tag(text: str, *, complete: bool) -> tuple[str, str | None] | None:
    """(normalised repository, tag) of an image text; the tag is None when not known.

    With `complete` False the text is only a known prefix (`myapp:` of `myapp:$TAG`).
    """
    slash = text.rfind("/")
    colon = text.find(":", slash + 1)
    name = (text[:colon] if colon != -1 else text).split("@", 1)[0]
    if not name or "$" in name or (not complete and colon == -1):
        return None
    ref = parse_image(name)
    if ref is None:
        return None
    tag: str | None = None
    if complete:
        tag = (text[colon + 1 :].split("@", 1)[0] if colon != -1 else "") or "latest"
    return f"{ref.domain}/{ref.path}", tag


def _registry_host_not_hub(raw: str) -> bool:
    """`$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/app`: a host that is plainly not Docker Hub.

    The first path component is a registry host when it holds a `.` or `:` (even around
    variables); only the Docker Hub host names make it Hub.
    """
    text = raw.replace('"', "").replace("'", "")
    if "/" not in text:
        return False
    host = text.split("/", 1)[0]
    literal = re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "", host)
    if not any(mark in literal for mark in ".:") or "docker.io" in host:
        return False
    return not any(host.endswith(hub) for hub in HUB_DOMAINS)


def _identity(found: docker_cli.Invocation, command: shell.SimpleCommand, default_user: str) -> str:
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


def _echoes(command: shell.SimpleCommand | None) -> bool:
    """Whether a pipeline's input is a variable printed by echo/printf (not `aws ... get-secret`)."""
    if command is None or not command.words:
        return False
    return command.words[0].value in ("echo", "printf")


def _literal_prefix(raw: str) -> str:
    """The text of a shell word up to its first expansion, quotes removed."""
    prefix = []
    for char in raw:
        if char in "$`":
            break
        if char not in "'\"":
            prefix.append(char)
    return "".join(prefix)


def _shown(command: shell.SimpleCommand) -> str:
    text = " ".join(word.raw for word in command.words)
    return text if len(text) <= 80 else text[:77] + "..."


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
