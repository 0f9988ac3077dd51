"""Pure: has the answer ended, and why? Fed one block level at a time.

Voice assistants end a turn after 0.5-0.6 s of silence; interview answers have 1-2 s thinking
pauses, so the default here is 3 s of silence after speech, plus a maximum length with a
warning, and an offer to skip when nothing is said at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Event(str, Enum):
    SPEECH_STARTED = "speech started"
    WARN_MAX = "max length near"
    ASK_SKIP = "nothing said yet"
    END_SILENCE = "silence after speech"
    END_MAX = "maximum length reached"


@dataclass(frozen=True)
class EndpointSettings:
    end_silence_s: float = 3.0
    max_answer_s: float = 180.0
    warn_before_max_s: float = 30.0
    skip_prompt_after_s: float = 15.0
    min_speech_s: float = 0.3  # this much voiced audio before silence can end the answer
    speech_margin_db: float = 12.0  # above the noise floor counts as speech
    min_speech_dbfs: float = -50.0  # never call anything quieter than this speech

    @property
    def warn_at_s(self) -> float:
        """When to say time is running out: warn_before_max_s before the end, but never in
        the first two thirds of a short answer (a 20 s limit warns at 13.3 s, not at once)."""
        return self.max_answer_s - min(self.warn_before_max_s, self.max_answer_s / 3)


class Endpointer:
    """State machine over block levels; `feed` returns the events that block raised."""

    def __init__(self, settings: EndpointSettings = EndpointSettings()) -> None:
        self.s = settings
        self.elapsed_s = 0.0
        self.speech_s = 0.0
        self.silence_run_s = 0.0
        self.noise_floor_dbfs: float | None = None
        self.ended: Event | None = None
        self._warned = False
        self._asked_skip = False
        self._started = False

    def threshold_dbfs(self) -> float:
        floor = self.noise_floor_dbfs if self.noise_floor_dbfs is not None else -70.0
        return max(floor + self.s.speech_margin_db, self.s.min_speech_dbfs)

    def is_speech(self, level: float) -> bool:
        return level >= self.threshold_dbfs()

    def feed(self, level: float, block_s: float) -> list[Event]:
        if self.ended:
            return []
        events: list[Event] = []
        self.elapsed_s = round(self.elapsed_s + block_s, 6)  # no float drift at 15.0 s
        self._track_floor(level)
        if self.is_speech(level):
            self.speech_s = round(self.speech_s + block_s, 6)
            self.silence_run_s = 0.0
            if not self._started and self.speech_s >= self.s.min_speech_s:
                self._started = True
                events.append(Event.SPEECH_STARTED)
        else:
            self.silence_run_s = round(self.silence_run_s + block_s, 6)
        if self._started and self.silence_run_s >= self.s.end_silence_s:
            self.ended = Event.END_SILENCE
        elif self.elapsed_s >= self.s.max_answer_s:
            self.ended = Event.END_MAX
        elif not self._warned and self.elapsed_s >= self.s.warn_at_s:
            self._warned = True
            events.append(Event.WARN_MAX)
        if (
            not self._started
            and not self._asked_skip
            and self.elapsed_s >= self.s.skip_prompt_after_s
        ):
            self._asked_skip = True
            events.append(Event.ASK_SKIP)
        if self.ended:
            events.append(self.ended)
        return events

    def _track_floor(self, level: float) -> None:
        """Noise floor: quickest to fall, slow to rise, so speech never raises it much."""
        if self.noise_floor_dbfs is None or level < self.noise_floor_dbfs:
            self.noise_floor_dbfs = level
        else:
            self.noise_floor_dbfs += 0.01 * (level - self.noise_floor_dbfs)
