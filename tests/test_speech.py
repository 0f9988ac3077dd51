"""speech: real pyttsx3/espeak-ng synthesis, and playback on the virtual speaker."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer import audio_io, speech
from interviewer.errors import InterviewerError
from interviewer.settings import SpeechSettings
from tests.audio_server import VirtualAudio, alarm

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "Tell me about a time you took ownership of a problem that was not yours.",
    "Describe a project that failed. What did you do?",
    "What is the biggest mistake you made, and what did you learn from it?",
)


@pytest.fixture(autouse=True)
def _time_limit() -> Iterator[None]:
    with alarm(90):
        yield


@pytest.fixture
def child_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Records every synthesis child process started (our own seam, not pyttsx3's)."""
    runs: list[dict[str, object]] = []
    real = speech._run_child

    def counting(request: dict[str, object], timeout_s: float) -> str:
        runs.append(request)
        return real(request, timeout_s)

    monkeypatch.setattr(speech, "_run_child", counting)
    return runs


def wav_info(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes() / 22050


def test_importing_speech_loads_no_speech_or_audio_library() -> None:
    code = ("import sys, interviewer.speech\n"
            "print(sorted({'pyttsx3', 'sounddevice', 'numpy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=30, check=True)
    assert out.stdout.strip() == "[]"


def test_synthesize_many_questions_in_one_process_then_hit_the_cache(
    tmp_path: Path, child_runs: list[dict[str, object]]
) -> None:
    settings = SpeechSettings()
    paths = [speech.synthesize(q, settings, tmp_path) for q in QUESTIONS]
    assert len(set(paths)) == 3 and len(child_runs) == 3
    for path in paths:
        channels, width, rate, duration_s = wav_info(path)
        assert (channels, width, rate) == (1, 2, 22050) and 1.5 < duration_s < 8
    mtimes = [p.stat().st_mtime_ns for p in paths]
    started = time.perf_counter()
    again = [speech.synthesize(q, settings, tmp_path) for q in QUESTIONS]
    assert (time.perf_counter() - started) / 3 < 0.05
    assert again == paths and len(child_runs) == 3  # no new synthesis
    assert [p.stat().st_mtime_ns for p in paths] == mtimes
    assert sorted(tmp_path.iterdir()) == sorted(paths)  # no temporary files left behind


def test_a_long_text_is_complete_when_synthesize_returns(tmp_path: Path) -> None:
    """pyttsx3's runAndWait() returns before espeak has written a long text at all."""
    text = " ".join(QUESTIONS * 6)
    path = speech.synthesize(text, SpeechSettings(), tmp_path)
    assert wav_info(path)[3] > 40


def test_voice_and_rate_are_part_of_the_cache_key(tmp_path: Path) -> None:
    slow = speech.synthesize(QUESTIONS[0], SpeechSettings(voice="en-us", rate_wpm=120), tmp_path)
    fast = speech.synthesize(QUESTIONS[0], SpeechSettings(voice="en-us", rate_wpm=220), tmp_path)
    assert slow != fast
    assert speech.wav_duration_s(slow) > 1.4 * speech.wav_duration_s(fast)


def test_a_corrupt_cache_entry_is_synthesized_again(tmp_path: Path) -> None:
    settings = SpeechSettings()
    path = speech.cache_path(QUESTIONS[1], settings, tmp_path)
    path.write_bytes(b"RIFF")  # e.g. left by a full disk
    assert speech.synthesize(QUESTIONS[1], settings, tmp_path) == path
    assert speech.wav_duration_s(path) > 1


def test_voices_are_listed_and_matched() -> None:
    voices = speech.list_voices()
    assert any(v.id == "gmw/en-us" for v in voices)
    assert speech.resolve_voice("en-us") == "gmw/en-us"
    assert speech.resolve_voice("English (America)") == "gmw/en-us"
    assert speech.resolve_voice(None) is None
    with pytest.raises(InterviewerError) as unknown:
        speech.resolve_voice("martian")
    assert str(unknown.value).startswith("unknown voice 'martian' — choose one of: ")
    assert "English" in unknown.value.hint
    with pytest.raises(InterviewerError, match="ambiguous"):
        speech.resolve_voice("english")


SABOTAGE = """
import ctypes
_load = ctypes.cdll.LoadLibrary
def _no_espeak(name, *args, **kwargs):
    if "espeak" in str(name):
        raise OSError(f"{name}: cannot open shared object file: No such file or directory")
    return _load(name, *args, **kwargs)
ctypes.cdll.LoadLibrary = _no_espeak
"""


def test_missing_espeak_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uninstalling espeak-ng is not possible here: the child cannot load it instead."""
    (tmp_path / "sitecustomize.py").write_text(SABOTAGE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(InterviewerError) as error:
        speech.synthesize(QUESTIONS[0], SpeechSettings(), tmp_path / "cache")
    assert str(error.value) == (
        "espeak-ng not found — install espeak-ng (apt-get install espeak-ng libespeak-ng1)"
    )
    assert not list((tmp_path / "cache").iterdir())


def test_text_speaker_prints_to_a_callable_or_a_stream() -> None:
    said: list[str] = []
    speech.TextSpeaker(said.append).say("Why?")
    stream = io.StringIO()
    speech.TextSpeaker(stream).say("Why not?")
    assert said == ["Why?"] and stream.getvalue() == "Why not?\n"


class _Broken:
    def say(self, text: str) -> None:
        raise RuntimeError("no audio\nat all")


def test_safe_speaker_falls_back_and_warns_once() -> None:
    shown: list[str] = []
    warnings: list[str] = []
    safe = speech.SafeSpeaker(_Broken(), speech.TextSpeaker(shown.append), warnings.append)
    safe.say("Question one")
    safe.say("Question two")
    assert shown == ["Question one", "Question two"]
    assert warnings == [
        "speech is off (RuntimeError: no audio at all); the questions are shown as text"
    ]


@pytest.mark.audio
def test_safe_speaker_with_a_real_failure(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    warnings: list[str] = []
    primary = speech.PyttsxSpeaker(SpeechSettings(), tmp_path, output_device="no such speaker")
    shown: list[str] = []
    speech.SafeSpeaker(primary, speech.TextSpeaker(shown.append), warnings.append).say("Hi")
    assert shown == ["Hi"]
    assert warnings[0].startswith("speech is off (no speaker matches 'no such speaker' — ")


@pytest.mark.audio
def test_pyttsx_speaker_says_the_question_and_returns_when_it_ended(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    speaker = speech.PyttsxSpeaker(SpeechSettings(), tmp_path)
    wav = speaker.prepare(QUESTIONS[0])
    duration_s = speech.wav_duration_s(wav)
    with virtual_audio.capture_speaker(tmp_path / "heard.wav") as heard:
        started = time.monotonic()
        speaker.say(QUESTIONS[0])
        took = time.monotonic() - started
    assert duration_s <= took < duration_s + 0.5
    spoken, rate = audio_io.read_wav(wav)
    samples, heard_rate = audio_io.read_wav(heard)
    heard_s = _speech_span_s(samples[:, 0], heard_rate)
    spoken_s = _speech_span_s(spoken[:, 0], rate)
    assert spoken_s - 0.03 <= heard_s <= spoken_s + 0.15  # all of it; an underrun adds a gap


def _speech_span_s(x: np.ndarray, rate: int) -> float:
    frame = rate // 100
    level = np.abs(x[: len(x) // frame * frame]).reshape(-1, frame).max(axis=1)
    loud = np.flatnonzero(level > 0.02)
    return (loud[-1] - loud[0] + 1) / 100


def test_default_speaker_is_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CACHE", str(tmp_path))
    assert speech.default_cache_dir() == tmp_path / "speech"
    warnings: list[str] = []
    speaker = speech.default_speaker(voice="martian", warn=warnings.append)
    speaker.say("Hello")  # unknown voice: silent, the session shows the text
    assert len(warnings) == 1 and "unknown voice 'martian'" in warnings[0]
