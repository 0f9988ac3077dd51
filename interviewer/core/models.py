"""Our own data types. Third-party objects are converted to these at the edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

# The saved record's format; adapters/store reads every older one and upgrades it.
# 2: a section has "spans" (one or more stretches; chit-chat is its own "other" section),
# "confidence" (0..1) and "reason"; 1 had one start/end per section (see store.upgrade)
FORMAT_VERSION = 2
LABELS: tuple[str, ...] = ("situation", "task", "action", "result", "learning")
LABEL_TITLES: dict[str, str] = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "learning": "Learning",
}


@dataclass(frozen=True)
class Word:
    """One transcribed word; times in seconds from the start of the answer audio."""

    text: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    words: tuple[Word, ...]
    duration_s: float
    speech_s: float = 0.0  # speech found by VAD; 0 means no speech detected
    model: str = ""
    # (start_s, end_s) stretches of speech found by VAD, used to snap section boundaries
    speech_spans: tuple[tuple[float, float], ...] = ()
    # speech seconds decoded with filler capture (um/uh kept); the rest was decoded plainly
    filler_capture_s: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words).strip()

    @property
    def no_speech(self) -> bool:
        return not self.words


def join_transcripts(parts: Sequence[Transcript], duration_s: float, model: str = "") -> Transcript:
    """Pieces of one answer, each already timed on the answer's clock, as one Transcript."""
    return Transcript(
        words=tuple(w for p in parts for w in p.words),
        duration_s=round(duration_s, 3),
        speech_s=round(sum(p.speech_s for p in parts), 3),
        model=model or next((p.model for p in parts if p.model), ""),
        speech_spans=tuple(span for p in parts for span in p.speech_spans),
        filler_capture_s=round(sum(p.filler_capture_s for p in parts), 3),
    )


def shift_transcript(t: Transcript, offset_s: float) -> Transcript:
    """The same transcript with every time moved later by offset_s (duration unchanged)."""

    def r(x: float) -> float:
        return round(x + offset_s, 3)

    return replace(
        t,
        words=tuple(replace(w, start_s=r(w.start_s), end_s=r(w.end_s)) for w in t.words),
        speech_spans=tuple((r(a), r(b)) for a, b in t.speech_spans),
    )


@dataclass(frozen=True)
class Story:
    """A reference STAR story as the user wrote it; empty strings for parts not written."""

    situation: str = ""
    task: str = ""
    action: str = ""
    result: str = ""
    learning: str = ""

    def part(self, label: str) -> str:
        return str(getattr(self, label))

    @property
    def parts(self) -> dict[str, str]:
        return {label: self.part(label) for label in LABELS}

    @property
    def is_empty(self) -> bool:
        return not any(self.parts.values())


@dataclass(frozen=True)
class Question:
    id: str
    principle: str
    text: str
    path: Path
    story: Story = field(default_factory=Story)
    notes: str = ""  # free-form answer notes that are not split into STAR parts
    source: str = "interview"  # which list of the notes document it came from

    @property
    def has_story(self) -> bool:
        return not self.story.is_empty


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    description: str
    bullets: tuple[str, ...]
    path: Path


OTHER = "other"  # chit-chat and asides: shown, but counted in no STAR share
SPAN_LABELS: tuple[str, ...] = (*LABELS, OTHER)


@dataclass(frozen=True)
class Section:
    """One STAR part of a spoken answer (or `other`), possibly said in several spans.

    `start_s`/`end_s` are the start of the first span and the end of the last; `spans` lists
    each stretch, in seconds from the start of the answer audio, and is () for a missing part.
    The part's time is the sum of its spans. `confidence` (0..1) is the segmenter's mean
    posterior for the label over the part's sentences; `reason` says what decided it.
    """

    label: str
    start_s: float
    end_s: float
    text: str
    reason: str = ""
    missing: bool = False
    spans: tuple[tuple[float, float], ...] = ()
    confidence: float = 1.0

    @property
    def all_spans(self) -> tuple[tuple[float, float], ...]:
        if self.missing:
            return ()
        return self.spans or ((self.start_s, self.end_s),)

    @property
    def duration_s(self) -> float:
        return sum(max(0.0, b - a) for a, b in self.all_spans)
