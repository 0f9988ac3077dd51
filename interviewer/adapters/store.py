"""Attempt files beside the reference story: audio, a Markdown transcript, a JSON record.

Names are `<story stem>.attempt-<YYYYmmdd-HHMMSS>` plus `.json`, `.md` and the audio's own
suffix; a clash within the same second takes `-2`, `-3`. Every write is atomic and none
replaces an existing file, except a take's own placeholder. `load_attempt` is the one place
records are read, checked and upgraded.

A take never disappears: before its audio is written, a small placeholder record (status
"unfinished") is published under the record's name, and the process recording the take holds
an flock on it until the finished record replaces it. So every command sees the take; one
whose placeholder nobody holds was interrupted (kill -9, power cut, full disk) and is finished
by the next `practice` or `reanalyze`. Audio left by older versions with no record at all
(orphans) is listed the same way: `load_attempt` on its record name describes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from interviewer.adapters.fileio import (
    atomic_file,
    copy_atomic,
    unique_path,
    write_text_atomic,
)
from interviewer.core.models import FORMAT_VERSION as FORMAT_VERSION  # defined in the core
from interviewer.core.models import SPAN_LABELS, Question
from interviewer.core.records import Attempt
from interviewer.errors import InterviewerError

ATTEMPT_MARK = ".attempt-"
FOLLOW_UP_MARK = ".follow-up"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".webm", ".aac")
UNFINISHED = "unfinished"
FINISH_HINT = "run 'interviewer reanalyze' (or start 'interviewer practice') to finish it"
DAMAGED_HINT = "move it out of the bank folder or restore it from a backup; other takes are fine"


@dataclass(frozen=True)
class AttemptFiles:
    stem: Path  # folder / stem, without suffix
    audio: Path
    markdown: Path
    record: Path

    @property
    def follow_up(self) -> Path:
        return self.stem.with_name(f"{self.stem.name}{FOLLOW_UP_MARK}.wav")


def reserve(question: Question, audio_suffix: str, when: datetime | None = None) -> AttemptFiles:
    """Choose names for a new attempt that clash with nothing already saved."""
    when = when or datetime.now()
    folder = question.path.parent
    base = f"{question.path.stem}{ATTEMPT_MARK}{when:%Y%m%d-%H%M%S}"
    stem = unique_path(folder, base, (audio_suffix, ".md", ".json"))
    return files_for(folder / f"{stem}.json", audio_suffix)


def files_for(record: Path, audio_suffix: str = ".wav") -> AttemptFiles:
    stem = record.with_suffix("")
    return AttemptFiles(
        stem, stem.with_name(stem.name + audio_suffix), record.with_suffix(".md"), record
    )


def save_audio_copy(src: Path, dst: Path) -> Path:
    """Copy the answer audio atomically; refuses to replace an existing file."""
    return copy_atomic(src, dst)


# --- takes in progress ----------------------------------------------------------------------


def placeholder(
    question: Question, files: AttemptFiles, when: datetime, **extra: Any
) -> dict[str, Any]:
    """The record a take has until it is finished: enough to list it and to finish it."""
    return {
        "format_version": FORMAT_VERSION,
        "status": UNFINISHED,
        "question_id": question.id,
        "question": question.text,
        "principle": question.principle,
        "story_file": question.path.name,
        "created_at": when.astimezone().isoformat(timespec="seconds"),
        "audio": files.audio.name,
        **extra,
    }


class Take:
    """A take this process is recording or finishing: its placeholder record on disk, locked
    (flock, released by the kernel if the process dies) so other commands can tell a take in
    progress from an interrupted one."""

    def __init__(self, files: AttemptFiles) -> None:
        self.files = files
        self._lock: int | None = None

    @classmethod
    def begin(cls, files: AttemptFiles, record: dict[str, Any]) -> Take:
        take = cls(files)
        take.mark(record, replace=False)
        return take

    def mark(self, record: dict[str, Any], replace: bool = True) -> None:
        """Publish `record` as this take's placeholder, locked before anyone can see it."""
        data = record_text(record).encode("utf-8")
        lock = -1
        try:
            with atomic_file(self.files.record, replace=replace) as handle:
                handle.write(data)
                lock = os.dup(handle.fileno())  # the lock follows the inode when it is linked
                fcntl.flock(lock, fcntl.LOCK_EX)
        except BaseException:
            if lock >= 0:
                os.close(lock)
            raise
        self.release()
        self._lock = lock

    @classmethod
    def claim(cls, record: Path, audio: Path) -> Take | None:
        """Take over an interrupted take to finish it; None if another process holds it."""
        take = cls(files_for(record, audio.suffix))
        if not record.exists():  # an orphan: give it a placeholder, exclusively
            data = {"format_version": FORMAT_VERSION, "status": UNFINISHED, "audio": audio.name}
            try:
                take.mark(data, replace=False)
            except FileExistsError:
                return None
            return take
        fd = _try_lock(record, fcntl.LOCK_EX)
        if fd is None or fd < 0:
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(record).st_ino  # not replaced meanwhile
        except OSError:
            same = False
        if not same:
            os.close(fd)
            return None
        take._lock = fd
        return take

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Take:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _try_lock(record: Path, how: int) -> int | None:
    """Open `record` and flock it without waiting: the open descriptor holding the lock, -1
    if another process holds it, None if the file cannot be opened or locked."""
    try:
        fd = os.open(record, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return -1
    except OSError:
        os.close(fd)
        return None
    return fd


def is_busy(record: Path) -> bool:
    """True while a live process holds this take's placeholder (recording or finishing)."""
    fd = _try_lock(record, fcntl.LOCK_SH)
    if fd is not None and fd >= 0:
        os.close(fd)
    return fd == -1


def is_unfinished(record: dict[str, Any] | Attempt) -> bool:
    if isinstance(record, Attempt):
        return record.unfinished
    return record.get("status") == UNFINISHED


def is_finished(record: Path) -> bool:
    """True if this record file exists and is not a placeholder."""
    return record.exists() and not _is_placeholder(record)


# --- saving ---------------------------------------------------------------------------------


def record_text(record: dict[str, Any] | Attempt) -> str:
    """The record as saved: indented UTF-8 JSON and a final newline. Fields load_record adds
    (path, busy, audio_path, orphan) are never saved."""
    if isinstance(record, Attempt):
        data = record.to_json()
    else:
        data = {k: v for k, v in record.items() if k not in _RUNTIME_KEYS}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def save_record(
    files: AttemptFiles, record: dict[str, Any] | Attempt, markdown: str, rewrite: bool = False
) -> None:
    """Save a finished take. The record is the commit: it replaces the take's placeholder
    (never a finished record, unless `rewrite`: reanalyze), so after any failure the take is
    either finished or still a visible unfinished one; the Markdown, derived from it, is
    written first."""
    replace = files.record.exists()
    if not rewrite and is_finished(files.record):
        raise FileExistsError(f"{files.record} already exists")
    write_text_atomic(files.markdown, markdown, replace=True)
    data = record_text(record)
    try:
        write_text_atomic(files.record, data, replace=replace)
    except BaseException:
        # A placeholder stays: its Markdown would describe a record not there.
        if replace and not rewrite:
            with contextlib.suppress(OSError):
                files.markdown.unlink()
        raise


_RUNTIME_KEYS = Attempt._RUNTIME


def _is_placeholder(path: Path) -> bool:
    try:
        return is_unfinished(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return False


# --- reading and checking -------------------------------------------------------------------


def load_attempt(path: Path) -> Attempt:
    """Read, check and upgrade one record (see load_record) as an Attempt."""
    return Attempt.from_json(load_record(path))


def load_record(path: Path) -> dict[str, Any]:
    """Read, check and upgrade one record as plain JSON data, with `path` (and for an
    unfinished take `busy` and `audio_path`) added; a damaged one raises one line naming
    the file. Prefer load_attempt: this is for code that still edits records as dicts."""
    path = Path(path)
    if not path.exists():
        audio = orphan_audio(path)
        if audio is not None:
            return _orphan_record(path, audio)
    try:
        record = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constant)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, FileNotFoundError):
            raise InterviewerError(
                f"attempt not found: {path}", "'interviewer history' lists the saved attempts"
            ) from exc
        if isinstance(exc, PermissionError):
            raise InterviewerError(
                f"cannot read attempt {path}: permission denied",
                f"make it readable for your user (chmod u+r {path})",
            ) from exc
        raise InterviewerError(f"damaged attempt record {path}: {why}", DAMAGED_HINT) from exc
    if not isinstance(record, dict) or "format_version" not in record:
        raise InterviewerError(f"{path} is not an attempt record", "pick a .json attempt file")
    problem = check_record(record)
    if problem:
        raise InterviewerError(f"damaged attempt record {path}: {problem}", DAMAGED_HINT)
    record = upgrade(record, path)
    if is_unfinished(record):
        record["busy"] = is_busy(path)
        audio = path.parent / str(record.get("audio") or "")
        record["audio_path"] = str(audio)
    return record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def upgrade(record: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a record written by an older version up to FORMAT_VERSION."""
    version = record.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InterviewerError(
            f"{path} has format_version {version!r}; this version reads up to {FORMAT_VERSION}",
            "upgrade interviewer",
        )
    if version < 2:
        _spans_from_start_end(record)
    record["format_version"] = FORMAT_VERSION
    record.setdefault("feedback", [])
    record.setdefault("latency", {})
    record["path"] = str(path)
    return record


def _spans_from_start_end(record: dict[str, Any]) -> None:
    """Version 1 -> 2: each section said in one stretch, its start to its end (none if
    missing), with a confidence nobody measured (null: views show none)."""
    for s in record.get("sections", []):
        s.setdefault(
            "spans", [] if s.get("missing") else [{"start_s": s["start_s"], "end_s": s["end_s"]}]
        )
        s.setdefault("confidence", None)
        s.setdefault("reason", "")
    for s in (record.get("metrics") or {}).get("sections", {}).values():
        if "start_s" in s and "end_s" in s:
            s.setdefault(
                "spans",
                [] if s.get("missing") else [{"start_s": s["start_s"], "end_s": s["end_s"]}],
            )


class _Num:
    """A finite number (not a bool, not NaN)."""


NUM = _Num()


@dataclass(frozen=True)
class _Map:
    value: Any


@dataclass(frozen=True)
class _Req:
    spec: Any


@dataclass(frozen=True)
class _OneOf:
    specs: tuple[Any, ...]


_WORD = {
    "text": _Req(str),
    "start_s": _Req(NUM),
    "end_s": _Req(NUM),
    "probability": NUM,
    "label": str,
}
_SPAN = {"start_s": _Req(NUM), "end_s": _Req(NUM)}
_SECTION = {
    "label": _Req(_OneOf(SPAN_LABELS)),
    "start_s": _Req(NUM),
    "end_s": _Req(NUM),
    "duration_s": NUM,
    "share": NUM,
    "text": str,
    "missing": bool,
    "reason": str,
    "spans": [_SPAN],
    "confidence": _OneOf((NUM, None)),
}
_CHECK = {
    "name": _Req(str),
    "value": _Req(_OneOf((NUM, bool))),
    "target": _Req(str),
    "ok": _Req(bool),
    "message": str,
}
_METRICS = {
    "answer_s": NUM,
    "words": NUM,
    "wpm": NUM,
    "fillers_per_min": NUM,
    "hedges": NUM,
    "action_i": NUM,
    "action_we": NUM,
    "fillers": _Map(NUM),
    "sections": _Map(
        {
            "duration_s": NUM,
            "share": NUM,
            "words": NUM,
            "wpm": NUM,
            "missing": bool,
            "start_s": NUM,
            "end_s": NUM,
            "spans": [_SPAN],
        }
    ),
    "other_s": NUM,
    "checks": [_CHECK],
    "long_pauses": [
        {
            "start_s": _Req(NUM),
            "end_s": NUM,
            "duration_s": _Req(NUM),
            "section": _OneOf((str, None)),
        }
    ],
    "key_facts": [
        {"fact": _Req(str), "kind": str, "value": _Req(str), "section": str, "status": str}
    ],
    "filler_capture": {"coverage": NUM, "trust": str, "note": str},
}
RECORD_SCHEMA: dict[str, Any] = {
    "format_version": _Req(int),
    "status": str,
    "question_id": str,
    "question": str,
    "principle": str,
    "story_file": str,
    "created_at": str,
    "duration_s": NUM,
    "speech_s": NUM,
    "filler_capture_s": NUM,
    "model": str,
    "previous_model": str,
    "audio": str,
    "input": str,
    "ended_by": str,
    "source_audio": str,
    "reanalyzed_at": str,
    "words": [_WORD],
    "sections": [_SECTION],
    "metrics": _METRICS,
    "feedback": [str],
    "markers": [{"time_s": _Req(NUM), "label": _Req(str)}],
    "follow_ups": [
        {"question": str, "asked_for": str, "audio": str, "offset_s": NUM, "ended_by": str}
    ],
    "latency": _Map(NUM),
    "files": _Map(str),
}


def check_record(record: Any) -> str:
    """'' if the record has the shape every command relies on, else what is wrong and where."""
    return _check(record, RECORD_SCHEMA, "")


def _check(value: Any, spec: Any, where: str) -> str:
    here = where or "the record"
    if isinstance(spec, _OneOf):
        if any(
            value == s if isinstance(s, str) else not _check(value, s, where) for s in spec.specs
        ):
            return ""
        return f"{here} is {_short(value)}, which is not allowed there"
    if spec is None:
        return "" if value is None else f"{here} should be null"
    if spec is NUM:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return "" if ok and math.isfinite(value) else f"{here} is {_short(value)}, not a number"
    if isinstance(spec, type):
        ok = isinstance(value, spec) and not (spec is int and isinstance(value, bool))
        return "" if ok else f"{here} is {_short(value)}, not {_TYPE_NAMES[spec]}"
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{here} is {_short(value)}, not a list"
        return next(
            (p for i, item in enumerate(value) if (p := _check(item, spec[0], f"{where}[{i}]"))), ""
        )
    if isinstance(spec, _Map):
        if not isinstance(value, dict):
            return f"{here} is {_short(value)}, not an object"
        return next(
            (p for k, v in value.items() if (p := _check(v, spec.value, f"{where}.{k}"))), ""
        )
    if not isinstance(value, dict):
        return f"{here} is {_short(value)}, not an object"
    for key, sub in spec.items():
        required = isinstance(sub, _Req)
        sub = sub.spec if required else sub
        name = f"{where}.{key}" if where else key
        if key not in value:
            if required:
                return f"{name} is missing"
            continue
        problem = _check(value[key], sub, name)
        if problem:
            return problem
    return ""


_TYPE_NAMES = {str: "text", bool: "true/false", int: "a whole number", dict: "an object"}


def _short(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 30 else f"{type(value).__name__} {text[:27]}..."


# --- listing --------------------------------------------------------------------------------


def attempts_for(question: Question) -> list[Path]:
    """Record paths of every take at this question, oldest first; an orphan recording (no
    record) is listed by the record name it would have (see load_attempt)."""
    folder = question.path.parent
    return _takes(folder, f"{question.path.stem}{ATTEMPT_MARK}*")


def all_attempts(root: Path) -> list[Path]:
    paths = [p for folder in _folders(root) for p in _takes(folder, f"*{ATTEMPT_MARK}*")]
    return sorted(paths, key=lambda p: p.name.split(ATTEMPT_MARK)[-1])


def _folders(root: Path) -> Iterator[Path]:
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return
    yield from (p for p in entries if p.is_dir() and not p.name.startswith("."))


def _takes(folder: Path, pattern: str) -> list[Path]:
    records = set(folder.glob(f"{pattern}.json"))
    for audio in folder.glob(pattern):
        record = audio.with_suffix(".json")
        if audio.suffix.lower() in AUDIO_SUFFIXES and not _is_follow_up(audio):
            records.add(record)
    return sorted(records)


def _is_follow_up(audio: Path) -> bool:
    return audio.stem.endswith(FOLLOW_UP_MARK)


def orphan_audio(record: Path) -> Path | None:
    """The recording of a take that has no record file, if there is one."""
    for suffix in AUDIO_SUFFIXES:
        audio = record.with_suffix(suffix)
        if audio.is_file():
            return audio
    return None


def record_name(name: str) -> str | None:
    """The record's file name for any file of an attempt (its .json, .md, audio or follow-up
    recording): `<story>.attempt-<YYYYmmdd-HHMMSS>[-n].json`; None if not an attempt file."""
    base, mark, rest = name.partition(ATTEMPT_MARK)
    if not mark:
        return None
    return f"{base}{ATTEMPT_MARK}{rest.split('.')[0]}.json"


def name_parts(name: str) -> tuple[str, datetime | None]:
    """(story stem, local time of the take) from an attempt file name; None if unreadable."""
    story, _, rest = name.partition(ATTEMPT_MARK)
    try:
        return story, datetime.strptime(rest[:15], "%Y%m%d-%H%M%S").astimezone()
    except ValueError:
        return story, None


def find_attempt(root: Path, name: str) -> Path:
    """A path or bare name of any attempt file (.json, .md, audio) to its JSON record, looked
    for where the path says, then in each folder of the bank at `root`."""
    given = Path(name).expanduser()
    wanted = record_name(given.name)
    if wanted is None:
        raise InterviewerError(
            f"{name} is not an attempt file",
            "give a '<story>.attempt-<date>-<time>.json' file; 'interviewer history' lists them",
        )
    for path in [given.with_name(wanted), *root.glob(f"*/{wanted}")]:
        if path.is_file() or orphan_audio(path):  # a recording without a record is a take too
            return path
    raise InterviewerError(
        f"attempt not found: {name}", "'interviewer history' lists the saved attempts"
    )


def _orphan_record(path: Path, audio: Path) -> dict[str, Any]:
    story, created = name_parts(path.name)
    created_at = created.isoformat(timespec="seconds") if created else ""
    return {
        "format_version": FORMAT_VERSION,
        "status": UNFINISHED,
        "question_id": story,
        "created_at": created_at,
        "audio": audio.name,
        "orphan": True,
        "feedback": [],
        "latency": {},
        "path": str(path),
        "busy": False,
        "audio_path": str(audio),
    }


def readable(
    paths: Iterable[Path], warn: Callable[[str], object]
) -> Iterator[tuple[Path, Attempt]]:
    """Each record that can be read, warning once (one line naming the file) for each that
    cannot: one damaged file never stops a command."""
    for path in paths:
        try:
            yield path, load_attempt(path)
        except InterviewerError as exc:
            warn(f"Warning: skipped {exc}")
