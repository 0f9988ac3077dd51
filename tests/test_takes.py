"""A take never disappears: kill -9, Ctrl-C at any moment, a full disk, a read-only or
unreadable bank. Live sessions run as their own process on the virtual audio devices (see
test_live.py); full and read-only disks are real tmpfs mounts (this suite runs as root);
unreadable folders are read by the CLI running as the unprivileged user `nobody`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters.audio_files import load_audio
from interviewer.cli import main
from tests.audio_server import Practice
from tests.conftest import FIXTURES, ROOT, SEED

RATE = 16000
Q01 = "01-failed-at-work"
ANSWER = FIXTURES / f"{Q01}.en-us.160.flac"


# --- helpers --------------------------------------------------------------------------------


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def takes(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".attempt-" in p.name)


def only(paths: list[Path], suffix: str) -> Path:
    found = [p for p in paths if p.name.endswith(suffix)]
    assert len(found) == 1, paths
    return found[0]


def wav_seconds(path: Path) -> float:
    import wave

    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def first_sound_s(samples: np.ndarray, threshold: float = 0.001) -> float:
    return int(np.argmax(np.abs(samples) > threshold)) / RATE


def assert_one_error(err: str, *parts: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    for bad in ("Traceback", "unexpected", "Exception in thread", "sent no audio"):
        assert bad not in err, err
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def assert_sees_unfinished(bank: Path, audio: Path) -> None:
    """questions, history and review all list the take as unfinished, with what to run."""
    code, out, err = cli("questions", "--json", "--bank", str(bank))
    assert code == 0, err
    row = next(r for r in json.loads(out) if r["id"] == Q01)
    assert row["attempts"] >= 1 and len(row["unfinished"]) == 1, row
    assert audio.name in err and "reanalyze" in err
    code, out, err = cli("history", "--json", "--bank", str(bank))
    assert code == 0, err
    assert [r["status"] for r in json.loads(out)].count("unfinished") == 1
    assert audio.name in err and "reanalyze" in err
    code, out, err = cli("review", "--bank", str(bank))
    assert code == 0, err
    assert "Unfinished take" in out and str(audio) in out and "reanalyze" in out
    code, out, err = cli("review", str(audio), "--bank", str(bank))
    assert code == 0 and "Unfinished take" in out, err
    code, out, err = cli("report", "-q", "01", "--bank", str(bank))
    assert code == 0 and audio.name in err and "reanalyze" in err, err
    page = Path(out.split("Report: ", 1)[1].strip()).read_text()
    assert "Unfinished take" in page and audio.name in page


def assert_finished(record_path: Path, words: str = "fail") -> dict:
    record = json.loads(record_path.read_text())
    assert record["status"] == "ok", record.get("status")
    assert words in " ".join(w["text"].lower() for w in record["words"])
    assert record_path.with_suffix(".md").is_file()
    return record


@contextlib.contextmanager
def tmpfs(where: Path, size: str, *options: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    opts = ",".join([f"size={size}", "mode=0755", *options])
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where: Path, *options: str) -> None:
    subprocess.run(["mount", "-o", ",".join(["remount", *options]), str(where)], check=True)


def used_bytes(where: Path) -> int:
    st = os.statvfs(where)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def copy_bank(to: Path) -> Path:
    bank = to / "questions"
    shutil.copytree(ROOT / "questions", bank, ignore=shutil.ignore_patterns("*.attempt-*"))
    return bank


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs: needs root")


# --- kill -9 --------------------------------------------------------------------------------


@pytest.mark.audio
def test_kill_9_mid_answer_is_seen_everywhere_and_finished_at_the_next_start(
    virtual_audio, bank
) -> None:
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    fed_at = time.monotonic()
    feeder = virtual_audio.feed_mic(ANSWER)
    time.sleep(2)
    # While it records, other commands list it as being recorded and leave it alone.
    code, out, err = cli("history", "--json", "--bank", str(bank))
    assert code == 0 and "being recorded now" in err, err
    code, out, err = cli("reanalyze", "--bank", str(bank))
    assert code == 0 and "being recorded now by another session" in err, out + err
    time.sleep(max(0.0, 6 - (time.monotonic() - fed_at)))
    session.proc.kill()
    killed_after_s = time.monotonic() - fed_at
    session.finish()
    feeder.kill()
    folder = bank / "ownership"
    audio = only(takes(folder), ".wav")
    record_path = audio.with_suffix(".json")
    assert json.loads(record_path.read_text())["status"] == "unfinished"
    assert not audio.with_suffix(".md").exists()
    # Audio lost: how far into the answer the microphone was fed, minus how far the file got.
    recorded = load_audio(audio)
    offset = first_sound_s(recorded) - first_sound_s(load_audio(ANSWER))
    lost_s = killed_after_s - (len(recorded) / RATE - offset)
    print(f"\naudio lost on kill -9: {lost_s:.2f} s (fed {killed_after_s:.2f} s)")
    assert lost_s < 1.0
    assert_sees_unfinished(bank, audio)
    # The next start finishes it before asking anything, and says so.
    session = Practice(
        virtual_audio, "-q", "02", "--no-speak", "--no-follow-ups", "--max-answer", "5"
    )
    assert session.proc.stdin is not None
    session.proc.stdin.close()  # end of input: the menu takes its default and the session ends
    code = session.finish()
    assert code == 0, session.screen
    err = session.screen
    assert f"Finished an interrupted take of {Q01}" in err and str(audio.with_suffix(".md")) in err
    assert err.index("Finished an interrupted take") < err.index("Question (02")
    record = assert_finished(record_path)
    assert abs(record["duration_s"] - wav_seconds(audio)) < 0.2
    assert record["ended_by"] == "interrupted (finished later)"


@pytest.mark.audio
@pytest.mark.parametrize("stop", ["kill -9", "Ctrl-C"])
def test_stopped_during_the_follow_up_keeps_both_recordings_in_one_take(
    virtual_audio, bank, tmp_path, stop
) -> None:
    learned = tmp_path / "learned.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-w",
            str(learned),
            "What I learned is that people sometimes "
            "just end up in the wrong role, and that is fine.",
        ],
        check=True,
        timeout=30,
    )
    session = Practice(virtual_audio, "-q", "05", "--no-speak")
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    virtual_audio.feed_mic(
        FIXTURES / "05-peer-struggling-step-help.no-learning.signposts.en-us.185.flac"
    ).wait(60)
    session.wait_for("What did you learn from it?", timeout_s=60)
    virtual_audio.wait_for_recording_stream(timeout_s=30)
    feeder = virtual_audio.feed_mic(learned)
    feeder.wait(30)
    folder = bank / "ownership"
    if stop == "kill -9":
        session.proc.kill()
        session.finish()
        record_path = only(takes(folder), ".json")
        assert json.loads(record_path.read_text())["status"] == "unfinished"
        code, out, err = cli("reanalyze", "--bank", str(bank))
        assert code == 0 and "Finished an interrupted take of 05" in out, out + err
    else:
        session.proc.send_signal(signal.SIGINT)
        assert session.finish(60) == 130, session.screen
        record_path = only(takes(folder), ".json")
        assert f"Saved: {record_path.with_suffix('.md')}" in session.screen
    record = json.loads(record_path.read_text())
    assert record["status"] == "ok" and record["follow_ups"][0]["audio"].endswith(".follow-up.wav")
    learning = next(s for s in record["sections"] if s["label"] == "learning")
    assert not learning["missing"] and "learned" in learning["text"].lower()


def test_audio_left_without_a_record_by_an_older_version_is_a_take(bank) -> None:
    folder = bank / "ownership"
    audio = folder / f"{Q01}.attempt-20250101-101010.flac"
    shutil.copy(ANSWER, audio)
    (folder / f"{Q01}.attempt-20250101-101010.md").write_text("# half written\n")
    assert_sees_unfinished(bank, audio)
    code, out, err = cli("reanalyze", "--bank", str(bank))
    assert code == 0, err
    assert f"Finished an interrupted take of {Q01}" in out
    record = assert_finished(audio.with_suffix(".json"))
    assert record["created_at"].startswith("2025-01-01T10:10:10")
    assert "half written" not in audio.with_suffix(".md").read_text()
    code, out, err = cli("history", "--json", "--bank", str(bank))
    assert [r["status"] for r in json.loads(out)] == ["ok"] and "Unfinished" not in err


def test_practice_from_a_recording_first_finishes_an_interrupted_take(bank) -> None:
    folder = bank / "ownership"
    audio = folder / f"{Q01}.attempt-20250101-101010.flac"
    shutil.copy(ANSWER, audio)
    code, out, err = cli(
        "practice",
        "-q",
        "02",
        "--answer-audio",
        str(FIXTURES / "02-took-on-something-significant.en-us.160.flac"),
        "--no-speak",
    )
    assert code == 0, err
    assert f"Finished an interrupted take of {Q01}" in err
    assert err.index("Finished an interrupted take") < err.index("Question (02")
    assert_finished(audio.with_suffix(".json"))


# --- Ctrl-C ---------------------------------------------------------------------------------


def _record_after(session: Practice, virtual_audio, seconds: float) -> subprocess.Popen[bytes]:
    virtual_audio.wait_for_recording_stream(timeout_s=90)
    feeder = virtual_audio.feed_mic(ANSWER)
    time.sleep(seconds)
    return feeder


@pytest.mark.audio
@pytest.mark.parametrize("how", ["Enter, then Ctrl-C", "two Ctrl-C while recording"])
def test_ctrl_c_just_after_the_answer_saves_it(virtual_audio, bank, how) -> None:
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    feeder = _record_after(session, virtual_audio, 6)
    if how.startswith("Enter"):
        session.press("\n")
        time.sleep(0.5)
    else:
        session.proc.send_signal(signal.SIGINT)
        time.sleep(0.4)
    session.proc.send_signal(signal.SIGINT)
    code = session.finish(60)
    feeder.kill()
    assert code == 130, session.screen
    assert "no answers recorded" not in session.screen and "Traceback" not in session.screen
    record = assert_finished(only(takes(bank / "ownership"), ".json"))
    assert (
        f"Saved: {bank / 'ownership'}" in session.screen
        and "Session over: 1 answer" in session.screen
    )
    assert 5.0 <= record["duration_s"] <= 9.0


@pytest.mark.audio
def test_ctrl_c_again_while_finishing_keeps_the_take_unfinished_and_says_where(
    virtual_audio, bank
) -> None:
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups")
    feeder = _record_after(session, virtual_audio, 6)
    session.proc.send_signal(signal.SIGINT)  # ends the answer
    time.sleep(0.05)
    session.proc.send_signal(signal.SIGINT)  # noted: the take is saved first
    session.wait_for("saving what you said first", timeout_s=30)
    session.proc.send_signal(signal.SIGINT)  # stop now
    code = session.finish(60)
    feeder.kill()
    assert code == 130, session.screen
    assert "Traceback" not in session.screen
    folder = bank / "ownership"
    audio = only(takes(folder), ".wav")
    if "kept, unfinished" in session.screen:  # the usual case: transcription takes a while
        assert str(audio) in session.screen and "reanalyze" in session.screen
        assert "kept unfinished" in session.screen.split("Session over")[1]
        assert_sees_unfinished(bank, audio)
        code, out, err = cli("reanalyze", "--bank", str(bank))
        assert code == 0 and "Finished an interrupted take" in out, out + err
    else:  # it was saved before the third Ctrl-C arrived
        assert "Saved:" in session.screen
    assert_finished(audio.with_suffix(".json"))


@pytest.mark.audio
def test_ctrl_c_while_thinking_says_nothing_was_saved(virtual_audio, bank) -> None:
    session = Practice(virtual_audio, "-q", "01", "--no-speak", "--think", "60")
    session.wait_for("Think for")
    session.proc.send_signal(signal.SIGINT)
    assert session.finish(30) == 130
    assert "nothing to save" in session.screen and "Traceback" not in session.screen
    assert takes(bank / "ownership") == []


# --- a full disk ----------------------------------------------------------------------------


@pytest.mark.audio
@needs_root
def test_disk_full_during_a_live_answer(virtual_audio, tmp_path) -> None:
    with tmpfs(tmp_path / "disk", "20m") as disk:
        bank = copy_bank(disk)
        remount(disk, f"size={used_bytes(disk) + 160 * 1024}")  # ~4 s of recording
        session = Practice(virtual_audio, "-q", "01", "--no-speak", "--no-follow-ups", bank=bank)
        feeder = _record_after(session, virtual_audio, 0)
        code = session.finish(60)
        feeder.kill()
        assert code == 1, session.screen
        folder = bank / "ownership"
        audio = only(takes(folder), ".wav")
        assert "Disk full: recording stopped at" in session.screen
        assert_one_error(session.screen, "disk full", str(audio), "reanalyze")
        assert wav_seconds(audio) > 2.0  # what was recorded is kept, a valid WAV
        assert json.loads(audio.with_suffix(".json").read_text())["status"] == "unfinished"
        assert not audio.with_suffix(".md").exists()  # no half-written take
        remount(disk, "size=20m")
        assert_sees_unfinished(bank, audio)
        code, out, err = cli("reanalyze", "--bank", str(bank))
        assert code == 0 and "Finished an interrupted take" in out, out + err
        record = json.loads(audio.with_suffix(".json").read_text())
        assert record["status"] == "ok" and record["words"]


@needs_root
def test_disk_full_when_the_answer_audio_does_not_fit(tmp_path) -> None:
    with tmpfs(tmp_path / "disk", "20m") as disk:
        bank = copy_bank(disk)
        remount(disk, f"size={used_bytes(disk) + 64 * 1024}")
        code, out, err = cli(
            "practice", "-q", "01", "--answer-audio", str(ANSWER), "--no-speak", "--bank", str(bank)
        )
        assert code == 1
        assert_one_error(err, "disk full", "nothing was saved", str(ANSWER))
        assert takes(bank / "ownership") == []
        assert not [p for p in (bank / "ownership").iterdir() if p.name.startswith(".")]


@needs_root
def test_disk_full_when_only_the_record_does_not_fit(tmp_path) -> None:
    with tmpfs(tmp_path / "disk", "20m") as disk:
        bank = copy_bank(disk)
        # The answer (1.5 MB) and the placeholder fit; the 40 KB record does not.
        remount(disk, f"size={used_bytes(disk) + ANSWER.stat().st_size + 12 * 1024}")
        code, out, err = cli(
            "practice", "-q", "01", "--answer-audio", str(ANSWER), "--no-speak", "--bank", str(bank)
        )
        assert code == 1
        folder = bank / "ownership"
        audio = only(takes(folder), ".flac")
        assert_one_error(err, "disk full", str(audio), "reanalyze")
        assert [p.suffix for p in takes(folder)] == [".flac", ".json"]  # no .md without it
        assert json.loads(audio.with_suffix(".json").read_text())["status"] == "unfinished"
        remount(disk, "size=20m")
        code, out, err = cli("reanalyze", "--bank", str(bank))
        assert code == 0 and "Finished an interrupted take" in out, out + err
        assert_finished(audio.with_suffix(".json"))


@needs_root
def test_disk_full_during_reanalyze_leaves_the_record_as_it_was(tmp_path) -> None:
    with tmpfs(tmp_path / "disk", "20m") as disk:
        bank = copy_bank(disk)
        assert (
            cli(
                "practice",
                "-q",
                "01",
                "--answer-audio",
                str(ANSWER),
                "--no-speak",
                "--bank",
                str(bank),
            )[0]
            == 0
        )
        record = only(takes(bank / "ownership"), ".json")
        before = record.read_bytes()
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as fill:
            while True:
                fill.write(b"\0" * 65536)
                fill.flush()
        code, out, err = cli("reanalyze", "--bank", str(bank))
        assert code == 1
        assert_one_error(err, "disk full", str(bank / "ownership"))
        assert record.read_bytes() == before
        code, out, err = cli("history", "--bank", str(bank))  # reading still works
        assert code == 0 and "1 attempt at 1 question" in out, err


# --- read-only and unreadable banks ---------------------------------------------------------


@needs_root
def test_read_only_bank_names_the_folder_for_every_write(tmp_path) -> None:
    """A read-only mount: permission bits do not stop root, a read-only file system does."""
    with tmpfs(tmp_path / "disk", "20m") as disk:
        bank = copy_bank(disk)
        assert (
            cli(
                "practice",
                "-q",
                "01",
                "--answer-audio",
                str(ANSWER),
                "--no-speak",
                "--bank",
                str(bank),
            )[0]
            == 0
        )
        empty = disk / "empty"
        empty.mkdir()
        remount(disk, "ro")
        folder = bank / "ownership"
        writes = [
            (
                "practice",
                "-q",
                "01",
                "--answer-audio",
                str(ANSWER),
                "--no-speak",
                "--bank",
                str(bank),
            ),
            ("report", "--bank", str(bank)),
            ("reanalyze", "--bank", str(bank)),
        ]
        for argv in writes:
            code, out, err = cli(*argv)
            assert code == 1, (argv, err)
            assert_one_error(
                err, "read-only file system", str(folder.parent if argv[0] == "report" else folder)
            )
        code, out, err = cli("import", str(SEED), "--bank", str(empty))
        assert code == 1
        assert_one_error(err, "read-only file system", str(empty))
        for argv in (("history",), ("review",), ("questions",)):  # reading works, no index
            code, out, err = cli(*argv, "--bank", str(bank))
            assert code == 0 and not err, (argv, err)


def _as_nobody(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": tempfile.gettempdir(), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "interviewer",
            *argv,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_root
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_unreadable_or_unwritable_bank_as_an_ordinary_user(bank) -> None:
    assert cli("practice", "-q", "01", "--answer-audio", str(ANSWER), "--no-speak")[0] == 0
    top = Path(tempfile.mkdtemp(prefix="interviewer-perm-"))
    try:
        os.chmod(top, 0o755)
        shared = top / "questions"
        shutil.copytree(bank, shared)
        for path in [shared, *shared.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        record = only(takes(shared / "ownership"), ".json")
        os.chmod(record, 0o600)  # attempts are private: another user cannot read this one
        # A record it cannot read: skipped with one warning naming it.
        done = _as_nobody("history", "--bank", str(shared))
        assert done.returncode == 1 and str(record) in done.stderr, done.stderr
        assert "permission denied" in done.stderr and "unexpected" not in done.stderr
        # A folder it cannot write: saving a take names the folder.
        done = _as_nobody(
            "practice",
            "-q",
            "01",
            "--answer-audio",
            str(ANSWER),
            "--no-speak",
            "--bank",
            str(shared),
        )
        assert done.returncode == 1
        assert_one_error(
            done.stderr, f"cannot write to {shared / 'ownership'}", "permission denied"
        )
        done = _as_nobody("report", "--bank", str(shared))
        assert_one_error(done.stderr)  # no readable attempt, or the folder: one line
        # A folder it cannot read.
        os.chmod(shared / "ownership", 0o700)
        done = _as_nobody("questions", "--bank", str(shared))
        assert done.returncode == 1
        assert_one_error(
            done.stderr, f"cannot read the question bank folder {shared / 'ownership'}"
        )
        os.chmod(shared, 0o700)
        done = _as_nobody("history", "--bank", str(shared))
        assert done.returncode == 1
        assert_one_error(done.stderr, str(shared))
    finally:
        shutil.rmtree(top)
