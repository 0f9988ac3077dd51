"""The typed attempt record: every record the program writes reads into an Attempt and writes
back to the same JSON, byte for byte; a format-1 record after its upgrade does too."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from interviewer.adapters import store
from interviewer.cli import main
from interviewer.core import metrics
from interviewer.core.records import CHECK_KINDS, Attempt, Check, SectionRecord
from tests.conftest import FIXTURES, ROOT
from tests.test_spans import _question, _record, _v1

Q01 = "01-failed-at-work"


def _same(d: dict[str, Any]) -> None:
    back = Attempt.from_json(d).to_json()
    assert back == d
    assert json.dumps(back, indent=2, ensure_ascii=False) == json.dumps(
        d, indent=2, ensure_ascii=False
    )


@pytest.fixture(scope="module")
def practised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bank with a take saved by `practice` from a real recording, then one reanalysed."""
    root = tmp_path_factory.mktemp("records") / "questions"
    shutil.copytree(ROOT / "questions", root, ignore=shutil.ignore_patterns("*.attempt-*"))
    argv = ["practice", "-q", Q01, "--answer-audio", str(FIXTURES / f"{Q01}.en-us.160.flac")]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--no-speak", "--bank", str(root)]) == 0
    return root


def _records(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.attempt-*.json"))


def test_a_record_saved_by_practice_round_trips(practised: Path) -> None:
    (path,) = _records(practised)
    text = path.read_text(encoding="utf-8")
    d = json.loads(text)
    _same(d)
    assert json.dumps(Attempt.from_json(d).to_json(), indent=2, ensure_ascii=False) + "\n" == text
    attempt = store.load_attempt(path)
    assert isinstance(attempt, Attempt) and attempt.path == str(path)
    upgraded = store.upgrade(json.loads(text), path)
    upgraded.pop("path")
    assert attempt.to_json() == upgraded  # where it was found is not saved
    assert attempt.metrics and attempt.metrics.checks and attempt.sections
    assert {s.label for s in attempt.sections} >= {"situation", "action", "result"}


def test_a_reanalysed_record_round_trips(practised: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["reanalyze", "--bank", str(practised)]) == 0
    (path,) = _records(practised)
    d = json.loads(path.read_text(encoding="utf-8"))
    assert "reanalyzed_at" in d
    _same(d)


def test_hand_made_records_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    record = _record(monkeypatch)
    _same(record)
    _same(json.loads(json.dumps(record)))  # as read back from a file


def test_a_format_1_record_round_trips_after_its_upgrade(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = _v1(_record(monkeypatch))
    upgraded = store.upgrade(json.loads(json.dumps(old)), tmp_path / "x.json")
    upgraded.pop("path")
    _same(upgraded)
    attempt = Attempt.from_json(upgraded)
    assert all(s.confidence is None for s in attempt.parts)
    assert attempt.parts[0].times == [(0.5, 46.0)]


def test_placeholders_and_unknown_keys_round_trip(tmp_path: Path) -> None:
    q = _question()
    files = store.files_for(tmp_path / f"{Q01}.attempt-20261129-120000.json")
    placeholder = store.placeholder(q, files, datetime(2026, 11, 29, 12), input="file")
    _same(placeholder)
    assert Attempt.from_json(placeholder).unfinished
    later = {**placeholder, "mood": {"calm": True}, "sections": []}
    _same(later)  # a key from a later version is kept where it was


def test_a_field_set_after_reading_is_saved_last(monkeypatch: pytest.MonkeyPatch) -> None:
    d = json.loads(json.dumps(_record(monkeypatch)))
    attempt = Attempt.from_json(d).with_(previous_model="tiny.en", model="base.en")
    out = attempt.to_json()
    assert list(out)[:-1] == list(d) and list(out)[-1] == "previous_model"
    assert out["model"] == "base.en"


def test_every_check_metrics_makes_has_its_own_title_and_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = [c["name"] for c in _record(monkeypatch)["metrics"]["checks"]]
    assert made == list(CHECK_KINDS)  # one table of checks, in metrics' order
    assert all(c.title != c.name for c in map(lambda n: Check(name=n), made))
    shown = {
        "length": (95, "95 s"),
        "action_share": (0.456, "46%"),
        "result_number": (1.0, "yes"),
        "learning": (0.0, "no"),
        "wpm": (151.4, "151"),
        "fillers_per_min": (2.46, "2.5"),
        "i_vs_we": (1.25, "1.2"),
        "hedges": (3, "3"),
        "task_length": (14.2, "14 s"),
    }
    for name, (value, text) in shown.items():
        assert Check(name=name, value=value).value_text == text
    assert Check(name="from_a_later_version", value=2).title == "from_a_later_version"
    assert metrics.Check is Check


def test_section_times() -> None:
    assert SectionRecord(label="task", missing=True).times == []
    assert SectionRecord(label="task", start_s=1.0, end_s=2.0).times == [(1.0, 2.0)]


def test_a_live_record_with_follow_ups_markers_and_latency_round_trips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The keys only a live session (or reanalyze --model) writes, in the order it adds them."""
    record = {
        **_record(monkeypatch),
        "input": "microphone",
        "ended_by": "silence",
        "markers": [{"time_s": 12.0, "label": "action"}, {"time_s": 30, "label": "result"}],
        "follow_ups": [
            {
                "question": "What did you learn?",
                "asked_for": "learning",
                "audio": f"{Q01}.attempt-20261129-120000.follow-up.wav",
                "offset_s": 52.5,
                "ended_by": "enter",
            }
        ],
        "latency": {"end_to_summary_s": 0.71, "transcribe_s": 0.5},
        "files": {"audio": "a.wav", "markdown": "a.md", "record": "a.json"},
        "previous_model": "tiny.en",
        "reanalyzed_at": "2026-11-29T13:00:00+00:00",
    }
    assert store.check_record(record) == ""
    _same(json.loads(json.dumps(record)))
    attempt = Attempt.from_json(record)
    assert attempt.follow_ups and attempt.follow_ups[0].asked_for == "learning"
    assert attempt.markers and attempt.markers[1].time_s == 30


def test_an_orphan_recording_reads_as_an_unfinished_attempt(tmp_path: Path) -> None:
    audio = tmp_path / f"{Q01}.attempt-20261129-120000.wav"
    audio.write_bytes(b"")
    attempt = store.load_attempt(audio.with_suffix(".json"))
    assert attempt.unfinished and attempt.orphan and attempt.audio_path == str(audio)
    assert attempt.created_at.startswith("2026-11-29T12:00:00")
    assert "orphan" not in attempt.to_json() and "path" not in attempt.to_json()
