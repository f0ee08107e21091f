"""The server's state and its lint scheduling: open documents, settings, pending lints.

A change schedules a lint DEBOUNCE seconds later, and a later change replaces the lint
still pending, so the latest text wins: lints run on the event loop one at a time, and the
changes that arrive during one are all read before the next fires, so a burst costs one
lint. A lint's diagnostics are published only if the document still has the version that
was linted: stale results never reach the editor. Everything kept is per open document and
dropped when it closes.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from hubspec import __version__
from hubspec.hosts.kind import text_kind
from hubspec.run import files
from hubspec.run.config import CONFIG_NAMES, ConfigError
from hubspec.server.analysis import Checked, Target, check, is_lintable
from hubspec.server.buffers import Buffers, normal
from hubspec.server.diagnostics import config_diagnostic, crash_diagnostic
from hubspec.server.projects import HostFiles
from hubspec.server.protocol import Protocol
from hubspec.server.settings import SettingsStore, client_settings

if TYPE_CHECKING:
    from pygls.server import ServerErrors

DEBOUNCE = 0.003
WORKSPACE_FILES = frozenset({"package.json", "pnpm-workspace.yaml"})
"""Files whose coming or going may add a workspace package no lint has read yet."""


class Session(LanguageServer):
    """pygls' server with hubspec's state: buffers, settings, lints pending and published."""

    def __init__(self) -> None:
        super().__init__(
            "hubspec",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=Protocol,
        )
        self.buffers = Buffers()
        self.hosts = HostFiles()
        self.store = SettingsStore()
        self.buildspecs: set[str] = set()
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.finding: dict[Path, asyncio.Task[None]] = {}
        """Searches for host files under a source root, running on worker threads."""
        self.frozen = False

    # Documents -----------------------------------------------------------------------------

    def opened(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path = path_of(uri)
        if path is not None:
            self.buffers.put(path, document.source)
        if is_lintable(_name(uri), document.source, document.language_id or ""):
            self.buildspecs.add(uri)
            self.lint_now(uri)
        self.touched(path, now=True)

    def changed(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path = path_of(uri)
        if path is not None:
            self.buffers.put(path, document.source)
        if uri in self.buildspecs or is_lintable(
            _name(uri), document.source, document.language_id or ""
        ):
            self.buildspecs.add(uri)
            self.schedule(uri)
        if path is not None and path.name not in CONFIG_NAMES:  # configs are read on save
            self.touched(path, now=False)

    def saved(self, uri: str) -> None:
        path = path_of(uri)
        document = self.workspace.text_documents.get(uri)
        if path is not None and document is not None and self.hosts.changed(path, document.source):
            self.relint_all()  # a file became a template or Terraform file, or stopped being one
            return
        if uri in self.buildspecs:
            self.lint_now(uri)
        self.touched(path, now=True)

    def changed_on_disk(self, uri: str, change: types.FileChangeType) -> None:
        path = path_of(uri)
        if path is not None and change is not types.FileChangeType.Changed:
            text = None if change is types.FileChangeType.Deleted else files.read_referenced(path)
            if self.hosts.changed(path, text):
                self.relint_all()  # a template that may name a buildspec came or went
                return
            if path.name in WORKSPACE_FILES:
                self.relint_all()  # a workspace package came or went: no lint has read it
                return
        self.touched(path, now=False)

    def closed(self, uri: str) -> None:
        path = path_of(uri)
        if path is not None:
            self.buffers.drop(path)
        self._cancel(uri)
        self.buffers.forget(uri)
        if uri in self.buildspecs:
            self.buildspecs.discard(uri)
            self.published.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))
        self.touched(path, now=True)

    def touched(self, path: Path | None, *, now: bool) -> None:
        """A file changed (in the editor or on disk): re-lint what depends on it."""
        if path is None:
            return
        if path.name in CONFIG_NAMES:
            self.store.reload_configs()
            self.relint_all()
            return
        for uri in self.buffers.users_of(path):
            if uri in self.buildspecs:
                self.lint_now(uri) if now else self.schedule(uri)

    def relint_all(self) -> None:
        for uri in list(self.buildspecs):
            self.schedule(uri, delay=0.0)

    # Settings -------------------------------------------------------------------------------

    def configure(self, value: object, folder: Path | None = None) -> None:
        settings, problems = client_settings(value)
        for problem in problems:
            self.log(types.MessageType.Warning, f"hubspec settings: {problem}")
        if folder is None:
            self.store.default = settings
        else:
            self.store.folders[folder] = settings

    def folders(self) -> list[Path]:
        found = [path_of(folder.uri) for folder in self.workspace.folders.values()]
        if self.workspace.root_uri:
            found.append(path_of(self.workspace.root_uri))
        return [folder for folder in found if folder is not None]

    def target(self, uri: str, document: TextDocument) -> Target:
        """What to lint the document with; raises ConfigError for a bad config file."""
        found = self._target(uri, document, self.hosts.under)
        assert found is not None  # `under` finds the host files when they are not known
        return found

    def _target(
        self, uri: str, document: TextDocument, hosts_under: Callable[[Path], list[Path] | None]
    ) -> Target | None:
        """The Target, with the host files `hosts_under` gives for the source root: None
        when it gives None (they are not known yet)."""
        path = path_of(uri)
        settings, root = self.store.for_path(path, self.folders())
        hosts: tuple[Path, ...] = ()
        if path is not None and text_kind(path.name, document.source) is None:
            found = hosts_under(root)
            if found is None:
                return None
            hosts = tuple(found)
        return Target(
            uri,
            str(path) if path is not None else uri,
            document.source,
            settings,
            root,
            str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16),
            hosts,
        )

    def _known_hosts(self, root: Path) -> list[Path] | None:
        """The host files under `root` if known; else None, and a search for them starts."""
        known = self.hosts.known(root)
        if known is None:
            self._find_hosts(root)
        return known

    # Linting --------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float = DEBOUNCE) -> None:
        """Lint after a pause; a later change replaces the pending lint (latest text wins)."""
        self._cancel(uri)
        self.pending[uri] = asyncio.get_running_loop().create_task(self._later(uri, delay))

    def _cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    async def _later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.pending.pop(uri, None)
        self.lint_now(uri)

    def lint_now(self, uri: str) -> None:
        """Lint the document's current text and publish, unless it changed meanwhile."""
        self._cancel(uri)
        document = self.workspace.text_documents.get(uri)
        if document is None or uri not in self.buildspecs:
            return
        version = document.version
        checked = self._check(uri, document)
        if checked is None:
            return
        if not self.frozen:
            # What the first lint imported and built lives as long as the server: keeping
            # it out of the collector's generations keeps full collections short.
            gc.freeze()
            self.frozen = True
        if checked.failure is not None:
            self.log(types.MessageType.Error, checked.failure)
        self.buffers.uses[uri] = checked.uses
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version or uri not in self.buildspecs:
            return  # stale: a newer lint is scheduled, or the document closed
        self.published[uri] = checked.diagnostics
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, checked.diagnostics, version)
        )

    def _find_hosts(self, root: Path) -> None:
        """Start finding the host files under `root`, unless a search is running already."""
        key = normal(root)
        if key in self.finding:
            return

        async def search() -> None:
            try:
                await self.hosts.find(key)
            except Exception as error:  # a bug in hubspec must not stop the server
                self.log(types.MessageType.Error, f"hubspec failed to search {key}: {error!r}")
                self.hosts.found_none(key)  # lint without the projects rather than wait again
            finally:
                self.finding.pop(key, None)
            self.relint_all()

        self.finding[key] = asyncio.get_running_loop().create_task(search())

    def _check(self, uri: str, document: TextDocument) -> Checked | None:
        try:
            target = self._target(uri, document, self._known_hosts)
            if target is None:
                return None  # linted when the host files under its root are found
        except ConfigError as error:
            return Checked([config_diagnostic(str(error))])
        except Exception as error:  # a bug in hubspec must not stop the server
            return Checked([crash_diagnostic(error)], failure=f"hubspec failed on {uri}: {error!r}")
        return check(target, self.buffers)

    def log(self, level: types.MessageType, message: str) -> None:
        self.window_log_message(types.LogMessageParams(level, message))

    def report_server_error(self, error: Exception, source: ServerErrors) -> None:
        """A message pygls could not handle goes to the client's log, not into a pop-up: it
        is the client's fault (invalid JSON-RPC) or is answered as an error response."""
        if source is FeatureRequestError:
            return
        self.log(types.MessageType.Error, f"hubspec server: {source.__name__}: {error}")


def path_of(uri: str) -> Path | None:
    """The file a `file:` URI names; None for other schemes (unsaved buffers)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def _name(uri: str) -> str:
    path = path_of(uri)
    return path.name if path is not None else uri.rstrip("/").rsplit("/", 1)[-1]
