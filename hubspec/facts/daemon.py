"""Whether a build talks to the Docker daemon, and whether it starts one itself.

CodeBuild runs the daemon only in privileged mode (HS105, HS106). Every docker subcommand
but a few client-only ones (`--version`, `help`, `context`, `login`/`logout`, which fall
back to a client-side login) needs it, as do compose and buildx.
"""

from __future__ import annotations

from hubspec.build.model import LazyOffsets
from hubspec.docker import cli as docker_cli
from hubspec.facts.context import LintContext
from hubspec.records import record
from hubspec.shell import walk as shell
from hubspec.shell.state import ShellState

CLIENT_ONLY = frozenset({"help", "context", "login", "logout", "version", "completion"})
_VALUED_GLOBALS = frozenset(
    {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
     "--tlscert", "--tlskey"}
)  # fmt: skip


@record
class DaemonUse:
    """The first command that needs the daemon (offsets in the buildspec text), if any,
    and whether the buildspec starts `dockerd` itself (a custom image's own daemon)."""

    first: tuple[int, int] | None
    command: str = ""
    starts_daemon: bool = False


def daemon_use(context: LintContext) -> DaemonUse:
    first: tuple[int, int] | None = None
    shown = ""
    starts = False
    for step in context.analysis.model.steps:
        if "docker" not in step.text:
            continue
        result = shell.analyse(step.text, ShellState())
        for command in result.commands:
            argv = [word.value for word in command.words]
            if any(word and word.rsplit("/", 1)[-1].startswith("dockerd") for word in argv):
                starts = True
                continue
            if first is None and _needs_daemon(argv):
                offsets = LazyOffsets(context.document, step.node)
                last = len(offsets) - 1
                start = offsets[min(command.start, last)]
                end = offsets[min(max(command.end - 1, 0), last)] + 1
                first = (start, max(end, start + 1))
                shown = " ".join(word.raw for word in command.words[:3])
    return DaemonUse(first, shown, starts)


def _needs_daemon(argv: list[str | None]) -> bool:
    found = docker_cli.invocation(argv)
    if found is None:
        return False
    if found.program != "docker":
        return True  # docker-compose
    rest = argv[found.word + 1 :]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word is None:
            return True
        if word in ("-v", "--version", "-h", "--help"):
            return False
        if word.startswith("-"):
            index += 2 if word in _VALUED_GLOBALS else 1
            continue
        return word not in CLIENT_ONLY
    return False
