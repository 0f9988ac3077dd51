"""STAR segmentation on plain word lists: the decoder's pure parts, then the shipped model.

The spoken answers below were written for these tests (not taken from the dev corpus or the
training set), so they check the model on sentences it was not fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from interviewer.core.models import LABELS, OTHER, Section, Story, Word
from interviewer.core.star import (
    Embed,
    Segmentation,
    boundary,
    forward_backward,
    segment,
    signpost,
    split_sentences,
    viterbi,
)


def words_from(sentences: Sequence[str], gap_s: float = 0.5, wps: float = 2.5) -> list[Word]:
    """Words 0.3 s long at `wps` words a second, with a pause of `gap_s` after each sentence."""
    out: list[Word] = []
    t = 0.5
    for sentence in sentences:
        for token in sentence.split():
            out.append(Word(token, round(t, 3), round(t + 0.3, 3)))
            t += 1 / wps
        t += gap_s
    return out


def timed(*items: tuple[str, float]) -> list[Word]:
    """Words at the given start times, each 0.3 s long."""
    return [Word(text, start, round(start + 0.3, 3)) for text, start in items]


def labels_by_sentence(seg: Segmentation, sentences: Sequence[str]) -> list[str]:
    """The label of each sentence, or 'mixed:...' when its words disagree."""
    out: list[str] = []
    i = 0
    for s in sentences:
        mine = seg.word_labels[i : i + len(s.split())]
        out.append(mine[0] if len(set(mine)) == 1 else "mixed:" + ",".join(mine))
        i += len(s.split())
    return out


def part(seg: Segmentation, label: str) -> Section:
    return next(s for s in seg.sections if s.label == label)


def assert_tiles(seg: Segmentation, words: Sequence[Word]) -> None:
    """Spans of all parts (other included) cover the answer once: in order, no gap, no overlap."""
    spans = sorted(span for s in seg.sections for span in s.all_spans)
    assert spans, seg
    assert spans[0][0] == pytest.approx(words[0].start_s)
    assert spans[-1][1] == pytest.approx(words[-1].end_s)
    for a, b in spans:
        assert a < b, spans
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start == pytest.approx(end), spans


# --- viterbi and forward-backward on hand-made tables ------------------------------------

LOG = np.log
# Three labels; staying is likely, moving on to the next label less so, going back rare.
FORWARD_ONLY = LOG(np.array([[0.8, 0.19, 0.01], [0.01, 0.8, 0.19], [0.01, 0.01, 0.98]]))
START = LOG(np.array([0.8, 0.1, 0.1]))


def test_viterbi_a_lone_high_score_does_not_flip_the_path_when_going_back_is_costly() -> None:
    scores = LOG(
        np.array(
            [
                [0.9, 0.05, 0.05],
                [0.05, 0.9, 0.05],
                [0.55, 0.4, 0.05],  # a weak lean back to label 0 in the middle of label 1
                [0.05, 0.9, 0.05],
                [0.05, 0.05, 0.9],
            ]
        )
    )
    assert viterbi(scores, START, FORWARD_ONLY) == [0, 1, 1, 1, 2]
    # Taken alone, row 2 would be label 0: the joint decoding is what keeps it in label 1.
    assert int(scores[2].argmax()) == 0


def test_viterbi_returns_to_an_earlier_label_when_transitions_allow_it() -> None:
    scores = LOG(
        np.array(
            [
                [0.9, 0.05, 0.05],
                [0.05, 0.9, 0.05],
                [0.8, 0.15, 0.05],
                [0.05, 0.9, 0.05],
            ]
        )
    )
    assert viterbi(scores, START, FORWARD_ONLY) == [0, 1, 1, 1]
    allow_back = LOG(np.array([[0.6, 0.3, 0.1], [0.3, 0.6, 0.1], [0.1, 0.1, 0.8]]))
    assert viterbi(scores, START, allow_back) == [0, 1, 0, 1]


def test_forward_backward_rows_are_distributions_agreeing_with_viterbi_on_a_clear_case() -> None:
    scores = LOG(
        np.array(
            [
                [0.9, 0.05, 0.05],
                [0.8, 0.15, 0.05],
                [0.05, 0.9, 0.05],
                [0.05, 0.05, 0.9],
            ]
        )
    )
    marginal = forward_backward(scores, START, FORWARD_ONLY)
    assert marginal.shape == (4, 3)
    assert np.allclose(marginal.sum(axis=1), 1.0)
    assert (marginal >= 0).all()
    path = viterbi(scores, START, FORWARD_ONLY)
    assert path == [0, 0, 1, 2]
    assert [int(row.argmax()) for row in marginal] == path
    assert marginal[0, 0] > 0.9  # the first row is sure, whatever follows


# --- splitting into sentences and clauses -------------------------------------------------


def unit_texts(words: Sequence[Word]) -> list[str]:
    return [s.text for s in split_sentences(words)]


def test_split_at_a_full_stop() -> None:
    words = words_from(["We lost the client.", "Then we won them back."], gap_s=0.1)
    assert unit_texts(words) == ["We lost the client.", "Then we won them back."]


def test_split_at_a_long_pause_without_punctuation() -> None:
    words = timed(
        ("we", 0.0),
        ("lost", 0.4),
        ("the", 0.8),
        ("client", 1.2),
        ("then", 2.9),
        ("we", 3.3),
        ("won", 3.7),
        ("them", 4.1),
        ("back", 4.5),
    )
    assert unit_texts(words) == ["we lost the client", "then we won them back"]


def test_short_pauses_inside_a_short_unit_do_not_split() -> None:
    # 0.2 s gaps everywhere and one 0.5 s gap after two words: too short a clause to end.
    words = timed(
        ("honestly", 0.0), ("we", 0.5), ("were", 1.3), ("short", 1.8), ("of", 2.3), ("people", 2.8)
    )
    assert unit_texts(words) == ["honestly we were short of people"]


def test_a_signpost_after_a_comma_starts_a_new_unit() -> None:
    sentence = "we got it done in the end, looking back I would have asked for help sooner."
    words = words_from([sentence], gap_s=0.0)
    assert unit_texts(words) == [
        "we got it done in the end,",
        "looking back I would have asked for help sooner.",
    ]
    # Without the comma the same words are one unit: "looking back" is not a strong signpost.
    no_comma = words_from([sentence.replace(",", "")], gap_s=0.0)
    assert len(unit_texts(no_comma)) == 1


def test_a_run_on_sentence_over_28_words_splits_at_commas() -> None:
    run_on = (
        "so the printers kept jamming every morning, and the office manager was on "
        "holiday that week, and nobody else knew where the spare parts were kept, "
        "so I called the vendor and asked for a technician."
    )
    assert len(run_on.split()) > 28
    units = unit_texts(words_from([run_on], gap_s=0.0))
    assert len(units) >= 2
    assert all(u.endswith((",", ".")) for u in units)
    assert " ".join(units) == run_on
    short = "so the printers kept jamming, and the manager was away, so I called the vendor."
    assert len(short.split()) <= 28
    assert unit_texts(words_from([short], gap_s=0.0)) == [short]


# --- boundaries and signposts -------------------------------------------------------------


def test_boundary_lands_at_the_end_of_a_pause_between_the_words() -> None:
    # Previous word ends at 10.0 s; the next word is stamped 10.5 s, early: audio silent 10.1-10.9.
    assert boundary(10.0, 10.5, [(10.1, 10.9)]) == pytest.approx(10.9)
    assert 10.0 <= boundary(10.0, 10.5, [(10.1, 10.9)]) <= 10.5 + 0.8


def test_boundary_is_midway_without_a_pause_between() -> None:
    assert boundary(10.0, 11.0, []) == pytest.approx(10.5)
    # A pause far from these words is not used.
    assert boundary(10.0, 11.0, [(2.0, 3.0), (20.0, 21.0)]) == pytest.approx(10.5)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The situation was that we had no tester.", "situation"),
        ("um so the situation was pretty messy", "situation"),
        ("Okay, so my main goal was to ship by June.", "task"),
        ("And what I did was call every customer.", "action"),
        ("As a result, sign-ups doubled.", "result"),
        ("I think the lesson was to ask earlier.", "learning"),
        ("Honestly, looking back, I'd do it the same way.", "learning"),
    ],
)
def test_signpost_matches_after_fillers_and_hedges(text: str, label: str) -> None:
    found = signpost(text)
    assert found is not None and LABELS[found[0]] == label, found


@pytest.mark.parametrize(
    "text",
    [
        "We had a rough quarter.",
        "Sign-ups doubled as a result.",  # a signpost must open the sentence
        "I think we did fine.",
    ],
)
def test_no_signpost_in_plain_sentences(text: str) -> None:
    assert signpost(text) is None


# --- segment: rules that hold whatever the classifier says -------------------------------

PLAIN = [
    "Our shop's website went down every Black Friday.",
    "I was asked to keep it up this year.",
    "I moved the images to a CDN and load tested the checkout.",
    "We stayed up all day and sales beat last year by a third.",
    "Next time I would start the load tests a month earlier.",
]


def test_markers_win_every_sentence_after_a_marker_takes_its_label() -> None:
    words = words_from(PLAIN)
    third = len(PLAIN[0].split()) + len(PLAIN[1].split())
    marker_t = words[third].start_s - 0.1  # pressed just before the third sentence
    seg = segment(words, markers=[(marker_t, "result")])
    assert labels_by_sentence(seg, PLAIN)[2:] == ["result", "result", "result"]
    result = part(seg, "result")
    assert result.reason == "live marker"
    assert result.start_s == pytest.approx(marker_t, abs=0.5)
    assert part(seg, "learning").missing


def test_a_marker_at_the_start_labels_the_whole_answer() -> None:
    words = words_from(PLAIN)
    seg = segment(words, markers=[(words[0].start_s, "action")])
    assert set(seg.word_labels) == {"action"}
    assert [s.label for s in seg.sections if s.missing] == [
        "situation",
        "task",
        "result",
        "learning",
    ]


def test_empty_answer_has_all_five_parts_missing_and_no_other() -> None:
    seg = segment([])
    assert [s.label for s in seg.sections] == list(LABELS)
    assert all(s.missing and s.duration_s == 0 and s.text == "" for s in seg.sections)
    assert seg.word_labels == ()


# --- segment with the shipped model and the real sentence encoder -------------------------


@pytest.fixture(scope="module")
def embed() -> Embed:
    from interviewer.adapters.embeddings import load_encoder

    return load_encoder().encode


SIGNPOSTED = [
    "The situation was that our support inbox had grown to four hundred unanswered emails.",
    "My task was to clear the backlog within two weeks without hiring anyone.",
    "What I did was sort the emails by topic and write templates for the common questions.",
    "I also asked two developers to answer the technical ones for an hour a day.",
    "As a result, the backlog was gone in nine days and replies now go out the same day.",
    "What I learned is that a little sorting up front saves a lot of typing later.",
]


def test_signposted_answer_gives_each_part_in_order(embed: Embed) -> None:
    words = words_from(SIGNPOSTED)
    seg = segment(words, embed=embed)
    assert labels_by_sentence(seg, SIGNPOSTED) == [
        "situation",
        "task",
        "action",
        "action",
        "result",
        "learning",
    ]
    assert [s.label for s in seg.sections] == list(LABELS)  # no `other`: none was said
    signposts = ["the situation was", "my task was", "what i did", "as a result", "what i learned"]
    for section, words_said in zip(seg.sections, signposts):
        assert not section.missing
        assert section.reason == f"signpost '{words_said}'", section
        assert section.confidence >= 0.75, section
        assert len(section.all_spans) == 1
    for a, b in zip(seg.sections, seg.sections[1:]):
        assert a.end_s <= b.start_s
    assert_tiles(seg, words)


CHIT_CHAT = [
    "Sure, good question, let me think.",
    "Last spring I was running the night shift at a small bakery that supplied three cafes.",
    "I had to make sure every cafe got its bread before seven even when an oven broke down.",
    "When one of the ovens failed, I rewrote the baking schedule and borrowed an oven from "
    "the restaurant next door.",
    "Every order still went out on time that week and the owner kept the new schedule.",
    "I learned to always have a backup plan before things go wrong.",
    "So yeah, that's probably the one.",
]


def test_opening_and_closing_chit_chat_is_one_other_section_in_no_part(embed: Embed) -> None:
    words = words_from(CHIT_CHAT)
    seg = segment(words, embed=embed)
    labels = labels_by_sentence(seg, CHIT_CHAT)
    assert labels[0] == OTHER and labels[-1] == OTHER, labels
    assert labels[1:-1] == list(LABELS), labels
    others = [s for s in seg.sections if s.label == OTHER]
    assert len(others) == 1
    other = others[0]
    assert len(other.all_spans) == 2
    assert "good question" in other.text and "probably the one" in other.text
    assert other.all_spans[0][0] == pytest.approx(words[0].start_s)
    assert other.all_spans[1][1] == pytest.approx(words[-1].end_s)
    for section in seg.sections:
        if section.label != OTHER:
            assert not section.missing
            assert "good question" not in section.text and "probably the one" not in section.text
    # The closing aside is not taken for a learning (issue 10).
    assert "probably the one" not in part(seg, "learning").text
    assert_tiles(seg, words)


COMES_BACK = [
    "Two years ago I joined a startup that sold software to dentists.",
    "My job was to move all our customers to the new billing system before the old one shut down.",
    "I should add, the team was only three people at the time.",
    "I wrote a migration script, tested it on a copy of the data and moved customers over "
    "in small batches.",
    "In the end every customer was moved a week early and nobody was billed twice.",
]


def check_situation_comes_back(sentences: Sequence[str], embed: Embed) -> None:
    words = words_from(sentences)
    seg = segment(words, embed=embed)
    assert labels_by_sentence(seg, sentences) == [
        "situation",
        "task",
        "situation",
        "action",
        "result",
    ]
    situation = part(seg, "situation")
    assert len(situation.all_spans) == 2
    assert situation.duration_s == pytest.approx(sum(b - a for a, b in situation.all_spans))
    assert situation.duration_s < situation.end_s - situation.start_s  # the task lies between
    assert "three people" in situation.text
    assert "three people" not in part(seg, "action").text
    assert_tiles(seg, words)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "model: a context sentence between Task and Action is labelled action (posterior "
        "situation 0.31 / action 0.61; learned transition situation->action is 0.02)"
    ),
)
def test_situation_given_again_after_the_task_is_a_second_span(embed: Embed) -> None:
    check_situation_comes_back(COMES_BACK, embed)


def test_signposted_return_to_the_situation_is_a_second_span(embed: Embed) -> None:
    # The same answer with the return signposted: the span mechanics hold.
    sentences = list(COMES_BACK)
    sentences[2] = "Some background I should add, the team was only three people at the time."
    check_situation_comes_back(sentences, embed)


NO_LEARNING = [
    "At my previous job our warehouse kept running out of packing boxes in the busy season.",
    "I was asked to fix the ordering so we never ran out again.",
    "I looked at two years of orders and set up an automatic reorder when stock fell below a "
    "week's supply.",
    "We did not run out once the following winter and we saved about eight percent on boxes.",
]


def test_an_answer_without_a_learning_reports_it_missing_never_invented(embed: Embed) -> None:
    words = words_from(NO_LEARNING)
    seg = segment(words, embed=embed)
    assert labels_by_sentence(seg, NO_LEARNING) == ["situation", "task", "action", "result"]
    learning = part(seg, "learning")
    assert learning.missing and learning.text == "" and learning.duration_s == 0
    assert learning.all_spans == ()
    assert "learning" not in seg.word_labels
    assert_tiles(seg, words)


STORY = Story(
    situation="Our mobile app got terrible reviews because it crashed on older phones.",
    task="I had to bring the crash rate down before the big marketing campaign.",
    action="I added crash reporting, found the three worst bugs and fixed them one by one.",
    result="Crashes fell by ninety percent and the rating went from two stars to four.",
    learning="Measure first, then fix: data tells you where to start.",
)
PARAPHRASED = [
    "People kept leaving one star reviews since the app fell over on old handsets.",
    "It was on me to get the crash rate down before the marketing push began.",
    "I put in a crash reporter, picked out the three bugs that hurt most and fixed each of them.",
    "The rating climbed from two stars to four and crashes dropped by about ninety percent.",
    "Looking at data before fixing anything tells you where to begin.",
]


def test_a_written_story_places_paraphrased_unsignposted_sentences(embed: Embed) -> None:
    words = words_from(PARAPHRASED)
    seg = segment(words, STORY, embed=embed)
    assert labels_by_sentence(seg, PARAPHRASED) == list(LABELS)
    reasons = [s.reason for s in seg.sections]
    assert sum("matches your story" in r for r in reasons) >= 3, reasons
    for section in seg.sections:
        assert not section.missing and 0.0 <= section.confidence <= 1.0
    assert_tiles(seg, words)


def test_a_task_matching_the_story_is_not_reported_missing(embed: Embed) -> None:
    sentences = list(PARAPHRASED)
    sentences[1] = "Before the marketing push started I needed the app to stop crashing."
    seg = segment(words_from(sentences), STORY, embed=embed)
    assert labels_by_sentence(seg, sentences)[1] == "task"
    assert not part(seg, "task").missing


@pytest.mark.parametrize("damage", ["truncated", "nan", "missing", "wrong-shape", "text"])
def test_a_damaged_model_file_is_one_clear_error(damage: str, tmp_path, monkeypatch) -> None:
    import io
    import types

    import numpy as np

    from interviewer.core import star as star_module
    from interviewer.errors import InterviewerError

    good = star_module.default_model()
    arrays = {k: getattr(good, k) for k in star_module.StarModel.__dataclass_fields__}
    data = tmp_path / "data"
    data.mkdir()
    target = data / star_module.MODEL_FILE
    buf = io.BytesIO()
    if damage == "nan":
        arrays["weights"] = arrays["weights"].copy()
        arrays["weights"][0, 0] = np.nan
    if damage == "wrong-shape":
        arrays["bias"] = arrays["bias"][:3]
    np.savez(buf, **arrays)
    if damage == "truncated":
        target.write_bytes(buf.getvalue()[:1000])
    elif damage == "text":
        target.write_text("not a model")
    elif damage != "missing":
        target.write_bytes(buf.getvalue())
    monkeypatch.setattr(
        star_module, "resources", types.SimpleNamespace(files=lambda package: tmp_path)
    )
    star_module.default_model.cache_clear()
    try:
        with pytest.raises(InterviewerError) as err:
            star_module.default_model()
        assert str(target) in err.value.what and "git checkout" in err.value.hint
    finally:
        star_module.default_model.cache_clear()


def test_a_missing_part_says_how_sure_it_is_missing(embed: Embed) -> None:
    # an answer with no learning: Learning is missing, and how sure depends on the sentences
    sentences = SIGNPOSTED[:5]
    seg = segment(words_from(sentences), embed=embed)
    learning = part(seg, "learning")
    assert learning.missing and 0.0 <= learning.confidence <= 1.0
    assert learning.confidence < 1.0  # not a fixed 1.00 whatever was said
