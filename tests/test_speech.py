"""speech: real pyttsx3/espeak-ng synthesis, and playback on the virtual speaker."""

from __future__ import annotations

import io
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters import audio_devices, audio_files, speech
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
    code = (
        "import sys, interviewer.adapters.speech\n"
        "print(sorted({'pyttsx3', 'sounddevice', 'numpy'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        check=True,
    )
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
    again = [speech.synthesize(q, settings, tmp_path) for q in QUESTIONS]
    assert again == paths and len(child_runs) == 3  # no new synthesis: a hit, however slow
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


MARKER_HZ = 1000.0  # ten whole periods in a 10 ms frame: one FFT bin holds a frame of it


@pytest.mark.audio
def test_pyttsx_speaker_says_the_question_and_returns_when_it_ended(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    """Ordering, not timing: a tone played as soon as say() returns must come after all of
    the question in what the speaker heard. A loaded machine can only delay the tone; an
    elapsed-time bound (returned within 0.5 s of the question's length) failed under load."""
    speaker = speech.PyttsxSpeaker(SpeechSettings(), tmp_path)
    wav = speaker.prepare(QUESTIONS[0])
    marker_rate = 48000
    marker = 0.5 * np.sin(2 * np.pi * MARKER_HZ * np.arange(marker_rate // 2) / marker_rate)
    with virtual_audio.capture_speaker(tmp_path / "heard.wav") as heard:
        speaker.say(QUESTIONS[0])
        audio_devices.play_samples(marker.astype(np.float32), marker_rate)
    samples, rate = audio_files.read_wav(heard)
    loud, tonal = _frames(samples[:, 0], rate)
    runs = _runs(tonal)
    assert runs, "the marker tone was not heard"
    start = runs[0][0]
    # From there on nothing loud but the tone (and the partial frames at its edges, where an
    # underrun may split it): none of the question sounded with it or after it.
    near_tone = tonal | np.roll(tonal, 1) | np.roll(tonal, -1)
    assert not (loud & ~near_tone)[start:].any()
    spoken, spoken_rate = audio_files.read_wav(wav)
    question = samples[: (start - 1) * rate // 100, 0]
    # All of the question came before the marker: as long from first to last sound (a gap an
    # underrun leaves only adds), with the same energy (not played twice, nor at a wrong rate).
    assert _span_s(question, rate) >= _span_s(spoken[:, 0], spoken_rate) - 0.03
    energy = np.sum(question**2) / rate / (np.sum(spoken[:, 0] ** 2) / spoken_rate)
    assert 0.9 < energy < 1.1, energy  # measured 0.99-1.00


def _span_s(x: np.ndarray, rate: int) -> float:
    loud = np.flatnonzero(_frames(x, rate)[0])
    return (loud[-1] - loud[0] + 1) / 100 if loud.size else 0.0


def _frames(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Per 10 ms frame: louder than 0.02, and nearly all of its energy at MARKER_HZ."""
    frame = rate // 100
    frames = x[: len(x) // frame * frame].reshape(-1, frame)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    at_marker = power[:, round(MARKER_HZ * frame / rate)]
    tonal = at_marker > 0.9 * np.maximum(power.sum(axis=1), 1e-12)
    return np.abs(frames).max(axis=1) > 0.02, tonal & (np.abs(frames).max(axis=1) > 0.02)


def _runs(flags: np.ndarray, min_len: int = 5) -> list[tuple[int, int]]:
    """(start, length) of each stretch of at least min_len true frames."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_len]


def test_default_speaker_is_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CACHE", str(tmp_path))
    assert speech.default_cache_dir() == tmp_path / "speech"
    warnings: list[str] = []
    speaker = speech.default_speaker(voice="martian", warn=warnings.append)
    speaker.say("Hello")  # unknown voice: silent, the session shows the text
    assert len(warnings) == 1 and "unknown voice 'martian'" in warnings[0]
