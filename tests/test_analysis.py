"""core/analysis: a transcript and its question become the saved record's analysis."""

from __future__ import annotations

from datetime import datetime

import pytest

from interviewer.adapters import store
from interviewer.core import analysis
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import Transcript
from interviewer.core.records import Attempt
from tests.test_spans import WORDS, _question, _record


def test_new_record_holds_the_question_and_the_transcript_figures() -> None:
    q = _question()
    t = Transcript(WORDS, 50.12345, speech_s=49.0, model="tiny.en", filler_capture_s=12.0)
    r = analysis.new_record(q, t, datetime(2026, 11, 29, 12, 0, 0))
    assert r["format_version"] == store.FORMAT_VERSION
    assert (r["question_id"], r["story_file"]) == (q.id, q.path.name)
    assert r["created_at"].startswith("2026-11-29T12:00:00")
    assert (r["duration_s"], r["speech_s"], r["filler_capture_s"]) == (50.123, 49.0, 12.0)


def test_an_analysis_reads_as_an_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    record = _record(monkeypatch)
    assert store.check_record(record) == ""
    a = Attempt.from_json(record)
    assert a.ok and a.measured.checks and len(a.words or []) == len(WORDS)
    situation = a.section("situation")
    assert situation is not None and situation.times == [(0.5, 12.0), (40.0, 46.0)]
    # a section's saved time and share are the measured ones, so views agree everywhere
    assert situation.share == a.measured.sections["situation"].share


def test_no_speech_gives_no_feedback() -> None:
    q = _question()
    r = analysis.analyse(q, Transcript((), 3.0), [], CoachSettings())
    assert r["status"] == analysis.NO_SPEECH and r["feedback"] == [] and r["words"] == []
    assert "filler_capture" not in r["metrics"]
