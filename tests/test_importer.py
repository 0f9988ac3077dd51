"""Importing a notes document written like the user's seed into question bank files."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from interviewer.adapters.bank import load_bank
from interviewer.adapters.importer import fix_typos, import_notes, parse_notes, slugify
from interviewer.errors import InterviewerError
from tests.conftest import ROOT, SEED
from tests.test_bank import notepad_bytes


def test_importing_the_seed_reproduces_the_committed_bank(tmp_path: Path):
    report = import_notes(SEED, tmp_path)
    assert len(report.written) == 14 and not report.kept
    cmp = filecmp.dircmp(tmp_path / "ownership", ROOT / "questions" / "ownership")
    assert cmp.left_only == [] and cmp.diff_files == []
    assert [n for n in cmp.right_only if not n.startswith(".")] == []


def test_import_never_overwrites_a_story_without_force(tmp_path: Path):
    import_notes(SEED, tmp_path)
    story = tmp_path / "ownership" / "01-failed-at-work.txt"
    story.write_text(story.read_text().replace("I don’t like to fail", "My own edit"))
    report = import_notes(SEED, tmp_path)
    assert report.kept == (story,) and "My own edit" in story.read_text()
    report = import_notes(SEED, tmp_path, force=True)
    assert story in report.written and "My own edit" not in story.read_text()


def test_notes_document_in_the_seed_format(tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Customer Obsession\nLeaders start with the customer.\n•\tListen?\n"
        "Interview Questions\n1\tTell me about a time you went above and beyond?\n"
        "S: A customer was stuck.\nT: Unblock them.\nA: I called them.\nand fixed it.\n"
        "R: They renewed for 3 years.\nLearning: Call early.\n"
        "Second Source Questions:\n1\tDescribe a difficult customer.\n"
    )
    doc = parse_notes(notes, notes.read_text())
    assert doc.principle == "Customer Obsession" and doc.bullets == ["Listen?"]
    assert doc.questions[0].parts["action"] == ["I called them.", "and fixed it."]
    assert doc.questions[1].source == "Second Source Questions"
    import_notes(notes, tmp_path / "bank")
    bank = load_bank(tmp_path / "bank")
    assert bank.questions[0].story.action == "I called them. and fixed it."
    assert bank.questions[0].id == "01-went-above-beyond"


def test_slugify():
    assert slugify("Tell me about a time when you failed at work?") == "failed-at-work"
    assert slugify("Tell me about a time you missed a deadline. What happened?") == (
        "missed-deadline"
    )


def test_notes_saved_by_notepad_import_like_the_plain_document(tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(notepad_bytes(SEED.read_text(encoding="utf-8")))
    report = import_notes(notes, tmp_path / "bank")
    assert len(report.written) == 14
    cmp = filecmp.dircmp(tmp_path / "bank" / "ownership", ROOT / "questions" / "ownership")
    assert cmp.diff_files == [] and cmp.left_only == []
    principle = (tmp_path / "bank" / "ownership" / "principle.txt").read_bytes()
    assert principle.startswith(b"Principle: Ownership\n") and "\ufeff".encode() not in principle
    # and again: nothing differs, nothing is kept back
    again = import_notes(notes, tmp_path / "bank")
    assert len(again.unchanged) == 14 and not again.written and not again.kept


def test_typos_with_a_clear_meaning_are_fixed_and_nothing_else() -> None:
    assert fix_typos("something significant tousled your area") == (
        "something significant outside your area"
    )
    assert fix_typos("I ain't fixing this one") == "I ain't fixing this one"


def test_slug_of_a_question_with_no_plain_words() -> None:
    assert slugify("Tell me about a time when you did?") == "question"
    assert slugify("Describe how you prioritise, and why it worked.", max_words=2) == (
        "prioritise-worked"
    )


def test_a_line_that_fits_nowhere_is_named_by_file_and_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    text = "Ownership\n•\tLeaders are owners.\nInterview Questions\n1\tWhy?\n"
    assert parse_notes(notes, text).questions[0].text == "Why?"
    with pytest.raises(InterviewerError, match=r"notes\.txt:3: cannot tell what this line is"):
        parse_notes(notes, "Ownership\n•\tbullet\nstray words\n1\tWhy?\n")


def test_a_document_without_questions_or_at_all(tmp_path: Path) -> None:
    with pytest.raises(InterviewerError, match="no numbered questions"):
        parse_notes(tmp_path / "n.txt", "Ownership\nLeaders are owners.\n")
    with pytest.raises(InterviewerError, match="empty document"):
        parse_notes(tmp_path / "n.txt", "\n\n")
    with pytest.raises(InterviewerError, match="notes document not found"):
        import_notes(tmp_path / "missing.txt", tmp_path / "bank")


def test_a_hyphen_at_a_line_end_joins_the_word(tmp_path: Path) -> None:
    doc = parse_notes(tmp_path / "n.txt", "Ownership\nThink long-\nterm.\n1\tWhy?\n")
    assert doc.description == ["Think long-term."]
