"""The console script: `lint`/`fix` run without typer, print what typer's path prints, and the
rest still goes to typer."""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from conftest import CORPUS, FIXTURES
from hubspec import entry
from hubspec.cli import commands, echo
from hubspec.run.options import Request

EXAMPLE = FIXTURES / "examples" / "node-app"
SCRIPT = Path(sys.executable).parent / "hubspec"
THROUGH_TYPER = "import sys; from hubspec.cli.app import app; app(prog_name='hubspec')"


def copy_example(target: Path) -> Path:
    """The example project outside the checkout, without the config that says its folder is the
    source root (outside a git work tree it is anyway), so that no config file is read."""
    return Path(shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".hubspec.toml")))


def hubspec_command() -> list[str]:
    if not SCRIPT.is_file():
        pytest.skip("the hubspec console script is not installed beside this Python")
    return [str(SCRIPT)]


def run(
    command: list[str], args: list[str], cwd: Path, *, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100", **env},
        timeout=120,
    )


def imported_modules(stderr: bytes) -> set[str]:
    """Module names from `python -X importtime` output."""
    lines = stderr.decode("utf-8", "replace").splitlines()
    return {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")}


def imported(stderr: bytes) -> set[str]:
    """Top-level package names from `python -X importtime` output."""
    return {name.split(".")[0] for name in imported_modules(stderr)}


@pytest.mark.parametrize(
    ("args", "code"),
    [(["lint", "buildspec.yml"], 1), (["fix", "--diff", "buildspec.yml"], 1)],
)
@pytest.mark.parametrize("how", ["script", "module"])
def test_lint_and_fix_do_not_import_typer(
    tmp_path: Path, args: list[str], code: int, how: str
) -> None:
    project = copy_example(tmp_path / "project")
    python = [sys.executable, "-X", "importtime"]
    command = [*python, *hubspec_command()] if how == "script" else [*python, "-m", "hubspec"]
    result = run(command, args, project)
    assert result.returncode == code, result.stderr[-2000:]
    assert b"HS101" in result.stdout or b"+++ b/buildspec.yml" in result.stdout
    modules = imported(result.stderr)
    assert "hubspec" in modules and "ruamel" in modules
    assert not modules & {"typer", "click", "rich", "shellingham"}
    # What the lint path was made to do without (each costs milliseconds of start-up): the
    # dataclasses machinery and inspect, tree-sitter-bash's importlib.resources (tempfile,
    # shutil, zipfile), hashlib for fingerprints, csv, and tomllib without a config file.
    assert not modules & {"dataclasses", "inspect", "tempfile", "shutil", "zipfile"}
    assert not modules & {"hashlib", "csv", "tomllib"}
    assert "importlib.resources" not in imported_modules(result.stderr)


@pytest.mark.parametrize(
    ("text", "jsonschema"),
    [
        ("version: 0.2\nenvv: {}\nphases:\n  build:\n    commands: [make]\n", False),
        ("version: 0.2\nphases:\n  build:\n    commands: make\n", False),
        ("phases:\n  build:\n    commands: [make]\n", False),
        ("version: 0.2\nenv:\n  variables:\n    CODEBUILD_X: a\nphases: {}\n", False),
        # both commands and steps fail a `not`: jsonschema explains, with the context
        ("version: 0.2\nphases:\n  build:\n    commands: [a]\n    steps: [{run: b}]\n", True),
    ],
)
def test_simple_schema_errors_are_explained_without_jsonschema(
    tmp_path: Path, text: str, jsonschema: bool
) -> None:
    (tmp_path / "buildspec.yml").write_text(text)
    result = run(
        [sys.executable, "-X", "importtime", "-m", "hubspec"], ["lint", "buildspec.yml"], tmp_path
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # HS003 is a warning
    assert b"HS00" in result.stdout
    assert ("jsonschema" in imported(result.stderr)) is jsonschema


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--help"], 0, "Usage: hubspec [OPTIONS] COMMAND [ARGS]..."),
        (["lint", "--help"], 0, "Usage: hubspec lint [OPTIONS]"),
        (["fix", "-h"], 0, "Usage: hubspec fix [OPTIONS]"),
        (["lint", "--bogus", "buildspec.yml"], 2, "No such option: --bogus"),
        (["lint", "--format", "bad", "buildspec.yml"], 2, "Invalid value for '--format' / '-f'"),
        (["fix", "--jobs", "-1"], 2, "Invalid value for '--jobs' / '-j'"),
        (["--version"], 0, "hubspec 0.1.0"),
        ([], 2, "Usage: hubspec [OPTIONS] COMMAND [ARGS]..."),
    ],
)
def test_everything_else_goes_to_typer(
    tmp_path: Path, args: list[str], code: int, expected: str
) -> None:
    project = copy_example(tmp_path / "project")
    script = run([sys.executable, "-X", "importtime", *hubspec_command()], args, project)
    typer_itself = run([sys.executable, "-c", THROUGH_TYPER], args, project)
    assert script.returncode == typer_itself.returncode == code
    assert script.stdout == typer_itself.stdout
    messages = b"\n".join(
        line for line in script.stderr.splitlines() if not line.startswith(b"import time:")
    )
    assert messages == typer_itself.stderr.rstrip(b"\n")
    assert expected in (script.stdout + script.stderr).decode()
    assert "typer" in imported(script.stderr)


# --- the fast path prints exactly what the typer path prints --------------------------------------

SAME_OUTPUT: list[tuple[list[str], dict[str, Any]]] = [
    (["lint", "buildspec.yml"], {}),
    (["lint", "-f", "json", "--stats", "buildspec.yml"], {}),
    (["lint", "--format=sarif", "--fail-on", "info", "--exit-zero", "."], {}),
    (["lint", "--write-baseline", "base.json", "buildspec.yml"], {}),
    (["lint", "-o", "report.json", "-f", "json", "buildspec.yml", "--stats"], {}),
    (["lint", "nope.yml"], {}),
    (["lint", "--config", "nope.toml", "buildspec.yml"], {}),
    # What typer.echo printed before the fast path: ANSI codes stripped off a terminal, and
    # UTF-8 written to a stream set up for ASCII (both paths now share echo.echo).
    (["lint", "\x1b[31mred\x1b[0m.yml"], {"stderr": b"hubspec: error: red.yml: no such file"}),
    (
        ["lint", "né.yml"],
        {"env": {"PYTHONIOENCODING": "ascii"}, "stderr": "hubspec: error: né.yml: no".encode()},
    ),
    (["lint", "-", "--stdin-filename", "ci/buildspec.yml"], {"stdin": True}),
    (["fix", "--diff", "buildspec.yml"], {}),
    (["fix", "buildspec.yml"], {}),
    (["fix", "-"], {"stdin": True}),
    (["fix", "--store", "secrets-manager", "buildspec.yml"], {}),
    (["fix", "--user-variable", "1x", "buildspec.yml"], {}),
    (["fix", "--strategy", "mirror", "--mirror", "ecr-public", "buildspec.yml"], {}),
    (["fix", "--strategy", "mirror", "buildspec.yml"], {}),
]


@pytest.mark.parametrize(("args", "how"), SAME_OUTPUT, ids=lambda value: repr(value)[:60])
def test_fast_path_output_is_byte_identical(
    tmp_path: Path, args: list[str], how: dict[str, Any]
) -> None:
    results = []
    for name, command in [
        ("fast", hubspec_command()),
        ("typer", [sys.executable, "-c", THROUGH_TYPER]),
    ]:
        project = copy_example(tmp_path / name)
        stdin = (project / "buildspec.yml").read_bytes() if how.get("stdin") else b""
        result = run(command, args, project, stdin=stdin, **how.get("env", {}))
        written = {
            path.name: path.read_bytes() for path in sorted(project.iterdir()) if path.is_file()
        }
        results.append((result.returncode, result.stdout, result.stderr, written))
    assert results[0] == results[1]
    assert b"Traceback" not in results[0][2]
    assert results[0][2].startswith(how.get("stderr", b""))


@pytest.mark.parametrize("command", [["lint", "-f", "json"], ["fix", "--diff"]])
def test_closed_pipe_exits_1_quietly(command: list[str]) -> None:
    """`hubspec lint | head`: like typer, exit 1 with nothing on stderr."""
    for program in (hubspec_command(), [sys.executable, "-c", THROUGH_TYPER]):
        with subprocess.Popen(
            [*program, *command, str(EXAMPLE / "buildspec.yml")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as process:
            assert process.stdout is not None and process.stderr is not None
            process.stdout.close()  # before hubspec writes anything
            stderr = process.stderr.read()
            assert process.wait(timeout=120) == 1
        assert stderr == b"", program


# --- entry.main in-process --------------------------------------------------------------------------


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(request: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run_lint", interrupted)
    monkeypatch.setattr(sys, "argv", ["hubspec", "lint", "buildspec.yml"])
    with pytest.raises(SystemExit) as stop:
        entry.main()
    assert stop.value.code == 130


def test_exit_code_is_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def fix(request: object) -> int:
        seen.append(request)
        return 7

    monkeypatch.setattr(commands, "run_fix", fix)
    monkeypatch.setattr(sys, "argv", ["hubspec", "fix", "--diff", "a.yml"])
    with pytest.raises(SystemExit) as stop:
        entry.main()
    assert stop.value.code == 7
    assert seen == [Request("fix", ["a.yml"], diff=True)]


@pytest.mark.parametrize(
    ("argv", "runner", "frozen"),
    [
        (["lint", "buildspec.yml"], "run_lint", True),
        (["fix", "--diff", "buildspec.yml"], "run_fix", True),
        (["server"], "run_server", False),
    ],
)
def test_collection_is_off_only_while_starting(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], runner: str, frozen: bool
) -> None:
    """Start-up runs without the garbage collector; the command itself runs with it, and a
    lint or fix with what start-up made frozen (the long-running server freezes nothing)."""
    seen: list[tuple[bool, int]] = []

    def command(request: object = None) -> int:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return 0

    monkeypatch.setattr(commands, runner, command)
    monkeypatch.setattr(sys, "argv", ["hubspec", *argv])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit):
            entry.main()
    finally:
        gc.unfreeze()
        gc.enable()
    assert len(seen) == 1
    enabled, frozen_objects = seen[0]
    assert enabled
    assert (frozen_objects > 0) is frozen


def test_broken_pipe_is_pacified(monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError

    def lint(request: object) -> int:
        raise BrokenPipeError

    monkeypatch.setattr(commands, "run_lint", lint)
    monkeypatch.setattr(sys, "argv", ["hubspec", "lint"])
    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(SystemExit) as stop:
        entry.main()
    assert stop.value.code == 1
    sys.stdout.flush()  # what the interpreter does at exit: no error now
    sys.stdout.write("x")


def test_fix_writing_prints_its_summary_without_typer_or_click(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    result = run(
        [sys.executable, "-X", "importtime", "-m", "hubspec"], ["fix", "buildspec.yml"], project
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(b"fixed buildspec.yml:\n")
    assert not imported(result.stderr) & {"typer", "click", "rich", "shellingham"}


# --- echo.echo is typer.echo -------------------------------------------------------------------------


class Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def streams() -> list[tuple[str, Any]]:
    return [
        ("utf-8", lambda: io.TextIOWrapper(io.BytesIO(), encoding="utf-8")),
        ("ascii", lambda: io.TextIOWrapper(io.BytesIO(), encoding="ascii")),
        ("latin-1 strict", lambda: io.TextIOWrapper(io.BytesIO(), encoding="latin-1")),
        ("terminal", lambda: Terminal(io.BytesIO(), encoding="utf-8")),
        ("ascii terminal", lambda: Terminal(io.BytesIO(), encoding="ascii")),
    ]


@pytest.mark.parametrize(("kind", "make"), streams(), ids=[kind for kind, _ in streams()])
@pytest.mark.parametrize("err", [True, False])
@pytest.mark.parametrize(
    "message", ["plain", "\x1b[31mred\x1b[0m path", "né ✓", "", "a\nb", "bad \udcff byte"]
)
def test_echo_writes_what_typer_echo_writes(
    monkeypatch: pytest.MonkeyPatch, kind: str, make: Any, err: bool, message: str
) -> None:
    outputs = []
    for write in (typer.echo, echo.echo):
        stream = make()
        monkeypatch.setattr(sys, "stderr" if err else "stdout", stream)
        try:
            write(message, err=err)
            outcome = "ok"
        except UnicodeEncodeError:
            outcome = "UnicodeEncodeError"
        stream.flush()
        outputs.append((outcome, stream.buffer.getvalue()))
        monkeypatch.undo()
    assert outputs[0] == outputs[1]


def test_echo_to_a_stream_without_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for write in (typer.echo, echo.echo):
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stdout", stream)
        write("\x1b[1mbold\x1b[0m né")
        outputs.append(stream.getvalue())
        monkeypatch.undo()
    assert outputs[0] == outputs[1] == "bold né\n"


# --- console: leaving without the interpreter's teardown ---------------------------------------


def test_console_script_output_is_complete_and_the_code_kept(tmp_path: Path) -> None:
    """os._exit after the report: everything written reaches the reader, and the code stays."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    done = run(hubspec_command(), ["lint", "--format", "json", str(CORPUS)], tmp_path)
    report = json.loads(done.stdout)
    assert done.returncode == 1  # the corpus has errors
    assert len({finding["path"] for finding in report["findings"]}) > 100


@pytest.mark.parametrize(
    ("raised", "code", "stderr"),
    [(None, 0, ""), (3, 3, ""), ("stopped: why", 1, "stopped: why\n")],
)
def test_console_exits_with_main_s_status(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: object,
    code: int,
    stderr: str,
) -> None:
    def main() -> None:
        sys.exit(raised)

    left: list[int] = []

    def leave(status: int) -> None:
        left.append(status)
        raise SystemExit(status)  # stands in for os._exit, which would end pytest

    monkeypatch.setattr(entry, "main", main)
    monkeypatch.setattr(entry.os, "_exit", leave)
    monkeypatch.delitem(sys.modules, "multiprocessing", raising=False)
    with pytest.raises(SystemExit):
        entry.console()
    assert left == [code]
    assert capsys.readouterr().err == stderr


def test_console_leaves_the_normal_way_while_another_thread_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    left: list[int] = []
    monkeypatch.setattr(entry, "main", lambda: None)
    monkeypatch.setattr(entry.os, "_exit", left.append)
    try:
        with pytest.raises(SystemExit) as stop:
            entry.console()
    finally:
        release.set()
        worker.join()
    assert stop.value.code == 0
    assert left == []
