"""Shell scripts the build runs: `bash x.sh`, `sh x.sh`, `./x.sh`, `source x.sh`, `. x.sh`.

A script is found where bash finds it: relative to the directory the command runs in (under
the source root). `bash x.sh` and `./x.sh` run it in a child shell; `source`/`.` in the
caller's. A file with a `#!` line naming another interpreter (python, node) is not a shell
script and is not followed; an absolute path outside the source (`/usr/local/bin/x.sh`,
`~/.nvm/nvm.sh`) is not the repository's and is not followed either.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubspec.events.follow import Call, Chunk, Flow, Followed
from hubspec.events.resolve import Opened, Resolver
from hubspec.shell.state import SOURCE_DIR_MARK

SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh"})
SCRIPT_NAME = "BASH_SOURCE"
"""The running file's name as it was run or sourced (`${BASH_SOURCE[0]}`)."""
SOURCING = frozenset({"source", "."})
_OPTIONS_WITH_VALUE = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})


def follow_script(call: Call, resolver: Resolver) -> Followed | None:
    """The script a command runs, with its arguments; None when the command runs none."""
    words, cwd = call.words, call.cwd
    if not words or words[0] is None:
        return None
    program = words[0]
    base = program.rsplit("/", 1)[-1]
    if program in SOURCING:
        flow, at = Flow.SOURCED, 1
    elif base in SHELLS:
        found = _shell_operand(words)
        if found is None:
            return None
        flow, at = Flow.CHILD, found
    elif "/" in program:
        flow, at = Flow.CHILD, 0
    else:
        return None
    if at >= len(words):
        return None
    written = words[at]
    arguments: tuple[str | None, ...] | None = tuple(words[at + 1 :])
    if flow is Flow.SOURCED and not arguments:
        arguments = None  # `source x.sh` keeps the caller's $1, $2...
    if written is None:
        shown = call.command.words[len(call.command.words) - len(words) + at].raw
        reason = f"the script `{shown}` is not known statically"
        return Followed((), flow, "?", arguments, (reason,))
    if written.startswith(("/", "~")) and not written.startswith(SOURCE_DIR_MARK):
        return None
    path = resolver.locate(cwd, written)
    if path is None:
        return Followed(
            (), flow, written, arguments, (_missed(written, "is in an unknown directory"),)
        )
    shown = resolver.shown(path)
    if resolver.over_budget():
        return Followed((), flow, shown, arguments, (_missed(shown, "is over the file budget"),))
    opened = resolver.open(path)
    if isinstance(opened, str):
        return Followed((), flow, shown, arguments, (_missed(shown, opened),))
    if not _is_shell(opened):
        return None
    names = _names(flow, written)
    chunk = Chunk(opened.text, opened.path, opened.shown, 1, variables=names)
    return Followed((chunk,), flow, shown, arguments)


def _names(flow: Flow, written: str) -> tuple[tuple[str, str | None], ...]:
    """How a script is named inside it, as it was run: `$0` in a script bash runs, and
    `${BASH_SOURCE[0]}` in one sourced too (`$0` stays the caller's). Scripts find their
    own folder from these (`cd "$(dirname "$0")"`, `shell.output`)."""
    if flow is Flow.SOURCED:
        return ((SCRIPT_NAME, written),)
    return (("0", written), (SCRIPT_NAME, written))


def _shell_operand(words: Sequence[str | None]) -> int | None:
    """Index of the script file of `bash [options] FILE`; None for `-c`, `-s` or stdin."""
    index = 1
    while index < len(words):
        word = words[index]
        if word is None:
            return None
        if word == "--":
            return index + 1
        if word in _OPTIONS_WITH_VALUE:
            index += 2
            continue
        if word.startswith("--"):
            index += 1
            continue
        if len(word) > 1 and word[0] in "-+":
            if "c" in word[1:] or "s" in word[1:]:
                return None
            index += 1
            continue
        return index
    return None


def _is_shell(opened: Opened) -> bool:
    """Whether a file runs as a shell script: no `#!` line, or one naming a shell."""
    if not opened.text.startswith("#!"):
        return True
    first = opened.text.split("\n", 1)[0][2:].split()
    if not first:
        return True
    interpreter = first[0].rsplit("/", 1)[-1]
    if interpreter == "env" and len(first) > 1:
        interpreter = next((word for word in first[1:] if not word.startswith("-")), "")
    return interpreter in SHELLS


def _missed(shown: str, reason: str) -> str:
    return f"the script {shown} {reason}, so a docker pull in it may be missed"
