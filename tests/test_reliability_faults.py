"""Faults while `hubspec fix` writes a file: each is injected, and each leaves the file intact.

For every fault the test checks the bytes on disk (exactly the old text, or exactly the new
text), that no temporary file is left behind, and that the message names the file and says
what happened. Faults: disk full and I/O errors on write, fsync and rename; a directory where
no temporary file can be made; read-only and unwritable files; an owner that cannot be kept;
the file edited, replaced or removed by someone else between read and write; another process
holding the write lock; the process killed at each step of the write (and by SIGKILL from
outside); symlinks (the target is edited, the link stays); hard links (refused); FIFOs.
CI runs as root, so permission faults are simulated with monkeypatch where root would pass.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hubspec.cli.app import app
from hubspec.fix import fix_bytes
from hubspec.run import files
from hubspec.run.options import RunOptions
from hubspec.run.runner import fix_paths

OLD = b"version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
NEW = fix_bytes("buildspec.yml", OLD, source_root=Path("/nonexistent"), reader=lambda _: None)
assert NEW.new_data is not None
FIXED: bytes = NEW.new_data
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(OLD)
    return path


def temps(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(files.TEMP_SUFFIX))


def fix(path: Path) -> tuple[list[str], list[str]]:
    run = fix_paths(RunOptions(paths=[str(path)]), write=True)
    return run.written, run.errors


def assert_unchanged(path: Path, errors: list[str], *wanted: str) -> None:
    assert path.read_bytes() == OLD
    assert temps(path.parent) == []
    assert len(errors) == 1, errors
    message = errors[0]
    assert message.startswith(f"{path}:"), message
    for part in wanted:
        assert part in message, message


def _is_temp_fd(fd: int) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{fd}").endswith(files.TEMP_SUFFIX)
    except OSError:
        return False


def _is_dir_fd(fd: int) -> bool:
    try:
        return stat.S_ISDIR(os.fstat(fd).st_mode)
    except OSError:
        return False


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def fail_on(
    monkeypatch: pytest.MonkeyPatch, name: str, code: int, when: Callable[..., bool]
) -> None:
    """Make os.<name> raise OSError(code) when `when(*args)` holds; otherwise call the real one."""
    real = getattr(os, name)

    def fake(*args: Any, **kwargs: Any) -> Any:
        if when(*args):
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, fake)


# --- disk full and I/O errors -----------------------------------------------------------------


@needs_proc
@pytest.mark.parametrize(
    ("code", "text"), [(errno.ENOSPC, "No space left on device"), (errno.EIO, "Input/output error")]
)
def test_write_error(spec: Path, monkeypatch: pytest.MonkeyPatch, code: int, text: str) -> None:
    fail_on(monkeypatch, "write", code, lambda fd, *_: _is_temp_fd(fd))
    written, errors = fix(spec)
    assert written == []
    assert_unchanged(spec, errors, text, "not written", "the file is unchanged")


@needs_proc
def test_short_writes_then_disk_full(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that stores part of the text and then fails leaves no partial file."""
    real = os.write
    calls = {"n": 0}

    def fake(fd: int, data: Any) -> int:
        if _is_temp_fd(fd):
            calls["n"] += 1
            if calls["n"] > 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return int(real(fd, bytes(data)[:7]))
        return int(real(fd, data))

    monkeypatch.setattr(os, "write", fake)
    _, errors = fix(spec)
    assert calls["n"] == 2
    assert_unchanged(spec, errors, "No space left on device")


@needs_proc
@pytest.mark.parametrize("code", [errno.EIO, errno.ENOSPC, errno.EDQUOT])
def test_fsync_error(spec: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    fail_on(monkeypatch, "fsync", code, lambda fd: _is_temp_fd(fd))
    _, errors = fix(spec)
    assert_unchanged(spec, errors, os.strerror(code), "flushing")


def test_directory_fsync_error_after_rename(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once renamed the file holds the new text; a failing directory fsync is not an error."""
    fail_on(monkeypatch, "fsync", errno.EIO, _is_dir_fd)
    written, errors = fix(spec)
    assert (written, errors) == ([str(spec)], [])
    assert spec.read_bytes() == FIXED
    assert temps(spec.parent) == []


@pytest.mark.parametrize("code", [errno.EIO, errno.EACCES, errno.EXDEV, errno.EBUSY])
def test_rename_error(spec: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    fail_on(monkeypatch, "replace", code, lambda *_: True)
    _, errors = fix(spec)
    assert_unchanged(spec, errors, os.strerror(code), "renaming")


def test_chmod_error(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_on(monkeypatch, "chmod", errno.EPERM, lambda *_: True)
    _, errors = fix(spec)
    assert_unchanged(spec, errors, "Operation not permitted", "mode")


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_temporary_file_cannot_be_created(
    spec: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """A read-only directory (or file system, or a full one): mkstemp fails."""

    def fake(*_: Any, **__: Any) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", fake)
    _, errors = fix(spec)
    assert_unchanged(
        spec,
        errors,
        os.strerror(code),
        f"creating a temporary file in {spec.parent}",
        "the directory must be writable",
    )


@pytest.mark.skipif(ROOT, reason="root writes into read-only directories")
def test_read_only_directory(spec: Path) -> None:
    spec.parent.chmod(0o555)
    try:
        _, errors = fix(spec)
    finally:
        spec.parent.chmod(0o755)
    assert_unchanged(spec, errors, "Permission denied", "temporary file")


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_read_only_file_is_refused(spec: Path, mode: int) -> None:
    """os.replace would happily replace a read-only file; hubspec respects the mode instead."""
    spec.chmod(mode)
    _, errors = fix(spec)
    assert_unchanged(spec, errors, "read-only", f"{mode:04o}")
    assert stat.S_IMODE(spec.stat().st_mode) == mode


def test_file_this_user_may_not_write(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulates a non-root user and a file owned by someone else (root passes os.access)."""
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **kw: False if m == os.W_OK else real(p, m, **kw)
    )
    _, errors = fix(spec)
    assert_unchanged(spec, errors, "Permission denied", "may not write")


@pytest.mark.skipif(not ROOT, reason="needs root to hand the file to another user")
def test_owner_and_group_are_kept(spec: Path) -> None:
    os.chown(spec, 12345, 23456)
    spec.chmod(0o640)
    written, errors = fix(spec)
    assert (written, errors) == ([str(spec)], [])
    info = spec.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o640)
    assert spec.read_bytes() == FIXED


@needs_proc
def test_owner_that_cannot_be_kept_is_refused(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-root user fixing a group-writable file owned by someone else: chown fails."""
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        if _is_temp_fd(fd):
            return info
        fields = list(info)
        fields[4] = info.st_uid + 1  # st_uid of the target: another user
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat)
    fail_on(monkeypatch, "fchown", errno.EPERM, lambda *_: True)
    _, errors = fix(spec)
    assert_unchanged(spec, errors, "Operation not permitted", "owner")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755, 0o2755])
def test_mode_is_kept(spec: Path, mode: int) -> None:
    spec.chmod(mode)
    written, _ = fix(spec)
    assert written == [str(spec)]
    assert stat.S_IMODE(spec.stat().st_mode) == mode
    assert spec.read_bytes() == FIXED


# --- someone else changes the file ------------------------------------------------------------


def _edit_before_write(monkeypatch: pytest.MonkeyPatch, edit: Callable[[Path], None]) -> None:
    """Run `edit` after the runner read the file and before write_atomic looks at it."""
    real = files.write_atomic

    def write(path: Path, data: bytes, expected_old: bytes | None = None) -> None:
        edit(path)
        real(path, data, expected_old)

    monkeypatch.setattr(files, "write_atomic", write)


def _edit_while_writing(monkeypatch: pytest.MonkeyPatch, edit: Callable[[Path], None]) -> None:
    """Run `edit` while the temporary file is being filled (after the first check)."""
    real = files._fill_temp

    def fill(path: Path, temp: str, data: bytes, info: os.stat_result) -> None:
        real(path, temp, data, info)
        edit(path)

    monkeypatch.setattr(files, "_fill_temp", fill)


def _edit_in_place(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"# edited by someone else\n")


def _replace_like_an_editor(path: Path) -> None:
    other = path.with_name("editor-save.tmp")
    other.write_bytes(OLD + b"# edited by someone else\n")
    os.replace(other, path)


def _rewrite_same_size(path: Path) -> None:
    path.write_bytes(OLD.replace(b"node:20", b"node:22"))


@pytest.mark.parametrize("when", [_edit_before_write, _edit_while_writing])
@pytest.mark.parametrize("edit", [_edit_in_place, _replace_like_an_editor, _rewrite_same_size])
def test_concurrent_edit_is_kept(
    spec: Path,
    monkeypatch: pytest.MonkeyPatch,
    when: Callable[[pytest.MonkeyPatch, Callable[[Path], None]], None],
    edit: Callable[[Path], None],
) -> None:
    when(monkeypatch, edit)
    written, errors = fix(spec)
    assert written == []
    expected = OLD.replace(b"node:20", b"node:22") if edit is _rewrite_same_size else OLD
    if edit is not _rewrite_same_size:
        expected += b"# edited by someone else\n"
    assert spec.read_bytes() == expected  # the other change is kept, whole
    assert temps(spec.parent) == []
    assert len(errors) == 1
    assert errors[0].startswith(f"{spec}: changed on disk after hubspec read it")
    assert "not written" in errors[0]


def test_file_removed_before_write(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit_before_write(monkeypatch, lambda path: path.unlink())
    _, errors = fix(spec)
    assert not spec.exists()
    assert temps(spec.parent) == []
    assert errors == [
        f"{spec}: was removed or renamed after hubspec read it; not written, nothing was created"
    ]


def test_file_removed_while_writing(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit_while_writing(monkeypatch, lambda path: path.unlink())
    _, errors = fix(spec)
    assert not spec.exists()
    assert temps(spec.parent) == []
    assert "was removed or renamed" in errors[0]


def test_same_fix_already_written_by_a_parallel_run(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs fix the same file: the second finds the fix in place and writes nothing."""
    before = None

    def remember(path: Path) -> None:
        nonlocal before
        path.write_bytes(FIXED)
        before = path.stat().st_ino

    _edit_before_write(monkeypatch, remember)
    written, errors = fix(spec)
    assert (written, errors) == ([str(spec)], [])
    assert spec.read_bytes() == FIXED
    assert spec.stat().st_ino == before  # not replaced again


@pytest.mark.skipif(files.fcntl is None, reason="POSIX locks")
def test_lock_held_by_another_process(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "LOCK_TIMEOUT_SECONDS", 0.2)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(30)\n",
            str(spec),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"locked"
        _, errors = fix(spec)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert_unchanged(spec, errors, "another process held a lock")


@pytest.mark.skipif(files.fcntl is None, reason="POSIX locks")
def test_lock_is_waited_for(spec: Path) -> None:
    """A parallel run holding the lock briefly delays the write; it does not fail it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(2)\n",
            str(spec),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"locked"
        started = time.monotonic()
        written, errors = fix(spec)
        waited = time.monotonic() - started
    finally:
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert (written, errors) == ([str(spec)], [])
    assert spec.read_bytes() == FIXED
    assert waited > 1.0  # it waited for the lock (fixing alone takes well under 1 s)


# --- links and special files ------------------------------------------------------------------


def test_symlink_target_is_edited_and_link_stays(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "buildspec.yml"
    target.write_bytes(OLD)
    target.chmod(0o640)
    link = tmp_path / "buildspec.yml"
    link.symlink_to(Path("real") / "buildspec.yml")
    chain = tmp_path / "ci-buildspec.yml"
    chain.symlink_to("buildspec.yml")
    written, errors = fix(chain)
    assert (written, errors) == ([str(chain)], [])
    assert chain.is_symlink() and os.readlink(chain) == "buildspec.yml"
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "buildspec.yml")
    assert target.read_bytes() == FIXED and not target.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert temps(tmp_path) == [] and temps(real_dir) == []


def test_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "buildspec.yml"
    loop.symlink_to("buildspec.yml")
    with pytest.raises(files.WriteFailed) as raised:
        files.write_atomic(loop, FIXED, expected_old=OLD)
    assert str(raised.value).startswith(f"{loop}: not written (")
    assert loop.is_symlink()


def test_hard_link_is_refused(spec: Path) -> None:
    other = spec.with_name("other-name.yml")
    os.link(spec, other)
    written, errors = fix(spec)
    assert written == []
    assert_unchanged(spec, errors, "2 hard links", "the other names with the old text")
    assert other.read_bytes() == OLD
    assert os.stat(spec).st_ino == os.stat(other).st_ino  # still one file


def test_hard_link_refusal_through_the_cli(spec: Path) -> None:
    os.link(spec, spec.with_name("twin.yml"))
    result = CliRunner().invoke(app, ["fix", str(spec)])
    assert result.exit_code == 1
    assert f"hubspec: error: {spec}: not written (it has 2 hard links" in result.output
    assert "Traceback" not in result.output
    assert spec.read_bytes() == OLD


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_never_opened_for_writing(tmp_path: Path) -> None:
    fifo = tmp_path / "buildspec.yml"
    os.mkfifo(fifo)
    with pytest.raises(files.WriteFailed, match="not a regular file"):
        files.write_atomic(fifo, FIXED)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_a_searched_directory_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "buildspec.yml")
    os.mkfifo(tmp_path / "other.yml")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "buildspec.yml").write_bytes(OLD)
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", "--format", "concise", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "real/buildspec.yml:5:9: HS101" in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_message_for_disk_full(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_on(monkeypatch, "replace", errno.ENOSPC, lambda *_: True)
    result = CliRunner().invoke(app, ["fix", str(spec)])
    assert result.exit_code == 1
    assert (
        f"hubspec: error: {spec}: not written (No space left on device while renaming the new"
        " text over the file); the file is unchanged"
    ) in result.output
    assert spec.read_bytes() == OLD and temps(spec.parent) == []


# --- stale temporary files ----------------------------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporary_files_are_removed(spec: Path) -> None:
    directory = spec.parent
    dead = directory / f".buildspec.yml.{_dead_pid()}.abcd1234{files.TEMP_SUFFIX}"
    old_format = directory / f".buildspec.yml.zz9_xy12{files.TEMP_SUFFIX}"
    live = directory / f".other.yml.1.qqqq1111{files.TEMP_SUFFIX}"  # pid 1 is always alive
    fresh_unknown = directory / f".third.yml.yy8_ab34{files.TEMP_SUFFIX}"
    unrelated = directory / ".buildspec.yml.swp"
    for path in (dead, old_format, live, fresh_unknown, unrelated):
        path.write_bytes(OLD[:10])
    hour_ago = time.time() - files.STALE_TEMP_SECONDS - 60
    os.utime(old_format, (hour_ago, hour_ago))
    assert set(files.stale_temps(directory)) == {dead, old_format}
    written, errors = fix(spec)
    assert (written, errors) == ([str(spec)], [])
    assert temps(directory) == sorted([live.name, fresh_unknown.name])
    assert unrelated.exists()


def test_temporary_files_are_not_buildspecs(spec: Path) -> None:
    (spec.parent / f".buildspec.yml.1.abcd{files.TEMP_SUFFIX}").write_bytes(OLD)
    assert [target.path for target in files.discover([str(spec.parent)])] == [spec]


# --- killed at each step of the write -------------------------------------------------------------

KILLER = textwrap.dedent(
    """
    import os, stat, sys

    point = sys.argv[1]
    real = {name: getattr(os, name) for name in ("write", "fsync", "replace")}

    def is_temp(fd):
        try:
            return os.readlink(f"/proc/self/fd/{fd}").endswith(".hubspec-tmp")
        except OSError:
            return False

    def write(fd, data):
        if is_temp(fd):
            if point == "before-write":
                os._exit(9)
            if point == "mid-write":
                real["write"](fd, bytes(data)[: len(data) // 2])
                os._exit(9)
        return real["write"](fd, data)

    def fsync(fd):
        directory = stat.S_ISDIR(os.fstat(fd).st_mode)
        if point == "before-fsync" and not directory:
            os._exit(9)
        if point == "dir-fsync" and directory:
            os._exit(9)
        return real["fsync"](fd)

    def replace(src, dst, **kwargs):
        if point == "before-rename":
            os._exit(9)
        real["replace"](src, dst, **kwargs)
        if point == "after-rename":
            os._exit(9)

    os.write, os.fsync, os.replace = write, fsync, replace
    sys.argv = ["hubspec", "fix", sys.argv[2]]
    from hubspec.entry import main
    main()
    """
)
POINTS = {
    "before-write": OLD,
    "mid-write": OLD,
    "before-fsync": OLD,
    "before-rename": OLD,
    "after-rename": FIXED,
    "dir-fsync": FIXED,
}


def _hubspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubspec", *args], capture_output=True, text=True, timeout=60
    )


@needs_proc
@pytest.mark.parametrize("point", sorted(POINTS))
def test_killed_during_write(spec: Path, point: str) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, point, str(spec)], capture_output=True, timeout=60
    )
    assert killed.returncode == 9, killed.stderr
    assert spec.read_bytes() == POINTS[point]  # old or new, never partial
    left = temps(spec.parent)
    assert len(left) == (1 if POINTS[point] == OLD else 0), left
    again = _hubspec("fix", str(spec))
    assert "Traceback" not in again.stderr
    assert spec.read_bytes() == FIXED
    assert temps(spec.parent) == []


@needs_proc
def test_sigkill_from_outside(spec: Path) -> None:
    """A real SIGKILL while the temporary file is open (fsync made slow to hit the window)."""
    marker = spec.with_name("marker")
    slow = textwrap.dedent(
        f"""
        import os, sys, time
        real = os.fsync
        def fsync(fd):
            if os.readlink(f"/proc/self/fd/{{fd}}").endswith(".hubspec-tmp"):
                open({str(marker)!r}, "w").close()
                time.sleep(60)
            return real(fd)
        os.fsync = fsync
        sys.argv = ["hubspec", "fix", {str(spec)!r}]
        from hubspec.entry import main
        main()
        """
    )
    process = subprocess.Popen([sys.executable, "-c", slow])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists()
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    marker.unlink()
    assert spec.read_bytes() == OLD
    assert len(temps(spec.parent)) == 1
    assert "Traceback" not in _hubspec("fix", str(spec)).stderr
    assert spec.read_bytes() == FIXED
    assert temps(spec.parent) == []


# --- files hubspec creates (hubspec init, --output, --write-baseline) ------------------------------


def test_write_new_creates_and_never_clobbers(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    files.write_new(path, b"one", overwrite=False)
    assert path.read_bytes() == b"one"
    with pytest.raises(FileExistsError):
        files.write_new(path, b"two", overwrite=False)
    files.write_new(path, b"three", overwrite=True)
    assert path.read_bytes() == b"three"
    assert temps(tmp_path) == []


def test_write_new_when_the_file_vanishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(b"old")
    real = files.write_atomic

    def vanish(target: Path, data: bytes, expected_old: bytes | None = None) -> None:
        target.unlink()
        real(target, data, expected_old)

    monkeypatch.setattr(files, "write_atomic", vanish)
    files.write_new(path, b"new", overwrite=True)
    assert path.read_bytes() == b"new"


def test_write_new_failure_is_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(b"old")
    path.chmod(0o444)
    with pytest.raises(OSError, match="read-only"):
        files.write_new(path, b"new", overwrite=True)
    assert path.read_bytes() == b"old"
