"""The folders a package.json's `workspaces` patterns name, as npm finds them.

npm (`@npmcli/map-workspaces`) takes the patterns in order, each a glob for folders (a
leading `!` removes what earlier patterns matched), skips `node_modules` and folders without
a package.json, and keys the result by package name. Globs follow minimatch: `*`, `?`,
`[...]` and `{a,b}` within a folder name, `**` for any depth; a name starting with `.` is
matched only by a pattern part that starts with `.`, and `**` does not enter symlinked or
hidden folders. Pure: folders are listed through `list_folders`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

ListFolders = Callable[[str], tuple[tuple[str, bool], ...]]
"""A folder's subfolders (relative to the source root, `.` the root itself): each name with
whether it is a symlink; () when it is not a folder of the checkout."""

MAX_FOLDERS_LISTED = 2_000
"""Folders listed for one command's patterns: a `**` over a large tree stops there."""
MAX_DEPTH = 64
"""Folders a pattern goes down (`**` over a tree deeper than that stops with a problem,
never with a RecursionError)."""
MAX_BRACE_EXPANSIONS = 64
_MAGIC = re.compile(r"[*?\[]")
_UNSUPPORTED = re.compile(r"[+@!*?]\(")  # extglob: `+(a|b)`, `@(x)`, `!(y)`, ...
_BRACES = re.compile(r"\{([^{}]*,[^{}]*)\}")


class WorkspaceError(ValueError):
    """The patterns cannot be followed: the words say why."""


def workspace_patterns(declared: object) -> list[tuple[str, bool]] | None:
    """The patterns of a `workspaces` value (an array, or yarn's `{"packages": [...]}`),
    each with whether it removes; None when it is not such a value (npm refuses it)."""
    if isinstance(declared, dict):
        declared = declared.get("packages")
    if not isinstance(declared, list) or not all(isinstance(item, str) for item in declared):
        return None
    patterns: list[tuple[str, bool]] = []
    for item in declared:
        bangs = len(item) - len(item.lstrip("!"))
        pattern = re.sub(r"^\.?/+", "", item[bangs:])
        patterns.append((pattern, bangs % 2 == 1))
    return patterns


def workspace_folders(
    root: str, patterns: list[tuple[str, bool]], list_folders: ListFolders
) -> list[str]:
    """The folders (relative to the source root) the patterns match under `root`, in npm's
    order: pattern by pattern, each pattern's matches sorted; removed ones taken out."""
    lister = _Lister(list_folders)
    found: dict[str, None] = {}
    for pattern, removes in patterns:
        if _UNSUPPORTED.search(pattern):
            raise WorkspaceError(f"the workspace pattern {pattern!r} is not followed")
        matches: set[str] = set()
        for expanded in _expand_braces(pattern):
            _match(root, _parts(expanded), lister, matches)
        for folder in sorted(matches):
            if removes:
                found.pop(folder, None)
            else:
                found.setdefault(folder, None)
    return [folder for folder in found if "node_modules" not in folder.split("/")]


class _Lister:
    """`list_folders` with a bound on how many folders one command lists."""

    def __init__(self, list_folders: ListFolders) -> None:
        self.list_folders = list_folders
        self.listed: dict[str, tuple[tuple[str, bool], ...]] = {}

    def __call__(self, folder: str) -> tuple[tuple[str, bool], ...]:
        known = self.listed.get(folder)
        if known is None:
            if len(self.listed) >= MAX_FOLDERS_LISTED:
                raise WorkspaceError(
                    f"the workspace patterns reach more than {MAX_FOLDERS_LISTED:,} folders"
                )
            known = self.listed[folder] = self.list_folders(folder)
        return known


def _parts(pattern: str) -> list[str]:
    """A pattern's folder names; `**/**` is one `**` (the same folders, found once)."""
    parts: list[str] = []
    for part in pattern.split("/"):
        if part not in ("", ".") and not (part == "**" and parts[-1:] == ["**"]):
            parts.append(part)
    return parts


def _match(base: str, parts: list[str], lister: _Lister, matches: set[str], depth: int = 0) -> None:
    if not parts:
        matches.add(base)
        return
    if depth > MAX_DEPTH:
        raise WorkspaceError(f"the workspace patterns go more than {MAX_DEPTH} folders deep")
    part, rest = parts[0], parts[1:]
    if part == "**":
        _match(base, rest, lister, matches, depth)  # no folder at all
        for name, symlink in lister(base):
            if not symlink and not name.startswith(".") and name != "node_modules":
                _match(_join(base, name), parts, lister, matches, depth + 1)
    elif part == "..":
        parent = posixpath.normpath(posixpath.join(base, ".."))
        if not parent.startswith(".."):
            _match(parent, rest, lister, matches, depth + 1)
    elif _MAGIC.search(part):
        for name, _ in lister(base):
            if _part_matches(name, part):
                _match(_join(base, name), rest, lister, matches, depth + 1)
    elif any(name == part for name, _ in lister(base)):
        _match(_join(base, part), rest, lister, matches, depth + 1)


def _part_matches(name: str, part: str) -> bool:
    if name.startswith(".") and not part.startswith("."):
        return False
    return _part_pattern(part).fullmatch(name) is not None


def _part_pattern(part: str) -> re.Pattern[str]:
    """minimatch's meaning of one folder name's pattern, as a regular expression."""
    out: list[str] = []
    index = 0
    while index < len(part):
        char = part[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = part.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
                continue
            inside = part[index:end]
            negated = inside[:1] in ("!", "^")
            body = inside[1:] if negated else inside
            escaped = "".join(char if char == "-" else re.escape(char) for char in body)
            out.append("[" + ("^" if negated else "") + escaped + "]")
            index = end + 1
        elif char == "\\" and index < len(part):
            out.append(re.escape(part[index]))
            index += 1
        else:
            out.append(re.escape(char))
    try:
        return re.compile("".join(out))
    except re.error:  # a class such as `[z-a]`: minimatch matches nothing with it
        return re.compile(r"(?!)")


def _expand_braces(pattern: str) -> list[str]:
    """`a/{b,c}/*` -> `a/b/*`, `a/c/*` (innermost first, as many as minimatch would)."""
    done: list[str] = []
    pending = [pattern]
    while pending:
        current = pending.pop(0)
        match = _BRACES.search(current)
        if match is None:
            done.append(current)
            continue
        for choice in match.group(1).split(","):
            pending.append(current[: match.start()] + choice + current[match.end() :])
        if len(done) + len(pending) > MAX_BRACE_EXPANSIONS:
            raise WorkspaceError(
                f"the workspace pattern {pattern!r} expands to more than"
                f" {MAX_BRACE_EXPANSIONS} patterns"
            )
    return done


def _join(base: str, name: str) -> str:
    return name if base == "." else f"{base}/{name}"
