"""The console script and `python -m hubspec`: common runs start without typer.

`hubspec lint FILE` from a pre-commit hook would spend more time importing typer than linting;
quickargs parses `lint`, `fix` and `audit` itself and everything else goes to the typer app in cli.py.
Exit codes and the handling of Ctrl-C and a closed pipe match what typer does.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress
from typing import IO, TYPE_CHECKING, Any, NoReturn, TextIO, cast

if TYPE_CHECKING:
    from hubspec.run.options import Request

EXIT_INTERRUPTED = 130


def console() -> NoReturn:
    """The console script and `python -m hubspec`: `main`, then leave at once.

    Once the report is written, the interpreter's teardown only frees memory, object by
    object (2% of a one-file lint's instructions, more after a run over many files), so
    the process ends with `os._exit` after flushing its output. Where another thread or
    a multiprocessing pool may still need the teardown (the server, the forkserver pool),
    it exits the normal way.
    """
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away, as in _quiet_broken_pipe
            code = 1
        except ValueError:  # closed: the server's stdout, once its client has gone
            pass
    threading = sys.modules.get("threading")
    if "multiprocessing" in sys.modules or (threading and threading.active_count() > 1):
        sys.exit(code)
    os._exit(code)


def _exit_code(code: object) -> int:
    """The exit status `sys.exit(code)` gives, printing a message as the interpreter does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def main() -> None:
    """Run hubspec with sys.argv and exit with its code."""
    gc.disable()  # until the lint machinery is imported: see _collect_from_here
    try:
        from hubspec.cli.quickargs import parse

        request = parse(sys.argv[1:])
        if request is None:
            gc.enable()
            from hubspec.cli.app import app

            app()
            return
        from hubspec.cli.commands import ServerRequest, run_server

        if isinstance(request, ServerRequest):
            gc.enable()
            sys.exit(run_server(request))
        try:
            code = _run(request)
        except BrokenPipeError:
            _quiet_broken_pipe()
            code = 1
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code)


def _run(request: Request) -> int:
    if request.command == "audit":
        from hubspec.cli.audit import run_audit

        _collect_from_here()
        return run_audit(request)
    from hubspec.cli.commands import run_fix, run_lint
    from hubspec.run import runner  # noqa: F401 - the lint machinery, imported with collection off

    _collect_from_here()
    return run_lint(request) if request.command == "lint" else run_fix(request)


def _collect_from_here() -> None:
    """Resume garbage collection, leaving out what start-up made.

    Importing creates tens of thousands of objects that live until exit, and collections
    while they are made free nothing; left on, the collector took about a tenth of the time
    of a one-file lint (a perf profile) and 7% of its instructions (callgrind). Frozen, they
    are not traversed again, and forked workers do not copy their pages by touching them.
    """
    gc.freeze()
    gc.enable()


class _PacifyFlush:
    """Ignores a broken pipe when the interpreter flushes the stream at exit (as click does)."""

    def __init__(self, wrapped: IO[Any]) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        with suppress(BrokenPipeError):
            self.wrapped.flush()

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


def _quiet_broken_pipe() -> None:
    """The reader went away (`hubspec lint | head`): exit 1 without a traceback, as typer does."""
    sys.stdout = cast(TextIO, _PacifyFlush(sys.stdout))
    sys.stderr = cast(TextIO, _PacifyFlush(sys.stderr))
