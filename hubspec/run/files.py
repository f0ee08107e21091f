"""The one reader and the one atomic writer, and buildspec discovery.

Writing (`write_atomic`) is the only place hubspec changes a user's file. It never leaves a
partial file: the new text goes to a temporary file beside the target, is fsynced, and is
renamed over the target, so at every instant the file holds the old text or the new text.
Before renaming it checks, under an advisory lock that parallel hubspec runs share, that the
file still holds the bytes hubspec read. What it refuses, and why, is in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from hubspec.records import record

try:  # POSIX only; elsewhere writes are still atomic, only parallel runs are not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".terraform",
        ".aws-sam",
    }
)
BUILDSPEC_NAME = re.compile(r"buildspec.*\.ya?ml$", re.IGNORECASE)
YAML_NAME = re.compile(r".*\.ya?ml$", re.IGNORECASE)
_TOP_KEY = re.compile(rb"^(version|phases)\s*:", re.MULTILINE)
MAX_REFERENCED_BYTES = 1024 * 1024
MAX_INPUT_BYTES = 256 * 1024
MAX_HOST_BYTES = 16 * 1024 * 1024
"""Read at most this much of a template or Terraform file (the hosts reader refuses more)."""
HOST_NAME = re.compile(r".*\.(tf|json|template|ya?ml)$", re.IGNORECASE)

TEMP_SUFFIX = ".hubspec-tmp"
"""Temporary files are `.<name>.<pid>.<random>.hubspec-tmp` beside the file they replace."""
STALE_TEMP_SECONDS = 3600
"""A temporary file whose writer is gone, or that is older than this, is removed."""
LOCK_TIMEOUT_SECONDS = 30.0
"""How long a write waits for another hubspec process writing the same file."""
_TEMP_NAME = re.compile(r"^\..+?\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")
_MAX_PREFIX_NAME = 120
_REOPEN_ATTEMPTS = 50


class PathError(Exception):
    """A path given on the command line that cannot be linted (usage error, exit 2)."""


@record
class Target:
    """A file to lint: where it is on disk and how to name it in reports."""

    path: Path
    display: str
    named: bool = False
    """Given on the command line itself, not found in a folder given there."""
    link: bool | None = None
    """Whether the path itself is a symlink, when discovery knows (it saves a system call)."""


def discover(paths: list[str]) -> list[Target]:
    """Expand command-line paths into buildspec files, in a stable order, each file once.

    A file both named and found in a named folder (`hubspec lint . ci/buildspec.yml`) is
    linted once, where it first comes, and counts as named.
    """
    targets: list[Target] = []
    where: dict[str, int] = {}  # by the path's normal form: str(Path) is Path equality here
    for raw in paths:
        path = Path(raw)
        key = str(path)
        try:
            mode = os.lstat(key).st_mode
            link = stat.S_ISLNK(mode)
            if link:
                mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise PathError(f"{raw}: no such file or directory") from None
        except OSError as error:
            raise PathError(f"{raw}: cannot be read ({error.strerror})") from None
        if stat.S_ISDIR(mode):
            for found, found_link in _walk(path):
                shown = str(found)
                if shown not in where:
                    where[shown] = len(targets)
                    targets.append(Target(found, shown, link=found_link))
        elif not stat.S_ISREG(mode):
            raise PathError(f"{raw}: not a regular file or directory")
        elif key not in where:
            where[key] = len(targets)
            targets.append(Target(path, raw, True, link))
        else:
            index = where[key]
            targets[index] = Target(path, targets[index].display, True, link)
    return targets


def _walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """The buildspecs under `root` in os.walk's order, each with whether it is a symlink: a
    folder's files, then its subfolders, each sorted by name; a symlinked folder is not
    entered.

    Listing with scandir keeps each entry's file type, so a plain file costs no stat; that
    matters over thousands of files.
    """
    ignored = _gitignored_dirs(root)
    pending = [os.fspath(root)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            continue
        folders: list[str] = []
        candidates: list[os.DirEntry[str]] = []
        for entry in entries:
            name = entry.name
            if _entry_is(entry.is_dir):
                if (
                    name not in SKIPPED_DIRS
                    and not entry.is_symlink()
                    and not (ignored and Path(entry.path).resolve() in ignored)
                ):
                    folders.append(name)
            elif BUILDSPEC_NAME.match(name) or HOST_NAME.match(name):
                candidates.append(entry)
        candidates.sort(key=lambda entry: entry.name)
        for entry in candidates:
            # A FIFO, socket or device is skipped (opening a FIFO blocks); a symlink counts
            # as what it points to, and a dangling one is skipped.
            if not _entry_is(entry.is_file):
                continue
            path = Path(entry.path)
            if BUILDSPEC_NAME.match(entry.name) or _looks_like_lintable(path):
                yield path, entry.is_symlink()
        folders.sort(reverse=True)
        pending.extend(os.path.join(directory, name) for name in folders)


def _entry_is(test: Callable[[], bool]) -> bool:
    """A DirEntry type test (following symlinks) that counts an unreadable entry as no."""
    try:
        return test()
    except OSError:
        return False


def _gitignored_dirs(root: Path) -> set[Path]:
    """Directories named in a root .gitignore as plain names (a small, safe subset)."""
    ignore_file = root / ".gitignore"
    found: set[Path] = set()
    try:
        lines = read_bytes(ignore_file, 1024 * 1024).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        entry = line.strip().rstrip("/")
        if entry and not entry.startswith(("#", "!")) and not any(c in entry for c in "*?["):
            found.add((root / entry.lstrip("/")).resolve())
    return found


def is_host_name(name: str) -> bool:
    """A name a template or Terraform file may have (its content decides: `host_kind`)."""
    return HOST_NAME.match(name) is not None


def _looks_like_lintable(path: Path) -> bool:
    """A YAML file whose top level has both `version` and `phases`, as the AWS toolkits
    judge; or a host file: a template holding a CodeBuild project (or any CloudFormation
    template) and a Terraform file declaring `aws_codebuild_project`."""
    try:
        head = read_bytes(path, 64 * 1024 - 1)
    except OSError:
        return False
    from hubspec.hosts.kind import declares_projects, host_kind

    text = head.decode("utf-8", errors="replace")
    kind = host_kind(str(path), text)
    if kind is not None:
        return declares_projects(kind, text)
    if not YAML_NAME.match(path.name):
        return False
    keys = {match.group(1) for match in _TOP_KEY.finditer(head)}
    return keys == {b"version", b"phases"}


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a regular file's bytes; with a limit, read at most limit + 1 so oversize shows.

    The file is opened without blocking and must be a regular file (after following
    symlinks): a FIFO or device raises OSError instead of hanging or reading forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        size = status.st_size
        if limit is None or size <= limit:
            # One read of one byte more than fstat's size: a short read of a regular file is
            # its end, so most files take one call (a file that grew is read again below).
            data = os.read(fd, size + 1)
            if len(data) <= size:
                return data
        return _read_fd(fd, limit, size_hint=size)
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int | None, offset: int = 0, size_hint: int = 0) -> bytes:
    """Read to the end or to `limit` + 1 bytes. The first read asks for one byte more than
    `size_hint` (the size fstat gave), so a file that did not grow is read in two calls
    without a megabyte buffer being allocated for it."""
    chunks: list[bytes] = []
    total = 0
    wanted = None if limit is None else limit + 1
    os.lseek(fd, offset, os.SEEK_SET)
    step = max(size_hint - offset + 1, 4096)
    while wanted is None or total < wanted:
        size = min(step, 1024 * 1024) if wanted is None else min(step, 1024 * 1024, wanted - total)
        step = 1024 * 1024
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_referenced(path: Path) -> str | None:
    """Text of a file a build refers to (Dockerfile, compose file), or None if unreadable."""
    try:
        data = read_bytes(path, MAX_REFERENCED_BYTES)
    except OSError:
        return None
    if len(data) > MAX_REFERENCED_BYTES:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


class WriteConflict(Exception):
    """The file changed on disk after it was read; it is left as it is."""


class WriteFailed(OSError):
    """The file was not written and is unchanged; `strerror` says why in words.

    A subclass of OSError (keeping the errno of the cause) so that callers handling
    OSError report it; `str()` is a complete message that names the file.
    """

    def __str__(self) -> str:
        return f"{self.filename}: not written ({self.strerror}); the file is unchanged"


def _failed(path: Path, error: OSError | int, what: str) -> WriteFailed:
    if isinstance(error, OSError):
        code = error.errno or errno.EIO
        cause = error.strerror or str(error)
        reason = f"{cause} {what}" if what else cause
    else:
        code, reason = error, what
    return WriteFailed(code, reason, str(path))


def write_atomic(path: Path, data: bytes, expected_old: bytes | None = None) -> None:
    """Replace a file's content atomically; the file holds the old or the new bytes, never a mix.

    - A symlink is followed: its target is replaced and the link stays a link.
    - The mode, owner and group are kept; a file that cannot keep them is not written.
    - With `expected_old`, the bytes on disk must still be those (else WriteConflict); if
      they already are `data` (a parallel run wrote the same fix), nothing is written.
    - Refused, unchanged (WriteFailed): a file with more than one hard link (replacing it
      would leave the other names with the old text), a read-only file, a file this user
      may not write, a directory where no temporary file can be created.
    - I/O errors (disk full, EIO on write or fsync, rename failures) raise WriteFailed; the
      temporary file is removed and the target is unchanged.
    - Temporary files left by a killed run (`.<name>.<pid>.*.hubspec-tmp` whose process is
      gone, or older than an hour) are removed from the directory before writing.
    """
    try:
        target = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        raise _gone(path) from None
    except OSError as error:
        raise _failed(path, error, "while following the path to the file") from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_REOPEN_ATTEMPTS):
        try:
            fd = os.open(target, flags)
        except FileNotFoundError:
            raise _gone(path) from None
        except OSError as error:
            raise _failed(path, error, "while opening the file to check it") from None
        try:
            if not _lock(fd, target, path):
                continue  # the file was replaced while waiting for the lock: open the new one
            _write_locked(path, target, fd, data, expected_old)
            return
        finally:
            os.close(fd)  # also releases the lock
    raise WriteConflict(
        f"{path}: kept being replaced by other programs while hubspec waited to write it;"
        " not written"
    )


def _lock(fd: int, target: Path, path: Path) -> bool:
    """Take the advisory lock parallel hubspec runs share; False if the file was replaced."""
    if fcntl is not None:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteConflict(
                        f"{path}: another process held a lock on the file for"
                        f" {LOCK_TIMEOUT_SECONDS:g} s; not written, the file is unchanged"
                    ) from None
                time.sleep(0.01)
            except OSError:
                break  # no flock here (some network file systems): go on without the lock
    try:
        now = os.stat(target)
    except OSError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _write_locked(
    path: Path, target: Path, fd: int, data: bytes, expected_old: bytes | None
) -> None:
    info = os.fstat(fd)
    _refuse_unsafe(path, info)
    cap = max(len(data), len(expected_old or b"")) + 1
    try:
        current = _read_fd(fd, cap)
    except OSError as error:
        raise _failed(path, error, "while reading the file to check it") from None
    if current == data:
        return  # already the new text (a parallel run wrote the same fix)
    if expected_old is not None and current != expected_old:
        raise _conflict(path)
    _remove_stale_temps(target.parent)
    temp = _create_temp(path, target)
    try:
        _fill_temp(path, temp, data, info)
        # The last check before the rename: still the same file, still the bytes read.
        try:
            now = os.stat(target)
        except FileNotFoundError:
            raise _gone(path) from None
        except OSError as error:
            raise _failed(path, error, "while checking the file before replacing it") from None
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino) or (
            expected_old is not None and _read_fd(fd, cap) != expected_old
        ):
            raise _conflict(path)
        try:
            os.replace(temp, target)
        except OSError as error:
            raise _failed(path, error, "while renaming the new text over the file") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(target.parent)


def _gone(path: Path) -> WriteConflict:
    return WriteConflict(
        f"{path}: was removed or renamed after hubspec read it; not written, nothing was created"
    )


def _conflict(path: Path) -> WriteConflict:
    return WriteConflict(
        f"{path}: changed on disk after hubspec read it (another program or hubspec run"
        " edited it); not written, so that change is kept; run hubspec fix again"
    )


def _refuse_unsafe(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise _failed(path, errno.EINVAL, "it is not a regular file")
    if info.st_nlink > 1:
        raise _failed(
            path,
            errno.EMLINK,
            f"it has {info.st_nlink} hard links, and replacing it would leave the other names"
            " with the old text; apply the output of `hubspec fix --diff` by hand, or break the"
            " link with `cp FILE FILE.new && mv FILE.new FILE` and fix it again",
        )
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        raise _failed(
            path,
            errno.EACCES,
            f"it is read-only, mode {mode:04o}; make it writable if it should be fixed",
        )
    if not os.access(path, os.W_OK):
        raise _failed(
            path,
            errno.EACCES,
            "Permission denied: this user may not write the file, or it is on a read-only"
            " file system",
        )


def _create_temp(path: Path, target: Path) -> str:
    name = target.name if len(target.name) <= _MAX_PREFIX_NAME else target.name[:_MAX_PREFIX_NAME]
    try:
        import tempfile  # only writers need it (and shutil, random... that it imports)

        fd, temp = tempfile.mkstemp(
            prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as error:
        raise _failed(
            path,
            error,
            f"while creating a temporary file in {target.parent}: hubspec writes the new text"
            " beside the file and renames it over the file, so the directory must be writable",
        ) from None
    os.close(fd)
    return temp


def _fill_temp(path: Path, temp: str, data: bytes, info: os.stat_result) -> None:
    """Write, chown, chmod and fsync the temporary file; any failure leaves the target as is."""
    try:
        fd = os.open(temp, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise _failed(path, error, "while opening the temporary file") from None
    try:
        view = memoryview(data)
        while view:
            try:
                written = os.write(fd, view)
            except OSError as error:
                raise _failed(
                    path, error, "while writing the new text to a temporary file"
                ) from None
            if written <= 0:
                raise _failed(path, errno.EIO, "the new text could not be written")
            view = view[written:]
        if hasattr(os, "fchown"):
            own = os.fstat(fd)
            if (own.st_uid, own.st_gid) != (info.st_uid, info.st_gid):
                try:
                    os.fchown(fd, info.st_uid, info.st_gid)
                except OSError as error:
                    raise _failed(
                        path,
                        error,
                        f"while giving the new file the owner of the old one, uid {info.st_uid}"
                        f" gid {info.st_gid}; fix it as that user",
                    ) from None
        try:
            os.chmod(temp, stat.S_IMODE(info.st_mode))
        except OSError as error:
            raise _failed(path, error, "while setting the file mode") from None
        try:
            os.fsync(fd)
        except OSError as error:
            raise _failed(path, error, "while flushing the new text to disk") from None
    finally:
        os.close(fd)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable; the file is already replaced, so failures are not errors."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def stale_temps(directory: Path) -> list[Path]:
    """Temporary files in `directory` left by hubspec runs that are gone (killed mid-write)."""
    found: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return found
    now = time.time()
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None:
            continue
        candidate = directory / name
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        pid = match.group("pid")
        old = now - info.st_mtime > STALE_TEMP_SECONDS
        if old or (pid is not None and not _process_alive(int(pid))):
            found.append(candidate)
    return found


def _remove_stale_temps(directory: Path) -> None:
    for candidate in stale_temps(directory):
        with contextlib.suppress(OSError):
            os.unlink(candidate)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True  # elsewhere os.kill(pid, 0) is not a harmless probe: rely on age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def write_new(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write a file hubspec creates (a report, a baseline, `hubspec init`), atomically.

    Without `overwrite` an existing file is never replaced (O_EXCL on a temporary name is
    not enough: the final link must not exist either).
    """
    if path.exists() and not overwrite:
        raise FileExistsError(errno.EEXIST, "file exists", str(path))
    if path.exists():
        try:
            write_atomic(path, data)
            return
        except WriteConflict as conflict:
            if path.exists() or path.is_symlink():
                reason = str(conflict).removeprefix(f"{path}: ")
                raise WriteFailed(errno.EBUSY, reason, str(path)) from None
            # removed meanwhile: create it below
    directory = path.parent if str(path.parent) else Path(".")
    name = path.name[:_MAX_PREFIX_NAME]
    import tempfile

    fd, temp_name = tempfile.mkstemp(
        prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644 & ~_umask())
        if overwrite:
            os.replace(temp_name, path)
        else:
            os.link(temp_name, path)
            os.unlink(temp_name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


T = TypeVar("T")


def first_upward(
    directory: str,
    answer: Callable[[str], T | None],
    known: dict[str, T | None],
    stop: Callable[[str], bool] | None = None,
) -> T | None:
    """The first answer from `directory` upwards: `answer(folder)` for each folder until one
    answers, the top of the file system, or a folder where `stop` holds. Every folder visited
    keeps the result in `known`, so paths that share parents walk them once."""
    visited: list[str] = []
    found: T | None = None
    while True:
        if directory in known:
            found = known[directory]
            break
        visited.append(directory)
        found = answer(directory)
        if found is not None:
            break
        parent = os.path.dirname(directory)
        if parent == directory or (stop is not None and stop(directory)):
            break
        directory = parent
    known.update(dict.fromkeys(visited, found))
    return found
