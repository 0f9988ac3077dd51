"""Atomic file writes: a temporary file in the target folder, then a rename or a link.

User data (recordings, transcripts) is never overwritten: with `replace=False` the final step
is `os.link`, which fails if the name is taken, so even a race cannot clobber an attempt.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE = 0o600


def write_bytes_atomic(path: Path, data: bytes, replace: bool = False, mode: int = PRIVATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # raises FileExistsError rather than overwrite
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_text_atomic(path: Path, text: str, replace: bool = False, mode: int = PRIVATE) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), replace=replace, mode=mode)


def unique_path(folder: Path, stem: str, suffixes: tuple[str, ...]) -> str:
    """A stem not yet used by any file `stem + suffix`, adding -2, -3 ... when needed."""
    candidate, n = stem, 1
    while any((folder / f"{candidate}{s}").exists() for s in suffixes):
        n += 1
        candidate = f"{stem}-{n}"
    return candidate
