"""No output ever shows a secret value: literal secrets in env.variables, a `docker login -p`
password, or the value of a parameter-store / secrets-manager variable (which hubspec never
knows, but a developer's shell may hold under the same name).

Every format is checked: text with code frames (`--color always`), concise, json, sarif,
github, `fix --diff` and `fix`. Reference names (`dockerhub-token`) are names, not values, and
may appear. The stdin filter `hubspec fix -` is the exception by design: it prints the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SECRETS = {
    "DOCKER_PASSWORD": "s3cr3t-docker-pw-XYZZY",
    "API_TOKEN": "tok_live_PLUGH_0123456789",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "GITHUB_TOKEN": "ghp_FROBOZZ1234567890abcdefABCDEF",
    "NPM_AUTH_TOKEN": "npm_ZORKMID_token_value",
}
LOGIN_PASSWORDS = ("hunter2literal", "hunter3literal", "hunter4literal")
# Values a developer's environment may hold for the store-backed names: never printed either.
STORE_VALUES = {
    "HUB_TOKEN": "env-HUB-token-value-QUUX",
    "NPM_TOKEN": "env-NPM-token-value-QUUX",
    "DOCKER_TOKEN": "env-DOCKER-token-value-QUUX",
    "DOCKER_USER": "env-DOCKER-user-value-QUUX",
}

BUILDSPEC = (
    "version: 0.2\n"
    "env:\n"
    "  variables:\n"
    + "".join(f"    {name}: {value}\n" for name, value in SECRETS.items())
    + "    IMAGE_TAG: latest\n"
    "  parameter-store:\n"
    "    HUB_TOKEN: dockerhub-token\n"
    "  secrets-manager:\n"
    "    NPM_TOKEN: prod/npm:token\n"
    "phases:\n"
    "  pre_build:\n"
    "    commands:\n"
    "      - docker login -u me -p 'hunter2literal' registry.example.com\n"
    "      - docker login --password=hunter3literal -u me ghcr.io\n"
    '      - bash -c "docker login -u me -p hunter4literal quay.io"\n'
    '      - echo "$HUB_TOKEN" | docker login -u me --password-stdin other.example.com\n'
    "  build:\n"
    "    commands:\n"
    "      - docker pull node:20\n"
    "      - docker build --build-arg NPM_TOKEN=$NPM_TOKEN -t app:$IMAGE_TAG .\n"
)

COMMANDS = {
    "text": ["lint", "--format", "text", "--color", "always"],
    "concise": ["lint", "--format", "concise"],
    "json": ["lint", "--format", "json"],
    "sarif": ["lint", "--format", "sarif"],
    "github": ["lint", "--format", "github"],
    "fix-diff": ["fix", "--diff"],
    "fix": ["fix"],
}


def run(tmp_path: Path, text: str, command: list[str]) -> str:
    folder = tmp_path / "repo"
    folder.mkdir(exist_ok=True)
    (folder / "Dockerfile").write_text("FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n")
    path = folder / "buildspec.yml"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", *command, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **STORE_VALUES, **SECRETS, "COLUMNS": "200"},
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return result.stdout + result.stderr


def leaked(output: str, values: list[str]) -> list[str]:
    return [value for value in values if value in output]


ALL_VALUES = [*SECRETS.values(), *LOGIN_PASSWORDS, *STORE_VALUES.values()]


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_no_secret_value_in_any_output(tmp_path: Path, kind: str) -> None:
    output = run(tmp_path, BUILDSPEC, COMMANDS[kind])
    assert output.strip(), "no output at all"
    assert leaked(output, ALL_VALUES) == [], output


def test_the_outputs_do_report_the_secrets(tmp_path: Path) -> None:
    """The check above is not vacuous: the findings are there, only the values are hidden."""
    output = run(tmp_path, BUILDSPEC, COMMANDS["concise"])
    for name in SECRETS:
        assert f"HS202 {name} holds a literal secret" in output, output
    assert output.count(" HS201 ") == len(LOGIN_PASSWORDS), output
    frames = run(tmp_path, BUILDSPEC, COMMANDS["text"])
    assert "docker login -u me -p" in frames  # the line is quoted, its password masked


def test_fix_keeps_the_secrets_in_the_file_but_not_in_its_output(tmp_path: Path) -> None:
    output = run(tmp_path, BUILDSPEC, COMMANDS["fix"])
    assert leaked(output, ALL_VALUES) == []
    written = (tmp_path / "repo" / "buildspec.yml").read_text()
    assert all(value in written for value in SECRETS.values())
    assert "docker login --username" in written  # the fix did happen


# --- known leaks, reported; each flips to a pass when fixed ------------------------------------

DB_PASS = "p4ss-GRUE-word"
SHORT_NAME = (
    "version: 0.2\nenv:\n  variables:\n"
    f"    DB_PASS: '{DB_PASS}'\n"
    f"    DOCKER_PASSWORD: {SECRETS['DOCKER_PASSWORD']}\n"
    "phases:\n  build:\n    commands:\n      - docker pull node:20\n"
)
IN_IMAGE = (
    "version: 0.2\nenv:\n  variables:\n"
    f"    API_TOKEN: {SECRETS['API_TOKEN']}\n"
    "phases:\n  build:\n    commands:\n"
    '      - docker pull "node:$API_TOKEN"\n'
)
BROKEN = (
    "version: 0.2\nenv:\n  variables:\n"
    f"    DOCKER_PASSWORD: {SECRETS['DOCKER_PASSWORD']}\n"
    f"    DOCKER_PASSWORD: {SECRETS['DOCKER_PASSWORD']}\n"
    "phases:\n  build:\n    commands:\n      - docker login -u me -p hunter2literal\n"
)


@pytest.mark.parametrize("kind", ["text", "fix-diff"])
def test_password_under_a_short_name(tmp_path: Path, kind: str) -> None:
    output = run(tmp_path, SHORT_NAME, COMMANDS[kind])
    assert SECRETS["DOCKER_PASSWORD"] not in output
    assert DB_PASS not in output, output


@pytest.mark.parametrize("kind", ["text", "concise", "json", "sarif", "github"])
def test_secret_expanded_into_an_image_name(tmp_path: Path, kind: str) -> None:
    output = run(tmp_path, IN_IMAGE, COMMANDS[kind])
    assert "HS101" in output or "hub-pull-without-login" in output
    assert SECRETS["API_TOKEN"] not in output, output


def test_frames_of_an_unparsable_file(tmp_path: Path) -> None:
    output = run(tmp_path, BROKEN, COMMANDS["text"])
    assert "duplicate key" in output
    assert leaked(output, [SECRETS["DOCKER_PASSWORD"], "hunter2literal"]) == [], output


@pytest.mark.parametrize("kind", ["concise", "json", "sarif", "github"])
def test_unparsable_file_in_other_formats(tmp_path: Path, kind: str) -> None:
    output = run(tmp_path, BROKEN, COMMANDS[kind])
    assert leaked(output, [SECRETS["DOCKER_PASSWORD"], "hunter2literal"]) == [], output
