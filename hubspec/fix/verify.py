"""Check a fixed text before it is written: it parses, lints no worse, and keeps everything.

The fixer's promise is that it only adds. So the new text must parse, must have no HS101
for the users it fixed, no finding the old text did not have, and every scalar of the old
document (with its key path) must appear in the new one in the same order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from hubspec.lint.pipeline import LintResult
from hubspec.load.document import Document, Node

_KEY = Node(kind="scalar", tag="key", start=0, end=0, value="<key>")
_INDEX = re.compile(r"\[\d+\]|line \d+")


def problems(old: LintResult, new: LintResult, fixed_users: list[str]) -> list[str]:
    """Why the new text must not be written; empty when it is safe."""
    if new.document is None:
        first = new.findings[0].message if new.findings else "unknown error"
        return [f"the fixed text does not parse ({first})"]
    found: list[str] = []
    remaining = [f for f in new.active if f.rule == "HS101" and f.fixable]
    if remaining and fixed_users:
        found.append(f"{len(remaining)} Docker Hub pull(s) would still run without login")
    before = Counter(_key(f.rule, f.message) for f in old.active)
    after = Counter(_key(f.rule, f.message) for f in new.active if f.rule != "HS101")
    for (rule, message), count in (after - before).items():
        found.append(f"the fix would add a finding: {rule} {message} (x{count})")
    if old.document is not None and not _is_subsequence(
        list(_scalars(old.document)), list(_scalars(new.document))
    ):
        found.append("the fixed text would lose or reorder original content")
    return found


def _key(rule: str, message: str) -> tuple[str, str]:
    return rule, _INDEX.sub("", message)


def _scalars(document: Document) -> Iterator[tuple[str, object]]:
    """(key path without list indexes, key marker or value) in document order.

    Every key is listed (so a lost key is caught) and every non-null value; a null value
    carries no content, and filling it (`env:` -> `env: parameter-store: ...`) loses nothing.
    """
    todo: list[tuple[str, Node]] = [("", document.root)]
    while todo:
        path, node = todo.pop()
        if node.kind == "scalar":
            if node.value is not None:
                yield path, node.value
        elif node.kind == "sequence":
            todo.extend((f"{path}[]", item) for item in reversed(node.items))
        else:
            for key, value in reversed(node.pairs):
                todo.append((f"{path}.{key.value}", value))
                todo.append((f"{path}.{key.value}", _KEY))


def _is_subsequence(small: list[tuple[str, object]], big: list[tuple[str, object]]) -> bool:
    iterator = iter(big)
    return all(any(entry == candidate for candidate in iterator) for entry in small)


def mirror_problems(
    old: LintResult,
    new: LintResult,
    rewritten: dict[str, str],
    new_files: dict[Path, str],
    old_files: dict[Path, str],
) -> list[str]:
    """Why a mirror rewrite must not be written: parse errors, new findings, lost content."""
    if new.document is None or old.document is None:
        return ["the rewritten buildspec does not parse"]
    found: list[str] = []
    before = Counter(_key(f.rule, f.message) for f in old.active if f.rule != "HS101")
    after = Counter(_key(f.rule, f.message) for f in new.active if f.rule not in ("HS101", "HS103"))
    for (rule, message), count in (after - before).items():
        found.append(f"the rewrite would add a finding: {rule} {message} (x{count})")
    if len([f for f in new.active if f.rule == "HS101"]) > len(
        [f for f in old.active if f.rule == "HS101"]
    ):
        found.append("the rewrite would add Docker Hub pulls")

    pattern = (
        re.compile(
            r"(?<![\w./:@$-])("
            + "|".join(re.escape(key) for key in sorted(rewritten, key=len, reverse=True))
            + r")(?![\w./:@-])"
        )
        if rewritten
        else None
    )

    def mapped(value: object) -> object:
        if not isinstance(value, str) or pattern is None:
            return value
        return pattern.sub(lambda match: rewritten[match.group(1)], value)

    expected = [(path, mapped(value)) for path, value in _scalars(old.document)]
    if not _is_subsequence(expected, list(_scalars(new.document))):
        found.append("the rewritten buildspec would lose or reorder original content")
    for path, text in new_files.items():
        from hubspec.docker.dockerfile import dockerfile_pulls

        if path.name.lower().endswith((".yml", ".yaml")):
            continue
        old_pulls, old_issues = dockerfile_pulls(old_files[path], {})
        new_pulls, new_issues = dockerfile_pulls(text, {})
        if len(new_pulls) != len(old_pulls) or len(new_issues) > len(old_issues):
            found.append(f"{path.name}: the rewritten Dockerfile reads differently")
        if len(text.splitlines()) != len(old_files[path].splitlines()):
            found.append(f"{path.name}: the rewrite would change the number of lines")
    return found
