from __future__ import annotations

from interviewer import feedback
from interviewer.coaching import CoachSettings, load_coach_settings
from interviewer.errors import InterviewerError
from interviewer.metrics import (
    count_fillers,
    fact_coverage,
    filler_capture,
    key_facts,
    measure,
)
from interviewer.models import Section, Story, Word


def ws(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    return [Word(t, start + i * step, start + i * step + 0.3) for i, t in enumerate(text.split())]


def test_fillers_counted_including_phrases_and_filler_like():
    words = ws("Um, so I, uh, you know, basically fixed it. It was like, hard. I like tests.")
    found = count_fillers(words)
    assert found["um"] == 1 and found["uh"] == 1
    assert found["you know"] == 1 and found["basically"] == 1
    assert found["like"] == 1  # "I like tests" is a verb, not a filler


def test_filler_count_trust_follows_how_much_speech_kept_fillers():
    full = filler_capture(59.0, 60.0)
    assert full["trust"] == "counted" and full["coverage"] == 0.983
    assert "um/uh kept in the transcript" in full["note"]
    part = filler_capture(30.0, 60.0)
    assert part["trust"] == "lower bound" and "50% of your speech" in part["note"]
    off = filler_capture(0.0, 60.0)
    assert off["trust"] == "lower bound" and "without filler capture" in off["note"]
    assert filler_capture(0.0, 0.0)["coverage"] == 0.0
    assert filler_capture(61.0, 60.0)["coverage"] == 1.0  # rounding in the sums


def test_a_capital_after_an_opening_quote_is_not_a_name():
    said = 'I have a saying, “ Being wrong is a lesson”, and "Ship it" too. Ask Priya.'
    story = Story(situation=said)
    names = [f["value"] for f in key_facts(story) if f["kind"] == "name"]
    assert names == ["Priya"]


def test_key_facts_said_changed_missed():
    story = Story(result="We processed over 7000 workloads instead of 650 at Microsoft.")
    cov = {f["value"]: f["status"] for f in fact_coverage(story, "we did 5000 workloads")}
    assert cov["7000"] == "changed" and cov["650"] == "missed" and cov["Microsoft"] == "missed"
    cov = {f["value"]: f["status"] for f in fact_coverage(story, "7,000 and 650 at Microsoft")}
    assert set(cov.values()) == {"said"}


def test_measure_and_suggestions():
    words = ws("We set up the plan. We fixed it and we shipped it. I helped. It went well.")
    sections = [
        Section("situation", 0.0, 1.5, "We set up the plan."),
        Section("task", 0, 0, "", missing=True),
        Section("action", 1.6, 4.7, "We fixed it and we shipped it. I helped."),
        Section("result", 4.8, 5.9, "It went well."),
        Section("learning", 0, 0, "", missing=True),
    ]
    m = measure(words, sections, None, CoachSettings())
    assert m["action_we"] == 2 and m["action_i"] == 1
    assert m["sections"]["action"]["share"] == round(3.1 / m["answer_s"], 3)
    failed = {c["name"] for c in m["checks"] if not c["ok"]}
    assert {"learning", "result_number", "i_vs_we", "length"} <= failed
    tips = feedback.suggestions(m)
    assert len(tips) == 3
    assert tips[0].startswith("There was no Learning")
    assert "Result has no number" in tips[1]


def test_settings_file(tmp_path):
    assert load_coach_settings(tmp_path) == CoachSettings()
    (tmp_path / "settings.toml").write_text("wpm_min = 120\n")
    assert load_coach_settings(tmp_path).wpm_min == 120
    (tmp_path / "settings.toml").write_text("wpm_minimum = 120\n")
    try:
        load_coach_settings(tmp_path)
    except InterviewerError as exc:
        assert "unknown setting 'wpm_minimum'" in str(exc)
    else:
        raise AssertionError("unknown setting accepted")


def test_committed_settings_file_matches_the_defaults():
    from tests.conftest import ROOT

    assert load_coach_settings(ROOT / "questions") == CoachSettings()
    text = (ROOT / "questions" / "settings.toml").read_text()
    assert text.count("#") >= 9  # every default carries its source
