"""What a Dockerfile pulls: `FROM` bases, `COPY --from` and `RUN --mount from=` images, and
the `# syntax` frontend image.

Parsing is BuildKit's own (the `dockerfile` package wraps its Go parser); this module adds the
parts the parser leaves to the builder: parser directives, global `ARG` substitution in image
names, and telling stage names from images.

`target` is accepted but not used: BuildKit skips stages the target does not need, the classic
builder builds them all, so every stage is reported (the conservative answer).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from hubspec.docker._expand import Expansion, Value, expand
from hubspec.docker.images import SCRATCH, known_repository, parse_image
from hubspec.records import record

if TYPE_CHECKING:
    import dockerfile as _parser

PLATFORM_ARGS: frozenset[str] = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)
"""ARGs BuildKit defines in the global scope from the build and target platforms."""

SYNTAX_BUILD_ARG = "BUILDKIT_SYNTAX"
"""`--build-arg BUILDKIT_SYNTAX=image` overrides the `# syntax` directive."""

_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_BOM = "\ufeff"


@record
class DockerfilePull:
    """One image the build fetches from a registry.

    `exact` is False when only the repository is known (`FROM node:${TAG}` with TAG unknown):
    `image` is then the repository (`node`), which is enough to tell the registry.
    `default_args` names the ARGs whose Dockerfile default went into `image`; a `--build-arg`
    the caller could not see may override them.
    """

    image: str
    line: int
    instruction: str
    exact: bool = True
    default_args: tuple[str, ...] = ()


@record
class DockerfileProblem:
    """Something that stops us from knowing what a line pulls, or a Dockerfile error."""

    line: int
    message: str


@record
class _Directives:
    syntax: str | None
    syntax_line: int
    escape: str


def _scan_directives(lines: list[str], first: int, comment: str) -> dict[str, tuple[str, int]]:
    """BuildKit's DirectiveParser: stop at the first line that is not a known directive."""
    found: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(lines[first:], start=first + 1):
        line = raw.rstrip("\r")
        if not line.startswith(comment):
            break
        match = _DIRECTIVE.fullmatch(line[len(comment) :].lstrip())
        if match is None:
            break
        key = match.group(1).lower()
        if key not in _KNOWN_DIRECTIVES or key in found:
            break
        found[key] = (match.group(2), number)
    return found


def _directives(text: str) -> _Directives:
    """Parser directives as BuildKit reads them, from the leading comment block only.

    A leading `#!` line is skipped; `// syntax=` counts only when no `# syntax=` exists (that is
    how BuildKit's DetectSyntax falls back); `escape` exists only in the `#` form.
    """
    lines = text.removeprefix(_BOM).split("\n")
    first = 1 if lines and lines[0].startswith("#!") else 0
    found = _scan_directives(lines, first, "#")
    syntax = found.get("syntax") or _scan_directives(lines, first, "//").get("syntax")
    escape = found.get("escape", ("\\", 0))[0]
    return _Directives(
        syntax=syntax[0].split(" ", 1)[0] if syntax else None,
        syntax_line=syntax[1] if syntax else 0,
        escape=escape if escape in ("\\", "`") else "\\",
    )


@record
class _Arg:
    """A declared ARG: its value (None = unset), where it came from, and why it is unknown."""

    value: Value | None
    from_default: bool
    reason: str


def _context_key(text: str) -> str:
    """How BuildKit names a context for an image: the familiar form without `:latest`."""
    ref = parse_image(text)
    if ref is None:
        return text.lower()
    return ref.familiar.removesuffix(":latest")


def _mount_sources(flag: str) -> list[str]:
    """The `from=` values of a `--mount=` flag (a CSV list of key=value)."""
    spec = flag.split("=", 1)[1] if "=" in flag else ""
    import csv  # only for `--mount` style key=value lists

    try:
        rows = list(csv.reader([spec]))
    except csv.Error:
        return []
    out: list[str] = []
    for field in rows[0] if rows else []:
        key, sep, value = field.partition("=")
        if sep and key.strip().lower() == "from":
            out.append(value)
    return out


class _Analysis:
    """One pass over the instructions, collecting pulls and problems."""

    def __init__(
        self,
        build_args: Mapping[str, str | None],
        named_contexts: Collection[str],
        escape: str,
    ) -> None:
        self.build_args = build_args
        self.contexts = frozenset(_context_key(name) for name in named_contexts)
        self.escape = escape
        self.pulls: list[DockerfilePull] = []
        self.problems: list[DockerfileProblem] = []
        self.global_args: dict[str, _Arg] = {}
        self.stage_args: dict[str, _Arg] | None = None
        self.used_defaults: list[str] = []
        self.line = 0

    # -- ARG scopes -------------------------------------------------------------------------

    @property
    def scope(self) -> dict[str, _Arg]:
        return self.global_args if self.stage_args is None else self.stage_args

    def lookup(self, name: str) -> Value | None:
        arg = self.scope.get(name)
        if arg is not None:
            if arg.from_default and name not in self.used_defaults:
                self.used_defaults.append(name)
            return arg.value
        if name in PLATFORM_ARGS and self.stage_args is None:
            return Value.unknown(f"${{{name}}}")
        return None

    def unset_plain(self, name: str) -> Value:
        if name in self.scope:
            return Value.unknown(f"${{{name}}}")
        where = "before the first FROM" if self.stage_args is None else "in this stage"
        self.problem(
            f"${name} is not declared by an ARG {where}: BuildKit expands it to an empty string"
        )
        return Value()

    def describe(self, name: str) -> str:
        arg = self.scope.get(name)
        if arg is not None:
            return arg.reason
        if name in PLATFORM_ARGS:
            return f"{name}, which BuildKit sets from the build or target platform"
        return f"${name}, which is not known statically"

    def declare(self, token: str) -> None:
        """`ARG NAME[=default]`: a --build-arg wins over the default."""
        name, sep, default = token.partition("=")
        scope = self.scope
        if name in self.build_args:
            given = self.build_args[name]
            if given is None:
                reason = (
                    f"ARG {name}, which takes its value from the environment "
                    f"(--build-arg {name} without a value)"
                )
                scope[name] = _Arg(Value.unknown(f"${{{name}}}"), False, reason)
            else:
                scope[name] = _Arg(Value.of(given), False, f"ARG {name}")
            return
        if sep:
            expansion = self.expand(default)
            inner = ", ".join(self.describe(n) for n in expansion.unknown)
            reason = f"ARG {name}, whose default depends on {inner}" if inner else f"ARG {name}"
            scope[name] = _Arg(expansion.value, True, reason)
            return
        if self.stage_args is not None and name in self.global_args:
            scope[name] = self.global_args[name]
        elif name in PLATFORM_ARGS and self.stage_args is not None:
            scope[name] = _Arg(Value.unknown(f"${{{name}}}"), False, self.describe(name))
        elif name not in scope:
            reason = f"ARG {name}, which has no default and no --build-arg"
            scope[name] = _Arg(None, False, reason)

    def expand(self, word: str) -> Expansion:
        result = expand(word, self.lookup, self.unset_plain, escape=self.escape)
        for error in result.errors:
            self.problem(error)
        return result

    # -- reporting --------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        self.problems.append(DockerfileProblem(self.line, message))

    def not_pulled(self, text: str, stages: Collection[str], numbered: bool) -> bool:
        """A stage (by name, or by index for `--from`), scratch, or a named build context."""
        if text.lower() in stages or (numbered and text.isdigit()) or text == SCRATCH:
            return True
        return _context_key(text) in self.contexts

    def image(self, word: str, instruction: str, stages: Collection[str], numbered: bool) -> None:
        """Report the image named by `word`, unless it is a stage, scratch or a named context."""
        self.used_defaults = []
        expansion = self.expand(word)
        value = expansion.value
        defaults = tuple(self.used_defaults)
        if not value.is_known:
            repository = known_repository(value.prefix)
            if repository is None:
                reasons = " and ".join(self.describe(name) for name in expansion.unknown)
                self.problem(f"{instruction} {word} uses {reasons or 'an unknown value'}")
            else:
                self.pulls.append(
                    DockerfilePull(repository, self.line, instruction, False, defaults)
                )
            return
        text = value.text
        if not text:
            self.problem(f"{instruction} {word} expands to an empty image name")
        elif self.not_pulled(text, stages, numbered):
            return
        elif parse_image(text) is None:
            self.problem(f"{instruction} {word}: {text!r} is not a valid image reference")
        else:
            self.pulls.append(DockerfilePull(text, self.line, instruction, True, defaults))


@record
class _Instruction:
    """The parts of a parsed command we use, with the Go side's nils made strings."""

    name: str
    flags: tuple[str, ...]
    value: tuple[str, ...]
    line: int

    @staticmethod
    def of(command: _parser.Command) -> _Instruction:
        return _Instruction(
            name=(command.cmd or "").upper(),
            flags=tuple(flag or "" for flag in command.flags or ()),
            value=tuple(word or "" for word in command.value or ()),
            line=max(int(command.start_line or 1), 1),
        )


@lru_cache(maxsize=256)
def parse_instructions(text: str) -> tuple[_Instruction, ...] | str:
    """BuildKit's parse of a Dockerfile (or why it failed), once per text in a process.

    The same Dockerfile is often used by several buildspecs of a repository, and `fix`
    lints each buildspec again after editing it; the parse (a call into Go) is not repeated.
    The Go-backed `dockerfile` package is imported here, on first use: loading it starts the
    Go runtime's threads, after which the process must not fork (see hubspec.run.runner).
    """
    import dockerfile as parser

    try:
        parsed = parser.parse_string(_safe_for_parser(text))
        return tuple(_Instruction.of(command) for command in parsed)
    except (parser.GoParseError, ValueError) as error:
        return str(error)


def _safe_for_parser(text: str) -> str:
    """Make `text` safe to hand to the Go parser.

    The binding passes a C string: a lone surrogate (text decoded with surrogateescape) crashes
    the process and a NUL silently ends the file, so both become U+FFFD (lines are kept).
    """
    safe = text.encode("utf-8", errors="replace").decode("utf-8")
    return safe.replace("\x00", "\ufffd")


def _stage_names(instructions: Sequence[_Instruction]) -> frozenset[str]:
    names: set[str] = set()
    for instruction in instructions:
        value = instruction.value
        if instruction.name == "FROM" and len(value) == 3 and value[1].lower() == "as":
            names.add(value[2].lower())
    return frozenset(names)


def _syntax_pull(
    directives: _Directives, build_args: Mapping[str, str | None]
) -> tuple[list[DockerfilePull], list[DockerfileProblem]]:
    """The frontend image: `--build-arg BUILDKIT_SYNTAX` first, else the `# syntax` directive."""
    line = directives.syntax_line or 1
    if SYNTAX_BUILD_ARG in build_args:
        image = build_args[SYNTAX_BUILD_ARG]
        instruction = f"--build-arg {SYNTAX_BUILD_ARG}"
        if image is None:
            message = f"{instruction} takes its value from the environment"
            return [], [DockerfileProblem(line, message)]
        if not image:
            return [], []
    elif directives.syntax is not None:
        image, instruction = directives.syntax, "# syntax"
    else:
        return [], []
    if parse_image(image) is None:
        message = f"{instruction}={image}: not a valid image reference"
        return [], [DockerfileProblem(line, message)]
    return [DockerfilePull(image, line, instruction)], []


def dockerfile_pulls(
    text: str,
    build_args: Mapping[str, str | None],
    target: str | None = None,
    *,
    named_contexts: Collection[str] = (),
) -> tuple[list[DockerfilePull], list[DockerfileProblem]]:
    """Every image a build of `text` pulls, in file order, and what could not be resolved.

    `build_args` are the `--build-arg` values (None: taken from the environment, so unknown).
    `named_contexts` are `--build-context` names: a `FROM`/`--from` naming one uses that
    context instead (the CLI side reports `docker-image://` sources itself). With `target`,
    only the stages that target needs are built (BuildKit, the default builder since Docker
    23, skips the others), so pulls of unneeded stages are dropped.
    """
    directives = _directives(text)
    pulls, problems = _syntax_pull(directives, build_args)
    instructions = parse_instructions(text)
    if isinstance(instructions, str):
        problems.append(DockerfileProblem(1, f"the Dockerfile does not parse: {instructions}"))
        return pulls, problems
    analysis = _Analysis(build_args, named_contexts, directives.escape)
    all_stages = _stage_names(instructions)
    earlier: list[str] = []
    for instruction in instructions:
        analysis.line = instruction.line
        name = instruction.name
        if name == "ARG":
            for token in instruction.value:
                analysis.declare(token)
        elif name == "FROM":
            _from(analysis, instruction, earlier)
        elif name == "COPY" and analysis.stage_args is not None:
            for flag in instruction.flags:
                if flag.lower().startswith("--from="):
                    analysis.image(flag[len("--from=") :], "COPY --from", all_stages, True)
        elif name == "RUN" and analysis.stage_args is not None:
            for flag in instruction.flags:
                if flag.lower().startswith("--mount="):
                    for source in _mount_sources(flag):
                        analysis.image(source, "RUN --mount", all_stages, True)
    found = analysis.pulls
    if target is not None:
        needed = _needed_lines(instructions, target)
        if needed is not None:
            found = [pull for pull in found if pull.line in needed]
    return pulls + found, problems + analysis.problems


def _needed_lines(instructions: Sequence[_Instruction], target: str) -> set[int] | None:
    """Lines of the stages `target` depends on (by FROM, COPY --from, RUN --mount from=).

    None when the target is not a stage name (then every stage counts, as before).
    """
    stages: list[tuple[str, str, list[_Instruction]]] = []
    for instruction in instructions:
        if instruction.name == "FROM":
            value = instruction.value
            name = value[2].lower() if len(value) == 3 and value[1].lower() == "as" else ""
            stages.append((name, value[0].lower() if value else "", [instruction]))
        elif stages:
            stages[-1][2].append(instruction)
    index = {name: position for position, (name, _, _) in enumerate(stages) if name}
    start = index.get(target.lower())
    if start is None:
        return None
    needed: set[int] = set()
    todo = [start]
    while todo:
        position = todo.pop()
        if position in needed:
            continue
        needed.add(position)
        _, base, body = stages[position]
        references = [base]
        for instruction in body:
            for flag in instruction.flags:
                lowered = flag.lower()
                if lowered.startswith("--from="):
                    references.append(lowered[len("--from=") :])
                elif lowered.startswith("--mount="):
                    references.extend(source.lower() for source in _mount_sources(flag))
        for reference in references:
            if reference in index:
                todo.append(index[reference])
            elif reference.isdigit() and int(reference) < len(stages):
                todo.append(int(reference))
    return {instruction.line for position in needed for instruction in stages[position][2]}


def _from(analysis: _Analysis, instruction: _Instruction, earlier: list[str]) -> None:
    """`FROM image [AS name]`: only global ARGs are visible, and earlier stages."""
    value = instruction.value
    named = len(value) == 3 and value[1].lower() == "as"
    analysis.stage_args = None
    if not value or (len(value) != 1 and not named):
        analysis.problem("FROM requires either one or three arguments (FROM image [AS name])")
    else:
        analysis.image(value[0], "FROM", frozenset(earlier), False)
    if named:
        earlier.append(value[2].lower())
    analysis.stage_args = {}
