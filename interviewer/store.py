"""Attempt files beside the reference story: audio, a Markdown transcript, a JSON record.

Names are `<story stem>.attempt-<YYYYmmdd-HHMMSS>` plus `.json`, `.md` and the audio's own
suffix; a clash within the same second takes `-2`, `-3`. Every write is atomic and none
replaces an existing file. `load_attempt` is the one place old formats are upgraded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from interviewer.errors import InterviewerError
from interviewer.fileio import copy_atomic, unique_path, write_bytes_atomic, write_text_atomic
from interviewer.models import Question

FORMAT_VERSION = 1
ATTEMPT_MARK = ".attempt-"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".webm", ".aac")


@dataclass(frozen=True)
class AttemptFiles:
    stem: Path  # folder / stem, without suffix
    audio: Path
    markdown: Path
    record: Path


def reserve(question: Question, audio_suffix: str, when: datetime | None = None) -> AttemptFiles:
    """Choose names for a new attempt that clash with nothing already saved."""
    when = when or datetime.now()
    folder = question.path.parent
    base = f"{question.path.stem}{ATTEMPT_MARK}{when:%Y%m%d-%H%M%S}"
    stem = unique_path(folder, base, (audio_suffix, ".md", ".json"))
    return AttemptFiles(
        folder / stem,
        folder / f"{stem}{audio_suffix}",
        folder / f"{stem}.md",
        folder / f"{stem}.json",
    )


def save_audio_copy(src: Path, dst: Path) -> Path:
    """Copy the answer audio atomically; refuses to replace an existing file."""
    return copy_atomic(src, dst)


def save_record(files: AttemptFiles, record: dict[str, Any], markdown: str) -> None:
    write_text_atomic(files.markdown, markdown)
    data = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(files.record, data.encode("utf-8"))


def load_attempt(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InterviewerError(f"cannot read attempt {path}: {exc}", "check the file") from exc
    if not isinstance(record, dict) or "format_version" not in record:
        raise InterviewerError(f"{path} is not an attempt record", "pick a .json attempt file")
    return upgrade(record, path)


def upgrade(record: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a record written by an older version up to FORMAT_VERSION."""
    version = record.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InterviewerError(
            f"{path} has format_version {version!r}; this version reads up to {FORMAT_VERSION}",
            "upgrade interviewer",
        )
    record.setdefault("feedback", [])
    record.setdefault("latency", {})
    record["path"] = str(path)
    return record


def attempts_for(question: Question) -> list[Path]:
    """JSON records of every attempt at this question, oldest first."""
    folder = question.path.parent
    return sorted(folder.glob(f"{question.path.stem}{ATTEMPT_MARK}*.json"))


def all_attempts(root: Path) -> list[Path]:
    return sorted(
        root.glob(f"*/*{ATTEMPT_MARK}*.json"), key=lambda p: p.name.split(ATTEMPT_MARK)[-1]
    )
