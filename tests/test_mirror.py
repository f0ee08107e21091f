"""`hubspec fix --strategy mirror`: every mapping, every place an image is written, all-or-nothing
writes across files, golden diffs, the budget drop, and the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubspec.cli.app import app
from hubspec.fix import mirror_bytes
from hubspec.fix.mirror import parse_mirror
from hubspec.run import files

runner = CliRunner()
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
PULL_THROUGH = f"pull-through:{ECR}/docker-hub"
BUILD = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t app .\n"


def _project(tmp_path: Path, buildspec: str, **others: str) -> Path:
    for name, text in others.items():
        target = tmp_path / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    path = tmp_path / "buildspec.yml"
    path.write_text(buildspec, encoding="utf-8")
    return path


def _mirror(path: Path, spec: str):  # type: ignore[no-untyped-def]
    return mirror_bytes(
        "buildspec.yml",
        path.read_bytes(),
        source_root=path.parent,
        reader=files.read_referenced,
        mirror_spec=spec,
    )


def _new_file(outcome, name: str) -> str:  # type: ignore[no-untyped-def]
    return next(new for path, _, new in outcome.files if path.name == name)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("node:20", "public.ecr.aws/docker/library/node:20"),
        ("library/node:20", "public.ecr.aws/docker/library/node:20"),
        ("docker.io/node:20", "public.ecr.aws/docker/library/node:20"),
        ("docker.io/library/node", "public.ecr.aws/docker/library/node"),
        (
            "index.docker.io/library/python:3.12-slim",
            "public.ecr.aws/docker/library/python:3.12-slim",
        ),
        (
            "node:20@sha256:" + "a" * 64,
            "public.ecr.aws/docker/library/node:20@sha256:" + "a" * 64,
        ),
    ],
)
def test_ecr_public_maps_official_images_in_commands(
    tmp_path: Path, written: str, expected: str
) -> None:
    path = _project(
        tmp_path, f"version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull {written}\n"
    )
    outcome = _mirror(path, "ecr-public")
    assert outcome.refusal is None
    assert outcome.new_data is not None
    assert f"- docker pull {expected}\n" in outcome.new_data.decode()
    assert not [f for f in outcome.after.findings if f.rule == "HS101"]


def test_ecr_public_leaves_namespaced_images_with_a_reason(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull bitnami/redis:7\n",
    )
    outcome = _mirror(path, "ecr-public")
    assert outcome.new_data is None
    assert outcome.skipped == (
        "bitnami/redis:7 is not a Docker Official Image; ECR Public mirrors only those (use --mirror pull-through:... for it)",
    )


def test_pull_through_in_version_01_adds_the_same_ecr_login_flow_style_kept(
    tmp_path: Path,
) -> None:
    path = _project(
        tmp_path,
        "version: 0.1\nphases:\n  pre_build:\n    commands: [echo prep]\n"
        "  build:\n    commands:\n      - docker pull bitnami/redis:7\n",
    )
    outcome = _mirror(path, PULL_THROUGH)
    assert outcome.refusal is None
    assert outcome.new_data.decode() == (
        "version: 0.1\nphases:\n  pre_build:\n    commands: ["
        f"aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin {ECR}"
        ", echo prep]\n"
        "  build:\n    commands:\n"
        f"      - docker pull {ECR}/docker-hub/bitnami/redis:7\n"
    )
    path.write_bytes(outcome.new_data)
    again = _mirror(path, PULL_THROUGH)
    assert again.new_data is None and not again.files and again.refusal is None


def test_pull_through_maps_every_hub_image_and_adds_one_ecr_login(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull bitnami/redis:7\n"
        "      - docker run --rm node:20 node -v\n      - docker tag bitnami/redis:7 cache:latest\n",
    )
    outcome = _mirror(path, PULL_THROUGH)
    text = outcome.new_data.decode()
    assert text == (
        "version: 0.2\nphases:\n"
        "  pre_build:\n    commands:\n"
        f"      - aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin {ECR}\n"
        "  build:\n    commands:\n"
        f"      - docker pull {ECR}/docker-hub/bitnami/redis:7\n"
        f"      - docker run --rm {ECR}/docker-hub/library/node:20 node -v\n"
        f"      - docker tag {ECR}/docker-hub/bitnami/redis:7 cache:latest\n"
    )
    again = mirror_bytes(
        "buildspec.yml",
        outcome.new_data,
        source_root=tmp_path,
        reader=files.read_referenced,
        mirror_spec=PULL_THROUGH,
    )
    assert again.new_data is None and not again.files and again.refusal is None


def test_dockerfile_from_copy_mount_syntax_and_stages(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "COPY --from=alpine:3.20 /etc/ssl /ssl\n"
        "RUN --mount=type=cache,from=busybox:1.36,target=/c true\n"
        "FROM build AS test\n"
        "FROM gcr.io/distroless/static\n"
    )
    path = _project(tmp_path, BUILD, Dockerfile=dockerfile)
    outcome = _mirror(path, PULL_THROUGH)
    assert outcome.refusal is None
    assert _new_file(outcome, "Dockerfile") == (
        f"# syntax={ECR}/docker-hub/docker/dockerfile:1\n"
        f"FROM --platform=$BUILDPLATFORM {ECR}/docker-hub/library/golang:1.22 AS build\n"
        f"COPY --from={ECR}/docker-hub/library/alpine:3.20 /etc/ssl /ssl\n"
        f"RUN --mount=type=cache,from={ECR}/docker-hub/library/busybox:1.36,target=/c true\n"
        "FROM build AS test\n"
        "FROM gcr.io/distroless/static\n"
    )


def test_arg_default_feeding_from_is_rewritten(tmp_path: Path) -> None:
    path = _project(
        tmp_path, BUILD, Dockerfile='ARG BASE="node:20-alpine"\nFROM ${BASE}\nRUN true\n'
    )
    outcome = _mirror(path, "ecr-public")
    assert _new_file(outcome, "Dockerfile") == (
        'ARG BASE="public.ecr.aws/docker/library/node:20-alpine"\nFROM ${BASE}\nRUN true\n'
    )


def test_tag_from_arg_keeps_the_variable(tmp_path: Path) -> None:
    path = _project(tmp_path, BUILD, Dockerfile="ARG V=20\nFROM node:${V}\n")
    outcome = _mirror(path, "ecr-public")
    assert (
        _new_file(outcome, "Dockerfile")
        == "ARG V=20\nFROM public.ecr.aws/docker/library/node:${V}\n"
    )


def test_compose_image_keys(tmp_path: Path) -> None:
    compose = 'services:\n  db:\n    image: "postgres:16"\n  cache:\n    image: redis:7  # cache\n'
    path = _project(
        tmp_path,
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker compose up -d\n",
        **{"compose.yaml": compose},
    )
    outcome = _mirror(path, "ecr-public")
    assert _new_file(outcome, "compose.yaml") == (
        'services:\n  db:\n    image: "public.ecr.aws/docker/library/postgres:16"\n'
        "  cache:\n    image: public.ecr.aws/docker/library/redis:7  # cache\n"
    )


def test_already_mirrored_is_left_alone(tmp_path: Path) -> None:
    path = _project(tmp_path, BUILD, Dockerfile="FROM public.ecr.aws/docker/library/node:20\n")
    outcome = _mirror(path, "ecr-public")
    assert outcome.new_data is None and not outcome.files and outcome.refusal is None


def test_bad_mirror_spec_is_explained() -> None:
    with pytest.raises(ValueError, match="pull-through:ACCOUNT"):
        parse_mirror("pull-through:example.com")
    assert parse_mirror(PULL_THROUGH).region == "us-east-1"


def test_cli_golden_diff_and_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, BUILD, Dockerfile="FROM node:20\nRUN npm ci\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["fix", "--strategy", "mirror", "--mirror", "ecr-public", "--diff", "buildspec.yml"]
    )
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n"
        "-FROM node:20\n+FROM public.ecr.aws/docker/library/node:20\n RUN npm ci\n"
    )
    assert (tmp_path / "Dockerfile").read_text() == "FROM node:20\nRUN npm ci\n"
    stats_before = json.loads(
        runner.invoke(app, ["lint", "--format", "json", "buildspec.yml"]).stdout
    )
    result = runner.invoke(
        app, ["fix", "--strategy", "mirror", "--mirror", "ecr-public", "buildspec.yml"]
    )
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / "Dockerfile"
    ).read_text() == "FROM public.ecr.aws/docker/library/node:20\nRUN npm ci\n"
    stats_after = json.loads(
        runner.invoke(app, ["lint", "--format", "json", "buildspec.yml"]).stdout
    )
    assert stats_before["budget"]["files"][0]["pulls_per_build"] == 1
    assert stats_after["budget"]["files"][0]["pulls_per_build"] == 0
    assert stats_after["findings"] == []


def test_mirror_strategy_needs_a_mirror_kind(tmp_path: Path) -> None:
    path = _project(tmp_path, BUILD, Dockerfile="FROM node:20\n")
    result = runner.invoke(app, ["fix", "--strategy", "mirror", str(path)])
    assert result.exit_code == 2
    assert "--strategy mirror needs one --mirror" in result.stderr


def test_writes_are_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    build: .\n  web:\n    image: nginx:1.27\n"
    )
    path = _project(
        tmp_path,
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n      - docker compose up -d\n",
        Dockerfile="FROM python:3.12\n",
        **{"compose.yaml": compose},
    )
    originals = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_write = files.write_atomic
    calls: list[Path] = []

    def failing(target: Path, data: bytes, expected_old: bytes | None = None) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_write(target, data, expected_old)

    monkeypatch.setattr(files, "write_atomic", failing)
    result = runner.invoke(
        app, ["fix", "--strategy", "mirror", "--mirror", "ecr-public", str(path)]
    )
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == originals


def test_every_corpus_file_with_hs101_is_mirrored_and_verified(corpus: Path) -> None:
    count = 0
    for target in files.discover([str(corpus)]):
        rel = target.path.relative_to(corpus)
        root = corpus / rel.parts[0]
        data = target.path.read_bytes()
        outcome = mirror_bytes(
            rel.as_posix(),
            data,
            source_root=root,
            reader=files.read_referenced,
            mirror_spec=PULL_THROUGH,
        )
        if not any(f.rule == "HS101" for f in outcome.before.findings):
            continue
        assert outcome.refusal is None, f"{rel}: {outcome.refusal}"
        assert outcome.after is not None, f"{rel}: nothing rewritten ({outcome.skipped})"
        assert not [f for f in outcome.after.findings if f.rule == "HS101"], rel
        count += 1
    assert count >= 60


def test_a_pull_in_a_script_is_left_there_with_a_reason(tmp_path: Path) -> None:
    """Scripts are never edited: the mirror fix names the pull and leaves it."""
    script = "docker pull node:20\n"
    path = _project(
        tmp_path, "version: 0.2\nphases:\n  build:\n    commands:\n      - bash ci/pull.sh\n"
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "pull.sh").write_text(script)
    outcome = _mirror(path, "ecr-public")
    assert outcome.new_data is None
    assert not outcome.files
    assert outcome.skipped == (
        "node:20 is pulled by `docker pull node:20` in ci/pull.sh, line 1; scripts are not"
        " edited, rewrite it there by hand",
    )
    assert (tmp_path / "ci" / "pull.sh").read_text() == script
