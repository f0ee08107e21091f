"""Messages to the user (fix's summary, errors), written as typer.echo (click.echo) writes them.

A copy of click.echo's rules, because it pays: typer 0.28 vendors click as `typer._click`, so
click.echo cannot be had without importing typer (137 ms under load, ~60 ms on a quiet
machine, against ~100 ms for a whole one-file lint), and older typers need the separate click
(21 ms). tests/test_entry.py holds this copy to typer.echo on every kind of stream.
"""

from __future__ import annotations

import codecs
import re
import sys
from typing import IO, Any, cast

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # click's strip_ansi


def echo(message: str, *, err: bool = False) -> None:
    """One line as typer.echo (click.echo) writes it, so that both entry points print the same bytes.

    Off a terminal ANSI sequences are removed; a stream whose encoding is ASCII or unset is
    bypassed for its binary buffer, written in UTF-8 with errors replaced; each line is flushed.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    binary = _binary_writer(stream)
    target = stream if binary is None else binary
    text = message + "\n"
    if not _isatty(target) and not type(target).__module__.startswith("ipykernel."):
        text = _ANSI.sub("", text)
    if binary is None:
        stream.write(text)
        stream.flush()
        return
    encoding = getattr(binary, "encoding", None) or sys.getdefaultencoding()
    binary.write(text.encode("utf-8" if _is_ascii(encoding) else encoding, "replace"))
    binary.flush()


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False


def _is_ascii(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def _binary_writer(stream: IO[Any]) -> IO[Any] | None:
    """Where click writes bytes instead of `stream` (click's _force_correct_text_writer), or None."""
    if _writes_bytes(stream, default=False):
        return stream
    if not _is_ascii(getattr(stream, "encoding", None) or "ascii"):
        return None
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _writes_bytes(buffer, default=True):
        return cast("IO[Any]", buffer)
    return None


def _writes_bytes(stream: IO[Any], *, default: bool) -> bool:
    try:
        stream.write(b"")
    except Exception:
        try:
            stream.write("")
        except Exception:
            return default
        return False
    return True
