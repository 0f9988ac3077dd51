"""The practice loop: the only module that sequences the steps of a turn.

One turn is speak -> think -> record (or load a file) -> transcribe -> analyse -> save, and,
live, one follow-up question whose answer joins the first. File practice
(`practice_from_file`), a live session (`LiveSession`), finishing an interrupted take and
`reanalyze` all go through the same steps here. What touches the world comes in through the
small Protocols below; `cli.py` builds the real ones (`live.py` for the microphone), and the
tests hand-written fakes.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np

from interviewer.adapters import store
from interviewer.adapters.bank import Bank
from interviewer.adapters.fileio import StorageError
from interviewer.adapters.takes import Interrupts, keep_stopped_take
from interviewer.core import analysis, star
from interviewer.core.coaching import CoachSettings
from interviewer.core.endpoint import Event
from interviewer.core.levels import SILENT_PEAK_DBFS, level_dbfs, peak_dbfs
from interviewer.core.models import (
    Question,
    Story,
    Transcript,
    Word,
    join_transcripts,
    shift_transcript,
)
from interviewer.core.pauses import find_pauses
from interviewer.core.records import Attempt
from interviewer.errors import EXIT_INTERRUPTED
from interviewer.settings import SAMPLE_RATE_HZ, LiveSettings
from interviewer.views import summary
from interviewer.views.progress import ProgressFn, TranscribeProgress

# --- what a turn needs from the world --------------------------------------------------------


class Transcribes(Protocol):
    def transcribe(
        self, audio: np.ndarray, offset_s: float = 0.0, progress: ProgressFn | None = None
    ) -> Transcript: ...

    def transcribe_blocks(
        self,
        blocks: Iterable[np.ndarray],
        total_s: float | None = None,
        offset_s: float = 0.0,
        progress: ProgressFn | None = None,
    ) -> Transcript: ...


class Speaks(Protocol):
    def say(self, text: str) -> None:
        """Speak (or show) the text; return once it has been said."""


class Shows(Protocol):
    def say(self, text: str) -> None:
        """Show one notice to the person (the screen)."""


class Records(Protocol):
    """The microphone: one answer, streamed to a WAV file as it is spoken."""

    def record(self, path: Path, story: Story | None) -> Answer:
        """Record into `path` until the answer ends (Enter, silence, maximum length, Ctrl-C,
        a full disk); transcribed as it is spoken. `story` is warmed for the STAR split."""
        ...

    def samples(self, path: Path) -> np.ndarray:
        """A recording this device made, float32 in [-1, 1] at SAMPLE_RATE_HZ."""
        ...


class Plays(Protocol):
    def play(self, samples: np.ndarray, rate_hz: int) -> None:
        """Play float32 samples; return once played."""


class Chooses(Protocol):
    def wait(self, allowed: str, default: str, timeout_s: float | None = None) -> str:
        """One key of `allowed` (`default` on Enter)."""
        ...


class Stores(Protocol):
    """Where takes are kept: the bank's attempt files (store.py), or a test's own."""

    def reserve(self, question: Question, audio_suffix: str, when: datetime) -> store.AttemptFiles:
        """Fresh file names for a take of `question`."""
        ...

    def begin(self, files: store.AttemptFiles, placeholder: dict[str, Any]) -> store.Take:
        """Publish the take's placeholder (it is unfinished until saved)."""
        ...

    def save(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        """Save a finished record over the take's placeholder."""
        ...

    def rewrite(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        """Replace a finished record (reanalyze)."""
        ...

    def copy_audio(self, source: Path, files: store.AttemptFiles) -> None:
        """Keep a copy of the answer's audio file as the take's (never replacing a file)."""
        ...

    def latest(self, question: Question) -> Attempt | None:
        """The newest saved attempt at `question`, None if there is none or it cannot be read."""
        ...

    def practised(self, question: Question) -> bool:
        """Whether any attempt at `question` is saved."""
        ...


class BankStore:
    """Stores: the attempt files beside each story (store.py)."""

    def reserve(self, question: Question, audio_suffix: str, when: datetime) -> store.AttemptFiles:
        return store.reserve(question, audio_suffix, when)

    def begin(self, files: store.AttemptFiles, placeholder: dict[str, Any]) -> store.Take:
        return store.Take.begin(files, placeholder)

    def save(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        store.save_record(files, record, markdown)

    def rewrite(self, files: store.AttemptFiles, record: dict[str, Any], markdown: str) -> None:
        store.save_record(files, record, markdown, rewrite=True)

    def copy_audio(self, source: Path, files: store.AttemptFiles) -> None:
        store.save_audio_copy(source, files.audio)

    def latest(self, question: Question) -> Attempt | None:
        paths = store.attempts_for(question)
        if not paths:
            return None
        try:
            return store.load_attempt(paths[-1])
        except Exception:  # a damaged record: reported where it is reviewed, not here
            return None

    def practised(self, question: Question) -> bool:
        return bool(store.attempts_for(question))


@dataclass(frozen=True)
class Saved:
    record: dict[str, Any]
    files: store.AttemptFiles


@dataclass
class Answer:
    """One recorded answer: why it ended, the markers pressed, and its transcript."""

    reason: str
    path: Path
    duration_s: float
    transcript: Transcript
    markers: list[tuple[float, str]] = field(default_factory=list)
    latency_s: float = 0.0
    first_block_delay_s: float = 0.0
    interrupted: bool = False


SKIPPED = "skipped"  # an answer's end reason: k pressed before anything was said
DISK_FULL = "disk full"

# --- memory and the sentence encoder ---------------------------------------------------------

LONG_RECORDING_S = 300.0


def free_whisper_after_long(duration_s: float) -> None:
    """After a recording of 5 minutes or more, free Whisper before the sentence encoder loads
    (transcribe.unload_models): together they passed 500 MB on a 30-minute file."""
    if duration_s >= LONG_RECORDING_S:
        from interviewer.adapters.transcribe import unload_models

        unload_models()


def start_loading_embedder() -> None:
    """Load the sentence-embedding model on a thread while the person speaks or the file is
    transcribed, so the STAR split does not wait for it (about 0.3 s of CPU and +108 MB)."""
    from interviewer.adapters.embeddings import load_encoder_in_background

    load_encoder_in_background()


_EMBEDDED: dict[str, np.ndarray] = {}  # text -> vector, for this process's answers
_EMBEDDED_MAX = 4000  # about 6 MB of float32 vectors; cleared whole when full


def sentence_embedder() -> star.Embed:
    """The encoder the STAR split uses (waits for a load already started, else loads it),
    each text encoded once per process, so sentences embedded while the answer was still
    being spoken (warm_embeddings) cost nothing when it ends."""
    from interviewer.adapters.embeddings import load_encoder

    encode = load_encoder().encode

    def cached(texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in _EMBEDDED]
        if todo:
            if len(_EMBEDDED) + len(todo) > _EMBEDDED_MAX:
                _EMBEDDED.clear()
            _EMBEDDED.update(zip(todo, encode(todo)))
        return np.array([_EMBEDDED[t] for t in texts], dtype=np.float32).reshape(
            len(texts), star.EMBED_DIM
        )

    return cached


def warm_embeddings(words: Sequence[Word], story: Story | None = None) -> None:
    """Embed what the STAR split will ask for, for an answer still being spoken: its finished
    sentences (all but the last, which may grow), the pairs star.features joins, and the
    written story. Run on the transcription thread, so the summary does not wait for them
    (a 170 s answer: 0.31 s from the end of the answer to its split unwarmed, 0.01 s warm)."""
    units = [u.text for u in star.split_sentences(words)[:-1]]
    texts = units + [
        f"{a} {b}" for a, b in zip(units, units[1:]) if not a.rstrip().endswith((".", "?", "!"))
    ]
    if story is not None and not story.is_empty:
        texts += [text for _, text in star.story_fragments(story)]
    if texts:
        sentence_embedder()(texts)


# --- analyse and save: every kind of turn ends here ------------------------------------------


def analyse(
    question: Question,
    transcript: Transcript,
    samples: np.ndarray | None,
    coach: CoachSettings,
    markers: Sequence[tuple[float, str]] = (),
) -> dict[str, Any]:
    """Sections, metrics and checks of a transcribed answer (analysis.analyse), with the
    pauses of its audio (`samples`, int16 or float32 at SAMPLE_RATE_HZ) when there is any."""
    pauses = [] if samples is None else find_pauses(samples, SAMPLE_RATE_HZ)
    return analysis.analyse(question, transcript, pauses, coach, markers, embed=sentence_embedder())


def attempt_record(
    question: Question,
    files: store.AttemptFiles,
    samples: np.ndarray,
    transcript: Transcript,
    coach: CoachSettings,
    when: datetime,
    markers: Sequence[tuple[float, str]] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record of a new attempt whose audio is at `files.audio`, analysed, not saved."""
    record = analysis.new_record(question, transcript, when)
    record["audio"] = files.audio.name
    record.update(analyse(question, transcript, samples, coach, markers))
    record.update(extra or {})
    record["files"] = {
        "audio": str(files.audio),
        "markdown": str(files.markdown),
        "record": str(files.record),
    }
    return record


def save_attempt(
    question: Question,
    files: store.AttemptFiles,
    record: dict[str, Any],
    stores: Stores | None = None,
) -> Saved:
    """Save the record (and its Markdown) over the take's placeholder. If it does not fit on
    the disk, the take stays unfinished (its audio and placeholder kept) and the error says so."""
    try:
        (stores or BankStore()).save(
            files, record, summary.markdown(Attempt.from_json(record), question)
        )
    except StorageError as exc:
        raise StorageError(
            f"{exc.what}; the recording is kept at {files.audio}",
            f"{exc.hint}, then {store.FINISH_HINT}",
            exc.disk_full,
        ) from exc
    return Saved(record, files)


def finish_attempt(
    question: Question,
    files: store.AttemptFiles,
    samples: np.ndarray,
    transcript: Transcript,
    coach: CoachSettings,
    when: datetime,
    markers: Sequence[tuple[float, str]] = (),
    extra: dict[str, Any] | None = None,
    stores: Stores | None = None,
) -> Saved:
    """Analyse a transcribed answer whose audio is already saved, and save the record over
    the take's placeholder (save_attempt)."""
    record = attempt_record(question, files, samples, transcript, coach, when, markers, extra)
    return save_attempt(question, files, record, stores)


# --- an answer's audio: its recordings on the answer's clock ---------------------------------


@dataclass(frozen=True)
class Clip:
    """One recording of an attempt (the answer, or a follow-up) and where it starts."""

    path: Path
    offset_s: float
    start_s: float = 0.0  # seconds of the recording before offset_s (a follow-up's wait)


def clips_of(folder: Path, record: dict[str, Any]) -> list[Clip]:
    """The recordings a record names: its answer, then each follow-up's answer."""
    clips = [Clip(folder / record.get("audio", ""), 0.0)] if record.get("audio") else []
    for f in record.get("follow_ups") or []:
        if f.get("audio"):
            clips.append(
                Clip(
                    folder / f["audio"],
                    float(f.get("offset_s", 0.0)),
                    float(f.get("audio_start_s", 0.0)),
                )
            )
    return clips


def clip_audio(clips: list[Clip]) -> list[np.ndarray] | None:
    """Each clip (int16) from its start_s, cut where the next clip begins on the answer's
    clock; None if there is none or any is missing."""
    if not clips or not all(c.path.is_file() for c in clips):
        return None
    from interviewer.adapters.audio_files import load_pcm

    parts = []
    for clip, after in zip(clips, [*clips[1:], None]):
        audio = load_pcm(clip.path)[round(clip.start_s * SAMPLE_RATE_HZ) :]
        if after is not None:
            audio = audio[: max(0, round((after.offset_s - clip.offset_s) * SAMPLE_RATE_HZ))]
        parts.append(audio)
    return parts


def joined_samples(clips: list[Clip], parts: list[np.ndarray] | None = None) -> np.ndarray | None:
    """All clips (or their audio `parts`, already read) end to end as int16, as the answer
    was analysed first; None if any is missing."""
    parts = clip_audio(clips) if parts is None else parts
    if parts is None:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def answer_samples(folder: Path, record: dict[str, Any]) -> np.ndarray | None:
    """The answer's audio on its own clock (also what play back plays), float32 in [-1, 1];
    None if missing."""
    pcm = joined_samples(clips_of(folder, record))
    return None if pcm is None else pcm.astype(np.float32) / 32768.0


def blocks_of(samples: np.ndarray, block_s: float = 10.0) -> Iterator[np.ndarray]:
    """Consecutive views of `samples` (no copies), for Transcribes.transcribe_blocks."""
    size = int(block_s * SAMPLE_RATE_HZ)
    return (samples[i : i + size] for i in range(0, len(samples), size))


def transcribe_clips(
    transcriber: Transcribes, clips: list[Clip], audio: list[np.ndarray] | None = None
) -> Transcript:
    """Each clip on the answer's clock, with a progress bar; the follow-ups' words after the
    answer's. Whisper is freed after a long recording."""
    audio = audio or clip_audio(clips) or []
    parts = []
    for c, a in zip(clips, audio):
        with TranscribeProgress(c.path.name) as bar:
            parts.append(
                transcriber.transcribe_blocks(
                    blocks_of(a), len(a) / SAMPLE_RATE_HZ, offset_s=c.offset_s, progress=bar
                )
            )
    joined = join_transcripts(parts, clips[-1].offset_s + parts[-1].duration_s)
    free_whisper_after_long(joined.duration_s)
    return joined


# --- practice from a file --------------------------------------------------------------------


def practice_from_file(
    question: Question,
    audio_path: Path,
    transcriber: Transcribes,
    speaker: Speaks,
    coach: CoachSettings,
    stores: Stores | None = None,
) -> Saved:
    """One practice turn with a recorded answer standing in for the microphone."""
    from interviewer.adapters.audio_files import load_pcm

    stores = stores or BankStore()
    # Decoded whole before anything is written (bad input fails here), as int16, and
    # transcribed from views of it: one copy of a long recording, half the size of float32.
    samples = load_pcm(audio_path)
    # The sentence encoder is loaded after transcription, not beside it: its load peaks at
    # +219 MB (embeddings.py), and when that fell on the transcription of a 30-minute file on
    # a loaded machine the process passed the 500 MB tests/test_decoding.py holds it to.
    speaker.say(question.text)
    when = datetime.now()
    files = stores.reserve(question, audio_path.suffix.lower() or ".wav", when)
    extra = {"source_audio": str(audio_path.resolve()), "input": "file"}
    with stores.begin(files, store.placeholder(question, files, when, **extra)):
        try:
            stores.copy_audio(audio_path, files)
        except (StorageError, KeyboardInterrupt) as exc:  # nothing is lost: the user's file
            files.record.unlink(missing_ok=True)  # is where it was
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise StorageError(
                f"{exc.what}; nothing was saved ({audio_path} is unchanged)",
                f"{exc.hint}, then run the command again",
                exc.disk_full,
            ) from exc
        try:
            with TranscribeProgress(audio_path.name) as bar:
                transcript = transcriber.transcribe_blocks(
                    blocks_of(samples), len(samples) / SAMPLE_RATE_HZ, progress=bar
                )
            free_whisper_after_long(transcript.duration_s)
            return finish_attempt(
                question, files, samples, transcript, coach, when, extra=extra, stores=stores
            )
        except KeyboardInterrupt:
            print(
                f"\nStopped. The take is kept, unfinished: {files.audio}\n"
                f"  {store.FINISH_HINT[0].upper()}{store.FINISH_HINT[1:]}.",
                file=sys.stderr,
            )
            raise


# --- a live session --------------------------------------------------------------------------

FOLLOW_UPS = {
    "result": "What was the outcome, in numbers if you can?",
    "learning": "What did you learn from it?",
}
MENU = "[n]ext  [r]etry  [p]lay back  [q]uit"
# Kept around the speech where a follow-up joins the answer: the wait for the follow-up is
# thinking, not answering. VAD speech spans already carry 0.4 s of padding (vad_speech_pad_ms).
JOIN_PAD_S = 0.3


def choose_questions(
    bank: Bank,
    ids: Sequence[str] | None,
    shuffle: bool,
    focus: str | None,
    count: int | None,
    seed: int | None = None,
    stores: Stores | None = None,
) -> list[Question]:
    """The questions of this session, in order: `ids` (else the bank's), shuffled, new ones
    first (`focus` "new") or the weakest first ("weak"), at most `count`."""
    stores = stores or BankStore()
    questions = [bank.find(i) for i in ids] if ids else list(bank.questions)
    if shuffle:
        random.Random(seed).shuffle(questions)
    if focus == "new":
        questions.sort(key=stores.practised)
    elif focus == "weak":
        questions.sort(key=lambda q: _weakness(stores.latest(q)), reverse=True)
    return questions[:count] if count else questions


def _weakness(latest: Attempt | None) -> float:
    """Failed checks in the latest attempt; never practised (or unreadable) counts weakest."""
    if latest is None:
        return 100.0
    return float(sum(not c.ok for c in latest.measured.checks))


def _story(question: Question) -> Story | None:
    return question.story if question.has_story else None


@dataclass
class LiveSession:
    """Questions asked out loud, answers recorded, saved and summarised, one turn each."""

    recorder: Records
    speaker: Speaks
    player: Plays
    keys: Chooses
    screen: Shows
    coach: CoachSettings
    live: LiveSettings
    interrupts: Interrupts
    stores: Stores = field(default_factory=BankStore)
    saved: list[Saved] = field(default_factory=list)
    json_out: TextIO | None = None  # --json: each saved record as one line (JSON Lines)
    stopped: bool = False  # Ctrl-C during a follow-up: saved, and the session ends
    unfinished: list[Path] = field(default_factory=list)
    interrupted: bool = False

    def __post_init__(self) -> None:
        self._printed = 0  # records already printed with --json

    def run(self, questions: list[Question]) -> int:
        """Exit code 0, or 130 when Ctrl-C ended the session (after saving what was said)."""
        start_loading_embedder()
        index = 0
        while index < len(questions) and not self.interrupted:
            question = questions[index]
            try:
                saved, interrupted = self.turn(question)
                self.interrupted = interrupted or self.stopped
                self._print_json()
                choice = "q" if self.interrupted else self.menu(saved)
            except KeyboardInterrupt:  # turn said what was kept
                self._print_json()
                self.interrupted, choice = True, "q"
            if choice == "q":
                break
            if choice != "r":
                index += 1
        self.screen.say(session_summary(self.saved, self.unfinished))
        return EXIT_INTERRUPTED if self.interrupted else 0

    def menu(self, saved: Saved | None) -> str:
        """The choice after an answer; play back shows the menu again."""
        if saved is None:
            return "n"
        while (choice := self.keys.wait("nrpq", default="n")) == "p":
            self.play(saved)
            self.screen.say(MENU)
        return choice

    def _print_json(self) -> None:
        """--json: every record saved since the last call, one line each."""
        if self.json_out is not None:
            for saved in self.saved[self._printed :]:
                print(json.dumps(saved.record, ensure_ascii=False), file=self.json_out, flush=True)
        self._printed = len(self.saved)

    def turn(self, question: Question) -> tuple[Saved | None, bool]:
        """Ask, record, save (with a follow-up if one is due); the saved attempt (None if
        skipped) and whether Ctrl-C ended it. Ctrl-C before the answer raises."""
        self.screen.say(f"\nQuestion ({question.id}): {question.text}")
        try:
            self.speaker.say(question.text)
            if self.live.think_s > 0:
                self.screen.say(f"Think for {self.live.think_s:.0f} s...")
                time.sleep(self.live.think_s)
        except KeyboardInterrupt:
            self.screen.say("Stopped before the answer was recorded: nothing to save.")
            raise
        when = datetime.now()
        files = self.stores.reserve(question, ".wav", when)
        placeholder = store.placeholder(question, files, when, input="microphone")
        with self.stores.begin(files, placeholder) as take:
            try:
                answer = self.recorder.record(files.audio, _story(question))
                if answer.reason == SKIPPED:  # nothing was said: not an attempt at all
                    files.audio.unlink(missing_ok=True)
                    files.record.unlink(missing_ok=True)
                    self.screen.say("Skipped: nothing saved.")
                    return None, False
                saved = self._finish(question, take, answer, when)
            except BaseException as exc:
                if keep_stopped_take(files, exc, self.screen):
                    self.unfinished.append(files.audio)
                raise
            finally:
                self.interrupts.listening()
        answer.interrupted = answer.interrupted or self.interrupts.stop
        self.saved.append(saved)
        self.screen.say(summary.summary(Attempt.from_json(saved.record)))
        self.screen.say(f"Saved: {files.markdown}")
        if answer.reason == Event.END_MAX.value:
            self.screen.say(
                f"The answer was stopped at the maximum length, "
                f"{self.live.max_answer_s:g} s (--max-answer sets it)."
            )
        if not answer.interrupted and not self.stopped:
            self.screen.say(MENU)
        return saved, answer.interrupted

    def _finish(
        self, question: Question, take: store.Take, answer: Answer, when: datetime
    ) -> Saved:
        """Analyse the answer; ask the follow-up it calls for, if any; save the take once."""
        files = take.files
        samples = self.recorder.samples(files.audio)
        extra = answer_extra(answer)
        record = attempt_record(
            question, files, samples, answer.transcript, self.coach, when, answer.markers, extra
        )
        label = self._follow_up_for(record, answer)
        if label is None:
            saved = save_attempt(question, files, record, self.stores)
        else:
            saved = self.follow_up(question, take, Saved(record, files), answer, when, label)
        if answer.reason == DISK_FULL:  # saved, but the next take would not fit either
            raise StorageError(
                f"disk full: the answer was cut at {answer.duration_s:.1f} s; "
                f"what was recorded is saved: {files.markdown}",
                f"free some space in {files.audio.parent} before the next take",
                disk_full=True,
            )
        return saved

    def _follow_up_for(self, record: dict[str, Any], answer: Answer) -> str | None:
        """The missing part an interviewer would ask about (Result, then Learning), if any."""
        if (
            answer.interrupted
            or answer.reason == DISK_FULL
            or self.interrupts.stop
            or not self.live.follow_ups
            or record["status"] != "ok"
        ):
            return None
        missing = [
            s["label"] for s in record["sections"] if s["missing"] and s["label"] in FOLLOW_UPS
        ]
        return missing[0] if missing else None

    def follow_up(
        self,
        question: Question,
        take: store.Take,
        first: Saved,
        answer: Answer,
        when: datetime,
        label: str,
    ) -> Saved:
        """Like an interviewer: ask once about the missing part `label`, record the answer,
        join it to the first (`first`, analysed, not yet saved) and save the take. Ctrl-C
        before the follow-up is recorded saves the first answer alone."""
        files = take.files
        prompt = FOLLOW_UPS[label]
        try:
            self.interrupts.listening()  # the answer is analysed: Ctrl-C now simply stops
            self.screen.say(f"\nFollow-up: {prompt}")
            self.speaker.say(prompt)
        except KeyboardInterrupt:
            self.saved.append(save_attempt(question, files, first.record, self.stores))
            raise
        path = files.follow_up
        asked = {"question": prompt, "asked_for": label, "audio": path.name}
        # Said in the placeholder, so a take stopped now is finished with both recordings.
        take.mark(store.placeholder(question, files, when, input="microphone", follow_ups=[asked]))
        extra_answer = self.recorder.record(path, _story(question))
        self.stopped = extra_answer.interrupted
        join = plan_join(answer.transcript, extra_answer.transcript)
        merged = join_transcripts(
            [
                answer.transcript,
                shift_transcript(extra_answer.transcript, join.offset_s - join.audio_start_s),
            ],
            join.duration_s,
        )
        rate = SAMPLE_RATE_HZ
        samples = np.concatenate(
            [
                self.recorder.samples(files.audio)[: round(join.offset_s * rate)],
                self.recorder.samples(path)[round(join.audio_start_s * rate) :],
            ]
        )
        extra = answer_extra(answer)
        extra["follow_ups"] = [
            {
                **asked,
                "offset_s": join.offset_s,
                "audio_start_s": join.audio_start_s,
                "wait_s": join.wait_s,
                "ended_by": extra_answer.reason,
            }
        ]
        return finish_attempt(
            question,
            files,
            samples,
            merged,
            self.coach,
            when,
            answer.markers,
            extra,
            self.stores,
        )

    def play(self, saved: Saved) -> None:
        """The answer as analysed: the main recording, then each follow-up's answer."""
        self.screen.say("Playing back...")
        samples = answer_samples(saved.files.audio.parent, saved.record)
        if samples is None:
            self.screen.say(
                f"Cannot play back: a recording of {saved.files.audio.name} is missing."
            )
        else:
            self.player.play(samples, SAMPLE_RATE_HZ)


@dataclass(frozen=True)
class Join:
    """Where a follow-up's answer joins the main answer on the answer's clock.

    The silences around the join (the end silence that closed the main answer, and the wait
    while the person thought about the follow-up) are thinking, not answering: they are cut,
    so length, section shares, long pauses and pace count only speech. The recordings stay
    whole on disk; `audio_start_s` says how much of the follow-up's recording was skipped."""

    offset_s: float  # answer-clock time where the follow-up's kept audio starts
    audio_start_s: float  # seconds of the follow-up recording before that (the wait), skipped
    wait_s: float  # from the end of the spoken follow-up question to the first speech
    duration_s: float  # of the joined answer


def plan_join(main: Transcript, follow: Transcript, pad_s: float = JOIN_PAD_S) -> Join:
    main_edges, follow_edges = _speech_edges(main), _speech_edges(follow)
    offset = main.duration_s if main_edges is None else min(main.duration_s, main_edges[1] + pad_s)
    if follow_edges is None:  # nothing said: the whole follow-up recording is a wait
        return Join(round(offset, 3), follow.duration_s, follow.duration_s, round(offset, 3))
    start = max(0.0, follow_edges[0] - pad_s)
    return Join(
        round(offset, 3),
        round(start, 3),
        round(follow_edges[0], 3),
        round(offset + follow.duration_s - start, 3),
    )


def _speech_edges(t: Transcript) -> tuple[float, float] | None:
    """First and last speech: words, widened by the VAD's spans (first words can start late)."""
    if not t.words:
        return None
    spans = [span for span in t.speech_spans if span[1] > span[0]]
    first = min([t.words[0].start_s, *(a for a, _ in spans[:1])])
    last = max([t.words[-1].end_s, *(b for _, b in spans[-1:])])
    return first, last


def answer_extra(answer: Answer) -> dict[str, Any]:
    """What a live answer adds to its record: how it ended, the wait before the first word,
    the latency from its end to its transcript."""
    edges = _speech_edges(answer.transcript)  # the time before the first word is thinking
    return {
        "input": "microphone",
        "ended_by": answer.reason,
        "wait_s": round(edges[0], 3) if edges else answer.duration_s,
        "latency": {
            "end_to_summary_s": answer.latency_s,
            "first_block_delay_s": round(answer.first_block_delay_s, 3),
        },
    }


def session_summary(saved: list[Saved], unfinished: Sequence[Path] = ()) -> str:
    kept = "".join(f"\n  kept unfinished: {p}" for p in unfinished)
    if not saved:
        return (
            "Session over: no answers finished." + kept
            if unfinished
            else "Session over: no answers recorded."
        )
    lines = [f"\nSession over: {len(saved)} answer{'' if len(saved) == 1 else 's'}.{kept}"]
    for s in saved:
        m = s.record["metrics"]
        lines.append(
            f"  {s.record['question_id']:<40} {m.get('answer_s', 0):>6.1f} s  "
            f"{m.get('wpm', 0):>4.0f} wpm  {s.record['status']}"
        )
    return "\n".join(lines)


# --- the microphone check --------------------------------------------------------------------


class Checks(Protocol):
    """What a microphone check needs of the audio devices."""

    def record_for(self, path: Path, seconds: float) -> bool:
        """Record `seconds` into the WAV `path`; True if the device sent only zeros."""
        ...

    def samples(self, path: Path) -> np.ndarray:
        """The recording, float32 in [-1, 1]."""
        ...

    def play_file(self, path: Path) -> None:
        """Play a WAV; return once played."""
        ...


@dataclass(frozen=True)
class MicCheck:
    peak_dbfs: float
    rms_dbfs: float
    path: Path
    all_zero: bool = False

    @property
    def silent(self) -> bool:
        """Nothing came in: all zeros, or no sample as loud as one 16-bit step."""
        return self.all_zero or self.peak_dbfs <= SILENT_PEAK_DBFS


def mic_check(devices: Checks, seconds: float = 3.0, path: Path | None = None) -> MicCheck:
    """Record a few seconds, play them back, and report the levels.

    Without `path` the recording lives in a temporary folder removed afterwards: a check
    leaves nothing behind."""
    if path is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="interviewer-mic-") as folder:
            return mic_check(devices, seconds, Path(folder) / "check.wav")
    all_zero = devices.record_for(path, seconds)
    samples = devices.samples(path)
    peak = peak_dbfs(samples)
    if peak > SILENT_PEAK_DBFS:  # playing back silence would only add a wait
        devices.play_file(path)
    return MicCheck(peak, level_dbfs(samples), path, all_zero)
