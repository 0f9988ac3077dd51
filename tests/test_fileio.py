"""Atomic, private, never-overwriting file writes, and one line for a disk that says no."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from interviewer.adapters import fileio
from interviewer.adapters.fileio import (
    StorageError,
    atomic_file,
    copy_atomic,
    is_storage_fault,
    storage_error,
    unique_path,
    write_bytes_atomic,
    write_text_atomic,
)
from interviewer.errors import InterviewerError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_race_cannot_overwrite(tmp_path: Path) -> None:
    """The name is free when writing starts but taken before publishing: the link refuses."""
    dst = tmp_path / "attempt.md"
    with pytest.raises(FileExistsError), atomic_file(dst) as f:
        f.write(b"ours")
        dst.write_text("theirs")  # another writer wins the race
    assert dst.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attempt.md"]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "x.txt") as f:
        f.write(b"partial")
        raise RuntimeError("disk on fire")
    assert list(tmp_path.iterdir()) == []


def test_text_and_copy(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "note.md", "héllo\n")
    assert (tmp_path / "note.md").read_text(encoding="utf-8") == "héllo\n"
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 7))  # more than one copy buffer
    copy_atomic(src, tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == src.read_bytes()
    assert _mode(tmp_path / "note.md") == _mode(tmp_path / "copy.bin") == 0o600


def test_an_existing_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("mine")
    with pytest.raises(FileExistsError):
        write_bytes_atomic(tmp_path / "a.json", b"new")
    assert (tmp_path / "a.json").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_replace_overwrites_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "index.json"
    target.write_text("old")
    write_text_atomic(target, "new", replace=True)
    assert target.read_text() == "new" and _mode(target) == 0o600
    write_bytes_atomic(target, b"shared", replace=True, mode=0o644)
    assert _mode(target) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_missing_folders_are_made(tmp_path: Path) -> None:
    path = write_text_atomic(tmp_path / "a" / "b" / "c.md", "x")
    assert path.read_text() == "x"


def test_without_hard_links_the_name_is_still_never_taken_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(fileio.os, "link", no_links)
    write_text_atomic(tmp_path / "a.md", "first")
    assert (tmp_path / "a.md").read_text() == "first" and _mode(tmp_path / "a.md") == 0o600
    with pytest.raises(FileExistsError), atomic_file(tmp_path / "b.md") as f:
        f.write(b"ours")
        (tmp_path / "b.md").write_text("theirs")
    assert (tmp_path / "b.md").read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md"]


def test_a_full_disk_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(StorageError) as err:
        write_text_atomic(tmp_path / "take.md", "words")
    assert err.value.disk_full
    assert err.value.what == f"disk full: cannot write {tmp_path / 'take.md'}"
    assert err.value.hint == f"free some space on the disk that holds {tmp_path}"
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fileio.tempfile, "mkstemp", read_only)
    with pytest.raises(StorageError) as err:
        write_text_atomic(tmp_path / "x.md", "words")
    assert err.value.what == f"cannot write to {tmp_path}: read-only file system"
    assert "--bank DIR" in err.value.hint and not err.value.disk_full


@pytest.mark.parametrize(
    ("code", "what", "disk_full"),
    [
        (errno.ENOSPC, "disk full: cannot write", True),
        (errno.EDQUOT, "disk full: cannot write", True),
        (errno.EFBIG, "disk full: cannot write", True),
        (errno.EROFS, "cannot write to", False),
        (errno.EACCES, "cannot write to", False),
        (errno.EPERM, "cannot write to", False),
    ],
)
def test_storage_errors(code: int, what: str, disk_full: bool) -> None:
    exc = OSError(code, os.strerror(code))
    assert is_storage_fault(exc)
    err = storage_error(exc, Path("/bank/q/a.wav"))
    assert isinstance(err, InterviewerError)
    assert err.what.startswith(what) and err.disk_full == disk_full and err.hint
    assert storage_error(exc, Path("/bank/q/a.wav"), "try later").hint == "try later"


def test_other_errors_are_not_storage_faults() -> None:
    assert not is_storage_fault(OSError(errno.ENOENT, "No such file"))
    assert not is_storage_fault(ValueError("x"))


def test_unique_path_counts_up_across_every_suffix(tmp_path: Path) -> None:
    assert unique_path(tmp_path, "take", (".wav", ".json")) == "take"
    (tmp_path / "take.json").write_text("")
    assert unique_path(tmp_path, "take", (".wav", ".json")) == "take-2"
    (tmp_path / "take-2.wav").write_text("")
    assert unique_path(tmp_path, "take", (".wav", ".json")) == "take-3"
