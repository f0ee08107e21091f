"""A non-editable build ships the schemas inside the package and lints from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import FIXTURES, ROOT


def test_wheel_ships_schemas_and_lints_from_elsewhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("hubspec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hubspec/schemas/buildspec.schema.json" in names
    assert "hubspec/schemas/config.schema.json" in names
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "examples" / "node-app", project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    where = subprocess.run(
        [sys.executable, "-c", "import hubspec; print(hubspec.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert where.stdout.startswith(str(wheel)), where.stdout
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hubspec",
            "lint",
            "--format",
            "concise",
            str(project / "buildspec.yml"),
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert ":17:9: HS101 node:20-alpine is pulled from Docker Hub" in result.stdout
