"""Reading real clips in any format, refusing every kind of bad file, and atomic writes."""

from __future__ import annotations

import stat
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters.audio_files import (
    WavAppender,
    load_audio,
    read_recording,
    read_wav,
    write_wav_atomic,
)
from interviewer.adapters.fileio import copy_atomic, write_text_atomic
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech_samples"
JFK = SPEECH / "jfk_ask_not.flac"  # 11.0 s, 44.1 kHz stereo FLAC
SONNET = SPEECH / "librivox_sonnet_001.mp3"  # 53.27 s, 44.1 kHz stereo MP3 with a Xing header
MONOLOGUE = SPEECH / "mfa_acoustic_corpus.wav"  # 26.72 s, 16 kHz mono PCM WAV
ARCTIC = SPEECH / "cmu_arctic_slt_a0009.wav"  # 3.10 s, 16 kHz mono PCM WAV


def test_speech_samples_are_present() -> None:
    assert JFK.is_file(), f"speech samples missing at {SPEECH}"


@pytest.mark.parametrize(
    ("path", "duration_s"),
    [(JFK, 11.0), (SONNET, 53.2666), (MONOLOGUE, 26.72325), (ARCTIC, 3.095)],
)
def test_real_clips_decode_to_16k_mono_float32(path: Path, duration_s: float) -> None:
    samples = load_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert len(samples) / SAMPLE_RATE_HZ == pytest.approx(duration_s, abs=0.01)
    assert 0.01 < float(np.sqrt(np.mean(samples**2))) < 0.5  # real speech, not silence
    assert float(np.abs(samples).max()) <= 1.0


def test_matches_faster_whisper_decode_audio() -> None:
    from faster_whisper.audio import decode_audio

    np.testing.assert_array_equal(load_audio(JFK), decode_audio(str(JFK)))


def test_m4a(tmp_path: Path) -> None:
    import av

    samples = load_audio(ARCTIC)
    path = tmp_path / "answer.m4a"
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=SAMPLE_RATE_HZ, layout="mono")
        for i in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[i : i + 1024].reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE_HZ
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    decoded = load_audio(path)
    assert len(decoded) == pytest.approx(len(samples), abs=2048)  # AAC priming/padding


@pytest.mark.parametrize("size", [0, 0xFFFFFFFF])
def test_wav_with_streaming_header_sizes_still_loads(tmp_path: Path, size: int) -> None:
    """Recorders that stream to disk leave 0 or 0xFFFFFFFF until they finish: not truncation."""
    data = bytearray(ARCTIC.read_bytes())
    at = data.index(b"data") + 4
    data[at : at + 4] = struct.pack("<I", size)
    path = tmp_path / "streamed.wav"
    path.write_bytes(bytes(data))
    assert len(load_audio(path)) == len(load_audio(ARCTIC))


# --- bad input: one InterviewerError naming the file ---------------------------------------


def _expect_error(path: Path, *words: str) -> InterviewerError:
    with pytest.raises(InterviewerError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    for word in words:
        assert word in message
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nope.wav", "not found")


def test_directory(tmp_path: Path) -> None:
    _expect_error(tmp_path, "folder")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    _expect_error(path, "empty")


@pytest.mark.parametrize("content", [b"just some notes, not audio\n" * 40, bytes(range(256)) * 8])
def test_not_audio(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    _expect_error(path, "cannot read")


def _cut(src: Path, tmp_path: Path, keep: float | int) -> Path:
    data = src.read_bytes()
    n = keep if isinstance(keep, int) else int(len(data) * keep)
    path = tmp_path / f"cut_{n}_{src.name}"
    path.write_bytes(data[:n])
    return path


@pytest.mark.parametrize("keep", [0.5, 0.98, 0.999, 44, 45])
def test_truncated_wav(tmp_path: Path, keep: float | int) -> None:
    """FFmpeg clamps the data chunk to the file size; the header check catches it."""
    _expect_error(_cut(MONOLOGUE, tmp_path, keep), "truncated", "26.72 s")


@pytest.mark.parametrize("keep", [0.5, 0.98, 0.999])
def test_truncated_flac(tmp_path: Path, keep: float) -> None:
    """STREAMINFO declares 11.0 s; the cut frame raises a decode error PyAV would skip."""
    _expect_error(_cut(JFK, tmp_path, keep), "truncated")


@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_truncated_mp3(tmp_path: Path, keep: float) -> None:
    """The Xing header's frame count says 53.27 s; decoding stops early without an error."""
    _expect_error(_cut(SONNET, tmp_path, keep), "truncated", "53.27 s")


@pytest.mark.parametrize(("src", "keep"), [(JFK, 44), (SONNET, 100), (JFK, 200)])
def test_header_cut_short(tmp_path: Path, src: Path, keep: int) -> None:
    _expect_error(_cut(src, tmp_path, keep), "cannot read")


def test_wav_header_only_is_truncated_not_empty(tmp_path: Path) -> None:
    error = _expect_error(_cut(ARCTIC, tmp_path, 44), "truncated")
    assert "0.00 s" in error.what


# --- PCM WAV ------------------------------------------------------------------------------


def _pcm_wav(path: Path, raw: bytes, width: int, channels: int = 1, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return path


@pytest.mark.parametrize(
    ("width", "raw"),
    [
        (1, bytes([128, 192, 0])),  # unsigned
        (2, np.array([0, 16384, -32768], "<i2").tobytes()),
        (3, b"\x00\x00\x00" + b"\x00\x00\x40" + b"\x00\x00\x80"),
        (4, np.array([0, 2**30, -(2**31)], "<i4").tobytes()),
    ],
)
def test_read_wav_every_pcm_width(tmp_path: Path, width: int, raw: bytes) -> None:
    samples, rate = read_wav(_pcm_wav(tmp_path / "x.wav", raw, width))
    assert rate == 8000 and samples.dtype == np.float32 and samples.shape == (3, 1)
    assert samples[:, 0].tolist() == [0.0, 0.5, -1.0]


def test_read_wav_keeps_channels_apart(tmp_path: Path) -> None:
    raw = np.array([1, -1, 2, -2], "<i2").tobytes()  # two stereo frames
    samples, _ = read_wav(_pcm_wav(tmp_path / "x.wav", raw, 2, channels=2))
    assert (samples * 32768).tolist() == [[1, -1], [2, -2]]


def test_read_wav_refuses_what_is_not_a_pcm_wav(tmp_path: Path) -> None:
    with pytest.raises(InterviewerError, match="cannot read audio file"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(InterviewerError, match="cannot read audio file"):
        read_wav(JFK)  # FLAC


def test_read_recording_is_exact_mono_float(tmp_path: Path) -> None:
    pcm = np.array([0, 1, -32768, 32767], "<i2")
    path = _pcm_wav(tmp_path / "answer.wav", pcm.tobytes(), 2, rate=SAMPLE_RATE_HZ)
    samples = read_recording(path)
    assert samples.dtype == np.float32 and samples.shape == (4,)
    assert np.array_equal(samples, pcm.astype(np.float32) / 32768.0)
    np.testing.assert_array_equal(read_recording(MONOLOGUE), load_audio(MONOLOGUE))


def test_read_recording_mixes_channels_and_refuses_another_rate(tmp_path: Path) -> None:
    raw = np.array([1000, 3000], "<i2").tobytes()
    stereo = _pcm_wav(tmp_path / "stereo.wav", raw, 2, channels=2, rate=SAMPLE_RATE_HZ)
    assert (read_recording(stereo) * 32768).tolist() == [2000]
    with pytest.raises(InterviewerError, match="8000 Hz, not 16000 Hz"):
        read_recording(_pcm_wav(tmp_path / "8k.wav", raw, 2))


def _read_int16(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE_HZ)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_wav_appender_is_valid_at_every_flush(tmp_path: Path) -> None:
    path = tmp_path / "grow.wav"
    wav = WavAppender(path, SAMPLE_RATE_HZ)
    assert _read_int16(path).size == 0
    wav.append(np.arange(100, dtype=np.int16))
    wav.flush()
    assert np.array_equal(_read_int16(path), np.arange(100))
    wav.append(np.arange(50, dtype=np.int16))  # not flushed yet: the file still reads
    assert _read_int16(path).size in (100, 150)
    wav.close()
    assert _read_int16(path).size == 150
    assert _mode(path) == 0o600
    with pytest.raises(FileExistsError):  # never over an earlier recording
        WavAppender(path, SAMPLE_RATE_HZ)


# --- atomic writers -----------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_wav_round_trip(tmp_path: Path) -> None:
    samples = load_audio(ARCTIC)
    path = tmp_path / "answer.wav"
    write_wav_atomic(path, samples, SAMPLE_RATE_HZ)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE_HZ)
        assert w.getnframes() == len(samples)
    np.testing.assert_allclose(load_audio(path), samples, atol=2 / 32768)
    assert _mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.wav"]  # no temp file left


def test_write_wav_clips_and_accepts_int16(tmp_path: Path) -> None:
    write_wav_atomic(tmp_path / "loud.wav", np.array([2.0, -2.0, 0.5]), 8000)
    with wave.open(str(tmp_path / "loud.wav")) as w:
        assert np.frombuffer(w.readframes(3), "<i2").tolist() == [32767, -32767, 16384]
    write_wav_atomic(tmp_path / "pcm.wav", np.array([1, -2, 3], dtype=np.int16), 8000)
    with wave.open(str(tmp_path / "pcm.wav")) as w:
        assert np.frombuffer(w.readframes(3), "<i2").tolist() == [1, -2, 3]


@pytest.mark.parametrize("writer", ["wav", "text", "copy"])
def test_writers_never_overwrite(tmp_path: Path, writer: str) -> None:
    dst = tmp_path / "taken"
    dst.write_text("keep me")
    src = tmp_path / "src.txt"
    src.write_text("new")
    with pytest.raises(FileExistsError):
        if writer == "wav":
            write_wav_atomic(dst, np.zeros(10), SAMPLE_RATE_HZ)
        elif writer == "text":
            write_text_atomic(dst, "new")
        else:
            copy_atomic(src, dst)
    assert dst.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.txt", "taken"]


def test_import_is_cheap() -> None:
    code = "import sys, interviewer.adapters.audio_files; print('av' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
