"""Atomic file writes: a temporary file in the target folder, then a link or a rename.

User data (recordings, transcripts) is never overwritten: with `replace=False` the final step
is `os.link`, which fails if the name is taken, so even a race cannot clobber an attempt.
Files are created user-only (0o600): attempts are private.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from interviewer.errors import InterviewerError

PRIVATE = 0o600
DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
NO_WRITE_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


class StorageError(InterviewerError):
    """A write the file system refused (full, read-only, no permission): the user can fix it.

    `disk_full` lets callers that keep a half-finished take say what was kept."""

    def __init__(self, what: str, hint: str, disk_full: bool = False) -> None:
        super().__init__(what, hint)
        self.disk_full = disk_full


def is_storage_fault(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS + NO_WRITE_ERRNOS


def storage_error(exc: OSError, path: Path, hint: str = "") -> StorageError:
    """One line for a write the file system refused: which folder, and what to do."""
    folder = Path(path).parent
    if exc.errno in DISK_FULL_ERRNOS:
        return StorageError(
            f"disk full: cannot write {path}",
            hint or f"free some space on the disk that holds {folder}",
            disk_full=True,
        )
    if exc.errno == errno.EROFS:
        return StorageError(
            f"cannot write to {folder}: read-only file system",
            hint
            or "the disk holding it is mounted read-only: remount it "
            "read-write, or pass --bank DIR with a folder on a writable disk",
        )
    return StorageError(
        f"cannot write to {folder}: permission denied",
        hint
        or f"make {folder} writable for your user (chmod u+w), or pass "
        "--bank DIR with a folder you can write to",
    )


@contextlib.contextmanager
def atomic_file(path: Path, replace: bool = False, mode: int = PRIVATE) -> Iterator[IO[bytes]]:
    """Yield a temp file beside `path`; when the block ends without error, publish it as
    `path`. Without `replace`, FileExistsError if `path` exists (before or meanwhile)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not replace and path.exists():
            raise FileExistsError(f"{path} already exists")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        if is_storage_fault(exc):
            raise storage_error(exc, path) from exc
        raise
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _link(tmp, path, mode)
        _fsync_dir(path.parent)
    except OSError as exc:
        # A full disk shows here (write, flush or fsync): the temporary file goes, the target
        # is as it was before, and the user is told what to do in one line.
        if is_storage_fault(exc):
            raise storage_error(exc, path) from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _link(tmp: Path, path: Path, mode: int) -> None:
    try:
        os.link(tmp, path)  # atomic, and raises FileExistsError rather than overwrite
    except FileExistsError:
        raise
    except OSError:
        # Filesystems without hard links: reserve the name exclusively, then replace our own
        # empty placeholder (the name can no longer belong to anyone else).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not supported everywhere (e.g. Windows)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes_atomic(path: Path, data: bytes, replace: bool = False, mode: int = PRIVATE) -> Path:
    with atomic_file(path, replace, mode) as handle:
        handle.write(data)
    return path


def write_text_atomic(path: Path, text: str, replace: bool = False, mode: int = PRIVATE) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), replace=replace, mode=mode)


def copy_atomic(src: Path, dst: Path) -> Path:
    """Copy `src` to a new file `dst` (FileExistsError if it exists), streaming."""
    with Path(src).open("rb") as source, atomic_file(dst) as handle:
        shutil.copyfileobj(source, handle)
    return dst


def unique_path(folder: Path, stem: str, suffixes: tuple[str, ...]) -> str:
    """A stem not yet used by any file `stem + suffix`, adding -2, -3 ... when needed."""
    candidate, n = stem, 1
    while any((folder / f"{candidate}{s}").exists() for s in suffixes):
        n += 1
        candidate = f"{stem}-{n}"
    return candidate
