"""Writing one fix outcome: the buildspec and every other file it changes, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.run import files
from hubspec.run.inputs import Input

if TYPE_CHECKING:
    from hubspec.fix import FixOutcome


def write_all(item: Input, outcome: FixOutcome) -> None:
    """Write the buildspec and every other file of one outcome: all of them or none."""
    assert item.path is not None
    plan: list[tuple[Path, bytes, bytes]] = []
    if outcome.new_data is not None:
        plan.append((item.path, item.data, outcome.new_data))
    for path, old_text, new_text in outcome.files:
        old = files.read_bytes(path)
        bom = old.startswith(b"\xef\xbb\xbf")
        try:
            current = old[3 if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            raise files.WriteConflict(f"{path}: not valid UTF-8; not rewritten") from None
        if current != old_text:
            raise files.WriteConflict(
                f"{path}: changed on disk while hubspec was working; not written"
            )
        plan.append((path, old, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")))
    done: list[tuple[Path, bytes]] = []
    for path, old, new in plan:
        try:
            files.write_atomic(path, new, expected_old=old)
        except (OSError, files.WriteConflict) as error:
            if not done:
                raise
            restored = _roll_back(done)
            raise files.WriteConflict(f"{error}; {restored}") from error
        done.append((path, old))


def _roll_back(done: list[tuple[Path, bytes]]) -> str:
    """Put back the files already written for this buildspec; say what happened."""
    failed: list[str] = []
    for path, old in reversed(done):
        try:
            files.write_atomic(path, old)
        except (OSError, files.WriteConflict):
            failed.append(str(path))
    if failed:
        return "could not restore " + ", ".join(failed) + ": check them by hand"
    return "the files written before it were put back, so every file of this buildspec is unchanged"


def write_error(display: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{display}: not written ({error.strerror or error}); the file is unchanged"
    return str(error)
