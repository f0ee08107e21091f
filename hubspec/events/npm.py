"""What `npm run`, `yarn` and `pnpm run` run: a script's command from package.json.

npm and yarn (classic) run `pre<name>` and `post<name>` around a script; pnpm does not by
default (since pnpm 7). The package.json is the nearest one from the working directory up to
the source root, as npm finds its project. `npm run x --workspaces` (`-ws`), `-w <name or
folder>` and yarn classic's `yarn workspaces run x` / `yarn workspace <name> x` run the
script in each workspace package that has it, in its own folder (`events.workspaces` finds
them); pnpm's `-r`, `--filter` and `-w` run it in the packages `events.pnpm` chooses from
pnpm-workspace.yaml, yarn's `workspaces foreach` in those its options choose. Pure over
text: files come through `read`, folders through `list_folders`.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hubspec.events.package_command import ScriptRequest, YarnForeach, script_request
from hubspec.events.pnpm import (
    FilterError,
    Project,
    depends_on,
    foreach_selected,
    selected,
    workspace_file_patterns,
)
from hubspec.events.workspaces import (
    ListFolders,
    WorkspaceError,
    workspace_folders,
    workspace_patterns,
)
from hubspec.records import record

Resolve = Callable[[str, str], "Path | None"]
Read = Callable[[Path], "str | None"]

MAX_PACKAGE_CHARACTERS = 1_000_000


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


def script_run(
    argv: Sequence[str | None],
    cwd: str,
    resolve: Resolve,
    read: Read,
    list_folders: ListFolders = lambda _: (),
) -> ScriptRun | None:
    """The scripts `argv` runs from package.json, or None when it runs no package script."""
    request = script_request(argv, cwd)
    if request is None:
        return None
    if request.problem is not None or request.script is None:
        return ScriptRun(None, request.directory, (), (request.problem or "",))
    if request.in_pnpm_workspace:
        return _pnpm_run(request, resolve, read, list_folders)
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


def _pnpm_run(
    request: ScriptRequest, resolve: Resolve, read: Read, list_folders: ListFolders
) -> ScriptRun:
    """The script in each package a recursive or filtered pnpm command chooses (see
    `events.pnpm`), or in the workspace's root package with `-w`."""
    found = _nearest(request.directory, "pnpm-workspace.yaml", resolve, read)
    if found is None:
        why = "`pnpm` runs the script in workspaces, but no pnpm-workspace.yaml was found"
        return ScriptRun(None, request.directory, (), (why,))
    path, root, text = found
    try:
        patterns = workspace_file_patterns(text)
        packages = _read_packages(
            [root, *workspace_folders(root, patterns, list_folders)], resolve, read
        )
        if request.workspace_root:
            chosen = [package for package in packages if package.directory == root]
        else:
            picked = selected(
                _projects(packages),
                root,
                request.directory,
                request.filters,
                include_root=request.include_root,
            )
            by_folder = {package.directory: package for package in packages}
            chosen = [by_folder[project.folder] for project in picked]
    except (FilterError, WorkspaceError, _Unreadable) as error:
        return ScriptRun(path, root, (), (str(error),))
    run = tuple(script for package in chosen for script in _scripts_run(request, package))
    return ScriptRun(path, root, run, workspaces=tuple(p.directory for p in chosen))


def _foreach_run(
    request: ScriptRequest, foreach: YarnForeach, root: _Package, packages: list[_Package]
) -> ScriptRun:
    """`yarn workspaces foreach ... run x`: in each chosen workspace that has the script
    (yarn skips those without it)."""
    everyone = {package.directory: package for package in (root, *packages)}
    picked = foreach_selected(_projects(everyone.values()), request.directory, foreach)
    chosen = [everyone[project.folder] for project in picked]
    run = tuple(script for package in chosen for script in _scripts_run(request, package))
    return ScriptRun(root.path, root.directory, run, workspaces=tuple(p.directory for p in chosen))


class _Unreadable(ValueError):
    """A workspace's package.json that is not JSON: the package manager stops there."""


def _read_packages(folders: list[str], resolve: Resolve, read: Read) -> list[_Package]:
    """The packages of the workspace folders, in order; a folder without a package.json is
    no package (npm and pnpm skip it)."""
    packages: list[_Package] = []
    for folder in dict.fromkeys(folders):
        path = resolve(folder, "package.json")
        text = read(path) if path is not None else None
        if path is None or text is None:
            continue
        try:
            packages.append(_Package(path, folder, text, _parse(text)))
        except ValueError as error:
            shown = posixpath.normpath(posixpath.join(folder, "package.json"))
            raise _Unreadable(f"{shown} {error}") from None
    return packages


def _projects(packages: Iterable[_Package]) -> list[Project]:
    """The packages as the dependency graph `events.pnpm` chooses from."""
    return [
        Project(p.name(), p.directory, depends_on(p.data), p.data.get("private") is True)
        for p in packages
    ]


def _workspace_root(
    nearest: _Package, resolve: Resolve, read: Read, list_folders: ListFolders
) -> tuple[_Package, list[str]]:
    """The package whose `workspaces` the command runs in, and their folders: the nearest
    package.json when it has workspaces, else the one above it whose workspaces include its
    folder (npm 8's workspace root detection: `npm run x -ws` from inside a workspace)."""
    patterns = workspace_patterns(nearest.data.get("workspaces"))
    if patterns is not None:
        return nearest, workspace_folders(nearest.directory, patterns, list_folders)
    current = nearest.directory
    while current != ".":
        current = posixpath.dirname(current) or "."
        found = _nearest(current, "package.json", resolve, read)
        if found is None:
            break
        path, current, text = found
        try:
            data = _parse(text)
        except ValueError:
            break  # npm reads no further either
        patterns = workspace_patterns(data.get("workspaces"))
        if patterns is not None:
            folders = workspace_folders(current, patterns, list_folders)
            if nearest.directory in folders:
                return _Package(path, current, text, data), folders
    return nearest, []


def _names(request: ScriptRequest, named: str, root: str, package: _Package) -> bool:
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


def _scripts_run(request: ScriptRequest, package: _Package) -> tuple[Script, ...]:
    """The script and its pre- and post-scripts as they run in `package` (none: missing)."""
    declared = package.data.get("scripts")
    scripts = declared if isinstance(declared, dict) else {}
    name = request.script
    if name is None or not isinstance(scripts.get(name), str):
        return ()  # npm stops: missing script; nothing runs
    # pnpm (since 7) and yarn 2+ (whose `workspaces foreach` is) run no pre/post scripts
    plain = (
        request.manager == "pnpm"
        or request.foreach is not None
        or (request.manager == "yarn" and _yarn_berry(package.data))
    )
    names = [name] if plain else [f"pre{name}", name, f"post{name}"]
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
    request: ScriptRequest, root: _Package, resolve: Resolve, read: Read, list_folders: ListFolders
) -> ScriptRun:
    """The script in each workspace package the command selects that has it, in order.

    As npm's `getWorkspaces`: the root first with `--include-workspace-root`, then the
    workspaces, all of them or those a `-w` names (by package name, by folder, or every
    workspace directly in the folder named), each once. None found: npm stops, nothing runs.
    """
    try:
        root, folders = _workspace_root(root, resolve, read, list_folders)
        packages = _read_packages(folders, resolve, read)
    except (WorkspaceError, _Unreadable) as error:
        return ScriptRun(root.path, root.directory, (), (str(error),))
    path, directory = root.path, root.directory
    if request.foreach is not None:
        return _foreach_run(request, request.foreach, root, packages)
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


def _yarn_berry(data: dict[str, object]) -> bool:
    """Whether package.json's `packageManager` (corepack's) names yarn 2 or later."""
    declared = data.get("packageManager")
    if not isinstance(declared, str) or not declared.startswith("yarn@"):
        return False
    major = declared[len("yarn@") :].split(".", 1)[0]
    return major.isdigit() and int(major) >= 2


def _quoted(arguments: tuple[str | None, ...]) -> str:
    return " ".join(
        "${HUBSPEC_UNKNOWN_ARGUMENT}" if a is None else shlex.quote(a) for a in arguments
    )


def _package(directory: str, resolve: Resolve, read: Read) -> tuple[Path, str, str] | None:
    """The nearest package.json from `directory` up to the source root."""
    return _nearest(directory, "package.json", resolve, read)


def _nearest(
    directory: str, name: str, resolve: Resolve, read: Read
) -> tuple[Path, str, str] | None:
    """The nearest file `name` from `directory` up to the source root: its path, folder
    and text."""
    current = directory
    for _ in range(64):
        path = resolve(current, name)
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
