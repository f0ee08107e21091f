"""What a package manager command asks to run: `npm run x`, `yarn x`, `pnpm -r x`, ...

Reads npm's, yarn's and pnpm's command lines (options, the script name and its arguments,
the folder and the workspace packages it runs in) into a `ScriptRequest`; `events.npm` then
finds the scripts in package.json. npm takes options anywhere before `--` as its own; yarn
and pnpm pass on those after the script name.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from hubspec.events.follow import MANAGERS
from hubspec.records import record, replace

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


_PNPM_CHOOSING = frozenset(
    {"--recursive", "-r", "--filter", "-F", "--workspace-root", "-w", "--include-workspace-root"}
)
"""pnpm's options that choose the packages a script runs in."""


@record(slots=True)
class YarnForeach:
    """What `yarn workspaces foreach` chose: every workspace (`-A`, and by default), the
    working directory's and those it depends on (`-R`), those below the working directory
    (`-W`); `--include`/`--exclude` name globs, `--no-private`; `-t`: dependencies first,
    else the workspaces' order."""

    recursive: bool = False
    worktree: bool = False
    topological: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    no_private: bool = False


@record(slots=True)
class ScriptRequest:
    """A command's script, where it runs, and what it chose (or why it is not known)."""

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
    recursive: bool = False
    """pnpm's `-r`: the workspace's packages (below the working directory)."""
    filters: tuple[str | None, ...] = ()
    """pnpm's `--filter` selectors (None: a word not known)."""
    workspace_root: bool = False
    """pnpm's `-w`: the script of the workspace's root package."""
    foreach: YarnForeach | None = None
    """yarn's `workspaces foreach`: which workspaces, in what order."""

    @property
    def in_workspaces(self) -> bool:
        return self.all_workspaces or bool(self.workspaces) or self.foreach is not None

    @property
    def in_pnpm_workspace(self) -> bool:
        return self.recursive or bool(self.filters) or self.workspace_root


def script_request(argv: Sequence[str | None], cwd: str) -> ScriptRequest | None:
    """The script `argv` asks a package manager to run; None when it runs no script."""
    program = argv[0] if argv else None
    if program is None or posixpath.basename(program) not in MANAGERS:
        return None
    manager = posixpath.basename(program)
    directory = cwd
    words = list(argv[1:])
    positional: list[str | None] = []
    chosen = _ChosenPackages()
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
            if manager == "pnpm" and name in _PNPM_CHOOSING:
                if name in ("--filter", "-F") and not equals:
                    value = words[index] if index < len(words) else ""
                    index += 1
                chosen.note_pnpm(name, value)
                continue
            if name in _WITH_VALUE and not equals:
                value = words[index] if index < len(words) else ""
                index += 1
            if name in ("--prefix", "--cwd", "--dir", "-C"):
                if value is None:
                    why = f"the folder `{manager}` runs the script in ({name}) is not known"
                    return ScriptRequest(manager, None, directory, (), why)
                directory = posixpath.normpath(posixpath.join(directory, value))
            if manager == "npm":
                chosen.note_npm(name, value)
            continue
        positional.append(word)
    request = _script_of(manager, positional, directory)
    if request is None or request.script is None or not chosen.any():
        return request  # yarn's `workspace` forms chose in the words, not in options
    return replace(
        request,
        all_workspaces=chosen.every,
        workspaces=tuple(chosen.named),
        include_root=chosen.include_root,
        recursive=chosen.recursive,
        filters=tuple(chosen.filters),
        workspace_root=chosen.workspace_root,
    )


class _ChosenPackages:
    """The packages a command's options choose: npm's `-ws`, `-w <name or folder>`, `-iwr`;
    pnpm's `-r`, `--filter`, `-w`, `--include-workspace-root`."""

    def __init__(self) -> None:
        self.every = False
        self.named: list[str | None] = []
        self.include_root = False
        self.recursive = False
        self.filters: list[str | None] = []
        self.workspace_root = False

    def note_pnpm(self, option: str, value: str | None) -> None:
        """Take a pnpm option of `_PNPM_CHOOSING`."""
        if option in ("--recursive", "-r"):
            self.recursive = True
        elif option in ("--filter", "-F"):
            self.filters.append(value)
        elif option in ("--workspace-root", "-w"):
            self.workspace_root = True
        else:
            self.include_root = True

    def note_npm(self, option: str, value: str | None) -> None:
        """Take `option` if it chooses workspaces."""
        if option in ("--workspace", "-w"):
            self.named.append(value)
        elif option in ("--workspaces", "-ws"):
            self.every = value != "false"
        elif option in ("--include-workspace-root", "-iwr"):
            self.include_root = value != "false"

    def any(self) -> bool:
        return (
            self.every or bool(self.named or self.filters) or self.recursive or self.workspace_root
        )


def _script_named(manager: str, positional: list[str | None]) -> bool:
    """Whether the script name is given, so that further options are the script's.

    npm takes options anywhere before `--` as its own; yarn and pnpm pass them on."""
    if manager == "npm" or not positional:
        return False
    return positional[0] != "run" or len(positional) > 1


def _script_of(manager: str, words: list[str | None], directory: str) -> ScriptRequest | None:
    if not words:
        return None
    first = words[0]
    rest = words[1:]
    if first is None:
        return ScriptRequest(manager, None, directory, (), f"the {manager} command is not known")
    if manager == "npm" and first in _NPM_SHORTHAND:
        return ScriptRequest(manager, _NPM_SHORTHAND[first], directory, _arguments(rest))
    if first in _NPM_RUN if manager == "npm" else first == "run":
        if not rest:
            return None  # lists the scripts
        script = rest[0]
        if script is None:
            return ScriptRequest(
                manager, None, directory, (), f"the {manager} script name is not known"
            )
        return ScriptRequest(manager, script, directory, _arguments(rest[1:]))
    if manager == "yarn" and first in ("workspace", "workspaces"):
        return _yarn_workspaces(first, rest, directory)
    builtins = _YARN_COMMANDS if manager == "yarn" else _PNPM_COMMANDS
    if manager != "npm" and (first not in builtins or first in ("test", "start")):
        return ScriptRequest(manager, first, directory, _arguments(rest))
    return None


def _yarn_workspaces(command: str, words: list[str | None], directory: str) -> ScriptRequest | None:
    """yarn classic's `yarn workspaces run x` (every workspace), `yarn workspace <name> x`
    (the package of that name), and yarn's `workspaces foreach [options] [run] x`."""
    if command == "workspaces" and words[:1] == ["run"]:
        inner = _script_of("yarn", words, directory)
        if inner is None or inner.script is None:
            return inner
        return replace(inner, all_workspaces=True, by_name=True)
    if command == "workspaces" and words[:1] == ["foreach"]:
        return _yarn_foreach(words[1:], directory)
    if command == "workspace" and len(words) > 1:
        inner = _script_of("yarn", words[1:], directory)
        if inner is None or inner.script is None:
            return inner
        return replace(inner, workspaces=(words[0],), by_name=True)
    return None  # `yarn workspaces info`, ...: no script


_FOREACH_FLAGS = {
    "-A": "all",
    "--all": "all",
    "-R": "recursive",
    "--recursive": "recursive",
    "-W": "worktree",
    "--worktree": "worktree",
    "-t": "topological",
    "--topological": "topological",
    "--topological-dev": "topological",
    "--no-private": "no_private",
}
_FOREACH_IGNORED = frozenset({"-p", "--parallel", "-i", "--interlaced", "-v", "--verbose"})
_FOREACH_VALUES = frozenset({"-j", "--jobs", "--include", "--exclude"})


def _yarn_foreach(words: list[str | None], directory: str) -> ScriptRequest | None:
    """`yarn workspaces foreach [options] run x` / `... x`: the script in the workspaces
    its options choose; `--since` and `--from` (git and glob starting points) are unknown."""
    flags: set[str] = set()
    globs: dict[str, list[str]] = {"--include": [], "--exclude": []}
    words = _split_short_flags(words)
    index = 0
    while index < len(words) and (words[index] or "").startswith("-"):
        name, equals, value = (words[index] or "").partition("=")
        index += 1
        if name in _FOREACH_VALUES:
            given = value if equals else (words[index] if index < len(words) else None)
            index += 0 if equals else 1
            if name in globs:
                if given is None:
                    return _not_followed(f"a {name} of `yarn workspaces foreach`", directory)
                globs[name].append(given)
        elif name in _FOREACH_FLAGS:
            flags.add(_FOREACH_FLAGS[name])
        elif name in ("-n", "--dry-run"):
            return None  # lists what it would run
        elif name not in _FOREACH_IGNORED:
            return _not_followed(f"`yarn workspaces foreach {name}`", directory)
    inner = _script_of("yarn", words[index:], directory)
    if inner is None or inner.script is None:
        return inner
    chosen = YarnForeach(
        recursive="recursive" in flags and "all" not in flags,
        worktree="worktree" in flags and "all" not in flags,
        topological="topological" in flags,
        include=tuple(globs["--include"]),
        exclude=tuple(globs["--exclude"]),
        no_private="no_private" in flags,
    )
    return replace(inner, foreach=chosen, by_name=True)


def _split_short_flags(words: list[str | None]) -> list[str | None]:
    """`-At` -> `-A`, `-t` up to the command (clipanion's short flags; `-j4` is `-j 4`)."""
    out: list[str | None] = []
    for index, word in enumerate(words):
        if word is None or not word.startswith("-"):
            return out + words[index:]
        if word.startswith("--") or len(word) <= 2:
            out.append(word)
            continue
        for position, char in enumerate(word[1:], start=1):
            out.append(f"-{char}")
            if f"-{char}" in _FOREACH_VALUES:
                rest = word[position + 1 :]
                if rest:
                    out.append(rest)
                break
    return out


def _not_followed(what: str, directory: str) -> ScriptRequest:
    why = f"{what} chooses the workspaces to run the script in, which hubspec does not follow"
    return ScriptRequest("yarn", None, directory, (), why)


def _arguments(words: list[str | None]) -> tuple[str | None, ...]:
    return tuple(words[1:] if words[:1] == ["--"] else words)
