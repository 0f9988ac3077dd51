"""Sound devices through sounddevice: listing, playback, and a microphone recorder that writes
its WAV to disk as it goes; soxr converts between a device's rate and ours when they differ.

sounddevice and soxr are imported inside the functions: importing this module must not load
PortAudio, so `interviewer --help` stays fast and a missing library becomes an install hint.
Third-party objects (streams, PortAudioError, soxr's streams) never leave this module.
Levels are measured by `core.levels`; WAV files are read and grown by `audio_files`.
"""

from __future__ import annotations

import ctypes
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np

from interviewer.adapters.audio_files import WavAppender, read_wav
from interviewer.adapters.fileio import is_storage_fault, storage_error
from interviewer.core.levels import SILENT_PEAK_DBFS, level_dbfs, peak_dbfs
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ, LiveSettings

Kind = Literal["input", "output"]
BlockCallback = Callable[[np.ndarray], None]

ZERO_CHECK_S = 2.0  # an input that is exactly zero this long is not a working microphone
FIRST_BLOCK_TIMEOUT_S = 5.0  # PulseAudio can take >1 s to deliver the first block
PLAYBACK_GRACE_S = 5.0  # playback longer than its duration plus this is a stalled device
# Streams keep PortAudio's default latency ('high', 35 ms here). Asking for more (0.1-0.2 s)
# made ALSA's pulse plugin underrun in a loop whenever the stream rate differed from the
# sink's: the callback was drained in ~0.03 s and a 2 s sound came out as a click.

# PortAudio error codes (PaErrorCode) we explain to the user
_PA_INVALID_CHANNELS = -9998
_PA_INVALID_SAMPLE_RATE = -9997
_PA_INVALID_DEVICE = -9996
_PA_DEVICE_UNAVAILABLE = -9985

_NOUN = {"input": "microphone", "output": "speaker"}
NO_DEVICES_HINT = (
    "connect a microphone or speaker; on Linux check that the sound server runs "
    "(`pactl info`) and that libasound2-plugins is installed"
)
_LIST_HINT = "list the devices with `python -m sounddevice`"
ALL_ZERO_WARNING = (
    "the microphone records only silence (all zeros)"
    " — on macOS allow microphone access for your terminal in System Settings › Privacy &"
    " Security › Microphone; elsewhere check that the input is not muted"
)


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool

    def has(self, kind: Kind) -> bool:
        channels = self.max_input_channels if kind == "input" else self.max_output_channels
        return channels > 0


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    duration_s: float
    overflowed_blocks: int


@dataclass(frozen=True)
class MicCheck:
    peak_dbfs: float
    rms_dbfs: float
    path: Path
    all_zero: bool = False

    @property
    def silent(self) -> bool:
        """Nothing came in: all zeros, or no sample as loud as one 16-bit step."""
        return self.all_zero or self.peak_dbfs <= SILENT_PEAK_DBFS


SILENT_INPUT_HINT = (
    "check that the microphone is plugged in and not muted, that the right input is chosen "
    "(`interviewer devices`, then --input-device) and its level is up; on macOS allow "
    "microphone access for your terminal in System Settings › Privacy & Security › Microphone"
)


# ---------------------------------------------------------------- sounddevice access


_alsa_handler: Any = None  # keeps the ctypes callback alive while ALSA holds it


def quiet_alsa() -> bool:
    """Stop ALSA printing its own messages ("ALSA lib pcm.c:...: underrun occurred") over the
    session's screen: PortAudio reports the errors that matter, and these lines cannot be
    acted on. Linux only; False where there is no libasound."""
    global _alsa_handler
    if _alsa_handler is not None:
        return True
    try:
        lib = ctypes.CDLL("libasound.so.2")
    except OSError:
        return False
    # void handler(const char *file, int line, const char *function, int err, const char *fmt,
    # ...); the variadic rest is never read.
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _alsa_handler = handler_type(lambda *_: None)
    lib.snd_lib_error_set_handler(_alsa_handler)
    return True


def _sounddevice() -> ModuleType:
    quiet_alsa()
    try:
        import sounddevice
    except OSError as exc:  # the Python package is there but libportaudio is not
        raise InterviewerError(
            "PortAudio not found", "install libportaudio2 (apt-get install libportaudio2)"
        ) from exc
    except ImportError as exc:
        raise InterviewerError("sounddevice not installed", "pip install sounddevice") from exc
    module: ModuleType = sounddevice
    return module


def list_devices() -> list[Device]:
    sd = _sounddevice()
    default_in, default_out = _default_indices(sd)
    return [
        Device(
            index=i,
            name=str(info["name"]),
            max_input_channels=int(info["max_input_channels"]),
            max_output_channels=int(info["max_output_channels"]),
            default_samplerate=float(info["default_samplerate"]),
            is_default_input=i == default_in,
            is_default_output=i == default_out,
        )
        for i, info in enumerate(sd.query_devices())
    ]


def _default_indices(sd: ModuleType) -> tuple[int, int]:
    try:
        default_in, default_out = sd.default.device
    except sd.PortAudioError:
        return -1, -1
    return int(default_in if default_in is not None else -1), int(
        default_out if default_out is not None else -1
    )


def find_device(spec: str | int | None, kind: Kind) -> int | None:
    """Device index for an index or a case-insensitive name fragment; None means the default.

    Raises InterviewerError listing the choices when nothing (or more than one) matches.
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return None
    devices = [d for d in list_devices() if d.has(kind)]
    if isinstance(spec, int) or spec.strip().isdigit():
        matches = [d for d in devices if d.index == int(spec)]
    else:
        wanted = spec.strip().lower()
        matches = [d for d in devices if d.name.lower() == wanted]
        matches = matches or [d for d in devices if wanted in d.name.lower()]
    if len(matches) == 1:
        return matches[0].index
    return _raise_no_match(spec, kind, matches or devices, ambiguous=len(matches) > 1)


def _raise_no_match(spec: str | int, kind: Kind, choices: list[Device], ambiguous: bool) -> int:
    noun = _NOUN[kind]
    listed = ", ".join(f"{d.index} '{d.name}'" for d in choices) or "none found"
    what = f"{noun} '{spec}' is ambiguous" if ambiguous else f"no {noun} matches '{spec}'"
    raise InterviewerError(what, f"choose one of: {listed}")


def require_device(spec: str | int | None, kind: Kind) -> int | None:
    """Like find_device, but also fail now (before a session starts) if there is no default."""
    index = find_device(spec, kind)
    _require_device(_sounddevice(), index, kind)
    return index


def _require_device(sd: ModuleType, device: int | None, kind: Kind) -> None:
    """PortAudio only says "Error querying device -1" when there is no device: say it plainly."""
    if device is not None:
        return
    default_in, default_out = _default_indices(sd)
    if (default_in if kind == "input" else default_out) < 0:
        raise _no_device_error(kind)


def _no_device_error(kind: Kind) -> InterviewerError:
    noun = _NOUN[kind]
    hint = (
        f"connect or enable a {noun}; on Linux check that the sound server runs (`pactl "
        "info`) and that libasound2-plugins is installed"
    )
    if kind == "input":
        hint += (
            ". Without one, practise from a recording: interviewer practice -q ID "
            "--answer-audio FILE; or try the live session on virtual devices: "
            "scripts/virtual_audio.sh (see README, 'No microphone?')"
        )
    return InterviewerError(f"no {noun} found (no audio {kind} device)", hint)


def _device_error(exc: Exception, kind: Kind) -> InterviewerError:
    """Turn a PortAudioError into one line that says what to do."""
    noun = _NOUN[kind]
    code = exc.args[1] if len(exc.args) > 1 else None
    text = str(exc)
    if "Error querying device -1" in text:
        return _no_device_error(kind)
    if code == _PA_DEVICE_UNAVAILABLE or "busy" in text.lower():
        return InterviewerError(
            f"the {noun} is busy", "close the other program using it, or choose another device"
        )
    if code == _PA_INVALID_DEVICE:
        return InterviewerError(f"the {noun} is not available", _LIST_HINT)
    hint = f"choose another device; {_LIST_HINT}"
    return InterviewerError(f"cannot open the {noun}: {text}", hint)


def _is_refusal(exc: Exception, code: int) -> bool:
    return len(exc.args) > 1 and exc.args[1] == code


def _open_stream(
    sd: ModuleType,
    kind: Kind,
    device: int | None,
    rates: list[float],
    channel_choices: tuple[int, ...],
    block_s: float = 0.0,
    **kwargs: Any,
) -> tuple[Any, float, int]:
    """Open a stream at the first sample rate and channel count the device accepts.

    Devices that refuse 16 kHz are opened at their own default rate; the caller resamples.
    block_s > 0 asks for blocks of that duration. Returns (stream, rate, channels).
    """
    factory = sd.InputStream if kind == "input" else sd.OutputStream
    for rate in dict.fromkeys(rates):  # in order, without repeats
        for channels in dict.fromkeys(channel_choices):
            try:
                stream = factory(
                    device=device,
                    samplerate=rate,
                    channels=channels,
                    blocksize=int(rate * block_s),
                    **kwargs,
                )
            except sd.PortAudioError as exc:
                if _is_refusal(exc, _PA_INVALID_CHANNELS):
                    continue
                if _is_refusal(exc, _PA_INVALID_SAMPLE_RATE):
                    break
                raise _device_error(exc, kind) from exc
            return stream, rate, channels
    wanted = " or ".join(f"{r:g} Hz" for r in dict.fromkeys(rates))
    raise InterviewerError(
        f"the {_NOUN[kind]} refuses to work at {wanted}", f"choose another device; {_LIST_HINT}"
    )


def _device_rate(sd: ModuleType, device: int | None, kind: Kind) -> float:
    try:
        return float(sd.query_devices(device, kind)["default_samplerate"])
    except sd.PortAudioError as exc:
        raise _device_error(exc, kind) from exc


# ---------------------------------------------------------------- resampling


def _soxr() -> Any:
    try:
        import soxr  # lazy: only a device that refuses our rate needs it
    except ImportError as exc:
        raise InterviewerError("soxr not installed", "pip install soxr") from exc
    return soxr


def resample(samples: np.ndarray, rate_in: float, rate_out: float) -> np.ndarray:
    """A whole mono signal, shape (frames,), as float32 at `rate_out` (soxr, see Resampler)."""
    out: np.ndarray = _soxr().resample(np.asarray(samples, np.float32), rate_in, rate_out)
    return out


class Resampler:
    """Streaming mono float32 resampler: soxr's high quality (flat passband, alias-free),
    keeping its state across blocks so block edges leave no clicks.

    soxr holds back the last few ms it has been given (~10 ms from 44.1 kHz) until more comes;
    call with `last=True` once at the end to get them. At equal rates blocks pass untouched.
    """

    def __init__(self, rate_in: float, rate_out: float) -> None:
        self.rate_in, self.rate_out = float(rate_in), float(rate_out)
        self._stream: Any = None
        if self.rate_in != self.rate_out:
            self._stream = _soxr().ResampleStream(self.rate_in, self.rate_out, 1, dtype="float32")

    def __call__(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        x = np.ascontiguousarray(block, np.float32)
        if self._stream is None:
            return x
        out: np.ndarray = self._stream.resample_chunk(x, last=last)
        return out


# ---------------------------------------------------------------- playback


def play_wav(path: Path, device: str | int | None = None) -> None:
    """Play a WAV file and return once it has been played."""
    samples, rate = read_wav(path)
    play_samples(samples, rate, device)


def play_samples(samples: np.ndarray, rate: int, device: str | int | None = None) -> None:
    """Play float samples, shape (frames,) or (frames, channels); blocks until played."""
    sd = _sounddevice()
    index = find_device(device, "output")
    _require_device(sd, index, "output")
    data = np.asarray(samples, np.float32)
    if data.size == 0:
        return
    data = data.reshape(len(data), -1)
    player = _Player(sd, data)
    rates = [rate, _device_rate(sd, index, "output")]
    stream, used_rate, channels = _open_stream(
        sd,
        "output",
        index,
        rates,
        (data.shape[1], 1, 2),
        dtype="float32",
        callback=player.callback,
        finished_callback=player.finished.set,
    )
    # PortAudio's ALSA backend drops what is still buffered when a callback stream finishes
    # (measured: the last ~35 ms at 35 ms latency), so end on silence at least that long; the
    # dropped silence also makes `finished` fire when the real audio has just been played.
    player.prepare(rate, used_rate, channels, int((stream.latency + 0.05) * used_rate))
    with stream:
        _wait_played(stream, player, len(player.data) / used_rate)


def _wait_played(stream: Any, player: _Player, duration_s: float) -> None:
    stream.start()
    if not player.finished.wait(duration_s + PLAYBACK_GRACE_S):
        stream.abort()
        raise InterviewerError("audio playback stalled", f"choose another speaker; {_LIST_HINT}")


class _Player:
    """Feeds an array to an output stream callback; `finished` is set when the stream ends."""

    def __init__(self, sd: ModuleType, data: np.ndarray) -> None:
        self._stop = sd.CallbackStop
        self.data = data
        self.pos = 0
        self.finished = threading.Event()

    def prepare(self, rate: float, stream_rate: float, channels: int, pad_frames: int) -> None:
        """Adapt the data to what the stream was opened with, and end it on silence."""
        mono = self.data.mean(axis=1)
        if stream_rate != rate:
            mono = resample(mono, rate, stream_rate)
            self.data = mono[:, None]
        if self.data.shape[1] != channels:
            self.data = np.repeat(mono[:, None], channels, axis=1)
        silence = np.zeros((pad_frames, channels), np.float32)
        self.data = np.concatenate([self.data, silence])

    def callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        chunk = self.data[self.pos : self.pos + frames]
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) :] = 0
        self.pos += len(chunk)
        if len(chunk) < frames:
            raise self._stop  # no more callbacks; `finished` follows (see play_samples)


# ---------------------------------------------------------------- recording


class Recorder:
    """Records the microphone to a 16 kHz mono WAV on disk while handing blocks to a consumer.

    The PortAudio callback only queues a copy of each block; a writer thread resamples it
    when the device runs at another rate, appends it to the file (flushed every block) and
    calls `on_block` with the same samples as 16 kHz float32.
    """

    def __init__(
        self,
        path: Path,
        settings: LiveSettings | None = None,
        device: str | int | None = None,
        on_block: BlockCallback | None = None,
    ) -> None:
        self.path = Path(path)
        self.settings = settings or LiveSettings()
        self.device = device
        self.on_block = on_block
        self.first_block_delay_s: float | None = None
        self.device_rate_hz: float | None = None
        self.overflowed_blocks = 0
        self.consumer_error: Exception | None = None
        self.write_error: OSError | None = None  # the file could not grow (full disk)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._first_block = threading.Event()
        self._stream: Any = None
        self._writer: threading.Thread | None = None
        self._wav: WavAppender | None = None
        self._resampler: Resampler | None = None
        self._nonzero_seen = False
        self._first_arrival = 0.0
        self._result: RecordingResult | None = None

    # -- the PortAudio thread: one put, nothing else that can block
    def _callback(self, indata: np.ndarray, _frames: int, _time: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflowed_blocks += 1
        self._queue.put_nowait(indata.copy())

    def start(self) -> Recorder:
        """Open the stream; return once the first block has arrived (or raise)."""
        sd = _sounddevice()
        index = find_device(self.device, "input")
        _require_device(sd, index, "input")
        rates = [self.settings.sample_rate_hz, _device_rate(sd, index, "input")]
        self._stream, self.device_rate_hz, _ = _open_stream(
            sd,
            "input",
            index,
            rates,
            (1, 2),
            self.settings.block_s,
            dtype="int16",
            callback=self._callback,
        )
        try:  # soxr missing fails here, with its hint, not in the writer thread
            self._resampler = Resampler(self.device_rate_hz, SAMPLE_RATE_HZ)
        except InterviewerError:
            self._shutdown()
            raise
        try:
            self._wav = WavAppender(self.path, SAMPLE_RATE_HZ)
        except OSError as exc:
            self._shutdown()
            if is_storage_fault(exc):
                raise storage_error(exc, self.path) from exc
            raise InterviewerError(f"cannot write the recording {self.path}: {exc}", "") from exc
        self._writer = threading.Thread(target=self._write_loop, name="recorder", daemon=True)
        self._writer.start()
        self._start_stream()
        return self

    def _start_stream(self) -> None:
        started = time.monotonic()
        try:
            self._stream.start()
        except Exception as exc:  # PortAudioError: its type lives in sounddevice
            self._shutdown()
            raise _device_error(exc, "input") from exc
        if not self._first_block.wait(FIRST_BLOCK_TIMEOUT_S):
            self._shutdown()
            raise InterviewerError(
                f"the microphone sent no audio within {FIRST_BLOCK_TIMEOUT_S:g} s",
                f"check the sound server and the input device; {_LIST_HINT}",
            )
        self.first_block_delay_s = self._first_arrival - started

    def _write_loop(self) -> None:
        resampler = self._resampler
        assert resampler is not None
        while (block := self._queue.get()) is not None:
            if not self._first_block.is_set():
                self._first_arrival = time.monotonic()
                self._first_block.set()
            mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1).astype(np.int16)
            self._handle(mono, resampler)
        self._handle(np.zeros(0, np.int16), resampler, last=True)  # what soxr held back

    def _handle(self, mono: np.ndarray, resampler: Resampler, last: bool = False) -> None:
        if resampler.rate_in != SAMPLE_RATE_HZ:
            floats = resampler(mono.astype(np.float32) / 32768, last)
            mono = np.clip(np.round(floats * 32768), -32768, 32767).astype(np.int16)
        assert self._wav is not None
        if self.write_error is not None or not mono.size:
            return  # the file cannot grow (what it holds is the recording), or nothing came out
        if self._wav.frames < ZERO_CHECK_S * SAMPLE_RATE_HZ and np.any(mono):
            self._nonzero_seen = True
        try:
            self._wav.append(mono)
            self._wav.flush()
        except OSError as exc:  # not raised here: this thread would die with a traceback
            self.write_error = exc
            self._wav.frames = self._wav.flushed_frames
            return
        self._deliver(mono.astype(np.float32) / 32768)

    def _deliver(self, samples: np.ndarray) -> None:
        if self.on_block is None or self.consumer_error is not None:
            return
        try:
            self.on_block(samples)
        except Exception as exc:  # keep recording; stop() reports it
            self.consumer_error = exc

    @property
    def recorded_s(self) -> float:
        return self._wav.frames / SAMPLE_RATE_HZ if self._wav else 0.0

    @property
    def all_zero(self) -> bool:
        """True once ZERO_CHECK_S of audio arrived and every sample was exactly zero."""
        return self.recorded_s >= ZERO_CHECK_S and not self._nonzero_seen

    def stop(self) -> RecordingResult:
        """Stop recording, finish the file, and report; safe to call more than once.

        Re-raises an exception the on_block consumer raised (the recording itself is kept).
        """
        result = self._finish()
        if self.consumer_error is not None:
            error, self.consumer_error = self.consumer_error, None
            raise error
        return result

    def _finish(self) -> RecordingResult:
        if self._result is None:
            self._shutdown()
            frames = self._wav.frames if self._wav else 0
            self._result = RecordingResult(
                self.path, frames / SAMPLE_RATE_HZ, self.overflowed_blocks
            )
        return self._result

    def _shutdown(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            _close_quietly(stream)
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=10)
            self._writer = None
        if self._wav is not None:
            self._wav.close()

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.stop()
        else:  # do not hide the exception in flight behind a consumer's error
            self._finish()


def _close_quietly(stream: Any) -> None:
    """Best effort: the recording on disk matters more than an error from a device going away."""
    for method in (stream.stop, stream.close):
        try:
            method()
        except Exception:  # noqa: BLE001, S112 - the file is finished either way
            continue


# ---------------------------------------------------------------- mic check


def mic_check(
    seconds: float = 3.0,
    input_device: str | int | None = None,
    output_device: str | int | None = None,
    path: Path | None = None,
) -> MicCheck:
    """Record a few seconds, play them back, and report the levels.

    Without `path` the recording lives in a temporary folder removed afterwards: a check
    leaves nothing behind."""
    if path is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="interviewer-mic-") as folder:
            return mic_check(seconds, input_device, output_device, Path(folder) / "check.wav")
    recorder = Recorder(path, device=input_device)
    with recorder:
        time.sleep(seconds)
    all_zero = recorder.all_zero
    samples, _rate = read_wav(path)
    peak = peak_dbfs(samples)
    if peak > SILENT_PEAK_DBFS:  # playing back silence would only add a wait
        play_wav(path, output_device)
    return MicCheck(peak, level_dbfs(samples), path, all_zero)
