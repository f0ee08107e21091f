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
    {"--output", "--url", "--header", "--data", "--data-binary", "--data-raw", "--user"}
    | {"--data-urlencode", "--user-agent", "--referer", "--max-time", "--connect-timeout"}
    | {"--retry", "--proxy", "--cacert", "--cert", "--key", "--request", "--config"}
    | {"--write-out", "--range"}
)
_WGET_SHORT_VALUES = frozenset("aABDeiIlOoPQRtTUwX")
"""wget's short options that take a value (`-o` is its log file, `-O` the download's)."""
_WGET_LONG_VALUES = frozenset({"--output-document", "--directory-prefix", "--output-file"})


def downloads(words: Sequence[str | None]) -> list[str]:
    """The files a curl or wget command writes, as it names them (relative to where it runs);
    [] for any other command, for output to stdout, and for names that are not known."""
    if not words or words[0] is None:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if program == "curl":
        return _curl(_options(words[1:], _CURL_SHORT_VALUES, _CURL_LONG_VALUES))
    if program == "wget":
        return _wget(_options(words[1:], _WGET_SHORT_VALUES, _WGET_LONG_VALUES))
    return []


def _curl(options: list[tuple[str, str | None]]) -> list[str]:
    outputs = [value for name, value in options if name in ("o", "--output")]
    found = [output for output in outputs if output and output != "-"]
    if any(name in ("O", "--remote-name") for name, _ in options):
        urls = [value for name, value in options if name in ("", "--url") and value]
        found += [name for name in map(_remote_name, urls) if name]
    return found


def _wget(options: list[tuple[str, str | None]]) -> list[str]:
    outputs = [value for name, value in options if name in ("O", "--output-document")]
    if outputs:
        return [output for output in outputs if output and output != "-"]
    prefixes = [value for name, value in options if name in ("P", "--directory-prefix")]
    prefix = prefixes[-1] if prefixes else ""
    if prefix is None:
        return []
    urls = [value for name, value in options if name == "" and value]
    return [posixpath.join(prefix, name) for name in map(_remote_name, urls) if name]


def _options(
    args: Sequence[str | None], short_values: frozenset[str], long_values: frozenset[str]
) -> list[tuple[str, str | None]]:
    """(option, value) in order: a short option as its letter (`-fsSLo F`: f, s, S, L, o=F),
    a long one as written (`--output=F` and `--output F` alike), an operand that is a URL as
    ("", url); None for a value that is not known."""
    found: list[tuple[str, str | None]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg is None:
            continue
        if arg.startswith("--"):
            name, equals, written = arg.partition("=")
            value: str | None = written if equals else None
            if not equals and name in long_values:
                value, index = (args[index] if index < len(args) else None), index + 1
            found.append((name, value))
        elif arg.startswith("-") and len(arg) > 1:
            for position, flag in enumerate(arg[1:], 2):
                if flag not in short_values:
                    found.append((flag, None))
                    continue
                if position < len(arg):
                    found.append((flag, arg[position:]))
                else:
                    found.append((flag, args[index] if index < len(args) else None))
                    index += 1
                break
        elif "://" in arg:
            found.append(("", arg))
    return found


def _remote_name(url: str) -> str | None:
    """The file `curl -O` / `wget` writes for a URL: the last segment of its path."""
    name = posixpath.basename(urlsplit(url).path)
    return name or None
