"""One self-contained HTML page to click through attempts; no network, inline CSS/JS/SVG.

Where it is written: inside the bank, beside the recordings it plays, so the audio can be
linked by a plain relative path that keeps working from file:// and when the whole bank
folder is moved or backed up, and so the page (a transcript: personal) stays with the other
private files. `--question ID` writes `<principle>/<story stem>.report.html` beside that
story; without it one page for every practised question is written to `<bank>/report.html`.
Audio is embedded as a data: URI only when it is small (see EMBED_MAX_BYTES).

This module decides what the page shows (times, chart geometry, the word diff) as small view
objects; the markup is in `templates/` (Jinja2, autoescaped) and the stylesheet and script in
`static/`, both inlined into the one file so it opens offline. Jinja2 is imported on first use
so the command line starts fast.
"""

from __future__ import annotations

import base64
import difflib
import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from interviewer.adapters import store
from interviewer.adapters.bank import Bank, load_coach_settings
from interviewer.adapters.fileio import write_text_atomic
from interviewer.core.coaching import CoachSettings
from interviewer.core.metrics import tokens
from interviewer.core.models import LABEL_TITLES, LABELS, OTHER, Question
from interviewer.core.records import Attempt, SavedWord
from interviewer.errors import InterviewerError
from interviewer.views import review, summary
from interviewer.views.clock import clock

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

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
# Chart geometry in SVG user units (the browser scales the viewBox).
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 320, 170, 34, 10, 10, 24
TIMELINE_W = 1000.0
_FACT_MARK = {"said": "✓", "changed": "≈", "missed": "✗"}


def report_path(bank: Bank, question: Question | None) -> Path:
    if question is None:
        return bank.root / BANK_REPORT
    return question.path.with_name(question.path.stem + QUESTION_REPORT_SUFFIX)


def write_report(
    bank: Bank, question: Question | None = None, warn: Callable[[str], Any] = print
) -> Path:
    """Build the page and write it atomically, readable by the user only.

    Raises InterviewerError when none of the chosen questions has an attempt."""
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


# --- templates ------------------------------------------------------------------------------


@functools.cache
def environment() -> jinja2.Environment:
    """The report's Jinja2 environment: package templates, every value escaped, and a
    mistyped name in a template an error rather than an empty string."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("interviewer.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = format  # {{ x|fmt(".1f") }}: Python's format spec, as before
    env.globals.update(W=W, H=H, PAD_L=PAD_L, PAD_R=PAD_R, TIMELINE_W=TIMELINE_W)
    env.globals["LEGEND"] = [(label, LABEL_TITLES[label]) for label in LABELS]
    env.globals["word_spans"] = word_spans
    return env


def word_spans(words: Sequence[WordView]) -> Markup:
    """The transcript's words as clickable spans, each word's text escaped (markupsafe).

    Built here, not in a macro: a report holds every word of every take shown, and a Jinja
    macro call per word made `report` 0.145 -> 0.205 s over 1,000 attempts
    (scripts/bench_review.py, run back to back with the f-string report)."""
    from markupsafe import Markup, escape

    return Markup(
        " ".join(
            f'<span class="{"w low" if w.low else "w"}" data-t="{w.start_s:g}" '
            f'data-e="{w.end_s:g}">{escape(w.text)}</span>'
            for w in words
        )
    )


@functools.cache
def static(name: str) -> str:
    """The text of `static/<name>` (the report's CSS or JS), shipped as package data."""
    return resources.files("interviewer.views").joinpath("static").joinpath(name).read_text("utf-8")


def _inline(name: str) -> Markup:
    """A static file marked safe to inline: ours, and it holds no `</style>` or `</script>`."""
    from markupsafe import Markup

    return Markup(static(name))


def blocks() -> Any:
    """The macros of blocks.html, callable from Python (each returns escaped markup)."""
    return environment().get_template("blocks.html").module


# --- the views the templates draw -------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """One recording in the player; `src` None when its file is gone. `offset_s` is where it
    starts on the answer's clock and `origin_s` the answer time of the file's first sample."""

    name: str
    src: str | None
    offset_s: float = 0.0
    origin_s: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class Segment:
    label: str
    x: float
    width: float
    title: str
    text: str


@dataclass(frozen=True)
class Tick:
    x: float
    text: str
    anchor: str


@dataclass(frozen=True)
class Timeline:
    total_s: float
    segments: list[Segment]
    ticks: list[Tick]
    end: str


@dataclass(frozen=True)
class Tile:
    value: str
    label: str
    target: Any
    off: bool


@dataclass(frozen=True)
class CheckRow:
    title: str
    value: str
    target: Any
    ok: bool


@dataclass(frozen=True)
class Overview:
    tiles: list[Tile]
    checks: list[CheckRow]
    tips: list[str]
    fillers: str


@dataclass(frozen=True)
class WordView:
    text: str
    start_s: float
    end_s: float
    low: bool = False


@dataclass(frozen=True)
class Chunk:
    """Story text; `status` set when it is a key fact to mark."""

    text: str
    status: str | None = None


@dataclass(frozen=True)
class Chip:
    status: str
    mark: str
    fact: str


@dataclass(frozen=True)
class StoryView:
    """A story part; `paragraphs` empty when it is not written (`file` names where to)."""

    file: str
    paragraphs: list[list[Chunk]]
    chips: list[Chip]


@dataclass(frozen=True)
class PartView:
    label: str
    title: str
    missing: bool
    time: str
    basis: str
    confidence: str
    words: list[WordView]
    story: StoryView | None  # None: the Other part, which has no story


@dataclass(frozen=True)
class GridLine:
    y: float
    text: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    label: str
    tip: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    last: bool
    tip: str


@dataclass(frozen=True)
class Chart:
    """One SVG chart: `bars` and `limits` for the sections chart; `band`, `path` and `dots`
    for a line chart (band: y, height, low, high)."""

    name: str
    grid: list[GridLine]
    labels: list[AxisLabel]
    bars: list[Bar] = field(default_factory=list)
    limits: list[float] = field(default_factory=list)
    band: tuple[float, float, float, float] | None = None
    path: str = ""
    dots: list[Dot] = field(default_factory=list)


@dataclass(frozen=True)
class DiffItem:
    """'del' (dropped words as `text`), 'tag' (a section starts: `label`, `text` its title),
    'same' or 'ins' (this take's `words`)."""

    kind: str
    text: str = ""
    label: str = ""
    words: list[WordView] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    old_when: str
    new_when: str
    ratio: float
    added: int
    dropped: int
    items: list[DiffItem]


@dataclass(frozen=True)
class QuestionView:
    """One question's article; `empty` says why there is nothing else when no take was
    analysed (then only `anchor`, `text` and `notes` are filled)."""

    anchor: str
    text: str
    notes: list[str]
    empty: str = ""
    meta: str = ""
    clips: list[Clip] = field(default_factory=list)
    timeline: Timeline | None = None
    overview: Overview | None = None
    parts: list[PartView] = field(default_factory=list)
    takes: int = 0
    charts: list[Chart] = field(default_factory=list)
    diff: Diff | None = None


# --- the page ---------------------------------------------------------------------------------


def build_page(
    root: Path,
    out_dir: Path,
    questions: Sequence[Question],
    items: dict[str, list[dict[str, Any]]],
    coach: CoachSettings,
) -> str:
    """The whole report.html for `questions`, each with its summaries in `items`."""
    views = [question_view(root, out_dir, q, items[q.id], coach) for q in questions]
    nav = [(_anchor(q), q.id) for q in questions] if len(questions) > 1 else []
    return (
        environment()
        .get_template("report.html")
        .render(
            title=questions[0].text if len(questions) == 1 else "All practised questions",
            attempts=sum(len(items[q.id]) for q in questions),
            nav=nav,
            questions=views,
            generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
            css=_inline("report.css"),
            js=_inline("report.js"),
        )
    )


def _anchor(q: Question) -> str:
    return "q-" + re.sub(r"[^a-zA-Z0-9_-]", "-", q.id)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def question_view(
    root: Path, out_dir: Path, q: Question, items: list[dict[str, Any]], coach: CoachSettings
) -> QuestionView:
    """The latest analysed attempt in full, progress across all of them, the last two diffed."""
    ok = [s for s in items if s.get("status") == "ok"]
    notes = [review.unfinished_line(s) for s in items if s.get("unfinished")]
    if not ok:
        empty = (
            "Not analysed yet."
            if any(s.get("unfinished") for s in items)
            else "No speech was found in these attempts."
        )
        return QuestionView(_anchor(q), q.text, notes, empty=empty)
    latest = store.load_attempt(root / ok[-1]["path"])
    previous = store.load_attempt(root / ok[-2]["path"]) if len(ok) > 1 else None
    return QuestionView(
        _anchor(q),
        q.text,
        notes,
        meta=f"{q.id} · {q.principle} · latest take {review.when(latest)} "
        f"({_plural(len(items), 'attempt')})",
        clips=clips(root / ok[-1]["path"], latest, out_dir),
        timeline=timeline(latest),
        overview=overview(latest),
        parts=parts(latest, q),
        takes=len(ok),
        charts=charts(ok, coach),
        diff=diff(latest, previous),
    )


def audio_src(path: Path, out_dir: Path) -> str:
    """A data: URI for a small file, else a relative URL from the report's folder."""
    if path.stat().st_size <= EMBED_MAX_BYTES:
        kind = AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    return quote(Path(os.path.relpath(path, out_dir)).as_posix())


def clips(record_path: Path, record: Attempt, out_dir: Path) -> list[Clip]:
    """The answer's recording, then each follow-up's, on the answer's clock."""
    found = [(record.audio or "", 0.0, 0.0, "")]
    for f in record.follow_ups or []:
        offset = float(f.offset_s or 0.0)
        start = float(f.audio_start_s or 0.0)
        found.append((f.audio or "", offset, offset - start, f.question or ""))
    out = []
    for name, offset, origin, label in found:
        path = record_path.parent / name
        src = audio_src(path, out_dir) if name and path.is_file() else None
        out.append(Clip(name or "(none)", src, offset, origin, label))
    return out


def audio_html(record_path: Path, record: Attempt, out_dir: Path) -> str:
    """The player alone, as it appears in the page (for tests and reuse)."""
    return str(blocks().player(clips(record_path, record, out_dir)))


def timeline(record: Attempt) -> Timeline:
    """Each span of each section as a block on a TIMELINE_W-unit time axis; a click seeks
    (see report.js). A part said twice has two blocks, both titled with all its spans."""
    runs = [(a, b, s) for s in record.parts for a, b in s.times]
    total = max([record.duration_s or 0.0] + [b for _, b, _ in runs]) or 1.0
    x = TIMELINE_W / total
    segments = []
    for a, b, s in runs:
        left, width = a * x, max((b - a) * x, 1.0)
        name = "Other" if s.label == OTHER else LABEL_TITLES[s.label]
        why = summary.basis(s)
        title = f"{summary.title(s.label)} {summary.spans_text(s, clock)}" + (
            f" · {why}" if why else ""
        )
        segments.append(Segment(s.label, left, width, title, name if width > 70 else name[0]))
    step = next((t for t in (5, 10, 15, 30, 60, 120) if total / t <= 12), 300)
    ticks = [
        Tick(t * x, clock(t), "start" if t == 0 else "middle")
        for t in range(0, int(total) + 1, step)
        if t * x < 960 or t == 0
    ]
    return Timeline(total, segments, ticks, clock(total))


def overview(record: Attempt) -> Overview:
    m = record.measured
    checks = {c.name: c for c in m.checks}
    share = checks["action_share"].value if "action_share" in checks else 0
    stats = [
        ("length", f"{m.answer_s:.0f} s", "answer length"),
        ("wpm", f"{m.wpm:.0f}", "words per minute"),
        ("fillers_per_min", f"{m.fillers_per_min:.1f}", "fillers per minute"),
        ("action_share", f"{share:.0%}", "in Action"),
    ]
    tiles = [
        Tile(
            value,
            label,
            checks[k].target if k in checks else "—",
            k in checks and not checks[k].ok,
        )
        for k, value, label in stats
    ]
    rows = [CheckRow(c.title, c.value_text, c.target, bool(c.ok)) for c in m.checks]
    fillers = summary.filler_line(m) if m.filler_capture else ""
    return Overview(tiles, rows, [str(t) for t in record.tips], fillers)


# --- transcript beside story ----------------------------------------------------------------


def parts(record: Attempt, q: Question) -> list[PartView]:
    words = record.words or []
    facts = record.measured.key_facts
    out = []
    for part in record.parts:
        label = part.label
        time = (
            "" if part.missing else f"{summary.spans_text(part, clock)} · {summary.time_text(part)}"
        )
        mine = [f.to_json() for f in facts if f.section == label]
        out.append(
            PartView(
                label,
                summary.title(label),
                part.missing,
                time,
                summary.basis(part),
                summary.confidence_word(part.confidence) or "unknown",
                word_views([w for w in words if w.get("label") == label]),
                None if label == OTHER else story(q.story.part(label), mine, q),
            )
        )
    return out


def word_views(words: Sequence[SavedWord], confidence: bool = True) -> list[WordView]:
    """Words carrying their times; unsure ones marked `low` when `confidence`."""
    return [
        WordView(
            w["text"],
            w["start_s"],
            w["end_s"],
            confidence and w.get("probability", 1) < LOW_CONFIDENCE,
        )
        for w in words
    ]


def story(text: str, facts: Sequence[dict[str, Any]], q: Question) -> StoryView:
    """The story part with each key fact marked where it first appears, then the fact chips."""
    if not text:
        return StoryView(q.path.name, [], [])
    chips = [
        Chip(f.get("status", ""), _FACT_MARK.get(f.get("status", ""), "?"), f["fact"])
        for f in facts
    ]
    return StoryView(q.path.name, _paragraphs(_mark_facts(text, facts)), chips)


def _mark_facts(text: str, facts: Sequence[dict[str, Any]]) -> list[Chunk]:
    spans: list[tuple[int, int, str]] = []
    for f in facts:
        m = re.search(rf"(?<![\w/.]){re.escape(f['value'])}(?![\w/])", text)
        if m and not any(a < m.end() and m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), f.get("status", "")))
    out, pos = [], 0
    for a, b, status in sorted(spans):
        out += [Chunk(text[pos:a]), Chunk(text[a:b], status)]
        pos = b
    return [*out, Chunk(text[pos:])]


def _paragraphs(chunks: list[Chunk]) -> list[list[Chunk]]:
    """Split at blank lines; a marked fact stays whole."""
    paragraphs: list[list[Chunk]] = [[]]
    for c in chunks:
        if c.status is not None:
            paragraphs[-1].append(c)
            continue
        first, *rest = c.text.split("\n\n")
        paragraphs[-1].append(Chunk(first))
        paragraphs += [[Chunk(p)] for p in rest]
    return paragraphs


# --- progress charts ------------------------------------------------------------------------


def charts(items: Sequence[dict[str, Any]], coach: CoachSettings) -> list[Chart]:
    """Seconds per section, words per minute and fillers per minute, one point per take."""
    return [
        sections_chart(items, coach),
        line_chart(items, "wpm", coach.wpm_min, coach.wpm_max, "{:.0f}"),
        line_chart(items, "fillers_per_min", 0, coach.fillers_per_min_max, "{:.1f}"),
    ]


def _frame(top: float, fmt: str) -> tuple[list[GridLine], Callable[[float], float]]:
    """Gridlines with labels, and the y mapping for a chart whose y runs 0..top."""
    inner_h = H - PAD_T - PAD_B

    def y(v: float) -> float:
        return PAD_T + inner_h * (1 - min(max(v, 0), top) / top)

    return [GridLine(y(top * i / 4), fmt.format(top * i / 4)) for i in range(5)], y


def _x_axis(n: int) -> tuple[list[AxisLabel], Callable[[int], float], float]:
    slot = (W - PAD_L - PAD_R) / max(n, 1)

    def x(i: int) -> float:
        return PAD_L + slot * (i + 0.5)

    every = max(1, round(n / 8))
    shown = [i for i in range(n) if i % every == 0 and n - 1 - i >= every / 2] + [n - 1]
    return [AxisLabel(x(i), str(i + 1)) for i in shown], x, slot


def _nice_top(v: float) -> float:
    for step in (1, 2, 5, 10, 20, 30, 50, 60, 100, 200, 300, 500):
        if v <= step * 4:
            return step * 4
    return v


def sections_chart(items: Sequence[dict[str, Any]], coach: CoachSettings) -> Chart:
    """Stacked bars of seconds per STAR section, one bar per take; dashed: length targets."""
    totals = [sum(sec["duration_s"] for sec in s["sections"].values()) for s in items]
    top = _nice_top(max(totals + [coach.total_max_s]))
    grid, y = _frame(top, "{:.0f}")
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
                Bar(
                    x(i) - slot * 0.35,
                    max(slot * 0.7, 1),
                    y(base + d),
                    y(base) - y(base + d),
                    label,
                    tip,
                )
            )
            base += d
    limits = [y(v) for v in (coach.total_min_s, coach.total_max_s)]
    return Chart("sections", grid, labels, bars=bars, limits=limits)


def line_chart(
    items: Sequence[dict[str, Any]], key: str, low: float, high: float, fmt: str
) -> Chart:
    """One value per take as a line, with the target range shaded."""
    values = [float(s.get(key, 0.0)) for s in items]
    top = _nice_top(max(values + [high * 1.1]))
    grid, y = _frame(top, "{:.0f}")
    labels, x, _slot = _x_axis(len(items))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = [
        Dot(
            x(i),
            y(v),
            i == len(values) - 1,
            f"take {i + 1} · {review.when(items[i])} · {fmt.format(v)}",
        )
        for i, v in enumerate(values)
    ]
    band = (y(high), y(low) - y(high), low, high)
    return Chart(key, grid, labels, band=band, path=path, dots=dots)


# --- two takes, word by word ----------------------------------------------------------------


def diff(new: Attempt, old: Attempt | None) -> Diff | None:
    """difflib over normalised words: dropped words struck through, new words highlighted;
    None without an earlier take.

    Words of this take keep their times, so they play when clicked like the transcript's."""
    if old is None:
        return None
    a: Sequence[Any] = old.words or []
    b: Sequence[Any] = new.words or []
    matcher = difflib.SequenceMatcher(None, _norm(a), _norm(b), autojunk=False)
    items: list[DiffItem] = []
    label = ""
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            items.append(DiffItem("del", text=" ".join(w["text"] for w in a[i1:i2])))
        for section, run in groupby(b[j1:j2], key=lambda w: w.get("label", "")):
            if section != label:
                label = section
                title = "Other" if label == OTHER else LABEL_TITLES.get(label, "")
                items.append(DiffItem("tag", text=title, label=label))
            words = word_views(list(run), confidence=False)
            items.append(DiffItem("same" if op == "equal" else "ins", words=words))
    same = sum(block.size for block in matcher.get_matching_blocks())
    return Diff(
        review.when(old),
        review.when(new),
        matcher.ratio(),
        len(b) - same,
        len(a) - same,
        items,
    )


def _norm(words: Sequence[dict[str, Any]]) -> list[str]:
    """Compare words, not spelling: 'Result,' and 'result' are the same word."""
    return [" ".join(tokens(w["text"])) for w in words]
