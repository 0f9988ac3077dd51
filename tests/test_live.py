"""Live sessions as a person would run them, on a real (virtual) audio server.

The program runs as its own process; the test speaks into the virtual microphone with
paplay, listens to the virtual speaker with parec, and presses keys on the program's stdin.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from interviewer.audiofile import load_audio
from interviewer.wer import wer
from tests.conftest import FIXTURES

pytestmark = pytest.mark.audio
RATE = 16000


def start(virtual_audio, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "interviewer", "practice", *args],
        env=virtual_audio.child_env(), stdin=stdin, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen[str], timeout_s: float = 120) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"session hung:\n{out}\n{err}") from None
    assert proc.returncode == 0, err
    return out, err


def latest_record(bank: Path, question_id: str) -> dict:
    paths = sorted((bank / "ownership").glob(f"{question_id}.attempt-*.json"))
    assert paths, "no attempt saved"
    return json.loads(paths[-1].read_text())


def wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def first_sound_s(samples: np.ndarray, threshold: float) -> float:
    return int(np.argmax(np.abs(samples) > threshold)) / RATE


def fixture_entry(manifest: dict, name: str) -> dict:
    return next(f for f in manifest["fixtures"] if f["file"] == name)


def test_live_session_end_to_end(virtual_audio, bank, manifest, tmp_path, transcriber):
    name = "05-peer-struggling-step-help.en-us.160.flac"
    question = ("Give me an example of when you saw a peer struggling and decided to step in "
                "and help. What's the situation and what actions did you take? What was the "
                "outcome?")
    with virtual_audio.capture_speaker(tmp_path / "speaker.wav") as heard:
        proc = start(virtual_audio, "-q", "05-peer-struggling-step-help", "--no-follow-ups")
        virtual_audio.wait_for_recording_stream(timeout_s=90)
        # how much the speaker capture held then (48 kHz int16 mono): the audio's clock, as
        # wall time runs apart from it on a loaded machine
        recording_seen_s = heard.stat().st_size / (2 * 48000)
        feeder = virtual_audio.feed_mic(FIXTURES / name)
        out, err = finish(proc)
        feeder.wait(10)
    # The question was spoken, and recording began only once it had been said.
    spoken = load_audio(heard)
    said = transcriber.transcribe(spoken).text
    assert wer(question, said) < 0.2, said  # 0.065 from the WAV on every CPU setting measured
    loud = np.flatnonzero(np.abs(spoken) > 0.01)
    question_end_s = loud[-1] / RATE
    assert loud.size and question_end_s <= recording_seen_s + 0.5
    # The answer: ended by silence, transcribed, timed like the manifest says.
    record = latest_record(bank, "05-peer-struggling-step-help")
    assert record["ended_by"] == "silence after speech" and record["input"] == "microphone"
    fx = fixture_entry(manifest, name)
    recorded = wav_samples(bank / "ownership" / record["audio"])
    offset = first_sound_s(recorded, 30) - first_sound_s(
        (load_audio(FIXTURES / name) * 32768).astype(np.int16), 30)
    got = {s["label"]: s for s in record["sections"]}
    for truth in fx["sections"]:
        sec = got[truth["label"]]
        assert abs(sec["start_s"] - offset - truth["start_s"]) <= 1.0, (sec, truth, offset)
        assert abs(sec["end_s"] - offset - truth["end_s"]) <= 1.0, (sec, truth, offset)
    script = " ".join(s["text"] for s in fx["sections"])
    assert wer(script, " ".join(w["text"] for w in record["words"])) < 0.15
    assert record["latency"]["end_to_summary_s"] > 0
    assert "Situation" in err and "Session over" in err


def test_enter_ends_the_answer(virtual_audio, bank):
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups",
                 stdin=subprocess.PIPE)
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(FIXTURES / "01-failed-at-work.en-us.160.flac")
    time.sleep(6)
    proc.stdin.write("\n")
    proc.stdin.flush()
    try:
        finish(proc, 60)
    finally:
        feeder.kill()
    record = latest_record(bank, "01-failed-at-work")
    assert record["ended_by"] == "Enter pressed"
    # Enter came 6 s into the 94 s answer; how soon the program stops after it is load
    assert 5.0 <= record["duration_s"] < 60
    assert record["words"]


def test_maximum_length_ends_the_answer(virtual_audio, bank):
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups",
                 "--max-answer", "6")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(FIXTURES / "01-failed-at-work.en-us.160.flac")
    try:
        out, err = finish(proc, 60)
    finally:
        feeder.kill()
    record = latest_record(bank, "01-failed-at-work")
    assert record["ended_by"] == "maximum length reached"
    # 6 s of audio counted; blocks still queued when it ended add more on a loaded machine
    assert 5.9 <= record["duration_s"] < 60
    assert "seconds left" in err  # the warning before the end


def test_ctrl_c_mid_answer_keeps_audio_and_transcript(virtual_audio, bank):
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(FIXTURES / "01-failed-at-work.en-us.160.flac")
    time.sleep(7)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = finish(proc, 60)
    finally:
        feeder.kill()
    record = latest_record(bank, "01-failed-at-work")
    assert record["ended_by"] == "interrupted (Ctrl-C)"
    audio = wav_samples(bank / "ownership" / record["audio"])
    assert len(audio) / RATE >= 6.0
    assert "fail" in " ".join(w["text"].lower() for w in record["words"])
    assert "Session over" in err and "Traceback" not in err


def test_follow_up_when_the_answer_has_no_learning(virtual_audio, bank, tmp_path):
    learned = tmp_path / "learned.wav"
    subprocess.run(["espeak-ng", "-w", str(learned), "What I learned is that people sometimes "
                    "just end up in the wrong role."], check=True, timeout=30)
    proc = start(virtual_audio, "-q", "05", "--no-speak")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(
        FIXTURES / "05-peer-struggling-step-help.no-learning.signposts.en-us.185.flac")
    feeder.wait(60)
    # The first recording ends on silence; then the follow-up is asked and recorded.
    deadline = time.monotonic() + 30
    while virtual_audio.recording_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    virtual_audio.wait_for_recording_stream(timeout_s=30)
    virtual_audio.feed_mic(learned).wait(30)
    out, err = finish(proc, 60)
    assert "What did you learn from it?" in err
    record = latest_record(bank, "05-peer-struggling-step-help")
    follow = record["follow_ups"][0]
    assert follow["asked_for"] == "learning"
    assert (bank / "ownership" / follow["audio"]).exists()
    learning = next(s for s in record["sections"] if s["label"] == "learning")
    assert not learning["missing"] and "learned" in learning["text"].lower()


def test_a_stalled_microphone_ends_the_answer_instead_of_hanging() -> None:
    """A stream that stops delivering blocks (sound server gone) cannot be produced on
    demand, so the listening loop gets a queue that goes quiet after one second of audio."""
    import io
    import os
    import queue

    from interviewer.endpoint import Endpointer, EndpointSettings
    from interviewer.keys import KeyReader
    from interviewer.live import MIC_STALLED, Screen, _listen
    from interviewer.settings import LiveSettings

    class Collect:
        def __init__(self) -> None:
            self.blocks: list[np.ndarray] = []

        def add(self, block: np.ndarray, is_speech: bool) -> None:
            self.blocks.append(block)

    blocks: queue.Queue[np.ndarray] = queue.Queue()
    for _ in range(10):
        blocks.put(np.full(1600, 0.2, np.float32))
    read_fd, write_fd = os.pipe()
    out = io.StringIO()
    background = Collect()
    started = time.monotonic()
    with KeyReader(read_fd) as keys:
        reason = _listen(blocks, Endpointer(EndpointSettings()), background, keys,  # type: ignore[arg-type]
                         Screen(out), [], LiveSettings(stall_s=1.0))
    os.close(write_fd)
    assert reason == MIC_STALLED
    assert time.monotonic() - started >= 1.0  # it waited the stall time (how long after: load)
    assert len(background.blocks) == 10
    assert "the microphone sent no audio for 1 s" in out.getvalue()
