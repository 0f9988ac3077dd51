"""The committed audio fixtures match their manifest, and the scripts behind them work."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import wave
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from interviewer.core.models import LABELS, Section, Word

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "audio_fixtures"
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
SPOKEN = [f for f in MANIFEST["fixtures"] if f["kind"] != "no-speech"]
CORE_QUESTIONS = {
    "01-failed-at-work",
    "02-took-on-something-significant",
    "03-didnt-meet-commitments-promised",
    "05-peer-struggling-step-help",
    "06-ensure-projects-complete-transitioned",
}


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def audio_format(path: Path) -> tuple[int, int, int]:
    """(sample rate, channels, samples) from a FLAC STREAMINFO block or a WAV header."""
    if path.suffix == ".wav":
        with wave.open(str(path)) as w:
            return w.getframerate(), w.getnchannels(), w.getnframes()
    head = path.read_bytes()[:42]
    assert head[:4] == b"fLaC" and head[4] & 0x7F == 0, f"{path.name}: no FLAC STREAMINFO"
    bits = int.from_bytes(head[18:26], "big")  # rate 20, channels-1 3, bps-1 5, samples 36
    return bits >> 44, ((bits >> 41) & 0x7) + 1, bits & 0xFFFFFFFFF


@pytest.mark.parametrize("fx", MANIFEST["fixtures"], ids=lambda f: f["file"])
def test_fixture_file_matches_manifest(fx: dict[str, Any]) -> None:
    path = FIXTURES / fx["file"]
    assert path.is_file()
    rate, channels, samples = audio_format(path)
    assert (rate, channels) == (16000, 1)
    duration = samples / rate
    assert duration == pytest.approx(fx["duration_s"], abs=0.01)
    if fx["kind"] == "no-speech":
        assert fx["sections"] == [] and fx["missing"] == list(LABELS)
        return
    if duration > 75.0:
        assert fx.get("length_exception"), "over 75 s without a stated reason"
    assert duration >= 20.0
    labels = [s["label"] for s in fx["sections"]]
    assert labels == [label for label in LABELS if label in labels], "sections out of STAR order"
    assert sorted(set(labels) | set(fx["missing"]), key=LABELS.index) == list(LABELS)
    assert not set(labels) & set(fx["missing"])
    previous_end = 0.0
    for s in fx["sections"]:
        assert previous_end < s["start_s"] < s["end_s"] < duration
        assert s["text"].strip()
        previous_end = s["end_s"]
    assert fx["script"] == " ".join(s["text"] for s in fx["sections"])


def test_manifest_covers_the_required_sets() -> None:
    files = {f["file"] for f in MANIFEST["fixtures"]}
    assert {"silence.wav", "noise.wav"} <= files
    core = {f["question_id"] for f in SPOKEN if "core" in f["groups"]}
    assert len(core) >= 4 and core <= CORE_QUESTIONS
    assert len(SPOKEN) >= 12
    count = {
        g: sum(g in f["groups"] for f in SPOKEN)
        for g in (
            "with signposts",
            "without signposts",
            "fillers",
            "missing sections",
            "different story",
            "no story",
        )
    }
    assert all(n >= 1 for n in count.values()), count
    assert count["different story"] >= 2
    assert any(f["question_id"] is None for f in SPOKEN)
    assert len({f["voice"] for f in SPOKEN}) >= 3
    assert {f["rate_wpm"] for f in SPOKEN} >= {140, 160, 185}


def test_fixtures_are_deterministic() -> None:
    """`make_fixtures.py --check` rebuilds everything in a temp dir (about 6 s here)."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to rebuild the fixtures")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_score_fixture_counts_words_boundaries_and_missing_sections() -> None:
    score_fixture = _script("eval_star").score_fixture
    true = [
        {"label": "situation", "start_s": 0.5, "end_s": 2.0, "text": "a b"},
        {"label": "action", "start_s": 3.0, "end_s": 5.0, "text": "c d"},
    ]
    words = [Word("a", 0.5, 1.0), Word("b", 1.5, 2.0), Word("c", 2.5, 2.7), Word("d", 4.0, 5.0)]
    pred = (
        Section("situation", 0.5, 2.6, "a b c"),
        Section("task", 0, 0, "", missing=True),
        Section("action", 2.9, 5.0, "d"),
        Section("result", 0, 0, "", missing=True),
        Section("learning", 4.9, 5.0, "d"),
    )
    # "c" (midpoint 2.6, in the gap) belongs to the nearer section: action.
    got = score_fixture(pred, ["situation", "situation", "situation", "action"], words, true)
    assert got["accuracy"] == 0.75
    assert [b["error_s"] for b in got["boundaries"]] == [0.0, 0.6, 0.1, 0.0]
    assert got["falsely_present"] == ["learning"] and not got["falsely_missing"]
    assert got["confusions"] == {"action->situation": 1}
