"""reanalyze.py: attempts rebuilt from their words (or audio) through the session's analysis
and the store's writer; interrupted takes finished. Fakes from test_session; the sentence
encoder is real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer import reanalyze
from interviewer.adapters import store
from interviewer.adapters.bank import load_bank, load_coach_settings
from interviewer.errors import InterviewerError
from interviewer.session import practice_from_file
from tests.test_session import (
    ANSWER_01,
    CountingStore,
    Microphone,
    Speaker,
    Transcriber,
    question,
    records,
    session,
    transcript_of,
    write_wav,
)

OTHER = transcript_of(
    [
        ("I missed the release date because I trusted an estimate.", 0.6, 4.5),
        ("So I rebuilt the plan with the team and we shipped.", 5.0, 9.0),
    ],
    21.0,
    model="other",
)


def practised(tmp_path: Path) -> Path:
    """One attempt at 01, made from a file; its record's path."""
    q = question("01")
    audio = write_wav(tmp_path / "answer.wav", ANSWER_01)
    coach = load_coach_settings(q.path.parent)
    return practice_from_file(q, audio, Transcriber(ANSWER_01), Speaker(), coach).files.record


def questions() -> dict[str, object]:
    return {q.id: q for q in load_bank().questions}


def test_reanalysing_from_the_words_rewrites_through_the_store(tmp_path: Path) -> None:
    path = practised(tmp_path)
    first = json.loads(path.read_text())
    stores = CountingStore()
    line = reanalyze.reanalyze_attempt(
        path,
        questions(),
        load_coach_settings(load_bank().root),
        None,
        stores,  # type: ignore[arg-type]
    )
    assert line == f"{path.name.removesuffix('.json')}: unchanged"
    assert stores.rewrites == [path] and stores.saves == []
    again = json.loads(path.read_text())
    assert again["reanalyzed_at"] and again["format_version"] == store.FORMAT_VERSION
    assert "path" not in again  # added by load_attempt, never written
    assert again["words"] == first["words"] and again["sections"] == first["sections"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_reanalysing_with_a_transcriber_keeps_the_first_record_once(tmp_path: Path) -> None:
    path = practised(tmp_path)
    original = path.read_text()
    coach = load_coach_settings(load_bank().root)
    for _ in range(2):
        reanalyze.reanalyze_attempt(path, questions(), coach, Transcriber(OTHER))  # type: ignore[arg-type]
    record = json.loads(path.read_text())
    assert record["model"] == "other" and record["previous_model"] == "other"
    assert record["words"][0]["text"] == "I" and record["words"][1]["text"] == "missed"
    assert path.with_name(path.name + ".bak").read_text() == original


def test_reanalysing_a_question_no_longer_in_the_bank_names_it(tmp_path: Path) -> None:
    path = practised(tmp_path)
    with pytest.raises(InterviewerError, match="no longer in the bank"):
        reanalyze.reanalyze_attempt(path, {}, load_coach_settings(load_bank().root))


def test_run_reports_each_attempt_and_the_count(tmp_path: Path) -> None:
    practised(tmp_path)
    lines: list[str] = []
    assert reanalyze.run(load_bank(), None, None, log=lines.append) == 1
    assert lines[-1] == "1 of 1 attempts reanalysed" and lines[0].endswith(": unchanged")


def test_an_interrupted_take_is_finished_with_the_transcriber_given() -> None:
    q = question("01")
    session(Microphone(KeyboardInterrupt())).run([q])
    (kept,) = records(q)
    assert store.is_unfinished(kept)
    lines: list[str] = []
    fake = Transcriber(transcript_of([("so I", 0.5, 1.0)], 2.0))
    assert reanalyze.finish_unfinished(load_bank(), fake, lines.append) == 1
    assert fake.calls == 1 and lines[0].startswith("Finished an interrupted take of 01")
    (done,) = records(q)
    assert done["ended_by"] == "interrupted (finished later)" and done["status"] != "unfinished"
