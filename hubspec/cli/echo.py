"""Messages to the user (fix's summary, errors), written by click.echo as typer.echo writes them.

click is imported only when a message is written. `hubspec lint` prints its report through the
reporters and no message when it succeeds, so the lint path never imports it; `fix` and errors
pay for the import, a sixth of typer's (21 ms of 137 ms here, measured under load).
"""

from __future__ import annotations


def echo(message: str, *, err: bool = False) -> None:
    """One line on stdout (or stderr): ANSI codes removed off a terminal, UTF-8 where the
    stream is ASCII, flushed (click's rules, so both entry points print the same bytes)."""
    import click

    click.echo(message, err=err)
