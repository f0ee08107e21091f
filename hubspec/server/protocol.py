"""pygls' protocol, corrected where it goes wrong for a server that lives all day.

- Finished notification futures are let go. pygls 2.1 keeps the future of every
  notification handler (and of each step of its own generator handlers) in
  `_request_futures` under a fresh id that nothing ever removes: some two kilobytes per
  keystroke, so the server would grow without bound. A finished future in that table is
  never looked up again (responses to the client's requests are sent from the future
  itself; the server's own requests wait there unfinished until the client answers).
- Documents count lines as LSP does. pygls splits a document with `str.splitlines`, which
  also breaks lines at form feeds, vertical tabs, U+001C-U+001E, NEL, U+2028 and U+2029;
  LSP (and YAML, and the editor) break lines only at CR LF, CR and LF. With one of those
  characters in a buffer, every incremental edit below it landed on the wrong line: the
  server linted a text the editor did not show, and a quick fix computed from it would
  have edited the wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import TextDocument, Workspace

_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
"""A line with its line break (CR LF, CR or LF), or the last line without one."""


def lsp_lines(text: str) -> tuple[str, ...]:
    """`text` split into lines as LSP counts them, each with its line break."""
    return tuple(_LSP_LINE.findall(text))


class LspTextDocument(TextDocument):
    """pygls' document with its lines (which edits and positions index) as LSP counts them."""

    @property
    def lines(self) -> Sequence[str]:
        return lsp_lines(self.source)


class LspWorkspace(Workspace):
    """pygls' workspace, making LspTextDocuments."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


class Protocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        result = yield from super().lsp_initialize(params)
        # No document is open before initialize has been answered.
        self.workspace.__class__ = LspWorkspace
        return result

    def _handle_notification(self, method_name: str, params: Any) -> None:
        super()._handle_notification(method_name, params)
        finished = [key for key, future in self._request_futures.items() if future.done()]
        for key in finished:
            del self._request_futures[key]
