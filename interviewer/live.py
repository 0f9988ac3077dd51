"""The live session at a desk: speak the question, record the answer, transcribe, coach.

It never talks over the person (recording starts when the question has finished playing),
never cuts them off while they think (3 s of silence after speech by default), and never
loses what they said (the recorder streams to disk; Ctrl-C saves and transcribes; a take
interrupted harder stays visible as unfinished and is finished at the next start).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import queue
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from interviewer.adapters import store
from interviewer.adapters.audio_files import read_recording
from interviewer.adapters.bank import Bank
from interviewer.adapters.chunker import BackgroundTranscriber
from interviewer.adapters.fileio import StorageError
from interviewer.adapters.keys import KeyReader
from interviewer.adapters.speech import Speaker
from interviewer.adapters.takes import Interrupts, keep_stopped_take
from interviewer.core.coaching import CoachSettings
from interviewer.core.endpoint import Endpointer, EndpointSettings, Event
from interviewer.core.levels import level_dbfs
from interviewer.core.models import (
    LABELS,
    Question,
    Story,
    Transcript,
    join_transcripts,
    shift_transcript,
)
from interviewer.core.records import Attempt
from interviewer.errors import EXIT_INTERRUPTED
from interviewer.session import Saved, finish_attempt, start_loading_embedder, warm_embeddings
from interviewer.settings import SAMPLE_RATE_HZ, LiveSettings
from interviewer.views import summary
from interviewer.views.live_screen import Screen

FOLLOW_UPS = {
    "result": "What was the outcome, in numbers if you can?",
    "learning": "What did you learn from it?",
}
MARKER_KEYS = {label[0]: label for label in LABELS}
SKIPPED = "skipped"
MENU = "[n]ext  [r]etry  [p]lay back  [q]uit"
# Kept around the speech where a follow-up joins the answer: the wait for the follow-up is
# thinking, not answering. VAD speech spans already carry 0.4 s of padding (vad_speech_pad_ms).
JOIN_PAD_S = 0.3


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


@dataclass
class Devices:
    input: int | None = None
    output: int | None = None


MIC_STALLED = "microphone stopped sending audio"
DISK_FULL = "disk full"


def _story(question: Question) -> Story | None:
    return question.story if question.has_story else None


def record_answer(
    path: Path,
    transcriber: Any,
    live: LiveSettings,
    devices: Devices,
    keys: KeyReader,
    screen: Screen,
    interrupts: Interrupts | None = None,
    story: Story | None = None,
) -> Answer:
    """Record until Enter, sustained silence, the maximum length, Ctrl-C or a full disk.
    `story`, the question's written story, is embedded ahead for the STAR split."""
    from interviewer.adapters.audio_devices import Recorder

    blocks: queue.Queue[np.ndarray] = queue.Queue()
    endpointer = Endpointer(
        EndpointSettings(
            end_silence_s=live.end_silence_s,
            max_answer_s=live.max_answer_s,
            warn_before_max_s=live.warn_before_max_s,
            skip_prompt_after_s=live.skip_prompt_after_s,
        )
    )
    background = BackgroundTranscriber(
        transcriber, on_words=functools.partial(warm_embeddings, story=story)
    )
    markers: list[tuple[float, str]] = []
    reason, interrupted = "", False
    keys.drain()
    if interrupts:
        interrupts.listening()
    recorder = Recorder(path, live, device=devices.input, on_block=blocks.put)
    recorder.start()
    screen.say("Recording: answer now. Enter ends the answer; s/t/a/r/l mark a section.")
    try:
        reason = _listen(
            blocks,
            endpointer,
            background,
            keys,
            screen,
            markers,
            live,
            failed=lambda: DISK_FULL if recorder.write_error else None,
        )
    except KeyboardInterrupt:
        reason, interrupted = "interrupted (Ctrl-C)", True
    finally:
        if interrupts:
            interrupts.finish_now()
    if reason == DISK_FULL:
        screen.say(
            f"Disk full: recording stopped at {recorder.recorded_s:.1f} s; "
            "keeping what was recorded."
        )
    ended_at = time.perf_counter()
    result = recorder.stop()
    while not blocks.empty():  # blocks that arrived after the loop stopped
        background.add(blocks.get(), False)
    screen.clear()
    transcript = background.finish()
    if getattr(recorder, "all_zero", False):
        screen.say(
            "Warning: the microphone delivered only zeros — check that it is not muted "
            "(on macOS: allow microphone access for the terminal)."
        )
    return Answer(
        reason,
        result.path,
        result.duration_s,
        transcript,
        markers,
        round(time.perf_counter() - ended_at, 3),
        getattr(recorder, "first_block_delay_s", 0.0),
        interrupted,
    )


def _listen(
    blocks: queue.Queue[np.ndarray],
    endpointer: Endpointer,
    background: BackgroundTranscriber,
    keys: KeyReader,
    screen: Screen,
    markers: list[tuple[float, str]],
    live: LiveSettings,
    failed: Callable[[], str | None] = lambda: None,
) -> str:
    last_block = time.monotonic()
    while True:
        why = failed()  # the recorder could not write (full disk): blocks stop coming
        if why:
            return why
        try:
            block = blocks.get(timeout=0.5)
        except queue.Empty:
            block = None
            # The endpoint counts time in audio blocks; if the stream stalls (sound server
            # gone, device unplugged), no block comes and no other end would ever fire.
            if time.monotonic() - last_block > live.stall_s:
                screen.say(
                    f"Warning: the microphone sent no audio for {live.stall_s:g} s; "
                    "ending the answer with what was recorded."
                )
                return MIC_STALLED
        if block is not None:
            last_block = time.monotonic()
            level = level_dbfs(block)
            events = endpointer.feed(level, len(block) / SAMPLE_RATE_HZ)
            background.add(block, endpointer.is_speech(level))
            screen.meter(level, endpointer.elapsed_s, live.max_answer_s)
            for event in events:
                if event is Event.WARN_MAX:
                    left_s = endpointer.s.max_answer_s - endpointer.elapsed_s
                    screen.say(f"{left_s:.0f} seconds left.")
                elif event is Event.ASK_SKIP:
                    screen.say(
                        "Nothing heard yet. Press k to skip this question, or start speaking."
                    )
            if endpointer.ended:
                return endpointer.ended.value
        key = keys.poll()
        if key in ("\n", "\r"):
            return "Enter pressed"
        if key == "k" and endpointer.speech_s < endpointer.s.min_speech_s:
            return SKIPPED
        if key in MARKER_KEYS:
            markers.append((round(endpointer.elapsed_s, 2), MARKER_KEYS[key]))
            screen.say(f"  marked {MARKER_KEYS[key].title()} at {endpointer.elapsed_s:.1f} s")


# --- the session over the bank -------------------------------------------------------------


def choose_questions(
    bank: Bank,
    ids: list[str] | None,
    shuffle: bool,
    focus: str | None,
    count: int | None,
    seed: int | None = None,
) -> list[Question]:
    questions = [bank.find(i) for i in ids] if ids else list(bank.questions)
    if shuffle:
        random.Random(seed).shuffle(questions)
    if focus == "new":
        questions.sort(key=lambda q: len(store.attempts_for(q)) > 0)
    elif focus == "weak":
        questions.sort(key=_weakness, reverse=True)
    return questions[:count] if count else questions


def _weakness(q: Question) -> float:
    """Failed checks in the latest attempt; never-practised questions count as weakest."""
    paths = store.attempts_for(q)
    if not paths:
        return 100.0
    try:
        record = store.load_attempt(paths[-1])
    except Exception:
        return 100.0
    return float(sum(not c.ok for c in record.measured.checks))


@dataclass
class LiveSession:
    transcriber: Any
    speaker: Speaker
    coach: CoachSettings
    live: LiveSettings
    devices: Devices
    keys: KeyReader
    screen: Screen
    saved: list[Saved] = field(default_factory=list)
    json_out: TextIO | None = None  # --json: each saved record as one line (JSON Lines)
    stopped: bool = False  # Ctrl-C during a follow-up: saved, and the session ends
    unfinished: list[Path] = field(default_factory=list)
    interrupted: bool = False

    def __post_init__(self) -> None:
        self.interrupts = Interrupts(self.screen)
        self._take: store.Take | None = None
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
        files = store.reserve(question, ".wav", when)
        placeholder = store.placeholder(question, files, when, input="microphone")
        saved: Saved | None = None
        with store.Take.begin(files, placeholder) as self._take:
            try:
                answer = record_answer(
                    files.audio,
                    self.transcriber,
                    self.live,
                    self.devices,
                    self.keys,
                    self.screen,
                    self.interrupts,
                    _story(question),
                )
                extra = _answer_extra(answer)
                if answer.reason == SKIPPED:  # nothing was said: not an attempt at all
                    files.audio.unlink(missing_ok=True)
                    files.record.unlink(missing_ok=True)
                    self.screen.say("Skipped: nothing saved.")
                    return None, False
                saved = _finish(question, files, answer, self.coach, when, extra)
                if (
                    not answer.interrupted
                    and not self.interrupts.stop
                    and self.live.follow_ups
                    and saved.record["status"] == "ok"
                ):
                    saved = self.follow_up(question, files, saved, answer, when)
            except BaseException as exc:
                if keep_stopped_take(files, exc, self.screen):
                    self.unfinished.append(files.audio)
                elif saved is not None and store.is_finished(files.record):
                    self.saved.append(saved)  # finished before the follow-up was asked
                raise
            finally:
                self.interrupts.listening()
        assert saved is not None
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

    def follow_up(
        self,
        question: Question,
        files: store.AttemptFiles,
        saved: Saved,
        answer: Answer,
        when: datetime,
    ) -> Saved:
        """Like an interviewer: ask once about a missing Result or Learning."""
        missing = [
            s["label"]
            for s in saved.record["sections"]
            if s["missing"] and s["label"] in FOLLOW_UPS
        ]
        if not missing:
            return saved
        prompt = FOLLOW_UPS[missing[0]]
        self.interrupts.listening()  # the answer is saved: Ctrl-C now simply stops
        self.screen.say(f"\nFollow-up: {prompt}")
        self.speaker.say(prompt)
        path = files.follow_up
        if self._take is not None:  # the take is unfinished again until the merge is saved
            self._take.mark(
                store.placeholder(
                    question,
                    files,
                    when,
                    input="microphone",
                    follow_ups=[{"question": prompt, "asked_for": missing[0], "audio": path.name}],
                )
            )
        extra_answer = record_answer(
            path,
            self.transcriber,
            self.live,
            self.devices,
            self.keys,
            self.screen,
            self.interrupts,
            _story(question),
        )
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
                read_recording(files.audio)[: round(join.offset_s * rate)],
                read_recording(path)[round(join.audio_start_s * rate) :],
            ]
        )
        extra = _answer_extra(answer)
        extra["follow_ups"] = [
            {
                "question": prompt,
                "asked_for": missing[0],
                "audio": path.name,
                "offset_s": join.offset_s,
                "audio_start_s": join.audio_start_s,
                "wait_s": join.wait_s,
                "ended_by": extra_answer.reason,
            }
        ]
        # The placeholder is replaced by the merged record: same attempt, more of the answer.
        return finish_attempt(
            question, files, samples, merged, self.coach, when, answer.markers, extra
        )

    def play(self, saved: Saved) -> None:
        """The answer as analysed: the main recording, then each follow-up's answer."""
        from interviewer.adapters.audio_devices import play_samples
        from interviewer.reanalyze import answer_samples

        self.screen.say("Playing back...")
        samples = answer_samples(saved.files.audio.parent, saved.record)
        if samples is None:
            self.screen.say(
                f"Cannot play back: a recording of {saved.files.audio.name} is missing."
            )
        else:
            play_samples(samples, SAMPLE_RATE_HZ, device=self.devices.output)


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


def _finish(
    question: Question,
    files: store.AttemptFiles,
    answer: Answer,
    coach: CoachSettings,
    when: datetime,
    extra: dict[str, Any],
) -> Saved:
    saved = finish_attempt(
        question,
        files,
        read_recording(files.audio),
        answer.transcript,
        coach,
        when,
        answer.markers,
        extra,
    )
    if answer.reason == DISK_FULL:  # saved, but the next take would not fit either
        raise StorageError(
            f"disk full: the answer was cut at {answer.duration_s:.1f} s; "
            f"what was recorded is saved: {files.markdown}",
            f"free some space in {files.audio.parent} before the next take",
            disk_full=True,
        )
    return saved


def _answer_extra(answer: Answer) -> dict[str, Any]:
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


def run_live(args: argparse.Namespace, bank: Bank, coach: CoachSettings) -> int:
    """`interviewer practice` without --answer-audio."""
    from interviewer.adapters import audio_devices
    from interviewer.cli import _speaker, _transcriber

    devices = Devices(
        audio_devices.require_device(args.input_device, "input"),
        audio_devices.find_device(args.output_device, "output"),
    )
    live = LiveSettings(
        end_silence_s=args.end_silence,
        max_answer_s=args.max_answer,
        think_s=args.think,
        follow_ups=not args.no_follow_ups,
    )
    questions = choose_questions(bank, args.question, args.shuffle, args.focus, args.count)
    transcriber = _transcriber(args.model)
    transcriber.load()
    from interviewer.reanalyze import finish_unfinished

    finish_unfinished(bank, transcriber, Screen().say)  # takes an earlier session left
    with KeyReader() as keys:
        session = LiveSession(
            transcriber,
            _speaker(args),
            coach,
            live,
            devices,
            keys,
            Screen(),
            json_out=sys.stdout if args.json else None,
        )
        with session.interrupts.installed():
            code = session.run(questions)
    if session.unfinished:
        # Stopped while a chunk was still being transcribed: CTranslate2's worker threads
        # would abort the interpreter's exit ("terminate called without an active exception",
        # SIGABRT). Everything is on disk and said; leave without running its destructors.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
