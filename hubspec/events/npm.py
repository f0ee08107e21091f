"""What `npm run`, `yarn` and `pnpm run` run: a script's command from package.json.

npm and yarn (classic) run `pre<name>` and `post<name>` around a script; pnpm does not by
default (since pnpm 7). The package.json is the nearest one from the working directory up to
the source root, as npm finds its project. `npm run x --workspaces` (`-ws`), `-w <name or
folder>` and yarn classic's `yarn workspaces run x` / `yarn workspace <name> x` run the
script in each workspace package that has it, in its own folder (`events.workspaces` finds
them); pnpm's `-r`/`--filter` and yarn's `workspaces foreach` are not followed. Pure over
text: files come through `read`, folders through `list_folders`.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

from hubspec.events.follow import MANAGERS
from hubspec.events.workspaces import (
    ListFolders,
    WorkspaceError,
    workspace_folders,
    workspace_patterns,
)
from hubspec.records import record, replace

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
    """One package.json script run: its line in `path` (0 when not found), and the folder
    it runs in (the package's: a workspace's own for a workspace run)."""

    name: str
    command: str
    line: int
    path: Path
    directory: str


@record(slots=True)
class ScriptRun:
    """What a package manager command runs: its scripts in order, or why it is unknown."""

    path: Path | None
    directory: str
    scripts: tuple[Script, ...]
    problems: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()
    """The workspace folders it runs in (a workspace run), in order."""


@record(slots=True)
class _Request:
    manager: str
    script: str | None
    directory: str
    arguments: tuple[str | None, ...]
    problem: str | None = None
    all_workspaces: bool = False
    workspaces: tuple[str | None, ...] = ()
    """Workspaces named (`-w`): a package name or folder; None: a word not known."""
    include_root: bool = False
    by_name: bool = False
    """Workspaces are named by package name only (yarn), not also by folder (npm)."""

    @property
    def in_workspaces(self) -> bool:
        return self.all_workspaces or bool(self.workspaces)


def script_run(
    argv: Sequence[str | None],
    cwd: str,
    resolve: Resolve,
    read: Read,
    list_folders: ListFolders = lambda _: (),
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
        data = _parse(text)
    except ValueError as error:
        return ScriptRun(path, directory, (), (f"package.json {error}",))
    package = _Package(path, directory, text, data)
    if request.in_workspaces:
        return _workspace_run(request, package, resolve, read, list_folders)
    if not isinstance(data.get("scripts", {}), dict):
        return ScriptRun(path, directory, (), ('package.json has no "scripts" object',))
    return ScriptRun(path, directory, _scripts_run(request, package))


def _names(request: _Request, named: str, root: str, package: _Package) -> bool:
    """Whether `-w named` chooses `package`: its name, its folder, or the folder it is in
    (npm resolves a folder from the root package's; yarn takes names only)."""
    if named == package.name():
        return True
    if request.by_name:
        return False
    target = posixpath.normpath(posixpath.join(root, named))
    return target in (package.directory, posixpath.dirname(package.directory) or ".")


@record(slots=True)
class _Package:
    path: Path
    directory: str
    text: str
    data: dict[str, object]

    def name(self) -> str:
        name = self.data.get("name")
        return name if isinstance(name, str) else posixpath.basename(self.directory)


def _scripts_run(request: _Request, package: _Package) -> tuple[Script, ...]:
    """The script and its pre- and post-scripts as they run in `package` (none: missing)."""
    declared = package.data.get("scripts")
    scripts = declared if isinstance(declared, dict) else {}
    name = request.script
    if name is None or not isinstance(scripts.get(name), str):
        return ()  # npm stops: missing script; nothing runs
    names = [name] if request.manager == "pnpm" else [f"pre{name}", name, f"post{name}"]
    run: list[Script] = []
    for each in names:
        command = scripts.get(each)
        if isinstance(command, str):
            if each == name and request.arguments:
                command = f"{command} {_quoted(request.arguments)}"
            line = _line_of(package.text, each)
            run.append(Script(each, command, line, package.path, package.directory))
    return tuple(run)


def _workspace_run(
    request: _Request, root: _Package, resolve: Resolve, read: Read, list_folders: ListFolders
) -> ScriptRun:
    """The script in each workspace package the command selects that has it, in order.

    As npm's `getWorkspaces`: the root first with `--include-workspace-root`, then the
    workspaces, all of them or those a `-w` names (by package name, by folder, or every
    workspace directly in the folder named), each once. None found: npm stops, nothing runs.
    """
    path, directory = root.path, root.directory
    patterns = workspace_patterns(root.data.get("workspaces"))
    packages: list[_Package] = []
    try:
        folders = workspace_folders(directory, patterns or [], list_folders)
    except WorkspaceError as error:
        return ScriptRun(path, directory, (), (str(error),))
    for folder in folders:
        found = resolve(folder, "package.json")
        text = read(found) if found is not None else None
        if found is None or text is None:
            continue  # not a package: npm skips the folder
        try:
            packages.append(_Package(found, folder, text, _parse(text)))
        except ValueError as error:
            return ScriptRun(path, directory, (), (f"{folder}/package.json {error}",))
    selected: dict[str, _Package] = {}
    if request.include_root:
        selected[root.name()] = root
    for named in request.workspaces:
        if named is None:
            why = f"the workspace `{request.manager}` runs the script in is not known"
            return ScriptRun(path, directory, (), (why,))
        for package in packages:
            if _names(request, named, directory, package):
                selected.setdefault(package.name(), package)
    if request.all_workspaces and not request.workspaces:
        for package in packages:
            selected.setdefault(package.name(), package)
    run = tuple(
        script for package in selected.values() for script in _scripts_run(request, package)
    )
    return ScriptRun(path, directory, run, workspaces=tuple(p.directory for p in selected.values()))


_IN_WORKSPACES = frozenset({"--filter", "-F", "--recursive", "-r"})
"""pnpm's options that run the script in other packages' folders (with a value or without)."""


def _request(argv: Sequence[str | None], cwd: str) -> _Request | None:
    program = argv[0] if argv else None
    if program is None or posixpath.basename(program) not in MANAGERS:
        return None
    manager = posixpath.basename(program)
    directory = cwd
    words = list(argv[1:])
    positional: list[str | None] = []
    chosen = _NpmWorkspaces()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positional.append("--")
            positional.extend(words[index:])
            break
        if word is not None and word.startswith("-") and not _script_named(manager, positional):
            name, equals, given = word.partition("=")
            value: str | None = given
            if name in _WITH_VALUE and not equals:
                value = words[index] if index < len(words) else ""
                index += 1
            if name in ("--prefix", "--cwd", "--dir", "-C"):
                if value is None:
                    why = f"the folder `{manager}` runs the script in ({name}) is not known"
                    return _Request(manager, None, directory, (), why)
                directory = posixpath.normpath(posixpath.join(directory, value))
            if manager == "npm" and chosen.note(name, value):
                continue
            if name in _IN_WORKSPACES:
                why = f"`{manager}` runs the script in workspaces, which hubspec does not follow"
                return _Request(manager, None, directory, (), why)
            continue
        positional.append(word)
    request = _script_of(manager, positional, directory)
    if request is None or request.script is None or not chosen.any():
        return request
    return replace(
        request,
        all_workspaces=chosen.every,
        workspaces=tuple(chosen.named),
        include_root=chosen.include_root,
    )


class _NpmWorkspaces:
    """The workspaces npm's options choose: `-ws`, `-w <name or folder>`, `-iwr`."""

    def __init__(self) -> None:
        self.every = False
        self.named: list[str | None] = []
        self.include_root = False

    def note(self, option: str, value: str | None) -> bool:
        """Take `option` if it chooses workspaces (else False)."""
        if option in ("--workspace", "-w"):
            self.named.append(value)
        elif option in ("--workspaces", "-ws"):
            self.every = value != "false"
        elif option in ("--include-workspace-root", "-iwr"):
            self.include_root = value != "false"
        else:
            return False
        return True

    def any(self) -> bool:
        return self.every or bool(self.named)


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
    if manager == "yarn" and first in ("workspace", "workspaces"):
        return _yarn_workspaces(first, rest, directory)
    builtins = _YARN_COMMANDS if manager == "yarn" else _PNPM_COMMANDS
    if manager != "npm" and first not in builtins and first not in ("test", "start"):
        return _Request(manager, first, directory, _arguments(rest))
    if manager != "npm" and first in ("test", "start"):
        return _Request(manager, first, directory, _arguments(rest))
    return None


def _yarn_workspaces(command: str, words: list[str | None], directory: str) -> _Request | None:
    """yarn classic's `yarn workspaces run x` (every workspace) and `yarn workspace <name>
    x` (the package of that name); yarn's `workspaces foreach` is not followed."""
    if command == "workspaces" and words[:1] == ["run"]:
        inner = _script_of("yarn", words, directory)
        if inner is None or inner.script is None:
            return inner
        return replace(inner, all_workspaces=True, by_name=True)
    if command == "workspaces" and words[:1] == ["foreach"]:
        why = (
            "`yarn workspaces foreach` runs the script in workspaces, which hubspec does not follow"
        )
        return _Request("yarn", None, directory, (), why)
    if command == "workspace" and len(words) > 1:
        inner = _script_of("yarn", words[1:], directory)
        if inner is None or inner.script is None:
            return inner
        return replace(inner, workspaces=(words[0],), by_name=True)
    return None  # `yarn workspaces info`, ...: no script


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


def _parse(text: str) -> dict[str, object]:
    if len(text) > MAX_PACKAGE_CHARACTERS:
        raise ValueError(f"is larger than {MAX_PACKAGE_CHARACTERS:,} characters")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"is not valid JSON ({str(error)[:80]})") from None
    if not isinstance(data, dict):
        raise ValueError('has no "scripts" object')
    return data


def _line_of(text: str, name: str) -> int:
    """The line of `"name":` inside the "scripts" object (0 when not found)."""
    start = text.find('"scripts"')
    match = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(text, max(start, 0))
    return text.count("\n", 0, match.start()) + 1 if match is not None else 0
