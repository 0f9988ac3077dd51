"""views/summary: the terminal summary after an answer and the Markdown transcript, from an
Attempt; how sure a split is, in words."""

from __future__ import annotations

import pytest

from interviewer.core.records import Attempt, FillerCapture, Metrics, SectionRecord, Span
from interviewer.views import summary
from tests.test_spans import _question, _record


def _attempt(monkeypatch: pytest.MonkeyPatch) -> Attempt:
    return Attempt.from_json(_record(monkeypatch))


def test_basis_says_how_sure_and_why() -> None:
    s = SectionRecord(label="action", confidence=0.517, reason="order of the answer")
    assert summary.basis(s) == "likely (0.52): order of the answer"
    assert summary.basis(SectionRecord(label="action", reason="cue")) == "cue"  # format 1
    assert summary.basis(SectionRecord(label="action", confidence=0.9)) == "sure (0.90)"


def test_time_text_and_spans_text() -> None:
    s = SectionRecord(
        label="situation",
        duration_s=17.5,
        share=0.38,
        spans=[Span(start_s=0.5, end_s=12.0), Span(start_s=40.0, end_s=46.0)],
    )
    assert summary.time_text(s) == "18 s, 38%"
    assert summary.spans_text(s) == "0:00.5–0:12.0 + 0:40.0–0:46.0"
    other = SectionRecord(label="other", duration_s=4.3, spans=[Span(start_s=46, end_s=50.3)])
    assert summary.time_text(other) == "4 s"  # in no share
    assert summary.title("other") == summary.OTHER_TITLE


def test_filler_line() -> None:
    m = Metrics(fillers={"um": 3, "like": 1}, filler_capture=FillerCapture(note="counted"))
    assert summary.filler_line(m) == "Fillers: like 1, um 3 — counted"
    assert summary.filler_line(Metrics()) == "Fillers: none"


def test_summary_of_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    text = summary.summary(_attempt(monkeypatch))
    assert text.startswith("Answer: 0:49.8 (49.8 s), ")
    assert "Off target: the answer ran 50 s (target 90-180 s)" in text
    assert "For the next take:\n  1. " in text


def test_summary_of_no_speech() -> None:
    a = Attempt(question_id="01", status="no speech detected", duration_s=3.25, metrics=Metrics())
    assert summary.summary(a) == "01: no speech detected (3.2 s recorded)"


def test_markdown_of_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    md = summary.markdown(_attempt(monkeypatch), _question())
    assert md.startswith("# Tell me about a time when you failed at work?\n")
    assert "| Section | When | Time | Share | How sure, and why |" in md
    assert "## What you said" in md and "## Your reference story" in md
    assert "### Task\n\n*(not spoken)*" in md


def test_a_plain_transcript_is_one_timed_line_per_sentence_and_json_keeps_every_word() -> None:
    from interviewer.core.models import Transcript, Word

    words = [
        Word("I", 0.5, 0.7),
        Word("owned", 0.7, 1.0),
        Word("it.", 1.0, 1.3),
        Word("We", 12.25, 12.4),
        Word("shipped", 12.4, 12.9),
    ]
    assert summary.timed_lines(words) == ["[   0.50s] I owned it.", "[  12.25s] We shipped"]
    t = Transcript(tuple(words), 14.0, 9.0, "tiny.en")
    data = summary.transcript_json(t, "answer.wav")
    assert data["audio"] == "answer.wav" and data["duration_s"] == 14.0
    assert data["text"] == t.text and len(data["words"]) == 5
    assert data["words"][3] == {"text": "We", "start_s": 12.25, "end_s": 12.4}
