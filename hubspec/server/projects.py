"""A buildspec file that a template's project names is linted in the project's context, in the
editor as on the command line (`run.merge`): its secrets, image and privileged mode count.

The host files (templates, Terraform) under each source root are found once, by the CLI's
discovery, and found again after one is created or deleted. The session finds them on a
worker thread (`find`): walking a large repository takes seconds, in which the editor's other
requests are still answered. Each lint of a buildspec reads
the host files that mention its name (open buffers first) and lints those that name it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from hubspec.hosts.kind import text_kind
from hubspec.lint.host import lint_host
from hubspec.model import Finding
from hubspec.records import replace
from hubspec.run import files
from hubspec.run.merge import distinct
from hubspec.server.buffers import Buffers, normal
from hubspec.settings import Settings


class HostFiles:
    """The host files under each source root, by the CLI's discovery; found again only when
    one goes or a file that is one comes (a YAML or JSON file saved or created is looked at,
    not taken for one by its name)."""

    def __init__(self) -> None:
        self._by_root: dict[Path, list[Path]] = {}
        self._generation = 0
        """Counts the times the lists were dropped: a search that began before is stale."""

    def known(self, root: Path) -> list[Path] | None:
        """The host files under `root`, or None while they have not been found."""
        return self._by_root.get(normal(root))

    def under(self, root: Path) -> list[Path]:
        """The host files under `root`, found here and now if they are not known yet."""
        key = normal(root)
        found = self._by_root.get(key)
        if found is None:
            found = self._by_root[key] = _host_files(key)
        return found

    async def find(self, root: Path) -> None:
        """Find the host files under `root` on a worker thread; kept unless dropped meanwhile."""
        key = normal(root)
        generation = self._generation
        found = await _on_daemon_thread(_host_files, key)
        if generation == self._generation:
            self._by_root[key] = found

    def found_none(self, root: Path) -> None:
        """Take it that `root` holds no host files (its search failed)."""
        self._by_root[normal(root)] = []

    def changed(self, path: Path, text: str | None) -> bool:
        """Take note of a file created or saved with `text`, or deleted (None); True when the
        host files found so far are no longer the right list (they are found again)."""
        if not files.is_host_name(path.name) or files.BUILDSPEC_NAME.match(path.name):
            return False
        key = normal(path)
        listed = any(key in found for found in self._by_root.values())
        if text is None:
            stale = listed
        else:
            is_host = text_kind(str(key), text) is not None
            stale = is_host != listed and any(key.is_relative_to(root) for root in self._by_root)
        if stale:
            self._by_root.clear()
            self._generation += 1
        return stale


async def _on_daemon_thread(function: Callable[[Path], list[Path]], root: Path) -> list[Path]:
    """`function(root)` on a thread of its own that does not hold up the server's exit.

    `asyncio.to_thread` runs it in the loop's executor, whose threads the interpreter waits
    for at exit: an editor closing while a large repository is walked waited for the walk.
    The search only reads, so it may simply be dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[Path]] = loop.create_future()

    def settle(outcome: list[Path] | BaseException) -> None:
        if future.done():  # cancelled meanwhile
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def search() -> None:
        outcome: list[Path] | BaseException
        try:
            outcome = function(root)
        except BaseException as error:  # handed to the awaiting task, which reports it
            outcome = error
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=search, name="hubspec-host-search", daemon=True).start()
    return await future


def _host_files(root: Path) -> list[Path]:
    """The CLI's discovery under `root`: the files that are not buildspecs by their name."""
    try:
        targets = files.discover([str(root)])
    except files.PathError:
        targets = []
    return [
        normal(target.path)
        for target in targets
        if not files.BUILDSPEC_NAME.match(target.path.name)
    ]


def _naming(
    buildspec: Path, hosts: Sequence[Path], buffers: Buffers, seen: set[Path]
) -> list[tuple[Path, str, str]]:
    """(path, text, kind) of the host files that mention the buildspec's name."""
    reader = buffers.reader(seen)
    found: list[tuple[Path, str, str]] = []
    for host in hosts:
        if host == buildspec:
            continue
        text = reader(host)
        if text is None or buildspec.name not in text:
            continue
        kind = text_kind(str(host), text)
        if kind is not None:
            found.append((host, text, kind))
    return found


def project_findings(
    display: str,
    root: Path,
    settings: Settings,
    hosts: Sequence[Path],
    buffers: Buffers,
    seen: set[Path],
) -> list[Finding] | None:
    """The findings of the buildspec file `display` in the projects that name it, as `hubspec
    lint .` reports them; None when no host file names it (it is linted alone)."""
    me = normal(Path(display))
    findings: list[Finding] = []
    named = False
    for host, text, kind in _naming(me, hosts, buffers, seen):
        result = lint_host(
            str(host),
            text.encode("utf-8", errors="surrogatepass"),
            kind=kind,
            source_root=root,
            reader=buffers.reader(seen),
            settings=settings,
        )
        if any(normal(Path(path)) == me for path in result.named_buildspecs):
            named = True
            findings.extend(f for f in result.findings if normal(Path(f.path)) == me)
    if not named:
        return None
    return [replace(f, path=display) for f in distinct(findings)]


def project_fix(
    display: str, root: Path, settings: Settings, hosts: Sequence[Path], buffers: Buffers
) -> tuple[bool, str | None]:
    """Whether a host file names the buildspec file `display`, and the text `hubspec fix` gives
    it through the first one that does (None: it changes nothing there, or refuses)."""
    from hubspec.fix.host import fix_host

    me = normal(Path(display))
    naming = False
    for host, text, _ in _naming(me, hosts, buffers, set()):
        outcome = fix_host(
            str(host),
            text.encode("utf-8", errors="surrogatepass"),
            source_root=root,
            reader=buffers.reader(set()),
            settings=settings,
        )
        if not any(normal(Path(path)) == me for path in outcome.before.named_buildspecs):
            continue
        naming = True
        for path, _, new_text in outcome.files:
            if normal(path) == me:
                return True, new_text
    return naming, None
