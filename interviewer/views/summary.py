"""Text views of an attempt record: the terminal summary and the Markdown transcript."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from interviewer.core.models import LABEL_TITLES, OTHER, Question, Transcript, Word
from interviewer.core.records import Attempt, Metrics, SectionRecord
from interviewer.views.clock import clock

OTHER_TITLE = "Other (not counted)"
# How sure the split of a part is, from the segmenter's mean posterior for its label: at or
# above SURE the evidence agreed (a signpost, a live marker, a clear cue); below LIKELY the
# part was placed by little more than the order of the answer, so read it as a guess.
SURE = 0.75
LIKELY = 0.5


def _mmss(seconds: float) -> str:
    return clock(seconds, tenths=True)


def title(label: str) -> str:
    """'Situation', ..., and 'Other (not counted)' for chit-chat and asides."""
    return OTHER_TITLE if label == OTHER else LABEL_TITLES.get(label, label.title())


def spans(section: SectionRecord) -> list[tuple[float, float]]:
    """A saved section's stretches of time; none when missing."""
    return section.times


def spans_text(
    section: SectionRecord, clock: Callable[[float], str] = _mmss, dash: str = "–"
) -> str:
    """'0:00–0:12 + 0:40–0:48'."""
    return " + ".join(f"{clock(a)}{dash}{clock(b)}" for a, b in spans(section))


def confidence_word(confidence: float | None) -> str:
    """'sure', 'likely' or 'guess'; '' when unknown (records before format 2)."""
    if confidence is None:
        return ""
    return "sure" if confidence >= SURE else "likely" if confidence >= LIKELY else "guess"


def basis(section: SectionRecord) -> str:
    """ "sure (0.91): signpost 'the situation was'": how sure the split is and why."""
    confidence = section.confidence
    word = confidence_word(confidence)
    head = f"{word} ({confidence:.2f})" if word and confidence is not None else ""
    reason = section.reason or ""
    return f"{head}: {reason}" if head and reason else head or reason


def time_text(section: SectionRecord) -> str:
    """'20 s, 18 %' for a STAR part, '5 s' for Other (in no share)."""
    seconds = f"{section.duration_s:.0f} s"
    if section.label == OTHER:
        return seconds
    return f"{seconds}, {section.share:.0%}"


def filler_line(m: Metrics) -> str:
    """'Fillers: um 3, like 1 — <how far the count can be trusted>'."""
    found = ", ".join(f"{k} {v}" for k, v in sorted(m.fillers.items()))
    note = m.filler_capture.note if m.filler_capture else ""
    return f"Fillers: {found or 'none'}" + (f" — {note}" if note else "")


def summary(record: Attempt) -> str:
    """The STAR timing summary printed after an answer."""
    m = record.measured
    if record.status != "ok":
        return f"{record.question_id}: {record.status} ({record.duration_s or 0.0:.1f} s recorded)"
    lines = [
        f"Answer: {_mmss(m.answer_s)} ({m.answer_s:.1f} s), {m.words} words, "
        f"{m.wpm:.0f} words/min, {m.fillers_per_min:.1f} fillers/min",
    ]
    if m.filler_capture is not None:
        lines.append(filler_line(m))
    lines += ["", f"  {'section':<20} {'time':>7} {'share':>6}  when; how sure and why"]
    for s in record.parts:
        why = basis(s)
        if s.missing:
            lines.append(f"  {title(s.label):<20} {'missing':>7} {'':>6}  {why}".rstrip())
        else:
            share = "—" if s.label == OTHER else f"{s.share:.0%}"
            lines.append(
                f"  {title(s.label):<20} {s.duration_s:>6.1f}s {share:>6}  "
                f"{spans_text(s)}" + (f"  {why}" if why else "")
            )
    misses = [c for c in m.checks if not c.ok]
    if misses:
        lines += [
            "",
            "Off target: " + "; ".join(f"{c.message} (target {c.target})" for c in misses[:5]),
        ]
    if record.tips:
        lines += ["", "For the next take:"] + [f"  {i}. {t}" for i, t in enumerate(record.tips, 1)]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(record: Attempt, question: Question) -> str:
    """Question, timing table, transcript by section, then the reference story."""
    out = [
        f"# {question.text}",
        "",
        f"*{question.principle} · {question.id} · {record.created_at} · "
        f"audio: `{record.audio or ''}`*",
        "",
    ]
    if record.status != "ok":
        out += [f"**{record.status}** — nothing was transcribed.", ""]
    else:
        m = record.measured
        out += [
            f"Answer {m.answer_s:.1f} s · {m.words} words · {m.wpm:.0f} words/min · "
            f"{m.fillers_per_min:.1f} fillers/min",
            "",
            *([filler_line(m), ""] if m.filler_capture is not None else []),
            "| Section | When | Time | Share | How sure, and why |",
            "|---|---|---|---|---|",
        ]
        for s in record.parts:
            t, why = title(s.label), _cell(basis(s)) or "—"
            share = "—" if s.label == OTHER else f"{s.share:.0%}"
            out.append(
                f"| {t} | — | missing | — | {why} |"
                if s.missing
                else f"| {t} | {spans_text(s)} | {s.duration_s:.1f} s | {share} | {why} |"
            )
        if record.tips:
            out += ["", "## For the next take", ""] + [f"- {t}" for t in record.tips]
        out += ["", "## What you said", ""]
        for s in record.parts:
            out += [f"### {title(s.label)}", "", "*(not spoken)*" if s.missing else s.text, ""]
    out += ["## Your reference story", ""]
    if question.has_story:
        for label, text in question.story.parts.items():
            out += [f"### {LABEL_TITLES[label]}", "", text or "*(not written)*", ""]
    else:
        out += [f"*(no story written yet: add one in `{question.path.name}`)*", ""]
    return "\n".join(out).rstrip() + "\n"


# --- a plain transcript (the `transcribe` command) ------------------------------------------


def transcript_json(transcript: Transcript, audio: str) -> dict[str, Any]:
    """`transcribe --json`: the audio's name, its length and model, the text, timed words."""
    return {
        "audio": audio,
        "duration_s": transcript.duration_s,
        "model": transcript.model,
        "text": transcript.text,
        "words": [
            {"text": w.text, "start_s": w.start_s, "end_s": w.end_s} for w in transcript.words
        ],
    }


def timed_lines(words: Sequence[Word]) -> list[str]:
    """One line per sentence (ended by . ? or !), each led by its start time in seconds."""
    lines: list[str] = []
    current: list[str] = []
    start = 0.0
    for w in words:
        if not current:
            start = w.start_s
        current.append(w.text)
        if w.text.endswith((".", "?", "!")):
            lines.append(f"[{start:7.2f}s] {' '.join(current)}")
            current = []
    if current:
        lines.append(f"[{start:7.2f}s] {' '.join(current)}")
    return lines
