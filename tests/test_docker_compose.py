from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repos import lint, repository, write

from hubspec.docker.compose import (
    COMPOSE_DEFAULT_FILES,
    COMPOSE_OVERRIDE_FILES,
    ComposeFile,
    ComposeProblem,
    ComposeService,
    defines_nothing,
    read_compose,
)

HUB = "is pulled from Docker Hub without a Docker Hub login"


def load(
    text: str, env: dict[str, str] | None = None
) -> tuple[list[ComposeService], list[ComposeProblem]]:
    found = read_compose(textwrap.dedent(text), env or {})
    return list(found.services), list(found.problems)


def service(name: str, line: int, **changes: object) -> ComposeService:
    fields: dict[str, object] = {
        "name": name,
        "image": None,
        "image_line": None,
        "build_context": None,
        "build_dockerfile": None,
        "build_args": (),
        "line": line,
    }
    fields.update(changes)
    return ComposeService(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("present", "pulled"),
    [
        (["docker-compose.yaml", "docker-compose.yml"], ["redis:6"]),  # .yml first, as compose-go
        (["compose.yml", "docker-compose.yml"], ["redis:4"]),
        # the override beside the found file is read too; only the first of its names
        (["docker-compose.yml", "compose.override.yml"], ["nginx:1", "redis:6"]),
        (["compose.yaml", "docker-compose.override.yml", "compose.override.yaml"],
         ["nginx:2", "redis:3"]),
    ],
)  # fmt: skip
def test_default_files_and_their_override(
    tmp_path: Path, present: list[str], pulled: list[str]
) -> None:
    """Without `-f`, compose reads the first of COMPOSE_DEFAULT_FILES in its folder, and the
    first of COMPOSE_OVERRIDE_FILES beside it (compose-go `WithDefaultConfigPath`)."""
    images = {
        "compose.yaml": "redis:3",
        "compose.yml": "redis:4",
        "docker-compose.yaml": "redis:5",
        "docker-compose.yml": "redis:6",
        "compose.override.yml": "nginx:1",
        "compose.override.yaml": "nginx:2",
        "docker-compose.override.yml": "nginx:3",
    }
    assert set(images) == {*COMPOSE_DEFAULT_FILES, *COMPOSE_OVERRIDE_FILES[:3]}
    files = {
        name: f"services:\n  {name.replace('.', '-')}:\n    image: {images[name]}\n"
        for name in present
    }
    lines = lint(repository(tmp_path, "docker compose pull", files=files), "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines) == pulled, lines


def test_images() -> None:
    found, problems = load(
        """\
        services:
          web:
            image: nginx:1.27
          db:
            image: "postgres:16"
          cache:
            image: ghcr.io/org/redis
        """
    )
    assert problems == []
    assert found == [
        service("web", 2, image="nginx:1.27", image_line=3),
        service("db", 4, image="postgres:16", image_line=5),
        service("cache", 6, image="ghcr.io/org/redis", image_line=7),
    ]


def test_build_string() -> None:
    found, problems = load("services:\n  app:\n    build: ./app\n")
    assert problems == []
    assert found == [service("app", 2, build_context="./app", has_build=True)]


def test_build_mapping_with_args_mapping() -> None:
    found, problems = load(
        """\
        services:
          app:
            image: me/app:dev
            build:
              context: ./app
              dockerfile: docker/Dockerfile.dev
              target: dev
              args:
                NODE: 20
                DEBUG: true
                FROM_ENV:
                PINNED: "1.0"
        """,
        {"FROM_ENV": "x"},
    )
    assert problems == []
    assert found == [
        service(
            "app",
            2,
            image="me/app:dev",
            image_line=3,
            build_context="./app",
            build_dockerfile="docker/Dockerfile.dev",
            build_args=(("NODE", "20"), ("DEBUG", "true"), ("FROM_ENV", "x"), ("PINNED", "1.0")),
            build_target="dev",
            has_build=True,
        )
    ]


def test_build_args_list() -> None:
    found, _ = load(
        """\
        services:
          app:
            build:
              args:
                - A=1
                - B
                - C=
        """
    )
    assert found == [
        service(
            "app",
            2,
            build_context=".",
            build_args=(("A", "1"), ("B", None), ("C", "")),
            has_build=True,
        )
    ]


def test_build_extras() -> None:
    found, problems = load(
        """\
        services:
          app:
            build:
              context: .
              dockerfile_inline: |
                FROM node:20
              additional_contexts:
                base: docker-image://alpine:3
                src: ../src
          two:
            build:
              additional_contexts:
                - base=docker-image://busybox
        """
    )
    assert problems == []
    assert found[0].build_dockerfile_inline == "FROM node:20\n"
    assert found[0].build_additional_contexts == (
        ("base", "docker-image://alpine:3"),
        ("src", "../src"),
    )
    assert found[1].build_additional_contexts == (("base", "docker-image://busybox"),)


@pytest.mark.parametrize(
    ("image", "env", "expected"),
    [
        ("node:${NODE_VERSION}", {"NODE_VERSION": "20"}, "node:20"),
        ("node:$NODE_VERSION", {"NODE_VERSION": "20"}, "node:20"),
        ("node:${NODE_VERSION:-18}", {}, "node:18"),
        ("node:${NODE_VERSION:-18}", {"NODE_VERSION": ""}, "node:18"),
        ("node:${NODE_VERSION-18}", {}, "node:18"),
        ("node${NODE_VERSION-:18}", {"NODE_VERSION": ""}, "node"),
        ("node${SUFFIX:+:$SUFFIX}", {"SUFFIX": "20"}, "node:20"),
        ("node${SUFFIX:+:$SUFFIX}", {}, "node"),
        ("${REGISTRY:-docker.io}/library/node", {}, "docker.io/library/node"),
        (
            "${REGISTRY:-docker.io}/library/node",
            {"REGISTRY": "ecr.example.com"},
            "ecr.example.com/library/node",
        ),
        ("${A:-${B:-nested}}", {}, "nested"),
        ("node:${V:?must be set}", {"V": "22"}, "node:22"),
    ],
)
def test_interpolation(image: str, env: dict[str, str], expected: str) -> None:
    found, problems = load(f'services:\n  s:\n    image: "{image}"\n', env)
    assert problems == []
    assert found[0].image == expected


def test_dollar_escape() -> None:
    found, problems = load('services:\n  s:\n    build:\n      args: {A: "a$${B}"}\n')
    assert problems == []
    assert found[0].build_args == (("A", "a${B}"),)


def test_unknown_variable() -> None:
    found, problems = load("services:\n  s:\n    image: ${IMAGE}\n")
    assert found == [service("s", 2, image_line=3)]
    assert problems == [ComposeProblem(3, "image '${IMAGE}' of service 's' uses ${IMAGE}")]


def test_unknown_tag_keeps_repository() -> None:
    found, problems = load("services:\n  s:\n    image: node:${TAG}\n  t:\n    image: x:${T:?}\n")
    assert problems == []
    assert [(s.image, s.image_exact) for s in found] == [("node", False), ("x", False)]


def test_unknown_build_values() -> None:
    found, problems = load(
        """\
        services:
          s:
            build:
              context: ${CTX}
              args:
                A: ${A}
                B: ${B:-b}
        """
    )
    assert found == [service("s", 2, build_args=(("A", None), ("B", "b")), has_build=True)]
    assert problems == [
        ComposeProblem(
            4, "build of service 's': context '${CTX}' uses ${CTX}, not known statically"
        )
    ]


def test_v1_format() -> None:
    found, problems = load(
        """\
        web:
          image: nginx
          links: [db]
        db:
          image: mysql:5.7
        builder:
          build: .
        """
    )
    assert problems == []
    assert found == [
        service("web", 1, image="nginx", image_line=2, depends_on=("db",)),
        service("db", 4, image="mysql:5.7", image_line=5),
        service("builder", 6, build_context=".", has_build=True),
    ]


def test_v2_file_with_version_and_extensions() -> None:
    found, problems = load(
        """\
        version: "3.8"
        x-common: &common
          image: node:20
          environment: {A: 1}
        services:
          a:
            <<: *common
          b:
            <<: *common
            image: node:22
        volumes:
          data:
        """
    )
    assert problems == []
    assert found == [
        service("a", 6, image="node:20", image_line=3),
        service("b", 8, image="node:22", image_line=10),
    ]


def test_pull_policy_and_profiles() -> None:
    found, _ = load(
        """\
        services:
          s:
            image: node
            pull_policy: never
            profiles: [test, "${P:-ci}"]
        """
    )
    assert found[0].pull_policy == "never"
    assert found[0].profiles == ("test", "ci")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "services: [\n",
            ComposeProblem(
                2,
                "the compose file is not valid YAML: "
                "expected the node content, but found '<stream end>'",
            ),
        ),
        (
            "services:\n  a: 1\n  a: 2\n",
            ComposeProblem(
                3,
                "the compose file is not valid YAML: "
                'found duplicate key "a" with value "2" (original value: "1")',
            ),
        ),
        (
            "services:\n\tweb: x\n",
            ComposeProblem(
                2,
                "the compose file is not valid YAML: "
                "found character '\\t' that cannot start any token",
            ),
        ),
        ("", ComposeProblem(1, "the compose file is empty")),
        ("- a\n- b\n", ComposeProblem(1, "the compose file must be a mapping")),
        ("services: [a, b]\n", ComposeProblem(1, "services must be a mapping")),
        (
            "a: *unknown\n",
            ComposeProblem(
                1, "the compose file is not valid YAML: found undefined alias 'unknown'"
            ),
        ),
    ],
)
def test_broken_files(text: str, problem: ComposeProblem) -> None:
    assert read_compose(text, {}) == ComposeFile((), (problem,))


def test_python_tags_are_not_constructed() -> None:
    found, problems = load(
        """\
        services:
          s: !!python/object/apply:os.system ["echo pwned"]
          t:
            image: !custom node:20
        """
    )
    assert [s.name for s in found] == ["s", "t"]
    assert found[1].image == "node:20"
    assert problems[0] == ComposeProblem(2, "service 's' must be a mapping")


def test_services_null_and_bad_service() -> None:
    assert load("services:\n") == ([], [])
    found, problems = load("services:\n  s:\n  t:\n    image:\n")
    assert found == [service("s", 2), service("t", 3, image_line=4)]
    assert problems == [ComposeProblem(4, "service 't': image must be a non-empty string")]
    assert [defines_nothing(s) for s in found] == [True, False]  # reported once files merge


def test_invalid_image_is_kept_and_reported() -> None:
    found, problems = load("services:\n  s:\n    image: Node:20\n")
    assert found == [service("s", 2, image="Node:20", image_line=3)]
    assert problems == [
        ComposeProblem(3, "image 'Node:20' of service 's' is not a valid reference")
    ]


def test_non_string_keys_and_values() -> None:
    found, problems = load("services:\n  1:\n    image: 123\n")
    assert problems == []
    assert found == [service("1", 2, image="123", image_line=3)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="services:imagebuild ${}-:\n[]&*!<>'\"=", max_size=80))
def test_never_crashes(text: str) -> None:
    found = read_compose(text, {"A": "1"})
    assert all(problem.line >= 1 for problem in found.problems)
    assert all(service.line >= 1 for service in found.services)


@pytest.mark.parametrize(
    ("command", "found"),
    [
        # compose looks in the command's directory, then in each folder above it
        ("cd tests/e2e && docker compose run --rm e2e", "cypress/included:13 is pulled"),
        ("cd tests && docker compose up", "cypress/included:13 is pulled"),
        ("docker compose up", "cypress/included:13 is pulled"),
        # the nearest file wins, in compose's order of names
        ("cd app && docker compose up", "redis:7 is pulled"),
        # `--project-directory` is where it starts looking
        ("docker compose --project-directory app/deeper up", "redis:7 is pulled"),
        ("docker compose --project-directory tests/e2e up", "cypress/included:13 is pulled"),
        ("cd app && docker compose --project-directory .. up", "cypress/included:13 is pulled"),
    ],
)
def test_compose_finds_its_file_here_or_above(tmp_path: Path, command: str, found: str) -> None:
    top = repository(
        tmp_path,
        command,
        files={
            "compose.yaml": "services:\n  e2e:\n    image: cypress/included:13\n",
            "app/docker-compose.yml": "services:\n  cache:\n    image: redis:7\n",
            "app/deeper/.keep": "",
            "tests/e2e/.keep": "",
        },
    )
    (line,) = lint(top, "buildspec.yml")
    assert found in line, line


_FILES = {
    "compose.yaml": "services:\n  cache:\n    image: redis:7\n",
    "compose.ci.yml": "services:\n  db:\n    image: postgres:16\n",
    "ci/extra.yml": "services:\n  web:\n    image: nginx:1.25\n",
}


@pytest.mark.parametrize(
    ("commands", "pulled"),
    [
        # the variable names the files compose reads instead of compose.yaml
        (["export COMPOSE_FILE=compose.ci.yml", "docker compose up"], ["postgres:16"]),
        (["COMPOSE_FILE=compose.ci.yml:ci/extra.yml docker compose up"], ["nginx:1.25", "postgres:16"]),
        (
            ["export COMPOSE_PATH_SEPARATOR=';'", "export COMPOSE_FILE='compose.ci.yml;ci/extra.yml'",
             "docker compose pull"],
            ["nginx:1.25", "postgres:16"],
        ),
        # -f wins over it
        (["export COMPOSE_FILE=compose.ci.yml", "docker compose -f compose.yaml up"], ["redis:7"]),
        # a script the build runs sees what it exports
        (["bash ci/up.sh"], ["postgres:16"]),
        (["docker compose up"], ["redis:7"]),
    ],
)  # fmt: skip
def test_compose_file_variable(tmp_path: Path, commands: list[str], pulled: list[str]) -> None:
    top = repository(
        tmp_path,
        *commands,
        files={**_FILES, "ci/up.sh": "export COMPOSE_FILE=compose.ci.yml\ndocker compose up\n"},
    )
    lines = lint(top, "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines) == pulled, lines


def test_compose_file_variable_from_the_buildspec_env_or_unknown(tmp_path: Path) -> None:
    top = repository(tmp_path, files=_FILES)
    write(
        top,
        "buildspec.yml",
        "version: 0.2\nenv:\n  variables:\n    COMPOSE_FILE: compose.ci.yml\n"
        "  parameter-store:\n    OTHER_FILES: /ci/compose-files\n"
        "phases:\n  build:\n    commands:\n      - docker compose up\n"
        "      - COMPOSE_FILE=$OTHER_FILES docker compose up\n",
    )
    assert lint(top, "buildspec.yml") == [
        "buildspec.yml:10:9: HS101 postgres:16 is pulled from Docker Hub without a Docker Hub"
        " login: image of service db in compose.ci.yml, line 3, pulled by `docker compose up`",
        "buildspec.yml:11:9: HS103 cannot tell whether this pulls from Docker Hub: the compose"
        " files $COMPOSE_FILE lists are not known statically",
    ]


def test_compose_interpolates_from_the_builds_environment(tmp_path: Path) -> None:
    """`${NAME}` in a compose file takes the value the build gives NAME (env block, export,
    the command's own assignment); a default is used only when NAME is surely unset, and a
    registry from an unknown value is not taken for Docker Hub."""
    top = repository(
        tmp_path,
        files={
            "compose.yaml": (
                "services:\n"
                "  web:\n    image: node:${NODE_VERSION}\n"
                "  cache:\n    image: redis:${REDIS_TAG:-6}\n"
                "  app:\n    image: ${REGISTRY:-docker.io}/library/app:1\n"
                "  edge:\n    image: ${EDGE_REGISTRY:-docker.io}/library/nginx:1\n"
                "  db:\n    image: postgres:${PG_TAG:-15}\n"
            )
        },
    )
    write(
        top,
        "buildspec.yml",
        "version: 0.2\nenv:\n  variables:\n    NODE_VERSION: '20'\n"
        "    REGISTRY: 123456789012.dkr.ecr.us-east-1.amazonaws.com\n"
        "  parameter-store:\n    EDGE_REGISTRY: /ci/edge-registry\n"
        "phases:\n  build:\n    commands:\n      - export REDIS_TAG=7\n"
        "      - aws ecr get-login-password | docker login -u AWS --password-stdin $REGISTRY\n"
        "      - docker compose up\n",
    )
    lines = lint(top, "buildspec.yml")
    pulled = sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines if " HS101 " in line)
    assert pulled == ["node:20", "postgres:15", "redis:7"], lines
    assert any(" HS103 " in line and "EDGE_REGISTRY" in line for line in lines), lines
    assert not any("library/app" in line for line in lines), lines


_ENV_FILES = {
    "compose.yaml": (
        "services:\n  app:\n    image: ${REGISTRY:-docker.io}/library/app:${TAG}\n"
        "  db:\n    image: postgres:${PG}\n"
    ),
    ".env": (
        "# values for local runs and CI\nREGISTRY=123456789012.dkr.ecr.us-east-1.amazonaws.com\n"
        'TAG="1.2"\nexport PG=16 # pinned\n'
    ),
    "deploy/compose.yml": "services:\n  web:\n    image: ${WEB_IMAGE}\n",
    "deploy/.env": "WEB_IMAGE='nginx:1.27'\n",
    "ci.env": "REGISTRY=\nTAG=2\nPG=17\n",
    "bad.env": "PG='16\n",
    "ci/compose.ci.yml": "services:\n  cache:\n    image: redis:7\n",
}


@pytest.mark.parametrize(
    ("commands", "found"),
    [
        # the project directory's .env: REGISTRY is an ECR registry, not Docker Hub
        (["docker compose pull"], ["HS101 postgres:16"]),
        # -f: the .env beside the first file
        (["docker compose -f deploy/compose.yml pull"], ["HS101 nginx:1.27"]),
        # --env-file instead of .env; an empty REGISTRY takes the default
        (["docker compose --env-file ci.env pull"], ["HS101 app:2", "HS101 postgres:17"]),
        # a .env the build copies into place is the copied file
        (["cp ci.env .env", "docker compose pull"], ["HS101 app:2", "HS101 postgres:17"]),
        # the environment wins over the file
        (["export PG=15", "docker compose pull"], ["HS101 postgres:15"]),
        (["REGISTRY= docker compose pull"], ["HS101 app:1.2", "HS101 postgres:16"]),
        # COMPOSE_FILE set in .env
        (["echo compose-file", "docker compose --env-file ci/compose.env up"], ["HS101 redis:7"]),
        # what compose refuses, or hubspec cannot read
        (["docker compose --env-file missing.env pull"], ["HS103 the env file missing.env was not found"]),
        (["docker compose --env-file bad.env pull"],
         ["HS103 the env file bad.env, line 1: the value's ' is not closed"]),
        (["echo PG=14 > .env", "docker compose pull"],
         ["HS103 the env file .env is written by `echo PG=14 > .env` during the build"]),
    ],
)  # fmt: skip
def test_compose_reads_its_env_files(tmp_path: Path, commands: list[str], found: list[str]) -> None:
    """`${NAME}` in a compose file takes what the build's environment does not set from the
    project directory's `.env` (or `--env-file`), as compose does: a registry set there is
    not Docker Hub, and `${REGISTRY:-docker.io}` is Docker Hub only where it is unset."""
    files = {**_ENV_FILES, "ci/compose.env": "COMPOSE_FILE=ci/compose.ci.yml\n"}
    top = repository(tmp_path, *commands, files=files)
    lines = lint(top, "buildspec.yml")
    shown = [
        line.split(": ", 1)[1].replace("cannot tell whether this pulls from Docker Hub: ", "")
        for line in lines
    ]
    assert [text.split(" is pulled")[0].split(", not taken")[0] for text in shown] == found, lines


@pytest.mark.parametrize(
    ("command", "pulled"),
    [
        # the override file's `build: .` is the first file's folder, not ci/
        ("docker compose -f compose.yaml -f ci/compose.override.yml build", "node:20"),
        # --project-directory moves every relative path
        ("docker compose --project-directory . -f deploy/compose.yml build", "node:20"),
        ("docker compose -f deploy/compose.yml build", "python:3.12"),
        ("cd deploy && docker compose --project-directory .. -f compose.yml build", "node:20"),
    ],
)
def test_compose_paths_are_from_the_project_directory(
    tmp_path: Path, command: str, pulled: str
) -> None:
    """Compose resolves every file's relative paths from the project directory (the first
    `-f` file's folder unless `--project-directory` names one), not from each file's own
    folder (docker compose docs, `-f`)."""
    top = repository(
        tmp_path,
        command,
        files={
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n",
            "ci/compose.override.yml": "services:\n  app:\n    build: .\n",
            "deploy/compose.yml": "services:\n  app:\n    build: .\n",
            "Dockerfile": "FROM node:20\n",
            "ci/Dockerfile": "FROM ruby:3\n",
            "deploy/Dockerfile": "FROM python:3.12\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    assert [line.split(" HS101 ")[1].split(" ")[0] for line in lines] == [pulled], lines


@pytest.mark.parametrize(
    ("command", "found"),
    [
        # the override's image replaces the base's: one pull, named where it is written
        ("docker compose pull",
         ["node:22 in compose.override.yml, line 3", "redis:7 in compose.yaml, line 5"]),
        ("docker compose -f compose.yaml -f ci/compose.ci.yml pull",
         ["node:22 in ci/compose.ci.yml, line 3", "redis:7 in compose.yaml, line 5"]),
        # the later build's dockerfile with the earlier context; args merge
        ("docker compose -f compose.yaml -f ci/compose.ci.yml build worker", ["python:3.12-slim"]),
        # a later file that only adds environment changes nothing pulled
        ("docker compose -f compose.yaml -f ci/env-only.yml pull",
         ["node:20 in compose.yaml, line 3", "redis:7 in compose.yaml, line 5"]),
    ],
)  # fmt: skip
def test_compose_files_merge_services_of_the_same_name(
    tmp_path: Path, command: str, found: list[str]
) -> None:
    """Compose merges a service defined in several files (later values replace earlier
    ones, build args merge): the merged service is what is pulled or built, once."""
    top = repository(
        tmp_path,
        command,
        files={
            "compose.yaml": (
                "services:\n  app:\n    image: node:20\n  cache:\n    image: redis:7\n"
                "  worker:\n    build:\n      context: .\n      args:\n        BASE: python\n"
            ),
            "compose.override.yml": "services:\n  app:\n    image: node:22\n",
            "ci/compose.ci.yml": (
                "services:\n  app:\n    image: node:22\n  worker:\n    build:\n"
                "      dockerfile: Dockerfile.ci\n      args:\n        TAG: 3.12-slim\n"
            ),
            "ci/env-only.yml": "services:\n  app:\n    environment:\n      CI: 'true'\n",
            "Dockerfile": "FROM ruby:3\n",
            "Dockerfile.ci": "ARG BASE=golang\nARG TAG=1\nFROM ${BASE}:${TAG}\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    shown = [line.split(" HS101 ")[1] for line in lines]
    assert len(shown) == len(found), lines
    for text, expected in zip(sorted(shown), sorted(found), strict=True):
        image, _, where = expected.partition(" in ")
        assert text.startswith(f"{image} is pulled") and (not where or f" in {where}," in text), (
            text
        )


@pytest.mark.parametrize(
    ("command", "pulled"),
    [
        # up, run and create start what the named services need, transitively
        ("docker compose up -d web", ["nginx:1.27", "postgres:16", "busybox:1.36"]),
        ("docker compose run --rm test npm test", ["node:20", "redis:7"]),
        ("docker compose create web", ["nginx:1.27", "postgres:16", "busybox:1.36"]),
        ("docker compose up --no-deps web", ["nginx:1.27"]),
        # pull and build take the named services only, unless asked
        ("docker compose pull web", ["nginx:1.27"]),
        ("docker compose pull --include-deps test", ["node:20", "redis:7"]),
        ("docker compose up", ["nginx:1.27", "postgres:16", "busybox:1.36", "node:20", "redis:7"]),
    ],
)
def test_compose_starts_the_services_a_named_one_depends_on(
    tmp_path: Path, command: str, pulled: list[str]
) -> None:
    """`depends_on` (a list, or a mapping of conditions) and `links` make `up web` start
    db and what db links, so their images are pulled too (compose's dependency order)."""
    compose = (
        "services:\n"
        "  web:\n    image: nginx:1.27\n    depends_on:\n      - db\n"
        "  db:\n    image: postgres:16\n    links:\n      - init:setup\n"
        "  init:\n    image: busybox:1.36\n"
        "  test:\n    image: node:20\n    depends_on:\n      cache:\n"
        "        condition: service_started\n"
        "  cache:\n    image: redis:7\n"
    )
    top = repository(tmp_path, command, files={"compose.yaml": compose})
    lines = lint(top, "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines) == sorted(pulled), lines


@pytest.mark.parametrize(
    ("commands", "pulled"),
    [
        (["docker compose up -d"], ["nginx:1.27"]),
        (["docker compose pull"], ["nginx:1.27"]),
        (["docker compose --profile debug up"], ["busybox:1.36", "nginx:1.27"]),
        (["COMPOSE_PROFILES=ops,debug docker compose up"], ["busybox:1.36", "nginx:1.27"]),
        (["export COMPOSE_PROFILES='*'", "docker compose up"], ["busybox:1.36", "nginx:1.27"]),
        (["docker compose up debug"], ["busybox:1.36"]),  # named: started whatever its profile
        (["COMPOSE_PROFILES=$PROFILES docker compose up"], ["busybox:1.36", "nginx:1.27"]),
    ],
)
def test_compose_profiles_decide_which_services_start(
    tmp_path: Path, commands: list[str], pulled: list[str]
) -> None:
    """A service with `profiles:` starts only when one of them is active (`--profile`,
    `COMPOSE_PROFILES`) or when it is named; profiles not known statically may be active."""
    compose = (
        "services:\n  web:\n    image: nginx:1.27\n"
        "  debug:\n    image: busybox:1.36\n    profiles: [debug]\n"
    )
    top = repository(tmp_path, *commands, files={"compose.yaml": compose})
    lines = lint(top, "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines) == pulled, lines


@pytest.mark.parametrize(
    ("command", "pulled"),
    [
        ("docker compose up -d", ["nginx:1.27"]),
        ("docker compose pull", ["nginx:1.27"]),
        ("docker compose up --pull never", []),
        ("docker compose pull --policy missing", ["nginx:1.27", "node:20", "redis:7"]),
        ("docker compose up --pull always", ["nginx:1.27", "node:20", "redis:7"]),
    ],
)
def test_compose_pull_policy_never_pulls_nothing(
    tmp_path: Path, command: str, pulled: list[str]
) -> None:
    """`pull_policy: never` or `build` (or `--pull never`): compose skips the service's
    pull (docker/compose `pull.go`), so none is counted; the command's policy wins."""
    compose = (
        "services:\n  web:\n    image: nginx:1.27\n"
        "  cache:\n    image: redis:7\n    pull_policy: never\n"
        "  app:\n    image: node:20\n    pull_policy: build\n"
    )
    top = repository(tmp_path, command, files={"compose.yaml": compose})
    lines = lint(top, "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines) == pulled, lines


def test_compose_include_brings_the_services_of_other_files(tmp_path: Path) -> None:
    """`include:` adds another file's services to the project; that file's relative paths
    are from its own folder (compose spec, `include`). A file that includes its includer is
    read once; a missing one is HS103 at the line that names it."""
    top = repository(
        tmp_path,
        "docker compose up -d",
        files={
            "compose.yaml": (
                "include:\n  - db/compose.yaml\n  - path: [missing.yaml]\n"
                "services:\n  web:\n    image: nginx:1.27\n"
            ),
            "db/compose.yaml": (
                "include:\n  - ../compose.yaml\n"
                "services:\n  db:\n    image: postgres:16\n  migrate:\n    build: .\n"
            ),
            "db/Dockerfile": "FROM flyway/flyway:10\n",
            "Dockerfile": "FROM ruby:3\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    pulled = sorted(line.split(" HS101 ")[1].split(" ")[0] for line in lines if " HS101 " in line)
    assert pulled == ["flyway/flyway:10", "nginx:1.27", "postgres:16"], lines
    (missing,) = [line for line in lines if " HS103 " in line]
    assert "compose.yaml, line 3: the included file missing.yaml was not found" in missing


def test_compose_extends_takes_the_base_service_settings(tmp_path: Path) -> None:
    """`extends:` (a service of the same file, or of the `file:` named from the extending
    file's folder) starts from the base's settings: its image is pulled, named in the file
    that writes it, and its build context stays relative to its own file; the extending
    service's own keys win, and the base's `depends_on` is not inherited."""
    top = repository(
        tmp_path,
        "docker compose -f deploy/compose.yaml up -d",
        files={
            "deploy/compose.yaml": (
                "services:\n"
                "  web:\n    extends:\n      file: ../common/services.yaml\n      service: base-web\n"
                "    environment:\n      MODE: ci\n"
                "  worker:\n    extends: web\n    image: python:3.12\n"
                "  builder:\n    extends:\n      service: built\n      file: ../common/services.yaml\n"
            ),
            "common/services.yaml": (
                "services:\n"
                "  base-web:\n    image: nginx:1.27\n    depends_on: [db]\n"
                "  built:\n    build: ./app\n"
                "  db:\n    image: postgres:16\n"
            ),
            "common/app/Dockerfile": "FROM golang:1.22\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    found = sorted(line.split(" HS101 ")[1] for line in lines)
    assert found == [
        f"golang:1.22 {HUB}: FROM golang:1.22 in common/app/Dockerfile, line 1,"
        " service builder of common/services.yaml, built by"
        " `docker compose -f deploy/compose.yaml up -d`",
        f"nginx:1.27 {HUB}: image of service web in common/services.yaml, line 3,"
        " pulled by `docker compose -f deploy/compose.yaml up -d`",
        f"python:3.12 {HUB}: image of service worker in deploy/compose.yaml, line 10,"
        " pulled by `docker compose -f deploy/compose.yaml up -d`",
    ], lines


@pytest.mark.parametrize(
    ("compose", "problem"),
    [
        (
            "services:\n  web:\n    extends: missing\n",
            "compose.yaml, line 3: service 'web' extends 'missing', which compose.yaml does"
            " not define",
        ),
        (
            "services:\n  web:\n    extends:\n      service: base\n      file: nowhere.yml\n",
            "compose.yaml, line 3: service 'web' extends 'base' from nowhere.yml, which was"
            " not found",
        ),
        (
            "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
            "compose.yaml, line 5: service 'b' extends 'a', which extends it again",
        ),
        (
            "services:\n  web:\n    extends: ${BASE}\n",
            "compose.yaml, line 3: extends of service 'web' '${BASE}' uses ${BASE}, not known"
            " statically",
        ),
        (
            "services:\n  web:\n    extends: {file: x.yml}\n",
            "extends of service 'web' names no service",
        ),
    ],
)
def test_compose_extends_that_cannot_be_followed_is_reported(
    tmp_path: Path, compose: str, problem: str
) -> None:
    """A base that is missing, unknown or circular gives HS103 at the extends line, never a
    guess (and not "neither an image nor a build section": the base may have one)."""
    top = repository(tmp_path, "docker compose up", files={"compose.yaml": compose})
    lines = lint(top, "buildspec.yml")
    assert lines and all(" HS103 " in line for line in lines), lines
    assert any(problem in line for line in lines), lines
    assert not any("neither an image" in line for line in lines), lines


def test_compose_extends_reports_only_the_base_services_problems(tmp_path: Path) -> None:
    """A shared file read for one base service: problems of its other services are not this
    command's (compose reads only what the service extends)."""
    top = repository(
        tmp_path,
        "docker compose up",
        files={
            "compose.yaml": "services:\n  web:\n    extends:\n      file: all.yaml\n      service: web\n",
            "all.yaml": (
                "services:\n  other:\n    image: ${UNSET_ELSEWHERE}\n"
                "  web:\n    image: nginx:${TAG}\n"
            ),
        },
    )
    lines = lint(top, "buildspec.yml")
    assert len(lines) == 1 and " HS101 nginx " in lines[0], lines


def test_compose_extends_chains_and_shared_base_files(tmp_path: Path) -> None:
    """A chain of extends across files is followed to its end, for each service extending
    it; the image is named where the chain's end writes it; a chain deeper than 16 is HS103."""
    chain = "".join(f"  s{n}:\n    extends: s{n + 1}\n" for n in range(20))
    top = repository(
        tmp_path,
        "docker compose up",
        files={
            "compose.yaml": (
                "services:\n"
                "  a:\n    extends: {file: base.yaml, service: mid}\n"
                "  b:\n    extends: {file: base.yaml, service: mid}\n    image: node:20\n"
            ),
            "base.yaml": ("services:\n  mid:\n    extends: {file: sub/root.yaml, service: root}\n"),
            "sub/root.yaml": "services:\n  root:\n    image: postgres:16\n",
            "deep/compose.yaml": "services:\n" + chain + "  s20:\n    image: redis:7\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    assert sorted(line.split(" HS101 ")[1].split(" is pulled")[0] for line in lines) == [
        "node:20",
        "postgres:16",
    ], lines
    assert "image of service a in sub/root.yaml, line 3" in " ".join(lines)
    deep = repository(tmp_path / "deep", "docker compose -f deep/compose.yaml up")
    (deep / "deep").mkdir()
    (deep / "deep" / "compose.yaml").write_text(
        "services:\n" + chain + "  s20:\n    image: redis:7\n"
    )
    found = lint(deep, "buildspec.yml")
    assert any("more than 16 extends deep" in line for line in found), found
