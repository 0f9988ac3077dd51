"""store: attempt file names, the one lock helper, and the one record writer."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from interviewer.adapters import store
from interviewer.core.records import Attempt
from interviewer.errors import InterviewerError

STEM = "01-failed-at-work.attempt-20261129-120000"


@pytest.mark.parametrize(
    "name", [f"{STEM}.json", f"{STEM}.md", f"{STEM}.flac", f"{STEM}.follow-up.wav"]
)
def test_every_file_of_an_attempt_names_its_record(name: str) -> None:
    assert store.record_name(name) == f"{STEM}.json"
    story, when = store.name_parts(name)
    assert story == "01-failed-at-work" and when is not None
    assert when.replace(tzinfo=None) == datetime(2026, 11, 29, 12, 0, 0)


def test_a_file_that_is_no_attempt() -> None:
    assert store.record_name("notes.json") is None
    with pytest.raises(InterviewerError, match="is not an attempt file"):
        store.find_attempt(Path("."), "notes.json")


def test_find_attempt_looks_in_each_folder_of_the_bank(tmp_path: Path) -> None:
    folder = tmp_path / "ownership"
    folder.mkdir()
    (folder / f"{STEM}.json").write_text("{}")
    assert store.find_attempt(tmp_path, f"{STEM}.md") == folder / f"{STEM}.json"
    orphan = folder / "02-x.attempt-20261129-130000.wav"
    orphan.write_bytes(b"")  # a recording without a record is a take too
    assert store.find_attempt(tmp_path, str(orphan)) == orphan.with_suffix(".json")
    with pytest.raises(InterviewerError, match="attempt not found"):
        store.find_attempt(tmp_path, "01-x.attempt-20200101-000000.json")


def test_a_held_take_is_busy_and_cannot_be_claimed(tmp_path: Path) -> None:
    record = tmp_path / f"{STEM}.json"
    audio = record.with_suffix(".wav")
    files = store.files_for(record)
    data = {"format_version": store.FORMAT_VERSION, "status": store.UNFINISHED, "audio": audio.name}
    assert not store.is_busy(record)  # no file yet
    with store.Take.begin(files, data):
        assert store.is_busy(record)
        assert store.Take.claim(record, audio) is None
    assert not store.is_busy(record)
    take = store.Take.claim(record, audio)
    assert take is not None
    with take:
        assert store.is_busy(record)
    assert store.load_attempt(record).unfinished


def test_a_rewrite_saves_the_record_without_what_loading_adds(tmp_path: Path) -> None:
    record = tmp_path / f"{STEM}.json"
    saved = {"format_version": 2, "status": "ok", "question_id": "01", "created_at": ""}
    record.write_text(json.dumps(saved))
    loaded = store.load_record(record)
    assert loaded["path"] == str(record)
    store.save_record(store.files_for(record), loaded, "# md\n", rewrite=True)
    again = json.loads(record.read_text())
    assert "path" not in again and again["status"] == "ok"
    assert record.with_suffix(".md").read_text() == "# md\n"
    attempt = store.load_attempt(record)
    store.save_record(
        store.files_for(record), attempt.with_(status="no speech detected"), "# md\n", rewrite=True
    )
    assert json.loads(record.read_text())["status"] == "no speech detected"
    assert store.record_text(attempt) == store.record_text(Attempt.from_json(again))
