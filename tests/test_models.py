"""Joining pieces of one answer (background chunks, follow-ups, re-transcribed clips)."""

from __future__ import annotations

from interviewer.core.models import Transcript, Word, join_transcripts, shift_transcript


def test_follow_up_shifted_and_joined_on_the_answer_clock() -> None:
    answer = Transcript(
        (Word("I", 0.5, 0.7), Word("fixed", 0.8, 1.2)), 10.0, 2.0, "tiny", ((0.4, 2.4),), 2.0
    )
    follow_up = Transcript(
        (Word("Um", 0.2, 0.4), Word("faster", 0.5, 1.0)), 4.0, 1.5, "tiny", ((0.1, 1.6),), 1.0
    )
    joined = join_transcripts([answer, shift_transcript(follow_up, 10.0)], 14.0)
    assert [(w.text, w.start_s, w.end_s) for w in joined.words] == [
        ("I", 0.5, 0.7),
        ("fixed", 0.8, 1.2),
        ("Um", 10.2, 10.4),
        ("faster", 10.5, 11.0),
    ]
    assert joined.speech_spans == ((0.4, 2.4), (10.1, 11.6))
    assert (joined.duration_s, joined.speech_s, joined.filler_capture_s) == (14.0, 3.5, 3.0)
    assert joined.model == "tiny"
    assert shift_transcript(follow_up, 10.0).duration_s == 4.0
