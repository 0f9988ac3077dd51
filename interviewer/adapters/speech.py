"""Text to speech behind a small interface: a Speaker says a question and returns when done.

pyttsx3 2.99 with espeak-ng synthesizes *asynchronously*: `runAndWait()` returns after ~10 ms
while espeak's own thread is still writing the WAV (a 100 s text was not on disk yet when it
returned), and a second `save_to_file()` issued meanwhile cancels the first, whose file is
then never written. So synthesis runs in a short-lived child process (`python -c`, ~50 ms to
start) that waits for pyttsx3's `finished-utterance` event, which fires after the WAV is
closed. The child also keeps espeak's process-global state, its stdout chatter ("Audio saved
to ...") and any crash away from the session. We then check the WAV, move it into the cache
atomically, and play it with sounddevice so the caller knows exactly when the question ended.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from interviewer.errors import InterviewerError
from interviewer.settings import SpeechSettings

CHILD_START_TIMEOUT_S = 30.0  # plus a little per character: espeak runs ~50x real time
NO_SPEAK_HINT = "use --no-speak to read the questions as text"


class Speaker(Protocol):
    def say(self, text: str) -> None:
        """Speak the text; return once it has finished playing."""


class TextSpeaker:
    """For --no-speak: shows the question instead of saying it."""

    def __init__(self, out: Callable[[str], object] | TextIO | None = None) -> None:
        if out is None:
            self._emit: Callable[[str], object] = print
        elif callable(out):
            self._emit = out
        else:
            stream = out
            self._emit = lambda line: (stream.write(line + "\n"), stream.flush())

    def say(self, text: str) -> None:
        self._emit(text)


class PyttsxSpeaker:
    """Says text with pyttsx3 (cached WAV files) played through sounddevice."""

    def __init__(
        self,
        settings: SpeechSettings | None = None,
        cache_dir: Path | None = None,
        output_device: str | int | None = None,
    ) -> None:
        self.settings = settings or SpeechSettings()
        self.cache_dir = cache_dir or default_cache_dir()
        self.output_device = output_device

    def prepare(self, text: str) -> Path:
        """Synthesize ahead of time (e.g. the next question while the user answers)."""
        return synthesize(text, self.settings, self.cache_dir)

    def say(self, text: str) -> None:
        from interviewer.adapters import (
            audio_devices,  # numpy and PortAudio only when speaking for real
        )

        audio_devices.play_wav(self.prepare(text), self.output_device)


class SafeSpeaker:
    """Tries the primary speaker; on any failure uses the fallback and warns once, saying why.

    After the first failure it keeps to the fallback: a broken voice or device rarely heals
    within a session, and retrying could cost a timeout before every question.
    """

    def __init__(self, primary: Speaker, fallback: Speaker, warn: Callable[[str], object]) -> None:
        self.primary = primary
        self.fallback = fallback
        self.warn = warn
        self.failure: str | None = None

    def say(self, text: str) -> None:
        if self.failure is None:
            try:
                self.primary.say(text)
                return
            except Exception as exc:  # noqa: BLE001 - any failure: the session goes on
                self.failure = _one_line(exc)
                self.warn(f"speech is off ({self.failure}); the questions are shown as text")
        self.fallback.say(text)


class SilentSpeaker:
    """For --no-speak, and when speech fails: the question is already on screen."""

    def say(self, text: str) -> None:
        return None


def default_speaker(
    voice: str | None = None,
    rate_wpm: int | None = None,
    output_device: str | int | None = None,
    cache_dir: Path | None = None,
    warn: Callable[[str], object] | None = None,
    speak: bool = True,
) -> Speaker:
    """The one speaker factory. Speaking: pyttsx3 through sounddevice, silent (with one
    warning) if that fails. Silent, not printing, because the session already shows every
    question; `speak=False` (--no-speak) is silent from the start."""
    if not speak:
        return SilentSpeaker()
    settings = SpeechSettings(voice=voice, rate_wpm=rate_wpm or SpeechSettings.rate_wpm)
    primary = PyttsxSpeaker(settings, cache_dir, output_device)
    return SafeSpeaker(primary, SilentSpeaker(), warn or _warn_on_stderr)


def check_voice(spec: str | None) -> None:
    """Raise InterviewerError (a usage error) for a voice this machine does not have. When
    speech itself is broken nothing is raised: the session warns once and goes on silent."""
    if not spec:
        return
    try:
        voices = list_voices()
    except InterviewerError:
        return
    if voices:
        match_voice(spec, voices)


def _warn_on_stderr(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, InterviewerError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


# ---------------------------------------------------------------- synthesis


def default_cache_dir() -> Path:
    """$INTERVIEWER_CACHE/speech, else the XDG cache folder."""
    if os.environ.get("INTERVIEWER_CACHE"):
        return Path(os.environ["INTERVIEWER_CACHE"]) / "speech"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "interviewer" / "speech"


def engine_id() -> str:
    """Part of the cache key: a new pyttsx3 or platform voice may sound different."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pyttsx3-{version('pyttsx3')}-{sys.platform}"
    except PackageNotFoundError:
        return f"pyttsx3-unknown-{sys.platform}"


def cache_path(text: str, settings: SpeechSettings, cache_dir: Path) -> Path:
    key = json.dumps([text, settings.voice, settings.rate_wpm, engine_id()])
    return cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.wav"


def synthesize(text: str, settings: SpeechSettings, cache_dir: Path) -> Path:
    """A WAV of `text` spoken with `settings`, from the cache or synthesized into it."""
    if not text.strip():
        raise ValueError("nothing to say")
    path = cache_path(text, settings, cache_dir)
    if wav_duration_s(path) > 0:
        return path
    voice = resolve_voice(settings.voice)
    tmp = _temp_file(cache_dir)
    try:
        _run_child(
            {
                "mode": "save",
                "text": text,
                "voice": voice,
                "rate": settings.rate_wpm,
                "path": str(tmp),
            },
            CHILD_START_TIMEOUT_S + len(text) / 100,
        )
        if wav_duration_s(tmp) <= 0:
            raise InterviewerError("speech synthesis produced no audio", NO_SPEAK_HINT)
        os.replace(tmp, path)  # atomic: readers see no file or a whole one
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _temp_file(cache_dir: Path) -> Path:
    """An empty file beside its final name, so that os.replace() is atomic."""
    try:
        _private_dir(cache_dir)
        fd, name = tempfile.mkstemp(prefix=".synth-", suffix=".wav", dir=cache_dir)
    except OSError as exc:
        raise InterviewerError(
            f"cannot write the speech cache {cache_dir}: {exc.strerror}",
            "set INTERVIEWER_CACHE to a writable folder",
        ) from exc
    os.close(fd)
    return Path(name)


def _private_dir(cache_dir: Path) -> None:
    """The cache folder, user-only like attempts: what was asked tells what was practised.

    Missing levels are made 0o700 (the XDG base-dir rule for folders it has to create); the
    speech folder itself is ours alone, so one left 0o755 by an older version is tightened.
    Files in it are already 0o600: mkstemp creates them so and os.replace keeps the mode.
    """
    missing: list[Path] = []
    level = cache_dir
    while not level.is_dir() and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask, which may be odd
    if cache_dir.stat().st_mode & 0o077:
        with contextlib.suppress(PermissionError):  # not ours: leave it, writing may still work
            os.chmod(cache_dir, 0o700)


def wav_duration_s(path: Path) -> float:
    """Duration of a readable WAV, 0.0 when missing, empty or broken."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error, ZeroDivisionError):
        return 0.0


# The child: one job per process. It waits for finished-utterance because runAndWait() returns
# before espeak has written the file; os._exit skips interpreter teardown while espeak's
# thread may still be unwinding from its callback.
_CHILD = r"""
import json, os, sys, threading
req = json.loads(sys.stdin.read())
def fail(code, msg):
    sys.stderr.write(msg + "\n"); sys.stderr.flush(); os._exit(code)
try:
    import pyttsx3
    engine = pyttsx3.init()
except ImportError as exc:
    fail(4, f"{type(exc).__name__}: {exc}")
except Exception as exc:
    fail(3, f"{type(exc).__name__}: {exc}")
if req["mode"] == "voices":
    voices = [{"id": v.id, "name": v.name, "languages": [str(x) for x in v.languages or []]}
              for v in engine.getProperty("voices")]
    sys.stdout.write("\n" + json.dumps(voices)); sys.stdout.flush(); os._exit(0)
done, errors = threading.Event(), []
engine.connect("finished-utterance", lambda name, completed: done.set())
engine.connect("error", lambda name, exception: (errors.append(exception), done.set()))
try:
    if req["voice"]:
        engine.setProperty("voice", req["voice"])
    engine.setProperty("rate", req["rate"])
    engine.save_to_file(req["text"], req["path"])
    engine.runAndWait()
except Exception as exc:
    fail(5, f"{type(exc).__name__}: {exc}")
if not done.wait(req["timeout"]):
    fail(6, "espeak did not finish the utterance in time")
if errors:
    fail(5, f"{type(errors[0]).__name__}: {errors[0]}")
sys.stdout.flush(); os._exit(0)
"""


def _run_child(request: dict[str, object], timeout_s: float) -> str:
    """Run _CHILD with a JSON request on stdin; its stdout; errors become InterviewerError."""
    request = {**request, "timeout": timeout_s}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=timeout_s + 5,
        )
    except subprocess.TimeoutExpired as exc:
        raise InterviewerError("speech synthesis timed out", NO_SPEAK_HINT) from exc
    if done.returncode != 0:
        raise _child_error(done.returncode, done.stderr)
    return done.stdout


def _child_error(returncode: int, stderr: str) -> InterviewerError:
    lines = stderr.strip().splitlines()
    message = lines[-1] if lines else f"exit code {returncode}"
    if returncode == 3 and "espeak" in stderr.lower():
        return InterviewerError(
            "espeak-ng not found", "install espeak-ng (apt-get install espeak-ng libespeak-ng1)"
        )
    if returncode == 4 and "pyttsx3" in stderr:
        return InterviewerError("pyttsx3 not installed", "pip install pyttsx3")
    return InterviewerError(f"speech synthesis failed: {message}", NO_SPEAK_HINT)


# ---------------------------------------------------------------- voices


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def list_voices() -> tuple[Voice, ...]:
    """The voices pyttsx3 offers here (for a --voice option)."""
    out = _run_child({"mode": "voices"}, CHILD_START_TIMEOUT_S)
    rows = json.loads(out.strip().splitlines()[-1])
    return tuple(Voice(r["id"], r["name"], tuple(r["languages"])) for r in rows)


def resolve_voice(spec: str | None) -> str | None:
    """A voice id for an id or a case-insensitive name fragment; None keeps the default."""
    if not spec:
        return None
    return match_voice(spec, list_voices()).id


def match_voice(spec: str, voices: tuple[Voice, ...]) -> Voice:
    """Exact id, name, short id ("en-us") or language first; else a unique name fragment."""
    wanted = spec.strip().lower()
    exact = [v for v in voices if wanted in _exact_names(v)]
    found = exact or [v for v in voices if wanted in v.name.lower() or wanted in v.id.lower()]
    if len(found) == 1 or exact:
        return found[0]
    what = f"voice '{spec}' is ambiguous" if found else f"unknown voice '{spec}'"
    choices = found or sorted(voices, key=lambda v: "english" not in v.name.lower())
    listed = ", ".join(f"{v.id} ({v.name})" for v in choices[:8])
    more = f" and {len(choices) - 8} more" if len(choices) > 8 else ""
    raise InterviewerError(what, f"choose one of: {listed}{more}")


def _exact_names(voice: Voice) -> set[str]:
    names = {voice.id.lower(), voice.name.lower(), voice.id.rsplit("/", 1)[-1].lower()}
    return names | {lang.lower() for lang in voice.languages}
