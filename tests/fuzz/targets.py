"""Fuzz targets and input strategies (hypothesis) for hubspec's readers and its fix engine.

Each target takes one generated input and runs one part of hubspec on it. A target fails when
the code under test raises (hubspec promises never to crash on a user's file) or breaks an
invariant noted in the target. Inputs are either generated from a token grammar (YAML-ish
text, shell, Dockerfiles, compose files) or real files (fixtures, and the corpus when it is
beside the checkout) mutated by byte flips, truncations, deletions, duplicated lines, splices
and inserted quotes, brackets, colons, tabs, anchors and shell metacharacters.

Used by tests/test_reliability_fuzz.py (bounded, in CI) and tests/fuzz/run_long.py (by hand).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from hubspec.docker.compose import read_compose
from hubspec.docker.dockerfile import dockerfile_pulls
from hubspec.docker.dotenv import read_dotenv
from hubspec.events.pnpm import FilterError, Project, selected
from hubspec.events.workspaces import WorkspaceError, workspace_folders, workspace_patterns
from hubspec.fix import fix_bytes
from hubspec.lint.pipeline import lint_bytes
from hubspec.load.document import parse
from hubspec.load.source import YamlProblem, decode
from hubspec.shell import walk as shell

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
MAX_SEED_BYTES = 16 * 1024
SOURCE_ROOT = Path("/hubspec-fuzz-source-root")


# ---------------------------------------------------------------------------------------------
# Seeds: real files from the fixtures and the corpus.


def _files(patterns: tuple[str, ...]) -> list[bytes]:
    found: list[bytes] = []
    for base in (FIXTURES, CORPUS):
        if not base.is_dir():
            continue
        for pattern in patterns:
            for path in sorted(base.rglob(pattern)):
                if path.is_file() and path.stat().st_size <= MAX_SEED_BYTES:
                    found.append(path.read_bytes())
    return found or [b"version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull x\n"]


@cache
def buildspec_seeds() -> tuple[bytes, ...]:
    return tuple(_files(("buildspec*.yml", "buildspec*.yaml")))


@cache
def dockerfile_seeds() -> tuple[bytes, ...]:
    return tuple(_files(("Dockerfile*", "*.Dockerfile", "dockerfile")))


@cache
def compose_seeds() -> tuple[bytes, ...]:
    return tuple(_files(("*compose*.yml", "*compose*.yaml")))


@cache
def command_seeds() -> tuple[str, ...]:
    """The list items of every seed buildspec, as shell commands."""
    commands: set[str] = set()
    for data in buildspec_seeds():
        for line in data.decode("utf-8", errors="replace").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and len(stripped) > 3:
                commands.add(stripped[2:].strip().strip("'\""))
    return tuple(sorted(commands)) or ("docker pull node:20",)


# ---------------------------------------------------------------------------------------------
# Mutations.

INSERTS: tuple[bytes, ...] = (
    b"'",
    b'"',
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b": ",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"  ",
    b"- ",
    b"? ",
    b"&a ",
    b"*a",
    b"*b",
    b"<<: *a\n",
    b"!!str ",
    b"!Ref ",
    b"|\n",
    b">-\n",
    b"#",
    b"\\",
    b"$(",
    b")",
    b"`",
    b"${",
    b"$'",
    b"bash -c '",
    b'sh -c "',
    b"eval ",
    b"<<EOF\n",
    b"&& ",
    b"| ",
    b"; ",
    b"docker pull node:20",
    b"docker build -f Dockerfile .",
    b"docker compose up",
    b"docker login -u u -p p",
    b"\xef\xbb\xbf",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xa8",
    b"\xf0\x9f\x90\xb3",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"version: 0.2\n",
    b"phases:\n",
    b"env:\n  variables:\n",
    b"run-as: builder\n",
    b"commands:\n",
    b"finally:\n",
    b"FROM ",
    b"ARG ",
    b"${TAG:-latest}",
    b"--from=",
)

_position = st.integers(min_value=0, max_value=1 << 20)
_mutation = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(0, 255)),
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("insert"), _position, st.sampled_from(INSERTS)),
    st.tuples(st.just("delete"), _position, st.integers(1, 32)),
    st.tuples(st.just("dupline"), _position, st.integers(1, 4)),
    st.tuples(st.just("swaplines"), _position, _position),
    st.tuples(st.just("indent"), _position, st.sampled_from((b" ", b"  ", b"\t", b""))),
    st.tuples(st.just("splice"), _position, st.binary(max_size=24)),
)


def mutate(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    """Apply mutation operations (from the `_mutation` strategy) to `data`."""
    buf = bytearray(data)
    for op in ops:
        kind = op[0]
        at = op[1] % (len(buf) + 1)
        if kind == "flip" and buf:
            buf[min(at, len(buf) - 1)] = op[2]
        elif kind == "truncate":
            del buf[at:]
        elif kind == "insert":
            buf[at:at] = op[2]
        elif kind == "delete":
            del buf[at : at + op[2]]
        elif kind in ("dupline", "swaplines", "indent"):
            lines = bytes(buf).split(b"\n")
            i = op[1] % len(lines)
            if kind == "dupline":
                lines[i:i] = [lines[i]] * op[2]
            elif kind == "swaplines":
                j = op[2] % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = op[2] + lines[i]
            buf = bytearray(b"\n".join(lines))
        elif kind == "splice":
            buf[at:at] = op[2]
    return bytes(buf)


def mutated(seeds: Callable[[], tuple[bytes, ...]], max_ops: int = 6) -> st.SearchStrategy[bytes]:
    return st.builds(
        mutate,
        st.integers(min_value=0).map(lambda i: seeds()[i % len(seeds())]),
        st.lists(_mutation, max_size=max_ops),
    )


# ---------------------------------------------------------------------------------------------
# Grammars.

YAML_TOKENS: tuple[str, ...] = (
    "version",
    "0.2",
    "0.1",
    "phases",
    "install",
    "pre_build",
    "build",
    "post_build",
    "commands",
    "finally",
    "run-as",
    "on-failure",
    "env",
    "variables",
    "parameter-store",
    "secrets-manager",
    "exported-variables",
    "shell",
    "batch",
    "build-graph",
    "build-list",
    "build-matrix",
    "identifier",
    "artifacts",
    "files",
    "cache",
    "paths",
    "reports",
    "proxy",
    "git-credential-helper",
    ":",
    ": ",
    "- ",
    "-",
    "  ",
    "    ",
    "\t",
    "\n",
    "\r\n",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "'",
    '"',
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "!!str ",
    "!!binary ",
    "!custom ",
    "? ",
    "|",
    "|-",
    ">",
    ">+",
    "# c",
    "---",
    "...",
    "yes",
    "no",
    "~",
    "null",
    "0x1F",
    "1e3",
    ".inf",
    "2024-01-01",
    "\\",
    "%",
    "@",
    "docker pull node:20",
    "docker run alpine",
    "docker build .",
    "docker login -u u -p hunter2",
    'echo "$T" | docker login -u u --password-stdin',
    "bash -c 'docker pull redis'",
    "docker compose up",
    "$(docker pull a)",
    "${X:-y}",
    "é",
    "\u2028",
    "\U0001f433",
)

SHELL_TOKENS: tuple[str, ...] = (
    "docker",
    " pull ",
    " run ",
    " build ",
    " login ",
    " logout ",
    " compose ",
    " buildx ",
    "bake",
    "-t ",
    "-f ",
    "--build-arg ",
    "--platform=linux/amd64 ",
    "node:20",
    "alpine",
    "redis:7",
    "public.ecr.aws/x/y",
    "123.dkr.ecr.us-east-1.amazonaws.com/a",
    "index.docker.io",
    "docker.io/library/x",
    ".",
    " ",
    "\n",
    "\t",
    ";",
    "&&",
    "||",
    "|",
    "&",
    "(",
    ")",
    "{ ",
    " }",
    "$(",
    "`",
    "'",
    '"',
    "$'",
    '$"',
    "\\",
    "\\\n",
    "$",
    "${",
    "}",
    "${X:-",
    "${#X}",
    "${X//a/b}",
    "$((1+2))",
    "$X",
    "$@",
    "$1",
    "X=",
    "export ",
    "declare -x ",
    "read ",
    "cd ",
    "pushd ",
    "sudo -u builder ",
    "env A=b ",
    "exec ",
    "bash -c ",
    "sh -c '",
    "busybox sh -c ",
    "eval ",
    "if ",
    " then ",
    " else ",
    " fi",
    "for i in a b; do ",
    " done",
    "while true; do ",
    "case $x in a) ",
    " ;; esac",
    "function f() { ",
    "f",
    "<<EOF\n",
    "<<-'EOF'\n",
    "EOF\n",
    "<(",
    ">(",
    "> /dev/null",
    "2>&1",
    "[[ -n $X ]]",
    "[ -f x ]",
    "# comment",
    "!",
    "*",
    "?",
    "~",
    "=",
    "é",
    "\x00",
    "\ud800",
)

DOCKERFILE_TOKENS: tuple[str, ...] = (
    "FROM ",
    "from ",
    "ARG ",
    "ENV ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "--from=",
    "--mount=type=bind,from=",
    "--mount=type=cache,target=/x ",
    "--platform=$BUILDPLATFORM ",
    " AS ",
    " as ",
    "base",
    "builder",
    "node",
    ":20",
    "@sha256:" + "a" * 64,
    "alpine",
    "scratch",
    "${TAG}",
    "${TAG:-latest}",
    "${TAG:+x}",
    "$TAG",
    "${",
    "}",
    "TAG",
    "=",
    "TAG=3",
    "BASE=node",
    "${BASE}",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\\\n",
    "`\n",
    "# syntax=docker/dockerfile:1\n",
    "# escape=`\n",
    "# check=skip=all\n",
    "#!/bin/sh\n",
    "# comment\n",
    "<<EOF\n",
    "EOF\n",
    '["a", "b"]',
    "[",
    "'",
    '"',
    "\x00",
    "é",
    "\ud800",
)

COMPOSE_TOKENS: tuple[str, ...] = (
    "services",
    "version",
    "name",
    "image",
    "build",
    "context",
    "dockerfile",
    "dockerfile_inline",
    "args",
    "pull_policy",
    "profiles",
    "extends",
    "service",
    "file",
    "include",
    "path",
    "depends_on",
    "links",
    "x-common",
    "web",
    "db",
    "node:20",
    "redis",
    "${TAG}",
    "${TAG:-latest}",
    "${TAG:?unset}",
    "${TAG-}",
    "$$",
    "$",
    ":",
    ": ",
    "- ",
    "  ",
    "    ",
    "\n",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "'",
    '"',
    "&a ",
    "*a",
    "<<: *a",
    "!reset ",
    "!override ",
    "!!binary ",
    "always",
    "never",
    "build",
    "~",
    "1",
    "yes",
    "=",
    "é",
)


def grammar(tokens: tuple[str, ...], max_size: int = 120) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=max_size).map("".join)


def yamlish_text() -> st.SearchStrategy[bytes]:
    """YAML-ish text from buildspec keys, indentation, punctuation and commands."""
    return grammar(YAML_TOKENS, 200).map(lambda t: t.encode("utf-8", errors="surrogatepass"))


def buildspec_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        mutated(buildspec_seeds),
        yamlish_text(),
        st.builds(lambda a, b: a + b, mutated(buildspec_seeds, 2), yamlish_text()),
        st.binary(max_size=256),
    )


def shell_text() -> st.SearchStrategy[str]:
    return st.one_of(
        grammar(SHELL_TOKENS, 80),
        st.builds(
            lambda seed, ops: mutate(seed.encode(), ops).decode("utf-8", errors="surrogateescape"),
            st.sampled_from(command_seeds()),
            st.lists(_mutation, max_size=6),
        ),
        st.text(max_size=200),
    )


def dockerfile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        grammar(DOCKERFILE_TOKENS, 80),
        mutated(dockerfile_seeds).map(lambda b: b.decode("utf-8", errors="surrogateescape")),
        st.text(max_size=200),
    )


def compose_text() -> st.SearchStrategy[str]:
    return st.one_of(
        grammar(COMPOSE_TOKENS, 120),
        mutated(compose_seeds).map(lambda b: b.decode("utf-8", errors="surrogateescape")),
        st.text(max_size=200),
    )


DOTENV_TOKENS: tuple[str, ...] = (
    *("A", "B_1", "x", "export ", "=", ":", " ", "\t", "\n", "\r\n", "#", " #", "'", '"'),
    *("\\", '\\"', "\\n", "$", "$$", "${", "}", "${A}", "${B_1:-d}", "${A:?e}", "$A", "${A:-${"),
    *("a b", "é", "\x00"),
)


def dotenv_text() -> st.SearchStrategy[str]:
    return st.one_of(grammar(DOTENV_TOKENS, 80), st.text(max_size=200))


_arg_names = st.sampled_from(("TAG", "BASE", "BUILDKIT_SYNTAX", "X", "TARGETPLATFORM", ""))
build_args = st.dictionaries(_arg_names, st.one_of(st.none(), st.text(max_size=30)), max_size=4)
compose_env = st.dictionaries(
    st.sampled_from(("TAG", "BASE", "X", "COMPOSE_PROJECT_NAME")), st.text(max_size=30), max_size=4
)


PHASES = ("install", "pre_build", "build", "post_build")
PULLS = (
    "docker pull node:20",
    "docker run --rm alpine echo hi",
    "docker build -t app .",
    "docker build -f Dockerfile -t app .",
    "docker compose up -d",
    "docker-compose pull",
    "docker buildx build --platform linux/amd64 -t app .",
    "bash -c 'docker pull redis:7'",
    "sudo -u builder docker pull python:3.12",
    "for i in a b; do docker pull busybox; done",
    "docker pull $IMAGE",
    "docker login -u user -p hunter2 && docker pull alpine",
    'echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin',
)


def _yaml_scalar(text: str, style: str, indent: str) -> str:
    if style == "double":
        import json

        return json.dumps(text)
    if style == "single":
        return "'" + text.replace("'", "''").replace("\n", " ") + "'"
    if style in ("|", ">-"):
        return style + "\n" + "\n".join(indent + "  " + line for line in text.split("\n"))
    return text


@st.composite
def structured_buildspec(draw: st.DrawFn) -> bytes:
    """A block-style 0.2 buildspec of varied layout whose commands pull, log in and more."""
    unit = " " * draw(st.sampled_from((2, 4)))
    dash = draw(st.sampled_from(("", unit)))
    newline = draw(st.sampled_from(("\n", "\r\n")))
    command = st.one_of(st.sampled_from(PULLS), st.sampled_from(command_seeds()), shell_text())
    lines = [draw(st.sampled_from(("version: 0.2", "version: '0.2'", 'version: "0.2"')))]
    env = draw(st.sampled_from(("none", "variables", "parameter-store", "shell", "flow")))
    if env == "variables":
        lines += ["env:", f"{unit}variables:", f"{unit}{unit}IMAGE: node:20"]
    elif env == "parameter-store":
        lines += ["env:", f"{unit}parameter-store:", f"{unit}{unit}HUB_TOKEN: /hub/token"]
    elif env == "shell":
        lines += ["env:", f"{unit}shell: bash"]
    elif env == "flow":
        lines += ["env: {variables: {IMAGE: node:20}}"]
    lines.append("phases:")
    phases = draw(st.lists(st.sampled_from(PHASES), min_size=1, max_size=4, unique=True))
    for phase in phases:
        lines.append(f"{unit}{phase}:")
        if draw(st.booleans()):
            lines.append(f"{unit}{unit}run-as: {draw(st.sampled_from(('root', 'builder')))}")
        for section in draw(st.sampled_from((("commands",), ("commands", "finally")))):
            lines.append(f"{unit}{unit}{section}:")
            if draw(st.integers(0, 9)) == 0:
                items = draw(st.lists(st.sampled_from(PULLS), min_size=1, max_size=3))
                lines[-1] += " [" + ", ".join(_yaml_scalar(i, "double", "") for i in items) + "]"
                continue
            for item in draw(st.lists(command, min_size=1, max_size=4)):
                style = draw(st.sampled_from(("plain", "double", "single", "|", ">-")))
                indent = f"{unit}{unit}{dash}"
                lines.append(f"{indent}- {_yaml_scalar(item, style, indent)}")
                if draw(st.integers(0, 5)) == 0:
                    lines.append(f"{indent}# a comment")
    if draw(st.booleans()):
        lines += ["artifacts:", f"{unit}files:", f"{unit}{dash}- '**/*'"]
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    bom = "\ufeff" if draw(st.integers(0, 9)) == 0 else ""
    data = (bom + text).encode("utf-8", errors="surrogatepass")
    return mutate(data, draw(st.lists(_mutation, max_size=2))) if draw(st.booleans()) else data


@st.composite
def fix_case(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    """A buildspec and the files beside it (Dockerfile, compose files) the reader serves."""
    data = draw(st.one_of(structured_buildspec(), structured_buildspec(), buildspec_bytes()))
    referenced: dict[str, str] = {}
    if draw(st.booleans()):
        referenced["Dockerfile"] = draw(dockerfile_text())
    if draw(st.booleans()):
        name = draw(st.sampled_from(("docker-compose.yml", "compose.yaml")))
        referenced[name] = draw(compose_text())
    return data, referenced


# ---------------------------------------------------------------------------------------------
# Targets.


@dataclass
class Stats:
    """What a run of the targets did: executions, the slowest input, the last input seen."""

    executions: int = 0
    slowest: float = 0.0
    slowest_input: Any = None
    last_input: Any = None
    last_failure: tuple[Any, str] | None = None
    timings: list[float] = field(default_factory=list)


STATS: dict[str, Stats] = {}
HOOKS: list[Callable[[str, Any], None]] = []
"""Called with (target, input) before each execution (run_long saves inputs for crashes)."""


def _track(name: str, value: Any, work: Callable[[], None]) -> None:
    stats = STATS.setdefault(name, Stats())
    stats.executions += 1
    stats.last_input = value
    for hook in HOOKS:
        hook(name, value)
    start = time.perf_counter()
    try:
        work()
    except BaseException as error:
        stats.last_failure = (value, f"{type(error).__name__}: {error}")
        raise
    finally:
        elapsed = time.perf_counter() - start
        if elapsed > stats.slowest:
            stats.slowest, stats.slowest_input = elapsed, value


def target_load(data: bytes) -> None:
    """document.decode + parse: a Document or a YamlProblem with an offset inside the text."""

    def work() -> None:
        decoded = decode(data)
        if decoded.problem is not None:
            assert 0 <= decoded.problem.offset <= len(decoded.text), decoded.problem
            return
        result = parse("buildspec.yml", decoded)
        if isinstance(result, YamlProblem):
            assert 0 <= result.offset <= len(decoded.text), result
            assert result.message
        else:
            assert isinstance(result.data, dict)

    _track("load", data, work)


def target_shell(script: str) -> None:
    """shell.analyse: never raises; commands and errors have offsets inside the script."""

    def work() -> None:
        result = shell.analyse(script, shell.ShellState(), max_nesting=4)
        for command in result.commands:
            assert 0 <= command.start <= command.end <= len(script) + 1, command
        for offset, message in result.errors:
            assert 0 <= offset <= len(script) + 1 and message

    _track("shell", script, work)


def target_dockerfile(case: tuple[str, dict[str, str | None]]) -> None:
    """dockerfile_pulls: never raises, whatever the text and the build args."""
    text, args = case

    def work() -> None:
        pulls, problems = dockerfile_pulls(text, args)
        for pull in pulls:
            assert pull.image and pull.line >= 0
        for problem in problems:
            assert problem.message

    _track("dockerfile", case, work)


def target_compose(case: tuple[str, dict[str, str]]) -> None:
    """read_compose: never raises."""
    text, env = case

    def work() -> None:
        found = read_compose(text, env)
        for service in found.services:
            assert isinstance(service.name, str)
            assert all(isinstance(name, str) for name in service.depends_on)
        for problem in found.problems:
            assert problem.message
        for path, line in found.includes:
            assert path and line >= 1

    _track("compose", case, work)


def target_dotenv(case: tuple[str, dict[str, str]]) -> None:
    """read_dotenv: never raises; every value is text or None, a problem names a line of it."""
    text, env = case

    def work() -> None:
        values, problem = read_dotenv(text, env)
        assert all(value is None or isinstance(value, str) for value in values.values())
        if problem is not None:
            line, message = problem
            assert 1 <= line <= text.count("\n") + 1 and message

    _track("dotenv", case, work)


PATTERN_TOKENS: tuple[str, ...] = (
    *("apps", "libs", ".hidden", "node_modules", "a", "b", "/", "./", "../", "!", "!!"),
    *("*", "**", "?", "[", "]", "[!a]", "[^b]", "[a-z]", "[z-a]", "{", "}", ",", "{a,b}"),
    *("+(", "@(", ")", "|", "\\", " ", "é", "\x00"),
)
WORKSPACE_TREE = (
    "apps/a",
    "apps/b",
    "apps/.hidden",
    "apps/a/node_modules",
    "libs/a/b",
    "libs/b",
    ".hidden",
)


def _tree_folders(folder: str) -> tuple[tuple[str, bool], ...]:
    prefix = "" if folder == "." else folder + "/"
    names = set()
    for path in WORKSPACE_TREE:
        if path.startswith(prefix) and len(path) > len(prefix):
            names.add(path[len(prefix) :].split("/")[0])
    return tuple(sorted((name, name == "b") for name in names))


def target_workspaces(patterns: list[str]) -> None:
    """workspace_folders: never raises but WorkspaceError; each folder once, inside the tree."""

    def work() -> None:
        parsed = workspace_patterns(patterns)
        assert parsed is not None
        try:
            found = workspace_folders(".", parsed, _tree_folders)
        except WorkspaceError as error:
            assert str(error)
            return
        assert len(found) == len(set(found))
        known = {"."} | {"/".join(p.split("/")[:n]) for p in WORKSPACE_TREE for n in (1, 2, 3)}
        assert all(folder in known and "node_modules" not in folder for folder in found), found

    _track("workspaces", patterns, work)


FILTER_TOKENS: tuple[str, ...] = (
    *("web", "ui", "api", "@org/", "*", "...", "^", "!", "./", "{", "}", "apps", "/", "[", "]"),
    *(".", "..", " ", "é", "\x00"),
)
FILTER_PROJECTS = (
    Project("root", ".", ()),
    Project("web", "apps/web", ("ui", "api")),
    Project("api", "apps/api", ("ui",)),
    Project("ui", "libs/ui", ("web",)),  # a cycle
    Project("@org/x", "apps/x", ()),
)


def target_pnpm_filters(case: tuple[list[str], str]) -> None:
    """pnpm's selection: never raises but FilterError; each chosen project once, in order."""
    filters, cwd = case

    def work() -> None:
        try:
            chosen = selected(FILTER_PROJECTS, ".", cwd, filters, include_root=False)
        except FilterError as error:
            assert str(error)
            return
        folders = [project.folder for project in chosen]
        assert len(folders) == len(set(folders))
        assert all(project in FILTER_PROJECTS for project in chosen)

    _track("pnpm_filters", case, work)


def _reader(referenced: dict[str, str]) -> Callable[[Path], str | None]:
    def read(path: Path) -> str | None:
        try:
            relative = path.relative_to(SOURCE_ROOT).as_posix()
        except ValueError:
            return None
        return referenced.get(relative)

    return read


def target_fix(case: tuple[bytes, dict[str, str]]) -> None:
    """fix_bytes (which lints before and after): never raises; a fix is complete and stable.

    When it changes the file, the new bytes lint without HS001 and without HS101, and
    fixing them again changes nothing.
    """
    data, referenced = case

    def work() -> None:
        reader = _reader(referenced)
        outcome = fix_bytes("buildspec.yml", data, source_root=SOURCE_ROOT, reader=reader)
        if outcome.new_data is None:
            return
        after = lint_bytes(
            "buildspec.yml", outcome.new_data, source_root=SOURCE_ROOT, reader=reader
        )
        rules = {finding.rule for finding in after.findings}
        assert "HS001" not in rules and "HS101" not in rules, sorted(rules)
        again = fix_bytes("buildspec.yml", outcome.new_data, source_root=SOURCE_ROOT, reader=reader)
        assert again.new_data is None, "a second fix changed the file again"

    _track("fix", case, work)


def target_lint(case: tuple[bytes, dict[str, str]]) -> None:
    """lint_bytes and every reporter: never raises; the JSON and SARIF output parse."""
    import io
    import json

    from hubspec.report import Report, concise, github, sarif, text
    from hubspec.report import json as json_report

    data, referenced = case

    def work() -> None:
        result = lint_bytes(
            "buildspec.yml", data, source_root=SOURCE_ROOT, reader=_reader(referenced)
        )
        report = Report(
            findings=result.findings, files_checked=1, sources={result.path: result.text}
        )
        for module in (concise, github, json_report, sarif):
            out = io.StringIO()
            module.render(report, out)
            if module in (json_report, sarif):
                json.loads(out.getvalue())
        text.render(report, io.StringIO(), color=True)

    _track("lint", case, work)


TARGETS: dict[str, tuple[Callable[[Any], None], st.SearchStrategy[Any]]] = {
    "load": (target_load, buildspec_bytes()),
    "shell": (target_shell, shell_text()),
    "dockerfile": (target_dockerfile, st.tuples(dockerfile_text(), build_args)),
    "compose": (target_compose, st.tuples(compose_text(), compose_env)),
    "dotenv": (target_dotenv, st.tuples(dotenv_text(), compose_env)),
    "workspaces": (target_workspaces, st.lists(grammar(PATTERN_TOKENS, 12), max_size=4)),
    "pnpm_filters": (
        target_pnpm_filters,
        st.tuples(
            st.lists(grammar(FILTER_TOKENS, 8), max_size=4),
            st.sampled_from((".", "apps", "libs/ui", "x")),
        ),
    ),
    "fix": (target_fix, fix_case()),
    "lint": (target_lint, fix_case()),
}
"""Each target and the strategy of its one argument."""
