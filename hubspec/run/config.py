"""Configuration from `[tool.hubspec]` in pyproject.toml or `.hubspec.toml`, nearest to each file.

Keys are checked strictly: a typo in a config file is an error naming the file and the key,
never a setting silently ignored.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hubspec.model import Severity
from hubspec.records import field, record, replace
from hubspec.run.files import first_upward
from hubspec.run.options import OPTIONS, Store
from hubspec.run.source_root import GitMarks
from hubspec.settings import Settings

CONFIG_NAMES = (".hubspec.toml", "pyproject.toml")
_FIX_KEYS = {
    option.config.removeprefix("fix."): option.setting.removeprefix("fix.")
    for option in OPTIONS
    if option.config and option.config.startswith("fix.") and option.setting
}
"""Keys of the `fix` table -> fields of FixDefaults: the fix options of the option table."""
CONFIG_ONLY_KEYS = frozenset(
    {"severity", "include", "exclude", "per-file-ignores", "fix", "budget-share"}
)
TOP_KEYS = CONFIG_ONLY_KEYS | {
    option.config for option in OPTIONS if option.config and "." not in option.config
}
"""The keys of a config: the options that have one (`select`, `fail-on`, ...) and its own."""
STORES = tuple(store.value for store in Store)


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


@record
class Config:
    """One config file's settings, as given (None = not set there)."""

    path: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = None
    mirrors: frozenset[str] = frozenset()
    source_root: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    fix: dict[str, str] = field(default_factory=dict)
    budget_share: float | None = None

    @property
    def base(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def settings(self, base: Settings) -> Settings:
        """Settings for a file: these config values over the defaults."""
        fix = replace(base.fix, **{_FIX_KEYS[key]: value for key, value in self.fix.items()})
        return replace(
            base,
            source_root=self.source_root or base.source_root,
            mirrors=base.mirrors | self.mirrors,
            select=self.select if self.select is not None else base.select,
            ignore=base.ignore | self.ignore,
            severities={**base.severities, **self.severities},
            fix=fix,
            budget_share=self.budget_share if self.budget_share is not None else base.budget_share,
            fail_on=self.fail_on or base.fail_on,
        )

    def ignored_for(self, path: Path) -> frozenset[str]:
        """Codes that per-file-ignores turns off for this file."""
        try:
            relative = path.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        codes: set[str] = set()
        for pattern, ignored in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
                codes |= ignored
        return frozenset(codes)

    def excludes(self, path: Path) -> bool:
        """Whether include/exclude globs leave this discovered file out."""
        try:
            relative = path.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            return False
        if self.include and not any(fnmatch.fnmatch(relative, glob) for glob in self.include):
            return True
        return any(fnmatch.fnmatch(relative, glob) for glob in self.exclude)


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above `start`, stopping at the repository root."""
    return ConfigSearch().nearest(start)


class ConfigSearch:
    """Finds the nearest config file of many paths, searching each directory once.

    The buildspecs of one tree (a corpus has a folder per file) share the walk up their
    common parents. Paths stay strings here: pathlib's objects cost more than the system
    calls on a run over thousands of files.
    """

    def __init__(self, marks: Callable[[str], bool] | None = None) -> None:
        self._found: dict[str, Path | None] = {}
        self._real: dict[str, str] = {}
        self._top = marks if marks is not None else GitMarks()
        """Whether a folder is the top of a repository: the search stops there."""

    def nearest(
        self, start: Path, *, is_file: bool | None = None, is_link: bool | None = None
    ) -> Path | None:
        """The config for `start` (a file or a directory), symlinks resolved as realpath does.

        `is_file` and `is_link` say what `start` is when the caller knows: each saves a
        system call (a file that is no symlink is where its folder resolves to).
        """
        if is_file and is_link is False:
            directory = self._realpath(os.path.dirname(os.fspath(start)) or os.curdir)
        else:
            directory = self._realpath(os.fspath(start))
            if os.path.isfile(directory) if is_file is None else is_file:
                directory = os.path.dirname(directory)
        return first_upward(directory, _config_in, self._found, self._top)

    def _realpath(self, path: str) -> str:
        """os.path.realpath, with the answer for every parent directory kept.

        Resolving a new path then costs one lstat for its last part, not one per part.
        """
        if ".." in path.split(os.sep):  # resolved before going up, as realpath does
            return os.path.realpath(path)
        path = os.path.abspath(path)
        pending: list[str] = []
        real: str | None = None
        while real is None:
            real = self._real.get(path)
            if real is not None:
                break
            parent, name = os.path.split(path)
            if not name:
                real = path
                break
            pending.append(path)
            path = parent
        for unresolved in reversed(pending):
            candidate = _child(real, os.path.basename(unresolved))
            real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
            self._real[unresolved] = real
        return real


def _child(directory: str, name: str) -> str:
    """os.path.join of a resolved directory and a plain name, without its checks (which
    cost more than the stat that follows, over thousands of folders)."""
    return directory + name if directory.endswith(os.sep) else directory + os.sep + name


def _config_in(directory: str) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = _child(directory, name)
        # os.access first: it says "missing" (most folders) without raising an exception
        if (
            os.access(candidate, os.F_OK)
            and os.path.isfile(candidate)
            and (name != "pyproject.toml" or _has_table(Path(candidate)))
        ):
            return Path(candidate)
    return None


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a [tool.hubspec] table.

    Most pyproject.toml files certainly have none (`_may_hold_table`): they are ruled out
    without importing and running the TOML parser, which costs a twentieth of a one-file lint.
    """
    try:
        if not _may_hold_table(pyproject.read_bytes()):
            return False
    except OSError:
        return True
    try:
        return "hubspec" in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return True


_TABLE_HEADER = re.compile(r"\s*\[\[?([A-Za-z0-9_\-\"'. \t]+)\]\]?\s*(?:#.*)?")
_KEY_START = re.compile(r"\s*[\"']?([A-Za-z0-9_\-]+)")
_UNCERTAIN = (b"'''", b'"""', b"\\u", b"\\U")


def _may_hold_table(data: bytes) -> bool:
    """False only if this TOML text certainly defines no key under `tool.hubspec`.

    Such a key is written in a header (`[tool.hubspec]`, `[ tool . "hubspec" ]`), as a
    top-level key starting `tool` (`tool.hubspec.x = ...`, `tool = {hubspec = ...}`), or as
    a key starting `hubspec` in the `[tool]` table. Lines are judged one by one, so text that
    could hide a line's role (multi-line strings, escapes, a `[` line that is no plain header,
    a BOM, bytes that are not UTF-8) means True, and the TOML parser decides. A text without
    the word `hubspec` is ruled out at once: only a key spelled with escapes would be missed.
    """
    if b"hubspec" not in data:
        return False
    if any(marker in data for marker in _UNCERTAIN) or data.startswith(b"\xef\xbb\xbf"):
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    table = ""
    for line in text.splitlines():
        if line.lstrip().startswith("["):
            header = _TABLE_HEADER.fullmatch(line)
            if header is None:
                return True
            table = "".join(char for char in header.group(1) if char not in " \t\"'")
            if table == "tool.hubspec" or table.startswith("tool.hubspec."):
                return True
            continue
        key = _KEY_START.match(line)
        if key is not None and (table, key.group(1)) in (("", "tool"), ("tool", "hubspec")):
            return True
    return False


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a config file is there to read

    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_config(path: Path) -> Config:
    """Read and check one config file."""
    document = _read_toml(path)
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("hubspec", {})
        where = "[tool.hubspec]"
    else:
        table = document
        where = ""
    return parse_config(table, path, where)


def parse_config(table: dict[str, Any], path: Path, where: str = "") -> Config:
    def fail(key: str, message: str) -> ConfigError:
        prefix = f"{where}." if where else ""
        return ConfigError(f"{path}: {prefix}{key}: {message}")

    if not isinstance(table, dict):
        raise fail("", "must be a table")
    for key in table:
        if key not in TOP_KEYS:
            known = ", ".join(sorted(TOP_KEYS))
            raise fail(key, f"unknown key (known keys: {known})")

    def codes(key: str) -> frozenset[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail(key, "must be a list of rule codes")
        return frozenset(item.upper() for item in value)

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail(key, "must be a list of strings")
        return tuple(value)

    def level(key: str, value: Any) -> Severity:
        try:
            return Severity(value)
        except ValueError:
            raise fail(key, f"'{value}' is not error, warning or info") from None

    severities_table = table.get("severity", {})
    if not isinstance(severities_table, dict):
        raise fail("severity", "must be a table of CODE = level")
    from hubspec.rules import BY_CODE

    for code in severities_table:
        if code.upper() not in BY_CODE:
            raise fail(f"severity.{code}", "no such rule (`hubspec rules` lists them)")
    severities = {
        code.upper(): level(f"severity.{code}", value) for code, value in severities_table.items()
    }
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise fail("per-file-ignores", "must be a table of glob = [codes]")
    per_file_ignores = []
    for pattern, ignored in per_file.items():
        if not isinstance(ignored, list) or not all(isinstance(item, str) for item in ignored):
            raise fail(f"per-file-ignores.{pattern}", "must be a list of rule codes")
        per_file_ignores.append((pattern, frozenset(item.upper() for item in ignored)))
    fix = table.get("fix", {})
    if not isinstance(fix, dict):
        raise fail("fix", "must be a table")
    for key, value in fix.items():
        if key not in _FIX_KEYS:
            raise fail(f"fix.{key}", f"unknown key (known keys: {', '.join(sorted(_FIX_KEYS))})")
        if not isinstance(value, str):
            raise fail(f"fix.{key}", "must be a string")
        if key.endswith("-variable") and not (value.isidentifier() and value.isascii()):
            raise fail(f"fix.{key}", f"'{value}' is not a valid shell variable name")
    if fix.get("store", Store.parameter_store.value) not in STORES:
        raise fail("fix.store", f"must be {' or '.join(STORES)}")
    if fix.get("store") == Store.secrets_manager.value and not fix.get("secret"):
        raise fail("fix.secret", 'is required with store = "secrets-manager"')
    source_root = table.get("source-root")
    if source_root is not None and not isinstance(source_root, str):
        raise fail("source-root", "must be a path")
    fail_on = table.get("fail-on")
    share = table.get("budget-share")
    if share is not None and (
        not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1
    ):
        raise fail("budget-share", "must be a number greater than 0 and at most 1")
    return Config(
        path=path,
        select=codes("select"),
        ignore=codes("ignore") or frozenset(),
        severities=severities,
        fail_on=level("fail-on", fail_on) if fail_on is not None else None,
        mirrors=frozenset(strings("mirrors")),
        source_root=(path.parent / source_root) if source_root else None,
        include=strings("include"),
        exclude=strings("exclude"),
        per_file_ignores=tuple(per_file_ignores),
        fix=dict(fix),
        budget_share=float(share) if share is not None else None,
    )
