"""The microphone side of a live session: record one answer at a desk, and the devices.

It never cuts the person off while they think (3 s of silence after speech by default) and
never loses what they said (the recorder streams to disk; Ctrl-C ends the answer, which is
still transcribed). What happens around an answer (the question, the follow-up, saving, the
menu) is session.LiveSession's; `run_live` puts the real devices into it.
"""

from __future__ import annotations

import functools
import os
import queue
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from interviewer.adapters.audio_files import read_recording
from interviewer.adapters.chunker import BackgroundTranscriber
from interviewer.adapters.keys import KeyReader
from interviewer.adapters.takes import Interrupts
from interviewer.core.coaching import CoachSettings
from interviewer.core.endpoint import Endpointer, EndpointSettings, Event
from interviewer.core.levels import level_dbfs
from interviewer.core.models import LABELS, Question, Story
from interviewer.session import (
    DISK_FULL,
    SKIPPED,
    Answer,
    LiveSession,
    Speaks,
    Transcribes,
    warm_embeddings,
)
from interviewer.settings import SAMPLE_RATE_HZ, LiveSettings
from interviewer.views.live_screen import Screen

MARKER_KEYS = {label[0]: label for label in LABELS}


@dataclass(frozen=True)
class Devices:
    """The audio devices chosen (a PortAudio index or name; None = the default), and what
    the session and the mic check do with them: session.Plays and session.Checks."""

    input: int | str | None = None
    output: int | str | None = None

    def play(self, samples: np.ndarray, rate_hz: int) -> None:
        from interviewer.adapters.audio_devices import play_samples

        play_samples(samples, rate_hz, device=self.output)

    def play_file(self, path: Path) -> None:
        from interviewer.adapters.audio_devices import play_wav

        play_wav(path, self.output)

    def record_for(self, path: Path, seconds: float) -> bool:
        from interviewer.adapters.audio_devices import Recorder

        recorder = Recorder(path, device=self.input)
        with recorder:
            time.sleep(seconds)
        return recorder.all_zero

    def samples(self, path: Path) -> np.ndarray:
        return read_recording(path)


MIC_STALLED = "microphone stopped sending audio"


def record_answer(
    path: Path,
    transcriber: Transcribes,
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


class Microphone:
    """session.Records: answers from the input device, endpointed, transcribed as spoken."""

    def __init__(
        self,
        transcriber: Transcribes,
        live: LiveSettings,
        devices: Devices,
        keys: KeyReader,
        screen: Screen,
        interrupts: Interrupts | None = None,
    ) -> None:
        self.transcriber = transcriber
        self.live = live
        self.devices = devices
        self.keys = keys
        self.screen = screen
        self.interrupts = interrupts

    def record(self, path: Path, story: Story | None) -> Answer:
        return record_answer(
            path,
            self.transcriber,
            self.live,
            self.devices,
            self.keys,
            self.screen,
            self.interrupts,
            story,
        )

    def samples(self, path: Path) -> np.ndarray:
        return read_recording(path)


def run_live(
    questions: Sequence[Question],
    transcriber: Transcribes,
    speaker: Speaks,
    coach: CoachSettings,
    live: LiveSettings,
    devices: Devices,
    json_out: TextIO | None = None,
    finish_unfinished: Callable[[Callable[[str], object]], object] = lambda _log: None,
) -> int:
    """`interviewer practice` without --answer-audio, over `questions`; the exit code.
    `finish_unfinished(log)` first finishes the takes an earlier session left."""
    screen = Screen()
    finish_unfinished(screen.say)
    interrupts = Interrupts(screen)
    with KeyReader() as keys:
        session = LiveSession(
            Microphone(transcriber, live, devices, keys, screen, interrupts),
            speaker,
            devices,
            keys,
            screen,
            coach,
            live,
            interrupts,
            json_out=json_out,
        )
        with interrupts.installed():
            code = session.run(list(questions))
    if session.unfinished:
        # Stopped while a chunk was still being transcribed: CTranslate2's worker threads
        # would abort the interpreter's exit ("terminate called without an active exception",
        # SIGABRT). Everything is on disk and said; leave without running its destructors.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
