"""What `npm run`, `yarn` and `pnpm run` run: a script's command from package.json.

npm and yarn (classic) run `pre<name>` and `post<name>` around a script; pnpm does not by
default (since pnpm 7). The package.json is the nearest one from the working directory up to
the source root, as npm finds its project. Pure over text: the file comes through `read`.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

from hubspec.events.follow import MANAGERS
from hubspec.records import record

Resolve = Callable[[str, str], "Path | None"]
Read = Callable[[Path], "str | None"]

MAX_PACKAGE_CHARACTERS = 1_000_000
_NPM_RUN = frozenset({"run", "run-script", "rum", "urn"})
_NPM_SHORTHAND = {"test": "test", "t": "test", "tst": "test", "start": "start", "stop": "stop"}
_YARN_COMMANDS = frozenset(
    [
        "add",
        "audit",
        "autoclean",
        "bin",
        "cache",
        "check",
        "config",
        "create",
        "dedupe",
        "dlx",
        "exec",
        "explain",
        "generate-lock-entry",
        "global",
        "help",
        "import",
        "info",
        "init",
        "install",
        "licenses",
        "link",
        "list",
        "login",
        "logout",
        "node",
        "npm",
        "outdated",
        "owner",
        "pack",
        "patch",
        "patch-commit",
        "plugin",
        "policies",
        "publish",
        "rebuild",
        "remove",
        "search",
        "set",
        "stage",
        "tag",
        "team",
        "unlink",
        "unplug",
        "up",
        "upgrade",
        "upgrade-interactive",
        "version",
        "versions",
        "why",
        "workspace",
        "workspaces",
        "constraints",
    ]
)
_PNPM_COMMANDS = frozenset(
    [
        "add",
        "audit",
        "bin",
        "config",
        "create",
        "dedupe",
        "deploy",
        "dlx",
        "doctor",
        "env",
        "exec",
        "fetch",
        "i",
        "import",
        "init",
        "install",
        "install-test",
        "it",
        "licenses",
        "link",
        "list",
        "ln",
        "ls",
        "outdated",
        "pack",
        "patch",
        "patch-commit",
        "prune",
        "publish",
        "rb",
        "rebuild",
        "remove",
        "rm",
        "root",
        "server",
        "setup",
        "store",
        "un",
        "uninstall",
        "unlink",
        "up",
        "update",
        "upgrade",
        "why",
        "cat-file",
        "cat-index",
        "find-hash",
        "self-update",
    ]
)
_WITH_VALUE = frozenset(
    {"--prefix", "--cwd", "--dir", "-C", "--workspace", "-w", "--filter", "-F", "--loglevel"}
)


@record(slots=True)
class Script:
    """One package.json script run, with its line in package.json (0 when not found)."""

    name: str
    command: str
    line: int


@record(slots=True)
class ScriptRun:
    """What a package manager command runs: its scripts in order, or why it is unknown."""

    path: Path | None
    directory: str
    scripts: tuple[Script, ...]
    problems: tuple[str, ...] = ()


@record(slots=True)
class _Request:
    manager: str
    script: str | None
    directory: str
    arguments: tuple[str | None, ...]
    problem: str | None = None


def script_run(
    argv: Sequence[str | None], cwd: str, resolve: Resolve, read: Read
) -> ScriptRun | None:
    """The scripts `argv` runs from package.json, or None when it runs no package script."""
    request = _request(argv, cwd)
    if request is None:
        return None
    if request.problem is not None or request.script is None:
        return ScriptRun(None, request.directory, (), (request.problem or "",))
    found = _package(request.directory, resolve, read)
    if found is None:
        # Without a package.json the command fails and runs nothing (npm: ENOENT); unlike a
        # Makefile, a package.json is not generated during a build.
        return ScriptRun(None, request.directory, ())
    path, directory, text = found
    try:
        scripts = _scripts(text)
    except ValueError as error:
        return ScriptRun(path, directory, (), (f"package.json {error}",))
    name = request.script
    if name not in scripts:
        return ScriptRun(path, directory, ())  # npm stops: missing script; nothing runs
    names = [name]
    if request.manager != "pnpm":
        names = [f"pre{name}", name, f"post{name}"]
    run: list[Script] = []
    for each in names:
        if each in scripts:
            command = scripts[each]
            if each == name and request.arguments:
                command = f"{command} {_quoted(request.arguments)}"
            run.append(Script(each, command, _line_of(text, each)))
    return ScriptRun(path, directory, tuple(run))


_IN_WORKSPACES = frozenset(
    {"--workspace", "-w", "--filter", "-F", "--workspaces", "-ws", "--recursive", "-r"}
)
"""Options that run the script in other packages' folders (with a value or without)."""


def _request(argv: Sequence[str | None], cwd: str) -> _Request | None:
    program = argv[0] if argv else None
    if program is None or posixpath.basename(program) not in MANAGERS:
        return None
    manager = posixpath.basename(program)
    directory = cwd
    words = list(argv[1:])
    positional: list[str | None] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positional.append("--")
            positional.extend(words[index:])
            break
        if word is not None and word.startswith("-") and not _script_named(manager, positional):
            name, equals, value = word.partition("=")
            if name in _WITH_VALUE:
                if not equals:
                    value = words[index] or "" if index < len(words) else ""
                    index += 1
                if name in ("--prefix", "--cwd", "--dir", "-C"):
                    directory = posixpath.normpath(posixpath.join(directory, value))
            if name in _IN_WORKSPACES:
                why = f"`{manager}` runs the script in workspaces, which hubspec does not follow"
                return _Request(manager, None, directory, (), why)
            continue
        positional.append(word)
    return _script_of(manager, positional, directory)


def _script_named(manager: str, positional: list[str | None]) -> bool:
    """Whether the script name is given, so that further options are the script's.

    npm takes options anywhere before `--` as its own; yarn and pnpm pass them on."""
    if manager == "npm" or not positional:
        return False
    return positional[0] != "run" or len(positional) > 1


def _script_of(manager: str, words: list[str | None], directory: str) -> _Request | None:
    if not words:
        return None
    first = words[0]
    rest = words[1:]
    if first is None:
        return _Request(manager, None, directory, (), f"the {manager} command is not known")
    if manager == "npm" and first in _NPM_SHORTHAND:
        return _Request(manager, _NPM_SHORTHAND[first], directory, _arguments(rest))
    if first in _NPM_RUN if manager == "npm" else first == "run":
        if not rest:
            return None  # lists the scripts
        script = rest[0]
        if script is None:
            return _Request(manager, None, directory, (), f"the {manager} script name is not known")
        return _Request(manager, script, directory, _arguments(rest[1:]))
    builtins = _YARN_COMMANDS if manager == "yarn" else _PNPM_COMMANDS
    if manager != "npm" and first not in builtins and first not in ("test", "start"):
        return _Request(manager, first, directory, _arguments(rest))
    if manager != "npm" and first in ("test", "start"):
        return _Request(manager, first, directory, _arguments(rest))
    return None


def _arguments(words: list[str | None]) -> tuple[str | None, ...]:
    return tuple(words[1:] if words[:1] == ["--"] else words)


def _quoted(arguments: tuple[str | None, ...]) -> str:
    return " ".join(
        "${HUBSPEC_UNKNOWN_ARGUMENT}" if a is None else shlex.quote(a) for a in arguments
    )


def _package(directory: str, resolve: Resolve, read: Read) -> tuple[Path, str, str] | None:
    """The nearest package.json from `directory` up to the source root."""
    current = directory
    for _ in range(64):
        path = resolve(current, "package.json")
        if path is None:
            return None
        text = read(path)
        if text is not None:
            return path, current, text
        parent = posixpath.normpath(posixpath.join(current, ".."))
        if parent == current or parent.startswith("..") or current in (".", "/"):
            return None
        current = parent
    return None


def _scripts(text: str) -> dict[str, str]:
    if len(text) > MAX_PACKAGE_CHARACTERS:
        raise ValueError(f"is larger than {MAX_PACKAGE_CHARACTERS:,} characters")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"is not valid JSON ({str(error)[:80]})") from None
    scripts = data.get("scripts", {}) if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        raise ValueError('has no "scripts" object')
    return {name: value for name, value in scripts.items() if isinstance(value, str)}


def _line_of(text: str, name: str) -> int:
    """The line of `"name":` inside the "scripts" object (0 when not found)."""
    start = text.find('"scripts"')
    match = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(text, max(start, 0))
    return text.count("\n", 0, match.start()) + 1 if match is not None else 0
