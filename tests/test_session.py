"""The Turn pipeline (session.py) with hand-written fakes of its own Protocols: a speaker that
keeps what it was asked to say, a microphone that "records" a known WAV and its words, a
transcriber that returns known words, keys that press a script, and the bank's attempt files
in a temporary bank (conftest) behind a store that counts its writes."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interviewer.adapters import store
from interviewer.adapters.bank import load_bank, load_coach_settings
from interviewer.adapters.fileio import StorageError
from interviewer.adapters.takes import Interrupts
from interviewer.core.models import Question, Story, Transcript, Word
from interviewer.core.records import Attempt, Check, Metrics
from interviewer.session import (
    DISK_FULL,
    FOLLOW_UPS,
    MENU,
    SKIPPED,
    Answer,
    BankStore,
    LiveSession,
    Saved,
    choose_questions,
    mic_check,
    practice_from_file,
)
from interviewer.settings import SAMPLE_RATE_HZ, LiveSettings
from interviewer.views.progress import ProgressFn
from tests.conftest import FIXTURES

RATE = SAMPLE_RATE_HZ
Q05 = "05-peer-struggling-step-help"
NO_LEARNING = f"{Q05}.no-learning.signposts.en-us.185.flac"
LEARNED = "What I learned is that people sometimes just end up in the wrong role."


# --- fakes ----------------------------------------------------------------------------------


def words_of(sentences: Iterable[tuple[str, float, float]]) -> tuple[Word, ...]:
    """Each sentence's words spread evenly over its (start_s, end_s)."""
    out: list[Word] = []
    for text, start, end in sentences:
        parts = text.split()
        step = (end - start) / len(parts)
        out += [
            Word(w, round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3))
            for i, w in enumerate(parts)
        ]
    return tuple(out)


def transcript_of(
    sentences: Iterable[tuple[str, float, float]], duration_s: float, model: str = "fake"
) -> Transcript:
    words = words_of(sentences)
    spans = ((words[0].start_s, words[-1].end_s),) if words else ()
    speech = sum(b - a for a, b in spans)
    return Transcript(words, duration_s, speech, model, spans)


def no_learning_answer() -> Transcript:
    """The 05 fixture's script (a signposted answer with no Learning), at its true times."""
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    entry = next(f for f in manifest["fixtures"] if f["file"] == NO_LEARNING)
    sentences = [(s["text"], s["start_s"], s["end_s"]) for s in entry["sentences"]]
    return transcript_of(sentences, entry["duration_s"])


def write_wav(path: Path, transcript: Transcript) -> Path:
    """A WAV as long as the transcript: a quiet tone where its words are, silence between."""
    samples = np.zeros(round(transcript.duration_s * RATE), np.float32)
    t = np.arange(len(samples)) / RATE
    for w in transcript.words:
        a, b = round(w.start_s * RATE), round(w.end_s * RATE)
        samples[a:b] = 0.3 * np.sin(2 * np.pi * 220 * t[a:b])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768


class Speaker:
    def __init__(self, stop_at: int | None = None) -> None:
        self.said: list[str] = []
        self.stop_at = stop_at  # Ctrl-C while saying this one (0 = the question)

    def say(self, text: str) -> None:
        if self.stop_at == len(self.said):
            raise KeyboardInterrupt
        self.said.append(text)


class Screen:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Keys:
    def __init__(self, *presses: str) -> None:
        self.presses = list(presses)

    def wait(self, allowed: str, default: str, timeout_s: float | None = None) -> str:
        key = self.presses.pop(0) if self.presses else default
        assert key in allowed
        return key


class Player:
    def __init__(self) -> None:
        self.played: list[np.ndarray] = []

    def play(self, samples: np.ndarray, rate_hz: int) -> None:
        assert rate_hz == RATE
        self.played.append(samples)


class Microphone:
    """Each answer in turn: its words and how it ended; its WAV is written where asked.
    An answer given as an exception is raised after its audio is written (Ctrl-C twice)."""

    def __init__(self, *answers: tuple[Transcript, str] | BaseException) -> None:
        self.answers = list(answers)
        self.paths: list[Path] = []
        self.stories: list[Story | None] = []

    def record(self, path: Path, story: Story | None) -> Answer:
        self.paths.append(path)
        self.stories.append(story)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            write_wav(path, transcript_of([("so I", 0.5, 1.0)], 2.0))
            raise answer
        transcript, reason = answer
        write_wav(path, transcript)
        interrupted = reason.startswith("interrupted")
        return Answer(reason, path, transcript.duration_s, transcript, interrupted=interrupted)

    def samples(self, path: Path) -> np.ndarray:
        return read_wav(path)


class Transcriber:
    """Known words for any audio; counts its calls."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.calls = 0

    def transcribe(
        self, audio: np.ndarray, offset_s: float = 0.0, progress: ProgressFn | None = None
    ) -> Transcript:
        self.calls += 1
        return self.transcript

    def transcribe_blocks(
        self,
        blocks: Iterable[np.ndarray],
        total_s: float | None = None,
        offset_s: float = 0.0,
        progress: ProgressFn | None = None,
    ) -> Transcript:
        samples = sum(len(b) for b in blocks)
        assert total_s == pytest.approx(samples / RATE)
        return self.transcribe(np.zeros(0), offset_s, progress)


class CountingStore(BankStore):
    """The bank's attempt files, each save counted."""

    def __init__(self) -> None:
        self.saves: list[Path] = []
        self.rewrites: list[Path] = []

    def save(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        self.saves.append(files.record)
        super().save(files, record, markdown)

    def rewrite(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        self.rewrites.append(files.record)
        super().rewrite(files, record, markdown)


def question(query: str) -> Question:
    return load_bank().find(query)


def session(
    mic: Microphone,
    speaker: Speaker | None = None,
    keys: Keys | None = None,
    follow_ups: bool = True,
    stores: CountingStore | None = None,
) -> LiveSession:
    screen = Screen()
    return LiveSession(
        mic,
        speaker or Speaker(),
        Player(),
        keys or Keys(),
        screen,
        load_coach_settings(load_bank().root),
        LiveSettings(follow_ups=follow_ups),
        Interrupts(screen),
        stores or CountingStore(),
    )


def records(q: Question) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in store.attempts_for(q)]


ANSWER_01 = transcript_of(
    [
        ("I failed to ship the billing release on time last spring.", 0.6, 4.0),
        ("I had to own the slip and tell the customers.", 4.6, 7.5),
        ("So I wrote a new plan and cut the scope with the team.", 8.2, 12.0),
        ("We shipped two weeks later and kept every customer.", 12.6, 15.5),
        ("I learned to set expectations early.", 16.2, 18.5),
    ],
    21.0,
)


# --- practice from a file -------------------------------------------------------------------


def test_practice_from_a_file_says_the_question_transcribes_analyses_and_saves(
    tmp_path: Path,
) -> None:
    q = question("01")
    audio = write_wav(tmp_path / "answer.wav", ANSWER_01)
    speaker, stores = Speaker(), CountingStore()
    saved = practice_from_file(
        q, audio, Transcriber(ANSWER_01), speaker, load_coach_settings(q.path.parent), stores
    )
    assert speaker.said == [q.text]
    assert stores.saves == [saved.files.record]
    on_disk = json.loads(saved.files.record.read_text())
    assert on_disk["status"] == "ok" and on_disk["input"] == "file"
    assert on_disk["source_audio"] == str(audio.resolve())
    assert [w["text"] for w in on_disk["words"]] == [w.text for w in ANSWER_01.words]
    assert saved.files.audio.read_bytes() == audio.read_bytes()  # a copy beside the story
    assert "billing release" in saved.files.markdown.read_text()


def test_practice_from_a_file_stopped_while_transcribing_keeps_the_take(tmp_path: Path) -> None:
    class Stopped(Transcriber):
        def transcribe(self, *_: Any, **__: Any) -> Transcript:
            raise KeyboardInterrupt

    q = question("01")
    audio = write_wav(tmp_path / "answer.wav", ANSWER_01)
    with pytest.raises(KeyboardInterrupt):
        practice_from_file(
            q, audio, Stopped(ANSWER_01), Speaker(), load_coach_settings(q.path.parent)
        )
    (kept,) = records(q)
    assert store.is_unfinished(kept)


# --- a live turn ----------------------------------------------------------------------------


def test_a_live_turn_asks_records_saves_and_shows_the_menu() -> None:
    q = question("01")
    mic, speaker, stores = Microphone((ANSWER_01, "silence")), Speaker(), CountingStore()
    live = session(mic, speaker, Keys("q"), stores=stores)
    assert live.run([q]) == 0
    assert speaker.said == [q.text]
    assert mic.stories == [q.story]  # warmed for the STAR split
    (record,) = records(q)
    assert record["status"] == "ok" and record["ended_by"] == "silence"
    assert record["input"] == "microphone" and record["wait_s"] == 0.6
    assert stores.saves == [store.attempts_for(q)[0]]  # saved once
    screen = live.screen.text  # type: ignore[attr-defined]
    assert "Saved:" in screen and MENU in screen and "Session over: 1 answer." in screen


def test_a_follow_up_is_asked_joined_to_the_answer_and_saved_once() -> None:
    q = question(Q05)
    follow = transcript_of([(LEARNED, 3.0, 7.0)], 10.0)
    mic = Microphone((no_learning_answer(), "silence"), (follow, "silence"))
    speaker, stores = Speaker(), CountingStore()
    live = session(mic, speaker, Keys("n"), stores=stores)
    assert live.run([q]) == 0
    assert speaker.said == [q.text, FOLLOW_UPS["learning"]]
    main, extra = mic.paths
    assert extra == store.files_for(main.with_suffix(".json")).follow_up
    (record,) = records(q)
    assert len(stores.saves) == 1  # not saved, then deleted and saved again
    f = record["follow_ups"][0]
    assert f["asked_for"] == "learning" and f["audio"] == extra.name
    assert f["wait_s"] == 3.0 and f["audio_start_s"] == 2.7  # JOIN_PAD_S before the speech
    learning = next(s for s in record["sections"] if s["label"] == "learning")
    assert not learning["missing"] and "learned" in learning["text"].lower()
    assert record["words"][-1]["text"] == "role."


def test_no_follow_up_when_turned_off_or_the_answer_was_stopped() -> None:
    q = question(Q05)
    for follow_ups, reason in ((False, "silence"), (True, "interrupted (Ctrl-C)")):
        speaker = Speaker()
        live = session(Microphone((no_learning_answer(), reason)), speaker, follow_ups=follow_ups)
        live.run([q])
        assert speaker.said == [q.text]
    assert len(records(q)) == 2


def test_ctrl_c_mid_answer_saves_what_was_said_and_ends_the_session() -> None:
    q = question("01")
    live = session(Microphone((ANSWER_01, "interrupted (Ctrl-C)")), keys=Keys())
    assert live.run([q, question("02")]) == 130  # the second question is not asked
    (record,) = records(q)
    assert record["status"] == "ok" and record["ended_by"] == "interrupted (Ctrl-C)"
    assert MENU not in live.screen.text  # type: ignore[attr-defined]


def test_ctrl_c_twice_mid_answer_keeps_the_take_unfinished_and_says_where() -> None:
    q = question("01")
    live = session(Microphone(KeyboardInterrupt()))
    assert live.run([q]) == 130
    (record,) = records(q)
    assert store.is_unfinished(record)
    assert live.unfinished == [store.attempts_for(q)[0].with_suffix(".wav")]
    screen = live.screen.text  # type: ignore[attr-defined]
    assert "kept, unfinished" in screen and "kept unfinished:" in screen


def test_ctrl_c_while_the_follow_up_is_asked_saves_the_answer_alone() -> None:
    q = question(Q05)
    speaker, stores = Speaker(stop_at=1), CountingStore()
    mic = Microphone((no_learning_answer(), "silence"))
    live = session(mic, speaker, stores=stores)
    assert live.run([q]) == 130
    (record,) = records(q)
    assert record["status"] == "ok" and "follow_ups" not in record
    assert len(mic.paths) == 1 and len(stores.saves) == 1
    assert "Session over: 1 answer." in live.screen.text  # type: ignore[attr-defined]


def test_ctrl_c_during_the_follow_up_answer_saves_both_and_ends() -> None:
    q = question(Q05)
    follow = transcript_of([(LEARNED, 1.0, 5.0)], 6.0)
    mic = Microphone((no_learning_answer(), "silence"), (follow, "interrupted (Ctrl-C)"))
    live = session(mic, keys=Keys())
    assert live.run([q]) == 130
    (record,) = records(q)
    assert record["follow_ups"][0]["ended_by"] == "interrupted (Ctrl-C)"
    assert MENU not in live.screen.text  # type: ignore[attr-defined]


def test_k_skips_and_saves_nothing() -> None:
    q = question("01")
    live = session(Microphone((transcript_of([], 16.0), SKIPPED)))
    assert live.run([q]) == 0
    assert records(q) == [] and not list(q.path.parent.glob("01-*.wav"))
    assert "Skipped: nothing saved." in live.screen.text  # type: ignore[attr-defined]


def test_a_full_disk_saves_what_was_recorded_and_says_so() -> None:
    q = question(Q05)
    live = session(Microphone((no_learning_answer(), DISK_FULL)))
    with pytest.raises(StorageError, match="disk full: the answer was cut"):
        live.run([q])
    (record,) = records(q)
    assert record["status"] == "ok" and "follow_ups" not in record  # no follow-up either


def test_play_back_plays_the_answer_then_shows_the_menu_again() -> None:
    q = question("01")
    live = session(Microphone((ANSWER_01, "silence")), keys=Keys("p", "q"))
    assert live.run([q]) == 0
    (played,) = live.player.played  # type: ignore[attr-defined]
    assert len(played) == round(ANSWER_01.duration_s * RATE)
    assert live.screen.text.count(MENU) == 2  # type: ignore[attr-defined]


def test_retry_asks_the_same_question_again() -> None:
    q = question("01")
    speaker = Speaker()
    live = session(Microphone((ANSWER_01, "silence"), (ANSWER_01, "silence")), speaker)
    live.keys = Keys("r", "q")
    assert live.run([q]) == 0
    assert speaker.said == [q.text, q.text] and len(records(q)) == 2


def test_the_saved_record_is_what_json_prints(tmp_path: Path) -> None:
    import io

    out = io.StringIO()
    live = session(Microphone((ANSWER_01, "silence")), keys=Keys("q"))
    live.json_out = out
    live.run([question("01")])
    (saved,) = live.saved
    assert isinstance(saved, Saved)
    assert json.loads(out.getvalue()) == json.loads(saved.files.record.read_text())


# --- the microphone check -------------------------------------------------------------------


class CheckDevices:
    def __init__(self, level: float, zeros: bool = False) -> None:
        self.level, self.zeros = level, zeros
        self.played: list[Path] = []
        self.recorded: list[tuple[Path, float]] = []

    def record_for(self, path: Path, seconds: float) -> bool:
        self.recorded.append((path, seconds))
        t = np.arange(round(seconds * RATE)) / RATE
        samples = (self.level * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1), out.setsampwidth(2), out.setframerate(RATE)
            out.writeframes(samples.tobytes())
        return self.zeros

    def samples(self, path: Path) -> np.ndarray:
        return read_wav(path)

    def play_file(self, path: Path) -> None:
        assert path.is_file()
        self.played.append(path)


def test_mic_check_records_plays_back_and_measures(tmp_path: Path) -> None:
    devices = CheckDevices(0.5)
    check = mic_check(devices, 2.0)
    assert check.peak_dbfs == pytest.approx(-6.0, abs=0.1) and not check.silent
    assert devices.played == [check.path] and devices.recorded == [(check.path, 2.0)]
    assert not check.path.exists()  # the temporary folder is gone


def test_mic_check_does_not_play_back_silence(tmp_path: Path) -> None:
    devices = CheckDevices(0.0, zeros=True)
    check = mic_check(devices, 1.0, tmp_path / "check.wav")
    assert check.silent and check.all_zero and devices.played == []
    assert check.path.is_file()  # a path given is kept


class AttemptsSeen(BankStore):
    """Stores whose saved attempts are given: question id -> its latest attempt."""

    def __init__(self, latest: dict[str, Attempt]) -> None:
        self._latest = latest

    def latest(self, question: Question) -> Attempt | None:
        return self._latest.get(question.id)

    def practised(self, question: Question) -> bool:
        return question.id in self._latest


def test_questions_chosen_new_first_or_weakest_first_from_the_store() -> None:
    bank = load_bank()
    ids = [q.id for q in bank.questions][:3]
    failed = [Check(name="wpm", ok=False), Check(name="action_share", ok=False)]
    seen = {
        ids[0]: Attempt(status="ok", metrics=Metrics(checks=failed[:1])),
        ids[1]: Attempt(status="ok", metrics=Metrics(checks=failed)),
    }
    stores = AttemptsSeen(seen)
    new_first = choose_questions(bank, ids, False, "new", None, stores=stores)
    assert [q.id for q in new_first] == [ids[2], ids[0], ids[1]]
    weak_first = choose_questions(bank, ids, False, "weak", 2, stores=stores)
    assert [q.id for q in weak_first] == [ids[2], ids[1]]  # never practised counts weakest
    assert [q.id for q in choose_questions(bank, ids, False, None, None, stores=stores)] == ids
