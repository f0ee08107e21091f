"""Settings per document: the nearest config file, as the CLI finds it, under the client's.

The client's settings (initializationOptions, workspace/didChangeConfiguration, or
workspace/configuration per workspace folder) act like command-line options: `select`
replaces the config's selection, `ignore` adds to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from hubspec.records import record
from hubspec.run.config import ConfigError
from hubspec.run.runner import Configs, RunOptions
from hubspec.settings import Settings


@record
class ClientSettings:
    """What an editor may set: which rules run."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()


def client_settings(value: object) -> tuple[ClientSettings, list[str]]:
    """Settings from a client's JSON (`{"hubspec": {...}}` or the section itself), and
    what was wrong with it (unknown keys and bad values are reported, not guessed at)."""
    problems: list[str] = []
    if isinstance(value, Mapping) and isinstance(value.get("hubspec"), Mapping):
        value = value["hubspec"]
    if value is None:
        return ClientSettings(), problems
    if not isinstance(value, Mapping):
        return ClientSettings(), [f"settings must be an object, not {type(value).__name__}"]
    for key in value:
        if key not in ("select", "ignore"):
            problems.append(f"unknown setting '{key}' (known: select, ignore)")

    def codes(key: str) -> frozenset[str] | None:
        items = value.get(key)
        if items is None:
            return None
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, Sequence) or not all(isinstance(item, str) for item in items):
            problems.append(f"'{key}' must be a list of rule codes")
            return None
        return frozenset(item.upper() for item in items)

    return ClientSettings(codes("select"), codes("ignore") or frozenset()), problems


class SettingsStore:
    """Client settings (global and per workspace folder) and the config files found."""

    def __init__(self) -> None:
        self.default = ClientSettings()
        self.folders: dict[Path, ClientSettings] = {}
        self._configs: dict[ClientSettings, Configs] = {}

    def reload_configs(self) -> None:
        """Forget every config file read: one changed on disk or in the editor."""
        self._configs.clear()

    def folder_of(self, path: Path, folders: Sequence[Path]) -> Path | None:
        """The innermost workspace folder holding `path`."""
        holding = [folder for folder in folders if path.is_relative_to(folder)]
        return max(holding, key=lambda folder: len(folder.parts), default=None)

    def for_path(self, path: Path | None, folders: Sequence[Path]) -> tuple[Settings, Path]:
        """The settings and the source root for a document; raises ConfigError."""
        folder = self.folder_of(path, folders) if path is not None else None
        client = self.folders.get(folder, self.default) if folder is not None else self.default
        configs = self._configs.get(client)
        if configs is None:
            options = RunOptions(paths=[], select=client.select, ignore=client.ignore)
            configs = self._configs[client] = Configs(options)
        if path is None:
            settings = configs.options.settings()
            return settings, settings.source_root or folder or Path.cwd()
        settings = configs.settings_for(path)
        return settings, settings.source_root or source_root(path, folder)


def source_root(path: Path, folder: Path | None) -> Path:
    """CodeBuild's source root: the top of the repository holding the file (nearest `.git`);
    without one, the workspace folder holding it, else the file's folder."""
    directory = path.parent
    for candidate in (directory, *directory.parents):
        if os.access(candidate / ".git", os.F_OK):
            return candidate
    return folder if folder is not None else directory


__all__ = ["ClientSettings", "ConfigError", "SettingsStore", "client_settings", "source_root"]
