"""Pure: a transcript and its question become the attempt record (sections, metrics, tips)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from interviewer.core import feedback, metrics, star
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import FORMAT_VERSION, Question, Section, Transcript, Word

NO_SPEECH = "no speech detected"


def analyse(
    question: Question,
    transcript: Transcript,
    pauses: Sequence[tuple[float, float]],
    coach: CoachSettings,
    markers: Sequence[tuple[float, str]] = (),
    cfg: star.StarSettings | None = None,  # fitted settings (scripts/eval_star.py's folds)
    embed: star.Embed | None = None,  # sentence embeddings (session.sentence_embedder())
) -> dict[str, Any]:
    story = question.story if question.has_story else None
    seg = star.segment(
        transcript.words, story, pauses, markers, cfg or star.StarSettings(), embed=embed
    )
    m = metrics.measure(transcript.words, seg.sections, story, coach)
    if not transcript.no_speech:
        m["filler_capture"] = metrics.filler_capture(
            transcript.filler_capture_s, transcript.speech_s
        )
    return {
        "status": NO_SPEECH if transcript.no_speech else "ok",
        "words": [_word(w, label) for w, label in zip(transcript.words, seg.word_labels)],
        "sections": [_section(s, m) for s in seg.sections],
        "metrics": m,
        "feedback": [] if transcript.no_speech else feedback.suggestions(m),
        "markers": [{"time_s": t, "label": label} for t, label in markers],
    }


def new_record(question: Question, transcript: Transcript, when: datetime) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "question_id": question.id,
        "question": question.text,
        "principle": question.principle,
        "story_file": question.path.name,
        "created_at": when.astimezone().isoformat(timespec="seconds"),
        "duration_s": round(transcript.duration_s, 3),
        "speech_s": round(transcript.speech_s, 3),
        "filler_capture_s": round(transcript.filler_capture_s, 3),
        "model": transcript.model,
    }


def _word(w: Word, label: str) -> dict[str, Any]:
    return {
        "text": w.text,
        "start_s": w.start_s,
        "end_s": w.end_s,
        "probability": round(w.probability, 3),
        "label": label,
    }


def _section(s: Section, m: dict[str, Any]) -> dict[str, Any]:
    """A section as saved: its spans as metrics.answer_spans cut them to the answer, so time
    and share agree everywhere; start_s/end_s are the start of the first and the end of the
    last span (read by older views and by ../shared/star_corpus/score.py)."""
    measured = m.get("sections", {}).get(s.label, {})
    spans = measured.get("spans")
    if spans is None:  # no words, so nothing was measured
        spans = [{"start_s": a, "end_s": b} for a, b in s.all_spans]
    return {
        "label": s.label,
        "start_s": measured.get("start_s", s.start_s),
        "end_s": measured.get("end_s", s.end_s),
        "spans": spans,
        "duration_s": measured.get("duration_s", round(s.duration_s, 3)),
        "share": measured.get("share", 0.0),
        "text": s.text,
        "missing": s.missing,
        "confidence": round(s.confidence, 2),
        "reason": s.reason,
    }
