"""Parts said in several spans, chit-chat apart, and how sure each split is (issue 10, 4-5):
metrics, the saved record (format 2), the upgrade of format 1, and every view of them.

Plain data: Sections are made by hand (the segmenter is tested in test_star.py), so these
hold whatever the segmenter decides; the views read records written from them."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from interviewer.adapters import store
from interviewer.adapters.bank import load_bank
from interviewer.cli import main
from interviewer.core import analysis, star
from interviewer.core.coaching import CoachSettings
from interviewer.core.metrics import measure
from interviewer.core.models import Question, Section, Transcript, Word
from interviewer.core.records import Attempt
from interviewer.views import review, summary
from tests.conftest import SHARED

Q01 = "01-failed-at-work"

# One word a second from 0.5 s: "w0" 0.5-1.3, "w1" 1.5-2.3, ... (50 words, to 50.3 s).
WORDS = tuple(Word(f"w{i}", 0.5 + i, 1.3 + i) for i in range(50))


def _sections() -> list[Section]:
    """Situation said twice (0.5-12 s and again 40-46 s), Task missing, chit-chat at the end."""
    return [
        Section(
            "situation",
            0.5,
            46.0,
            "w " * 18,
            reason="signpost 'the situation was'",
            spans=((0.5, 12.0), (40.0, 46.0)),
            confidence=0.912,
        ),
        Section(
            "task",
            0,
            0,
            "",
            reason="no goal or problem of your own was said",
            missing=True,
            confidence=0.83,
        ),
        Section(
            "action",
            12.0,
            30.0,
            "I did it " * 6,
            reason="order of the answer",
            spans=((12.0, 30.0),),
            confidence=0.517,
        ),
        Section(
            "result",
            30.0,
            40.0,
            "It took 3 days less.",
            reason="a figure after the action",
            spans=((30.0, 40.0),),
            confidence=0.7,
        ),
        Section("learning", 0, 0, "", missing=True, confidence=0.9, reason="no lesson was said"),
        Section(
            "other",
            46.0,
            50.3,
            "yeah that's the one",
            reason="a closing aside",
            spans=((46.0, 50.3),),
            confidence=0.88,
        ),
    ]


def _labels() -> tuple[str, ...]:
    def at(t: float) -> str:
        for s in _sections():
            if any(a <= t < b for a, b in s.all_spans):
                return s.label
        return "other"

    return tuple(at(w.start_s) for w in WORDS)


# --- metrics --------------------------------------------------------------------------------


def test_a_part_said_twice_counts_both_spans_and_chit_chat_counts_in_no_share() -> None:
    m = measure(WORDS, _sections(), None, CoachSettings())
    sec = m["sections"]
    answer = WORDS[-1].end_s - WORDS[0].start_s  # 49.8 s
    other = 50.3 - 46.0
    assert m["answer_s"] == pytest.approx(answer) and m["other_s"] == pytest.approx(other)
    situation = sec["situation"]
    assert situation["duration_s"] == pytest.approx(11.5 + 6.0)  # the sum of its two spans
    assert situation["spans"] == [{"start_s": 0.5, "end_s": 12.0}, {"start_s": 40.0, "end_s": 46.0}]
    assert (situation["start_s"], situation["end_s"]) == (0.5, 46.0)
    star_s = answer - other  # shares are of the STAR time: the aside is in none
    assert situation["share"] == pytest.approx(17.5 / star_s, abs=0.001)
    assert sec["action"]["share"] == pytest.approx(18.0 / star_s, abs=0.001)
    assert sec["other"]["share"] == 0.0 and sec["other"]["duration_s"] == pytest.approx(other)
    assert sec["task"]["spans"] == [] and sec["task"]["duration_s"] == 0.0
    star_shares = [v["share"] for k, v in sec.items() if k != "other"]
    assert sum(star_shares) == pytest.approx(1.0, abs=0.005) and sum(star_shares) <= 1.0
    checks = {c["name"]: c for c in m["checks"]}
    assert checks["setup_share"]["value"] == situation["share"]  # the aside is not setup
    assert checks["situation_length"]["value"] == pytest.approx(17.5)
    assert checks["learning"]["ok"] is False  # a closing aside is no Learning


def test_spans_are_cut_to_the_answer_and_never_overlap_across_parts() -> None:
    words = WORDS[:10]  # 0.5 .. 9.8 s
    sections = [
        Section("situation", 0.1, 9.0, "w", spans=((0.1, 3.4), (6.6, 9.0))),
        Section("action", 3.0, 7.0, "w", spans=((3.0, 7.0),)),
        Section("other", 8.5, 10.3, "w", spans=((8.5, 10.3),)),
    ]
    m = measure(words, sections, None, CoachSettings())
    spans = [(p["start_s"], p["end_s"]) for s in m["sections"].values() for p in s["spans"]]
    spans.sort()
    assert spans[0][0] == words[0].start_s and spans[-1][1] == words[-1].end_s
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    total = sum(s["duration_s"] for s in m["sections"].values())
    assert total == pytest.approx(m["answer_s"], abs=0.01)
    assert sum(s["share"] for s in m["sections"].values()) <= 1.0


# --- the saved record ----------------------------------------------------------------------


def _question() -> Question:
    bank = load_bank(None)
    return bank.find(Q01)


def _record(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A finished format-2 record as `practice` saves it, from hand-made Sections."""
    from datetime import datetime

    seg = SimpleNamespace(sections=tuple(_sections()), word_labels=_labels())
    monkeypatch.setattr(star, "segment", lambda *a, **k: seg)
    q = _question()
    transcript = Transcript(WORDS, 50.0, speech_s=49.0, model="tiny.en")
    record = analysis.new_record(q, transcript, datetime(2026, 11, 29, 12, 0, 0))
    record.update(analysis.analyse(q, transcript, [], CoachSettings()))
    record["audio"] = f"{Q01}.attempt-20261129-120000.wav"
    return record


def test_the_record_carries_spans_confidence_and_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    record = _record(monkeypatch)
    assert record["format_version"] == store.FORMAT_VERSION == 2
    assert store.check_record(record) == ""
    by = {s["label"]: s for s in record["sections"]}
    assert list(by) == ["situation", "task", "action", "result", "learning", "other"]
    s = by["situation"]
    assert s["spans"] == [{"start_s": 0.5, "end_s": 12.0}, {"start_s": 40.0, "end_s": 46.0}]
    assert (s["start_s"], s["end_s"]) == (0.5, 46.0) and s["duration_s"] == 17.5
    assert s["confidence"] == 0.91 and s["reason"] == "signpost 'the situation was'"
    assert s["share"] == record["metrics"]["sections"]["situation"]["share"] > 0
    assert by["task"]["spans"] == [] and by["task"]["missing"]
    assert by["task"]["reason"] and by["task"]["confidence"] == 0.83
    assert by["other"]["share"] == 0.0 and not by["other"]["missing"]
    assert {w["label"] for w in record["words"]} == {"situation", "action", "result", "other"}
    json.dumps(record, allow_nan=False)  # plain JSON


def test_the_corpus_scorer_reads_each_span(monkeypatch: pytest.MonkeyPatch) -> None:
    """../shared/star_corpus/score.py reads `spans` as a list of {start_s, end_s}."""
    spec = importlib.util.spec_from_file_location("score", SHARED / "star_corpus" / "score.py")
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    flat = score.flatten(_record(monkeypatch)["sections"])
    assert [(s["label"], s["start_s"], s["end_s"]) for s in flat] == [
        ("situation", 0.5, 12.0),
        ("situation", 40.0, 46.0),
        ("action", 12.0, 30.0),
        ("result", 30.0, 40.0),
        ("other", 46.0, 50.3),
    ]
    assert score.label_at(flat, 42.0) == "situation"


# --- the views ------------------------------------------------------------------------------


def _save(bank: Path, record: dict[str, Any], stem: str) -> Path:
    path = bank / "ownership" / f"{stem}.json"
    record = {**record, "audio": f"{stem}.wav"}
    path.write_text(json.dumps(record))
    return path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_review_shows_each_span_how_sure_and_why(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _save(bank, _record(monkeypatch), f"{Q01}.attempt-20261129-120000")
    code, out, err = _run("review", str(path))
    assert code == 0, err
    lines = out.splitlines()
    situation = next(line for line in lines if line.startswith("Situation "))
    assert "0:00-0:12 + 0:40-0:46" in situation and "(18 s, 38%)" in situation
    assert "sure (0.91): signpost 'the situation was'" in situation
    action = next(line for line in lines if line.startswith("Action "))
    assert "likely (0.52): order of the answer" in action
    task = next(line for line in lines if line.startswith("Task "))
    assert "missing" in task and "no goal or problem of your own" in task
    other = next(line for line in lines if line.startswith("Other (not counted)"))
    assert "0:46-0:50" in other and "%" not in other and "missing" not in other
    bar = lines[3]  # the bar draws both spans of the Situation and the aside
    assert bar.index("S") < bar.index("A") < bar.index("R") < bar.rindex("S") < bar.index("O")
    assert "- Situation 0:00-0:12 + 0:40-0:46 · 18 s · 38% -" in out  # its transcript
    assert "- Other (not counted) 0:46-0:50 · 4 s -" in out
    assert "(asides: no part of your story" in out


def test_a_guessed_split_is_marked_in_history(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = _record(monkeypatch)
    next(s for s in record["sections"] if s["label"] == "action")["confidence"] = 0.31
    _save(bank, record, f"{Q01}.attempt-20261129-120000")
    code, out, _ = _run("history")
    assert code == 0
    row = out.splitlines()[2]
    share = round(record["metrics"]["sections"]["action"]["share"] * 100)
    assert f"{share}?" in row and out.rstrip().splitlines()[-1].startswith("? the split")
    code, out, _ = _run("history", "--json")
    sections = json.loads(out)[0]["sections"]
    assert sections["situation"]["spans"] == [
        {"start_s": 0.5, "end_s": 12.0},
        {"start_s": 40.0, "end_s": 46.0},
    ]
    assert sections["action"]["confidence"] == 0.31 and sections["action"]["reason"]
    assert "other" not in sections and json.loads(out)[0]["other_s"] > 0


def test_the_report_draws_each_span_and_says_how_sure(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(bank, _record(monkeypatch), f"{Q01}.attempt-20261129-120000")
    code, _, err = _run("report", "-q", "01")
    assert code == 0, err
    page = (bank / "ownership" / f"{Q01}.report.html").read_text()
    timeline = page.split('<svg class="timeline"')[1].split("</svg>")[0]
    assert timeline.count('class="seg s-situation"') == 2  # one block per span
    assert timeline.count('class="seg s-other"') == 1
    assert timeline.count("<title>Situation 0:00–0:12 + 0:40–0:46 · sure (0.91)") == 2
    part = page.split('data-label="situation"')[1].split("</header>")[0]
    assert "0:00–0:12 + 0:40–0:46" in part
    assert '<span class="basis sure">sure (0.91): signpost &#39;the situation was&#39;' in part
    assert 'class="basis likely">likely (0.52): order of the answer' in page
    other = page.split('data-label="other"')[1].split("</section>")[0]
    assert "Other (not counted)" in other and "0:46–0:50" in other and "%" not in other
    assert "counted in no share" in other and "yeah that" not in other  # words, not text
    assert 'data-t="46.5"' in other  # the aside's words, clickable
    assert "missing" not in page.split('data-label="other"')[0].rsplit("<section", 1)[1]


def test_the_markdown_and_summary_show_spans_and_how_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    record = Attempt.from_json(_record(monkeypatch))
    md = summary.markdown(record, _question())
    row = next(line for line in md.splitlines() if line.startswith("| Situation |"))
    assert "0:00.5–0:12.0 + 0:40.0–0:46.0" in row and "17.5 s" in row
    assert "sure (0.91): signpost 'the situation was'" in row
    assert "| Other (not counted) | 0:46.0–0:50.3 | 4.3 s | — |" in md
    assert "| Task | — | missing | — | sure (0.83): no goal" in md
    assert "### Other (not counted)\n\nyeah that's the one" in md
    text = summary.summary(record)
    line = next(line for line in text.splitlines() if "Situation" in line)
    assert "0:00.5–0:12.0 + 0:40.0–0:46.0" in line and "sure (0.91)" in line
    assert re.search(r"Other \(not counted\)\s+4\.3s\s+—", text)


def test_confidence_words() -> None:
    assert [summary.confidence_word(c) for c in (0.91, 0.75, 0.74, 0.5, 0.49, None)] == [
        "sure",
        "sure",
        "likely",
        "likely",
        "guess",
        "",
    ]


# --- format 1 records -----------------------------------------------------------------------


def _v1(record: dict[str, Any]) -> dict[str, Any]:
    """The same take as version 1 wrote it: one start/end per section, no chit-chat part."""
    old: dict[str, Any] = json.loads(json.dumps(record))
    old["format_version"] = 1
    old["sections"] = [
        {k: v for k, v in s.items() if k not in ("spans", "confidence")}
        for s in old["sections"]
        if s["label"] != "other"
    ]
    for s in old["metrics"]["sections"].values():
        s.pop("spans")
    old["metrics"]["sections"].pop("other")
    old["metrics"].pop("other_s")
    for w in old["words"]:
        w["label"] = "learning" if w["label"] == "other" else w["label"]
    return old


def test_a_version_1_record_is_upgraded_and_every_view_reads_it(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _save(bank, _v1(_record(monkeypatch)), f"{Q01}.attempt-20250101-090000")
    record = store.load_attempt(path)
    assert record.format_version == 2
    by = {s.label: s for s in record.parts}
    assert by["situation"].times == [(0.5, 46.0)]
    assert by["task"].spans == [] and all(s.confidence is None for s in by.values())
    spans = record.measured.sections["action"].spans
    assert [p.to_json() for p in spans or []] == [{"start_s": 12.0, "end_s": 30.0}]
    code, out, err = _run("review", str(path))
    assert code == 0 and not err, err
    situation = next(line for line in out.splitlines() if line.startswith("Situation "))
    assert "0:00-0:46" in situation and "signpost 'the situation was'" in situation
    assert not re.search(r"\b(sure|likely|guess) \(", out)  # no confidence was measured
    code, out, err = _run("history", "--json")
    assert code == 0 and json.loads(out)[0]["sections"]["situation"]["confidence"] is None
    code, _, err = _run("report", "-q", "01")
    assert code == 0 and not err.replace("Recording not found", ""), err
    page = (bank / "ownership" / f"{Q01}.report.html").read_text()
    assert 'class="basis unknown">signpost' in page and 'class="basis sure"' not in page
    assert review.summarise(record, "x")["sections"]["situation"]["spans"] == [
        {"start_s": 0.5, "end_s": 46.0}
    ]
