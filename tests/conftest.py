"""Shared fixtures: user data always goes to a temporary copy of the question bank."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPEECH = SHARED / "speech_samples"
SEED = SHARED / "seed" / "000_9f0ed41cec8ba5a7.txt"
FIXTURES = ROOT / "audio_fixtures"


@pytest.fixture(autouse=True)
def bank(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the committed bank; tests never touch the real one."""
    root = tmp_path_factory.mktemp("bank") / "questions"
    shutil.copytree(ROOT / "questions", root)
    monkeypatch.setenv("INTERVIEWER_BANK", str(root))
    monkeypatch.setenv("INTERVIEWER_CACHE", str(root.parent / "cache"))
    return root


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads((FIXTURES / "manifest.json").read_text())


@pytest.fixture(scope="session")
def transcriber():
    from interviewer.adapters.transcribe import Transcriber

    t = Transcriber()
    t.load()
    return t


from tests.audio_server import _audio_daemon, virtual_audio  # noqa: E402, F401


def next_start(sections: list[dict], label: str) -> float:
    """Where the part after `label` starts (its own end when it is the last)."""
    labels = [s["label"] for s in sections]
    k = labels.index(label)
    return sections[k + 1]["start_s"] if k + 1 < len(sections) else sections[k]["end_s"]
