from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspec.docker.dockerfile import DockerfileProblem, DockerfilePull, dockerfile_pulls


def pulls(
    text: str, build_args: Mapping[str, str | None] | None = None, **kwargs: object
) -> tuple[list[DockerfilePull], list[DockerfileProblem]]:
    return dockerfile_pulls(text, build_args or {}, **kwargs)  # type: ignore[arg-type]


def images(text: str, build_args: Mapping[str, str | None] | None = None) -> list[str]:
    found, problems = pulls(text, build_args)
    assert problems == []
    return [pull.image for pull in found]


def test_single_from() -> None:
    assert pulls("FROM node:20\nRUN npm ci\n") == ([DockerfilePull("node:20", 1, "FROM")], [])


def test_lowercase_instructions_and_platform_flag() -> None:
    text = "from --platform=$BUILDPLATFORM golang:1.22 as build\nfrom --platform=linux/amd64 alpine"
    assert pulls(text) == (
        [DockerfilePull("golang:1.22", 1, "FROM"), DockerfilePull("alpine", 2, "FROM")],
        [],
    )


def test_multi_stage_and_stage_reuse() -> None:
    text = """\
FROM golang:1.22 AS build
RUN go build
FROM build AS test
RUN go test
FROM Build
FROM gcr.io/distroless/static AS final
COPY --from=build /app /app
COPY --from=BUILD /app /app2
"""
    assert pulls(text) == (
        [
            DockerfilePull("golang:1.22", 1, "FROM"),
            DockerfilePull("gcr.io/distroless/static", 6, "FROM"),
        ],
        [],
    )


def test_from_a_later_stage_name_is_an_image() -> None:
    text = "FROM base\nFROM alpine AS base\n"
    assert images(text) == ["base", "alpine"]


def test_scratch() -> None:
    assert pulls("FROM scratch\nCOPY app /\n") == ([], [])
    assert images("FROM golang AS b\nFROM scratch\nCOPY --from=b /a /a\n") == ["golang"]


def test_copy_from() -> None:
    text = """\
FROM node:20 AS deps
FROM alpine
COPY --from=deps /a /a
COPY --from=0 /a /a
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
COPY --chown=1:1 --from=ghcr.io/org/tool:1 /tool /tool
COPY --from=later /x /x
FROM busybox AS later
"""
    found, problems = pulls(text)
    assert problems == []
    assert found == [
        DockerfilePull("node:20", 1, "FROM"),
        DockerfilePull("alpine", 2, "FROM"),
        DockerfilePull("nginx:1.27", 5, "COPY --from"),
        DockerfilePull("ghcr.io/org/tool:1", 6, "COPY --from"),
        DockerfilePull("busybox", 8, "FROM"),
    ]


def test_run_mount_from() -> None:
    text = """\
FROM golang AS build
FROM alpine
RUN --mount=type=bind,from=build,source=/app,target=/app true
RUN --mount=type=cache,target=/root/.cache --mount=from=python:3.12,target=/py true
RUN --mount=type=bind,from=0,target=/x true
RUN --mount=type=secret,id=npm true
RUN --mount=type=bind,"from=quay.io/a/b",target=/q \\
    true
"""
    found, problems = pulls(text)
    assert problems == []
    assert found == [
        DockerfilePull("golang", 1, "FROM"),
        DockerfilePull("alpine", 2, "FROM"),
        DockerfilePull("python:3.12", 4, "RUN --mount"),
        DockerfilePull("quay.io/a/b", 7, "RUN --mount"),
    ]


def test_arg_default() -> None:
    text = "ARG NODE=20\nFROM node:${NODE}\n"
    assert pulls(text) == ([DockerfilePull("node:20", 2, "FROM", True, ("NODE",))], [])


def test_arg_override() -> None:
    text = "ARG NODE=20\nFROM node:${NODE}-alpine\n"
    assert pulls(text, {"NODE": "22"}) == ([DockerfilePull("node:22-alpine", 2, "FROM")], [])


def test_arg_forms() -> None:
    text = """\
ARG REGISTRY=docker.io
ARG ORG=library NAME="node" TAG='20'
ARG EMPTY=
ARG BASE=${REGISTRY}/${ORG}/${NAME}
FROM $BASE:$TAG
FROM ${EMPTY:-alpine}
FROM ${EMPTY-busybox}x
FROM ${NAME:+debian}
FROM ${UNSET_WITH_DEFAULT:-ubuntu:24.04}
"""
    assert images(text) == [
        "docker.io/library/node:20",
        "alpine",
        "x",
        "debian",
        "ubuntu:24.04",
    ]


def test_arg_without_default_and_without_build_arg() -> None:
    found, problems = pulls("ARG BASE\nFROM ${BASE}\n")
    assert found == []
    assert problems == [
        DockerfileProblem(2, "FROM ${BASE} uses ARG BASE, which has no default and no --build-arg")
    ]


def test_arg_from_environment() -> None:
    found, problems = pulls("ARG BASE=node\nFROM $BASE\n", {"BASE": None})
    assert found == []
    assert problems == [
        DockerfileProblem(
            2,
            "FROM $BASE uses ARG BASE, which takes its value from the environment "
            "(--build-arg BASE without a value)",
        )
    ]


def test_unknown_tag_still_names_the_repository() -> None:
    text = "ARG TAG\nFROM node:${TAG}\nFROM ghcr.io/org/app:${TAG}\n"
    assert pulls(text) == (
        [
            DockerfilePull("node", 2, "FROM", exact=False),
            DockerfilePull("ghcr.io/org/app", 3, "FROM", exact=False),
        ],
        [],
    )


def test_arg_default_depending_on_unknown() -> None:
    text = "ARG REG\nARG IMAGE=${REG}/app\nFROM ${IMAGE}\n"
    found, problems = pulls(text)
    assert found == []
    assert problems == [
        DockerfileProblem(
            3,
            "FROM ${IMAGE} uses ARG IMAGE, whose default depends on "
            "ARG REG, which has no default and no --build-arg",
        )
    ]


def test_arg_default_with_partial_value() -> None:
    text = "ARG TAG\nARG IMAGE=node:${TAG}\nFROM ${IMAGE}\n"
    assert pulls(text) == ([DockerfilePull("node", 3, "FROM", False, ("IMAGE",))], [])


def test_build_arg_for_undeclared_arg_is_ignored() -> None:
    found, problems = pulls("FROM ${BASE:-alpine}\n", {"BASE": "node"})
    assert found == [DockerfilePull("alpine", 1, "FROM")]
    assert problems == []


def test_undeclared_variable_expands_to_empty() -> None:
    found, problems = pulls("FROM ${PREFIX}node:20\n")
    assert found == [DockerfilePull("node:20", 1, "FROM")]
    assert problems == [
        DockerfileProblem(
            1,
            "$PREFIX is not declared by an ARG before the first FROM: "
            "BuildKit expands it to an empty string",
        )
    ]


def test_stage_args_do_not_reach_later_from() -> None:
    text = "FROM alpine\nARG IMG=node\nFROM ${IMG:-busybox}\n"
    assert images(text) == ["alpine", "busybox"]


def test_platform_args() -> None:
    found, problems = pulls("FROM ${TARGETARCH}/node\nFROM node:20-${TARGETARCH}\n")
    assert found == [DockerfilePull("node", 2, "FROM", exact=False)]
    assert problems == [
        DockerfileProblem(
            1,
            "FROM ${TARGETARCH}/node uses TARGETARCH, which BuildKit sets from the build or "
            "target platform",
        )
    ]


def test_copy_from_with_stage_arg() -> None:
    text = "FROM alpine\nARG TOOLS=ghcr.io/org/tools:1\nCOPY --from=${TOOLS} /t /t\n"
    assert images(text) == ["alpine", "ghcr.io/org/tools:1"]


def test_copy_from_global_arg_needs_redeclaration() -> None:
    text = "ARG TOOLS=ghcr.io/org/tools:1\nFROM alpine\nARG TOOLS\nCOPY --from=$TOOLS /t /t\n"
    assert images(text) == ["alpine", "ghcr.io/org/tools:1"]


def test_syntax_directive() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM alpine\n"
    assert pulls(text)[0] == [
        DockerfilePull("docker/dockerfile:1", 1, "# syntax"),
        DockerfilePull("alpine", 2, "FROM"),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("#syntax=docker/dockerfile:1.7\nFROM a\n", ("docker/dockerfile:1.7", 1)),
        ("# SYNTAX = docker/dockerfile:1\nFROM a\n", ("docker/dockerfile:1", 1)),
        ("# escape=`\n# syntax=docker/dockerfile:1\nFROM a\n", ("docker/dockerfile:1", 2)),
        (
            "#!/usr/bin/env buildctl\n# syntax=docker/dockerfile:1\nFROM a\n",
            ("docker/dockerfile:1", 2),
        ),
        ("\ufeff# syntax=docker/dockerfile:1\nFROM a\n", ("docker/dockerfile:1", 1)),
        ("# syntax=docker/dockerfile:1 arg\nFROM a\n", ("docker/dockerfile:1", 1)),
        ("# syntax=ghcr.io/org/frontend:1\r\nFROM a\r\n", ("ghcr.io/org/frontend:1", 1)),
        ("// syntax=docker/dockerfile:1\n", ("docker/dockerfile:1", 1)),
    ],
)
def test_syntax_directive_forms(text: str, found: tuple[str, int]) -> None:
    image, line = found
    assert pulls(text)[0][0] == DockerfilePull(image, line, "# syntax")


@pytest.mark.parametrize(
    "text",
    [
        "# a comment\n# syntax=docker/dockerfile:1\nFROM a\n",
        "\n# syntax=docker/dockerfile:1\nFROM a\n",
        "FROM a\n# syntax=docker/dockerfile:1\n",
        " # syntax=docker/dockerfile:1\nFROM a\n",
        "# unknown=x\n# syntax=docker/dockerfile:1\nFROM a\n",
    ],
)
def test_syntax_directive_outside_the_directive_block(text: str) -> None:
    assert pulls(text) == (
        [DockerfilePull("a", text.count("\n", 0, text.index("FROM")) + 1, "FROM")],
        [],
    )


def test_duplicate_directive_ends_the_block() -> None:
    text = "# escape=\\\n# escape=\\\n# syntax=docker/dockerfile:1\nFROM a\n"
    found, problems = pulls(text)
    assert found == []
    assert problems == [
        DockerfileProblem(
            1, "the Dockerfile does not parse: only one escape parser directive can be used"
        )
    ]


def test_buildkit_syntax_build_arg_overrides_directive() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM alpine\n"
    found, _ = pulls(text, {"BUILDKIT_SYNTAX": "ecr.example.com/dockerfile:1"})
    assert found[0] == DockerfilePull(
        "ecr.example.com/dockerfile:1", 1, "--build-arg BUILDKIT_SYNTAX"
    )


def test_invalid_syntax_directive() -> None:
    found, problems = pulls("# syntax=Not Valid\nFROM a\n")
    assert found == [DockerfilePull("a", 2, "FROM")]
    assert problems == [DockerfileProblem(1, "# syntax=Not: not a valid image reference")]


def test_escape_directive_backtick() -> None:
    text = "# escape=`\nARG V=1\nFROM node:`$V\nFROM node:$V\n"
    found, problems = pulls(text)
    assert [pull.image for pull in found] == ["node:1"]
    assert problems == [
        DockerfileProblem(3, "FROM node:`$V: 'node:$V' is not a valid image reference")
    ]


def test_named_contexts_replace_images() -> None:
    text = "FROM alpine:latest\nFROM node:20\nCOPY --from=tools /t /t\n"
    found, problems = pulls(text, named_contexts=("alpine", "docker.io/library/node:20", "tools"))
    assert (found, problems) == ([], [])


def test_invalid_image() -> None:
    found, problems = pulls("FROM Node\n")
    assert found == []
    assert problems == [DockerfileProblem(1, "FROM Node: 'Node' is not a valid image reference")]


def test_from_argument_count() -> None:
    found, problems = pulls("FROM\nFROM a b\nFROM a AS b c\n")
    assert found == []
    message = "FROM requires either one or three arguments (FROM image [AS name])"
    assert problems == [DockerfileProblem(1, message)] * 1 + [
        DockerfileProblem(2, message),
        DockerfileProblem(3, message),
    ]


def test_empty_from_after_expansion() -> None:
    found, problems = pulls("ARG B=\nFROM ${B}\n")
    assert found == []
    assert problems == [DockerfileProblem(2, "FROM ${B} expands to an empty image name")]


def test_unsupported_expansion() -> None:
    found, problems = pulls("ARG V=1.2\nFROM node:${V%.*}\n")
    assert found == [DockerfilePull("node", 2, "FROM", exact=False)]
    assert problems == [DockerfileProblem(2, "unsupported expansion ${V%.*}")]


def test_parse_error() -> None:
    found, problems = pulls("# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\necho\n")
    assert found == [DockerfilePull("docker/dockerfile:1", 1, "# syntax")]
    assert problems == [DockerfileProblem(1, "the Dockerfile does not parse: unterminated heredoc")]


def test_empty_and_comment_only() -> None:
    problem = DockerfileProblem(1, "the Dockerfile does not parse: file with no instructions")
    assert pulls("") == ([], [problem])
    assert pulls("# just a comment\n") == ([], [problem])


def test_heredoc_and_onbuild_are_not_pulls() -> None:
    text = "FROM alpine\nRUN <<EOF\nFROM node\nEOF\nONBUILD COPY --from=node:20 /a /a\n"
    assert images(text) == ["alpine"]


def test_target_builds_only_the_stages_it_needs() -> None:
    text = (
        "FROM golang AS build\n"
        "FROM node:20 AS assets\n"
        "FROM alpine AS final\n"
        "COPY --from=build /a /a\n"
        "RUN --mount=from=assets,target=/s true\n"
        "FROM debian AS unused\n"
    )
    images = [pull.image for pull in pulls(text, target="final")[0]]
    assert images == ["golang", "node:20", "alpine"]
    assert [pull.image for pull in pulls(text, target="build")[0]] == ["golang"]
    assert [pull.image for pull in pulls(text, target="0")[0]] == [p.image for p in pulls(text)[0]]
    assert len(pulls(text)[0]) == 4


def test_line_numbers_with_continuations() -> None:
    text = "FROM \\\n  node:20 \\\n  AS base\n\n\nCOPY \\\n --from=redis:7 /a /b\n"
    assert pulls(text)[0] == [
        DockerfilePull("node:20", 1, "FROM"),
        DockerfilePull("redis:7", 6, "COPY --from"),
    ]


_LINES = [
    "FROM node:20", "FROM ${A}", "FROM $B:1 AS s", "ARG A=alpine", "ARG B", "COPY --from=s a b",
    "COPY --from=${A} a b", "RUN --mount=from=x,target=/y true", "# syntax=docker/dockerfile:1",
    "FROM s", "FROM scratch", "RUN <<EOF", "EOF", "FROM ${A:-${B:+x}}", "FROM ${", "\\", "",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_LINES), st.text(max_size=12)), max_size=8),
    st.dictionaries(st.sampled_from(["A", "B"]), st.one_of(st.none(), st.text(max_size=5))),
)
def test_never_crashes(lines: list[str], build_args: dict[str, str | None]) -> None:
    found, problems = dockerfile_pulls("\n".join(lines), build_args)
    for pull in found:
        assert "$" not in pull.image
        assert pull.line >= 1
    assert all(problem.line >= 1 for problem in problems)


def test_text_the_go_binding_cannot_take() -> None:
    # A lone surrogate used to crash the process inside the Go binding; a NUL ended the file.
    found, _ = pulls("FROM alpine\nLABEL x=\udcff\nFROM node:20\n")
    assert [pull.image for pull in found] == ["alpine", "node:20"]
    found, _ = pulls("FROM alpine\nLABEL x=\x00\nFROM node:20\n")
    assert [pull.image for pull in found] == ["alpine", "node:20"]


@pytest.mark.parametrize(
    ("text", "compose", "escape", "parts", "errors"),
    [
        ("node:20-alpine", False, "\\", (("node:20-alpine", True),), ()),
        ("node:${TAG}-alpine", False, "\\", (("node:20-alpine", True),), ()),
        ('"node:${TAG}" x', False, "\\", (("node:20 x", True),), ()),
        ("a\\$TAG b", False, "\\", (("a$TAG b", True),), ()),
        ("a`$TAG", False, "`", (("a$TAG", True),), ()),
        ("'$TAG'x", False, "\\", (("$TAGx", True),), ()),
        ('"it\'s" $TAG', False, "\\", (("it's 20", True),), ()),  # ' is plain inside "
        ("${NOPE:-node:${TAG}}", False, "\\", (("node:20", True),), ()),
        ('${NOPE:-"a}b"}', False, "\\", (("a}b", True),), ()),  # a quoted } does not close
        ("${TAG:+x}y", False, "\\", (("xy", True),), ()),
        ("$$TAG", True, "\\", (("$TAG", True),), ()),
        ("a'b\"c$TAG", True, "\\", (("a'b\"c20", True),), ()),  # compose: no quotes
        ("${NOPE:-x", False, "\\", (("x", True),), ("missing '}' in '${NOPE:-x'",)),
        ("${TAG%.*}", False, "\\", (("${TAG%.*}", False),), ("unsupported expansion ${TAG%.*}",)),
    ],
)
def test_expansion_of_quotes_escapes_and_operators(
    text: str, compose: bool, escape: str, parts: tuple[tuple[str, bool], ...], errors: tuple[str]
) -> None:
    from hubspec.docker._expand import Value, expand

    values = {"TAG": Value.of("20")}
    result = expand(text, values.get, lambda name: Value(), compose=compose, escape=escape)
    assert result.value.parts == parts
    assert result.errors == errors
