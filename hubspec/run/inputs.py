"""The inputs of a run: each buildspec's name, bytes, settings and source root.

Files come from discovery (`files.discover`) and stdin; each file's settings from the config
nearest to it (or --config) under the command-line options, and its source root from those
settings or the default (`source_root.SourceRoots`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hubspec.records import record, replace
from hubspec.run import files
from hubspec.run.config import Config, ConfigSearch, load_config
from hubspec.run.options import RunOptions
from hubspec.run.source_root import GitMarks, SourceRoots
from hubspec.settings import Settings

STDIN = "-"


class Configs:
    """Finds and caches the config for each file: --config, else the nearest, else none."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.fixed: Config | None = None
        self.loaded: dict[Path, Config] = {}
        marks = GitMarks()  # one look for `.git` per folder, for both searches
        self.search = ConfigSearch(marks)
        self.base_settings: dict[int, Settings] = {}
        """Settings before per-file ignores, by id of the config (kept alive here), 0 for none."""
        self.default_roots = SourceRoots(marks=marks)
        """The source root of files for which neither the options nor a config name one."""
        if options.config_file is not None and not options.isolated:
            self.fixed = load_config(options.config_file)

    def for_path(
        self, path: Path, *, is_file: bool | None = None, is_link: bool | None = None
    ) -> Config | None:
        if self.options.isolated:
            return None
        if self.fixed is not None:
            return self.fixed
        found = self.search.nearest(path, is_file=is_file, is_link=is_link)
        if found is None:
            return None
        if found not in self.loaded:
            self.loaded[found] = load_config(found)
        return self.loaded[found]

    def settings_for(self, path: Path) -> Settings:
        return self.settings_with(path, self.for_path(path))

    def settings_with(self, path: Path, config: Config | None) -> Settings:
        """The settings for `path` under `config`, the config `for_path` found for it."""
        key = id(config) if config is not None else 0
        settings = self.base_settings.get(key)
        if settings is None:
            base = config.settings(Settings()) if config is not None else Settings()
            settings = self.base_settings[key] = self.options.apply(base)
        if config is not None and config.per_file_ignores:
            settings = replace(settings, ignore=settings.ignore | config.ignored_for(path))
        return settings


@record
class Input:
    """One buildspec to process: its name in reports, bytes, source root, file (not stdin) and
    settings."""

    display: str
    data: bytes
    root: Path
    path: Path | None
    settings: Settings


def read_inputs(options: RunOptions, configs: Configs) -> list[Input]:
    """Every input, read once; stdin is read only when '-' is given."""
    inputs: list[Input] = []
    for source in find_sources(options, configs):
        item = read_source(configs, source)
        if item is not None:
            inputs.append(item)
    return inputs


def find_sources(options: RunOptions, configs: Configs) -> list[Input | files.Target]:
    """stdin (read now, when '-' is given) and every buildspec file, in report order."""
    sources: list[Input | files.Target] = []
    named = [path for path in options.paths if path != STDIN]
    targets = files.discover(named)
    if STDIN in options.paths:
        display = options.stdin_filename or "<stdin>"
        data = sys.stdin.buffer.read(files.MAX_INPUT_BYTES + 1)
        settings = configs.settings_for(Path(display))
        # stdin without a name is taken as a buildspec in the current directory
        stdin_path = Path(options.stdin_filename or STDIN)
        root = settings.source_root or configs.default_roots.for_file(stdin_path)
        sources.append(Input(display, data, root, None, settings))
    sources.extend(targets)
    return sources


def read_source(configs: Configs, source: Input | files.Target) -> Input | None:
    """A file's bytes and settings, or None when its config excludes it."""
    if isinstance(source, Input):
        return source
    path = source.path
    config = configs.for_path(path, is_file=True, is_link=source.link)  # discover's files
    if not source.named and config is not None and config.excludes(path):
        # a file named on the command line is linted whatever its config excludes
        return None
    try:
        data = files.read_bytes(path, files.MAX_INPUT_BYTES)
        if len(data) > files.MAX_INPUT_BYTES and files.is_host_name(path.name):
            data = files.read_bytes(path, files.MAX_HOST_BYTES)  # templates may be larger
    except OSError as error:
        raise files.PathError(f"{source.display}: cannot be read ({error.strerror})") from None
    settings = configs.settings_with(path, config)
    root = settings.source_root or configs.default_roots.for_file(path)
    return Input(source.display, data, root, path, settings)
