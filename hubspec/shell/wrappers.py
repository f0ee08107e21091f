"""Wrapper commands: `sudo`, `env`, `timeout`... run their operand as a command of its own.

One table for every part of hubspec that needs the command behind the wrappers: the shell
analysis (`timeout 60 bash -c "..."` runs a script) and the docker CLI model
(`sudo -u ci docker pull ...` pulls as `ci`). Takes an argv (None for a word not known
statically); hands on where the wrapped command starts, the user it runs as and the
`NAME=value` assignments given to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from hubspec.records import record
from hubspec.shell.options import OptionTable, Parsed, parse, table


@record
class Wrapper:
    """How one wrapper reads its argv before the command it runs."""

    options: OptionTable
    operands: int = 0
    """Operands it takes before the command (`timeout DURATION cmd`)."""
    not_executing: frozenset[str] = frozenset()
    """Options under which the operand is not simply run (`command -v`), or cannot be known."""
    sets_user: bool = False
    """`sudo`: the command runs as root, or as the `--user` given."""


WRAPPERS: Mapping[str, Wrapper] = MappingProxyType(
    {
        "sudo": Wrapper(
            table(
                values=(
                    "C/close-from", "D/chdir", "g/group", "host", "p/prompt", "R/chroot",
                    "r/role", "T/command-timeout", "t/type", "U/other-user", "u/user",
                ),
                flags=(
                    "A/askpass", "B/bell", "b/background", "E/preserve-env-all", "e/edit",
                    "H/set-home", "h/help", "i/login", "K/remove-timestamp",
                    "k/reset-timestamp", "l/list", "N/no-update", "n/non-interactive",
                    "P/preserve-groups", "S/stdin", "s/shell", "V/version", "v/validate",
                ),
                optional=("preserve-env",),
            ),
            not_executing=frozenset(
                {"edit", "help", "list", "validate", "version", "remove-timestamp"}
            ),
            sets_user=True,
        ),
        "env": Wrapper(
            table(
                values=("u/unset", "C/chdir", "S/split-string"),
                flags=("i/ignore-environment", "0/null", "v/debug", "help", "version"),
            ),
            not_executing=frozenset({"help", "version", "split-string"}),
        ),
        "time": Wrapper(
            table(
                values=("f/format", "o/output"),
                flags=("a/append", "p/portability", "q/quiet", "v/verbose", "help", "V/version"),
            )
        ),
        "command": Wrapper(table(flags=("p", "v", "V")), not_executing=frozenset({"v", "V"})),
        "builtin": Wrapper(table()),
        "exec": Wrapper(table(values=("a",), flags=("c", "l"))),
        "nice": Wrapper(table(values=("n/adjustment",), flags=("help", "version"))),
        "nohup": Wrapper(table(flags=("help", "version"))),
        "setsid": Wrapper(table(flags=("c/ctty", "f/fork", "w/wait", "h/help", "V/version"))),
        "timeout": Wrapper(
            table(
                values=("s/signal", "k/kill-after"),
                flags=("foreground", "preserve-status", "v/verbose", "help", "version"),
            ),
            operands=1,
        ),
        "stdbuf": Wrapper(
            table(values=("i/input", "o/output", "e/error"), flags=("help", "version"))
        ),
    }
)  # fmt: skip
"""Commands that run their operand as a command (`sudo docker ...`), with their options."""

UNKNOWN = "<unknown>"
"""Stands for a user name that is set but not known statically."""

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=.*", re.DOTALL)


@record
class Unwrapped:
    """The command behind the wrappers of an argv.

    `user` is None when unchanged, "root" for plain `sudo`, the `-u` name, or UNKNOWN.
    `env` holds the `NAME=value` words seen before the command (`env` and `sudo` take them).
    """

    word: int
    user: str | None
    env: tuple[tuple[str, str], ...]


def unwrap(argv: Sequence[str | None]) -> Unwrapped | None:
    """Where the command behind wrappers and assignments starts; None when that is not known.

    None also when no command follows, when a word in the way is not known, or when a wrapper
    option means the operand does not run as a command (`command -v docker`, `env -S ...`).
    """
    i = 0
    user: str | None = None
    env: list[tuple[str, str]] = []
    while i < len(argv):
        word = argv[i]
        if word is None:
            return None
        if _ASSIGNMENT.fullmatch(word):
            name, _, value = word.partition("=")
            env.append((name, value))
            i += 1
            continue
        wrapper = WRAPPERS.get(word.rsplit("/", 1)[-1])
        if wrapper is None:
            return Unwrapped(i, user, tuple(env))
        parsed = parse(argv, i + 1, wrapper.options, interspersed=False)
        if _not_executing(parsed, wrapper):
            return None
        if wrapper.sets_user:
            option = parsed.last("user")
            user = "root" if option is None else (option.value or UNKNOWN)
        if not parsed.positionals:
            return None
        i = parsed.positionals[0][0] + wrapper.operands
    return None


def _not_executing(parsed: Parsed, wrapper: Wrapper) -> bool:
    return any(parsed.last(name) for name in wrapper.not_executing)
