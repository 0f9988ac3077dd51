"""Tunables as frozen dataclasses, units in the names (after faster-whisper's VadOptions)."""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_RATE_HZ = 16000  # what Whisper wants; recordings are stored at this rate
FILLER_PROMPT = "Um, uh, hmm, er, ah."


@dataclass(frozen=True)
class TranscribeSettings:
    model: str | None = None  # name or folder; None = the embedded tiny.en
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = 5
    language: str = "en"
    vad_filter: bool = True
    vad_min_silence_ms: int = 1000
    vad_speech_pad_ms: int = 400
    initial_prompt: str | None = None
    # Write "um"/"uh", which plain decoding drops: FILLER_PROMPT is given as hotwords, and the
    # speech is decoded in windows of at most window_s cut at VAD pauses, one decoding pass
    # each. A window whose words leave more than max_uncovered_s of it unexplained (the
    # prompt can make tiny.en skip a sentence) is decoded again plainly.
    # Measured in scripts/bench_fillers.py and scripts/bench_transcribe.py; see CHANGES.md.
    keep_fillers: bool = True
    window_s: float = 28.0  # Whisper sees 30 s at a time; keep a margin
    max_uncovered_s: float = 2.0
    # Speech longer than a window with no pause for VAD is cut into windows that overlap by
    # this much; the words of each overlap are spliced where both windows agree, so a cut
    # inside a word loses nothing (scripts/bench_decoding.py, run-on answer).
    overlap_s: float = 5.0
    # One decoding pass at temperature 0: the fallback to sampling made babble decode into
    # different invented sentences on every run. A segment the model itself finds unlikely
    # is dropped: a repetition loop (gzip compression ratio above max_compression_ratio), or
    # a low average log-probability together with a raised no-speech probability. Measured
    # in scripts/bench_decoding.py: babble at -45 and -40 dBFS gave log-probabilities
    # -0.83..-1.38 with no-speech 0.23..0.87; real clips, also at -35 dBFS, -0.03..-0.92
    # with no-speech up to 0.33, but never both below -0.8 and above 0.2.
    temperature: float = 0.0
    max_compression_ratio: float = 2.4
    unlikely_logprob: float = -0.8
    unlikely_no_speech_prob: float = 0.2
    # VAD runs on pieces of about this length (a power of two of its windows), so that a long
    # file never needs a whole-length float copy; decoding follows piece by piece.
    vad_block_s: float = 120.0


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = None  # pyttsx3 voice id or name fragment; None = system default
    rate_wpm: int = 165


@dataclass(frozen=True)
class LiveSettings:
    sample_rate_hz: int = SAMPLE_RATE_HZ
    block_s: float = 0.1
    end_silence_s: float = 3.0  # silence after speech that ends an answer
    max_answer_s: float = 180.0
    warn_before_max_s: float = 30.0
    skip_prompt_after_s: float = 15.0  # nothing said for this long: offer to skip
    think_s: float = 0.0
    speech_threshold_dbfs: float = -45.0  # a block louder than this counts as speech
    stall_s: float = 5.0  # no audio block for this long: the stream died, end the answer
    follow_ups: bool = True
