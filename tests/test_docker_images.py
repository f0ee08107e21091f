from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspec.docker.images import (
    HUB_DOMAINS,
    ImageRef,
    _split_domain,
    is_docker_hub,
    known_repository,
    matches_prefix,
    parse_image,
)

DIGEST = "sha256:" + "a" * 64

# text -> (domain, path, tag, digest, familiar, is official, is Docker Hub)
NORMALISATION = {
    "ubuntu": ("docker.io", "library/ubuntu", None, None, "ubuntu", True, True),
    "node:20": ("docker.io", "library/node", "20", None, "node:20", True, True),
    "library/node": ("docker.io", "library/node", None, None, "node", True, True),
    "docker.io/node": ("docker.io", "library/node", None, None, "node", True, True),
    "docker.io/library/node:20-alpine": (
        "docker.io", "library/node", "20-alpine", None, "node:20-alpine", True, True,
    ),
    "index.docker.io/library/node": ("docker.io", "library/node", None, None, "node", True, True),
    "index.docker.io/node": ("docker.io", "library/node", None, None, "node", True, True),
    "registry-1.docker.io/x/y": (
        "registry-1.docker.io", "x/y", None, None, "registry-1.docker.io/x/y", False, True,
    ),
    "registry-1.docker.io/library/node": (
        "registry-1.docker.io", "library/node", None, None,
        "registry-1.docker.io/library/node", True, True,
    ),
    "registry.hub.docker.com/library/redis:7": (
        "registry.hub.docker.com", "library/redis", "7", None,
        "registry.hub.docker.com/library/redis:7", True, True,
    ),
    "bitnami/redis:7": ("docker.io", "bitnami/redis", "7", None, "bitnami/redis:7", False, True),
    "docker.io/bitnami/redis": (
        "docker.io", "bitnami/redis", None, None, "bitnami/redis", False, True,
    ),
    "library/a/b": ("docker.io", "library/a/b", None, None, "library/a/b", False, True),
    "a/b/c:1": ("docker.io", "a/b/c", "1", None, "a/b/c:1", False, True),
    "ghcr.io/a/b": ("ghcr.io", "a/b", None, None, "ghcr.io/a/b", False, False),
    "ghcr.io/a/b:1.2.3": ("ghcr.io", "a/b", "1.2.3", None, "ghcr.io/a/b:1.2.3", False, False),
    "localhost:5000/x": ("localhost:5000", "x", None, None, "localhost:5000/x", False, False),
    "localhost/x": ("localhost", "x", None, None, "localhost/x", False, False),
    "127.0.0.1:5000/x": ("127.0.0.1:5000", "x", None, None, "127.0.0.1:5000/x", False, False),
    "[::1]:5000/x": ("[::1]:5000", "x", None, None, "[::1]:5000/x", False, False),
    "Foo/bar": ("Foo", "bar", None, None, "Foo/bar", False, False),
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1": (
        "123456789012.dkr.ecr.us-east-1.amazonaws.com", "x", "1", None,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1", False, False,
    ),
    "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/docker-hub/library/node:20": (
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "docker-hub/library/node", "20", None,
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/docker-hub/library/node:20",
        False, False,
    ),
    "public.ecr.aws/docker/library/node:20": (
        "public.ecr.aws", "docker/library/node", "20", None,
        "public.ecr.aws/docker/library/node:20", False, False,
    ),
    "quay.io/prometheus/node-exporter": (
        "quay.io", "prometheus/node-exporter", None, None,
        "quay.io/prometheus/node-exporter", False, False,
    ),
    "mcr.microsoft.com/dotnet/sdk:8.0": (
        "mcr.microsoft.com", "dotnet/sdk", "8.0", None, "mcr.microsoft.com/dotnet/sdk:8.0",
        False, False,
    ),
    "gcr.io/distroless/static": (
        "gcr.io", "distroless/static", None, None, "gcr.io/distroless/static", False, False,
    ),
    f"ubuntu@{DIGEST}": (
        "docker.io", "library/ubuntu", None, DIGEST, f"ubuntu@{DIGEST}", True, True,
    ),
    f"node:20@{DIGEST}": (
        "docker.io", "library/node", "20", DIGEST, f"node:20@{DIGEST}", True, True,
    ),
    "my-registry.local:5000/team/app:v1": (
        "my-registry.local:5000", "team/app", "v1", None, "my-registry.local:5000/team/app:v1",
        False, False,
    ),
    "a__b/c---d": ("docker.io", "a__b/c---d", None, None, "a__b/c---d", False, True),
}  # fmt: skip


@pytest.mark.parametrize("text", sorted(NORMALISATION))
def test_normalisation(text: str) -> None:
    domain, path, tag, digest, familiar, official, hub = NORMALISATION[text]
    ref = parse_image(text)
    assert ref == ImageRef(text, domain, path, tag, digest)
    assert ref.familiar == familiar
    assert ref.is_official is official
    assert is_docker_hub(ref) is hub
    assert ref.name == f"{domain}/{path}"


INVALID = [
    "",
    " ",
    "node 20",
    "node:20\n",
    "$IMAGE",
    "${REGISTRY}/node",
    "node:${TAG}",
    "UBUNTU",
    "ubuntu:",
    "ubuntu@",
    "ubuntu@sha256:abc",
    "-node",
    "node/",
    "/node",
    "a//b",
    "node:tag:tag",
    "docker.io/Library/node",
    "ubuntu:" + "x" * 129,
    "a" * 64,
    "library/" + "x" * 250,
    "node:-1",
    "a_/b",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_references(text: str) -> None:
    assert parse_image(text) is None


def test_scratch_is_a_reference_but_no_pull() -> None:
    ref = parse_image("scratch")
    assert ref is not None
    assert ref.is_scratch
    assert not ref.is_official
    assert not is_docker_hub(ref)
    tagged = parse_image("scratch:latest")
    assert tagged is not None and not tagged.is_scratch and is_docker_hub(tagged)


def test_hub_domains() -> None:
    assert (
        frozenset(
            {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
        )
        == HUB_DOMAINS
    )


def test_uppercase_hub_host_is_hub() -> None:
    ref = parse_image("Docker.io/library/node")
    assert ref is not None and ref.domain == "Docker.io" and is_docker_hub(ref)


@pytest.mark.parametrize(
    ("image", "mirrors", "hub"),
    [
        ("node", frozenset({"docker.io"}), False),
        ("node", frozenset({"docker.io/library"}), False),
        ("node", frozenset({"docker.io/library/node"}), False),
        ("node", frozenset({"docker.io/library/no"}), True),
        ("node", frozenset({"docker.io/lib"}), True),
        ("node", frozenset({"index.docker.io/library"}), False),
        ("node", frozenset({"https://docker.io/"}), False),
        ("mycompany/app", frozenset({"docker.io/mycompany"}), False),
        ("mycompany/app", frozenset({"DOCKER.IO/MyCompany"}), False),
        ("mycompanyx/app", frozenset({"docker.io/mycompany"}), True),
        ("bitnami/redis", frozenset({"docker.io/mycompany"}), True),
        ("registry-1.docker.io/a/b", frozenset({"registry-1.docker.io"}), False),
        ("registry-1.docker.io/a/b", frozenset({"docker.io"}), True),
        ("node", frozenset({""}), True),
    ],
)
def test_mirrors(image: str, mirrors: frozenset[str], hub: bool) -> None:
    ref = parse_image(image)
    assert ref is not None
    assert is_docker_hub(ref, mirrors=mirrors) is hub


def test_matches_prefix_on_non_hub() -> None:
    ref = parse_image("ghcr.io/org/app")
    assert ref is not None
    assert matches_prefix(ref, ["ghcr.io/org"])
    assert not matches_prefix(ref, ["ghcr.io/or"])


@pytest.mark.parametrize(
    ("prefix", "repository"),
    [
        ("node:", "node"),
        ("node:20-", "node"),
        ("bitnami/redis:", "bitnami/redis"),
        ("ghcr.io/org/app:", "ghcr.io/org/app"),
        ("localhost:5000/app:", "localhost:5000/app"),
        ("node@", "node"),
        ("node@sha256:", "node"),
        ("node", None),
        ("", None),
        ("myorg/", None),
        ("ghcr.io/", None),
        ("localhost:", None),
        ("registry.example.com:", None),
        ("registry.example.com:5000", None),
        ("Node:", None),
    ],
)
def test_known_repository(prefix: str, repository: str | None) -> None:
    assert known_repository(prefix) == repository


# docker's one reference regex, as hubspec used it before matching the parts one by one
_ALNUM = r"[a-z0-9]+"
_PATH_COMPONENT = rf"{_ALNUM}(?:(?:[._]|__|[-]+){_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)


def parse_with_one_regex(text: str) -> tuple[str, str, str | None, str | None] | None:
    """The former parse_image, kept as the oracle for the part-by-part matching."""
    if not text or "$" in text or re.fullmatch(r"[a-f0-9]{64}", text):
        return None
    domain, remainder = _split_domain(text)
    if remainder.split(":", 1)[0].lower() != remainder.split(":", 1)[0]:
        return None
    match = REFERENCE.fullmatch(f"{domain}/{remainder}")
    if match is None or len(match.group(1)) > 255:
        return None
    return domain, match.group(1)[len(domain) + 1 :], match.group(2), match.group(3)


REFERENCE_ALPHABET = "aAbz09._-_:/@[]" + "Z"
REFERENCE_PIECES = st.sampled_from(
    [
        "docker.io",
        "index.docker.io",
        "localhost",
        "localhost:5000",
        "my-host.example.com",
        "a_b.com",
        "Host",
        "[::1]",
        "[fe80::1]:443",
        "library",
        "node",
        "bitnami",
        "x__y",
        "a--b",
        "a.b",
        ":",
        "/",
        "@",
        "20-alpine",
        "_tag",
        ".bad",
        "sha256:" + "a" * 64,
        "sha256:" + "f" * 31,
        "x" * 130,
        "",
        "UPPER",
        "a" * 64,
    ]
)


@given(
    st.one_of(
        st.text(alphabet=REFERENCE_ALPHABET, max_size=40),
        st.lists(REFERENCE_PIECES, max_size=6).map("".join),
        st.lists(
            st.one_of(REFERENCE_PIECES, st.text(REFERENCE_ALPHABET, max_size=6)), max_size=8
        ).map("".join),
    )
)
@settings(max_examples=3000, deadline=None)
def test_part_by_part_matching_equals_the_single_reference_regex(text: str) -> None:
    ref = parse_image(text)
    expected = parse_with_one_regex(text)
    assert (None if ref is None else (ref.domain, ref.path, ref.tag, ref.digest)) == expected


@pytest.mark.parametrize(
    "text",
    ["a_b.com/foo", "Host/foo:1", "localhost:5000/a/b:c@sha256:" + "a" * 32, "[::1]:5000/x"],
)
def test_reference_edge_cases_agree_with_the_single_regex(text: str) -> None:
    ref = parse_image(text)
    assert ref is not None
    assert (ref.domain, ref.path, ref.tag, ref.digest) == parse_with_one_regex(text)


@pytest.mark.parametrize(("length", "valid"), [(237, True), (238, False)])
def test_name_length_limit_counts_domain_slash_and_path(length: int, valid: bool) -> None:
    """docker.io/library/ + 237 letters is 255 characters, the most docker accepts."""
    text = "a" * length
    assert (parse_image(text) is not None) is valid
    assert (parse_with_one_regex(text) is not None) is valid
