"""Audio files: read any format as 16 kHz mono float32; write WAV atomically.

Reading goes through PyAV (what faster-whisper's `decode_audio` uses), imported lazily so
that importing this module stays cheap. Every way a file can be unusable becomes one
`InterviewerError` naming the file.

WAVs are written through `fileio.atomic_file`, which never overwrites a file.
"""

from __future__ import annotations

import struct
import wave
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.errors import InterviewerError
from interviewer.fileio import atomic_file
from interviewer.settings import SAMPLE_RATE_HZ

# A declared duration longer than what decodes by more than this means the file was cut short.
# One MP3 frame is 26 ms, one FLAC frame up to ~93 ms: smaller gaps are codec framing.
TRUNCATION_TOLERANCE_S = 0.1
_WAV_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streaming writers leave these until the file is closed
_AUDIO_HINT = "use a WAV, FLAC, MP3, M4A or OGG recording"
_TRUNCATED_HINT = "it was cut short (interrupted copy or recording?); record or export it again"


def load_audio(path: Path) -> np.ndarray:
    """Decode `path` to float32 mono samples at SAMPLE_RATE_HZ, or raise InterviewerError."""
    path = Path(path)
    _check_file(path)
    _check_wav_header(path)
    samples, declared_s, decode_errors = _decode(path)
    decoded_s = len(samples) / SAMPLE_RATE_HZ
    if declared_s is not None and declared_s - decoded_s > TRUNCATION_TOLERANCE_S:
        raise InterviewerError(
            f"{path} is truncated: its header promises {declared_s:.2f} s of audio but only "
            f"{decoded_s:.2f} s decodes",
            _TRUNCATED_HINT,
        )
    if decode_errors:
        raise InterviewerError(
            f"{path} is truncated or damaged: {decode_errors} block(s) of audio failed to decode",
            _TRUNCATED_HINT,
        )
    if not len(samples):
        raise InterviewerError(f"{path} contains no audio samples", _AUDIO_HINT)
    return samples


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InterviewerError(f"audio file not found: {path}", "check the path and spelling")
    if path.is_dir():
        raise InterviewerError(f"{path} is a folder, not an audio file", "give an audio file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        what = f"cannot read {path}: {exc.strerror}"
        raise InterviewerError(what, "check its permissions") from exc
    if size == 0:
        raise InterviewerError(f"{path} is empty (0 bytes)", f"record again, or {_AUDIO_HINT}")


def _check_wav_header(path: Path) -> None:
    """A RIFF/WAVE file whose `data` chunk claims more bytes than exist was cut short.

    FFmpeg silently clamps such a chunk to the file size, so decoding alone cannot tell.
    """
    data_offset, declared, byte_rate = _wav_data_chunk(path)
    if data_offset is None or declared in _WAV_UNKNOWN_SIZES:
        return
    present = max(path.stat().st_size - data_offset, 0)
    if declared > present:
        rate = byte_rate or 1
        raise InterviewerError(
            f"{path} is truncated: its WAV header promises {declared / rate:.2f} s of audio "
            f"but only {present / rate:.2f} s is present",
            _TRUNCATED_HINT,
        )


def _wav_data_chunk(path: Path) -> tuple[int | None, int, int]:
    """(offset of the sample bytes, their declared size, bytes per second) or (None, 0, 0)."""
    byte_rate = 0
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None, 0, 0
        while len(chunk := f.read(8)) == 8:
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"data":
                return f.tell(), size, byte_rate
            body = f.read(size + (size & 1))  # chunks are padded to even sizes
            if chunk_id == b"fmt " and len(body) >= 12:
                byte_rate = struct.unpack("<I", body[8:12])[0]
    return None, 0, 0  # no data chunk: let the decoder report it


def _decode(path: Path) -> tuple[np.ndarray, float | None, int]:
    """(samples, duration the container declares or None, decode errors skipped).

    Like faster_whisper.audio.decode_audio, but it counts the InvalidDataError frames that
    decode_audio skips silently: a FLAC or MP4 cut mid-frame shows up only there.
    """
    import av  # lazy: PyAV loads FFmpeg's libraries

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE_HZ)
    chunks: list[np.ndarray] = []
    errors = 0
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InterviewerError(f"{path} has no audio track", _AUDIO_HINT)
            declared = _declared_duration_s(container, path)
            frames = container.decode(audio=0)
            while True:
                try:
                    frame = next(frames)
                except StopIteration:
                    break
                except av.error.InvalidDataError:
                    errors += 1
                    continue
                frame.pts = None  # the resampler checks timestamps; gaps do not matter here
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
            chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    except (av.error.FFmpegError, EOFError) as exc:  # EOFError: a header cut short
        raise InterviewerError(
            f"cannot read {path} as audio (not an audio file, or damaged)", _AUDIO_HINT
        ) from exc
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0, declared, errors


def _declared_duration_s(container: Any, path: Path) -> float | None:
    """Duration from the file's header, when the format states it rather than guesses it.

    FFmpeg estimates an MP3's duration from its bitrate unless a Xing/Info/VBRI header gives
    the frame count; a VBR file without one can look longer than it is, so it is not trusted.
    WAV durations follow the file size (checked separately); OGG's come from the last page.
    """
    fmt = container.format.name
    duration = container.duration
    if duration is None or duration <= 0:
        return None
    if "mp3" in fmt.split(",") and not _mp3_has_frame_count(path):
        return None
    if fmt in ("wav", "ogg"):
        return None
    return float(duration) / 1_000_000  # av.time_base is microseconds


def _mp3_has_frame_count(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(10)
        skip = 0
        if head[:3] == b"ID3" and len(head) == 10:  # ID3v2 tag: syncsafe 28-bit size
            skip = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        f.seek(skip)
        first_frame = f.read(4096)
    return any(tag in first_frame for tag in (b"Xing", b"Info", b"VBRI"))


# --- writing ------------------------------------------------------------------------------


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] (clipped) or int16 samples, as int16 PCM."""
    if samples.dtype == np.int16:
        return samples
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")


def write_wav_atomic(path: Path, samples: np.ndarray, rate_hz: int) -> None:
    """Write mono 16-bit PCM WAV to a new file `path` (FileExistsError if it exists)."""
    pcm = to_int16(np.asarray(samples).reshape(-1))
    with atomic_file(path) as f, wave.open(f, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate_hz))
        w.writeframes(pcm.astype("<i2").tobytes())
