"""A private PulseAudio daemon with a virtual speaker and microphone, for real audio tests.

Recipe and traps: ../shared/virtual-audio.md. Wiring:
    program -> ALSA default -> pulse -> sink vspeaker (48 kHz stereo); capture_speaker() records
        its monitor
    feed_mic() -> paplay -> sink vmic_in (16 kHz mono) -> source vmic (default source) -> program

Use from tests/conftest.py:  from audio_server import _audio_daemon, virtual_audio

The daemon is started before sounddevice is used; if sounddevice was already imported (it
reads the device list once, at import), PortAudio is re-initialised with
`sd._terminate(); sd._initialize()` so it sees the new devices. Every external command runs
under a timeout: a hung audio call must fail a test, not the whole run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from shutil import which
from typing import Any

import pytest

CMD_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 10.0

CONFIG = Path(__file__).resolve().parents[1] / "scripts" / "virtual_audio.pa"


def _die_with_parent() -> None:
    """Linux: the daemon gets SIGTERM if the test process dies, instead of lingering."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class VirtualAudio:
    """One PulseAudio daemon in a temporary folder, reached through PULSE_SERVER."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "native"
        self.server = f"unix:{self.socket}"
        self.log = root / "pulse.log"
        self._daemon: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def env(self) -> dict[str, str]:
        """Variables that point clients at this daemon (also set in os.environ by start())."""
        return {
            "PULSE_SERVER": self.server,
            "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
            "PULSE_COOKIE": str(self.root / "cookie"),
        }

    def child_env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **self.env, **extra}

    # -- lifecycle
    def start(self) -> VirtualAudio:
        (self.root / "runtime").mkdir(parents=True, exist_ok=True)
        self._daemon = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",
                "-L",
                f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
                f"--file={CONFIG}",
                "--use-pid-file=no",
                f"--log-target=file:{self.log}",
            ],
            env=self.child_env(HOME=str(self.root)),  # its cookie and state stay in root
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        self._export_env()
        self._wait_ready()
        for sink in ("vmic_in", "vspeaker"):  # wake the null sinks into short blocks (trap 1)
            self.pactl("suspend-sink", sink, "1")
            self.pactl("suspend-sink", sink, "0")
        reinit_sounddevice()
        return self

    def _export_env(self) -> None:
        for key, value in self.env.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._daemon is not None and self._daemon.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: {self._read_log()}")
            if self.socket.exists() and _ok(["pactl", "info"], self.child_env()):
                return
            time.sleep(0.02)
        raise RuntimeError(f"pulseaudio not ready after {READY_TIMEOUT_S} s: {self._read_log()}")

    def _read_log(self) -> str:
        return self.log.read_text()[-2000:] if self.log.exists() else "(no log)"

    def stop(self) -> None:
        if self._daemon is not None:
            self._daemon.terminate()
            try:
                self._daemon.wait(CMD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._daemon.kill()
                self._daemon.wait(CMD_TIMEOUT_S)
            self._daemon = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()

    def ensure_running(self) -> str | None:
        """Start the daemon again if it has died; the reason (its exit and log) if it had."""
        if self._daemon is not None and self._daemon.poll() is None:
            return None
        reason = (
            f"pulseaudio had exited (code {self._daemon and self._daemon.returncode}): "
            f"{self._read_log()[-600:]}"
        )
        self._daemon = None
        self.socket.unlink(missing_ok=True)
        self.start()
        return reason

    # -- helpers for tests
    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", *args],
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=CMD_TIMEOUT_S,
            check=True,
        )
        return done.stdout

    def feed_mic(self, wav_path: Path) -> subprocess.Popen[bytes]:
        """Play a WAV into the virtual microphone; the caller waits on the returned process."""
        return subprocess.Popen(
            ["paplay", "-d", "vmic_in", str(wav_path)],
            env=self.child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def recording_streams(self) -> list[str]:
        """Client streams recording from the microphone (module loopbacks have client '-')."""
        mic = self._source_index("vmic")
        rows = [
            line.split("\t") for line in self.pactl("list", "short", "source-outputs").splitlines()
        ]
        return [r[0] for r in rows if len(r) > 2 and r[1] == mic and r[2] != "-"]

    def _source_index(self, name: str) -> str:
        for line in self.pactl("list", "short", "sources").splitlines():
            fields = line.split("\t")
            if fields[1] == name:
                return fields[0]
        raise RuntimeError(f"no source {name}")

    def wait_for_recording_stream(self, timeout_s: float = CMD_TIMEOUT_S) -> None:
        """Feed only once the program records (trap 2): its stream shows, then 0.2 s more."""
        wait_until(lambda: bool(self.recording_streams()), timeout_s, "a recording stream")
        time.sleep(0.2)

    @contextlib.contextmanager
    def capture_speaker(self, path: Path, rate: int = 48000) -> Iterator[Path]:
        """Record everything played to the virtual speaker (mono) into a WAV file."""
        proc = subprocess.Popen(
            [
                "parec",
                "-d",
                "vspeaker.monitor",
                "--file-format=wav",
                f"--rate={rate}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=20",
                str(path),
            ],
            env=self.child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        # Waits count audio the monitor delivered, not wall time: a fixed sleep can be too
        # short on a loaded machine (the start of a question went missing).
        def grown_by(seconds: float) -> Callable[[], bool]:
            size = path.stat().st_size if path.exists() else 0
            return lambda: path.stat().st_size >= size + seconds * rate * 2

        try:
            wait_until(path.exists, CMD_TIMEOUT_S, "parec to open its file")
            wait_until(grown_by(0.2), CMD_TIMEOUT_S, "parec to record")  # its stream is connected
            yield path
        finally:
            # let the last played buffers reach the monitor
            with contextlib.suppress(TimeoutError, OSError):
                wait_until(grown_by(0.3), CMD_TIMEOUT_S, "parec to record")
            proc.send_signal(signal.SIGINT)  # parec finishes the WAV header on SIGINT
            try:
                proc.wait(CMD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(CMD_TIMEOUT_S)


def _ok(cmd: list[str], env: dict[str, str]) -> bool:
    try:
        return subprocess.run(cmd, env=env, capture_output=True, timeout=2).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.02)


class Practice:
    """`interviewer practice` as its own process on the virtual devices. Its stderr (the
    screen) and stdout are read as they come, so a test waits for what the program shows
    instead of for a time; keys go in on stdin."""

    def __init__(
        self,
        audio: VirtualAudio,
        *args: str,
        bank: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        import threading

        extra = ["--bank", str(bank)] if bank else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interviewer", "practice", *args, *extra],
            env=audio.child_env(**(env or {})),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err: list[str] = []
        self.out: list[str] = []
        self._threads = [
            threading.Thread(target=self._read, args=(s, b), daemon=True)
            for s, b in ((self.proc.stderr, self.err), (self.proc.stdout, self.out))
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def screen(self) -> str:
        return "".join(self.err)

    def wait_for(self, text: str, count: int = 1, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while self.screen.count(text) < count:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                time.sleep(0.2)  # the last lines
                raise AssertionError(f"never showed {text!r} x{count}:\n{self.screen}")
            time.sleep(0.05)

    def press(self, keys: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(keys)
        self.proc.stdin.flush()

    def finish(self, timeout_s: float = 120) -> int:
        try:
            code = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"session hung:\n{self.screen}") from None
        for t in self._threads:
            t.join(10)
        return code


def reinit_sounddevice() -> None:
    """sounddevice lists devices once, at import (trap 4): refresh it if already imported."""
    sd: Any = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Fail a test that hangs in C code (pytest-timeout is not installed here)."""

    def _raise(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"test took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="session")
def _audio_daemon() -> Iterator[VirtualAudio]:
    """A running virtual speaker and microphone for the whole test session."""
    missing = [tool for tool in ("pulseaudio", "pactl", "paplay", "parec") if not which(tool)]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not found: apt-get install pulseaudio pulseaudio-utils"
            " libasound2-plugins"
        )
    with tempfile.TemporaryDirectory(prefix="interviewer-pulse-") as root:
        audio = VirtualAudio(Path(root)).start()
        try:
            yield audio
        finally:
            audio.stop()
            reinit_sounddevice()


@pytest.fixture
def virtual_audio(_audio_daemon: VirtualAudio) -> VirtualAudio:
    """The session's daemon, started again (with a warning) if it died since the last test:
    one lost daemon under load once failed every audio test after it."""
    reason = _audio_daemon.ensure_running()
    if reason:
        warnings.warn(reason, stacklevel=1)
    return _audio_daemon
