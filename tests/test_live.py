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

from interviewer.adapters.audio_files import load_audio
from tests.audio_server import Practice
from tests.conftest import FIXTURES, next_start
from tests.wer_tools import wer

pytestmark = pytest.mark.audio
RATE = 16000


def start(virtual_audio, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "interviewer", "practice", *args],
        env=virtual_audio.child_env(),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout_s: float = 120, code: int = 0) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"session hung:\n{out}\n{err}") from None
    assert proc.returncode == code, err
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
    question = (
        "Give me an example of when you saw a peer struggling and decided to step in "
        "and help. What's the situation and what actions did you take? What was the "
        "outcome?"
    )
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
        (load_audio(FIXTURES / name) * 32768).astype(np.int16), 30
    )
    got = {s["label"]: s for s in record["sections"]}
    for truth in fx["sections"]:
        sec = got[truth["label"]]
        assert abs(sec["start_s"] - offset - truth["start_s"]) <= 1.0, (sec, truth, offset)
        after = next_start(fx["sections"], truth["label"])  # parts tile the answer
        assert truth["end_s"] - 1.0 <= sec["end_s"] - offset <= after + 1.0, (sec, truth, offset)
    script = " ".join(s["text"] for s in fx["sections"])
    assert wer(script, " ".join(w["text"] for w in record["words"])) < 0.15
    assert record["latency"]["end_to_summary_s"] > 0
    assert "Situation" in err and "Session over" in err


def test_enter_ends_the_answer(virtual_audio, bank):
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups", stdin=subprocess.PIPE)
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
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups", "--max-answer", "6")
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
    assert "stopped at the maximum length, 6 s" in err  # and the cut is said, not only saved


def test_ctrl_c_mid_answer_keeps_audio_and_transcript(virtual_audio, bank):
    proc = start(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(FIXTURES / "01-failed-at-work.en-us.160.flac")
    time.sleep(7)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = finish(proc, 60, code=130)  # saved, but the user interrupted
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
    subprocess.run(
        [
            "espeak-ng",
            "-w",
            str(learned),
            "What I learned is that people sometimes just end up in the wrong role.",
        ],
        check=True,
        timeout=30,
    )
    proc = start(virtual_audio, "-q", "05", "--no-speak")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(
        FIXTURES / "05-peer-struggling-step-help.no-learning.signposts.en-us.185.flac"
    )
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

    from interviewer.adapters.keys import KeyReader
    from interviewer.core.endpoint import Endpointer, EndpointSettings
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
        reason = _listen(
            blocks,
            Endpointer(EndpointSettings()),
            background,
            keys,  # type: ignore[arg-type]
            Screen(out),
            [],
            LiveSettings(stall_s=1.0),
        )
    os.close(write_fd)
    assert reason == MIC_STALLED
    assert time.monotonic() - started >= 1.0  # it waited the stall time (how long after: load)
    assert len(background.blocks) == 10
    assert "the microphone sent no audio for 1 s" in out.getvalue()


# --- menus, follow-ups, --json and Ctrl-C (issue 9, section 7) --------------------------------

MENU = "[n]ext  [r]etry  [p]lay back  [q]uit"


def with_leading_silence(tmp_path: Path, text: str, silence_s: float) -> Path:
    spoken, padded = tmp_path / "spoken.wav", tmp_path / "padded.wav"
    subprocess.run(["espeak-ng", "-w", str(spoken), text], check=True, timeout=30)
    subprocess.run(
        ["sox", str(spoken), "-r", "16000", "-c", "1", str(padded), "pad", str(silence_s), "0"],
        check=True,
        timeout=30,
    )
    return padded


@pytest.fixture(scope="module")
def follow_up_session(_audio_daemon, tmp_path_factory):
    """One live session over a question whose answer has no Learning: the follow-up is
    answered after an 8 s wait, then `p` plays the answer back and `q` quits (with --json)."""
    from tests.conftest import ROOT

    _audio_daemon.ensure_running()
    tmp = tmp_path_factory.mktemp("follow-up")
    bank = tmp / "questions"
    import shutil

    shutil.copytree(ROOT / "questions", bank)
    learned = with_leading_silence(
        tmp, "What I learned is that people sometimes just end up in the wrong role.", 8.0
    )
    session = Practice(
        _audio_daemon,
        *("-q", "05", "--no-speak", "--json"),
        bank=bank,
        env={"INTERVIEWER_CACHE": str(tmp / "cache")},
    )
    main = FIXTURES / "05-peer-struggling-step-help.no-learning.signposts.en-us.185.flac"
    try:
        _audio_daemon.wait_for_recording_stream(timeout_s=90)
        _audio_daemon.feed_mic(main).wait(60)
        session.wait_for("Follow-up:")
        _audio_daemon.wait_for_recording_stream(timeout_s=30)
        _audio_daemon.feed_mic(learned).wait(30)
        session.wait_for(MENU)
        with _audio_daemon.capture_speaker(tmp / "heard.wav") as heard:
            session.press("p")
            session.wait_for(MENU, count=2, timeout_s=180)  # the menu comes back after playback
        session.press("q")
        code = session.finish()
    finally:
        if session.proc.poll() is None:
            session.proc.kill()
    return {
        "code": code,
        "screen": session.screen,
        "stdout": "".join(session.out),
        "record": latest_record(bank, "05-peer-struggling-step-help"),
        "heard": heard,
        "main_s": len(load_audio(main)) / RATE,
        "learned_s": len(load_audio(learned)) / RATE - 8,
    }


def test_play_back_plays_the_answer_and_its_follow_up_then_shows_the_menu_again(
    follow_up_session, transcriber
):
    s = follow_up_session
    assert s["code"] == 0, s["screen"]
    assert s["screen"].count(MENU) == 2 and "Playing back" in s["screen"]
    played = load_audio(s["heard"])
    heard = transcriber.transcribe(played).text.lower()
    assert "direct report" in heard, heard  # the main answer
    assert "what i learned is that people" in heard, heard  # and the follow-up
    # ...without the 8 s wait before the follow-up was answered
    from interviewer.core.pauses import find_pauses

    loud = np.flatnonzero(np.abs(played) > 0.01)
    assert not find_pauses(played[loud[0] : loud[-1]], RATE, min_pause_s=4.0)


def test_the_wait_before_a_follow_up_answer_is_not_answer_time(follow_up_session):
    record = follow_up_session["record"]
    follow = record["follow_ups"][0]
    assert follow["asked_for"] == "learning"
    assert 7.0 <= follow["wait_s"] <= 10.0, follow  # the 8 s of silence before speaking
    assert 0.0 <= record["wait_s"] < 3.0  # fed as soon as the recording started
    m = record["metrics"]
    # before: the wait and the end silence (3 s + 8 s) were one "long pause" inside the answer
    assert all(p["duration_s"] < 4.0 for p in m["long_pauses"]), m["long_pauses"]
    words = record["words"]
    learned_at = next(w["start_s"] for w in words if "learned" in w["text"].lower())
    before = max(w["end_s"] for w in words if w["start_s"] < learned_at)
    assert learned_at - before < 2.5, (before, learned_at)
    # the answer's length is its speech: both recordings, without the wait between them
    spoken_s = follow_up_session["main_s"] + follow_up_session["learned_s"]
    assert m["answer_s"] <= spoken_s + 2.5, (m["answer_s"], spoken_s)


def test_json_prints_each_saved_record_on_stdout_in_a_live_session(follow_up_session):
    lines = follow_up_session["stdout"].splitlines()
    assert len(lines) == 1, follow_up_session["stdout"][:500]  # JSON Lines: one per attempt
    printed = json.loads(lines[0])
    saved = follow_up_session["record"]
    assert printed["files"]["record"].endswith(".json")
    assert printed["words"] == saved["words"] and printed["follow_ups"] == saved["follow_ups"]
    assert "Session over" in follow_up_session["screen"]  # the screen stays on stderr


def test_ctrl_c_while_thinking_exits_130_with_the_summary(virtual_audio):
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--think", "600")
    session.wait_for("Think for")
    session.proc.send_signal(signal.SIGINT)
    assert session.finish(60) == 130
    assert "Session over" in session.screen and "Traceback" not in session.screen


def test_ctrl_c_at_the_menu_exits_130_with_the_summary(virtual_audio, bank, tmp_path):
    answer = with_leading_silence(tmp_path, "I failed to ship the release on time.", 0.5)
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    virtual_audio.feed_mic(answer).wait(30)
    session.wait_for(MENU)
    session.proc.send_signal(signal.SIGINT)
    assert session.finish(60) == 130
    assert "Session over: 1 answer." in session.screen, session.screen
    assert latest_record(bank, "01-failed-at-work")["words"]


def test_mic_check_says_plainly_that_a_silent_microphone_sends_nothing(
    virtual_audio, tmp_path, monkeypatch, capsys
):
    """Nothing is fed to the virtual microphone: it delivers digital silence."""
    import tempfile

    from interviewer.cli import main

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(["mic-check", "--seconds", "1"]) == 1
    out = capsys.readouterr()
    errors = [line for line in out.err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "sends nothing" in errors[0] and "muted" in errors[0]
    assert "peak -120.0 dBFS" in out.out
    assert list(tmp_path.iterdir()) == []  # its recording is not left in the temp folder


def test_mic_check_leaves_nothing_in_the_temp_folder(virtual_audio, tmp_path):
    """A check that works, and one stopped with Ctrl-C, both clean up after themselves."""
    tone = tmp_path / "tone.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            str(tone),
            "synth",
            "1",
            "sine",
            "440",
            "vol",
            "0.5",
        ],
        check=True,
        timeout=30,
    )
    temp = tmp_path / "temp"
    temp.mkdir()
    env = virtual_audio.child_env(TMPDIR=str(temp))
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "mic-check", "--seconds", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    virtual_audio.wait_for_recording_stream(timeout_s=60)
    virtual_audio.feed_mic(tone).wait(10)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Level: peak" in out and list(temp.iterdir()) == []
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "mic-check", "--seconds", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    virtual_audio.wait_for_recording_stream(timeout_s=60)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err
    assert list(temp.iterdir()) == []


def test_ctrl_c_during_the_follow_up_saves_both_and_exits_130(virtual_audio, bank):
    session = Practice(virtual_audio, "-q", "05", "--no-speak")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    virtual_audio.feed_mic(
        FIXTURES / "05-peer-struggling-step-help.no-learning.signposts.en-us.185.flac"
    ).wait(60)
    session.wait_for("Follow-up:")
    virtual_audio.wait_for_recording_stream(timeout_s=30)
    session.proc.send_signal(signal.SIGINT)
    assert session.finish(60) == 130
    assert "Session over: 1 answer." in session.screen and MENU not in session.screen
    record = latest_record(bank, "05-peer-struggling-step-help")
    assert record["follow_ups"][0]["ended_by"] == "interrupted (Ctrl-C)"
    assert "direct report" in " ".join(w["text"].lower() for w in record["words"])


def test_a_follow_up_joins_the_answer_without_the_silences_around_it() -> None:
    """Pure: the join keeps JOIN_PAD_S around the speech and skips the wait in between."""
    from interviewer.core.models import Transcript, Word
    from interviewer.session import JOIN_PAD_S, plan_join

    main = Transcript(
        (Word("I", 1.0, 1.2), Word("did", 1.3, 9.0)), 13.0, 8.0, speech_spans=((0.6, 9.4),)
    )
    follow = Transcript(
        (Word("We", 20.5, 20.8), Word("learned", 20.9, 22.0)),
        26.0,
        1.5,
        speech_spans=((20.1, 22.4),),
    )
    join = plan_join(main, follow)
    assert join.offset_s == round(9.4 + JOIN_PAD_S, 3)  # the end silence is cut
    assert join.audio_start_s == round(20.1 - JOIN_PAD_S, 3)  # so is the wait
    assert join.wait_s == 20.1
    assert join.duration_s == round(join.offset_s + 26.0 - join.audio_start_s, 3)
    silent = plan_join(main, Transcript((), 15.0, 0.0))
    assert silent.wait_s == 15.0 and silent.duration_s == silent.offset_s


def test_play_back_and_reanalysis_skip_the_follow_up_wait(tmp_path) -> None:
    """The answer's audio on its clock: the main recording up to the follow-up's offset_s,
    then the follow-up's recording from audio_start_s (older records: both whole)."""
    from interviewer.session import answer_samples

    def wav(name: str, values: list[float]) -> None:
        data = np.repeat(np.array(values, np.float32), RATE)  # one value per second
        with wave.open(str(tmp_path / name), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
            w.writeframes((data * 32767).astype("<i2").tobytes())

    wav("a.wav", [0.5, 0.5, 0.5, 0.0, 0.0])  # 3 s answered, 2 s end silence
    wav("f.wav", [0.0, 0.0, 0.0, 0.0, 0.25, 0.25])  # 4 s wait, 2 s answered
    record = {
        "audio": "a.wav",
        "follow_ups": [{"audio": "f.wav", "offset_s": 3.0, "audio_start_s": 4.0}],
    }
    played = answer_samples(tmp_path, record)
    assert played is not None and len(played) == 5 * RATE
    assert np.all(np.abs(played) > 0.2)  # no silence left between the two answers
    record["follow_ups"][0] = {"audio": "f.wav", "offset_s": 5.0}
    assert len(answer_samples(tmp_path, record)) == 11 * RATE


def test_the_report_player_seeks_a_follow_up_past_its_wait(tmp_path) -> None:
    """The HTML player maps the answer clock to the follow-up file with data-origin."""
    from interviewer.core.records import Attempt
    from interviewer.views.report import audio_html

    for name in ("a.wav", "f.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    record = {
        "audio": "a.wav",
        "follow_ups": [
            {"audio": "f.wav", "offset_s": 30.0, "audio_start_s": 8.5, "question": "Q?"}
        ],
    }
    html = audio_html(tmp_path / "x.json", Attempt.from_json(record), tmp_path)
    assert 'data-offset="30" data-origin="21.5"' in html
    assert 'data-offset="0" data-origin="0"' in html


def test_k_skips_a_question_and_saves_nothing(virtual_audio, bank):
    """The README: k skips a question you have not started. It had saved a 'no speech
    detected' attempt, counted as a try and by --focus."""
    proc = start(virtual_audio, "-q", "11", "--no-speak", "--no-follow-ups", stdin=subprocess.PIPE)
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    assert proc.stdin is not None
    proc.stdin.write("k")
    proc.stdin.flush()
    out, err = finish(proc, 60)
    assert "Skipped: nothing saved." in err
    assert not list(bank.glob("*/11-*.attempt-*")), err
