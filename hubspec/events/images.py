"""Image references -> Pull events: Docker Hub or not, and images the build made itself."""

from __future__ import annotations

import re

from hubspec.docker.cli import ImageSource
from hubspec.docker.dockerfile import DockerfilePull
from hubspec.docker.images import HUB_DOMAINS, is_docker_hub, known_repository, parse_image
from hubspec.events.model import (
    IMPLICIT,
    Event,
    Place,
    Pull,
    PullSource,
    Unresolved,
)
from hubspec.shell.state import Word


class ImageEvents:
    """The event list of one build, and the images it has tagged itself so far."""

    def __init__(self, mirrors: frozenset[str]) -> None:
        self.events: list[Event] = []
        self.mirrors = mirrors
        self.local_images: dict[str, set[str | None]] = {}

    def unresolved(self, place: Place, reason: str) -> None:
        self.events.append(Unresolved(place, reason))

    def image(
        self,
        place: Place,
        text: str,
        how: str,
        written: str | None = None,
        source: PullSource = IMPLICIT,
        platforms: int = 1,
    ) -> None:
        ref = parse_image(text)
        if ref is None:
            if text.strip().lower() != "scratch":
                self.unresolved(place, f"'{text}' is not an image reference hubspec can read")
            return
        if ref.path == "library/scratch" and ref.domain == "docker.io":
            return
        hub = is_docker_hub(ref, mirrors=self.mirrors)
        self.events.append(Pull(place, ref, how, hub, written or ref.familiar, source, platforms))

    def dockerfile_image(
        self, place: Place, pull: DockerfilePull, how: str, source: PullSource, platforms: int
    ) -> None:
        written = None if pull.exact else f"{pull.image}:<unknown tag>"
        self.image(place, pull.image, how, written=written, source=source, platforms=platforms)

    def remember_tags(self, words: tuple[Word, ...], tag_words: tuple[int, ...]) -> None:
        """Images a build tags are local afterwards: `docker run` of them pulls nothing."""
        for index in tag_words:
            word = words[index]
            known = word.value is not None
            text = word.value if word.value is not None else literal_prefix(word.raw)
            for option in ("--tag=", "-t"):
                if text.startswith(option) and text != option:
                    text = text[len(option) :]
            name = _name_and_tag(text, complete=known)
            if name is not None:
                self.local_images.setdefault(name[0], set()).add(name[1])

    def is_local(self, lookup: ImageSource, image: str, *, complete: bool = True) -> bool:
        """Whether `docker run/create` names an image an earlier build tagged (no pull)."""
        if lookup is ImageSource.REGISTRY:
            return False
        name = _name_and_tag(image, complete=complete)
        if name is None or name[0] not in self.local_images:
            return False
        tags = self.local_images[name[0]]
        return None in tags or name[1] is None or name[1] in tags

    def partial_image(
        self, place: Place, word: Word, lookup: ImageSource, how: str, source: PullSource
    ) -> bool:
        """`docker pull node:$TAG`: the tag is open but the repository, so the registry, is not.

        False when nothing is known of the image (the caller reports it unresolved).
        """
        if _registry_host_not_hub(word.raw):
            return True
        prefix = literal_prefix(word.raw)
        repository = known_repository(prefix)
        if repository is None:
            return False
        if self.is_local(lookup, prefix, complete=False):
            return True
        written = word.raw.replace('"', "").replace("'", "")
        self.image(place, repository, how, written=written, source=source)
        return True


def _name_and_tag(text: str, *, complete: bool) -> tuple[str, str | None] | None:
    """(normalised repository, tag) of an image text; the tag is None when not known.

    With `complete` False the text is only a known prefix (`myapp:` of `myapp:$TAG`).
    """
    slash = text.rfind("/")
    colon = text.find(":", slash + 1)
    name = (text[:colon] if colon != -1 else text).split("@", 1)[0]
    if not name or "$" in name or (not complete and colon == -1):
        return None
    ref = parse_image(name)
    if ref is None:
        return None
    tag: str | None = None
    if complete:
        tag = (text[colon + 1 :].split("@", 1)[0] if colon != -1 else "") or "latest"
    return f"{ref.domain}/{ref.path}", tag


_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def _registry_host_not_hub(raw: str) -> bool:
    """`$ACCOUNT.dkr.ecr.$REGION.amazonaws.com/app`: a host that is plainly not Docker Hub.

    The first path component is a registry host when it holds a `.` or `:` (even around
    variables); only the Docker Hub host names make it Hub.
    """
    text = raw.replace('"', "").replace("'", "")
    if "/" not in text:
        return False
    host = text.split("/", 1)[0]
    literal = _VARIABLE.sub("", host)
    if not any(mark in literal for mark in ".:") or "docker.io" in host:
        return False
    return not any(host.endswith(hub) for hub in HUB_DOMAINS)


def literal_prefix(raw: str) -> str:
    """The text of a shell word up to its first expansion, quotes removed."""
    prefix = []
    for char in raw:
        if char in "$`":
            break
        if char not in "'\"":
            prefix.append(char)
    return "".join(prefix)
