"""STAR segmentation as a pure function on plain word lists."""

from __future__ import annotations

from interviewer.models import LABELS, Story, Word
from interviewer.star import align, segment, snap_start, split_sentences


def words_from(sentences: list[str], gap_s: float = 0.5, wps: float = 2.5) -> list[Word]:
    out, t = [], 0.5
    for sentence in sentences:
        for token in sentence.split():
            out.append(Word(token, round(t, 3), round(t + 0.3, 3)))
            t += 1 / wps
        t += gap_s
    return out


SIGNPOSTED = [
    "The situation was that our release pipeline kept failing on Fridays.",
    "My task was to make the releases reliable before the holiday freeze.",
    "So what I did was write a checklist and automate the smoke tests.",
    "I also paired with the on-call engineer every week.",
    "As a result, failed releases dropped from 9 to 1 per quarter.",
    "What I learned is that small automation pays back quickly.",
]


def labels_by_sentence(seg, words, sentences):
    out, i = [], 0
    for s in sentences:
        n = len(s.split())
        out.append(seg.word_labels[i])
        i += n
    return out


def test_signposts_give_each_section():
    words = words_from(SIGNPOSTED)
    seg = segment(words)
    assert labels_by_sentence(seg, words, SIGNPOSTED) == [
        "situation", "task", "action", "action", "result", "learning"]
    assert [s.label for s in seg.sections] == list(LABELS)
    assert not any(s.missing for s in seg.sections)
    result = seg.sections[3]
    assert result.text.startswith("As a result")
    assert "signpost 'as a result'" in result.reason
    for a, b in zip(seg.sections, seg.sections[1:]):
        assert a.end_s <= b.start_s


def test_missing_learning_is_reported_not_invented():
    words = words_from(SIGNPOSTED[:5])
    seg = segment(words)
    learning = seg.sections[4]
    assert learning.missing and learning.text == "" and learning.duration_s == 0
    assert "learning" not in seg.word_labels


def test_reference_story_places_unsignposted_sentences():
    story = Story(
        situation="Our warehouse scanners crashed every night during the inventory count.",
        task="I was asked to find the cause before peak season.",
        action="I collected the crash logs, reproduced the bug and patched the firmware.",
        result="Crashes fell to zero and the count finished 3 hours earlier.",
        learning="Logs beat guesses; I now collect evidence first.",
    )
    spoken = [
        "Every night during the inventory count our warehouse scanners crashed.",
        "Before peak season I had to find the cause.",
        "First I collected crash logs and reproduced the bug.",
        "Then I patched the scanner firmware.",
        "The count finished 3 hours earlier and crashes fell to zero.",
        "Evidence first: logs beat guesses.",
    ]
    seg = segment(words_from(spoken), story)
    assert labels_by_sentence(seg, None, spoken) == [
        "situation", "task", "action", "action", "result", "learning"]
    assert "matches your story" in seg.sections[0].reason


def test_markers_win_over_evidence():
    words = words_from(SIGNPOSTED)
    marker_t = words[0].start_s
    seg = segment(words, markers=[(marker_t, "action")])
    assert set(seg.word_labels) == {"action"}
    assert seg.sections[2].reason == "live marker"
    assert seg.sections[0].missing


def test_boundary_snaps_to_the_pause_after_an_early_word():
    # A word timestamp 0.6 s early; the audio pause ends at 10.6 s.
    t, why = snap_start(10.0, [(9.0, 10.6)], window_s=1.0)
    assert t == 10.6 and "10.60" in why
    assert snap_start(10.0, [(2.0, 3.0)], window_s=1.0)[0] == 10.0


def test_alignment_is_monotonic_and_joint():
    # A lone high "situation" score in the middle cannot flip the order back.
    scores = [[5, 0, 0, 0, 0], [0, 0, 5, 0, 0], [4, 0, 3.5, 0, 0], [0, 0, 0, 5, 0]]
    path = align(scores, switch_penalty=0.3)
    assert path == sorted(path) and path[2] == 2


def test_sentences_split_on_punctuation_and_long_pauses():
    words = [Word("Hello.", 0, 0.4), Word("so", 0.5, 0.7), Word("then", 2.5, 2.8)]
    assert [len(s.words) for s in split_sentences(words, gap_s=1.2)] == [1, 1, 1]


def test_empty_answer_has_every_section_missing():
    seg = segment([])
    assert all(s.missing for s in seg.sections) and seg.word_labels == ()


def test_owning_a_problem_is_a_task_cue_without_a_story():
    sentences = [
        "At my last company the build broke about one run in five.",
        "Nobody owned it and my release was held up twice.",
        "Fixing the flaky tests was my problem too.",
        "I collected a month of logs and I wrote a fix for the shared folder.",
        "The failure rate fell from 20% to 2% in three weeks.",
        "I learned that a problem nobody owns is often mine to fix.",
    ]
    words = words_from(sentences)
    seg = segment(words)
    labels = labels_by_sentence(seg, words, sentences)
    assert labels[2] == "task", labels
    assert not seg.sections[1].missing
