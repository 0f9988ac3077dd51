"""One self-contained HTML page to click through attempts; no network, inline CSS/JS/SVG.

Where it is written: inside the bank, beside the recordings it plays, so the audio can be
linked by a plain relative path that keeps working from file:// and when the whole bank
folder is moved or backed up, and so the page (a transcript: personal) stays with the other
private files. `--question ID` writes `<principle>/<story stem>.report.html` beside that
story; without it one page for every practised question is written to `<bank>/report.html`.
Audio is embedded as a data: URI only when it is small (see EMBED_MAX_BYTES).
"""

from __future__ import annotations

import base64
import difflib
import html
import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote

from interviewer.adapters import store
from interviewer.adapters.bank import Bank
from interviewer.adapters.fileio import write_text_atomic
from interviewer.core.coaching import CoachSettings, load_coach_settings
from interviewer.core.metrics import tokens
from interviewer.core.models import LABEL_TITLES, LABELS, OTHER, Question
from interviewer.core.records import Check, Metrics, SectionRecord
from interviewer.errors import InterviewerError
from interviewer.views import review, summary
from interviewer.views.clock import clock
from interviewer.views.report_assets import CSS, JS

# Below this an answer is a few seconds long; embedding it keeps the page whole if it is
# copied alone, and costs little. Real answers (1-3 min: 1-6 MB) are linked instead, so the
# page stays small and opens instantly.
EMBED_MAX_BYTES = 256 * 1024
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".webm": "audio/webm",
    ".aac": "audio/aac",
}
BANK_REPORT = "report.html"
QUESTION_REPORT_SUFFIX = ".report.html"
LOW_CONFIDENCE = 0.5  # words Whisper was unsure of get a dotted underline

_part = SectionRecord.from_json  # a saved section as the views read it


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def report_path(bank: Bank, question: Question | None) -> Path:
    if question is None:
        return bank.root / BANK_REPORT
    return question.path.with_name(question.path.stem + QUESTION_REPORT_SUFFIX)


def write_report(
    bank: Bank, question: Question | None = None, warn: Callable[[str], Any] = print
) -> Path:
    """Build the page and write it atomically, readable by the user only."""
    found = review.summaries(bank.root)
    for line in found.skipped:
        warn(f"Warning: skipped {line}")
    chosen = [question] if question else list(bank.questions)
    by_question = {q.id: _items_for(found.items, q) for q in chosen}
    practised = [q for q in chosen if by_question[q.id]]
    if not practised:
        where = question.id if question else str(bank.root)
        raise InterviewerError(f"no attempts saved yet in {where}", review.NO_ATTEMPTS_HINT)
    out = report_path(bank, question)
    coach = load_coach_settings(bank.root)
    for q in practised:
        for s in by_question[q.id]:
            if s.get("unfinished"):
                warn(review.unfinished_line(s))
    page = build_page(bank.root, out.parent, practised, by_question, coach)
    write_text_atomic(out, page, replace=True)
    return out


def _items_for(items: Sequence[dict[str, Any]], q: Question) -> list[dict[str, Any]]:
    folder = q.path.parent.name
    return [
        s
        for s in items
        if s["question_id"] == q.id and s["path"].startswith(f"{folder}/{q.path.stem}.")
    ]


def build_page(
    root: Path,
    out_dir: Path,
    questions: Sequence[Question],
    items: dict[str, list[dict[str, Any]]],
    coach: CoachSettings,
) -> str:
    blocks = [question_block(root, out_dir, q, items[q.id], coach) for q in questions]
    n = sum(len(items[q.id]) for q in questions)
    nav = ""
    if len(questions) > 1:
        links = "".join(f'<a href="#{_anchor(q)}">{e(q.id)}</a>' for q in questions)
        nav = f"<nav>{links}</nav>"
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    title = questions[0].text if len(questions) == 1 else "All practised questions"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Interview practice · {e(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>Interview practice</h1><p>{n} attempts at '
        f"{len(questions)} question{'s' if len(questions) != 1 else ''} · generated {generated}"
        f" · stays on this computer</p>{nav}</header><main>{''.join(blocks)}</main>"
        "<footer>Made by interviewer from your saved attempts. Click a word to hear it.</footer>"
        f"<script>{JS}</script></body></html>\n"
    )


def _anchor(q: Question) -> str:
    return "q-" + re.sub(r"[^a-zA-Z0-9_-]", "-", q.id)


# --- one question ---------------------------------------------------------------------------


def question_block(
    root: Path, out_dir: Path, q: Question, items: list[dict[str, Any]], coach: CoachSettings
) -> str:
    """The latest analysed attempt in full, progress across all of them, the last two diffed."""
    ok = [s for s in items if s.get("status") == "ok"]
    head = f'<article class="question" id="{_anchor(q)}"><h2>{e(q.text)}</h2>'
    head += "".join(
        f'<p class="note">{e(review.unfinished_line(s))}</p>' for s in items if s.get("unfinished")
    )
    if not ok:
        note = (
            "Not analysed yet."
            if any(s.get("unfinished") for s in items)
            else "No speech was found in these attempts."
        )
        return head + f'<p class="note">{note}</p></article>'
    latest = store.load_record(root / ok[-1]["path"])
    previous = store.load_record(root / ok[-2]["path"]) if len(ok) > 1 else None
    meta = (
        f"{e(q.id)} · {e(q.principle)} · latest take {e(review.when(latest))} "
        f"({len(items)} attempt{'s' if len(items) != 1 else ''})"
    )
    return "".join(
        [
            head,
            f'<p class="meta">{meta}</p>',
            '<div class="sticky">',
            audio_html(root / ok[-1]["path"], latest, out_dir),
            timeline_svg(latest),
            "</div>",
            overview_html(latest),
            "<h3>What you said, beside your story</h3>",
            '<p class="hint">Click a word to hear it. A dotted underline marks words the '
            "speech model was unsure of; marked facts are from your story.</p>",
            parts_html(latest, q),
            f"<h3>Progress across {len(ok)} take{'s' if len(ok) != 1 else ''}</h3>",
            progress_html(ok, coach),
            "<h3>This take against the previous one</h3>",
            diff_html(latest, previous),
            "</article>",
        ]
    )


def audio_src(path: Path, out_dir: Path) -> str:
    """A data: URI for a small file, else a relative URL from the report's folder."""
    if path.stat().st_size <= EMBED_MAX_BYTES:
        kind = AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    return quote(Path(os.path.relpath(path, out_dir)).as_posix())


def audio_html(record_path: Path, record: dict[str, Any], out_dir: Path) -> str:
    clips = [(record.get("audio", ""), 0.0, 0.0, "")]
    for f in record.get("follow_ups") or []:
        clips.append(
            (
                f.get("audio", ""),
                float(f.get("offset_s", 0.0)),
                float(f.get("audio_start_s", 0.0)),
                f.get("question", ""),
            )
        )
    out = []
    for name, offset, start, label in clips:
        path = record_path.parent / name
        if not name or not path.is_file():
            out.append(f'<p class="note">Recording not found: {e(name or "(none)")}</p>')
            continue
        if label:
            out.append(f'<span class="clip-label">Follow-up: {e(label)}</span>')
        out.append(
            f'<audio controls preload="auto" data-offset="{offset:g}" '
            f'data-origin="{offset - start:g}" '
            f'src="{e(audio_src(path, out_dir))}"></audio>'
        )
    return f'<div class="player">{"".join(out)}</div>'


def timeline_svg(record: dict[str, Any]) -> str:
    """Each span of each section as a coloured block on a 1000-unit time axis; a click seeks
    (see JS). A part said twice has two blocks, both titled with all its spans."""
    runs = [(a, b, s) for s in map(_part, record.get("sections", [])) for a, b in s.times]
    total = max([record.get("duration_s", 0.0)] + [b for _, b, _ in runs]) or 1.0
    x = 1000.0 / total
    segs = []
    for a, b, s in runs:
        left, w = a * x, max((b - a) * x, 1.0)
        name = "Other" if s.label == OTHER else LABEL_TITLES[s.label]
        why = summary.basis(s)
        title = f"{summary.title(s.label)} {summary.spans_text(s, clock)}" + (
            f" · {why}" if why else ""
        )
        text = name if w > 70 else name[0]
        segs.append(
            f'<g class="seg s-{s.label}"><title>{e(title)}</title>'
            f'<rect x="{left:.1f}" y="4" width="{w:.1f}" height="34" rx="4" fill="var(--c)"/>'
            f'<text x="{left + 6:.1f}" y="26">{e(text)}</text></g>'
        )
    step = next((t for t in (5, 10, 15, 30, 60, 120) if total / t <= 12), 300)
    ticks = "".join(
        f'<line x1="{t * x:.1f}" x2="{t * x:.1f}" y1="40" y2="45" stroke="#b8bfcc"/>'
        f'<text x="{t * x:.1f}" y="58" text-anchor="{"start" if t == 0 else "middle"}">'
        f"{clock(t)}</text>"
        for t in range(0, int(total) + 1, step)
        if t * x < 960 or t == 0
    )
    end = f'<text x="1000" y="58" text-anchor="end">{clock(total)}</text>'
    return (
        f'<svg class="timeline" viewBox="0 0 1000 62" data-duration="{total:.3f}" '
        f'role="img" aria-label="STAR timeline, click to play from there">'
        f'<rect x="0" y="4" width="1000" height="34" rx="4" fill="#eef0f4"/>{"".join(segs)}'
        f'<g class="axis">{ticks}{end}</g>'
        '<line class="playhead" x1="0" x2="0" y1="0" y2="42" style="visibility:hidden"/></svg>'
    )


def overview_html(record: dict[str, Any]) -> str:
    m = record.get("metrics") or {}
    checks = {c["name"]: c for c in m.get("checks", [])}
    stats = [
        ("length", f"{m.get('answer_s', 0):.0f} s", "answer length"),
        ("wpm", f"{m.get('wpm', 0):.0f}", "words per minute"),
        ("fillers_per_min", f"{m.get('fillers_per_min', 0):.1f}", "fillers per minute"),
        ("action_share", f"{checks.get('action_share', {}).get('value', 0):.0%}", "in Action"),
    ]
    tiles = "".join(
        f'<div class="stat{" off" if not checks.get(k, {}).get("ok", True) else ""}">'
        f"<b>{v}</b><span>{e(label)} · target {e(checks.get(k, {}).get('target', '—'))}</span>"
        "</div>"
        for k, v, label in stats
    )
    rows = "".join(
        f"<tr><td>{e(c.title)}</td>"
        f'<td class="v">{e(c.value_text)}</td><td>{e(c.target)}</td>'
        f'<td class="{"ok" if c.ok else "bad"}">{"✓" if c.ok else "✗"}</td></tr>'
        for c in map(Check.from_json, m.get("checks", []))
    )
    table = (
        '<table class="checks"><tr><th>Metric</th><th class="v">Value</th><th>Target</th>'
        f"<th></th></tr>{rows}</table>"
    )
    tips = "".join(f"<li>{e(t)}</li>" for t in record.get("feedback", []))
    tips_html = f'<ol class="tips">{tips}</ol>' if tips else '<p class="note">All on target.</p>'
    fillers = (
        f'<p class="note">{e(summary.filler_line(Metrics.from_json(m)))}</p>'
        if m.get("filler_capture")
        else ""
    )
    return (
        f'<h3>Against the targets</h3><div class="stats">{tiles}</div>'
        f'<div class="cols"><div><h3>Metrics</h3>{table}{fillers}</div>'
        f"<div><h3>For the next take</h3>{tips_html}</div></div>"
    )


# --- transcript beside story ----------------------------------------------------------------


def parts_html(record: dict[str, Any], q: Question) -> str:
    words = record.get("words", [])
    facts = (record.get("metrics") or {}).get("key_facts", [])
    out = []
    for s in record.get("sections", []):
        label = s["label"]
        mine = [w for w in words if w.get("label") == label]
        said = words_html(mine) if mine else '<span class="note">(not spoken)</span>'
        time = (
            ""
            if s.get("missing")
            else f"{e(summary.spans_text(_part(s), clock))} · {e(summary.time_text(_part(s)))}"
        )
        part_facts = [f for f in facts if f.get("section") == label]
        story = (
            '<p class="note">Chit-chat and asides: no part of your story, counted in no share.</p>'
            if label == OTHER
            else story_html(q.story.part(label), part_facts, q)
        )
        out.append(
            f'<section class="part s-{label}{" missing" if s.get("missing") else ""}" '
            f'data-label="{label}"><header><b>{e(summary.title(label))}</b>'
            f'<span class="time">{time}</span>{basis_html(s)}</header>'
            f'<div><div class="col-title">You said</div><div class="transcript">{said}</div></div>'
            f'<div><div class="col-title">Your story</div>{story}</div></section>'
        )
    return "".join(out)


def basis_html(s: dict[str, Any]) -> str:
    """How sure the split of this part is, and why; nothing for records before format 2."""
    why = summary.basis(_part(s))
    if not why:
        return ""
    word = summary.confidence_word(s.get("confidence")) or "unknown"
    return f'<span class="basis {word}">{e(why)}</span>'


def words_html(words: Sequence[dict[str, Any]], confidence: bool = True) -> str:
    """Clickable words carrying their times; unsure ones marked when `confidence`."""

    def css(w: dict[str, Any]) -> str:
        return "w low" if confidence and w.get("probability", 1) < LOW_CONFIDENCE else "w"

    return " ".join(
        f'<span class="{css(w)}" data-t="{w["start_s"]:g}" data-e="{w["end_s"]:g}">'
        f"{e(w['text'])}</span>"
        for w in words
    )


def story_html(text: str, facts: Sequence[dict[str, Any]], q: Question) -> str:
    """The story part with each key fact marked where it first appears, then the fact chips."""
    if not text:
        return f'<p class="note">Not written yet: add it to {e(q.path.name)}.</p>'
    marked = _mark_facts(text, facts)
    paragraphs = "".join(f"<p>{p}</p>" for p in marked.split("\n\n"))
    chips = "".join(
        f'<li class="{e(f.get("status", ""))}" title="{e(f.get("status", ""))} in this take">'
        f"{_FACT_MARK.get(f.get('status', ''), '?')} {e(f['fact'])}</li>"
        for f in facts
    )
    return f'<div class="story">{paragraphs}</div>' + (
        f'<ul class="facts">{chips}</ul>' if chips else ""
    )


_FACT_MARK = {"said": "✓", "changed": "≈", "missed": "✗"}


def _mark_facts(text: str, facts: Sequence[dict[str, Any]]) -> str:
    spans: list[tuple[int, int, str]] = []
    for f in facts:
        m = re.search(rf"(?<![\w/.]){re.escape(f['value'])}(?![\w/])", text)
        if m and not any(a < m.end() and m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), f.get("status", "")))
    out, pos = [], 0
    for a, b, status in sorted(spans):
        out += [e(text[pos:a]), f'<mark class="fact {e(status)}">{e(text[a:b])}</mark>']
        pos = b
    return "".join(out) + e(text[pos:])


# --- progress charts ------------------------------------------------------------------------

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 320, 170, 34, 10, 10, 24


def progress_html(items: Sequence[dict[str, Any]], coach: CoachSettings) -> str:
    legend = "".join(
        f'<span class="s-{label}"><i></i>{LABEL_TITLES[label]}</span>' for label in LABELS
    )
    return (
        '<div class="charts">'
        f'<div class="chart"><h4>Seconds per section</h4><div class="legend">{legend}</div>'
        f"{sections_chart(items, coach)}</div>"
        f'<div class="chart"><h4>Words per minute</h4>'
        f"{line_chart(items, 'wpm', coach.wpm_min, coach.wpm_max, '{:.0f}')}</div>"
        f'<div class="chart"><h4>Fillers per minute</h4>'
        f"{line_chart(items, 'fillers_per_min', 0, coach.fillers_per_min_max, '{:.1f}')}</div>"
        "</div>"
    )


def _frame(top: float, fmt: str) -> tuple[list[str], Any, Any]:
    """Gridlines with labels, and the x and y mappings for a chart whose y runs 0..top."""
    inner_h = H - PAD_T - PAD_B

    def y(v: float) -> float:
        return PAD_T + inner_h * (1 - min(max(v, 0), top) / top)

    parts = []
    for i in range(5):
        v = top * i / 4
        parts.append(
            f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text x="{PAD_L - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>'
        )
    return parts, y, inner_h


def _x_axis(n: int) -> tuple[list[str], Any, float]:
    slot = (W - PAD_L - PAD_R) / max(n, 1)

    def x(i: int) -> float:
        return PAD_L + slot * (i + 0.5)

    every = max(1, round(n / 8))
    shown = [i for i in range(n) if i % every == 0 and n - 1 - i >= every / 2] + [n - 1]
    labels = [
        f'<text x="{x(i):.1f}" y="{H - 8}" text-anchor="middle">{i + 1}</text>' for i in shown
    ]
    return labels, x, slot


def _nice_top(v: float) -> float:
    for step in (1, 2, 5, 10, 20, 30, 50, 60, 100, 200, 300, 500):
        if v <= step * 4:
            return step * 4
    return v


def sections_chart(items: Sequence[dict[str, Any]], coach: CoachSettings) -> str:
    """Stacked bars of seconds per STAR section, one bar per take; dashed: length targets."""
    totals = [sum(sec["duration_s"] for sec in s["sections"].values()) for s in items]
    top = _nice_top(max(totals + [coach.total_max_s]))
    grid, y, _ = _frame(top, "{:.0f}")
    labels, x, slot = _x_axis(len(items))
    bars = []
    for i, s in enumerate(items):
        base = 0.0
        for label in LABELS:
            d = s["sections"].get(label, {}).get("duration_s", 0.0)
            if d <= 0:
                continue
            tip = f"take {i + 1} · {review.when(s)} · {LABEL_TITLES[label]} {d:.0f} s"
            bars.append(
                f'<rect x="{x(i) - slot * 0.35:.1f}" width="{max(slot * 0.7, 1):.1f}" '
                f'y="{y(base + d):.1f}" height="{y(base) - y(base + d):.1f}" '
                f'fill="var(--{label})"><title>{e(tip)}</title></rect>'
            )
            base += d
    limits = "".join(
        f'<line class="limit" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
        for v in (coach.total_min_s, coach.total_max_s)
    )
    return _svg("sections", grid + [limits] + bars + labels)


def line_chart(items: Sequence[dict[str, Any]], key: str, low: float, high: float, fmt: str) -> str:
    """One value per take as a line, with the target range shaded."""
    values = [float(s.get(key, 0.0)) for s in items]
    top = _nice_top(max(values + [high * 1.1]))
    grid, y, _ = _frame(top, "{:.0f}")
    labels, x, _slot = _x_axis(len(items))
    band = (
        f'<rect class="band" x="{PAD_L}" width="{W - PAD_L - PAD_R}" y="{y(high):.1f}" '
        f'height="{y(low) - y(high):.1f}"><title>target {low:g}–{high:g}</title></rect>'
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = "".join(
        f'<circle class="dot{" last" if i == len(values) - 1 else ""}" cx="{x(i):.1f}" '
        f'cy="{y(v):.1f}" r="{4 if i == len(values) - 1 else 3}">'
        f"<title>take {i + 1} · {e(review.when(items[i]))} · {fmt.format(v)}</title></circle>"
        for i, v in enumerate(values)
    )
    return _svg(key, [band, *grid, f'<path class="line" d="{path}"/>', dots, *labels])


def _svg(name: str, parts: Sequence[str]) -> str:
    return f'<svg class="chart-{name}" viewBox="0 0 {W} {H}" role="img">{"".join(parts)}</svg>'


# --- two takes, word by word ----------------------------------------------------------------


def diff_html(new: dict[str, Any], old: dict[str, Any] | None) -> str:
    """difflib over normalised words: dropped words struck through, new words highlighted.

    Words of this take keep their times, so they play when clicked like the transcript's."""
    if old is None:
        return '<p class="note">Record another take of this question to compare the two.</p>'
    a, b = old.get("words", []), new.get("words", [])
    matcher = difflib.SequenceMatcher(None, _norm(a), _norm(b), autojunk=False)
    out: list[str] = []
    label = ""
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            out.append(f"<del>{e(' '.join(w['text'] for w in a[i1:i2]))}</del>")
        for section, run in groupby(b[j1:j2], key=lambda w: w.get("label", "")):
            if section != label:
                label = section
                title = e("Other" if label == OTHER else LABEL_TITLES.get(label, ""))
                out.append(f'<span class="tag s-{e(label)}">{title}</span>')
            spans = words_html(list(run), confidence=False)
            out.append(spans if op == "equal" else f"<ins>{spans}</ins>")
    same = sum(block.size for block in matcher.get_matching_blocks())
    added, dropped = len(b) - same, len(a) - same
    key = (
        f'<p class="diff-key">{e(review.when(old))} → {e(review.when(new))}: '
        f"{matcher.ratio():.0%} of the words the same · <ins>{added} new</ins> · "
        f"<del>{dropped} dropped</del></p>"
    )
    return f'{key}<div class="diff">{" ".join(out)}</div>'


def _norm(words: Sequence[dict[str, Any]]) -> list[str]:
    """Compare words, not spelling: 'Result,' and 'result' are the same word."""
    return [" ".join(tokens(w["text"])) for w in words]
