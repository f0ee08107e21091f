"""`docker build` and `docker compose` -> the images their Dockerfiles and compose files pull.

A build's Dockerfile and a compose service's Dockerfile go the same way: resolved and read
through the resolver, parsed by the docker package, each FROM a pull at the command.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from hubspec.docker import cli as docker_cli
from hubspec.docker.compose import (
    COMPOSE_DEFAULT_FILES,
    COMPOSE_OVERRIDE_FILES,
    ComposeService,
    active_profiles,
    defines_nothing,
    enabled,
    with_dependencies,
)
from hubspec.docker.dockerfile import DockerfilePull, dockerfile_pulls
from hubspec.docker.dotenv import read_dotenv
from hubspec.events.compose_run import ComposeProject
from hubspec.events.images import ImageEvents
from hubspec.events.model import Place, PullSource, SourceKind
from hubspec.events.resolve import MAX_REFERENCED_FILES, OUTSIDE, UNKNOWN_CWD, Opened, Resolver
from hubspec.records import record


@record
class _Dockerfile:
    """One Dockerfile to expand, and how messages name it and the command that builds it."""

    written: str
    path: Path | None
    label: str  # "the Dockerfile x" / "the Dockerfile of service s in y"
    tail: str  # what an unreadable file means, appended to the reason
    built_by: str
    build_args: dict[str, str | None]
    target: str | None = None
    named_contexts: tuple[str, ...] = ()
    platforms: int = 1


class Expander:
    """Follows builds and compose runs into the files they read."""

    def __init__(self, images: ImageEvents, resolver: Resolver) -> None:
        self.images = images
        self.resolver = resolver

    def open(self, place: Place, path: Path) -> Opened | str | None:
        """The file, or why not; None when over the budget (already reported)."""
        if self.resolver.over_budget():
            self.images.unresolved(
                place,
                f"more than {MAX_REFERENCED_FILES} Dockerfiles and compose files are"
                f" referenced; {self.resolver.shown(path)} is not followed",
            )
            return None
        return self.resolver.open(path)

    def build(self, place: Place, use: docker_cli.BuildUse, cwd: str, shown: str) -> None:
        if use.unresolved:
            self.images.unresolved(place, use.unresolved)
            return
        if (
            use.context is None
            or use.dockerfile == "-"
            or (use.dockerfile is None and use.context == "-")
        ):
            reason = "the Dockerfile comes from stdin, so its FROM lines cannot be read"
            self.images.unresolved(place, reason)
            return
        if "://" in use.context or use.context.startswith("git@"):
            reason = f"the build context {use.context} is remote, so its Dockerfile cannot be read"
            self.images.unresolved(place, reason)
            return
        written = use.dockerfile or posixpath.join(use.context, "Dockerfile")
        path = self.resolver.locate(cwd, written)
        label = f"the Dockerfile {self.resolver.shown(path) if path else written}"
        dockerfile = _Dockerfile(
            written,
            path,
            label,
            ", so its FROM lines cannot be checked",
            f"built by `{shown}`",
            dict(use.build_args),
            use.target,
            use.named_contexts,
            max(1, len(use.platforms)),
        )
        self._dockerfile(place, dockerfile)

    def compose(
        self,
        place: Place,
        use: docker_cli.ComposeUse,
        cwd: str,
        shown: str,
        environment: Mapping[str, str | None] | None = None,
    ) -> None:
        """The pulls of a compose command: from its `-f` files, else those `$COMPOSE_FILE`
        lists (or why they are not known), else the file compose finds itself; `${NAME}` in
        them is interpolated from `environment` (None: set, value unknown), then from its env
        files (`--env-file`, else the project directory's `.env`), as compose does."""
        if use.unresolved:
            self.images.unresolved(place, use.unresolved)
            return
        known = dict(environment or {})
        problem = self._env_files(place, use, cwd, known)
        listed = compose_file_variable(known) if not use.files and problem is None else None
        if problem is not None or isinstance(listed, str):
            self.images.unresolved(place, str(problem or listed))
            return
        given = list(use.files or listed or ())
        names = given or _default_compose_files(cwd, use.project_directory)
        files: list[Opened] = []
        for written in names:
            path = self.resolver.locate(cwd, written)
            opened = self.open(place, path) if path is not None else None
            if not isinstance(opened, Opened):
                if given:
                    self.images.unresolved(place, f"the compose file {written} was not found")
                continue
            files.append(opened)
            if not given:
                files.extend(self._override(place, cwd, written))
                break
        if not files:
            if not given:
                reason = "no compose file (compose.yaml, docker-compose.yml, ...) was found"
                self.images.unresolved(place, reason)
            return
        # every file's relative paths are from the project directory: the first file's
        # folder unless --project-directory says otherwise
        base = self._project_directory(use, cwd) or posixpath.dirname(files[0].shown) or "."
        self._compose_files(place, use, files, shown, known, base)

    def _env_files(
        self, place: Place, use: docker_cli.ComposeUse, cwd: str, known: dict[str, str | None]
    ) -> str | None:
        """Add what compose's env files set to `known` (the environment wins); why the
        command's env files are not known, if so. `--env-file` names files that must exist;
        else `.env` in the project directory (`--project-directory`, else the first `-f`
        file's folder, else the working directory) is read when it is there."""
        if use.env_files:
            wanted = [(written, True) for written in use.env_files]
        else:
            folder = use.project_directory or (posixpath.dirname(use.files[0]) if use.files else "")
            wanted = [(posixpath.join(folder, ".env"), False)]
        for written, required in wanted:
            path = self.resolver.locate(cwd, written)
            if path is None:
                if required:
                    return f"the env file {written} {OUTSIDE}"
                continue
            opened = self.open(place, path)
            if isinstance(opened, Opened):
                values, problem = read_dotenv(opened.text, known)
                if problem is not None:
                    line, message = problem
                    return f"the env file {opened.shown}, line {line}: {message}"
                for name, value in values.items():
                    known.setdefault(name, value)
            elif opened is not None and (required or path in self.resolver.made):
                return f"the env file {self.resolver.shown(path)} {opened}"
        return None

    def _override(self, place: Place, cwd: str, found: str) -> list[Opened]:
        """The override file compose reads beside the default file it found, if any."""
        folder = posixpath.dirname(found)
        for name in COMPOSE_OVERRIDE_FILES:
            path = self.resolver.locate(cwd, posixpath.join(folder, name))
            opened = self.open(place, path) if path is not None else None
            if isinstance(opened, Opened):
                return [opened]
        return []

    def _project_directory(self, use: docker_cli.ComposeUse, cwd: str) -> str | None:
        """`--project-directory` as the source root names it; None when not given (or not
        under the source root: the compose files' folders are used then)."""
        if use.project_directory is None:
            return None
        path = self.resolver.locate(cwd, use.project_directory)
        return self.resolver.shown(path) if path is not None else None

    def _compose_files(
        self,
        place: Place,
        use: docker_cli.ComposeUse,
        files: list[Opened],
        shown: str,
        environment: Mapping[str, str | None],
        folder: str,
    ) -> None:
        """The pulls of the services the files define together (a later file's service
        merges into an earlier one of the same name); relative paths are from `folder`."""
        project = ComposeProject(
            self.resolver,
            partial(self.open, place),
            partial(self.images.unresolved, place),
            environment,
        )
        merged = project.services(files, folder)
        verb = use.verb.rsplit(" ", 1)[-1]
        wanted = use.services
        if wanted and use.with_dependencies:
            wanted = with_dependencies(
                wanted, {name: found.service for name, found in merged.items()}
            )
        active = active_profiles(use.profiles, environment.get(COMPOSE_PROFILES, ""))
        for placed in merged.values():
            service, image_file, build_file = placed.service, placed.image_file, placed.build_file
            if wanted and service.name not in wanted:
                continue
            if not wanted and not enabled(service, active):
                continue  # a service of a profile this command does not activate
            if defines_nothing(service) and service.extends_line is None:
                self.images.unresolved(
                    place,
                    f"{image_file.shown}, line {service.line}: service {service.name!r} has"
                    " neither an image nor a build section",
                )
                continue
            if service.build_context is not None:
                if verb == "pull":
                    continue
                written = posixpath.join(
                    service.build_context, service.build_dockerfile or "Dockerfile"
                )
                dockerfile = _Dockerfile(
                    written,
                    self.resolver.locate(placed.build_base, written),
                    f"the Dockerfile of service {service.name} in {build_file.shown}",
                    "",
                    f"service {service.name} of {build_file.shown}, built by `{shown}`",
                    dict(service.build_args),
                )
                self._dockerfile(place, dockerfile)
            elif service.image is not None and verb != "build" and not _never_pulled(use, service):
                line = service.image_line or 0
                self.images.image(
                    place,
                    service.image,
                    f"image of service {service.name} in {image_file.shown}, line {line},"
                    f" pulled by `{shown}`",
                    source=PullSource(SourceKind.COMPOSE, image_file.path, line, None, "image"),
                )

    def _dockerfile(self, place: Place, job: _Dockerfile) -> None:
        """Every image a Dockerfile pulls, as pulls at the command that builds it."""
        if job.path is None:
            reason = f"{job.label} {OUTSIDE}"
            self.images.unresolved(place, reason)
            return
        opened = self.open(place, job.path)
        if opened is None:
            return
        if isinstance(opened, str):
            self.images.unresolved(place, f"{job.label} {opened}{job.tail}")
            return
        pulls, problems = dockerfile_pulls(
            opened.text, job.build_args, job.target, named_contexts=job.named_contexts
        )
        for pull in pulls:
            how = f"{_written(pull)} in {opened.shown}, line {pull.line}, {job.built_by}"
            source = PullSource(
                SourceKind.DOCKERFILE,
                opened.path,
                pull.line,
                None,
                pull.instruction,
                pull.default_args,
            )
            self.images.dockerfile_image(place, pull, how, source, job.platforms)
        for problem in problems:
            self.images.unresolved(place, f"{opened.shown}, line {problem.line}: {problem.message}")


COMPOSE_FILE = "COMPOSE_FILE"
COMPOSE_PATH_SEPARATOR = "COMPOSE_PATH_SEPARATOR"
COMPOSE_PROFILES = "COMPOSE_PROFILES"


def compose_file_variable(environment: Mapping[str, str | None]) -> tuple[str, ...] | str | None:
    """The compose files `COMPOSE_FILE` lists for a command without `-f`: None when it is not
    set, else the files (split at `COMPOSE_PATH_SEPARATOR`), or why they are not known."""
    if COMPOSE_FILE not in environment:
        return None
    listed = environment[COMPOSE_FILE]
    separator = environment.get(COMPOSE_PATH_SEPARATOR, ":")
    if listed is None or separator is None:
        return f"the compose files ${COMPOSE_FILE} lists are not known statically"
    files = tuple(name for name in listed.split(separator or ":") if name)
    return files or None


def _never_pulled(use: docker_cli.ComposeUse, service: ComposeService) -> bool:
    """A pull policy of `never` or `build` (the command's `--pull`/`--policy`, else the
    service's `pull_policy`): compose skips the service's pull (docker/compose `pull.go`)."""
    return (use.pull_policy or service.pull_policy) in ("never", "build")


def _written(pull: DockerfilePull) -> str:
    if pull.instruction.startswith("#"):
        return f"# syntax={pull.image}"
    return f"{pull.instruction} {pull.image}"


def _default_compose_files(cwd: str, project_directory: str | None) -> list[str]:
    """Where `docker compose` without `-f` looks, in order: the default names in its working
    directory (`--project-directory`, else the command's), then in each folder above it up to
    the source root, as compose does (above the root is not the repository's)."""
    start = project_directory or "."
    depth = 0
    if cwd != UNKNOWN_CWD and not cwd.startswith("/") and not start.startswith("/"):
        folder = posixpath.normpath(posixpath.join(cwd, start))
        depth = 0 if folder == "." or folder.startswith("..") else folder.count("/") + 1
    return [
        posixpath.normpath(posixpath.join(start, *([".."] * up), name))
        for up in range(depth + 1)
        for name in COMPOSE_DEFAULT_FILES
    ]
