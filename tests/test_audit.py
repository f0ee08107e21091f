"""`hubspec audit` against moto's real HTTP server, through the real command line.

One server for the module (tests/audit_server.py): us-east-1 holds one project per case,
eu-west-1 holds 250 projects, ap-south-1 answers AccessDenied. Every run checks that only
read calls reached the server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from audit_server import ACCOUNT, Faults, FaultyMotoServer, project

from hubspec.cli.audit import run_audit
from hubspec.cli.quickargs import parse
from hubspec.run.options import Request

READ_CALLS = {"ListProjects", "ListSharedProjects", "BatchGetProjects"}
CASES = "us-east-1"
MANY = "eu-west-1"
DENIED = "ap-south-1"
TOKEN = "dckr_pat_Zq8XbW3vTn5yKp2sLm7RfA"
PASSWORD = "hunter2-literal-pw"
LOGIN = 'echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin'


def spec(*commands: str, env: str = "") -> str:
    lines = ["version: 0.2", *([env] if env else []), "phases:", "  build:", "    commands:"]
    return "\n".join([*lines, *(f"      - {command}" for command in commands)]) + "\n"


CASE_PROJECTS = [
    project("hub-pull", spec("docker pull node:20"), privileged=True),
    project(
        "plaintext-token",
        spec(LOGIN, "docker pull node:20"),
        privileged=True,
        variables=[
            {"name": "DOCKER_USER", "value": "octocat", "type": "PLAINTEXT"},
            {"name": "DOCKER_TOKEN", "value": TOKEN, "type": "PLAINTEXT"},
        ],
    ),
    project(
        "store-token",
        spec(LOGIN, "docker pull node:20"),
        privileged=True,
        variables=[
            {"name": "DOCKER_USER", "value": "octocat", "type": "PLAINTEXT"},
            {"name": "DOCKER_TOKEN", "value": "dockerhub-token", "type": "PARAMETER_STORE"},
        ],
    ),
    project("clean", spec("echo building", "make test")),
    project("in-source", "ci/buildspec.yml", image="node:20"),
    project("default-buildspec", None),
    project(
        "literal-in-buildspec",
        spec(
            'echo "$DOCKER_PASSWORD" | docker login -u me --password-stdin',
            env=f"env:\n  variables:\n    DOCKER_PASSWORD: {PASSWORD}",
        ),
        privileged=True,
    ),
    project("bad-yaml", "version: 0.2\nphases: [build\n"),
    project("hub-image", spec("docker pull python:3.12"), image="node:20", privileged=True),
    project("unprivileged", spec("echo ok", "docker pull alpine:3.20")),
]
# Checked by hand: path:line:col of each finding inside the inline buildspec (1:1 for a
# project setting), in project-name order.
EXPECTED_CASES = """\
codebuild://us-east-1/bad-yaml:3:1: HS001 invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)
codebuild://us-east-1/hub-image:1:1: HS104 project hub-image builds in node:20, which CodeBuild pulls from Docker Hub anonymously before the build starts: it has no RegistryCredential
codebuild://us-east-1/hub-image:5:9: HS101 python:3.12 is pulled from Docker Hub without a Docker Hub login: `docker pull python:3.12`
codebuild://us-east-1/hub-pull:5:9: HS101 node:20 is pulled from Docker Hub without a Docker Hub login: `docker pull node:20`
codebuild://us-east-1/in-source:1:1: HS104 project in-source builds in node:20, which CodeBuild pulls from Docker Hub anonymously before the build starts: it has no RegistryCredential
codebuild://us-east-1/literal-in-buildspec:1:1: HS106 project literal-in-buildspec runs in privileged mode, but its buildspec runs no docker daemon command
codebuild://us-east-1/literal-in-buildspec:4:22: HS202 DOCKER_PASSWORD holds a literal secret in env.variables (value not shown); keep it in parameter-store or secrets-manager
codebuild://us-east-1/literal-in-buildspec:8:35: HS203 the Docker Hub login reads $DOCKER_PASSWORD, which is a plain env.variables value; define it under env.parameter-store or env.secrets-manager
codebuild://us-east-1/plaintext-token:1:1: HS202 project environment variable DOCKER_TOKEN=******** holds a literal secret (type PLAINTEXT); make it PARAMETER_STORE or SECRETS_MANAGER
codebuild://us-east-1/plaintext-token:5:32: HS203 the Docker Hub login reads $DOCKER_TOKEN, which neither the buildspec nor the project defines from a secret store; define it under env.parameter-store or env.secrets-manager
codebuild://us-east-1/unprivileged:6:9: HS101 alpine:3.20 is pulled from Docker Hub without a Docker Hub login: `docker pull alpine:3.20`
codebuild://us-east-1/unprivileged:6:9: HS105 `docker pull alpine:3.20` needs the Docker daemon, and project unprivileged does not set PrivilegedMode: true, so CodeBuild runs no daemon
codebuild://us-east-1/default-buildspec: note: buildspec in source: buildspec.yml; lint that file there
codebuild://us-east-1/in-source: note: buildspec in source: ci/buildspec.yml; lint that file there
"""
MANY_COUNT = 250


def many_project(number: int) -> dict[str, Any]:
    """Every fifth project pulls from Docker Hub without login; the others are clean."""
    name = f"svc-{number:03d}"
    if number % 5 == 0:
        return project(name, spec(f"docker pull redis:{number}"), privileged=True)
    return project(name, spec("echo ok"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyMotoServer]:
    faults = Faults()
    moto = FaultyMotoServer(faults)
    moto.start()
    env = _aws_env(moto.url, tmp_path_factory.mktemp("aws"))
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    for region, projects in (
        (CASES, CASE_PROJECTS),
        (MANY, [many_project(n) for n in range(MANY_COUNT)]),
        (DENIED, [project("hidden", spec("docker pull node:20"))]),
    ):
        client = session.client("codebuild", region_name=region, endpoint_url=moto.url)
        for arguments in projects:
            client.create_project(**arguments)
    moto.env = env  # type: ignore[attr-defined]
    yield moto
    moto.stop()


@pytest.fixture
def faults(server: FaultyMotoServer) -> Iterator[Faults]:
    server.faults.reset()
    yield server.faults
    assert {operation for operation, _ in server.faults.calls} <= READ_CALLS


def _aws_env(url: str, home: Path) -> dict[str, str]:
    """Credentials and endpoint for the test server; nothing from the user's ~/.aws."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1",
    )
    env.pop("GITHUB_ACTIONS", None)
    return env


def audit(
    server: FaultyMotoServer, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubspec", "audit", *args],
        env=env or server.env,  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=120,
    )


def audit_here(
    server: FaultyMotoServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """The same audit in this process (through the fast argv parser): the side paths."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in (env or server.env).items():  # type: ignore[attr-defined]
        if name.startswith("AWS_") or name == "NO_COLOR":
            monkeypatch.setenv(name, value)
    request = parse(["audit", *args])
    assert isinstance(request, Request) and request.command == "audit"
    code = run_audit(request)
    out, err = capsys.readouterr()
    return code, out, err


def test_each_case_gives_its_finding_and_clean_projects_none(
    server: FaultyMotoServer, faults: Faults
) -> None:
    result = audit(server, "--region", CASES)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "\n".join(lines[:-1]) + "\n" == EXPECTED_CASES
    assert lines[-1] == "Found 12 problems (7 errors, 4 warnings, 1 info) in 10 projects."
    assert result.stderr == ""
    assert TOKEN not in result.stdout and PASSWORD not in result.stdout
    assert [op for op, _ in faults.calls] == ["ListProjects", "BatchGetProjects"]


def test_json_carries_project_name_and_arn_and_notes(
    server: FaultyMotoServer, faults: Faults
) -> None:
    result = audit(server, "--region", CASES, "--format", "json")
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == len(CASE_PROJECTS)
    by_path = {(f["path"], f["rule"]): f for f in document["findings"]}
    hub = by_path["codebuild://us-east-1/hub-pull", "HS101"]
    assert hub["project"] == "hub-pull"
    assert hub["project_arn"] == f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/hub-pull"
    assert (hub["line"], hub["column"], hub["end_line"], hub["end_column"]) == (5, 9, 5, 28)
    assert hub["fixable"] is False  # an account is not a file `hubspec fix` can edit
    assert {n["path"] for n in document["notes"]} == {
        "codebuild://us-east-1/in-source",
        "codebuild://us-east-1/default-buildspec",
    }
    assert TOKEN not in result.stdout and PASSWORD not in result.stdout


def test_sarif_has_the_arn_as_logical_location(server: FaultyMotoServer, faults: Faults) -> None:
    result = audit(server, "--region", CASES, "--format", "sarif")
    run = json.loads(result.stdout)["runs"][0]
    located = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0]
        for r in run["results"]
    }
    hub = located["codebuild://us-east-1/hub-pull"]
    assert hub["logicalLocations"] == [
        {
            "name": "hub-pull",
            "kind": "resource",
            "fullyQualifiedName": f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/hub-pull",
        }
    ]
    assert hub["physicalLocation"]["region"]["startLine"] == 5
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 2 and all(note["level"] == "note" for note in notes)


@pytest.mark.parametrize("output_format", ["text", "concise", "github", "junit"])
def test_every_format_reports_the_projects(
    server: FaultyMotoServer,
    faults: Faults,
    output_format: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("--region", CASES, "--format", output_format, "--project", "hub-pull")
    code, out, err = audit_here(server, monkeypatch, capsys, *args)
    assert code == 1, err
    assert "us-east-1/hub-pull" in out and "HS101" in out
    assert err == ""


def test_output_file_gets_the_report_and_the_terminal_the_text(
    server: FaultyMotoServer, faults: Faults, tmp_path: Path
) -> None:
    out = tmp_path / "audit.sarif"
    result = audit(server, "--region", CASES, "-f", "sarif", "-o", str(out), "--exit-zero")
    assert result.returncode == 0
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert "codebuild://us-east-1/hub-pull:5:9: HS101" in result.stdout


def test_stats_count_pulls_per_build_per_project_with_the_build_image(
    server: FaultyMotoServer,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = audit_here(server, monkeypatch, capsys, "--region", CASES, "--stats")
    rows = {
        line.split()[0]: line.split()[1:4]
        for line in out.splitlines()
        if line.startswith("codebuild://") and ": " not in line
    }
    # pulls/build, builds, pulls/run: hub-image also pulls its node:20 build image
    assert rows["codebuild://us-east-1/hub-image"] == ["1", "1", "2"]
    assert rows["codebuild://us-east-1/hub-pull"] == ["1", "1", "1"]
    assert rows["codebuild://us-east-1/clean"] == ["0", "1", "0"]
    assert rows["codebuild://us-east-1/store-token"] == ["1", "1", "1"]
    assert "codebuild://us-east-1/in-source" not in rows  # its buildspec is not in the account
    assert out.splitlines()[-1] == "total: 6 Docker Hub pull(s) if every project runs once"


def test_250_projects_are_read_100_a_call(server: FaultyMotoServer, faults: Faults) -> None:
    result = audit(server, "--region", MANY, "--format", "json")
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == MANY_COUNT
    pulls = sorted(f["path"] for f in document["findings"])
    assert pulls == [f"codebuild://eu-west-1/svc-{n:03d}" for n in range(0, MANY_COUNT, 5)]
    assert all(f["rule"] == "HS101" for f in document["findings"])
    assert [op for op, _ in faults.calls] == ["ListProjects"] + ["BatchGetProjects"] * 3


def test_a_denied_region_is_a_note_and_the_audit_goes_on(
    server: FaultyMotoServer, faults: Faults
) -> None:
    faults.denied_regions.add(DENIED)
    result = audit(server, "--region", DENIED, "--region", CASES, "--select", "HS101")
    assert result.returncode == 1
    assert (
        "codebuild://ap-south-1: note: access denied to codebuild:ListProjects;"
        " region not audited" in result.stdout
    )
    assert "codebuild://us-east-1/hub-pull:5:9: HS101" in result.stdout
    assert "in 10 projects." in result.stdout
    # named projects are read without listing: the denial is then the project's
    named = audit(server, "--region", DENIED, "--region", CASES, "--project", "hub-pull")
    assert "codebuild://ap-south-1/hub-pull: note: access denied; not audited" in named.stdout
    assert "codebuild://us-east-1/hub-pull:5:9: HS101" in named.stdout


def test_a_denied_project_is_a_note_and_the_others_are_audited(
    server: FaultyMotoServer,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults.denied_projects.add("hub-image")
    _, out, _ = audit_here(server, monkeypatch, capsys, "--region", CASES, "--select", "HS101")
    assert "codebuild://us-east-1/hub-image: note: access denied; not audited" in out
    assert "codebuild://us-east-1/hub-pull:5:9: HS101" in out
    assert "in 9 projects." in out
    batches = [op for op, _ in faults.calls if op == "BatchGetProjects"]
    assert len(batches) == 1 + len(CASE_PROJECTS)  # the denied call, then one name at a time


def test_every_region_denied_is_one_error(server: FaultyMotoServer, faults: Faults) -> None:
    faults.denied_regions.add(DENIED)
    result = audit(server, "--region", DENIED)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "hubspec: error: no region could be read; nothing was audited"
    )
    assert "Traceback" not in result.stderr


def test_throttling_is_retried(server: FaultyMotoServer, faults: Faults) -> None:
    faults.throttle_next = 1
    result = audit(server, "--region", CASES, "--project", "hub-pull")
    assert result.returncode == 1, result.stderr
    assert "codebuild://us-east-1/hub-pull:5:9: HS101" in result.stdout
    assert [op for op, _ in faults.calls] == ["BatchGetProjects"] * 2


def test_region_from_aws_region_and_unknown_project_named(
    server: FaultyMotoServer,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = {**server.env, "AWS_REGION": CASES}  # type: ignore[attr-defined]
    args = ("--project", "clean", "--project", "no-such")
    code, out, err = audit_here(server, monkeypatch, capsys, *args, env=env)
    assert code == 0, err
    assert out.splitlines() == [
        "codebuild://us-east-1/no-such: note: no such project",
        "All checks passed (1 project checked).",
    ]


def test_no_credentials_is_one_line(server: FaultyMotoServer, faults: Faults) -> None:
    env = {
        k: v
        for k, v in server.env.items()  # type: ignore[attr-defined]
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    result = audit(server, "--region", CASES, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("hubspec: error: no AWS credentials found:")
    assert len(result.stderr.splitlines()) == 1
    assert faults.calls == []


def test_no_region_is_one_line(
    server: FaultyMotoServer,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = audit_here(server, monkeypatch, capsys)
    assert code == 2
    assert err == (
        "hubspec: error: no AWS region: pass --region or set AWS_REGION (or a profile's region)\n"
    )


def test_unknown_profile_is_one_line(
    server: FaultyMotoServer,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = audit_here(server, monkeypatch, capsys, "--profile", "nope", "--region", CASES)
    assert code == 2
    assert err.startswith("hubspec: error: AWS configuration:")
    assert "nope" in err and len(err.splitlines()) == 1


def test_without_boto3_audit_says_how_to_install_it(server: FaultyMotoServer) -> None:
    code = (
        "import sys; sys.modules['boto3'] = None; sys.argv = ['hubspec', 'audit'];"
        " from hubspec.entry import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=server.env,  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr == "hubspec: error: hubspec audit needs boto3: pip install 'hubspec[aws]'\n"
    )


def test_ctrl_c_prints_what_was_audited(server: FaultyMotoServer, faults: Faults) -> None:
    faults.pause_operation = "BatchGetProjects"
    faults.pause_after = 1  # the second call (projects 100-199) hangs until the signal
    faults.pause_seconds = 3.0
    process = subprocess.Popen(
        [sys.executable, "-m", "hubspec", "audit", "--region", MANY, "-f", "json"],
        env=server.env,  # type: ignore[attr-defined]
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert faults.paused.wait(60)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    document = json.loads(stdout)
    assert document["summary"]["files"] == 100
    assert len(document["findings"]) == 20
    assert stderr == (
        "hubspec: interrupted: the report covers the 100 project(s) audited before Ctrl-C\n"
    )


def test_progress_bar_on_a_terminal_and_json_stays_clean(
    server: FaultyMotoServer, faults: Faults, tmp_path: Path
) -> None:
    from test_ci_terminal import run

    aws = {k: v for k, v in server.env.items() if k.startswith("AWS_")}  # type: ignore[attr-defined]
    code, out, err = run(
        ["audit", "--region", MANY, "--format", "json"],
        tmp_path,
        stdout_tty=False,
        stderr_tty=True,
        **aws,
    )
    assert code == 1
    assert json.loads(out)["summary"]["files"] == MANY_COUNT
    assert "auditing" in err and f"{MANY_COUNT}/{MANY_COUNT}" in err
