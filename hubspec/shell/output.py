"""What a command substitution prints, where its words and directory say it.

Scripts find their own folder and name files from there: `cd "$(dirname "$0")/.."`,
`DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"`, `$(dirname "$(realpath "$0")")`.
`pwd`, `dirname`, `basename`, `realpath` and `readlink -f` print what their words and the
working directory say; `realpath` is read lexically, as the resolver reads every path a build
names. `git rev-parse --show-toplevel` prints the source root, inside it. Any other command's
output is known only to the running shell.
"""

from __future__ import annotations

import posixpath

from hubspec.shell.state import SOURCE_DIR_MARK, SimpleCommand, absolute_cwd

PRINTING = frozenset({"pwd", "dirname", "basename", "realpath", "readlink"})
"""The commands whose output `printed` may know (and `git rev-parse --show-toplevel`)."""
_TOP_LEVEL = ["rev-parse", "--show-toplevel"]


def may_print(command: SimpleCommand) -> bool:
    """Whether `printed` may know what `command` prints, by its name (and git's words)."""
    name = command.words[0].value if command.words else None
    if name == "git":
        return [word.value for word in command.words[1:]] == _TOP_LEVEL
    return name in PRINTING


def printed(command: SimpleCommand) -> str | None:
    """What `command` prints (the trailing newline dropped, as `$(...)` drops it); None if
    not known statically."""
    values = [word.value for word in command.words]
    if not values or command.assignments or command.pipe_input is not None:
        return None
    name, arguments = values[0], values[1:]
    if name == "git" and arguments == _TOP_LEVEL:
        return _top_level(command.cwd)
    if name not in PRINTING or any(value is None for value in arguments):
        return None
    operands = [value for value in arguments if value is not None]
    if name == "pwd":
        return absolute_cwd(command.cwd) if all(o == "-L" for o in operands) else None
    if name == "readlink":
        if len(operands) != 2 or operands[0] != "-f":
            return None
        name, operands = "realpath", operands[1:]
    if len(operands) != 1 or operands[0].startswith("-") or not operands[0]:
        return None
    operand = operands[0]
    if name == "dirname":
        return _dirname(operand)
    if name == "basename":
        return _basename(operand)
    if operand.startswith("/"):
        return posixpath.normpath(operand)
    folder = absolute_cwd(command.cwd)
    return None if folder is None else posixpath.normpath(posixpath.join(folder, operand))


def _top_level(cwd: str) -> str | None:
    """`git rev-parse --show-toplevel` in the checkout: its top, the source root (hubspec's
    default source root is the top of the buildspec's git work tree). Outside it, or in an
    unknown directory, not known."""
    folder = absolute_cwd(cwd)
    if folder is None or not (folder + "/").startswith(SOURCE_DIR_MARK + "/"):
        return None
    return SOURCE_DIR_MARK


def _dirname(path: str) -> str:
    """POSIX `dirname`: `a/b/` -> `a`, `a` -> `.`, `/a` -> `/`."""
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    if "/" not in stripped:
        return "."
    folder = stripped[: stripped.rindex("/")].rstrip("/")
    return folder or "/"


def _basename(path: str) -> str:
    """POSIX `basename` with one operand: `a/b/` -> `b`, `/` -> `/`."""
    stripped = path.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else "/"
