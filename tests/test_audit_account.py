"""The audit's pieces without a server: API records -> projects, paging, batching, faults."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from hubspec.audit.client import Account, AuditError, Unreadable, translated
from hubspec.audit.convert import from_api
from hubspec.audit.runner import AuditOptions, audit_account
from hubspec.build.project import ProjectVariable, VariableType

ARN = "arn:aws:codebuild:eu-central-1:123456789012:project/"


def api_project(name: str, buildspec: str | None = None, **environment: Any) -> dict[str, Any]:
    source: dict[str, Any] = {"type": "GITHUB", "location": "https://example.com/x.git"}
    if buildspec is not None:
        source["buildspec"] = buildspec
    return {
        "name": name,
        "arn": ARN + name,
        "source": source,
        "environment": {
            "type": "LINUX_CONTAINER",
            "computeType": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            **environment,
        },
    }


def test_inline_buildspec_and_environment_become_the_project() -> None:
    item = from_api(
        api_project(
            "web",
            "version: 0.2\nphases: {}\n",
            image="node:20",
            privilegedMode=True,
            imagePullCredentialsType="SERVICE_ROLE",
            registryCredential={
                "credential": "arn:secret",
                "credentialProvider": "SECRETS_MANAGER",
            },
            environmentVariables=[
                {"name": "A", "value": "1", "type": "PLAINTEXT"},
                {"name": "T", "value": "dockerhub-token", "type": "PARAMETER_STORE"},
                {"name": "S", "value": "sec:pw", "type": "SECRETS_MANAGER"},
                {"name": "odd", "value": "x", "type": "SOMETHING_NEW"},
            ],
        ),
        "us-east-1",
    )
    assert item.inline == "version: 0.2\nphases: {}\n"
    assert item.elsewhere is None
    assert item.region == "eu-central-1"  # the ARN's region wins (a shared project)
    assert item.display == "codebuild://eu-central-1/web"
    project = item.project
    assert (project.name, project.arn, project.image) == ("web", ARN + "web", "node:20")
    assert project.privileged_mode is True and project.registry_credential is True
    assert project.image_pull_credentials_type == "SERVICE_ROLE"
    assert project.variables == (
        ProjectVariable("A", VariableType.PLAINTEXT, "1"),
        ProjectVariable("T", VariableType.PARAMETER_STORE, "dockerhub-token"),
        ProjectVariable("S", VariableType.SECRETS_MANAGER, "sec:pw"),
    )
    assert project.buildspec_path is None


@pytest.mark.parametrize(
    ("buildspec", "source_type", "elsewhere", "path"),
    [
        ("ci/buildspec.yml", "GITHUB", "in source: ci/buildspec.yml", "ci/buildspec.yml"),
        (
            " buildspec-prod.yaml ",
            "GITHUB",
            "in source: buildspec-prod.yaml",
            "buildspec-prod.yaml",
        ),
        (None, "GITHUB", "in source: buildspec.yml", "buildspec.yml"),
        ("", "CODECOMMIT", "in source: buildspec.yml", "buildspec.yml"),
        (
            "arn:aws:s3:::bucket/specs/b.yml",
            "GITHUB",
            "in S3: arn:aws:s3:::bucket/specs/b.yml",
            None,
        ),
        (None, "NO_SOURCE", "no buildspec and no source", None),
    ],
)
def test_a_buildspec_kept_elsewhere_is_named(
    buildspec: str | None, source_type: str, elsewhere: str, path: str | None
) -> None:
    data = api_project("api", buildspec)
    data["source"]["type"] = source_type
    item = from_api(data, "us-east-1")
    assert item.inline is None
    assert item.elsewhere == elsewhere
    assert item.project.buildspec_path == path


@pytest.mark.parametrize(
    "text",
    ["version: 0.2", "version: 0.2\nphases:\n  build: {}\n", '{"version": 0.2}', "version:\n"],
)
def test_yaml_text_is_inline(text: str) -> None:
    assert from_api(api_project("x", text), "us-east-1").inline == text


def test_odd_api_values_are_unknown_not_errors() -> None:
    item = from_api({"name": "xy", "environment": "?", "source": None}, "eu-west-1")
    assert item.project.image is None and item.project.variables == ()
    assert item.display == "codebuild://eu-west-1/xy"


def _client(region: str = "us-east-1") -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    ).client("codebuild")


def test_list_projects_follows_three_pages_and_shared_projects() -> None:
    client = _client()
    stub = Stubber(client)
    stub.add_response("list_projects", {"projects": ["a", "b"], "nextToken": "t1"}, {})
    stub.add_response("list_projects", {"projects": ["c"], "nextToken": "t2"}, {"nextToken": "t1"})
    stub.add_response("list_projects", {"projects": ["d"]}, {"nextToken": "t2"})
    stub.add_response("list_shared_projects", {"projects": [ARN + "shared"]}, {})
    with stub:
        assert Account().names(client, shared=True) == ["a", "b", "c", "d", ARN + "shared"]
    stub.assert_no_pending_responses()


def test_batch_get_projects_takes_100_names_a_call() -> None:
    client = _client()
    names = [f"p{n:03d}" for n in range(250)]
    stub = Stubber(client)
    for start in (0, 100, 200):
        chunk = names[start : start + 100]
        found = [api_project(name) for name in chunk if name != "p150"]
        answer: dict[str, Any] = {"projects": found}
        if "p150" in chunk:
            answer["projectsNotFound"] = ["p150"]
        stub.add_response("batch_get_projects", answer, {"names": chunk})
    with stub:
        batches = list(Account().projects(client, names))
    assert [len(batch.projects) for batch in batches] == [100, 99, 50]
    assert batches[1].not_found == ("p150",)


def test_a_denied_batch_is_read_name_by_name() -> None:
    client = _client()
    stub = Stubber(client)
    stub.add_client_error("batch_get_projects", "AccessDeniedException", http_status_code=400)
    stub.add_response("batch_get_projects", {"projects": [api_project("ab")]}, {"names": ["ab"]})
    stub.add_client_error("batch_get_projects", "AccessDeniedException", http_status_code=400)
    with stub:
        (batch,) = Account().projects(client, ["ab", "cd"])
    assert [p["name"] for p in batch.projects] == ["ab"]
    assert batch.denied == ("cd",)


@pytest.mark.parametrize(
    ("code", "fatal"),
    [
        ("AccessDeniedException", False),
        ("ThrottlingException", False),
        ("UnrecognizedClientException", True),
        ("ExpiredTokenException", True),
    ],
)
def test_client_errors_stop_or_are_noted(code: str, fatal: bool) -> None:
    client = _client()
    stub = Stubber(client)
    stub.add_client_error("list_projects", code, "no", http_status_code=400)
    expected = AuditError if fatal else Unreadable
    with stub, pytest.raises(expected), translated():
        client.list_projects()


def test_progress_counts_every_project_and_ctrl_c_keeps_what_was_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Fake(Account):
        def __init__(self) -> None:
            pass

        def client(self, region: str) -> Any:
            return region

        def names(self, client: Any, *, shared: bool = False) -> list[str]:
            return [f"p{n}" for n in range(150)]

        def projects(self, client: Any, names: Any) -> Any:
            from hubspec.audit.client import Batch

            yield Batch(tuple(api_project(name, "version: 0.2\n") for name in names[:100]))
            raise KeyboardInterrupt

    seen: list[tuple[int, int]] = []
    outcome = audit_account(
        AuditOptions(regions=("r",)), lambda done, total: seen.append((done, total)), Fake()
    )
    assert seen == [(100, 150)]
    assert outcome.interrupted and outcome.projects == 100


def test_a_plaintext_token_is_reported_and_masked_everywhere() -> None:
    from hubspec.audit.runner import AuditOutcome, audit_project
    from hubspec.settings import Settings

    token = "dckr_pat_Zq8XbW3vTn5yKp2sLm7RfA"
    buildspec = f"version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull {token}/x\n"
    data = api_project(
        "web",
        buildspec,
        environmentVariables=[
            {"name": "HUB", "value": token, "type": "PLAINTEXT"},  # a token by its shape
            {"name": "DOCKER_PASSWORD", "value": "s3cr3t-pw", "type": "PLAINTEXT"},
            {"name": "DOCKER_TOKEN", "value": "/dockerhub/token", "type": "PARAMETER_STORE"},
            {"name": "MODE", "value": "release", "type": "PLAINTEXT"},
        ],
    )
    outcome = AuditOutcome()
    audit_project(from_api(data, "us-east-1"), Settings(), outcome)
    project_findings = [f for f in outcome.findings if f.rule == "HS202"]
    assert [f.message.split("=")[0] for f in project_findings] == [
        "project environment variable DOCKER_PASSWORD",
        "project environment variable HUB",
    ]
    shown = [f.message for f in outcome.findings] + list(outcome.sources.values())
    assert all(token not in text and "s3cr3t-pw" not in text for text in shown)
    assert "docker pull ********/x" in outcome.sources["codebuild://eu-central-1/web"]
