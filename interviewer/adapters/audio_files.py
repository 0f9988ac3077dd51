"""Audio files: read any format as 16 kHz mono float32; read and write PCM WAV.

Any format goes through PyAV (what faster-whisper's `decode_audio` uses), imported lazily so
that importing this module stays cheap. Every way a file can be unusable becomes one
`InterviewerError` naming the file.

PCM WAV (our recordings, synthesised speech, sounds to play) is read by `read_wav` with the
standard library alone: exact samples at the file's own rate, no FFmpeg. A recording grows
on disk through `WavAppender`; finished WAVs are written through `fileio.atomic_file`, which
never overwrites a file.
"""

from __future__ import annotations

import contextlib
import os
import struct
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from interviewer.adapters.fileio import atomic_file
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ

# A declared duration longer than what decodes by more than this means the file was cut short.
# One MP3 frame is 26 ms, one FLAC frame up to ~93 ms: smaller gaps are codec framing.
TRUNCATION_TOLERANCE_S = 0.1
_WAV_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streaming writers leave these until the file is closed
# Formats whose header states the duration (FLAC STREAMINFO, MP4 moov, Matroska Info, AIFF
# COMM, an MP3's Xing/Info frame count); elsewhere FFmpeg estimates it, so it proves nothing.
_STATED_DURATION_FORMATS = ("flac", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "aiff", "mp3")
_ID3V1_BYTES = 128  # a tag some encoders append after the last frame
_AUDIO_HINT = "use a WAV, FLAC, MP3, M4A or OGG recording"
_TRUNCATED_HINT = "it was cut short (interrupted copy or recording?); record or export it again"


def load_pcm(path: Path) -> np.ndarray:
    """Decode `path` to int16 mono samples at SAMPLE_RATE_HZ, or raise InterviewerError:
    half the memory of load_audio, for recordings of any length."""
    with AudioStream(path) as stream:
        pieces = list(stream)
    samples = np.empty(sum(len(p) for p in pieces), dtype=np.int16)
    at = 0
    for i, piece in enumerate(pieces):  # each piece freed once copied: never two copies
        samples[at : at + len(piece)] = piece
        at += len(piece)
        pieces[i] = samples[:0]
    return samples


def load_audio(path: Path) -> np.ndarray:
    """Decode `path` to float32 mono samples at SAMPLE_RATE_HZ, or raise InterviewerError."""
    with AudioStream(path) as stream:
        blocks = list(stream)
    # One float32 array filled block by block: no second whole-file copy while converting.
    samples = np.empty(sum(len(b) for b in blocks), dtype=np.float32)
    at = 0
    for block in blocks:
        samples[at : at + len(block)] = block
        at += len(block)
    samples /= 32768.0
    return samples


class AudioStream:
    """A file's audio decoded piece by piece as int16 mono blocks at SAMPLE_RATE_HZ.

    Opening checks the file and its header; iterating decodes, and when the last block has
    been read the same checks as load_audio run (truncation, damage, no samples), raising
    InterviewerError. `estimated_s` is the container's duration, for progress only.
    Holding int16 pieces instead of one float32 array keeps a long file's memory bounded.
    """

    def __init__(self, path: Path, block_s: float = 10.0) -> None:
        import av  # lazy: PyAV loads FFmpeg's libraries

        self.path = path = Path(path)
        self.block = int(block_s * SAMPLE_RATE_HZ)
        _check_file(path)
        _check_wav_header(path)
        try:
            self._container = av.open(str(path), mode="r", metadata_errors="ignore")
        except (av.error.FFmpegError, EOFError) as exc:  # EOFError: a header cut short
            raise _unreadable(path) from exc
        if not self._container.streams.audio:
            self._container.close()
            raise InterviewerError(f"{path} has no audio track", _AUDIO_HINT)
        self.declared_s = _declared_duration_s(self._container, path)
        duration = self._container.duration
        self.estimated_s = float(duration) / 1_000_000 if duration and duration > 0 else None
        self.samples = 0  # decoded so far

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def __iter__(self) -> Iterator[np.ndarray]:
        import av

        pending: list[np.ndarray] = []
        size = 0
        try:
            for piece in self._pieces():
                pending.append(piece)
                size += len(piece)
                if size >= self.block:
                    yield self._take(pending)
                    pending, size = [], 0
        except (av.error.FFmpegError, EOFError) as exc:
            decoded_s = (self.samples + size) / SAMPLE_RATE_HZ
            if not decoded_s:
                raise _unreadable(self.path) from exc
            # e.g. chained OGG parts with another rate or channel count: FFmpeg 7+ stops
            # there ("patches welcome") where older FFmpeg command-line tools went on.
            raise InterviewerError(
                f"{self.path} cannot be decoded past {decoded_s:.2f} s, where its stream "
                f"changes in a way the decoder cannot follow ({_reason(exc)}); are "
                "several recordings joined into one file?",
                "convert it to one WAV first: ffmpeg -i FILE answer.wav",
            ) from exc
        finally:
            self.close()
        if pending:
            yield self._take(pending)
        self._check_end()

    def _take(self, pieces: list[np.ndarray]) -> np.ndarray:
        block = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        self.samples += len(block)
        return block

    def _pieces(self) -> Iterator[np.ndarray]:
        """Resampled int16 pieces, in order.

        Packets are decoded one by one: container.decode() ends for good at the first
        InvalidDataError, which made files joined with `cat` (the second file's ID3 tag is
        not audio) look truncated. A frame whose rate, layout or sample format differs from
        the one before (two MP3s joined with `cat`, a chained OGG) gets a new resampler:
        av.AudioResampler accepts only frames like its first.
        """
        import av

        stream = self._container.streams.audio[0]
        resampler: Any = None
        shape: tuple[str, str, int] | None = None
        self.trailing_errors = 0  # undecodable packets after the last good frame
        for packet in self._container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                self.trailing_errors += 1
                continue
            for frame in frames:
                self.trailing_errors = 0  # ffmpeg skips a bad packet mid-file too
                now = (frame.format.name, frame.layout.name, frame.sample_rate)
                if now != shape:
                    if resampler is not None:
                        yield from _resampled(resampler, None)
                    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE_HZ)
                    shape = now
                frame.pts = None  # the resampler checks timestamps; gaps do not matter here
                try:
                    yield from _resampled(resampler, frame)
                except ValueError as exc:
                    raise InterviewerError(
                        f"cannot convert the audio of {self.path} ({now[0]} samples, "
                        f"{now[1]} layout, {now[2]} Hz) to 16 kHz mono: {exc}",
                        "convert it with: ffmpeg -i IN -ac 1 -ar 16000 OUT.wav",
                    ) from exc
        if resampler is not None:
            yield from _resampled(resampler, None)

    def _check_end(self) -> None:
        path, decoded_s = self.path, self.samples / SAMPLE_RATE_HZ
        declared_s = self.declared_s
        if declared_s is not None and declared_s - decoded_s > TRUNCATION_TOLERANCE_S:
            raise InterviewerError(
                f"{path} is truncated: its header promises {declared_s:.2f} s of audio but "
                f"only {decoded_s:.2f} s decodes",
                _TRUNCATED_HINT,
            )
        if self.trailing_errors:
            raise InterviewerError(
                f"{path} is truncated or damaged: {self.trailing_errors} block(s) of audio "
                f"after the first {decoded_s:.2f} s failed to decode",
                _TRUNCATED_HINT + " (several files joined with cat? convert each one alone)",
            )
        if not self.samples:
            raise InterviewerError(f"{path} contains no audio samples", _AUDIO_HINT)


def _resampled(resampler: Any, frame: Any) -> Iterator[np.ndarray]:
    for out in resampler.resample(frame):
        yield out.to_ndarray().reshape(-1)


def _reason(exc: BaseException) -> str:
    """FFmpeg's own words ("Not yet implemented in FFmpeg, patches welcome"), without the
    errno and file name PyAV adds."""
    reason = getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__
    return str(reason).splitlines()[0]


def _unreadable(path: Path) -> InterviewerError:
    return InterviewerError(
        f"cannot read {path} as audio (not an audio file, or damaged)", _AUDIO_HINT
    )


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


def _declared_duration_s(container: Any, path: Path) -> float | None:
    """Duration from the file's header, when the format states it rather than guesses it.

    FFmpeg estimates an MP3's duration from its bitrate unless a Xing/Info/VBRI header gives
    the frame count; a VBR file without one can look longer than it is, so it is not trusted.
    WAV durations follow the file size (checked separately); OGG's come from the last page;
    ADTS AAC's from the bitrate (two joined with `cat` look longer than they decode).
    """
    fmt = container.format.name
    duration = container.duration
    if duration is None or duration <= 0 or fmt not in _STATED_DURATION_FORMATS:
        return None
    if fmt == "mp3" and not _mp3_has_frame_count(path):
        return None
    return float(duration) / 1_000_000  # av.time_base is microseconds


def _mp3_has_frame_count(path: Path) -> bool:
    """A Xing/Info/VBRI header gives the frame count, and the file is not longer than the
    header says: two MP3s joined with `cat` keep the first one's header, and FFmpeg then
    estimates the whole file's duration from the bitrate (it warns "invalid concatenated
    file detected"), which can be longer than what decodes."""
    with path.open("rb") as f:
        head = f.read(10)
        skip = 0
        if head[:3] == b"ID3" and len(head) == 10:  # ID3v2 tag: syncsafe 28-bit size
            skip = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        f.seek(skip)
        first_frame = f.read(4096)
    size = path.stat().st_size - skip
    for tag in (b"Xing", b"Info"):
        at = first_frame.find(tag)
        if at >= 0:
            flags = int.from_bytes(first_frame[at + 4 : at + 8], "big")
            if not flags & 1:
                return False
            if flags & 2:  # the stream's size in bytes follows the frame count
                stated = int.from_bytes(first_frame[at + 12 : at + 16], "big")
                return size <= stated + _ID3V1_BYTES
            return True
    return b"VBRI" in first_frame


# --- PCM WAV ------------------------------------------------------------------------------


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A PCM WAV (8, 16, 24 or 32 bit) as float32 samples in [-1, 1) of shape
    (frames, channels), and its sample rate in Hz; InterviewerError if it cannot be read."""
    try:
        with wave.open(str(path), "rb") as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise InterviewerError(f"cannot read audio file {path}: {exc}", "") from exc
    return _decode_pcm(raw, width).reshape(-1, channels), rate


def read_recording(path: Path) -> np.ndarray:
    """A recording written at SAMPLE_RATE_HZ (see WavAppender) as mono float32 samples in
    [-1, 1), shape (frames,); InterviewerError if it cannot be read or has another rate."""
    samples, rate = read_wav(path)
    if rate != SAMPLE_RATE_HZ:
        raise InterviewerError(
            f"{path} is recorded at {rate} Hz, not {SAMPLE_RATE_HZ} Hz",
            "convert it with: ffmpeg -i IN -ac 1 -ar 16000 OUT.wav",
        )
    if samples.shape[1] == 1:
        return samples[:, 0]
    mono: np.ndarray = samples.mean(axis=1, dtype=np.float32)
    return mono


def _decode_pcm(raw: bytes, width: int) -> np.ndarray:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    if width == 3:  # 24-bit: widen to 32 by adding a zero low byte
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        raw = np.concatenate([np.zeros((len(b), 1), np.uint8), b], axis=1).tobytes()
        width = 4
    if width not in (2, 4):
        raise InterviewerError(f"unsupported WAV sample width: {width} bytes", "")
    dtype = np.dtype(f"<i{width}")
    return np.frombuffer(raw, dtype).astype(np.float32) / float(np.iinfo(dtype).max + 1)


class WavAppender:
    """A 16-bit mono WAV file that grows as blocks of int16 samples arrive.

    The header's sizes are patched at every flush, after the data, so a process killed at any
    moment leaves a valid WAV holding everything flushed so far. When a write fails (a full
    disk) the header still describes the audio written before, so that stays playable.
    Opening raises OSError (FileExistsError if `path` exists: it never overwrites).
    """

    def __init__(self, path: Path, rate: int) -> None:
        self.path = path
        self.rate = rate
        self.frames = 0
        self.flushed_frames = 0
        # Private (0600) and never over an earlier attempt: O_EXCL refuses an existing name.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._file.write(_wav_header(rate, 0))
        self.flush()

    def append(self, pcm: np.ndarray) -> None:
        self._file.write(np.asarray(pcm, "<i2").tobytes())
        self.frames += len(pcm)

    def flush(self) -> None:
        data_bytes = self.frames * 2
        self._file.seek(4)  # BufferedWriter.seek writes the pending data first
        self._file.write(struct.pack("<I", 36 + data_bytes))
        self._file.seek(40)
        self._file.write(struct.pack("<I", data_bytes))
        self._file.seek(0, 2)
        self._file.flush()
        self.flushed_frames = self.frames

    def close(self) -> None:
        """Finish the file; after a failed write, close it as it is (its header is valid)."""
        if self._file.closed:
            return
        try:
            self.flush()
        except OSError:
            self.frames = self.flushed_frames
        finally:
            with contextlib.suppress(OSError):  # data the disk refused is dropped
                self._file.close()


def _wav_header(rate: int, data_bytes: int) -> bytes:
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        data_bytes,
    )


# --- writing ------------------------------------------------------------------------------


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] (clipped) or int16 samples, as int16 PCM."""
    if samples.dtype == np.int16:
        return samples
    pcm: np.ndarray = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    return pcm


def write_wav_atomic(path: Path, samples: np.ndarray, rate_hz: int) -> None:
    """Write mono 16-bit PCM WAV to a new file `path` (FileExistsError if it exists)."""
    pcm = to_int16(np.asarray(samples).reshape(-1))
    with atomic_file(path) as f, wave.open(f, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate_hz))
        w.writeframes(pcm.astype("<i2").tobytes())
