"""The docker CLI as data: which words of an argv are images, builds, logins.

Input is one simple command already split by the shell analyser; a `None` word is one whose
value could not be known statically. Option tables follow docker/cli, buildx and compose
(pflag rules: `--opt value`, `--opt=value`, `-abc` clusters, `-ovalue`, `-o=value`, `--`), so
that the image operand is found exactly where docker would find it. When an unknown word or an
unknown option makes that impossible, the answer is an `Unresolved` event, never a guess.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from hubspec.records import record
from hubspec.shell.options import FALSE as _FALSE
from hubspec.shell.options import Option as _Option
from hubspec.shell.options import OptionTable
from hubspec.shell.options import Parsed as _Parsed
from hubspec.shell.options import parse as _parse
from hubspec.shell.options import table as _table
from hubspec.shell.wrappers import UNKNOWN, unwrap

# --------------------------------------------------------------------------------------------
# Events


class ImageSource(enum.Enum):
    """Where the daemon looks for an image a command names."""

    REGISTRY = "registry"  # always fetched: pull, --cache-from, --build-context, manifests
    LOCAL_FIRST = "local-first"  # run/create use a local image (one built earlier) as it is


@record
class ImageUse:
    """A direct image operand: `docker pull X`, `docker run X`, `buildx create` images."""

    image: str
    word: int
    verb: str
    source: ImageSource = ImageSource.REGISTRY


@record
class BuildUse:
    """`docker build` and its aliases: where the Dockerfile is and what it is built with.

    `context` "-" means stdin; `dockerfile` None means `<context>/Dockerfile`, "-" stdin.
    `build_args` NAME alone (value from the environment) has value None. `build_args_complete`
    is False when a `--build-arg` word, or a word that may hold options (`$BUILD_FLAGS`), was
    not known: Dockerfile ARG defaults may then be overridden unseen. `named_contexts` are the
    `--build-context` names (pass them to `dockerfile_pulls`).
    """

    context: str | None
    dockerfile: str | None
    build_args: tuple[tuple[str, str | None], ...]
    platforms: tuple[str, ...]
    word: int
    verb: str
    unresolved: str | None
    target: str | None = None
    named_contexts: tuple[str, ...] = ()
    build_args_complete: bool = True
    tags: tuple[int, ...] = ()  # argv indexes of the -t/--tag words (the image names built)


@record
class ComposeUse:
    """`docker compose` / `docker-compose` with a subcommand that pulls or builds.

    `services` empty means all (a service word that is not known also counts as all). For
    `up`, `run` and `create` the named services start their dependencies too. `pull_policy` is
    `--pull` of up/run/create, `--policy` of pull, or "always" for `build --pull`.
    """

    files: tuple[str, ...]
    project_directory: str | None
    services: tuple[str, ...]
    word: int
    verb: str
    unresolved: str | None
    profiles: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    pull_policy: str | None = None
    build_args: tuple[tuple[str, str | None], ...] = ()
    ignore_buildable: bool = False
    with_dependencies: bool = False
    """The named services' dependencies run too: `up`, `run` and `create` unless `--no-deps`,
    `pull --include-deps`, `build --with-dependencies`."""


@record
class LoginUse:
    """`docker login`. `server` None is Docker Hub, unless `unresolved` says it is unknown."""

    server: str | None
    server_word: int | None
    username_word: int | None
    password_word: int | None
    password_stdin: bool
    word: int
    unresolved: str | None


@record
class LogoutUse:
    """`docker logout`; `server` None is Docker Hub."""

    server: str | None
    word: int


@record
class Unresolved:
    """A docker command whose pulls or login cannot be known statically, and why."""

    reason: str
    word: int
    operand: bool = False
    source: ImageSource = ImageSource.REGISTRY
    """For an operand: where the image it names would be looked for."""


DockerEvent = ImageUse | BuildUse | ComposeUse | LoginUse | LogoutUse | Unresolved

# --------------------------------------------------------------------------------------------
# Option tables


HELP_ONLY = _table(flags=("h/help",))

DOCKER_GLOBAL_OPTIONS = _table(
    values=("config", "c/context", "H/host", "l/log-level", "tlscacert", "tlscert", "tlskey"),
    flags=("D/debug", "tls", "tlsverify", "v/version", "h/help"),
)

CONTAINER_RUN_OPTIONS = _table(
    values=(
        "add-host", "annotation", "a/attach", "blkio-weight", "blkio-weight-device", "cap-add",
        "cap-drop", "cgroup-parent", "cgroupns", "cidfile", "cpu-count", "cpu-percent",
        "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime", "c/cpu-shares", "cpus",
        "cpuset-cpus", "cpuset-mems", "credentialspec", "detach-keys", "device",
        "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps",
        "device-write-iops", "dns", "dns-opt", "dns-option", "dns-search", "domainname",
        "entrypoint", "e/env", "env-file", "expose", "gpus", "group-add", "health-cmd",
        "health-interval", "health-retries", "health-start-interval", "health-start-period",
        "health-timeout", "h/hostname", "io-maxbandwidth", "io-maxiops", "ip", "ip6", "ipc",
        "isolation", "kernel-memory", "l/label", "label-file", "link", "link-local-ip",
        "log-driver", "log-opt", "mac-address", "m/memory", "memory-reservation", "memory-swap",
        "memory-swappiness", "mount", "name", "net", "net-alias", "network", "network-alias",
        "oom-score-adj", "pid", "pids-limit", "platform", "p/publish", "pull", "restart",
        "runtime", "security-opt", "shm-size", "stop-signal", "stop-timeout", "storage-opt",
        "sysctl", "tmpfs", "ulimit", "u/user", "userns", "uts", "v/volume", "volume-driver",
        "volumes-from", "w/workdir",
    ),
    flags=(
        "d/detach", "disable-content-trust", "help", "init", "i/interactive", "no-healthcheck",
        "oom-kill-disable", "privileged", "P/publish-all", "q/quiet", "read-only", "rm",
        "sig-proxy", "t/tty", "use-api-socket",
    ),
)  # fmt: skip
"""`docker run` and `docker create` (a superset of both; run-only flags take no value)."""

IMAGE_PULL_OPTIONS = _table(
    values=("platform",), flags=("a/all-tags", "disable-content-trust", "q/quiet", "h/help")
)

BUILD_OPTIONS = _table(
    values=(
        "add-host", "allow", "annotation", "attest", "build-arg", "build-context", "builder",
        "cache-from", "cache-to", "call", "cgroup-parent", "cpu-period", "cpu-quota",
        "c/cpu-shares", "cpuset-cpus", "cpuset-mems", "f/file", "iidfile", "invoke",
        "isolation", "label", "m/memory", "memory-swap", "metadata-file", "network",
        "no-cache-filter", "o/output", "platform", "print", "progress", "provenance", "root",
        "sbom", "secret", "security-opt", "server-config", "shm-size", "ssh", "t/tag",
        "target", "ulimit",
    ),
    flags=(
        "compress", "D/debug", "detach", "disable-content-trust", "force-rm", "h/help", "load",
        "no-cache", "pull", "push", "q/quiet", "rm", "squash", "stream",
    ),
    optional=("check",),
)  # fmt: skip
"""`docker build` (classic) and `docker buildx build`, hidden compatibility flags included."""

BUILDX_OPTIONS = _table(values=("builder",), flags=("D/debug", "h/help"))

BUILDX_CREATE_OPTIONS = _table(
    values=(
        "builder", "buildkitd-config", "buildkitd-flags", "config", "driver", "driver-opt",
        "name", "node", "platform", "timeout",
    ),
    flags=("append", "bootstrap", "D/debug", "h/help", "leave", "use"),
)  # fmt: skip

IMAGETOOLS_INSPECT_OPTIONS = _table(
    values=("builder", "format"), flags=("D/debug", "h/help", "raw")
)

IMAGETOOLS_CREATE_OPTIONS = _table(
    values=("annotation", "builder", "f/file", "platform", "progress", "t/tag"),
    flags=("append", "D/debug", "dry-run", "h/help", "prefer-index"),
)

SERVICE_CREATE_OPTIONS = _table(
    values=(
        "cap-add", "cap-drop", "config", "constraint", "container-label", "credential-spec",
        "dns", "dns-option", "dns-search", "endpoint-mode", "entrypoint", "e/env", "env-file",
        "generic-resource", "group", "health-cmd", "health-interval", "health-retries",
        "health-start-interval", "health-start-period", "health-timeout", "host", "hostname",
        "isolation", "l/label", "limit-cpu", "limit-memory", "limit-pids", "log-driver",
        "log-opt", "max-concurrent", "mode", "mount", "name", "network", "oom-score-adj",
        "placement-pref", "p/publish", "replicas", "replicas-max-per-node", "reserve-cpu",
        "reserve-memory", "restart-condition", "restart-delay", "restart-max-attempts",
        "restart-window", "rollback-delay", "rollback-failure-action",
        "rollback-max-failure-ratio", "rollback-monitor", "rollback-order",
        "rollback-parallelism", "secret", "stop-grace-period", "stop-signal", "sysctl",
        "ulimit", "update-delay", "update-failure-action", "update-max-failure-ratio",
        "update-monitor", "update-order", "update-parallelism", "u/user", "w/workdir",
    ),
    flags=(
        "d/detach", "disable-content-trust", "h/help", "init", "no-healthcheck",
        "no-resolve-image", "q/quiet", "read-only", "t/tty", "with-registry-auth",
    ),
)  # fmt: skip

PLUGIN_INSTALL_OPTIONS = _table(
    values=("alias",),
    flags=("disable", "disable-content-trust", "grant-all-permissions", "h/help"),
)

MANIFEST_INSPECT_OPTIONS = _table(flags=("h/help", "insecure", "v/verbose"))

LOGIN_OPTIONS = _table(values=("u/username", "p/password"), flags=("h/help", "password-stdin"))

COMPOSE_GLOBAL_OPTIONS = _table(
    values=(
        "ansi", "c/context", "env-file", "f/file", "H/host", "log-level", "parallel", "profile",
        "progress", "project-directory", "p/project-name", "tlscacert", "tlscert", "tlskey",
        "workdir",
    ),
    flags=(
        "all-resources", "compatibility", "dry-run", "h/help", "no-ansi",
        "skip-hostname-check", "tls", "tlsverify", "verbose", "v/version",
    ),
)  # fmt: skip
"""`docker compose` (v2) and `docker-compose` (v1 and v2) options before the subcommand."""

COMPOSE_COMMAND_OPTIONS: Mapping[str, OptionTable] = MappingProxyType(
    {
        "pull": _table(
            values=("policy",),
            flags=(
                "dry-run", "h/help", "ignore-buildable", "ignore-pull-failures", "include-deps",
                "no-parallel", "parallel", "q/quiet",
            ),
        ),
        "up": _table(
            values=(
                "attach", "exit-code-from", "no-attach", "pull", "scale", "t/timeout",
                "wait-timeout",
            ),
            flags=(
                "abort-on-container-exit", "abort-on-container-failure", "always-recreate-deps",
                "attach-dependencies", "build", "d/detach", "dry-run", "force-recreate", "h/help",
                "menu", "no-build", "no-color", "no-deps", "no-log-prefix", "no-recreate",
                "no-start", "quiet-build", "quiet-pull", "remove-orphans",
                "V/renew-anon-volumes", "timestamps", "wait", "w/watch", "y/yes",
            ),
        ),
        "run": _table(
            values=(
                "cap-add", "cap-drop", "entrypoint", "e/env", "env-from-file", "l/label", "name",
                "p/publish", "pull", "u/user", "v/volume", "w/workdir",
            ),
            flags=(
                "build", "d/detach", "dry-run", "h/help", "i/interactive", "T/no-TTY", "no-deps",
                "q/quiet", "quiet-build", "quiet-pull", "remove-orphans", "rm",
                "P/service-ports", "t/tty", "use-aliases",
            ),
        ),
        "create": _table(
            values=("pull", "scale"),
            flags=(
                "build", "dry-run", "force-recreate", "h/help", "no-build", "no-recreate",
                "quiet-pull", "remove-orphans", "y/yes",
            ),
        ),
        "build": _table(
            values=("build-arg", "builder", "m/memory", "progress", "provenance", "sbom", "ssh"),
            flags=(
                "check", "compress", "dry-run", "force-rm", "h/help", "no-cache", "no-rm",
                "parallel", "print", "pull", "push", "q/quiet", "with-dependencies",
            ),
        ),
    }
)  # fmt: skip
"""The compose subcommands that pull or build, and their options."""

BUILDKIT_IMAGE = "moby/buildkit:buildx-stable-1"
"""What the docker-container driver of `buildx create` runs unless `image=` says otherwise."""

PULLING_DRIVERS: frozenset[str] = frozenset({"docker-container"})
"""buildx drivers whose BuildKit image is pulled by the local daemon."""

REMOTE_CONTEXT_PREFIXES: tuple[str, ...] = (
    "http://", "https://", "git://", "git@", "ssh://", "github.com/",
)  # fmt: skip
"""Build contexts docker fetches itself (git repositories, tarballs)."""

# --------------------------------------------------------------------------------------------
# Programs

PROGRAMS: Mapping[str, str] = MappingProxyType(
    {
        "docker": "docker",
        "docker.exe": "docker",
        "docker-compose": "docker-compose",
        "docker-compose.exe": "docker-compose",
    }
)
"""Executable names -> the CLI they are. podman/buildah resolve short names through
registries.conf, so their pulls are not necessarily Docker Hub: not modelled."""
PROGRAM_MARK = "docker"
"""Part of every name in PROGRAMS: a command with no word holding it runs none of them."""

# --------------------------------------------------------------------------------------------
# The process: wrappers, user, program


@record
class Invocation:
    """Who runs which CLI: wrappers (`sudo`, `env`, `timeout`...) stripped.

    `user` is None when unchanged, "root" for plain `sudo`, the `-u` name, or UNKNOWN: docker
    credentials live under that user's HOME, so a login as one user does not serve another.
    `env` holds `NAME=value` assignments seen before the program (sudo and env allow them).
    `config` is the docker `--config` directory, else DOCKER_CONFIG from those assignments.
    """

    program: str
    word: int
    user: str | None
    env: tuple[tuple[str, str], ...]
    config: str | None


def invocation(argv: Sequence[str | None]) -> Invocation | None:
    """The docker CLI this argv runs, or None when it runs something else (or is unknown)."""
    found = _invocation(argv)
    return found[0] if found is not None else None


def _invocation(argv: Sequence[str | None]) -> tuple[Invocation, _Parsed | None] | None:
    """`invocation`, with docker's global options as parsed for it (None for compose)."""
    unwrapped = unwrap(argv)
    if unwrapped is None:
        return None
    i = unwrapped.word
    program = PROGRAMS.get(str(argv[i]).rsplit("/", 1)[-1])
    if program is None:
        return None
    config = dict(unwrapped.env).get("DOCKER_CONFIG")
    options = None
    if program == "docker":
        options = _parse(argv, i + 1, DOCKER_GLOBAL_OPTIONS, interspersed=False)
        option = options.last("config")
        if option is not None:
            config = UNKNOWN if option.value is None else option.value
    return Invocation(program, i, unwrapped.user, unwrapped.env, config), options


# --------------------------------------------------------------------------------------------
# Commands


@record
class _Command:
    argv: Sequence[str | None]
    start: int  # first word after the subcommand
    word: int  # the subcommand word
    verb: str


_Handler = Callable[[_Command], "list[DockerEvent]"]


def _is_true(value: str | None) -> bool:
    return value is None or value not in _FALSE


def _unknown_option(command: _Command, parsed: _Parsed, what: str) -> Unresolved | None:
    if not parsed.unknown:
        return None
    index, name = parsed.unknown[0]
    reason = f"{command.verb} has an option hubspec does not know ({name}), so {what} is unclear"
    return Unresolved(reason, index)


def _operand(
    command: _Command,
    table: OptionTable,
    *,
    interspersed: bool,
    source: ImageSource = ImageSource.REGISTRY,
) -> tuple[_Parsed, int, str] | list[DockerEvent]:
    """The first operand (an image) of a command, or the events that explain its absence."""
    parsed = _parse(command.argv, command.start, table, interspersed=interspersed)
    if parsed.help:
        return []
    unknown = _unknown_option(command, parsed, "its image operand")
    if unknown is not None:
        return [unknown]
    first = parsed.positionals[0] if parsed.positionals else None
    if first is not None and first[1] is not None:
        return parsed, first[0], first[1]
    index = first[0] if first is not None else (parsed.opaque[0] if parsed.opaque else None)
    if index is None:
        return []
    reason = f"the image operand of {command.verb} is not known statically"
    return [Unresolved(reason, index, operand=True, source=source)]


def _image_command(table: OptionTable, *, interspersed: bool) -> _Handler:
    """`docker pull IMAGE`, `docker service create IMAGE`, `docker plugin install PLUGIN`."""

    def handle(command: _Command) -> list[DockerEvent]:
        found = _operand(command, table, interspersed=interspersed)
        if isinstance(found, list):
            return found
        _, index, image = found
        return [ImageUse(image, index, command.verb)]

    return handle


def _run(command: _Command) -> list[DockerEvent]:
    """`docker run`/`create`: the image is the first operand; `--pull never` pulls nothing."""
    local = ImageSource.LOCAL_FIRST
    found = _operand(command, CONTAINER_RUN_OPTIONS, interspersed=False, source=local)
    if isinstance(found, list):
        return found
    parsed, index, image = found
    pull = parsed.last("pull")
    if pull is not None and pull.value == "never":
        return []
    return [ImageUse(image, index, command.verb, local)]


def _manifest_inspect(command: _Command) -> list[DockerEvent]:
    """`docker manifest inspect REF` fetches a manifest (a counted pull); with two operands
    the list is a local one."""
    found = _operand(command, MANIFEST_INSPECT_OPTIONS, interspersed=True)
    if isinstance(found, list):
        return found
    parsed, index, image = found
    if len(parsed.positionals) != 1:
        return []
    return [ImageUse(image, index, command.verb)]


def _csv_fields(text: str) -> list[tuple[str, str]]:
    """`key=value,key=value` as buildx reads it (CSV, quotes allowed)."""
    import csv  # few builds use these options

    try:
        rows = list(csv.reader([text]))
    except csv.Error:
        return []
    pairs: list[tuple[str, str]] = []
    for field in rows[0] if rows else []:
        key, _, value = field.partition("=")
        pairs.append((key.strip().lower(), value))
    return pairs


def _cache_image(value: str) -> str | None:
    """The registry ref of a `--cache-from` value (`ref` or `type=registry,ref=ref`)."""
    if "=" not in value:
        return value or None
    fields = dict(_csv_fields(value))
    if fields.get("type", "registry") != "registry":
        return None
    return fields.get("ref") or None


def _build(command: _Command) -> list[DockerEvent]:
    """`docker build` and aliases: the build itself plus images pulled by options."""
    parsed = _parse(command.argv, command.start, BUILD_OPTIONS, interspersed=True)
    if parsed.help:
        return []
    extra: list[DockerEvent] = []
    complete = not parsed.opaque
    build_args: list[tuple[str, str | None]] = []
    for option in parsed.all("build-arg"):
        if option.value is None:
            complete = False
            continue
        name, sep, value = option.value.partition("=")
        build_args.append((name, value if sep else None))
    named: list[str] = []
    for option in parsed.all("build-context"):
        if option.value is None:
            continue
        name, _, source = option.value.partition("=")
        named.append(name)
        if source.startswith("docker-image://"):
            source = source.removeprefix("docker-image://")
            extra.append(ImageUse(source, option.word, f"{command.verb} --build-context"))
    for option in parsed.all("cache-from"):
        cache = None if option.value is None else _cache_image(option.value)
        if cache is not None:
            extra.append(ImageUse(cache, option.word, f"{command.verb} --cache-from"))
    platforms = [
        platform.strip()
        for option in parsed.all("platform")
        if option.value is not None
        for platform in option.value.split(",")
        if platform.strip()
    ]
    file_option = parsed.last("file")
    dockerfile = None if file_option is None else file_option.value
    context = parsed.positionals[0][1] if parsed.positionals else None
    target = parsed.last("target")
    build = BuildUse(
        context=context,
        dockerfile=dockerfile,
        build_args=tuple(build_args),
        platforms=tuple(platforms),
        word=command.word,
        verb=command.verb,
        unresolved=_build_unresolved(parsed, command, context, file_option),
        target=None if target is None else target.value,
        named_contexts=tuple(named),
        build_args_complete=complete,
        tags=tuple(option.word for option in parsed.all("tag")),
    )
    return [build, *extra]


def _build_unresolved(
    parsed: _Parsed, command: _Command, context: str | None, file_option: _Option | None
) -> str | None:
    """Why the Dockerfile of a build cannot be read, if it cannot."""
    if parsed.unknown and len(parsed.positionals) != 1:
        return f"{command.verb} has an option hubspec does not know ({parsed.unknown[0][1]})"
    if file_option is not None and file_option.value is None:
        return "the Dockerfile path (-f) is not known statically"
    if file_option is not None and file_option.value == "-":
        return "the Dockerfile is read from standard input"
    if context is None:
        if parsed.opaque:
            return "the build context is not known statically"
        return f"{command.verb} has no build context argument"
    if context.startswith(REMOTE_CONTEXT_PREFIXES):
        return "the build context is a remote URL, whose Dockerfile hubspec cannot read"
    if context == "-" and file_option is None:
        return "the build context and its Dockerfile are read from standard input"
    return None


def _buildx_create(command: _Command) -> list[DockerEvent]:
    """`docker buildx create`: the docker-container driver runs a BuildKit image."""
    parsed = _parse(command.argv, command.start, BUILDX_CREATE_OPTIONS, interspersed=True)
    if parsed.help or parsed.flag("leave"):
        return []
    driver = parsed.last("driver")
    if driver is not None and driver.value is None:
        return [Unresolved(f"the driver of {command.verb} is not known statically", driver.word)]
    if driver is not None and driver.value not in PULLING_DRIVERS:
        return []
    images: list[DockerEvent] = []
    for option in parsed.all("driver-opt"):
        if option.value is None:
            reason = f"a --driver-opt of {command.verb} is not known statically (it may set image=)"
            return [Unresolved(reason, option.word)]
        for key, value in _csv_fields(option.value):
            if key == "image":
                images.append(ImageUse(value, option.word, command.verb))
    return images or [ImageUse(BUILDKIT_IMAGE, command.word, command.verb)]


def _bake(command: _Command) -> list[DockerEvent]:
    reason = (
        f"{command.verb} builds the targets of a bake or compose file, "
        "which hubspec does not analyse"
    )
    return [Unresolved(reason, command.word)]


def _imagetools_create(command: _Command) -> list[DockerEvent]:
    """`docker buildx imagetools create SOURCE...` reads every source manifest."""
    parsed = _parse(command.argv, command.start, IMAGETOOLS_CREATE_OPTIONS, interspersed=True)
    if parsed.help:
        return []
    events: list[DockerEvent] = []
    if parsed.opaque:
        reason = f"a source of {command.verb} is not known statically"
        events.append(Unresolved(reason, parsed.opaque[0]))
    for index, source in parsed.positionals:
        if source is None:
            continue
        if "://" in source:
            if not source.startswith("docker-image://"):
                continue
            source = source.removeprefix("docker-image://")
        events.append(ImageUse(source, index, command.verb))
    return events


def _login(command: _Command) -> list[DockerEvent]:
    """`docker login [-u U] [-p P | --password-stdin] [SERVER]`."""
    parsed = _parse(command.argv, command.start, LOGIN_OPTIONS, interspersed=True)
    if parsed.help:
        return []
    username = parsed.last("username")
    password = parsed.last("password")
    stdin = parsed.last("password-stdin")
    server: str | None = None
    server_word: int | None = None
    unresolved: str | None = None
    if parsed.positionals:
        server_word, server = parsed.positionals[0]
    elif parsed.opaque:
        server_word = parsed.opaque[0]
    if server_word is not None and server is None:
        unresolved = "the registry of docker login is not known statically"
    return [
        LoginUse(
            server=server,
            server_word=server_word,
            username_word=None if username is None else username.word,
            password_word=None if password is None else password.word,
            password_stdin=stdin is not None and _is_true(stdin.value),
            word=command.word,
            unresolved=unresolved,
        )
    ]


def _logout(command: _Command) -> list[DockerEvent]:
    parsed = _parse(command.argv, command.start, HELP_ONLY, interspersed=True)
    if parsed.help:
        return []
    if parsed.positionals:
        index, server = parsed.positionals[0]
        if server is not None:
            return [LogoutUse(server, command.word)]
        return [Unresolved("the registry of docker logout is not known statically", index)]
    if parsed.opaque:
        reason = "the registry of docker logout is not known statically"
        return [Unresolved(reason, parsed.opaque[0])]
    return [LogoutUse(None, command.word)]


def _compose(argv: Sequence[str | None], start: int, program: str) -> list[DockerEvent]:
    """`docker compose ...` / `docker-compose ...`: files, project, subcommand, services."""
    parsed = _parse(argv, start, COMPOSE_GLOBAL_OPTIONS, interspersed=False)
    if parsed.help or parsed.flag("version") or not parsed.positionals:
        return []
    index, sub = parsed.positionals[0]
    if sub is None:
        return [Unresolved(f"the {program} subcommand is not known statically", index)]
    table = COMPOSE_COMMAND_OPTIONS.get(sub)
    if table is None:
        return []
    verb = f"{program} {sub}"
    options = _parse(argv, index + 1, table, interspersed=sub != "run")
    if options.help:
        return []
    unresolved: str | None = None
    files = [option.value for option in parsed.all("file")]
    if any(file is None for file in files):
        unresolved = "a compose file (-f) is not known statically"
    directory = parsed.last("project-directory") or parsed.last("workdir")
    if directory is not None and directory.value is None:
        unresolved = unresolved or "the compose project directory is not known statically"
    services = options.positionals[:1] if sub == "run" else options.positionals
    names = tuple(name for _, name in services if name is not None)
    if len(names) != len(services) or (options.opaque and sub != "run"):
        names = ()
    return [
        ComposeUse(
            files=tuple(file for file in files if file is not None),
            project_directory=None if directory is None else directory.value,
            services=names,
            word=index,
            verb=verb,
            unresolved=unresolved,
            profiles=_values(parsed, "profile"),
            env_files=_values(parsed, "env-file"),
            pull_policy=_compose_pull_policy(sub, options),
            build_args=_pairs(options, "build-arg"),
            ignore_buildable=options.flag("ignore-buildable"),
            with_dependencies=(sub in ("up", "run", "create") and not options.flag("no-deps"))
            or options.flag("include-deps")
            or options.flag("with-dependencies"),
        )
    ]


def _values(parsed: _Parsed, name: str) -> tuple[str, ...]:
    return tuple(option.value for option in parsed.all(name) if option.value is not None)


def _pairs(parsed: _Parsed, name: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for value in _values(parsed, name):
        key, sep, rest = value.partition("=")
        pairs.append((key, rest if sep else None))
    return tuple(pairs)


def _compose_pull_policy(sub: str, options: _Parsed) -> str | None:
    if sub == "pull":
        policy = options.last("policy")
        return None if policy is None else policy.value
    if sub == "build":
        return "always" if options.flag("pull") else None
    pull = options.last("pull")
    return None if pull is None else pull.value


HANDLERS: Mapping[tuple[str, ...], _Handler] = MappingProxyType(
    {
        ("pull",): _image_command(IMAGE_PULL_OPTIONS, interspersed=True),
        ("image", "pull"): _image_command(IMAGE_PULL_OPTIONS, interspersed=True),
        ("run",): _run,
        ("create",): _run,
        ("container", "run"): _run,
        ("container", "create"): _run,
        ("build",): _build,
        ("image", "build"): _build,
        ("builder", "build"): _build,
        ("buildx", "build"): _build,
        ("buildx", "b"): _build,
        ("buildx", "bake"): _bake,
        ("buildx", "create"): _buildx_create,
        ("buildx", "imagetools", "inspect"): _image_command(
            IMAGETOOLS_INSPECT_OPTIONS, interspersed=True
        ),
        ("buildx", "imagetools", "create"): _imagetools_create,
        ("service", "create"): _image_command(SERVICE_CREATE_OPTIONS, interspersed=False),
        ("plugin", "install"): _image_command(PLUGIN_INSTALL_OPTIONS, interspersed=False),
        ("manifest", "inspect"): _manifest_inspect,
        ("login",): _login,
        ("logout",): _logout,
    }
)
"""docker subcommand paths -> what they pull (or log in to)."""

GROUPS: Mapping[tuple[str, ...], OptionTable] = MappingProxyType(
    {
        ("image",): HELP_ONLY,
        ("container",): HELP_ONLY,
        ("builder",): HELP_ONLY,
        ("buildx",): BUILDX_OPTIONS,
        ("buildx", "imagetools"): BUILDX_OPTIONS,
        ("service",): HELP_ONLY,
        ("plugin",): HELP_ONLY,
        ("manifest",): HELP_ONLY,
    }
)
"""Management commands whose subcommands are in HANDLERS, with their own options."""


def _docker(argv: Sequence[str | None], parsed: _Parsed) -> list[DockerEvent]:
    """The events of `docker ...`, whose global options (after the program word) are parsed."""
    if parsed.help or parsed.flag("version") or not parsed.positionals:
        return []
    index, word = parsed.positionals[0]
    path: tuple[str, ...] = ()
    while True:
        if word is None:
            where = " ".join(("docker", *path))
            return [Unresolved(f"the subcommand of {where} is not known statically", index)]
        path = (*path, word)
        if path == ("compose",):
            return _compose(argv, index + 1, "docker compose")
        table = GROUPS.get(path)
        if table is None:
            break
        group = _parse(argv, index + 1, table, interspersed=False)
        if group.help or not group.positionals:
            return []
        index, word = group.positionals[0]
    handler = HANDLERS.get(path)
    if handler is None:
        return []
    return handler(_Command(argv, index + 1, index, " ".join(("docker", *path))))


def docker_events(argv: Sequence[str | None]) -> list[DockerEvent]:
    """What one command does with registries: images it pulls, builds, logins, logouts.

    Returns [] for commands that are not docker (or that docker would only print help for).
    Events come in argv order of their subject, the command's own event first.
    """
    if not any(word is not None and PROGRAM_MARK in word for word in argv):
        return []  # most commands: no word can name a program of PROGRAMS
    used = docker_use(argv)
    return used[1] if used is not None else []


def docker_use(argv: Sequence[str | None]) -> tuple[Invocation, list[DockerEvent]] | None:
    """The docker CLI this argv runs and its events (`docker_events`); None if not docker."""
    invoked = _invocation(argv)
    if invoked is None:
        return None
    found, options = invoked
    if options is None:  # docker-compose
        return found, _compose(argv, found.word + 1, "docker-compose")
    return found, _docker(argv, options)


# --------------------------------------------------------------------------------------------
# Login servers

HUB_LOGIN_KEY = "https://index.docker.io/v1/"
"""The key `docker login` stores Hub credentials under, and the only one Hub pulls look up."""

HUB_LOGIN_HOSTS: frozenset[str] = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
     "hub.docker.com"}
)  # fmt: skip


def is_hub_login_server(server: str | None) -> tuple[bool, bool]:
    """(is Docker Hub, is the canonical key) for a `docker login` server operand.

    docker/cli maps no server and exactly `docker.io` to `https://index.docker.io/v1/`, and
    stores any other spelling under its host name (`index.docker.io`), a key that pulls from
    Hub never look up: such a login is Hub, but not canonical.
    """
    if server is None or server in ("", "docker.io", HUB_LOGIN_KEY):
        return True, True
    host = server.lower()
    for scheme in ("https://", "http://"):
        host = host.removeprefix(scheme)
    host = host.split("/", 1)[0]
    host = re.sub(r":(443|80)$", "", host)
    return host in HUB_LOGIN_HOSTS, False
