"""Both pre-commit hooks with the real `pre-commit` tool.

A temporary git repository holds a buildspec with HS101 and its Dockerfile, and a
`.pre-commit-config.yaml` pointing at a snapshot of this checkout (every tracked or new,
not-ignored file of the working tree, committed into a scratch repository, so the hooks install
what is in the working tree, not what was last committed). Then: `hubspec-lint` fails and names
HS101, `hubspec-fix` rewrites the file (pre-commit fails because a hook modified files), and
afterwards both hooks pass.

pre-commit builds one virtualenv for the hooks and pip-installs hubspec into it (from PyPI and
the local wheel caches), so this test takes a while; PRE_COMMIT_HOME is a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .
"""
TIMEOUT = 1800


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=hubspec tests",
            "-c",
            "user.email=tests@hubspec.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "core.hooksPath=/dev/null",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def snapshot_of_this_checkout(target: Path) -> str:
    """Commit the working tree's files into a new repository; return the commit's sha."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    target.mkdir()
    git("init", "-q", cwd=target)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=target)
    return git("rev-parse", "HEAD", cwd=target).strip()


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_pre_commit_hooks(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the snapshot needs `git ls-files`")
    started = time.monotonic()
    sha = snapshot_of_this_checkout(tmp_path / "hubspec-src")

    user = tmp_path / "user"
    user.mkdir()
    git("init", "-q", cwd=user)
    (user / "buildspec.yml").write_text(BUILDSPEC, encoding="utf-8")
    (user / "Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
    (user / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {tmp_path / 'hubspec-src'}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: hubspec-lint\n"
        "      - id: hubspec-fix\n",
        encoding="utf-8",
    )
    git("add", "-A", cwd=user)
    git("commit", "-q", "-m", "a buildspec with a Docker Hub pull", cwd=user)

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GITHUB_ACTIONS", "PRE_COMMIT_HOME", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"
    env["NO_COLOR"] = "1"

    lint = pre_commit("run", "hubspec-lint", "--all-files", cwd=user, env=env)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "HS101" in lint.stdout
    assert "node:20" in lint.stdout
    assert (user / "buildspec.yml").read_text(encoding="utf-8") == BUILDSPEC

    fix = pre_commit("run", "hubspec-fix", "--all-files", cwd=user, env=env)
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "files were modified by this hook" in fix.stdout
    fixed = (user / "buildspec.yml").read_text(encoding="utf-8")
    assert 'docker login --username "$DOCKER_USER" --password-stdin' in fixed
    assert "parameter-store:" in fixed
    assert fixed.endswith(BUILDSPEC.split("phases:\n", 1)[1]), "the build phase is unchanged"

    git("add", "-A", cwd=user)
    both = pre_commit("run", "--all-files", cwd=user, env=env)
    assert both.returncode == 0, both.stdout + both.stderr
    assert both.stdout.count("Passed") == 2, both.stdout
    assert (user / "buildspec.yml").read_text(encoding="utf-8") == fixed

    # Also as a real commit hook: a new bad buildspec is refused at `git commit`. It is in a
    # subfolder and builds the Dockerfile at the top (CodeBuild runs it from there): pre-commit
    # passes `ci/buildspec-test.yml` from the top, and the top's FROM node:20 is the pull.
    install = pre_commit("install", cwd=user, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    (user / "ci").mkdir()
    (user / "ci" / "buildspec-test.yml").write_text(BUILDSPEC, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=user, check=True)
    commit = subprocess.run(
        [
            "git",
            "-c",
            "user.name=hubspec tests",
            "-c",
            "user.email=tests@hubspec.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "another pull",
        ],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "ci/buildspec-test.yml:5:9: HS101 node:20 is pulled" in commit.stdout + commit.stderr
    assert "HS103" not in commit.stdout + commit.stderr
    print(f"pre-commit test took {time.monotonic() - started:.1f}s")
