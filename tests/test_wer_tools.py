"""The test and script scorer (tests/wer_tools.py): normalisation, jiwer's WER, filler recall."""

from __future__ import annotations

import pytest

from tests.wer_tools import FILLERS, filler_recall, normalize, wer, word_errors


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("And so, my fellow Americans!", ["and", "so", "my", "fellow", "americans"]),
        ("HE HOPED THERE", ["he", "hoped", "there"]),
        ("Um, so, uh... I was—like—thinking.", ["um", "so", "uh", "i", "was", "like", "thinking"]),
        ("Umm, uhh, hm, erm", ["um", "uh", "hmm", "um"]),
        ("don't world's students'", ["don't", "world's", "students"]),
        ("self-substantial", ["self", "substantial"]),
        ("we just yknow / y'know", ["we", "just", "you", "know", "you", "know"]),
        ("i hardly know 'er", ["i", "hardly", "know", "her"]),  # not the filler "er"
        ("<cutoff-montreal> montreal [laughter]", ["montreal"]),
        ("counselled", ["counseled"]),
    ],
)
def test_normalize(text: str, words: list[str]) -> None:
    assert normalize(text) == words


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("3 months", "three months"),
        ("We grew 20% in 2019", "we grew twenty percent in twenty nineteen"),
        ("In 1961,", "in nineteen sixty one"),
        ("2005", "two thousand five"),
        ("1,500 users", "one thousand five hundred users"),
        ("the 3rd and 21st", "the third and twenty first"),
        ("$5", "five dollars"),
        ("2.5", "two point five"),
        ("the 90s", "the nineties"),
    ],
)
def test_numbers_are_normalised_the_same_on_both_sides(digits: str, spoken: str) -> None:
    assert normalize(digits) == normalize(spoken)
    assert wer(spoken, digits) == 0.0


def test_wer_counts_substitutions_insertions_deletions() -> None:
    assert wer("a b c d", "a b c d") == 0.0
    assert wer("a b c d", "a x c d") == 0.25  # one substitution
    assert wer("a b c d", "a b c") == 0.25  # one deletion
    assert wer("a b c d", "a b z c d") == 0.25  # one insertion
    assert wer("a b", "c d e f") == 2.0  # can exceed 1
    assert word_errors("A, b.", "a c") == (1, 2)


def test_wer_empty_reference() -> None:
    assert wer("", "") == 0.0
    assert wer("", "two words") == 2.0


def test_wer_ignoring_fillers() -> None:
    assert wer("but um montreal", "but montreal") == pytest.approx(1 / 3)
    assert wer("but um montreal", "but montreal", ignore=FILLERS) == 0.0
    assert wer("but montreal", "but uh montreal", ignore=FILLERS) == 0.0


def test_filler_recall_is_count_based() -> None:
    assert filler_recall("um a um b uh", "um a b") == (1, 3)
    assert filler_recall("um a um b uh", "Um, uh, um. a b um") == (3, 3)  # extras do not count
    assert filler_recall("no fillers here", "um") == (0, 0)
    assert filler_recall("ah hmm er", "Hmm. Ah.", fillers=("ah", "hmm")) == (2, 2)
