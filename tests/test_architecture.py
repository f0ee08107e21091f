"""The package layout: data flows one way, so each package imports only those below it.

Every import counts, at any depth: module level, inside functions, and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hubspec"

# Lowest first. A module may import its own layer and those before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("records", "__init__"),
    ("model",),
    ("settings",),
    ("load",),
    ("schema",),
    ("build",),
    # Host files (templates, Terraform) -> Project records and embedded buildspecs: they use
    # the YAML loader and build's Project, and later stages lint what they hand on.
    ("hosts",),
    ("shell",),
    ("docker",),
    ("events",),
    ("facts",),
    ("rules",),
    ("lint",),
    ("fix",),
    ("report",),
    ("run",),
    # The language server drives lint and fix like `run` does, for editor buffers; the CLI
    # starts it, so it sits between the two.
    ("server",),
    # An AWS account as a source: reads projects and lints them as `run` lints files; the
    # CLI starts it.
    ("audit",),
    ("cli",),
    ("entry", "__main__", "schemas"),
)
LAYER_OF = {name: rank for rank, names in enumerate(LAYERS) for name in names}
MAX_LOOSE_MODULES = 6
MAX_CLASS_LINES = 300
# Being split (issue 15); strict, so each entry must go once its module is split.
KNOWN_OVERSIZED: frozenset[str] = frozenset()


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The hubspec modules `name` imports, resolved to the module (not the name inside it)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("hubspec"):
                    yield _module_part(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("hubspec"):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield child if child in MODULES else _module_part(base)


def _module_part(dotted: str) -> str:
    while dotted not in MODULES and "." in dotted:
        dotted = dotted.rsplit(".", 1)[0]
    return dotted


GRAPH = {name: sorted(set(_imports(name, path)) - {name}) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"  # the package itself: its version
    assert top in LAYER_OF, f"{module} is in no layer: add its package to LAYERS"
    return LAYER_OF[top]


def test_every_import_points_down() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_circle() -> None:
    """Tarjan's strongly connected components over every import, however it is written."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert circles == []


def test_the_checker_sees_function_level_and_type_only_imports(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from hubspec.lint.pipeline import lint_bytes\n"
        "def f():\n    from hubspec.run import files\n"
    )
    module = tmp_path / "probe.py"
    module.write_text(source)
    assert sorted(set(_imports("hubspec.model", module))) == [
        "hubspec.lint.pipeline",
        "hubspec.run.files",
    ]


def test_few_loose_modules() -> None:
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="being split"))
        if name in KNOWN_OVERSIZED
        else name
        for name in sorted(MODULES)
    ],
)
def test_no_class_is_oversized(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    oversized = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
    ]
    assert oversized == []


def test_every_package_says_what_it_takes_and_hands_on() -> None:
    folders = {path.parent for path in PACKAGE.rglob("*.py")} - {PACKAGE}
    for folder in sorted(folders):
        init = folder / "__init__.py"
        assert init.is_file(), f"{folder} is not a package (a namespace package ships nothing)"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} has no docstring"


def test_every_package_ships() -> None:
    """pyproject.toml lists packages by name: a package missing there is missing from wheels."""
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    folders = {path.parent for path in PACKAGE.rglob("__init__.py")}
    packages = {".".join(folder.relative_to(PACKAGE.parent).parts) for folder in folders}
    assert packages - listed == set()
