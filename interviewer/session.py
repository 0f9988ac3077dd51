"""The practice loop: the only module that sequences speak -> record -> transcribe -> save."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from interviewer.adapters import store
from interviewer.adapters.fileio import StorageError
from interviewer.adapters.speech import Speaker
from interviewer.core import analysis, star
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import Question, Story, Transcript, Word
from interviewer.core.pauses import find_pauses
from interviewer.core.records import Attempt
from interviewer.settings import SAMPLE_RATE_HZ
from interviewer.views import summary
from interviewer.views.progress import ProgressFn, TranscribeProgress


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


@dataclass(frozen=True)
class Saved:
    record: dict[str, Any]
    files: store.AttemptFiles


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
    """Analyse a transcribed answer whose audio is already saved, and save the record over
    the take's placeholder. If it does not fit on the disk, the take stays unfinished (its
    audio and placeholder kept) and the error says so."""
    pauses = find_pauses(samples, SAMPLE_RATE_HZ)
    record = analysis.new_record(question, transcript, when)
    record["audio"] = files.audio.name
    record.update(
        analysis.analyse(question, transcript, pauses, coach, markers, embed=sentence_embedder())
    )
    record.update(extra or {})
    record["files"] = {
        "audio": str(files.audio),
        "markdown": str(files.markdown),
        "record": str(files.record),
    }
    try:
        store.save_record(files, record, summary.markdown(Attempt.from_json(record), question))
    except StorageError as exc:
        raise StorageError(
            f"{exc.what}; the recording is kept at {files.audio}",
            f"{exc.hint}, then {store.FINISH_HINT}",
            exc.disk_full,
        ) from exc
    return Saved(record, files)


def blocks_of(samples: np.ndarray, block_s: float = 10.0) -> Iterator[np.ndarray]:
    """Consecutive views of `samples` (no copies), for Transcribes.transcribe_blocks."""
    size = int(block_s * SAMPLE_RATE_HZ)
    return (samples[i : i + size] for i in range(0, len(samples), size))


def practice_from_file(
    question: Question,
    audio_path: Path,
    transcriber: Transcribes,
    speaker: Speaker,
    coach: CoachSettings,
) -> Saved:
    """One practice turn with a recorded answer standing in for the microphone."""
    from interviewer.adapters.audio_files import load_pcm

    # Decoded whole before anything is written (bad input fails here), as int16, and
    # transcribed from views of it: one copy of a long recording, half the size of float32.
    samples = load_pcm(audio_path)
    # The sentence encoder is loaded after transcription, not beside it: its load peaks at
    # +219 MB (embeddings.py), and when that fell on the transcription of a 30-minute file on
    # a loaded machine the process passed the 500 MB tests/test_decoding.py holds it to.
    speaker.say(question.text)
    when = datetime.now()
    files = store.reserve(question, audio_path.suffix.lower() or ".wav", when)
    extra = {"source_audio": str(audio_path.resolve()), "input": "file"}
    with store.Take.begin(files, store.placeholder(question, files, when, **extra)):
        try:
            store.save_audio_copy(audio_path, files.audio)
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
            return finish_attempt(question, files, samples, transcript, coach, when, extra=extra)
        except KeyboardInterrupt:
            print(
                f"\nStopped. The take is kept, unfinished: {files.audio}\n"
                f"  {store.FINISH_HINT[0].upper()}{store.FINISH_HINT[1:]}.",
                file=sys.stderr,
            )
            raise
