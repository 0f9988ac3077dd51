"""Audio inputs made on the spot (espeak-ng, sox, ffmpeg) for tests and benchmarks.

- babble: a murmur from another room: several espeak-ng voices saying different texts,
  each reversed (speech-like, no words), mixed, low-passed, scaled to a given RMS level;
- run_on: a long spoken answer with no pause of 0.1 s or more anywhere in it;
- long_file: read speech and silence looped to any length, written as FLAC.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

RATE_HZ = 16000
SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech_samples"

BABBLE_VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-us+f3", "en-gb-x-rp+f2")
BABBLE_TEXTS = (
    "I think the quarterly numbers were fine but we should look again at the pipeline",
    "Did you hear what happened in the kitchen yesterday when the coffee machine broke",
    "We are going to need more chairs for the training session because twelve more signed up",
    "My sister moved to the coast last spring and she keeps sending pictures of the boats",
    "The delivery truck was late again so the warehouse team stayed until nine",
    "Honestly I would rather take the train because parking downtown is impossible on Friday",
)

# No punctuation, so espeak-ng makes no sentence or clause pauses: one 56+ s breath.
RUN_ON_TEXT = (
    "so when I joined the platform team the deployment process took about three days and "
    "every release needed someone to copy files by hand across all of our services and then "
    "check the logs one by one which meant that mistakes slipped through almost every week "
    "and customers noticed them before we did so I proposed a simple pipeline that built each "
    "service once ran the tests in parallel and rolled the change out to one region first "
    "while we watched the error rates and at first people worried that it would slow them "
    "down but I wrote a short guide paired with each developer for an afternoon and showed "
    "them the dashboard and after two weeks the whole team agreed to adopt it and within a "
    "quarter our release time dropped from three days to forty minutes and the number of "
    "incidents caused by deployments fell by more than half which freed the support engineers "
    "to work on the backlog that had been waiting for months and I learned that a change "
    "sticks when people can see the benefit for themselves"
)


def espeak(text: str, voice: str = "en-us", wpm: int = 165, gap_10ms: int = 0) -> np.ndarray:
    """espeak-ng's speech as float32 at RATE_HZ (resampled by sox)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-g", str(gap_10ms), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["sox", "-D", str(raw), "-r", str(RATE_HZ), "-c", "1", str(out)],
            check=True,
            capture_output=True,
        )
        return read_wav(out)


def read_wav(path: Path) -> np.ndarray:
    """The first channel of a WAV, float32 in [-1, 1), through the app's one WAV reader."""
    from interviewer.adapters.audio_files import read_wav as read_any_wav

    samples, _rate_hz = read_any_wav(path)
    return samples[:, 0]


def write_wav(path: Path, samples: np.ndarray, rate_hz: int = RATE_HZ) -> Path:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.tobytes())
    return path


def rms_dbfs(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64))) + 1e-12))


def scale_to(samples: np.ndarray, dbfs: float) -> np.ndarray:
    return (samples * 10 ** ((dbfs - rms_dbfs(samples)) / 20)).astype(np.float32)


def babble(seconds: float = 30.0, level_dbfs: float = -45.0, lowpass_hz: int = 700) -> np.ndarray:
    """Several reversed voices at once, as heard through a wall: speech-like, no words."""
    length = int(seconds * RATE_HZ)
    mix = np.zeros(length, np.float32)
    for i, voice in enumerate(BABBLE_VOICES):
        text = " ".join(BABBLE_TEXTS[(i + k) % len(BABBLE_TEXTS)] for k in range(4))
        voice_audio = espeak(text, voice, wpm=150 + 7 * i)[::-1]  # reversed: no words left
        reps = int(np.ceil(length / len(voice_audio)))
        mix += np.tile(voice_audio, reps)[:length]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "mix.wav", Path(tmp) / "wall.wav"
        write_wav(src, scale_to(mix, -20.0))
        subprocess.run(
            ["sox", "-D", str(src), str(out), "lowpass", str(lowpass_hz)],
            check=True,
            capture_output=True,
        )
        return scale_to(read_wav(out), level_dbfs)


def longest_pause_s(samples: np.ndarray, quiet_dbfs: float = -50.0, frame_s: float = 0.01) -> float:
    """The longest run of 10 ms frames quieter than quiet_dbfs, inside the speech."""
    hop = int(frame_s * RATE_HZ)
    n = len(samples) // hop
    frames = samples[: n * hop].reshape(n, hop)
    db = 20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-9)
    loud = np.flatnonzero(db >= quiet_dbfs)
    if not len(loud):
        return len(samples) / RATE_HZ
    run = best = 0
    for quiet in db[loud[0] : loud[-1] + 1] < quiet_dbfs:
        run = run + 1 if quiet else 0
        best = max(best, run)
    return best * frame_s


def run_on(wpm: int = 150) -> tuple[np.ndarray, str]:
    """(audio, reference text): RUN_ON_TEXT with its few word-gap silences squeezed below
    0.05 s by sox, so no pause of 0.1 s is left anywhere."""
    speech = espeak(RUN_ON_TEXT, "en-us", wpm=wpm, gap_10ms=0)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        write_wav(src, speech)
        # -l: shorten every silence longer than 0.05 s (below -45 dB) to 0.05 s
        subprocess.run(
            [
                "sox",
                "-D",
                str(src),
                str(out),
                "silence",
                "-l",
                "1",
                "0.02",
                "-45d",
                "-1",
                "0.05",
                "-45d",
            ],
            check=True,
            capture_output=True,
        )
        return read_wav(out), RUN_ON_TEXT


def long_file(path: Path, minutes: float, speech_share: float = 1.0) -> Path:
    """A FLAC of `minutes`: the real speech samples one after the other with 1 s between,
    looped; with speech_share < 1 each loop is followed by silence with faint noise so that
    only that share is speech (a long file that is quick to transcribe)."""
    clips = sorted(p for p in SPEECH.glob("*") if p.suffix in (".wav", ".flac", ".mp3"))
    from interviewer.adapters.audio_files import load_audio

    gap = np.zeros(RATE_HZ, np.float32)
    loop = np.concatenate([part for c in clips for part in (load_audio(c), gap)])
    if speech_share < 1.0:
        rest = int(len(loop) * (1 / speech_share - 1))
        noise = np.random.default_rng(0).normal(0, 10 ** (-70 / 20), rest).astype(np.float32)
        loop = np.concatenate([loop, noise])
    with tempfile.TemporaryDirectory() as tmp:
        one = write_wav(Path(tmp) / "loop.wav", loop)
        reps = int(np.ceil(minutes * 60 * RATE_HZ / len(loop)))
        subprocess.run(
            ["sox", str(one), str(path), "repeat", str(reps - 1), "trim", "0", str(minutes * 60)],
            check=True,
            capture_output=True,
        )
    return path
