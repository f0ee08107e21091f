"""Image references, normalised the way distribution/reference (normalize.go) does it.

Whether a pull goes to Docker Hub depends only on the registry host that the normalisation
picks, so this module mirrors the Go rules exactly rather than guessing from the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hubspec.records import record

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"
SCRATCH = "scratch"

HUB_DOMAINS: frozenset[str] = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)
"""Hosts that serve Docker Hub; only `index.docker.io` is rewritten by the normaliser."""

NAME_TOTAL_LENGTH_MAX = 255

# The grammar of distribution/reference/regexp.go, ASCII only as in Go.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
# docker matches `name[:tag][@digest]` with one regex; its parts are matched one by one here
# because that one regex takes Python ~6 ms to compile, most of a small lint's regex cost.
_DOMAIN_PATTERN = re.compile(_DOMAIN, re.ASCII)
_PATH_COMPONENT_PATTERN = re.compile(_PATH_COMPONENT, re.ASCII)
_PATH_PATTERN = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*", re.ASCII)
_TAG_PATTERN = re.compile(_TAG, re.ASCII)
_DIGEST_PATTERN = re.compile(_DIGEST, re.ASCII)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}", re.ASCII)


@record
class ImageRef:
    """A parsed, normalised image reference (`docker.io/library/node:20`)."""

    original: str
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The fully qualified repository, `domain/path`."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar(self) -> str:
        """The short form people write (`node:20`, `bitnami/redis:7`, `ghcr.io/x/y:1`)."""
        if self.domain == DEFAULT_DOMAIN:
            rest = self.path.removeprefix(OFFICIAL_PREFIX)
            short = rest if "/" not in rest else self.path
        else:
            short = self.name
        if self.tag is not None:
            short += f":{self.tag}"
        if self.digest is not None:
            short += f"@{self.digest}"
        return short

    @property
    def is_official(self) -> bool:
        """A Docker Official Image (`library/<name>` on Hub): these have an ECR Public mirror."""
        if self.is_scratch or self.domain.lower() not in HUB_DOMAINS:
            return False
        if not self.path.startswith(OFFICIAL_PREFIX):
            return False
        return "/" not in self.path.removeprefix(OFFICIAL_PREFIX)

    @property
    def is_scratch(self) -> bool:
        """`FROM scratch` is the empty image: nothing is pulled."""
        return self.original == SCRATCH


def _split_domain(name: str) -> tuple[str, str]:
    """splitDockerDomain: the first component is a host only if it looks like one."""
    first, slash, rest = name.partition("/")
    if not slash or (
        not any(c in first for c in ".:") and first != "localhost" and first == first.lower()
    ):
        domain, remainder = DEFAULT_DOMAIN, name
    else:
        domain, remainder = first, rest
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_PREFIX + remainder
    return domain, remainder


def parse_image(text: str) -> ImageRef | None:
    """Parse like ParseNormalizedNamed; None when docker itself would reject the text.

    `scratch` parses (to `docker.io/library/scratch`) and is flagged by `is_scratch`, so that
    callers decide in one place that it pulls nothing. Text still holding `$` (an unexpanded
    variable) and bare 64-hex image IDs are not references.
    """
    if not text or "$" in text or _IDENTIFIER.fullmatch(text):
        return None
    domain, remainder = _split_domain(text)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        return None
    named, at, digest = remainder.partition("@")
    path, colon, tag = named.partition(":")
    if (
        (at and not _DIGEST_PATTERN.fullmatch(digest))
        or (colon and not _TAG_PATTERN.fullmatch(tag))
        or not _PATH_PATTERN.fullmatch(path)
        # the name regex's domain is optional: a first part that is no host may be a path part
        or not (_DOMAIN_PATTERN.fullmatch(domain) or _PATH_COMPONENT_PATTERN.fullmatch(domain))
        or len(domain) + 1 + len(path) > NAME_TOTAL_LENGTH_MAX
    ):
        return None
    return ImageRef(
        original=text,
        domain=domain,
        path=path,
        tag=tag if colon else None,
        digest=digest if at else None,
    )


def _mirror_prefix(entry: str) -> str:
    """Normalise a user's mirror entry to a lower-case `domain[/path]` prefix."""
    prefix = entry.strip().lower()
    for scheme in ("https://", "http://"):
        prefix = prefix.removeprefix(scheme)
    prefix = prefix.rstrip("/")
    if prefix == LEGACY_DEFAULT_DOMAIN or prefix.startswith(LEGACY_DEFAULT_DOMAIN + "/"):
        prefix = DEFAULT_DOMAIN + prefix[len(LEGACY_DEFAULT_DOMAIN) :]
    return prefix


def matches_prefix(ref: ImageRef, entries: Iterable[str]) -> bool:
    """True if `domain/path` equals an entry or continues it at a `/` boundary."""
    full = ref.name.lower()
    for entry in entries:
        prefix = _mirror_prefix(entry)
        if prefix and (full == prefix or full.startswith(prefix + "/")):
            return True
    return False


def is_docker_hub(ref: ImageRef, *, mirrors: frozenset[str] = frozenset()) -> bool:
    """Does pulling `ref` hit Docker Hub (and so its anonymous rate limit)?

    `mirrors` are `domain[/path]` prefixes the user declared as served elsewhere (a registry
    mirror, a paid organisation); a Hub reference under one of them is not reported.
    """
    if ref.is_scratch or ref.domain.lower() not in HUB_DOMAINS:
        return False
    return not matches_prefix(ref, mirrors)


def known_repository(prefix: str) -> str | None:
    """The repository of an image whose text is known only up to `prefix`.

    `node:${TAG}` is known up to `node:`: the tag is open but the repository, and so the
    registry, is fixed. Returns the repository (`node`) when the prefix already ended the name
    (a `:` tag or `@` digest separator after the last `/`), else None. A prefix without `/`
    whose colon could still be a registry port (`localhost:`, `reg.example.com:5000`) is
    treated as undecided.
    """
    if "@" in prefix:
        name = prefix.split("@", 1)[0]
    else:
        slash = prefix.rfind("/")
        colon = prefix.find(":", slash + 1)
        if colon == -1:
            return None
        name = prefix[:colon]
        if slash == -1 and ("." in name or name == "localhost"):
            return None
    ref = parse_image(name)
    if ref is None or ref.tag is not None or ref.digest is not None:
        return None
    return name
