"""pygls' protocol, with the futures of finished notifications let go.

pygls 2.1 keeps the future of every notification handler (and of each step of its own
generator handlers) in `_request_futures` under a fresh id that nothing ever removes: some
two kilobytes per keystroke, so a server that lives all day would grow without bound. A
finished future in that table is never looked up again (responses to the client's requests
are sent from the future itself; the server's own requests wait there unfinished until the
client answers), so the finished ones are dropped after each notification.
"""

from __future__ import annotations

from typing import Any

from pygls.protocol import LanguageServerProtocol


class Protocol(LanguageServerProtocol):
    def _handle_notification(self, method_name: str, params: Any) -> None:
        super()._handle_notification(method_name, params)
        finished = [key for key, future in self._request_futures.items() if future.done()]
        for key in finished:
            del self._request_futures[key]
