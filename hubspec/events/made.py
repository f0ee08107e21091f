"""Files a build makes before it uses them: downloads (`curl -o get_helm.sh URL`, `wget URL`)
and what its commands write (`echo A=1 >> build.env`, `... | tee Dockerfile`).

A build that then runs such a file (`bash get_helm.sh`, `source build.env`) or builds from it
runs what hubspec cannot know. The file is not in the checkout (or the build replaces the
checkout's copy), and a message that said only "was not found" would suggest that hubspec
looked in the wrong place: the resolver names the command that makes it instead
(`Resolver.made`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import TypeGuard
from urllib.parse import urlsplit

from hubspec.events.commands import shown_command
from hubspec.shell import options
from hubspec.shell.state import SimpleCommand

DOWNLOADERS = frozenset({"curl", "wget"})
COPIERS = frozenset({"cp", "mv"})
MAKERS = DOWNLOADERS | COPIERS | {"tee"}
"""Programs whose words name files they write (a redirection makes one of any command)."""
_CURL = options.table(
    values=[
        *("A/user-agent", "b/cookie", "c/cookie-jar", "C/continue-at", "d/data", "D/dump-header"),
        *("e/referer", "E/cert", "F/form", "H/header", "K/config", "m/max-time", "o/output"),
        *("P/ftp-port", "Q/quote", "r/range", "t/telnet-option", "T/upload-file", "u/user"),
        *("U/proxy-user", "w/write-out", "x/proxy", "X/request", "y/speed-time"),
        *("Y/speed-limit", "z/time-cond", "url", "output-dir", "data-binary", "data-raw"),
        *("data-urlencode", "connect-timeout", "retry", "retry-delay", "cacert", "key"),
    ],
    flags=[
        *("0/http1.0", "1/tlsv1", "2/sslv2", "3/sslv3", "4/ipv4", "6/ipv6", "a/append"),
        *("B/use-ascii", "f/fail", "g/globoff", "G/get", "h/help", "i/include", "I/head"),
        *("j/junk-session-cookies", "J/remote-header-name", "k/insecure", "l/list-only"),
        *("L/location", "M/manual", "n/netrc", "N/no-buffer", "O/remote-name"),
        *("p/proxytunnel", "q/disable", "R/remote-time", "s/silent", "S/show-error"),
        *("v/verbose", "V/version", "Z/parallel", "#/progress-bar", "compressed"),
        *("create-dirs", "remote-name-all", "fail-with-body", "retry-all-errors"),
    ],
)
"""curl's options (`curl --help all`): those that take a value, and flags, which a cluster
like `-fsSLo FILE` needs to be read to its `o`."""
_WGET = options.table(
    values=[
        *("o/output-file", "a/append-output", "e/execute", "i/input-file", "B/base"),
        *("t/tries", "O/output-document", "T/timeout", "w/wait", "Q/quota"),
        *("P/directory-prefix", "A/accept", "R/reject", "D/domains", "U/user-agent"),
        *("I/include-directories", "X/exclude-directories", "l/level", "user", "password"),
        *("header",),
    ],
    flags=[
        *("V/version", "h/help", "b/background", "d/debug", "q/quiet", "v/verbose"),
        *("n/no-clobber", "c/continue", "N/timestamping", "S/server-response"),
        *("4/inet4-only", "6/inet6-only", "r/recursive", "k/convert-links"),
        *("K/backup-converted", "m/mirror", "p/page-requisites", "E/adjust-extension"),
        *("F/force-html", "H/span-hosts", "L/relative", "x/force-directories"),
        *("no-check-certificate", "no-verbose", "show-progress"),
    ],
)
"""wget's options: `-o` is its log file, `-O` the download's, `-P` the folder it goes to."""
_TEE = options.table(
    flags=["a/append", "i/ignore-interrupts", "p", "help", "version"], optional=["output-error"]
)
"""GNU tee's options: every operand is a file it writes."""
_COPY = options.table(
    values=["S/suffix", "t/target-directory", "sparse", "no-preserve"],
    flags=[
        *("a/archive", "b", "d", "f/force", "i/interactive", "H", "l/link", "L/dereference"),
        *("n/no-clobber", "P/no-dereference", "p", "R/recursive", "r", "s/symbolic-link"),
        *("T/no-target-directory", "v/verbose", "x/one-file-system", "Z", "attributes-only"),
        *("copy-contents", "parents", "remove-destination", "strip-trailing-slashes"),
        *("exchange", "no-copy", "help", "version"),
    ],
    optional=["backup", "preserve", "reflink", "u/update", "context"],
)
"""GNU cp's and mv's options (one table: mv's are a subset, a word both know means the same)."""


def copied_files(words: Sequence[str | None]) -> list[tuple[str, str, bool]]:
    """(source, destination, whether the destination may be a folder that receives the
    source under its own name) of each file or folder `cp` or `mv` puts in place, as they
    name them; [] for other commands and for what is not known statically (`cp --parents`,
    a link, a name that is not known)."""
    if not words or words[0] is None or words[0].rsplit("/", 1)[-1] not in COPIERS:
        return []
    parsed = options.parse(words, 1, _COPY, interspersed=True)
    if parsed.opaque or parsed.unknown or parsed.flag("parents") or parsed.flag("symbolic-link"):
        return []
    operands = [word for _, word in parsed.positionals]
    if any(operand is None for operand in operands):
        return []
    names = [operand for operand in operands if operand is not None]
    target = parsed.last("target-directory")
    if target is not None:
        if target.value is None:
            return []
        folder = target.value
        return [(name, posixpath.join(folder, posixpath.basename(name)), False) for name in names]
    if len(names) < 2:
        return []
    *sources, destination = names
    if len(sources) > 1:
        return [
            (name, posixpath.join(destination, posixpath.basename(name)), False) for name in sources
        ]
    return [(sources[0], destination, not parsed.flag("no-target-directory"))]


def moved_files(words: Sequence[str | None]) -> bool:
    """Whether the command is `mv`: the files `copied_files` names leave their place."""
    first = words[0] if words else None
    return first is not None and first.rsplit("/", 1)[-1] == "mv"


def made_files(command: SimpleCommand, words: Sequence[str | None]) -> list[tuple[str, str]]:
    """The files `command` writes, as it names them (relative to where it runs), each with how
    a message says it is made ("downloaded by `curl -LO https://...`", "written by `echo A=1
    >> build.env`"); `words` are its words from the real program on (wrappers skipped).

    Redirections to names not known statically are left out, as are descriptors (`2>&1`).
    """
    program = words[0].rsplit("/", 1)[-1] if words and words[0] else None
    verb = "downloaded" if program in DOWNLOADERS else "written"
    found = [(name, f"downloaded by `{shown_command(command)}`") for name in downloads(words)]
    if program == "tee":
        parsed = options.parse(words, 1, _TEE, interspersed=True)
        if not parsed.opaque and not parsed.unknown:
            names = [name for _, name in parsed.positionals if name and name != "-"]
            found += [
                (name, f"written by `{shown_command(command, piped=True)}`") for name in names
            ]
    for operator, name in command.writes:
        if _may_be_the_repositorys(name):
            shown_with = shown_command(command, f" {operator} {name}", piped=True)
            found.append((name, f"{verb} by `{shown_with}`"))
    return found


def writes_files(command: SimpleCommand) -> bool:
    """Whether a redirection of `command` may write a file of the repository."""
    return any(_may_be_the_repositorys(name) for _, name in command.writes)


def _may_be_the_repositorys(name: str | None) -> TypeGuard[str]:
    """A name known statically, and not a device (`> /dev/null`, `2> /dev/stderr`)."""
    return name is not None and not name.startswith("/dev/")


def downloads(words: Sequence[str | None]) -> list[str]:
    """The files a curl or wget command writes, as it names them (relative to where it runs);
    [] for any other command, for output to stdout, and for names that are not known."""
    if not words or words[0] is None:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if program == "curl":
        return _curl(options.parse(words, 1, _CURL, interspersed=True))
    if program == "wget":
        return _wget(options.parse(words, 1, _WGET, interspersed=True))
    return []


def _curl(parsed: options.Parsed) -> list[str]:
    folder = _last(parsed, "output-dir")
    outputs = [option.value for option in parsed.all("output")]
    found = [output for output in outputs if output and output != "-"]
    if parsed.flag("remote-name"):
        urls = [*_urls(parsed), *(option.value for option in parsed.all("url"))]
        found += [name for name in map(_remote_name, urls) if name]
    if folder is None:
        return []
    return [posixpath.join(folder, name) for name in found]


def _wget(parsed: options.Parsed) -> list[str]:
    outputs = [option.value for option in parsed.all("output-document")]
    if outputs:
        return [output for output in outputs if output and output != "-"]
    folder = _last(parsed, "directory-prefix")
    if folder is None:
        return []
    names = [name for name in map(_remote_name, _urls(parsed)) if name]
    return [posixpath.join(folder, name) for name in names]


def _last(parsed: options.Parsed, name: str) -> str | None:
    """The value of the last `name` option; "" when there is none, None when not known."""
    option = parsed.last(name)
    return "" if option is None else option.value


def _urls(parsed: options.Parsed) -> list[str]:
    return [word for _, word in parsed.positionals if word is not None and "://" in word]


def _remote_name(url: str | None) -> str | None:
    """The file `curl -O` / `wget` writes for a URL: the last segment of its path."""
    name = posixpath.basename(urlsplit(url).path) if url else ""
    return name or None
