"""audio_devices against real devices: a private PulseAudio daemon (tests/audio_server.py)."""

from __future__ import annotations

import importlib.abc
import os
import signal
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters import audio_devices
from interviewer.adapters.audio_files import read_wav
from interviewer.core.levels import level_dbfs
from interviewer.errors import InterviewerError
from interviewer.settings import LiveSettings
from tests.audio_server import VirtualAudio, alarm, wait_until

ROOT = Path(__file__).resolve().parents[1]
RATE = 16000


@pytest.fixture(autouse=True)
def _time_limit() -> Iterator[None]:
    with alarm(60):  # a hung PortAudio call must fail this test, not the run
        yield


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, "<i2").tobytes())
    return path


def read_int16(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    """Deterministic noise whose first sample is non-zero, so it is easy to find again."""
    x = np.random.default_rng(seed).normal(0, 3000, int(seconds * RATE))
    x = np.clip(x, -32000, 32000).astype(np.int16)
    x[0] = 1234
    return x


def tone(seconds: float, rate: int, hz: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def first_nonzero(x: np.ndarray) -> int:
    found = np.flatnonzero(x)
    assert found.size, "the recording is all zeros"
    return int(found[0])


def loud_seconds(samples: np.ndarray, rate: int, threshold: float = 0.1) -> float:
    """Time louder than threshold, in 10 ms frames: the silent gap an underrun leaves on a
    loaded machine does not count, so the bounds hold however busy the machine is."""
    frame = rate // 100
    x = np.abs(samples[: len(samples) // frame * frame]).reshape(-1, frame).max(axis=1)
    return int(np.sum(x > threshold)) / 100


def wait_recorded(path: Path, done: Callable[[np.ndarray], bool]) -> None:
    """Wait until the recording on disk satisfies `done`: on the audio's clock, where a fixed
    sleep could be too short on a loaded machine."""
    wait_until(lambda: done(read_int16(path)), 30, f"{path.name} to hold the fed audio")


def quiet_after_sound(seconds: float) -> Callable[[np.ndarray], bool]:
    """The fed sound has arrived and `seconds` more after it."""

    def done(x: np.ndarray) -> bool:
        loud = np.flatnonzero(np.abs(x) > 300)
        return bool(loud.size) and x.size >= loud[-1] + seconds * RATE

    return done


# ---------------------------------------------------------------- pure helpers


def test_importing_audio_devices_does_not_load_portaudio() -> None:
    code = (
        "import sys, interviewer.adapters.audio_devices\n"
        "print([m for m in ('sounddevice', 'soxr') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def thd_n_db(y: np.ndarray, hz: float, rate: int) -> float:
    """Everything but the fitted tone (noise, distortion, aliases), relative to the tone."""
    y = y[rate // 20 : -rate // 20].astype(np.float64)  # edges: the filter settling
    t = np.arange(len(y)) / rate
    basis = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t)], axis=1)
    fitted = basis @ np.linalg.lstsq(basis, y, rcond=None)[0]
    return float(10 * np.log10(np.sum((y - fitted) ** 2) / np.sum(fitted**2)))


def test_resampler_keeps_pitch_and_length_in_blocks() -> None:
    x = tone(2.0, 44100, hz=440.0)
    resampler = audio_devices.Resampler(44100, RATE)
    blocks = [resampler(block) for block in np.array_split(x, 37)]
    y = np.concatenate([*blocks, resampler(np.zeros(0, np.float32), last=True)])
    assert len(y) == 2.0 * RATE  # what soxr held back came out at the end
    peak_hz = np.argmax(np.abs(np.fft.rfft(y))) * RATE / len(y)
    assert peak_hz == pytest.approx(440, abs=1)
    whole = audio_devices.resample(x, 44100, RATE)
    assert np.allclose(y, whole, atol=1e-6)  # no seams at block edges


@pytest.mark.parametrize("rate_in", [44100, 48000, 22050])
def test_resampled_tone_is_clean(rate_in: int) -> None:
    """The hand-written FIR it replaced left 1 kHz from 44.1 kHz at -62 dB THD+N and 7 kHz
    at -28 dB (linear interpolation); soxr measured -134 dB for both."""
    for hz in (1000.0, 7000.0):
        y = audio_devices.resample(tone(2.0, rate_in, hz=hz), rate_in, RATE)
        assert thd_n_db(y, hz, RATE) < -100
        assert level_dbfs(y) == pytest.approx(-9.03, abs=0.05)  # flat passband


def test_resampler_removes_what_the_new_rate_cannot_hold() -> None:
    y = audio_devices.resample(tone(1.0, 48000, hz=12000.0), 48000, RATE)  # above 8 kHz Nyquist
    assert level_dbfs(y[200:]) < -30


def test_resampler_at_the_same_rate_passes_blocks_untouched() -> None:
    block = tone(0.1, RATE)
    assert np.array_equal(audio_devices.Resampler(RATE, RATE)(block), block)


class _NoSoxr(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, *_: object) -> None:
        if name == "soxr":
            raise ImportError("No module named 'soxr'")


def test_missing_soxr_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "soxr", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoSoxr(), *sys.meta_path])
    audio_devices.Resampler(RATE, RATE)  # a device at our rate needs no soxr
    with pytest.raises(InterviewerError, match="soxr not installed"):
        audio_devices.Resampler(44100, RATE)


# ---------------------------------------------------------------- devices


@pytest.mark.audio
def test_list_devices_sees_the_virtual_devices(virtual_audio: VirtualAudio) -> None:
    devices = audio_devices.list_devices()
    names = [d.name for d in devices]
    assert "pulse" in names and "default" in names
    default = devices[names.index("default")]
    assert default.is_default_input and default.is_default_output
    assert default.max_input_channels > 0 and default.max_output_channels > 0


@pytest.mark.audio
def test_find_device_by_index_name_fragment_and_default(virtual_audio: VirtualAudio) -> None:
    pulse = next(d.index for d in audio_devices.list_devices() if d.name == "pulse")
    assert audio_devices.find_device("PULS", "input") == pulse
    assert audio_devices.find_device(str(pulse), "output") == pulse
    assert audio_devices.find_device(pulse, "input") == pulse
    assert audio_devices.find_device(None, "input") is None


@pytest.mark.audio
def test_find_device_lists_the_choices(virtual_audio: VirtualAudio) -> None:
    with pytest.raises(InterviewerError) as unknown:
        audio_devices.find_device("usb headset", "input")
    assert "no microphone matches 'usb headset'" in str(unknown.value)
    assert "'pulse'" in unknown.value.hint and "'default'" in unknown.value.hint
    with pytest.raises(InterviewerError) as ambiguous:
        audio_devices.find_device("u", "output")  # in both 'pulse' and 'default'
    assert "ambiguous" in str(ambiguous.value)
    with pytest.raises(InterviewerError, match="no speaker matches '99'"):
        audio_devices.find_device(99, "output")


# ---------------------------------------------------------------- recording


@pytest.mark.audio
def test_recording_is_bit_identical_and_readable_while_recording(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    fed = noise(2.0)
    blocks: list[np.ndarray] = []
    recorder = audio_devices.Recorder(
        tmp_path / "answer.wav", LiveSettings(), on_block=blocks.append
    )
    with recorder:
        assert recorder.first_block_delay_s is not None  # nothing fed in a late start is lost:
        virtual_audio.wait_for_recording_stream()  # see the bit-identical check below
        player = virtual_audio.feed_mic(write_wav(tmp_path / "fed.wav", fed))
        wait_until(lambda: recorder.recorded_s > 1.0, 30, "a second recorded")
        partial = read_int16(recorder.path)  # the file on disk is a valid WAV mid-way
        player.wait(10)
        wait_recorded(recorder.path, quiet_after_sound(0.3))
    result = recorder.stop()
    recorded = read_int16(result.path)
    start = first_nonzero(recorded)
    assert np.array_equal(recorded[start : start + fed.size], fed)  # trap 3: bit-identical
    assert partial.size > 0.8 * RATE and np.array_equal(partial, recorded[: partial.size])
    assert result.duration_s == pytest.approx(recorded.size / RATE)
    assert result.overflowed_blocks == 0 and not recorder.all_zero
    delivered = np.concatenate(blocks)  # the consumer saw exactly what was written
    assert np.array_equal(np.round(delivered * 32768).astype(np.int16), recorded)


@pytest.mark.audio
def test_silent_microphone_is_flagged_all_zero(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    with audio_devices.Recorder(tmp_path / "silence.wav") as recorder:
        wait_until(lambda: recorder.recorded_s >= audio_devices.ZERO_CHECK_S + 0.3, 30, "recording")
    assert recorder.all_zero
    assert "macOS" in audio_devices.ALL_ZERO_WARNING


@pytest.mark.audio
def test_consumer_error_is_raised_by_stop_and_the_file_is_kept(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    def broken(_samples: np.ndarray) -> None:
        raise ValueError("bug in the consumer")

    recorder = audio_devices.Recorder(tmp_path / "kept.wav", on_block=broken).start()
    wait_until(lambda: recorder.recorded_s >= 0.5, 30, "half a second recorded")
    with pytest.raises(ValueError, match="bug in the consumer"):
        recorder.stop()
    assert read_int16(tmp_path / "kept.wav").size > 0.3 * RATE
    assert recorder.stop().duration_s > 0.3  # stop() again is harmless


RECORD_FOREVER = """
import sys, time
from pathlib import Path
from interviewer.adapters.audio_devices import Recorder
Recorder(Path(sys.argv[1])).start()
print("recording", flush=True)
time.sleep(60)
"""


@pytest.mark.audio
def test_kill_9_while_recording_leaves_a_valid_wav(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    fed = noise(3.0, seed=1)
    path = tmp_path / "killed.wav"
    child = subprocess.Popen(
        [sys.executable, "-c", RECORD_FOREVER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env=virtual_audio.child_env(),
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "recording"
        virtual_audio.wait_for_recording_stream()
        player = virtual_audio.feed_mic(write_wav(tmp_path / "fed.wav", fed))
        # killed once a second of the fed audio is on disk, however long that took
        wait_recorded(
            path, lambda x: bool(np.flatnonzero(x).size) and x.size >= first_nonzero(x) + 1.0 * RATE
        )
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
    player.wait(10)
    recorded = read_int16(path)
    start = first_nonzero(recorded)
    kept = recorded[start:]
    assert kept.size >= 1.0 * RATE  # what was on disk before the kill is all still there
    assert np.array_equal(kept, fed[: kept.size])


@pytest.mark.audio
def test_refused_rate_falls_back_to_the_device_rate(
    virtual_audio: VirtualAudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device refusing 16 kHz cannot be made here, so only the refusal is faked."""
    import sounddevice as sd

    class Refuses16k(sd.InputStream):  # type: ignore[misc]
        def __init__(self, *args: object, samplerate: float, **kwargs: object) -> None:
            if samplerate == RATE:
                raise sd.PortAudioError("Invalid sample rate", -9997)
            super().__init__(*args, samplerate=samplerate, **kwargs)

    monkeypatch.setattr(sd, "InputStream", Refuses16k)
    fed = (tone(1.5, RATE, hz=300.0, amplitude=0.4) * 32767).astype(np.int16)
    blocks: list[np.ndarray] = []
    with audio_devices.Recorder(tmp_path / "44k.wav", on_block=blocks.append) as recorder:
        virtual_audio.wait_for_recording_stream()
        virtual_audio.feed_mic(write_wav(tmp_path / "fed.wav", fed)).wait(10)
        wait_recorded(recorder.path, quiet_after_sound(0.3))
    assert recorder.device_rate_hz == 44100
    pcm = read_int16(recorder.path)
    assert all(block.size for block in blocks)  # what soxr holds back is not an empty block
    delivered = np.round(np.concatenate(blocks) * 32768).astype(np.int16)
    assert np.array_equal(delivered, pcm)  # the consumer saw what was written, tail included
    recorded = pcm.astype(np.float32)
    corr = np.correlate(recorded, fed.astype(np.float32), mode="valid")
    best = int(np.argmax(corr))
    segment = recorded[best : best + fed.size]
    similarity = corr[best] / (np.linalg.norm(segment) * np.linalg.norm(fed))
    assert similarity > 0.99


def test_portaudio_errors_become_one_line_with_a_fix() -> None:
    import sounddevice as sd

    busy = audio_devices._device_error(sd.PortAudioError("Device unavailable", -9985), "input")
    assert str(busy).startswith("the microphone is busy — close the other program")
    none = audio_devices._device_error(sd.PortAudioError("Error querying device -1"), "output")
    assert str(none).startswith("no speaker found")


NO_SERVER = """
import numpy as np
from pathlib import Path
from interviewer.adapters import audio_devices
from interviewer.errors import InterviewerError
for action in (lambda: audio_devices.Recorder(Path("x.wav")).start(),
               lambda: audio_devices.play_samples(np.zeros(100), 16000)):
    try:
        action()
        print("no error")
    except InterviewerError as exc:
        print(exc)
"""


def test_no_sound_server_means_no_microphone(tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/nothing-here"}
    out = subprocess.run(
        [sys.executable, "-c", NO_SERVER],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith("no microphone found (no audio input device) — connect"), out
    assert lines[1].startswith("no speaker found"), out
    assert not (tmp_path / "x.wav").exists()


class _NoPortAudio(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, *_: object) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")  # what sounddevice raises


def test_missing_portaudio_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])
    with pytest.raises(InterviewerError) as error:
        audio_devices.list_devices()
    assert str(error.value) == (
        "PortAudio not found — install libportaudio2 (apt-get install libportaudio2)"
    )


# ---------------------------------------------------------------- playback


@pytest.mark.audio
def test_play_wav_reaches_the_speaker_and_blocks_until_played(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "tone.wav", tone(1.0, 22050) * 32767, rate=22050)
    with virtual_audio.capture_speaker(tmp_path / "heard.wav") as heard:
        started = time.monotonic()
        audio_devices.play_wav(wav)
        took = time.monotonic() - started
    samples, rate = read_wav(heard)
    x = samples[:, 0]
    assert took >= 1.0  # it returned after the sound, however late (no upper bound: load)
    assert 0.97 <= loud_seconds(x, rate) <= 1.15  # nothing cut off, nothing played twice
    assert np.argmax(np.abs(np.fft.rfft(x))) * rate / len(x) == pytest.approx(440, abs=2)


@pytest.mark.audio
def test_playback_takes_as_long_as_the_sound_when_nobody_listens(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    """Underrun loops drain the callback in ~0.03 s; they showed only without a capture."""
    wav = write_wav(tmp_path / "tone.wav", tone(1.0, 22050) * 32767, rate=22050)
    for _ in range(3):
        started = time.monotonic()
        audio_devices.play_wav(wav)
        assert time.monotonic() - started >= 1.0  # not drained early; how late is load


@pytest.mark.audio
def test_mic_check_records_plays_back_and_measures(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    fed = (tone(1.0, RATE, amplitude=0.5) * 32767).astype(np.int16)
    wav = write_wav(tmp_path / "fed.wav", fed)

    def feed() -> None:
        virtual_audio.wait_for_recording_stream()
        virtual_audio.feed_mic(wav).wait(10)

    feeder = threading.Thread(target=feed)
    feeder.start()
    with virtual_audio.capture_speaker(tmp_path / "heard.wav") as heard:
        check = audio_devices.mic_check(2.0, path=tmp_path / "check.wav")
    feeder.join(10)
    assert check.peak_dbfs == pytest.approx(-6.0, abs=0.1)
    assert -15 < check.rms_dbfs < -8 and not check.all_zero
    assert check.path == tmp_path / "check.wav"
    samples, rate = read_wav(heard)
    assert 0.95 <= loud_seconds(samples[:, 0], rate) <= 1.15


_ALSA_MESSAGE = """
import ctypes, sys
if sys.argv[1] == "quiet":
    from interviewer.adapters.audio_devices import quiet_alsa
    assert quiet_alsa()
pcm = ctypes.c_void_p()
ctypes.CDLL("libasound.so.2").snd_pcm_open(ctypes.byref(pcm), b"no_such_pcm", 0, 0)
"""


@pytest.mark.parametrize("mode", ["loud", "quiet"])
def test_alsa_library_messages_stay_off_the_screen(mode: str) -> None:
    """ALSA prints its own lines to stderr (e.g. "underrun occurred"); we silence them."""
    done = subprocess.run(
        [sys.executable, "-c", _ALSA_MESSAGE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    if mode == "loud":  # the library really does print, so the quiet case means something
        assert "ALSA lib" in done.stderr and "no_such_pcm" in done.stderr
    else:
        assert done.stderr == ""
