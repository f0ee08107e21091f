"""Host offsets -> line:col spans, for project fields (image, privileged mode, resource)."""

from __future__ import annotations

from hubspec.load.source import line_starts_of, position_in
from hubspec.model import Span


class Spans:
    """Spans of a host text; line starts are computed once, when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def span(self, start: int, end: int) -> Span:
        if self._starts is None:
            self._starts = line_starts_of(self.text)
        return Span(
            position_in(self._starts, start), position_in(self._starts, max(end, start + 1))
        )
