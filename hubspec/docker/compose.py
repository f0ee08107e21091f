"""What a compose file pulls: each service's `image:`, and the `build:` whose Dockerfile does.

The file is parsed round-trip (ruamel.yaml `rt`) for line numbers; rt never builds arbitrary
Python objects from tags. Interpolation follows compose-go: `${VAR}`, `${VAR:-d}`, `${VAR-d}`,
`${VAR:+r}`, `${VAR+r}`, `${VAR:?e}`, `${VAR?e}`, `$$`. `env` is what the caller knows of the
environment (buildspec variables, a `.env` file it read): a variable absent from it is taken as
unset for the default operators and as unknown for a plain `${VAR}`.

A service with both `build:` and `image:` builds and tags `image`; the compose spec still lets
`up` try a pull of `image` first. Both facts are in `ComposeService`, and the caller decides
per command (`pull` skips buildable services only with `--ignore-buildable`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from hubspec.docker._expand import Value, expand
from hubspec.docker.images import known_repository, parse_image
from hubspec.records import record, replace

_V = TypeVar("_V")

COMPOSE_DEFAULT_FILES: tuple[str, ...] = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
)
"""The files `docker compose` looks for without `-f`, in its order of preference
(compose-go `cli.DefaultFileNames`)."""
COMPOSE_OVERRIDE_FILES: tuple[str, ...] = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
"""Beside the file it found, the first of these it also reads (`DefaultOverrideFileNames`)."""

TOP_LEVEL_KEYS: frozenset[str] = frozenset(
    {"version", "name", "include", "services", "networks", "volumes", "configs", "secrets"}
)
"""Top-level keys that are not services (used to recognise the old v1 format)."""


@record
class ComposeService:
    """One service, with the fields that decide what it pulls.

    `image_exact` is False when a variable left only the tag unknown: `image` then holds the
    repository (`node` for `node:${TAG}`). `build_args` values are None when taken from the
    environment at build time and not known. `pull_policy` (`always`, `never`, `missing`,
    `build`, ...) and `profiles` (a service with profiles starts only when one is active or it
    is named on the command line) are as written, after interpolation. `has_build` is True for
    any `build:` section, even one whose context could not be resolved (then `build_context`
    is None and a problem says why).
    """

    name: str
    image: str | None
    image_line: int | None
    build_context: str | None
    build_dockerfile: str | None
    build_args: tuple[tuple[str, str | None], ...]
    line: int
    image_exact: bool = True
    build_target: str | None = None
    build_dockerfile_inline: str | None = None
    build_additional_contexts: tuple[tuple[str, str], ...] = ()
    pull_policy: str | None = None
    profiles: tuple[str, ...] = ()
    has_build: bool = False
    depends_on: tuple[str, ...] = ()
    """The services it needs started first (`depends_on`, `links`)."""
    extends: tuple[str, str | None] | None = None
    """The service it `extends:`, and the file that defines it (None: this file)."""
    extends_line: int | None = None
    """The line of its `extends:` key; set while the service it extends is not merged in
    (still to do, or not known: then a problem says why)."""


@record
class ComposeProblem:
    """A line whose pulls cannot be known, or a compose file error."""

    line: int
    message: str


def _line(node: Any, key: Any, *, value: bool) -> int | None:
    """1-based line of a mapping key or value, looking through `<<` merges."""
    if not isinstance(node, CommentedMap):
        return None
    position: Any = None
    if key in (node.lc.data or {}):
        # A null value has no token of its own: ruamel points at whatever follows.
        use_value = value and node.get(key) is not None
        position = node.lc.value(key) if use_value else node.lc.key(key)
    if position is not None:
        return int(position[0]) + 1
    for merged in getattr(node, "merge", ()):
        found = _line(merged, key, value=value)
        if found is not None:
            return found
    return None


def _item_line(items: CommentedSeq, index: int) -> int | None:
    """1-based line of a list item."""
    position = (items.lc.data or {}).get(index) if hasattr(items, "lc") else None
    return int(position[0]) + 1 if position is not None else None


def _scalar(node: Any) -> str | None:
    """A YAML scalar as compose reads it; None for mappings, sequences and null."""
    if isinstance(node, TaggedScalar):
        node = node.value
    if node is None or isinstance(node, (CommentedMap, CommentedSeq, dict, list)):
        return None
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


class _Reader:
    """Walks the services of one loaded file, interpolating and collecting problems."""

    def __init__(self, env: Mapping[str, str | None]) -> None:
        self.env = env
        self.problems: list[ComposeProblem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(ComposeProblem(line or 1, message))

    def interpolate(self, text: str, line: int | None, what: str) -> Value:
        def lookup(name: str) -> Value | None:
            if name not in self.env:
                return None
            value = self.env[name]
            return Value.of(value) if value is not None else Value.unknown(f"${{{name}}}")

        def unset_plain(name: str) -> Value:
            return Value.unknown(f"${{{name}}}")

        result = expand(text, lookup, unset_plain, compose=True)
        for error in result.errors:
            self.problem(line, f"{what}: {error}")
        return result.value

    def known(self, node: Any, parent: Any, key: str, what: str) -> str | None:
        """An interpolated scalar that must be fully known, else None and a problem."""
        text = _scalar(node)
        if text is None:
            return None
        line = _line(parent, key, value=True)
        value = self.interpolate(text, line, what)
        if not value.is_known:
            self.problem(line, f"{what} {text!r} uses {_names(value)}, not known statically")
            return None
        return value.text

    def arguments(
        self, node: Any, parent: Any, key: str, what: str
    ) -> list[tuple[str, str | None]]:
        """`args:` as a mapping or a `NAME=value` list; a bare NAME comes from the environment."""
        pairs: list[tuple[str, str | None]] = []
        line = _line(parent, key, value=True)
        if isinstance(node, CommentedMap):
            for name, raw in node.items():
                text = _scalar(raw)
                pairs.append((str(name), None if text is None else text))
        elif isinstance(node, CommentedSeq):
            for item in node:
                text = _scalar(item)
                if text is None:
                    continue
                name, sep, rest = text.partition("=")
                pairs.append((name, rest if sep else None))
        elif node is not None:
            self.problem(line, f"{what} must be a mapping or a list")
        out: list[tuple[str, str | None]] = []
        for name, text in pairs:
            if text is None:
                out.append((name, self.env.get(name)))
                continue
            value = self.interpolate(text, line, what)
            out.append((name, value.text if value.is_known else None))
        return out

    def contexts(self, node: Any, parent: Any, what: str) -> tuple[tuple[str, str], ...]:
        """`additional_contexts:` as a mapping or a `name=value` list."""
        pairs: list[tuple[str, str | None]] = []
        if isinstance(node, CommentedMap):
            pairs = [(str(key), _scalar(raw)) for key, raw in node.items()]
        elif isinstance(node, CommentedSeq):
            for item in node:
                name, _, rest = (_scalar(item) or "").partition("=")
                pairs.append((name, rest))
        line = _line(parent, "additional_contexts", value=True)
        out: list[tuple[str, str]] = []
        for name, text in pairs:
            value = None if text is None else self.interpolate(text, line, what)
            if name and value is not None and value.is_known:
                out.append((name, value.text))
        return tuple(out)

    def service(self, key: Any, node: Any, parent: Any) -> ComposeService:
        name = str(key)
        line = _line(parent, key, value=False) or 1
        if not isinstance(node, CommentedMap):
            if node is not None:
                self.problem(line, f"service {name!r} must be a mapping")
            node = CommentedMap()
        image, image_line, exact = self.image(name, node)
        build = self.build(name, node.get("build"), node)
        profiles_node = node.get("profiles")
        profiles: list[str] = []
        if isinstance(profiles_node, CommentedSeq):
            for item in profiles_node:
                text = _scalar(item)
                value = None if text is None else self.interpolate(text, line, "profiles")
                if value is not None and value.is_known:
                    profiles.append(value.text)
        return ComposeService(
            name=name,
            image=image,
            image_line=image_line,
            build_context=build.context if build else None,
            build_dockerfile=build.dockerfile if build else None,
            build_args=build.args if build else (),
            line=line,
            image_exact=exact,
            build_target=build.target if build else None,
            build_dockerfile_inline=build.inline if build else None,
            build_additional_contexts=build.contexts if build else (),
            pull_policy=self.known(node.get("pull_policy"), node, "pull_policy", "pull_policy"),
            profiles=tuple(profiles),
            has_build=build is not None,
            depends_on=_needed(node),
            extends=self.extends(name, node),
            extends_line=_line(node, "extends", value=False) if "extends" in node else None,
        )

    def extends(self, name: str, node: CommentedMap) -> tuple[str, str | None] | None:
        """`extends: base`, or `extends:` with `service:` and an optional `file:`; None
        when there is none or a part is not known (a problem says so)."""
        if "extends" not in node:
            return None
        value = node.get("extends")
        what = f"extends of service {name!r}"
        in_mapping = isinstance(value, CommentedMap)
        raw = value.get("service") if in_mapping else value
        if not _scalar(raw):
            self.problem(_line(node, "extends", value=True), f"{what} names no service")
            return None
        service = self.known(
            raw, value if in_mapping else node, "service" if in_mapping else "extends", what
        )
        if service is None or not in_mapping or "file" not in value:
            return None if service is None else (service, None)
        if not _scalar(value.get("file")):
            self.problem(_line(value, "file", value=True), f"{what} names no file")
            return None
        file = self.known(value.get("file"), value, "file", f"{what}: file")
        return None if file is None else (service, file)

    def image(self, name: str, node: CommentedMap) -> tuple[str | None, int | None, bool]:
        if "image" not in node:
            return None, None, True
        line = _line(node, "image", value=True)
        text = _scalar(node.get("image"))
        if not text:
            self.problem(line, f"service {name!r}: image must be a non-empty string")
            return None, line, True
        value = self.interpolate(text, line, "image")
        if value.is_known:
            if parse_image(value.text) is None:
                self.problem(
                    line, f"image {value.text!r} of service {name!r} is not a valid reference"
                )
            return value.text, line, True
        repository = known_repository(value.prefix)
        if repository is not None:
            return repository, line, False
        self.problem(line, f"image {text!r} of service {name!r} uses {_names(value)}")
        return None, line, True

    def build(self, name: str, node: Any, service: CommentedMap) -> _Build | None:
        if node is None:
            return None
        what = f"build of service {name!r}"
        if not isinstance(node, CommentedMap):
            return _Build(context=self.known(node, service, "build", what))
        contexts = self.contexts(node.get("additional_contexts"), node, f"{what}: contexts")
        args = self.arguments(node.get("args"), node, "args", f"{what}: args")
        context = self.known(node.get("context", "."), node, "context", f"{what}: context")
        return _Build(
            context=context,
            dockerfile=self.known(
                node.get("dockerfile"), node, "dockerfile", f"{what}: dockerfile"
            ),
            args=tuple(args),
            target=self.known(node.get("target"), node, "target", f"{what}: target"),
            inline=_scalar(node.get("dockerfile_inline")),
            contexts=contexts,
        )


@record
class _Build:
    context: str | None = None
    dockerfile: str | None = None
    args: tuple[tuple[str, str | None], ...] = ()
    target: str | None = None
    inline: str | None = None
    contexts: tuple[tuple[str, str], ...] = ()


def _names(value: Value) -> str:
    unknown = [text for text, known in value.parts if not known]
    return ", ".join(unknown) or "an unknown value"


def _load(text: str) -> tuple[Any, ComposeProblem | None]:
    yaml = YAML(typ="rt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return yaml.load(text), None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        return None, ComposeProblem(line, f"the compose file is not valid YAML: {problem}")
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        return None, ComposeProblem(1, f"the compose file is not valid YAML: {error}")
    except Exception as error:  # a linter must not crash on a user's file
        return None, ComposeProblem(1, f"the compose file could not be read: {error}")


def merged_service(base: ComposeService, override: ComposeService) -> ComposeService:
    """One service as compose merges it from two files (the compose spec's merge rules):
    a value the later file sets replaces the earlier one (`image`, the build's context and
    Dockerfile, `pull_policy`), mappings merge key by key (build `args`), and a build in
    either file is a build."""
    image_from = override if override.image_line is not None else base  # the key is there
    return replace(
        base,
        image=image_from.image,
        image_line=image_from.image_line,
        image_exact=image_from.image_exact,
        build_context=_later(override.build_context, base.build_context),
        build_dockerfile=_later(override.build_dockerfile, base.build_dockerfile),
        build_args=_merged_pairs(base.build_args, override.build_args),
        build_target=_later(override.build_target, base.build_target),
        build_dockerfile_inline=_later(
            override.build_dockerfile_inline, base.build_dockerfile_inline
        ),
        build_additional_contexts=_merged_pairs(
            base.build_additional_contexts, override.build_additional_contexts
        ),
        pull_policy=_later(override.pull_policy, base.pull_policy),
        profiles=override.profiles or base.profiles,
        has_build=base.has_build or override.has_build,
        depends_on=tuple(dict.fromkeys((*base.depends_on, *override.depends_on))),
    )


def with_dependencies(
    names: tuple[str, ...], services: Mapping[str, ComposeService]
) -> tuple[str, ...]:
    """`names` and every service they need, transitively (what `up web` starts)."""
    found = dict.fromkeys(names)
    pending = list(names)
    while pending:
        service = services.get(pending.pop())
        for needed in service.depends_on if service is not None else ():
            if needed not in found:
                found[needed] = None
                pending.append(needed)
    return tuple(found)


def defines_nothing(service: ComposeService) -> bool:
    """Neither an image nor a build (compose refuses such a service once files merge)."""
    return service.image_line is None and not service.has_build


def active_profiles(given: tuple[str, ...], variable: str | None) -> frozenset[str] | None:
    """The profiles a command activates: `--profile` and `COMPOSE_PROFILES` (comma-separated);
    None when `COMPOSE_PROFILES` is set to a value not known statically."""
    if variable is None:
        return None
    return frozenset(given) | {name.strip() for name in variable.split(",") if name.strip()}


def enabled(service: ComposeService, active: frozenset[str] | None) -> bool:
    """Whether a service that is not named on the command line starts: one without profiles
    always, one with profiles when one of them is active (`*` activates all); when the active
    profiles are not known, it may."""
    if not service.profiles or active is None or "*" in active:
        return True
    return not active.isdisjoint(service.profiles)


def _needed(node: CommentedMap) -> tuple[str, ...]:
    """The services `depends_on` (a list, or a mapping of conditions) and `links`
    (`name` or `name:alias`) name."""
    names: list[str] = []
    depends = node.get("depends_on")
    if isinstance(depends, CommentedMap):
        names.extend(str(key) for key in depends)
    elif isinstance(depends, CommentedSeq):
        names.extend(text for text in map(_scalar, depends) if text)
    links = node.get("links")
    if isinstance(links, CommentedSeq):
        names.extend(text.split(":", 1)[0] for text in map(_scalar, links) if text)
    return tuple(dict.fromkeys(names))


def _later(later: str | None, earlier: str | None) -> str | None:
    return later if later is not None else earlier


def _merged_pairs(
    earlier: tuple[tuple[str, _V], ...], later: tuple[tuple[str, _V], ...]
) -> tuple[tuple[str, _V], ...]:
    """A mapping written as pairs, merged key by key: the later value wins."""
    return tuple({**dict(earlier), **dict(later)}.items())


@record
class ComposeFile:
    """One compose file: its services, what could not be resolved, and the files its
    `include:` names (relative to its own folder), each with the line that names it."""

    services: tuple[ComposeService, ...]
    problems: tuple[ComposeProblem, ...]
    includes: tuple[tuple[str, int], ...] = ()


def read_compose(text: str, env: Mapping[str, str | None]) -> ComposeFile:
    """The services of one compose file, in file order, what could not be resolved, and the
    files its top-level `include:` names (short syntax, or `path:` as a string or a list).

    `env` is the environment compose interpolates `${NAME}` from (None: set, value not
    known); a name not in it is unset. Supports the `services:` format and the old v1 format
    (services at the top level). The caller reads each file (`-f`, the override beside a
    default one, what `include:` names, what `extends:` names) on its own and merges them.
    """
    data, error = _load(text)
    if error is not None:
        return ComposeFile((), (error,))
    if data is None:
        return ComposeFile((), (ComposeProblem(1, "the compose file is empty"),))
    if not isinstance(data, CommentedMap):
        return ComposeFile((), (ComposeProblem(1, "the compose file must be a mapping"),))
    reader = _Reader(env)
    includes = tuple(_includes(data, reader)) if "include" in data else ()
    if "services" in data:
        services = data["services"]
        if services is None:
            return ComposeFile((), tuple(reader.problems), includes)
        if not isinstance(services, CommentedMap):
            line = _line(data, "services", value=True)
            problem = ComposeProblem(line or 1, "services must be a mapping")
            return ComposeFile((), (problem,), includes)
        parent: CommentedMap = services
        keys = list(services)
    else:
        parent = data
        keys = [key for key in data if str(key) not in TOP_LEVEL_KEYS]
    found = [
        reader.service(key, parent[key], parent) for key in keys if not str(key).startswith("x-")
    ]
    return ComposeFile(tuple(found), tuple(reader.problems), includes)


def _includes(data: CommentedMap, reader: _Reader) -> Iterator[tuple[str, int]]:
    """The files `include:` names, interpolated; a name not known statically is a problem."""
    entries = data["include"]
    line = _line(data, "include", value=True) or 1
    if not isinstance(entries, CommentedSeq):
        reader.problem(line, "include must be a list")
        return
    for index, entry in enumerate(entries):
        entry_line = _item_line(entries, index) or line
        paths: Any = entry.get("path") if isinstance(entry, CommentedMap) else entry
        for path in paths if isinstance(paths, CommentedSeq) else [paths]:
            text = _scalar(path)
            if not text:
                reader.problem(entry_line, "an include names no file")
                continue
            value = reader.interpolate(text, entry_line, "include")
            if value.is_known:
                yield value.text, entry_line
            else:
                reader.problem(entry_line, f"the included file {text!r} is not known statically")
