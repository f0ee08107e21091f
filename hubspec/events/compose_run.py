"""The services a compose command's files define together, each part with its file.

Compose reads the `-f` files (or the one it finds, with its override) and what their
`include:` names; a service defined in several files merges into one (the later file's values
win); a service that `extends:` another (in the same file, or in the `file:` it names, relative
to its own file) starts from that one's settings and overrides them, as compose-go's
`ApplyExtends`: the base's relative paths stay relative to the base's own file, and what
makes it depend on other services (`depends_on`, `links`) is not inherited. Each part keeps
the file it is written in, so a pull is named (and a mirror fix made) where its image is.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from hubspec.docker.compose import (
    ComposeFile,
    ComposeProblem,
    ComposeService,
    merged_service,
    read_compose,
)
from hubspec.events.resolve import OUTSIDE, Opened, Resolver
from hubspec.records import record, replace

MAX_EXTENDS = 16
"""Services one service extends through, in a chain: deeper is reported, not followed."""

OpenFile = Callable[[Path], "Opened | str | None"]
"""A compose file's text, or why not; None when over the file budget (already reported)."""
Report = Callable[[str], None]


@record
class Placed:
    """A service as the files define it together, and where its parts are written."""

    service: ComposeService
    image_file: Opened
    """The file its image key is written in (where a mirror fix edits it)."""
    build_file: Opened
    build_base: str
    """The folder its build context is relative to (as the source root names it)."""


class ComposeProject:
    """Reads a compose command's files into its services, reporting what cannot be read."""

    def __init__(
        self,
        resolver: Resolver,
        open_file: OpenFile,
        report: Report,
        environment: Mapping[str, str | None],
    ) -> None:
        self.resolver = resolver
        self.open_file = open_file
        self.report = report
        self.environment = environment
        self._read: dict[Path, ComposeFile] = {}
        self._opened: dict[Path, Opened | str | None] = {}

    def services(self, files: list[Opened], folder: str) -> dict[str, Placed]:
        """The services of `files` (and what they include), merged by name, in order of
        first definition; relative paths are from `folder`, an included file's from its
        own folder."""
        pending = [(compose, folder) for compose in files]
        seen = {compose.path for compose in files}
        merged: dict[str, Placed] = {}
        while pending:
            compose, base = pending.pop(0)
            read = self._compose(compose, report=True)
            for included in self._included(compose, read.includes):
                if included.path not in seen:
                    seen.add(included.path)
                    pending.append((included, posixpath.dirname(included.shown) or "."))
            for service in read.services:
                placed = self._extended(Placed(service, compose, compose, base), read, ())
                earlier = merged.get(service.name)
                merged[service.name] = placed if earlier is None else _merged(earlier, placed)
        return merged

    def _compose(self, compose: Opened, *, report: bool) -> ComposeFile:
        """The file read once; its problems reported when asked (a file read for one of
        its services reports that service's own, in `_extended`)."""
        read = self._read.get(compose.path)
        if read is None:
            read = self._read[compose.path] = read_compose(compose.text, self.environment)
        if report:
            self._report_problems(compose, read.problems)
        return read

    def _report_problems(self, compose: Opened, problems: Iterable[ComposeProblem]) -> None:
        for problem in problems:
            self.report(f"{compose.shown}, line {problem.line}: {problem.message}")

    def _included(self, compose: Opened, includes: tuple[tuple[str, int], ...]) -> list[Opened]:
        """The files a compose file's `include:` names (from its own folder), read; why
        one cannot be, at the line that names it."""
        found: list[Opened] = []
        for written, line in includes:
            opened = self._open(compose, written)
            if isinstance(opened, Opened):
                found.append(opened)
            elif opened is not None:
                self.report(f"{compose.shown}, line {line}: the included file {written} {opened}")
        return found

    def _open(self, compose: Opened, written: str) -> Opened | str | None:
        """A file a compose file names, relative to its own folder (read once however many
        services extend one of its services)."""
        path = self.resolver.locate(posixpath.dirname(compose.shown) or ".", written)
        if path is None:
            return OUTSIDE
        if path not in self._opened:
            self._opened[path] = self.open_file(path)
        return self._opened[path]

    def _extended(
        self, placed: Placed, read: ComposeFile, chain: tuple[tuple[Path, str], ...]
    ) -> Placed:
        """`placed` with the service it extends (and that one's, in turn) merged under it."""
        service = placed.service
        if service.extends is None:
            return placed
        name, file = service.extends
        compose = placed.image_file
        where = f"{compose.shown}, line {service.extends_line}: service {service.name!r} extends"
        chain = (*chain, (compose.path, service.name))
        if file is None:
            base_file, base_read, base_folder = compose, read, placed.build_base
        else:
            opened = self._open(compose, file)
            if not isinstance(opened, Opened):
                if opened is not None:
                    self.report(f"{where} {name!r} from {file}, which {opened}")
                return placed
            base_file, base_read = opened, self._compose(opened, report=False)
            base_folder = posixpath.dirname(opened.shown) or "."
        base = next((each for each in base_read.services if each.name == name), None)
        if base is None:
            self.report(f"{where} {name!r}, which {base_file.shown} does not define")
            return placed
        if (base_file.path, name) in chain:
            self.report(f"{where} {name!r}, which extends it again; not followed")
            return placed
        if len(chain) > MAX_EXTENDS:
            self.report(f"{where} {name!r}: more than {MAX_EXTENDS} extends deep; not followed")
            return placed
        if base_file.path != compose.path:
            self._report_service_problems(base_file, base_read, base)
        below = self._extended(Placed(base, base_file, base_file, base_folder), base_read, chain)
        own = Placed(
            replace(service, extends=None, extends_line=None), compose, compose, placed.build_base
        )
        joined = _merged(below, own)
        return replace(
            joined,
            service=replace(
                joined.service, name=service.name, line=service.line, depends_on=service.depends_on
            ),
            # where a message about its image, or about having none, points
            image_file=joined.image_file if joined.service.image_line is not None else compose,
        )

    def _report_service_problems(
        self, compose: Opened, read: ComposeFile, service: ComposeService
    ) -> None:
        """The problems of the lines of one service of a file read for `extends:` only."""
        later = [each.line for each in read.services if each.line > service.line]
        end = min(later, default=None)
        self._report_problems(
            compose,
            (
                problem
                for problem in read.problems
                if problem.line >= service.line and (end is None or problem.line < end)
            ),
        )


def _merged(earlier: Placed, later: Placed) -> Placed:
    """Two definitions of a service merged (`merged_service`), each part from its file."""
    builds = later.service.build_context is not None
    return Placed(
        merged_service(earlier.service, later.service),
        later.image_file if later.service.image_line is not None else earlier.image_file,
        later.build_file if builds else earlier.build_file,
        later.build_base if builds else earlier.build_base,
    )
