"""review_cli: finding attempts by name, the latest readable one, the previous take."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer import review_cli
from interviewer.adapters.bank import load_bank
from interviewer.errors import InterviewerError
from tests.test_spans import Q01, _record

STEM = f"{Q01}.attempt-20261129-120000"


def _bank_with_takes(bank: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    record = _record(monkeypatch)
    paths = []
    for stem, status in ((STEM, "ok"), (f"{Q01}.attempt-20261129-130000", "no speech detected")):
        path = bank / "ownership" / f"{stem}.json"
        path.write_text(json.dumps({**record, "audio": f"{stem}.wav", "status": status}))
        paths.append(path)
    return paths


def test_an_attempt_is_found_by_any_of_its_files(bank: Path, monkeypatch: pytest.MonkeyPatch):
    first, _ = _bank_with_takes(bank, monkeypatch)
    assert review_cli.resolve_attempt(bank, f"{STEM}.md") == first
    assert review_cli.resolve_attempt(bank, str(first.with_suffix(".wav"))) == first
    with pytest.raises(InterviewerError, match="not an attempt file"):
        review_cli.resolve_attempt(bank, "story.txt")


def test_pick_attempts_and_the_question_of_a_take(bank: Path, monkeypatch: pytest.MonkeyPatch):
    paths = _bank_with_takes(bank, monkeypatch)
    b = load_bank(bank)
    assert review_cli.pick_attempts(b, "01") == paths
    assert review_cli.pick_attempt(b, None, None) == paths[-1]
    with pytest.raises(InterviewerError, match="no attempts at 02"):
        review_cli.pick_attempts(b, "02")
    path, latest = review_cli._latest_readable(paths, print)
    assert path == paths[-1] and latest.status == "no speech detected"
    question = review_cli.question_of(b, latest)
    assert question is not None and question.id == Q01


def test_the_previous_summary_skips_takes_without_speech(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _bank_with_takes(bank, monkeypatch)
    previous = review_cli._previous_summary(paths)
    assert previous is not None and previous["path"] == paths[0].name
    assert review_cli._previous_summary(paths[1:]) is None
