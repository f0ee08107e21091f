"""Eight hubspec processes fixing and linting the same 200 files at once.

The files mix buildspecs that need the login fix (a Hub pull, a `docker build` of a
Dockerfile `FROM node:20`, CRLF and BOM layouts), buildspecs that are fine, broken YAML and
fixes hubspec refuses. Four `hubspec fix` and four `hubspec lint` processes start together on
the same directory. No process may print a traceback or a write error, and every file must
end byte-identical to what one `hubspec fix` run alone makes of it (so fixable files are
fixed exactly once, the others untouched), with no temporary file left behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from hubspec.run import files

TEMPLATES: dict[str, str] = {
    "pull": "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n",
    "build": (
        "version: 0.2\nenv:\n  variables:\n    TAG: latest\nphases:\n  pre_build:\n"
        "    commands:\n      - echo start\n  build:\n    commands:\n"
        "      - docker build -t app:$TAG .\n"
    ),
    "crlf": "version: 0.2\r\nphases:\r\n  build:\r\n    commands:\r\n    - docker run alpine true\r\n",
    "bom": "\ufeffversion: 0.2\nphases:\n  install:\n    commands:\n      - docker pull redis:7",
    "logged-in": (
        "version: 0.2\nenv:\n  parameter-store:\n    DOCKER_USER: dockerhub-user\n"
        "    DOCKER_TOKEN: dockerhub-token\nphases:\n  pre_build:\n    commands:\n"
        '      - echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin\n'
        "  build:\n    commands:\n      - docker pull node:20\n"
    ),
    "no-docker": "version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm test\n",
    "broken-tab": "version: 0.2\nphases:\n\tbuild:\n\t\tcommands: [docker pull x]\n",
    "broken-bracket": "version: 0.2\nphases:\n  build:\n    commands: [docker pull node:20\n",
    "refused-shared-list": (
        "version: 0.2\nphases:\n  install:\n    commands: &setup\n      - docker pull node:20\n"
        "  post_build:\n    commands: *setup\n"
    ),
    "ecr": (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1\n"
    ),
}
FILES = 200
PROCESSES = 8


def _populate(root: Path) -> None:
    names = sorted(TEMPLATES)
    for index in range(FILES):
        folder = root / f"repo{index // 10:02d}"
        folder.mkdir(exist_ok=True)
        (folder / "Dockerfile").write_text("FROM node:20\nRUN npm ci\n")
        name = names[index % len(names)]
        text = TEMPLATES[name]
        comment = f"# file {index}\n"
        if text.startswith("\ufeff"):
            text = "\ufeff" + comment + text[1:]
        else:
            text = comment.replace("\n", "\r\n" if "\r\n" in text else "\n") + text
        (folder / f"buildspec-{index:03d}-{name}.yml").write_bytes(text.encode("utf-8"))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _command(kind: str, root: Path) -> list[str]:
    if kind == "fix":
        return [sys.executable, "-m", "hubspec", "fix", str(root)]
    return [sys.executable, "-m", "hubspec", "lint", "--format", "concise", str(root)]


def test_eight_processes_on_two_hundred_files(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shared = tmp_path / "shared"
    reference.mkdir()
    _populate(reference)
    shutil.copytree(reference, shared)
    original = _snapshot(reference)
    alone = subprocess.run(_command("fix", reference), capture_output=True, text=True, timeout=120)
    assert "Traceback" not in alone.stderr
    expected = _snapshot(reference)
    changed = {name for name in expected if expected[name] != original[name]}
    fixable = {"pull", "build", "crlf", "bom"}
    assert changed == {
        name for name in expected if name.endswith(tuple(f"-{k}.yml" for k in fixable))
    }

    kinds = ["fix", "lint"] * (PROCESSES // 2)
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            _command(kind, shared),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
        for kind in kinds
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    elapsed = time.monotonic() - started

    for kind, process, (stdout, stderr) in zip(kinds, processes, outputs, strict=True):
        assert "Traceback" not in stderr, stderr
        assert "internal error" not in stderr, stderr
        assert process.returncode in (0, 1), (kind, process.returncode, stderr)
        if kind == "fix":
            # Parallel fixes of one file agree, so none of them may see a conflict.
            assert "hubspec: error:" not in stderr, stderr
        else:
            assert stdout.strip(), "lint printed nothing"
    final = _snapshot(shared)
    assert sorted(final) == sorted(expected)
    for name, data in final.items():
        assert data in (original[name], expected[name]), f"{name}: neither old nor fixed"
        assert data == expected[name], f"{name}: not the result of a single fix run"
    assert [path for path in shared.rglob("*") if path.name.endswith(files.TEMP_SUFFIX)] == []
    assert elapsed < 120, f"8 processes took {elapsed:.0f} s"
