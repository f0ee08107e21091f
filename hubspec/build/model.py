"""The buildspec as CodeBuild runs it: steps in execution order, users, env, batch tasks.

Built from the node tree, not the plain data, so every command keeps its node (for positions
and for the fixer) and every env name keeps its key node. Shapes the schema rejects are
skipped here, never guessed at: the schema rules already report them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from hubspec.load.document import Document, Node
from hubspec.records import field, record

PHASES = ("install", "pre_build", "build", "post_build")
SECTIONS = ("commands", "finally")
DEFAULT_USER = "root"


@record
class Step:
    """One command string as CodeBuild runs it."""

    phase: str
    section: str
    index: int
    user: str
    node: Node
    text: str


@record
class EnvEntry:
    """A name defined in one env section, with its nodes (the value may be a non-string)."""

    name: str
    section: str
    key: Node
    value: Node

    @property
    def literal(self) -> str | None:
        value = self.value.value
        if self.value.kind != "scalar" or value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


@record
class BatchTask:
    """One build of a batch: its identifier and the image CodeBuild pulls for it."""

    identifier: str
    image: str | None
    image_node: Node | None
    buildspec: str | None


@record(frozen=False)
class BuildModel:
    """What a build does, in order."""

    version: str | None
    steps: list[Step]
    env: list[EnvEntry]
    batch_tasks: list[BatchTask] = field(default_factory=list)
    phase_users: dict[str, str] = field(default_factory=dict)
    batch_buildspecs: list[Node] = field(default_factory=list)
    """The `buildspec:` scalars of batch tasks and of build-matrix.dynamic: other buildspec
    files of the same source, which the batch's builds run."""

    def defined(self, *sections: str) -> dict[str, EnvEntry]:
        """Env entries by name from the given sections (variables, parameter-store, ...)."""
        return {entry.name: entry for entry in self.env if entry.section in sections}


def build_model(document: Document) -> BuildModel:
    root = document.root
    version = _version(root.get("version"))
    top_user = _scalar_text(root.get("run-as")) or DEFAULT_USER
    steps: list[Step] = []
    users: dict[str, str] = {}
    phases = root.get("phases")
    if phases is not None and phases.kind == "mapping":
        for phase in PHASES:
            phase_node = phases.get(phase)
            if phase_node is None or phase_node.kind != "mapping":
                continue
            user = _scalar_text(phase_node.get("run-as")) or top_user
            users[phase] = user
            for section in SECTIONS:
                commands = phase_node.get(section)
                if commands is None or commands.kind != "sequence":
                    continue
                for index, item in enumerate(commands.items):
                    if item.kind == "scalar" and item.value is not None:
                        steps.append(Step(phase, section, index, user, item, str(item.value)))
    return BuildModel(
        version=version,
        steps=steps,
        env=_env_entries(root),
        batch_tasks=_batch_tasks(root),
        phase_users=users,
        batch_buildspecs=_batch_buildspecs(root),
    )


def _batch_buildspecs(root: Node) -> list[Node]:
    """`batch.build-list[].buildspec`, `build-graph[].buildspec`, `build-matrix.dynamic.buildspec`."""
    batch = root.get("batch")
    if batch is None or batch.kind != "mapping":
        return []
    found: list[Node] = []
    for kind in ("build-graph", "build-list"):
        listing = batch.get(kind)
        if listing is not None and listing.kind == "sequence":
            for item in listing.items:
                named = item.get("buildspec") if item.kind == "mapping" else None
                if named is not None:
                    found.append(named)
    matrix = batch.get("build-matrix")
    dynamic = matrix.get("dynamic") if matrix is not None and matrix.kind == "mapping" else None
    named = dynamic.get("buildspec") if dynamic is not None and dynamic.kind == "mapping" else None
    if named is not None:
        found.extend(named.items if named.kind == "sequence" else [named])
    return [node for node in found if node.kind == "scalar" and isinstance(node.value, str)]


def _version(node: Node | None) -> str | None:
    if node is None or node.kind != "scalar" or node.value is None:
        return None
    return str(node.value)


def _scalar_text(node: Node | None) -> str | None:
    if node is None or node.kind != "scalar" or node.value is None:
        return None
    return str(node.value)


def _string(node: Node | None) -> str | None:
    """A string scalar's value; other types are schema errors, not images or paths."""
    if node is None or node.kind != "scalar" or not isinstance(node.value, str):
        return None
    return node.value


ENV_SECTIONS = ("variables", "parameter-store", "secrets-manager")


def _env_entries(root: Node) -> list[EnvEntry]:
    entries: list[EnvEntry] = []
    env = root.get("env")
    if env is not None and env.kind == "mapping":
        for section in ENV_SECTIONS:
            mapping = env.get(section)
            if mapping is None or mapping.kind != "mapping":
                continue
            for key, value in mapping.pairs:
                entries.append(EnvEntry(str(key.value), section, key, value))
    legacy = root.get("environment_variables")
    if legacy is not None and legacy.kind == "mapping":
        plaintext = legacy.get("plaintext")
        if plaintext is not None and plaintext.kind == "mapping":
            for key, value in plaintext.pairs:
                entries.append(EnvEntry(str(key.value), "variables", key, value))
    return entries


def _batch_tasks(root: Node) -> list[BatchTask]:
    batch = root.get("batch")
    if batch is None or batch.kind != "mapping":
        return []
    tasks: list[BatchTask] = []
    for kind in ("build-graph", "build-list"):
        listing = batch.get(kind)
        if listing is None or listing.kind != "sequence":
            continue
        for item in listing.items:
            if item.kind != "mapping":
                continue
            env = item.get("env")
            image = env.get("image") if env is not None and env.kind == "mapping" else None
            tasks.append(
                BatchTask(
                    identifier=_scalar_text(item.get("identifier")) or "?",
                    image=_string(image),
                    image_node=image,
                    buildspec=_scalar_text(item.get("buildspec")),
                )
            )
    matrix = batch.get("build-matrix")
    if matrix is not None and matrix.kind == "mapping":
        for part in ("static", "dynamic"):
            section = matrix.get(part)
            env = section.get("env") if section is not None and section.kind == "mapping" else None
            image = env.get("image") if env is not None and env.kind == "mapping" else None
            if image is None:
                continue
            images = image.items if part == "dynamic" and image.kind == "sequence" else [image]
            for node in images:
                tasks.append(BatchTask(f"build-matrix {part}", _string(node), node, None))
    return tasks


class LazyOffsets(Sequence[int]):
    """`value_offsets` of one scalar, computed on first use: most commands run no docker,
    and only findings need to know where their words are written."""

    __slots__ = ("_document", "_node", "_offsets")

    def __init__(self, document: Document, node: Node) -> None:
        self._document = document
        self._node = node
        self._offsets: Sequence[int] | None = None

    def _computed(self) -> Sequence[int]:
        if self._offsets is None:
            self._offsets = value_offsets(self._document, self._node)
        return self._offsets

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        return self._computed()[index]

    def __len__(self) -> int:
        return len(self._computed())


def value_offsets(document: Document, node: Node) -> Sequence[int]:
    """For each character of a scalar's value, the offset of its source character.

    The value is matched greedily against the node's source text: quotes, escapes, block
    indicators and indentation are skipped, a folded line break matches any whitespace.
    One extra entry maps the end of the value.
    """
    value = str(node.value)
    source = document.text[node.start : node.end]
    # The common cases, with the offsets the greedy match below would give: a plain scalar
    # written as its value, and a quoted one without escapes.
    if source == value:
        return range(node.start, node.start + len(value) + 1)
    if (
        len(source) == len(value) + 2
        and source[0] in "'\""
        and source[-1] == source[0]
        and source[1:-1] == value
        and not value.startswith(source[0])
    ):
        return range(node.start + 1, node.start + len(value) + 2)
    offsets: list[int] = []
    cursor = 0
    index = 0
    size = len(value)
    while index < size:
        # Where the rest of a value line is written as it is (a block scalar's line after
        # its indentation), each character matches the next one: take the line at once.
        line_end = value.find("\n", index) + 1 or size
        if source.startswith(value[index:line_end], cursor):
            start = node.start + cursor
            offsets.extend(range(start, start + line_end - index))
            cursor += line_end - index
            index = line_end
            continue
        char = value[index]
        index += 1
        limit = min(len(source), cursor + 64)
        if char in " \n":  # a space or line break of the value matches any source whitespace
            probe = cursor
            while probe < limit and source[probe] not in " \t\r\n":
                probe += 1
        else:
            probe = source.find(char, cursor, limit)
            probe = limit if probe < 0 else probe
        if probe < limit:
            offsets.append(node.start + probe)
            cursor = probe + 1
        else:
            offsets.append(node.start + min(cursor, max(len(source) - 1, 0)))
    offsets.append(node.start + min(cursor, len(source)))
    return offsets
