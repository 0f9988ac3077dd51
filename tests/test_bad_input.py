"""Bad input: one line naming the file or value, non-zero exit, nothing saved is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.cli import main
from tests.conftest import FIXTURES

GOOD = FIXTURES / "01-failed-at-work.en-us.160.flac"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run_error(capsys, *args: str) -> str:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


@pytest.fixture
def saved_attempt(bank, capsys) -> dict[str, bytes]:
    assert main(["practice", "-q", "01", "--answer-audio", str(GOOD), "--no-speak"]) == 0
    capsys.readouterr()
    return snapshot(bank / "ownership")


def make_bad(tmp_path: Path, kind: str) -> Path:
    if kind == "missing":
        return tmp_path / "nope.wav"
    path = tmp_path / f"{kind}.wav"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not-audio":
        path.write_text("this is a text file, not a recording\n" * 20)
    elif kind == "truncated":
        data = (FIXTURES / "silence.wav").read_bytes()
        path.write_bytes(data[: len(data) // 3])
    return path


@pytest.mark.parametrize("kind", ["missing", "empty", "not-audio", "truncated"])
def test_bad_answer_audio(kind, tmp_path, bank, saved_attempt, capsys):
    bad = make_bad(tmp_path, kind)
    line = run_error(capsys, "practice", "-q", "01", "--answer-audio", str(bad), "--no-speak")
    assert str(bad) in line and "—" in line
    assert snapshot(bank / "ownership") == saved_attempt


def test_truncated_flac(tmp_path, bank, saved_attempt, capsys):
    data = GOOD.read_bytes()
    bad = tmp_path / "cut.flac"
    bad.write_bytes(data[: len(data) // 2])
    line = run_error(capsys, "practice", "-q", "01", "--answer-audio", str(bad), "--no-speak")
    assert "cut.flac" in line and "truncated" in line
    assert snapshot(bank / "ownership") == saved_attempt


def test_unknown_question_suggests(bank, saved_attempt, capsys):
    line = run_error(
        capsys, "practice", "-q", "faild-at-work", "--answer-audio", str(GOOD), "--no-speak"
    )
    assert "'faild-at-work'" in line and "01-failed-at-work" in line
    assert snapshot(bank / "ownership") == saved_attempt


def broken_file_warning(capsys, story: Path) -> str:
    """One bank file with a mistake: `questions` still lists the others and warns once;
    practising that question is an error naming the file and line."""
    assert main(["questions", "--json"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and str(story) in warnings[0] and story.stem not in captured.out
    assert "01-failed-at-work" in captured.out
    return run_error(
        capsys,
        "practice",
        "-q",
        story.stem[:2],
        "--no-speak",
        "--answer-audio",
        str(FIXTURES / "silence.wav"),
    )


def test_malformed_bank_file(bank, capsys):
    story = bank / "ownership" / "02-took-on-something-significant.txt"
    story.write_text(story.read_text().replace("Task:", "Task:\nTask:"))
    line = broken_file_warning(capsys, story)
    assert f"{story}:" in line and "appears twice" in line


def test_missing_model_folder(tmp_path, bank, saved_attempt, capsys):
    line = run_error(
        capsys,
        "practice",
        "-q",
        "01",
        "--answer-audio",
        str(GOOD),
        "--no-speak",
        "--model",
        str(tmp_path / "no-such-model"),
    )
    assert "no-such-model" in line
    assert snapshot(bank / "ownership") == saved_attempt


def test_model_folder_without_model_files(tmp_path, capsys):
    (tmp_path / "model").mkdir()
    line = run_error(capsys, "transcribe", str(GOOD), "--model", str(tmp_path / "model"))
    assert "model.bin" in line


def test_debug_shows_the_traceback(tmp_path, capsys):
    code = main(["--debug", "transcribe", str(tmp_path / "nope.wav")])
    assert code != 0 and "Traceback" in capsys.readouterr().err


def test_missing_bank_folder(tmp_path, capsys):
    line = run_error(capsys, "questions", "--bank", str(tmp_path / "none"))
    assert "none" in line and "import" in line


# --- user text files saved by other editors (issue 9, section 5) ---------------------------

NOTEPAD_BOM = b"\xef\xbb\xbf"


def test_bank_file_saved_by_notepad_does_not_stop_commands(bank, capsys):
    for path in (bank / "ownership").glob("*.txt"):
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(NOTEPAD_BOM + text.encode("utf-8"))
    assert main(["questions", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\\ufeff" not in out and "\ufeff" not in out
    assert "Tell me about a time when you failed at work?" in out


def test_import_of_a_notepad_document_then_every_command_works(tmp_path, capsys):
    from tests.conftest import SEED

    notes = tmp_path / "notes.txt"
    notes.write_bytes(NOTEPAD_BOM + SEED.read_text(encoding="utf-8").encode("utf-8"))
    target = tmp_path / "bank"
    assert main(["import", str(notes), "--bank", str(target)]) == 0
    assert "14 written" in capsys.readouterr().out
    assert main(["import", str(notes), "--bank", str(target)]) == 0
    assert "0 written, 14 unchanged, 0 kept" in capsys.readouterr().out
    assert main(["questions", "--bank", str(target)]) == 0
    written = b"".join(p.read_bytes() for p in (target / "ownership").iterdir())
    assert "\ufeff".encode() not in written


def test_utf16_bank_file_is_one_clear_error(bank, capsys):
    story = bank / "ownership" / "03-didnt-meet-commitments-promised.txt"
    story.write_bytes(story.read_text(encoding="utf-8").encode("utf-16"))
    line = broken_file_warning(capsys, story)
    assert str(story) in line and "UTF-16" in line and "UTF-8" in line


def test_second_question_line_is_one_clear_error(bank, capsys):
    story = bank / "ownership" / "02-took-on-something-significant.txt"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("Principle:", "Question: Another question?\nPrinciple:", 1))
    line = broken_file_warning(capsys, story)
    assert f"{story}:2: 'Question:' appears twice (first on line 1)" in line


# --- numeric options out of range (issue 9, section 7) ---------------------------------------

BAD_PRACTICE_OPTIONS = [
    (["--max-answer", "-5"], "--max-answer", "5 to 3600 seconds"),
    (["--max-answer", "1e9"], "--max-answer", "5 to 3600 seconds"),
    (["--max-answer", "nan"], "--max-answer", "5 to 3600 seconds"),
    (["--count", "0"], "--count", "1 to"),
    (["--count", "-1"], "--count", "1 to"),
    (["--count", "2.5"], "--count", "1 to"),
    (["--think", "-3"], "--think", "0 to 600 seconds"),
    (["--think", "inf"], "--think", "0 to 600 seconds"),
    (["--end-silence", "-1"], "--end-silence", "1 to 60 seconds"),
    (["--end-silence", "10", "--max-answer", "8"], "--end-silence 10", "--max-answer 8"),
    (["--rate", "0"], "--rate", "80 to 450 words per minute"),
    (["--rate", "100000"], "--rate", "80 to 450 words per minute"),
]


@pytest.mark.parametrize(
    ("args", "option", "allowed"),
    BAD_PRACTICE_OPTIONS,
    ids=[" ".join(a) for a, _, _ in BAD_PRACTICE_OPTIONS],
)
def test_out_of_range_practice_options_are_refused(args, option, allowed, bank, capsys):
    """Each was accepted silently (a -5 s maximum saved a no-speech take; --count 0 asked
    every question): now one line naming the option and its range, exit 2, nothing saved."""
    before = snapshot(bank / "ownership")
    argv = ["practice", "-q", "01", "--answer-audio", str(GOOD), "--no-speak", *args]
    line = run_error(capsys, *argv)
    assert main(argv) == 2
    assert option in line and allowed in line and "unexpected" not in line, line
    assert snapshot(bank / "ownership") == before


@pytest.mark.parametrize("seconds", ["-1", "0", "nan", "1e9"])
def test_out_of_range_mic_check_seconds_are_refused(seconds, capsys):
    line = run_error(capsys, "mic-check", "--seconds", seconds)
    assert "--seconds" in line and "1 to 60 seconds" in line and "unexpected" not in line


def test_no_microphone_says_how_to_practise_without_one(bank, monkeypatch, capsys):
    """A machine with no input device, at the third-party seam: PortAudio lists none."""
    from types import SimpleNamespace

    import sounddevice

    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: [])
    # the whole `default` object: setting its .device changes the real one in place, and
    # monkeypatch would then "restore" the changed value for every later test
    monkeypatch.setattr(sounddevice, "default", SimpleNamespace(device=(-1, -1)))
    before = snapshot(bank / "ownership")
    assert main(["practice", "-q", "01", "--no-speak"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: no microphone found"), err  # before the question is asked
    assert "--answer-audio FILE" in err and "scripts/virtual_audio.sh" in err
    assert len(err.splitlines()) == 1 and snapshot(bank / "ownership") == before


# --- found by a new user trying a clean clone ----------------------------------------------


def test_output_to_a_full_device_is_one_clear_line(bank):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "interviewer", "questions"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: cannot write the output: No space left on device — free some space (or write "
        "the output elsewhere) and run the command again"
    ]


def test_unknown_model_saves_no_take(bank, capsys):
    line = run_error(
        capsys,
        "practice",
        "-q",
        "03",
        "--no-speak",
        "--model",
        "nosuch",
        "--answer-audio",
        str(FIXTURES / "silence.wav"),
    )
    assert "unknown speech model 'nosuch'" in line and "choose one of: tiny.en" in line
    assert not list(bank.glob("*/*.attempt-*"))


def test_unknown_voice_is_an_error_not_a_silent_session(bank, capsys):
    line = run_error(
        capsys,
        "practice",
        "-q",
        "03",
        "--voice",
        "nosuchvoice",
        "--answer-audio",
        str(FIXTURES / "silence.wav"),
    )
    assert "unknown voice 'nosuchvoice'" in line and "choose one of:" in line
    assert not list(bank.glob("*/*.attempt-*"))


def test_nothing_at_one_question_names_that_question(bank, capsys):
    assert (
        main(
            [
                "practice",
                "-q",
                "01",
                "--no-speak",
                "--no-follow-ups",
                "--answer-audio",
                str(FIXTURES / "silence.wav"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    for command in ("history", "reanalyze", "review"):
        line = run_error(capsys, command, "-q", "04")
        assert "no attempts at 04-hard-decision-sacrifice-short yet" in line, (command, line)
        assert "interviewer practice -q 04-hard-decision-sacrifice-short" in line
    other = bank.parent / "empty"
    (other / "ownership").mkdir(parents=True)
    for f in (bank / "ownership").glob("0[12]*.txt"):
        (other / "ownership" / f.name).write_bytes(f.read_bytes())
    assert main(["history", "--json", "--bank", str(other)]) == 0
    assert capsys.readouterr().out.strip() == "[]"
