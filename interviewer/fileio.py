"""Atomic file writes: a temporary file in the target folder, then a link or a rename.

User data (recordings, transcripts) is never overwritten: with `replace=False` the final step
is `os.link`, which fails if the name is taken, so even a race cannot clobber an attempt.
Files are created user-only (0o600): attempts are private.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PRIVATE = 0o600


@contextlib.contextmanager
def atomic_file(path: Path, replace: bool = False, mode: int = PRIVATE) -> Iterator[IO[bytes]]:
    """Yield a temp file beside `path`; when the block ends without error, publish it as
    `path`. Without `replace`, FileExistsError if `path` exists (before or meanwhile)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace and path.exists():
        raise FileExistsError(f"{path} already exists")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    finally:
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
