"""Files a player plays: streams that change mid-file, babble, run-on speech, long files.

Every input is generated here with ffmpeg, sox and espeak-ng.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from interviewer.audiofile import load_audio
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech_samples"
JFK = SPEECH / "jfk_ask_not.flac"  # 11.0 s
ARCTIC = SPEECH / "cmu_arctic_slt_a0009.wav"  # 3.10 s


def _ffmpeg(src: Path, dst: Path, *options: str) -> Path:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), *options, str(dst)],
                   check=True)
    return dst


def _joined(tmp_path: Path, ext: str, first: list[str], second: list[str]) -> Path:
    """JFK then the arctic clip, each encoded with its own options, joined with `cat`."""
    a = _ffmpeg(JFK, tmp_path / f"a.{ext}", *first)
    b = _ffmpeg(ARCTIC, tmp_path / f"b.{ext}", *second)
    joined = tmp_path / f"joined.{ext}"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    return joined


def _ffmpeg_samples(path: Path) -> int:
    pcm = subprocess.run(["ffmpeg", "-loglevel", "quiet", "-i", str(path), "-f", "s16le",
                          "-ac", "1", "-ar", str(SAMPLE_RATE_HZ), "-"],
                         capture_output=True, check=False).stdout
    return len(pcm) // 2


JOINED = {
    "mp3 44.1 -> 22.05 kHz": ("mp3", ["-ar", "44100", "-ac", "1"], ["-ar", "22050", "-ac", "1"]),
    "mp3 mono -> stereo": ("mp3", ["-ar", "44100", "-ac", "1"], ["-ar", "44100", "-ac", "2"]),
    "mp3 stereo -> mono, 48 -> 16 kHz": ("mp3", ["-ar", "48000", "-ac", "2"],
                                         ["-ar", "16000", "-ac", "1"]),
    "adts aac 44.1 kHz mono -> 22.05 kHz stereo": (
        "aac", ["-ar", "44100", "-ac", "1"], ["-ar", "22050", "-ac", "2"]),
    # no ID3 tag, no Xing frame: decoding runs on into the second part (the resampler error)
    "bare mp3 44.1 kHz mono -> 22.05 kHz stereo": (
        "mp3", ["-ar", "44100", "-ac", "1", "-id3v2_version", "0", "-write_xing", "0"],
        ["-ar", "22050", "-ac", "2", "-id3v2_version", "0", "-write_xing", "0"]),
}


@pytest.mark.parametrize("case", list(JOINED))
def test_files_joined_with_cat_decode_whole(tmp_path: Path, case: str) -> None:
    """Before: `Frame does not match AudioResampler setup`, or 'truncated' because decoding
    stopped at the second file's header; now all of both parts, as ffmpeg decodes them."""
    ext, first, second = JOINED[case]
    path = _joined(tmp_path, ext, first, second)
    samples = load_audio(path)
    expected_s = 11.0 + 3.095
    assert len(samples) / SAMPLE_RATE_HZ == pytest.approx(expected_s, abs=0.15)
    assert len(samples) == pytest.approx(_ffmpeg_samples(path), abs=0.05 * SAMPLE_RATE_HZ)
    tail = samples[-int(2.5 * SAMPLE_RATE_HZ):]  # the second part is speech, not zeros
    assert float(np.sqrt(np.mean(tail**2))) > 0.01


@pytest.mark.parametrize(("ext", "options"), [("ogg", ["-ac", "1"]), ("opus", ["-ac", "1"])])
def test_chained_ogg_with_another_format_names_where_and_why(
    tmp_path: Path, ext: str, options: list[str]
) -> None:
    """FFmpeg 7 (inside PyAV) stops at an OGG chain whose channels change: say so."""
    path = _joined(tmp_path, ext, [*options, "-ar", "48000"], ["-ac", "2", "-ar", "48000"])
    with pytest.raises(InterviewerError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert str(path) in message and "11.00 s" in message and "joined" in message
    assert "\n" not in message


def test_flac_joined_with_another_rate_says_so(tmp_path: Path) -> None:
    """ffmpeg itself decodes only the first part (the rest fails frame by frame)."""
    path = _joined(tmp_path, "flac", ["-ar", "44100"], ["-ar", "22050"])
    with pytest.raises(InterviewerError) as caught:
        load_audio(path)
    assert "after the first 11.0" in str(caught.value) and "joined" in str(caught.value)


def test_transcribe_cli_reads_joined_mp3(tmp_path: Path) -> None:
    import sys

    path = _joined(tmp_path, "mp3", ["-ar", "44100", "-ac", "1"], ["-ar", "22050", "-ac", "2"])
    out = subprocess.run([sys.executable, "-m", "interviewer", "transcribe", str(path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = out.stdout.lower()
    assert "ask not what your country" in text and "gregson across the table" in text
