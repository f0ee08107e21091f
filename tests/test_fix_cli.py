"""`hubspec fix` through the CLI: diff, write, modes, stores, names, refusals, directories."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubspec.cli.app import app

runner = CliRunner()

LOGIN = 'echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin'
ORIGINAL = (
    "version: 0.2\n"
    "# build the app image\n"
    "phases:\n"
    "  build:\n"
    "    commands:\n"
    "      - docker build -t app .  # FROM node:20\n"
)
FIXED = (
    "version: 0.2\n"
    "env:\n"
    "  parameter-store:\n"
    "    DOCKER_USER: dockerhub-user\n"
    "    DOCKER_TOKEN: dockerhub-token\n"
    "# build the app image\n"
    "phases:\n"
    "  pre_build:\n"
    "    commands:\n"
    f"      - {LOGIN}\n"
    "  build:\n"
    "    commands:\n"
    "      - docker build -t app .  # FROM node:20\n"
)
VERSION_01 = "version: 0.1\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
SHARED_LIST = (
    "version: 0.2\nphases:\n  install:\n    commands: &setup\n      - docker pull node:20\n"
    "  post_build:\n    commands: *setup\n"
)
NO_PULL = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
SECRET = "hunter2-Zx81kQe3LmVtY2wq"


def _fix(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["fix", *args], env={"GITHUB_ACTIONS": "", "NO_COLOR": "1"})


def _project(tmp_path: Path, text: str = ORIGINAL, name: str = "buildspec.yml") -> Path:
    (tmp_path / "Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _all_output(result) -> str:  # type: ignore[no-untyped-def]
    return result.stdout + result.stderr


# --diff ---------------------------------------------------------------------------------


def test_diff_prints_unified_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    path = _project(tmp_path)
    before = path.stat()
    result = _fix("--diff", str(path), "--source-root", str(tmp_path))
    assert result.exit_code == 1, _all_output(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"--- {path}"
    assert lines[1] == f"+++ {path}"
    assert lines[2].startswith("@@ -1,")
    added = [line[1:] for line in lines[2:] if line.startswith("+")]
    removed = [line for line in lines[2:] if line.startswith("-")]
    assert removed == []
    assert added == [
        "env:",
        "  parameter-store:",
        "    DOCKER_USER: dockerhub-user",
        "    DOCKER_TOKEN: dockerhub-token",
        "  pre_build:",
        "    commands:",
        f"      - {LOGIN}",
    ]
    assert path.read_bytes() == ORIGINAL.encode("utf-8")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_diff_with_relative_path_uses_a_b_prefixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = _fix("--diff", "buildspec.yml")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/buildspec.yml\n+++ b/buildspec.yml\n@@ ")


def test_diff_of_a_clean_file_prints_nothing_and_exits_0(tmp_path: Path) -> None:
    path = _project(tmp_path, NO_PULL)
    result = _fix("--diff", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert path.read_bytes() == NO_PULL.encode("utf-8")


def test_diff_marks_a_missing_final_newline(tmp_path: Path) -> None:
    path = _project(
        tmp_path, "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20"
    )
    result = _fix("--diff", str(path))
    assert result.exit_code == 1
    assert result.stdout.count("\\ No newline at end of file") == 1
    assert result.stdout.endswith("      - docker pull node:20\n\\ No newline at end of file\n")


# writing ---------------------------------------------------------------------------------


def test_fix_writes_keeps_mode_and_prints_changes_and_next_steps(tmp_path: Path) -> None:
    path = _project(tmp_path)
    os.chmod(path, 0o640)
    result = _fix(str(path))
    assert result.exit_code == 0, _all_output(result)
    assert path.read_bytes() == FIXED.encode("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    out = result.stdout
    assert f"fixed {path}:" in out
    assert "added env.parameter-store DOCKER_USER: dockerhub-user" in out
    assert "added env.parameter-store DOCKER_TOKEN: dockerhub-token" in out
    assert "pre_build" in out
    assert "Still to do, once:" in out
    assert "aws ssm put-parameter --name dockerhub-user --type String" in out
    assert "aws ssm put-parameter --name dockerhub-token --type SecureString" in out
    assert "ssm:GetParameters" in out
    assert "arn:aws:ssm:<region>:<account-id>:parameter/dockerhub-token" in out
    assert "Nothing to fix." not in out
    assert not list(tmp_path.glob("*.hubspec-tmp")), "temporary file left behind"


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    path = _project(tmp_path)
    assert _fix(str(path)).exit_code == 0
    written = path.read_bytes()
    before = path.stat()
    result = _fix(str(path))
    assert result.exit_code == 0, _all_output(result)
    assert "Nothing to fix." in result.stdout
    assert "Still to do" not in result.stdout
    assert path.read_bytes() == written
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "rewritten"
    assert _fix("--diff", str(path)).exit_code == 0


def test_fix_then_lint_is_clean(tmp_path: Path) -> None:
    path = _project(tmp_path)
    assert _fix(str(path)).exit_code == 0
    result = runner.invoke(
        app, ["lint", "--format", "concise", str(path)], env={"GITHUB_ACTIONS": ""}
    )
    assert result.exit_code == 0, result.output


def test_fix_through_a_symlink_updates_the_target(tmp_path: Path) -> None:
    target = _project(tmp_path, name="real/buildspec.yml")
    (target.parent / "Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
    link = tmp_path / "buildspec.yml"
    link.symlink_to(target)
    result = _fix(str(link), "--source-root", str(tmp_path))
    assert result.exit_code == 0, _all_output(result)
    assert link.is_symlink()
    assert target.read_bytes() == FIXED.encode("utf-8")


def test_python_dash_m_fix(tmp_path: Path) -> None:
    path = _project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "fix", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == FIXED.encode("utf-8")
    assert "ssm:GetParameters" in result.stdout


def test_fix_keeps_crlf_bom_and_missing_final_newline_on_disk(tmp_path: Path) -> None:
    original = ORIGINAL.rstrip("\n").replace("\n", "\r\n")
    path = _project(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    result = _fix(str(path))
    assert result.exit_code == 0, _all_output(result)
    expected = FIXED.rstrip("\n").replace("\n", "\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_fix_stdin_prints_the_fixed_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    result = runner.invoke(
        app,
        ["fix", "-", "--stdin-filename", "buildspec.yml"],
        input=text,
        env={"GITHUB_ACTIONS": ""},
    )
    assert result.exit_code == 0, _all_output(result)
    assert result.stdout == (
        "version: 0.2\n"
        "env:\n"
        "  parameter-store:\n"
        "    DOCKER_USER: dockerhub-user\n"
        "    DOCKER_TOKEN: dockerhub-token\n"
        "phases:\n"
        "  pre_build:\n"
        "    commands:\n"
        f"      - {LOGIN}\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    )
    assert list(tmp_path.iterdir()) == []


# stores and names --------------------------------------------------------------------------


def test_secrets_manager_store(tmp_path: Path) -> None:
    path = _project(tmp_path)
    result = _fix("--store", "secrets-manager", "--secret", "dockerhub", str(path))
    assert result.exit_code == 0, _all_output(result)
    assert path.read_text(encoding="utf-8") == FIXED.replace(
        "  parameter-store:\n    DOCKER_USER: dockerhub-user\n    DOCKER_TOKEN: dockerhub-token\n",
        "  secrets-manager:\n"
        "    DOCKER_USER: dockerhub:username\n"
        "    DOCKER_TOKEN: dockerhub:token\n",
    )
    out = result.stdout
    assert "added env.secrets-manager DOCKER_USER: dockerhub:username" in out
    assert "added env.secrets-manager DOCKER_TOKEN: dockerhub:token" in out
    assert "secretsmanager:GetSecretValue" in out
    assert "aws secretsmanager create-secret --name dockerhub" in out
    assert "arn:aws:secretsmanager:<region>:<account-id>:secret:dockerhub-*" in out
    assert "ssm:GetParameters" not in out
    assert "put-parameter" not in out


def test_secrets_manager_needs_secret(tmp_path: Path) -> None:
    path = _project(tmp_path)
    result = _fix("--store", "secrets-manager", str(path))
    assert result.exit_code == 2
    assert "--secret" in result.stderr
    assert path.read_bytes() == ORIGINAL.encode("utf-8")
    result = _fix("--diff", "--store", "secrets-manager", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""


def test_secrets_manager_appends_to_an_existing_section(tmp_path: Path) -> None:
    text = (
        "version: 0.2\n"
        "env:\n"
        "  secrets-manager:\n"
        "    NPM_TOKEN: npm:token\n"
        "phases:\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    )
    path = _project(tmp_path, text)
    result = _fix("--store", "secrets-manager", "--secret", "ci/dockerhub", str(path))
    assert result.exit_code == 0, _all_output(result)
    assert path.read_text(encoding="utf-8") == (
        "version: 0.2\n"
        "env:\n"
        "  secrets-manager:\n"
        "    NPM_TOKEN: npm:token\n"
        "    DOCKER_USER: ci/dockerhub:username\n"
        "    DOCKER_TOKEN: ci/dockerhub:token\n"
        "phases:\n"
        "  pre_build:\n"
        "    commands:\n"
        f"      - {LOGIN}\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    )


def test_custom_variable_and_parameter_names(tmp_path: Path) -> None:
    path = _project(tmp_path)
    result = _fix(
        "--user-variable",
        "HUB_USER",
        "--token-variable",
        "HUB_TOKEN",
        "--user-parameter",
        "/ci/hub/user",
        "--token-parameter",
        "/ci/hub/token",
        str(path),
    )
    assert result.exit_code == 0, _all_output(result)
    assert path.read_text(encoding="utf-8") == (
        "version: 0.2\n"
        "env:\n"
        "  parameter-store:\n"
        "    HUB_USER: /ci/hub/user\n"
        "    HUB_TOKEN: /ci/hub/token\n"
        "# build the app image\n"
        "phases:\n"
        "  pre_build:\n"
        "    commands:\n"
        '      - echo "$HUB_TOKEN" | docker login --username "$HUB_USER" --password-stdin\n'
        "  build:\n"
        "    commands:\n"
        "      - docker build -t app .  # FROM node:20\n"
    )
    out = result.stdout
    assert "aws ssm put-parameter --name /ci/hub/token --type SecureString" in out
    assert "aws ssm put-parameter --name /ci/hub/user --type String" in out
    assert "arn:aws:ssm:<region>:<account-id>:parameter/ci/hub/token" in out
    assert "dockerhub-token" not in out


@pytest.mark.parametrize("option", ["--user-variable", "--token-variable"])
@pytest.mark.parametrize("name", ["1BAD", "A-B", "A B", "$X", ""])
def test_invalid_variable_name_is_a_usage_error(tmp_path: Path, option: str, name: str) -> None:
    path = _project(tmp_path)
    result = _fix(option, name, str(path))
    assert result.exit_code == 2
    assert path.read_bytes() == ORIGINAL.encode("utf-8")


# refusals ----------------------------------------------------------------------------------


def test_refused_shared_list_is_untouched(tmp_path: Path) -> None:
    path = _project(tmp_path, SHARED_LIST)
    os.chmod(path, 0o600)
    before = path.stat()
    result = _fix(str(path))
    assert result.exit_code == 1
    assert f"{path}: not fixed:" in result.stderr
    assert "shared through a YAML anchor/alias" in result.stderr
    assert "fixed " not in result.stdout
    assert "Still to do" not in result.stdout
    assert path.read_bytes() == SHARED_LIST.encode("utf-8")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_mode,
    )


def test_refused_shared_list_with_diff(tmp_path: Path) -> None:
    path = _project(tmp_path, SHARED_LIST)
    result = _fix("--diff", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "shared through a YAML anchor/alias" in result.stderr
    assert path.read_bytes() == SHARED_LIST.encode("utf-8")


def test_version_01_login_reads_parameter_store_itself(tmp_path: Path) -> None:
    path = _project(tmp_path, VERSION_01)
    result = _fix(str(path))
    assert result.exit_code == 0, _all_output(result)
    assert "version 0.1 has no env block" in result.stdout
    assert "aws ssm put-parameter --name dockerhub-token" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert "env:" not in text
    assert (
        "      - aws ssm get-parameters --names dockerhub-token --with-decryption"
        " --query 'Parameters[0].Value' --output text | docker login --username"
        " \"$(aws ssm get-parameters --names dockerhub-user --query 'Parameters[0].Value'"
        ' --output text)" --password-stdin\n'
    ) in text
    assert _fix(str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == text


def test_flow_env_is_extended_in_flow_style(tmp_path: Path) -> None:
    text = "version: 0.2\nenv: {variables: {STAGE: prod}}\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    path = _project(tmp_path, text)
    result = _fix(str(path))
    assert result.exit_code == 0, _all_output(result)
    assert path.read_text(encoding="utf-8").splitlines()[1] == (
        "env: {variables: {STAGE: prod}, parameter-store:"
        " {DOCKER_USER: dockerhub-user, DOCKER_TOKEN: dockerhub-token}}"
    )


# directories -------------------------------------------------------------------------------


def test_fix_a_directory_fixes_every_buildspec(tmp_path: Path) -> None:
    pulling = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    fixed = (
        "version: 0.2\n"
        "env:\n"
        "  parameter-store:\n"
        "    DOCKER_USER: dockerhub-user\n"
        "    DOCKER_TOKEN: dockerhub-token\n"
        "phases:\n"
        "  pre_build:\n"
        "    commands:\n"
        f"      - {LOGIN}\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    )
    top = _project(tmp_path, ORIGINAL)
    release = _project(tmp_path, pulling, "deploy/buildspec-release.yaml")
    by_content = _project(tmp_path, pulling, "ci/build.yml")
    clean = _project(tmp_path, NO_PULL, "test/buildspec_test.yml")
    compose = tmp_path / "compose.yml"
    compose_text = "services:\n  web:\n    image: nginx\n"
    compose.write_text(compose_text, encoding="utf-8")

    result = _fix(str(tmp_path))
    assert result.exit_code == 0, _all_output(result)
    assert top.read_text(encoding="utf-8") == FIXED
    assert release.read_text(encoding="utf-8") == fixed
    assert by_content.read_text(encoding="utf-8") == fixed
    assert clean.read_text(encoding="utf-8") == NO_PULL
    assert compose.read_text(encoding="utf-8") == compose_text
    for path in (top, release, by_content):
        assert f"fixed {path}:" in result.stdout
    assert f"fixed {clean}" not in result.stdout
    # the next steps are listed once, not once per file
    assert result.stdout.count("aws ssm put-parameter --name dockerhub-token") == 1

    again = _fix(str(tmp_path))
    assert again.exit_code == 0
    assert "Nothing to fix." in again.stdout


def test_directory_with_a_refused_file_fixes_the_others_and_exits_1(tmp_path: Path) -> None:
    good = _project(tmp_path, ORIGINAL)
    old = _project(tmp_path, SHARED_LIST, "legacy/buildspec.yml")
    result = _fix(str(tmp_path))
    assert result.exit_code == 1
    assert good.read_text(encoding="utf-8") == FIXED
    assert old.read_bytes() == SHARED_LIST.encode("utf-8")
    assert f"{old}: not fixed:" in result.stderr


def test_diff_on_a_directory_prints_one_diff_per_changed_file(tmp_path: Path) -> None:
    first = _project(tmp_path, ORIGINAL)
    second = _project(tmp_path, ORIGINAL, "sub/buildspec.yml")
    (second.parent / "Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
    result = _fix("--diff", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.count(f"--- {first}\n") == 1
    assert result.stdout.count(f"--- {second}\n") == 1
    assert first.read_text(encoding="utf-8") == ORIGINAL
    assert second.read_text(encoding="utf-8") == ORIGINAL


# secrets never printed ------------------------------------------------------------------


SECRET_FILES = {
    "plaintext-variable": (
        "version: 0.2\n"
        "env:\n"
        "  variables:\n"
        f"    DOCKERHUB_PASSWORD: {SECRET}\n"
        "phases:\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    ),
    "password-on-command-line": (
        "version: 0.2\n"
        "phases:\n"
        "  install:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
        f"      - docker login -u me -p {SECRET}\n"
    ),
    "plaintext-token-reused": (
        "version: 0.2\n"
        "env:\n"
        "  variables:\n"
        f"    DOCKER_TOKEN: {SECRET}\n"
        "phases:\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull node:20\n"
    ),
}


@pytest.mark.parametrize("name", sorted(SECRET_FILES))
@pytest.mark.parametrize("mode", ["write", "diff", "secrets-manager"])
def test_no_output_contains_a_secret_value(tmp_path: Path, name: str, mode: str) -> None:
    path = _project(tmp_path, SECRET_FILES[name])
    args = {
        "write": [],
        "diff": ["--diff"],
        "secrets-manager": ["--store", "secrets-manager", "--secret", "hub"],
    }[mode]
    result = _fix(*args, str(path))
    assert SECRET not in _all_output(result)
    assert SECRET[-8:] not in _all_output(result)
