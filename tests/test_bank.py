from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.adapters.bank import (
    find_question,
    load_bank,
    load_coach_settings,
    parse_question_file,
)
from interviewer.adapters.importer import import_notes
from interviewer.core.coaching import CoachSettings
from interviewer.errors import InterviewerError
from tests.conftest import ROOT, SEED


def test_committed_bank_has_every_seed_question():
    bank = load_bank(ROOT / "questions")
    assert len(bank.questions) == 13  # 10 numbered + 3 second source
    assert bank.principles[0].name == "Ownership"
    assert len(bank.principles[0].bullets) == 11
    assert "Leaders are owners." in bank.principles[0].description
    texts = [q.text for q in bank.questions]
    assert texts[0] == "Tell me about a time when you failed at work?"
    assert "outside your area of responsibility" in texts[1]  # "tousled" fixed
    assert sum(q.source.startswith("Second Source") for q in bank.questions) == 3


def test_stories_split_into_star_parts():
    bank = load_bank(ROOT / "questions")
    failed = bank.find("01-failed-at-work")
    assert failed.story.situation.startswith("I don’t like to fail")
    assert failed.story.result.startswith("I ended up doing the first 1/2")
    assert failed.story.learning.startswith("The tiny details are important")
    significant = bank.find("02")
    assert significant.story.result and not significant.story.learning
    with_stories = [q.id for q in bank.questions if q.has_story]
    assert len(with_stories) == 7  # 01 02 03 05 06 09 10
    assert bank.find("08").notes == "Frequent Check Ins, and written responses."


def test_parse_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "x.txt"
    text = "Question: Why?\nPrinciple: Ownership\n\nSituation:\nok\nSituation:\nagain\n"
    with pytest.raises(InterviewerError, match=r"x\.txt:6: 'Situation:' appears twice"):
        parse_question_file(bad, text, "ownership")
    with pytest.raises(InterviewerError, match=r"x\.txt:1: expected 'Question"):
        parse_question_file(bad, "Some words\n", "ownership")
    with pytest.raises(InterviewerError, match=r"no 'Question:' line"):
        parse_question_file(bad, "Principle: x\n", "ownership")


def test_unknown_question_suggests_close_ids():
    bank = load_bank(ROOT / "questions")
    with pytest.raises(InterviewerError) as err:
        find_question(bank, "failed-at-wrk")
    assert "did you mean 01-failed-at-work" in str(err.value)
    with pytest.raises(InterviewerError, match="'1' is ambiguous") as err:
        find_question(bank, "1")  # ambiguous prefix: 10, 11, 12, 13
    assert "10-initiative-benefit-whole-company" in err.value.hint


BOM = b"\xef\xbb\xbf"


def notepad_bytes(text: str) -> bytes:
    """What Windows Notepad saves: a UTF-8 byte order mark and CRLF line ends."""
    return BOM + text.replace("\n", "\r\n").encode("utf-8")


def test_bank_files_resaved_by_notepad_still_load_and_still_match(tmp_path: Path):
    import_notes(SEED, tmp_path)
    folder = tmp_path / "ownership"
    for path in folder.iterdir():
        path.write_bytes(notepad_bytes(path.read_text(encoding="utf-8")))
    # `cat a.txt b.txt` of two Notepad files leaves a BOM mid-text: also not the user's words
    story = folder / "05-peer-struggling-step-help.txt"
    story.write_bytes(story.read_bytes() + BOM + b"\r\nNotes:\r\nAsk about Priya.\r\n")
    bank = load_bank(tmp_path)
    assert bank.principles[0].name == "Ownership"
    first = bank.find("01")
    assert first.text == "Tell me about a time when you failed at work?"
    assert first.story.situation.startswith("I don’t like to fail")
    assert bank.find("05").notes == "Ask about Priya."
    assert all("\ufeff" not in q.text + q.story.situation for q in bank.questions)
    report = import_notes(SEED, tmp_path)
    assert len(report.unchanged) == 13 and report.kept == (story,)


def test_settings_saved_by_notepad(tmp_path: Path):
    (tmp_path / "settings.toml").write_bytes(notepad_bytes("# mine\nwpm_min = 120\n"))
    assert load_coach_settings(tmp_path).wpm_min == 120


def test_settings_file(tmp_path: Path):
    assert load_coach_settings(tmp_path) == CoachSettings()
    assert load_coach_settings(None) == CoachSettings()
    (tmp_path / "settings.toml").write_text("wpm_min = 120\n")
    assert load_coach_settings(tmp_path).wpm_min == 120
    (tmp_path / "settings.toml").write_text("wpm_minimum = 120\n")
    with pytest.raises(InterviewerError, match="unknown setting 'wpm_minimum'"):
        load_coach_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("wpm_min = \n")
    with pytest.raises(InterviewerError, match=r"settings\.toml: .*") as err:
        load_coach_settings(tmp_path)
    assert err.value.hint == "fix the TOML syntax or delete the file"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_file_is_named_with_what_to_do(tmp_path: Path, encoding: str):
    import_notes(SEED, tmp_path / "bank")
    story = tmp_path / "bank" / "ownership" / "02-took-on-something-significant.txt"
    text = story.read_text(encoding="utf-8")
    data = text.encode(encoding)
    story.write_bytes(data if data[:2] in (b"\xff\xfe", b"\xfe\xff") else b"\xfe\xff" + data)
    warnings: list[str] = []
    bank = load_bank(tmp_path / "bank", warn=warnings.append)  # the other questions load
    assert len(warnings) == 1 and str(story) in warnings[0]
    with pytest.raises(InterviewerError) as err:
        bank.find("02")
    assert str(story) in err.value.what and "UTF-16" in err.value.what
    assert "UTF-8" in err.value.hint
    notes = tmp_path / "notes.txt"
    notes.write_bytes(SEED.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(InterviewerError, match="UTF-16"):
        import_notes(notes, tmp_path / "other")


@pytest.mark.parametrize(
    ("text", "line", "first"),
    [
        ("Question: Why?\nQuestion: Why not?\n\nSituation:\nok\n", 2, 1),
        ("Question: Why?\nPrinciple: Ownership\nprinciple: Bias\n", 3, 2),
        ("Question: Why?\nSource: a\n\nSource: b\n", 4, 2),
        ("Question: Why?\n\nResult:\n3 days\n\nResult:\n2 days\n", 6, 3),
        ("Question: Why?\n\nLearning:\nok\nQuestion: What else?\n", 5, 1),
        ("Question: Why?\n\nNotes:\nok\n\nQuestion: What else?\nPrinciple: x\n", 6, 1),
        ("Question: Why?\n\nNotes:\nok\nQuestion: What else?\n\nSituation:\n", 5, 1),
    ],
)
def test_a_repeated_line_names_both_lines(tmp_path: Path, text: str, line: int, first: int):
    bad = tmp_path / "x.txt"
    with pytest.raises(InterviewerError) as err:
        parse_question_file(bad, text, "ownership")
    assert err.value.what.startswith(f"{bad}:{line}: '")
    assert f"appears twice (first on line {first})" in err.value.what


def test_a_note_may_start_with_question(tmp_path: Path):
    text = "Question: Why?\n\nNotes:\nQuestion: would I do it again?\nYes.\n"
    q = parse_question_file(tmp_path / "x.txt", text, "ownership")
    assert q.notes == "Question: would I do it again? Yes."


def test_question_below_the_story_is_not_story_text(tmp_path: Path):
    bad = tmp_path / "x.txt"
    with pytest.raises(InterviewerError, match=r"x\.txt:3: 'Question:' below the story"):
        parse_question_file(bad, "Situation:\nok\nQuestion: Why?\n", "ownership")


def test_a_second_principle_line_names_both_lines(tmp_path: Path):
    from interviewer.adapters.bank import parse_principle_file

    bad = tmp_path / "principle.txt"
    with pytest.raises(
        InterviewerError,
        match=r"principle\.txt:4: 'Principle:' appears twice"
        r" \(first on line 1\)",
    ):
        parse_principle_file(bad, "Principle: Ownership\n\nLeaders are owners.\nPrinciple: B\n")
