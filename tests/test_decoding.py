"""Files a player plays: streams that change mid-file, babble, run-on speech, long files.

Every input is generated here with ffmpeg, sox and espeak-ng.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters.audio_files import load_audio
from interviewer.adapters.transcribe import Transcriber
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech_samples"
JFK = SPEECH / "jfk_ask_not.flac"  # 11.0 s
ARCTIC = SPEECH / "cmu_arctic_slt_a0009.wav"  # 3.10 s


def _ffmpeg(src: Path, dst: Path, *options: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), *options, str(dst)], check=True
    )
    return dst


def _joined(tmp_path: Path, ext: str, first: list[str], second: list[str]) -> Path:
    """JFK then the arctic clip, each encoded with its own options, joined with `cat`."""
    a = _ffmpeg(JFK, tmp_path / f"a.{ext}", *first)
    b = _ffmpeg(ARCTIC, tmp_path / f"b.{ext}", *second)
    joined = tmp_path / f"joined.{ext}"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    return joined


def _ffmpeg_samples(path: Path) -> int:
    pcm = subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "quiet",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE_HZ),
            "-",
        ],
        capture_output=True,
        check=False,
    ).stdout
    return len(pcm) // 2


JOINED = {
    "mp3 44.1 -> 22.05 kHz": ("mp3", ["-ar", "44100", "-ac", "1"], ["-ar", "22050", "-ac", "1"]),
    "mp3 mono -> stereo": ("mp3", ["-ar", "44100", "-ac", "1"], ["-ar", "44100", "-ac", "2"]),
    "mp3 stereo -> mono, 48 -> 16 kHz": (
        "mp3",
        ["-ar", "48000", "-ac", "2"],
        ["-ar", "16000", "-ac", "1"],
    ),
    "adts aac 44.1 kHz mono -> 22.05 kHz stereo": (
        "aac",
        ["-ar", "44100", "-ac", "1"],
        ["-ar", "22050", "-ac", "2"],
    ),
    # no ID3 tag, no Xing frame: decoding runs on into the second part (the resampler error)
    "bare mp3 44.1 kHz mono -> 22.05 kHz stereo": (
        "mp3",
        ["-ar", "44100", "-ac", "1", "-id3v2_version", "0", "-write_xing", "0"],
        ["-ar", "22050", "-ac", "2", "-id3v2_version", "0", "-write_xing", "0"],
    ),
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
    tail = samples[-int(2.5 * SAMPLE_RATE_HZ) :]  # the second part is speech, not zeros
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
    out = subprocess.run(
        [sys.executable, "-m", "interviewer", "transcribe", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout.lower()
    assert "ask not what your country" in text and "gregson across the table" in text


# --- babble, quiet speech, run-on speech (the real model) ---------------------------------


def _inputs():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_inputs", ROOT / "scripts" / "bench_inputs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain(transcriber: Transcriber, audio: np.ndarray) -> str:
    """Plain faster-whisper, deterministic (temperature 0), same beam and VAD silence."""
    segments, _ = transcriber.load().transcribe(
        audio,
        language="en",
        beam_size=5,
        word_timestamps=True,
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 1000},
    )
    return " ".join(s.text.strip() for s in segments)


@pytest.mark.parametrize("level_dbfs", [-45.0, -40.0])
def test_babble_from_another_room_writes_no_words(
    transcriber: Transcriber, level_dbfs: float
) -> None:
    """Before: 'Thank you so much for watching, and I'll see you next time...' (24 words)
    on every run; the filler-capture pass wrote 'Uh, hmm.'."""
    audio = _inputs().babble(30.0, level_dbfs)
    plain_words = Transcriber(keep_fillers=False)
    for _ in range(3):
        assert transcriber.transcribe(audio).text == ""
        assert plain_words.transcribe(audio).text == ""


QUIET_CLIPS = [
    "jfk_ask_not.flac",
    "librispeech_1089-134686-0000.flac",
    "librivox_sonnet_001.mp3",
    "fillers/mfa_um.flac",
    "mfa_acoustic_corpus.wav",
]


def test_quiet_real_speech_keeps_its_words(transcriber: Transcriber) -> None:
    """The babble filter must not take real speech at -35 dBFS RMS: pooled WER as at the
    clip's own level (measured: the same, 0.0 apart)."""
    from tests.wer_tools import FILLERS, word_errors

    scale_to = _inputs().scale_to
    errors = {"own level": 0, "-35 dBFS": 0}
    n_ref = 0
    for name in QUIET_CLIPS:
        path = SPEECH / name
        ref_path = path.with_suffix(".norm.txt")
        ref = (ref_path if ref_path.exists() else path.with_suffix(".txt")).read_text()
        audio = load_audio(path)
        for key, clip in (("own level", audio), ("-35 dBFS", scale_to(audio, -35.0))):
            e, n = word_errors(ref, transcriber.transcribe(clip).text, ignore=FILLERS)
            errors[key] += e
        n_ref += n
    assert errors["-35 dBFS"] <= errors["own level"] + 0.02 * n_ref, errors


@pytest.mark.parametrize("wpm", [150, 170])
def test_run_on_answer_loses_no_words_at_window_edges(transcriber: Transcriber, wpm: int) -> None:
    """56 s (150 wpm) / 51 s (170 wpm) with no 0.1 s pause. Before: VAD cut the speech at
    its 27 s limit inside a word ("slow them down but" -> "slow. I"); WER 0.165 against
    0.115 for plain faster-whisper at 170 wpm."""
    from tests.wer_tools import FILLERS, word_errors

    inputs = _inputs()
    audio, ref = inputs.run_on(wpm)
    assert inputs.longest_pause_s(audio) < 0.1 and len(audio) / SAMPLE_RATE_HZ > 50
    ours = transcriber.transcribe(audio)
    e_ours, n = word_errors(ref, ours.text, ignore=FILLERS)
    e_plain, _ = word_errors(ref, _plain(transcriber, audio), ignore=FILLERS)
    assert e_ours <= e_plain + 0.02 * n, (e_ours, e_plain, n, ours.text)
    starts = [w.start_s for w in ours.words]
    assert starts == sorted(starts)


def test_splice_joins_two_decodings_of_an_overlap() -> None:
    from interviewer.adapters.transcribe import splice
    from interviewer.core.models import Word

    def words(spec: str, start: float) -> list[Word]:
        return [Word(t, start + i * 0.5, start + i * 0.5 + 0.4) for i, t in enumerate(spec.split())]

    # the first window ends inside "delta", the second starts inside "alpha"; the second
    # puts the same words 0.3 s later, so a cut by time alone would write "beta" twice
    before = words("one two three alpha beta gamma del", 0.0)  # overlap is 1.5 .. 3.5 s
    after = words("pha beta gamma delta epsilon", 1.8)
    joined = [w.text for w in splice(before, after, 1.5, 3.5)]
    assert joined == ["one", "two", "three", "alpha", "beta", "gamma", "delta", "epsilon"]
    # no common word: cut at the middle of the overlap by time
    joined = [w.text for w in splice(words("a b c d", 0.0), words("x y z", 1.0), 1.0, 2.0)]
    assert joined == ["a", "b", "c", "y", "z"]


# --- long files: progress and bounded memory ----------------------------------------------


def _long_file(tmp_path: Path, minutes: float, name: str = "long.flac") -> Path:
    """Faint noise (-70 dBFS) with the JFK clip 10 s in and 60 s before the end, as FLAC:
    long, but quick to transcribe (VAD reads it all; only the speech is decoded)."""
    import wave

    rng = np.random.default_rng(3)
    n = int(minutes * 60 * SAMPLE_RATE_HZ)
    pcm = (rng.standard_normal(n) * 32768 * 10 ** (-70 / 20)).astype(np.int16)
    speech = (load_audio(JFK) * 32767).astype(np.int16)
    for at in (10 * SAMPLE_RATE_HZ, n - 60 * SAMPLE_RATE_HZ):
        pcm[at : at + len(speech)] = speech
    wav = tmp_path / "long.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(pcm.tobytes())
    out = tmp_path / name
    subprocess.run(["sox", str(wav), str(out)], check=True)
    wav.unlink()
    return out


# Run by a small fresh Python: Linux keeps a process's peak RSS across execve, so a child
# forked (or vforked) straight from this test process would report this process's own peak.
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
sys.stdout.write(done.stdout.decode())
print(f"exit {done.returncode} peak_kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def _peak_rss_mb(*args: str) -> tuple[float, str]:
    """Peak RSS (MB) and stdout of `interviewer ...`."""
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "interviewer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    *text, last = out.splitlines()
    _, code, _, peak_kb = last.split()
    assert code == "0", out
    return int(peak_kb) / 1024, "\n".join(text)


def test_peak_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Before: the whole file as float32, plus VAD's padded and windowed float copies of
    it (779 MB peak on 35 minutes of speech). Now int16 pieces and VAD block by block."""
    short_mb, short_out = _peak_rss_mb("transcribe", str(_long_file(tmp_path, 5, "5.flac")))
    long_mb, long_out = _peak_rss_mb("transcribe", str(_long_file(tmp_path, 30, "30.flac")))
    assert long_mb < 500, (short_mb, long_mb)
    # Before: 30 minutes held whole as float32 and copied by VAD (+~300 MB over 5 minutes).
    # Now the same two windows are decoded in both files: what remains is noise (measured
    # +3..+18 MB); holding even the int16 of the 25 more minutes would be +48 MB.
    assert long_mb - short_mb < 30, (short_mb, long_mb)
    assert long_out.lower().count("fellow") == short_out.lower().count("fellow") == 2


def test_progress_callback_reaches_the_end(transcriber: Transcriber, tmp_path: Path) -> None:
    audio = load_audio(_long_file(tmp_path, 5))  # three VAD blocks, two speech windows
    calls: list[tuple[float, float | None]] = []
    t = transcriber.transcribe(audio, progress=lambda done, total: calls.append((done, total)))
    total = len(audio) / SAMPLE_RATE_HZ
    assert "ask not" in t.text.lower()
    assert len(calls) >= 3
    assert all(total_s == total for _, total_s in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == pytest.approx(total) and done[0] < total


def test_transcribe_shows_progress_lines_when_not_a_terminal(tmp_path: Path) -> None:
    """A log or pipe gets plain lines at every 10 % for audio of 2 minutes or more."""
    import sys

    path = _long_file(tmp_path, 2.6)
    out = subprocess.run(
        [sys.executable, "-m", "interviewer", "transcribe", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert lines and all(line.startswith("transcribing long.flac: ") for line in lines), lines
    assert "100% (2:36 of 2:36 of audio)" in lines[-1]
    assert "ask not" in out.stdout.lower() and "transcribing" not in out.stdout
    short = subprocess.run(
        [sys.executable, "-m", "interviewer", "transcribe", str(JFK)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert short.returncode == 0 and short.stderr == ""  # short files: logs as before


def test_transcribe_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import sys

    path = _long_file(tmp_path, 2.6)
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "transcribe", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    out = child.communicate()[0].decode()
    os.close(master)
    assert child.returncode == 0
    assert b"transcribing long.flac" in drawn and b"of audio" in drawn
    assert "ask not" in out.lower()


def test_practice_from_a_long_recording_stays_under_500_mb(tmp_path: Path) -> None:
    """practice --answer-audio held the file as float32 and find_pauses made two more float
    copies of it; now int16 blocks are transcribed as they are and pauses are found a piece
    at a time (30 minutes: the int16 is 58 MB)."""
    long_mb, out = _peak_rss_mb(
        "practice",
        "-q",
        "01",
        "--no-speak",
        "--json",
        "--answer-audio",
        str(_long_file(tmp_path, 30, "30.flac")),
    )
    # measured 391-397 MB (614 before)
    print(f"practice --answer-audio, 30 min: peak {long_mb:.0f} MB")
    assert long_mb < 500, long_mb
    record = json.loads(out.splitlines()[-1])
    assert record["status"] == "ok" and record["duration_s"] > 29 * 60
    assert " ".join(w["text"] for w in record["words"]).lower().count("fellow") == 2
    # reanalyze --model re-transcribes it: the same bound (loaded whole as float32 before).
    from interviewer.adapters.transcribe import resolve_model

    model = resolve_model(None)[0]
    again_mb, out = _peak_rss_mb("reanalyze", "-q", "01", "--model", model)
    print(f"reanalyze --model, 30 min: peak {again_mb:.0f} MB")  # measured 397 MB (553 before)
    assert again_mb < 500, again_mb
    assert "1 of 1 attempts reanalysed" in out
