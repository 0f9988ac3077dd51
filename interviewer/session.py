"""The practice loop: the only module that sequences speak -> record -> transcribe -> save."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from interviewer import analysis, render, store
from interviewer.coaching import CoachSettings
from interviewer.models import Question, Transcript
from interviewer.pauses import find_pauses
from interviewer.progress import ProgressFn, TranscribeProgress
from interviewer.settings import SAMPLE_RATE_HZ
from interviewer.speech import Speaker


class Transcribes(Protocol):
    def transcribe(
        self, audio: np.ndarray, offset_s: float = 0.0, progress: ProgressFn | None = None
    ) -> Transcript: ...


@dataclass(frozen=True)
class Saved:
    record: dict[str, Any]
    files: store.AttemptFiles


def finish_attempt(
    question: Question,
    files: store.AttemptFiles,
    samples: np.ndarray,
    transcript: Transcript,
    coach: CoachSettings,
    when: datetime,
    markers: Sequence[tuple[float, str]] = (),
    extra: dict[str, Any] | None = None,
) -> Saved:
    """Analyse a transcribed answer whose audio is already saved, and save the record."""
    pauses = find_pauses(samples, SAMPLE_RATE_HZ)
    record = analysis.new_record(question, transcript, when)
    record["audio"] = files.audio.name
    record.update(analysis.analyse(question, transcript, pauses, coach, markers))
    record.update(extra or {})
    record["files"] = {
        "audio": str(files.audio),
        "markdown": str(files.markdown),
        "record": str(files.record),
    }
    store.save_record(files, record, render.markdown(record, question))
    return Saved(record, files)


def practice_from_file(
    question: Question,
    audio_path: Path,
    transcriber: Transcribes,
    speaker: Speaker,
    coach: CoachSettings,
) -> Saved:
    """One practice turn with a recorded answer standing in for the microphone."""
    from interviewer.audiofile import load_audio

    samples = load_audio(audio_path)  # bad input fails here, before anything is written
    speaker.say(question.text)
    when = datetime.now()
    files = store.reserve(question, audio_path.suffix.lower() or ".wav", when)
    store.save_audio_copy(audio_path, files.audio)
    with TranscribeProgress(audio_path.name) as bar:
        transcript = transcriber.transcribe(samples, progress=bar)
    return finish_attempt(
        question,
        files,
        samples,
        transcript,
        coach,
        when,
        extra={"source_audio": str(audio_path.resolve()), "input": "file"},
    )
