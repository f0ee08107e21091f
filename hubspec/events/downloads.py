"""Files a build downloads (`curl -o get_helm.sh URL`, `wget URL`): not the repository's.

A build that then runs such a file (`bash get_helm.sh`) runs commands hubspec cannot know. The
file is not in the checkout (or the download replaces the checkout's copy), and a message that
said only "was not found" would suggest that hubspec looked in the wrong place: the resolver
names the download instead (`Resolver.downloads`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from urllib.parse import urlsplit

DOWNLOADERS = frozenset({"curl", "wget"})
_CURL_SHORT_VALUES = frozenset("AbcCdDeEFHKmoPQrTuUwxXyYzt")
"""curl's short options that take a value (in `-fsSLo FILE` the value follows the `o`)."""
_CURL_LONG_VALUES = frozenset(
    {"--header", "--data", "--data-binary", "--data-raw", "--data-urlencode", "--user"}
    | {"--user-agent", "--referer", "--max-time", "--connect-timeout", "--retry", "--proxy"}
    | {"--cacert", "--cert", "--key", "--request", "--config", "--write-out", "--range"}
)
_WGET_SHORT_VALUES = frozenset("aABDeiIlOoPQRtTUwX")
"""wget's short options that take a value (`-o` is its log file, `-O` the download's)."""


def downloads(words: Sequence[str | None]) -> list[str]:
    """The files a curl or wget command writes, as it names them (relative to where it runs);
    [] for any other command, for output to stdout, and for names that are not known."""
    if not words or words[0] is None:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if program == "curl":
        return _curl(words[1:])
    if program == "wget":
        return _wget(words[1:])
    return []


def _curl(args: Sequence[str | None]) -> list[str]:
    outputs: list[str | None] = []
    urls: list[str] = []
    remote = False
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg is None:
            continue
        if arg in ("-o", "--output", "--url"):
            value = args[index] if index < len(args) else None
            index += 1
            if arg == "--url":
                urls.extend([value] if value else [])
            else:
                outputs.append(value)
        elif arg.startswith("--output="):
            outputs.append(arg[len("--output=") :])
        elif arg in ("-O", "--remote-name"):
            remote = True
        elif arg.startswith("--"):
            index += arg in _CURL_LONG_VALUES
        elif arg.startswith("-") and len(arg) > 1:
            flags, value, index = _short(arg, args, index, _CURL_SHORT_VALUES)
            remote = remote or "O" in flags
            if flags.endswith("o"):
                outputs.append(value)
        elif "://" in arg:
            urls.append(arg)
    found = [output for output in outputs if output and output != "-"]
    if remote:
        found += [name for name in map(_remote_name, urls) if name]
    return found


def _wget(args: Sequence[str | None]) -> list[str]:
    outputs: list[str | None] = []
    urls: list[str] = []
    prefix: str | None = ""
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg is None:
            continue
        if arg in ("--output-document", "--directory-prefix"):
            value = args[index] if index < len(args) else None
            index += 1
            if arg == "--output-document":
                outputs.append(value)
            else:
                prefix = value
        elif arg.startswith("--output-document="):
            outputs.append(arg[len("--output-document=") :])
        elif arg.startswith("--directory-prefix="):
            prefix = arg[len("--directory-prefix=") :]
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            flags, value, index = _short(arg, args, index, _WGET_SHORT_VALUES)
            if flags.endswith("O"):
                outputs.append(value)
            elif flags.endswith("P"):
                prefix = value
        elif "://" in arg:
            urls.append(arg)
    if outputs:
        return [output for output in outputs if output and output != "-"]
    if prefix is None:
        return []
    names = [name for name in map(_remote_name, urls) if name]
    return [posixpath.join(prefix, name) for name in names]


def _short(
    arg: str, args: Sequence[str | None], index: int, with_values: frozenset[str]
) -> tuple[str, str | None, int]:
    """A cluster of short options (`-fsSLo`): its flags up to the first that takes a value
    (which ends them), that value (the rest of the cluster or the next word, None if none),
    and where the next word is."""
    for position, flag in enumerate(arg[1:], 2):
        if flag in with_values:
            if position < len(arg):
                return arg[1:position], arg[position:], index
            value = args[index] if index < len(args) else None
            return arg[1:], value, index + 1
    return arg[1:], None, index


def _remote_name(url: str) -> str | None:
    """The file `curl -O` / `wget` writes for a URL: the last segment of its path."""
    name = posixpath.basename(urlsplit(url).path)
    return name or None
