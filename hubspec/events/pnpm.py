"""Which workspace packages a pnpm command runs a script in, and in what order.

`pnpm -r run x` runs it in every package of the workspace (below the working directory when
that is not the workspace's root; the root package only with `--include-workspace-root`),
`--filter`/`-F` in those its selectors choose: a package name or name glob (`@org/*`), a
folder (`./apps`, `{apps/web}`: the packages in it or below it), with `...` after a selector
adding what the packages depend on and before it what depends on them (`^` leaving the
package itself out), and `!` excluding. Packages run dependencies first (pnpm sorts them
topologically; packages that do not depend on each other keep the workspace's order).
Selectors by git changes (`[origin/main]`) are not known statically. yarn's `workspaces
foreach` chooses from the same graph (`foreach_selected`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

from hubspec.events.package_command import YarnForeach
from hubspec.events.workspaces import workspace_patterns
from hubspec.records import record

_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


@record
class Project:
    """A workspace package: its name, its folder (as the source root names it), and the
    names of the packages it depends on."""

    name: str
    folder: str
    depends_on: tuple[str, ...]
    private: bool = False


_Step = Callable[[Sequence["Project"], "Project"], list["Project"]]


class FilterError(ValueError):
    """A selector that cannot be followed: the words say why."""


def workspace_file_patterns(text: str) -> list[tuple[str, bool]]:
    """The `packages:` globs of a pnpm-workspace.yaml (FilterError when it has none)."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except Exception:  # ruamel's errors, and RecursionError: a user's file never crashes
        raise FilterError("pnpm-workspace.yaml is not valid YAML") from None
    packages = data.get("packages") if isinstance(data, dict) else None
    patterns = workspace_patterns(packages)
    if patterns is None:
        raise FilterError('pnpm-workspace.yaml has no "packages" list of folders')
    return patterns


def depends_on(data: dict[str, object]) -> tuple[str, ...]:
    """The package names a package.json depends on, in any dependency field."""
    names: dict[str, None] = {}
    for field in _DEPENDENCY_FIELDS:
        declared = data.get(field)
        if isinstance(declared, dict):
            names.update(dict.fromkeys(str(name) for name in declared))
    return tuple(names)


def selected(
    projects: Sequence[Project],
    root: str,
    cwd: str,
    filters: Sequence[str | None],
    *,
    include_root: bool,
) -> list[Project]:
    """The projects a recursive or filtered pnpm command runs in, dependencies first."""
    if filters:
        chosen = _filtered(projects, root, cwd, filters)
    else:
        chosen = [
            project
            for project in projects
            if (include_root or project.folder != root)
            and (cwd == root or _within(project.folder, cwd))
        ]
    return _dependencies_first(chosen)


def foreach_selected(projects: Sequence[Project], cwd: str, foreach: YarnForeach) -> list[Project]:
    """The workspaces `yarn workspaces foreach` runs in (the root is one), in the workspaces'
    order, or dependencies first with `-t`."""
    chosen = list(projects)
    if foreach.recursive:
        own = [project for project in projects if _within(cwd, project.folder)]
        start = [max(own, key=lambda project: len(project.folder))] if own else []
        reached = {p.folder for p in (*start, *_closure(projects, start, _dependencies_of))}
        chosen = [project for project in projects if project.folder in reached]
    elif foreach.worktree:
        chosen = [project for project in projects if _within(project.folder, cwd)]
    if foreach.include:
        chosen = [project for project in chosen if _any_glob(foreach.include, project)]
    chosen = [project for project in chosen if not _any_glob(foreach.exclude, project)]
    if foreach.no_private:
        chosen = [project for project in chosen if not project.private]
    return _dependencies_first(chosen) if foreach.topological else chosen


def _any_glob(globs: Sequence[str], project: Project) -> bool:
    """Whether a yarn `--include`/`--exclude` glob matches the project's name or folder."""
    return any(
        _glob(pattern).fullmatch(project.name) or _glob(pattern).fullmatch(project.folder)
        for pattern in globs
    )


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _within(folder: str, parent: str) -> bool:
    """Whether `folder` is `parent` or below it (folders as the source root names them)."""
    return parent == "." or folder == parent or folder.startswith(parent + "/")


def _filtered(
    projects: Sequence[Project], root: str, cwd: str, filters: Sequence[str | None]
) -> list[Project]:
    included: dict[str, Project] = {}
    excluded: set[str] = set()
    for selector in filters:
        if selector is None:
            raise FilterError("a --filter of pnpm is not known statically")
        exclude = selector.startswith("!")
        found = _select(projects, root, cwd, selector[1:] if exclude else selector)
        if exclude:
            excluded.update(project.folder for project in found)
        else:
            included.update((project.folder, project) for project in found)
    only_exclusions = all(selector and selector.startswith("!") for selector in filters)
    if only_exclusions:  # `--filter !x` alone: every project but those
        included = {project.folder: project for project in projects}
    return [project for folder, project in included.items() if folder not in excluded]


def _select(projects: Sequence[Project], root: str, cwd: str, selector: str) -> list[Project]:
    with_dependents = selector.startswith("...")
    with_dependencies = selector.endswith("...")
    core = selector[3 if with_dependents else 0 : len(selector) - (3 if with_dependencies else 0)]
    dependents_only = with_dependents and core.startswith("^")
    dependencies_only = with_dependencies and core.endswith("^")
    core = core[1 if dependents_only else 0 : len(core) - (1 if dependencies_only else 0)]
    if "[" in core or not core:
        raise FilterError(f"the pnpm filter {selector!r} is not followed")
    base = _matching(projects, root, cwd, core)
    found: dict[str, Project] = {}
    if not (dependents_only or dependencies_only):
        found.update((project.folder, project) for project in base)
    if with_dependencies:
        found.update((p.folder, p) for p in _closure(projects, base, _dependencies_of))
    if with_dependents:
        found.update((p.folder, p) for p in _closure(projects, base, _dependents_of))
    return list(found.values())


def _matching(projects: Sequence[Project], root: str, cwd: str, core: str) -> list[Project]:
    """The projects a selector without `...` names: by folder or by name."""
    if core.startswith("{") and core.endswith("}"):
        folder = posixpath.normpath(posixpath.join(root, core[1:-1]))
    elif core.startswith("."):
        folder = posixpath.normpath(posixpath.join(cwd, core))
    else:
        return [project for project in projects if _glob(core).fullmatch(project.name)]
    return [project for project in projects if _within(project.folder, folder)]


def _dependencies_of(projects: Sequence[Project], project: Project) -> list[Project]:
    return [other for other in projects if other.name in project.depends_on]


def _dependents_of(projects: Sequence[Project], project: Project) -> list[Project]:
    return [other for other in projects if project.name in other.depends_on]


def _closure(projects: Sequence[Project], start: list[Project], step: _Step) -> list[Project]:
    """What `step` reaches from `start`, transitively (not `start` itself unless reached)."""
    found: dict[str, Project] = {}
    pending = list(start)
    while pending:
        for other in step(projects, pending.pop()):
            if other.folder not in found:
                found[other.folder] = other
                pending.append(other)
    return list(found.values())


def _dependencies_first(chosen: list[Project]) -> list[Project]:
    """`chosen` sorted so that a project comes after those of `chosen` it depends on; ties
    (and cycles) keep the given order."""
    names = {project.name for project in chosen}
    placed: list[Project] = []
    done: set[str] = set()
    waiting = list(chosen)
    while waiting:
        ready = [
            project
            for project in waiting
            if all(
                name in done or name not in names or name == project.name
                for name in project.depends_on
            )
        ] or waiting[:1]  # a cycle: the first waiting project goes, and the rest follow
        placed.extend(ready)
        done.update(project.name for project in ready)
        waiting = [project for project in waiting if project not in ready]
    return placed
