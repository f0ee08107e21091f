"""pnpm's recursive and filtered runs: which workspace packages, in what order."""

from __future__ import annotations

import pytest

from hubspec.events.pnpm import FilterError, Project, selected, workspace_file_patterns

# ui <- web <- e2e, ui <- api; tools alone; the root depends on nothing
PROJECTS = [
    Project("root", ".", ()),
    Project("e2e", "apps/e2e", ("web",)),
    Project("web", "apps/web", ("ui", "react")),
    Project("api", "apps/api", ("ui",)),
    Project("ui", "libs/ui", ()),
    Project("tools", "tools", ()),
]


def names(projects: list[Project]) -> list[str]:
    return [project.name for project in projects]


def choose(*filters: str | None, cwd: str = ".", include_root: bool = False) -> list[str]:
    return names(selected(PROJECTS, ".", cwd, filters, include_root=include_root))


def test_recursive_runs_every_package_but_the_root_dependencies_first() -> None:
    assert choose() == ["ui", "tools", "web", "api", "e2e"]
    assert choose(include_root=True) == ["root", "ui", "tools", "web", "api", "e2e"]
    # below the workspace's root: the packages in the working directory only
    assert choose(cwd="apps") == ["web", "api", "e2e"]


@pytest.mark.parametrize(
    ("filters", "chosen"),
    [
        (("web",), ["web"]),
        (("web...",), ["ui", "web"]),
        (("web^...",), ["ui"]),
        (("...ui",), ["ui", "web", "api", "e2e"]),
        (("...^ui",), ["web", "api", "e2e"]),
        (("./apps",), ["web", "api", "e2e"]),
        (("{libs}",), ["ui"]),
        (("./",), ["root", "ui", "tools", "web", "api", "e2e"]),
        (("a*",), ["api"]),
        (("*", "!./apps"), ["root", "ui", "tools"]),
        (("!tools",), ["root", "ui", "web", "api", "e2e"]),
        (("nothing",), []),
    ],
)
def test_filters(filters: tuple[str, ...], chosen: list[str]) -> None:
    assert choose(*filters) == chosen


@pytest.mark.parametrize("selector", ["[origin/main]", "...[HEAD~1]", None, "..."])
def test_filters_not_known_statically(selector: str | None) -> None:
    with pytest.raises(FilterError):
        choose(selector)


def test_a_dependency_cycle_keeps_the_workspace_order() -> None:
    cycle = [Project("a", "a", ("b",)), Project("b", "b", ("a",)), Project("c", "c", ("a",))]
    assert names(selected(cycle, ".", ".", (), include_root=False)) == ["a", "b", "c"]


def test_workspace_file_patterns() -> None:
    text = "packages:\n  - 'apps/*'\n  - '!apps/old'\n"
    assert workspace_file_patterns(text) == [("apps/*", False), ("apps/old", True)]
    for bad in ("packages: apps/*\n", "[", "x: 1\n", "a: &a [*a]\n"):
        with pytest.raises(FilterError):
            workspace_file_patterns(bad)
