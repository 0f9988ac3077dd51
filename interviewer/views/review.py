"""Terminal views of saved attempts: one attempt in detail (`review`) and all of them (`history`).

Also the attempt summaries that `history` and the HTML report chart: a few numbers per attempt,
cached in `<bank>/.review-index.json` keyed by each record's size and mtime, so that listing a
thousand attempts reads one small file instead of a thousand large ones.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, zip_longest
from pathlib import Path
from typing import IO, Any

from interviewer.adapters import store
from interviewer.adapters.fileio import write_text_atomic
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import LABEL_TITLES, LABELS, OTHER, Question
from interviewer.core.records import Attempt, KeyFact, Metrics, SectionRecord
from interviewer.errors import InterviewerError
from interviewer.views.clock import clock
from interviewer.views.summary import (
    LIKELY,
    basis,
    confidence_word,
    filler_line,
    spans,
    spans_text,
    time_text,
)
from interviewer.views.summary import title as section_title

NO_ATTEMPTS_HINT = (
    "record one first: 'interviewer practice -q ID' (add --answer-audio FILE for a recording)"
)
INDEX_FILE = ".review-index.json"
INDEX_VERSION = 2  # 2: sections carry spans, confidence and reason; other_s
# The basic 8 colours (rich style names), so every terminal shows them; the HTML report
# uses the same hues.
SECTION_COLOURS = {
    "situation": "blue",
    "task": "magenta",
    "action": "green",
    "result": "yellow",
    "learning": "red",
    OTHER: "white",
}
SECTION_BLOCK = {label: f"black on {c}" for label, c in SECTION_COLOURS.items()}
SECTION_TEXT = {**SECTION_COLOURS, OTHER: "dim"}

# --- small formatting helpers ---------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How to draw: ANSI colours or plain text, and which tick marks the terminal can show."""

    colour: bool = False
    unicode: bool = True

    def paint(self, text: str, style: str) -> str:
        """`text` in a rich style ("bold", "green", "black on blue") when colouring."""
        if not (self.colour and style and text):
            return text
        return _painter(style)(text)

    @property
    def ok(self) -> str:
        return "✓" if self.unicode else "ok"

    @property
    def bad(self) -> str:
        return "✗" if self.unicode else "x"

    @property
    def dash(self) -> str:
        return "—" if self.unicode else "-"


Cell = tuple[tuple[str, str], ...]  # a grid cell: (text, rich style) pieces


def grid(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[str | Cell]],
    st: Style,
    header_style: str = "dim",
) -> list[str]:
    """The lines of a borderless table: each column as wide as its widest cell, left-aligned,
    one space apart (pad a cell's text to align it right); a row with fewer cells leaves the
    rest empty, and its last cell may run past its column. Colours are rich styles
    (Style.paint). Laid out here rather than by rich's Table, which took ~1.5 ms a row
    (`history` draws every attempt in the bank) and ~40 ms to import (`review` took 0.17 s
    instead of 0.14 s)."""
    cells = [[((c, ""),) if isinstance(c, str) else c for c in row] for row in rows]
    n = len(headers) if headers is not None else max((len(r) for r in cells), default=0)
    widths = [len(h) for h in headers] if headers is not None else [0] * n
    for row in cells:
        if len(row) == n:
            widths = [max(w, _width(c)) for w, c in zip(widths, row)]
    out = [] if headers is None else [_line([((h, header_style),) for h in headers], widths, st)]
    out += [_line(row, widths, st) for row in cells]
    return out


def _width(c: Cell) -> int:
    return sum(len(text) for text, _ in c)


def _line(row: Sequence[Cell], widths: Sequence[int], st: Style) -> str:
    parts = []
    for c, width in zip(row, widths):
        pad = " " * max(0, width - _width(c))
        parts.append("".join(st.paint(t, style) for t, style in c) + pad)
    return " ".join(parts).rstrip()


@functools.lru_cache(maxsize=64)
def _painter(name: str) -> Callable[[str], str]:
    """Text in a rich style as ANSI codes of the 8 basic colours."""
    from rich.color import ColorSystem
    from rich.style import Style as RichStyle

    style = RichStyle.parse(name)
    return functools.partial(style.render, color_system=ColorSystem.STANDARD)


def style_for(stream: IO[str] | None = None, mode: str = "auto") -> Style:
    """Colour on a terminal unless NO_COLOR is set (https://no-color.org); never in a pipe."""
    stream = stream or sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    colour = mode == "always" or (mode == "auto" and tty and not os.environ.get("NO_COLOR"))
    encoding = (getattr(stream, "encoding", None) or "ascii").lower()
    return Style(colour=colour, unicode="utf" in encoding)


def when(record: Attempt | Mapping[str, Any]) -> str:
    """'2026-11-25 21:54' from created_at (of an Attempt or a summary), whatever its time
    zone suffix."""
    created = record.created_at if isinstance(record, Attempt) else record.get("created_at", "")
    return str(created)[:16].replace("T", " ")


def signed(value: float, fmt: str = "+.0f") -> str:
    return format(value, fmt) if round(value, 6) else "±0"


# --- attempt summaries and the index --------------------------------------------------------


def summarise(record: Attempt, rel: str) -> dict[str, Any]:
    """The few numbers history and the report charts need from one attempt (plain JSON
    data: it is cached in the index and printed by `history --json`)."""
    m = record.metrics
    sections = {
        s.label: {
            "duration_s": s.duration_s,
            "share": s.share,
            "missing": s.missing,
            "spans": [{"start_s": a, "end_s": b} for a, b in spans(s)],
            "confidence": s.confidence,
            "reason": s.reason,
        }
        for s in record.parts
        if s.label in LABELS
    }
    duration = 0.0 if record.duration_s is None else record.duration_s
    return {
        "path": rel,
        "question_id": record.question_id,
        "principle": record.principle or "",
        "created_at": record.created_at,
        "status": record.state,
        "duration_s": duration,
        "answer_s": m.answer_s if m else duration,
        "words": m.words if m else len(record.words or []),
        "wpm": m.wpm if m else 0.0,
        "fillers_per_min": m.fillers_per_min if m else 0.0,
        "sections": sections,
        "other_s": (m.other_s if m else None) or 0.0,  # chit-chat and asides: in no share
        "audio": record.audio or "",
        **({"unfinished": unfinished_note(record)} if record.unfinished else {}),
    }


BEING_RECORDED = "being recorded now"
NOT_TRANSCRIBED = "not transcribed yet"


def unfinished_note(record: Attempt) -> str:
    """What an unfinished take is, in a few words."""
    return BEING_RECORDED if record.busy else NOT_TRANSCRIBED


def unfinished_line(summary: dict[str, Any]) -> str:
    """'Unfinished take <its recording> (<why>): <what to run>' for a summary."""
    audio = Path(summary["path"]).parent / summary.get("audio", "")
    line = f"Unfinished take {audio.as_posix()} ({summary['unfinished']})"
    return line if summary["unfinished"] == BEING_RECORDED else f"{line}: {store.FINISH_HINT}"


@dataclass
class Summaries:
    items: list[dict[str, Any]]  # oldest first
    skipped: list[str]  # one line per record that could not be read


def summaries(root: Path) -> Summaries:
    """A summary of every attempt in the bank, oldest first, refreshing the index as needed."""
    index = _read_index(root)
    fresh: dict[str, list[Any]] = {}
    items, skipped = [], []
    for path in store.all_attempts(root):
        rel = path.relative_to(root).as_posix()
        try:
            st = path.stat()
            key = [st.st_mtime_ns, st.st_size]
        except OSError:
            key = []  # an orphan recording: no record file (yet)
        entry = index.get(rel)
        if entry is None or entry[:2] != key or not key:
            try:
                entry = [*key, summarise(store.load_attempt(path), rel)]
            except InterviewerError as exc:
                skipped.append(str(exc))
                continue
        if "unfinished" not in entry[-1]:  # those change without their file changing
            fresh[rel] = entry
        items.append(entry[-1])
    if fresh != index:
        _write_index(root, fresh)
    return Summaries(items, skipped)


def _read_index(root: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads((root / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
        return {}  # written by another version: rebuild rather than guess
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    # A cache damaged by hand or by a crash of another tool: drop what does not look right.
    return {k: v for k, v in entries.items() if _good_entry(v)}


def _good_entry(entry: Any) -> bool:
    if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], dict)):
        return False
    s = entry[2]
    numbers = ("duration_s", "answer_s", "words", "wpm", "fillers_per_min")
    return (
        all(isinstance(s.get(k), str) for k in ("path", "question_id", "created_at", "status"))
        and all(isinstance(s.get(k), int | float) for k in numbers)
        and isinstance(s.get("sections"), dict)
        and all(isinstance(v, dict) for v in s["sections"].values())
    )


def _write_index(root: Path, entries: dict[str, list[Any]]) -> None:
    data = json.dumps({"version": INDEX_VERSION, "entries": entries}, separators=(",", ":"))
    with contextlib.suppress(OSError, InterviewerError):  # a cache: a read-only bank still
        # works, only slower
        write_text_atomic(root / INDEX_FILE, data, replace=True)


def with_deltas(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each summary plus `previous` (the last analysed attempt before it at the same question)
    and `changes` since then; both None for a question's first attempt."""
    last: dict[str, dict[str, Any]] = {}
    out = []
    for s in items:
        prev = last.get(s["question_id"])
        ok = s.get("status") == "ok"
        out.append({**s, "previous": prev, "changes": changes(s, prev) if prev and ok else None})
        if ok:
            last[s["question_id"]] = s
    return out


def changes(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """How each measure moved between two summaries; shares in percentage points."""
    shares = {}
    for label in LABELS:
        a, b = new["sections"].get(label), old["sections"].get(label)
        if a and b and not a["missing"] and not b["missing"]:
            shares[label] = round((a["share"] - b["share"]) * 100, 1)
    return {
        "answer_s": round(new["answer_s"] - old["answer_s"], 2),
        "wpm": round(new["wpm"] - old["wpm"], 1),
        "fillers_per_min": round(new["fillers_per_min"] - old["fillers_per_min"], 2),
        "share_points": shares,
    }


# --- review: one attempt --------------------------------------------------------------------


def review_text(
    record: Attempt,
    question: Question | None,
    *,
    width: int = 100,
    style: Style | None = None,
    position: tuple[int, int] | None = None,
    previous: dict[str, Any] | None = None,
) -> str:
    """Header, STAR timeline, metrics vs targets, transcript beside story, suggestions."""
    st = style or Style()
    out = _header(record, question, position, st)
    if record.unfinished:
        where = record.audio_path or record.audio or ""
        hint = "" if record.busy else f"; {store.FINISH_HINT}"
        return "\n".join(
            [*out, "", f"Unfinished take ({unfinished_note(record)}){hint}.", f"Recording: {where}"]
        )
    if not record.analysed:  # written before analysis was saved, or never analysed
        out += ["", "no analysis in this record: run 'interviewer reanalyze' to analyse it"]
        return "\n".join(out)
    if not record.ok:
        out += ["", f"{record.status} ({record.duration_s or 0:.1f} s recorded)"]
        return "\n".join(out)
    out += ["", *timeline(record, width, st), ""]
    out += metrics_lines(record, st, previous)
    out += ["", *side_by_side(record, question, width, st)]
    if record.tips:
        out += ["", st.paint("For the next take", "bold")]
        out += [f"  {i}. {tip}" for i, tip in enumerate(record.tips, 1)]
    return "\n".join(out)


def _header(
    record: Attempt, question: Question | None, position: tuple[int, int] | None, st: Style
) -> list[str]:
    title = question.text if question else record.question or ""
    where = f" · attempt {position[0]} of {position[1]}" if position else ""
    principle = record.principle or (question.principle if question else "")
    meta = f"{record.question_id or '?'} · {principle} · {when(record)}"
    return [st.paint(title, "bold"), f"{meta}{where} · {record.audio or ''}"]


def timeline(record: Attempt, width: int, st: Style) -> list[str]:
    """A bar with one cell per slice of time, coloured (or lettered) by STAR section, then one
    line per section: when it was said, its time and share, and how sure the split is."""
    runs = sorted((a, b, s.label) for s in record.parts for a, b in spans(s))
    total = max([record.duration_s or 0.0] + [b for _, b, _ in runs]) or 1.0
    cells = max(20, min(width - 2, 120))
    labels = [_label_at(runs, (i + 0.5) * total / cells) for i in range(cells)]
    bar = "".join(_run(label, len(list(run)), st) for label, run in groupby(labels))
    ticks = [" "] * (cells + 8)
    for start, _, _ in runs:
        _place(ticks, round(start / total * cells), clock(start))
    _place(ticks, cells - 4, clock(total))
    legend = [line for s in record.parts for line in _legend(s, width, st)]
    return [bar, "".join(ticks).rstrip(), *legend]


def _label_at(runs: Sequence[tuple[float, float, str]], t: float) -> str:
    return next((label for a, b, label in runs if a <= t < b), "")


def _run(label: str, n: int, st: Style) -> str:
    """n cells of one section: its letter repeated, or a colour block that starts with it."""
    if not label:
        return (" " if st.colour else ".") * n
    letter = label[0].upper()
    if st.colour:
        return st.paint(letter + " " * (n - 1), SECTION_BLOCK[label])
    return letter * n


def _place(ticks: list[str], col: int, text: str) -> None:
    """Write a time under the bar unless it would overwrite another one."""
    col = max(0, min(col, len(ticks) - len(text)))
    if all(c == " " for c in ticks[max(0, col - 1) : col + len(text) + 1]):
        ticks[col : col + len(text)] = list(text)


TITLE_WIDTH = len(section_title(OTHER)) + 2


def _legend(s: SectionRecord, width: int, st: Style) -> list[str]:
    """'Situation  0:00–0:12 + 0:40–0:48  (20 s, 18%)  sure (0.91): signpost ...', wrapped."""
    why = basis(s)
    if s.missing:
        text = "missing" + (f"  {why}" if why else "")
    else:
        said_at = spans_text(s, clock, "–" if st.unicode else "-")
        text = f"{said_at}  ({time_text(s)})" + (f"  {why}" if why else "")
    lines = textwrap.wrap(
        f"{section_title(s.label):<{TITLE_WIDTH}}{text}",
        max(width, 40),
        subsequent_indent=" " * (TITLE_WIDTH + 2),
        break_on_hyphens=False,
    )
    name = section_title(s.label)
    lines[0] = st.paint(name, SECTION_TEXT[s.label]) + lines[0][len(name) :]
    return lines


def _wrap_items(items: Sequence[str], width: int, sep: str = "   ") -> list[str]:
    lines, line, visible = [], "", 0
    for item in items:
        n = len(_strip_ansi(item))
        if line and visible + len(sep) + n > width:
            lines.append(line)
            line, visible = "", 0
        line, visible = (line + sep + item, visible + len(sep) + n) if line else (item, n)
    return lines + ([line] if line else [])


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def metrics_lines(record: Attempt, st: Style, previous: dict[str, Any] | None = None) -> list[str]:
    """Each check with its value, target and a tick; then fillers, pauses and the last take."""
    m = record.measured
    rows: list[list[str | Cell]] = [
        [
            f"{c.title:<27}",
            f"{c.value_text:>10}  ",
            f"{c.target:<10}",
            ((st.ok, "green"),) if c.ok else ((st.bad, "red"),),
        ]
        for c in m.checks
    ]
    lines = grid([f"{'Metric':<27}", f"{'value':>10}  ", "target", ""], rows, st, "bold")
    lines += _extras(m)
    if previous:
        now = summarise(record, "")
        text = f"Since the previous take ({when(previous)}): {compare(now, previous)}"
        lines += textwrap.wrap(text, 100, subsequent_indent="  ")
    return lines


def _extras(m: Metrics) -> list[str]:
    out = []
    if m.fillers or m.filler_capture:
        out.append(filler_line(m))
    pauses = m.long_pauses
    if pauses:
        longest = max(pauses, key=lambda p: p.duration_s)
        where = f" in the {LABEL_TITLES.get(longest.section, 'asides')}" if longest.section else ""
        out.append(
            f"Long pauses: {len(pauses)}, longest {longest.duration_s:.1f} s "
            f"at {clock(longest.start_s)}{where}"
        )
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """'length +9 s, Action share +10 points, wpm -12, fillers/min +0.5' from two summaries."""
    parts = [f"length {signed(a['answer_s'] - b['answer_s'])} s"]
    share = a["sections"].get("action", {}).get("share", 0.0)
    before = b["sections"].get("action", {}).get("share", 0.0)
    parts.append(f"Action share {signed((share - before) * 100)} points")
    parts.append(f"wpm {signed(a['wpm'] - b['wpm'])}")
    parts.append(f"fillers/min {signed(a['fillers_per_min'] - b['fillers_per_min'], '+.1f')}")
    return ", ".join(parts)


# --- transcript beside story ----------------------------------------------------------------


def side_by_side(record: Attempt, question: Question | None, width: int, st: Style) -> list[str]:
    """Per STAR section: what was said on the left, the same part of the story on the right."""
    facts = record.measured.key_facts
    stacked = width < 70  # too narrow for two readable columns
    col = width if stacked else (width - 3) // 2
    out: list[str] = []
    for s in record.parts:
        label = s.label
        story = question.story.part(label) if question and label in LABELS else ""
        out.append(_section_rule(s, width, st))
        said = s.text if not s.missing else "(not spoken)"
        left = textwrap.wrap(said, col) or [""]
        right = textwrap.wrap(
            story
            or (
                "(asides: no part of your story, counted in no share)"
                if label == OTHER
                else "(no story written for this part)"
            ),
            col,
        )
        if stacked:
            out += left + [st.paint("Your story:", "dim")] + right
        else:
            bar = "│" if st.unicode else "|"
            out.append(st.paint(f"{'You said':<{col}} {bar} Your story", "dim"))
            out += [f"{a:<{col}} {bar} {b}" for a, b in zip_longest(left, right, fillvalue="")]
        out += _fact_line([f for f in facts if f.section == label], width, st)
        out.append("")
    return out[:-1]


def _section_rule(s: SectionRecord, width: int, st: Style) -> str:
    label = s.label
    if s.missing:
        info = "missing"
    else:
        info = f"{spans_text(s, clock, '-')} · {s.duration_s:.0f} s"
        info += "" if label == OTHER else f" · {s.share:.0%}"
    head = f"{section_title(label)} {info} "
    rule = ("─" if st.unicode else "-") * max(0, width - len(head) - 3)
    return st.paint(f"── {head}{rule}" if st.unicode else f"-- {head}{rule}", SECTION_TEXT[label])


def _fact_line(facts: Iterable[KeyFact], width: int, st: Style) -> list[str]:
    marks = {"said": (st.ok, "green"), "changed": ("~", "yellow"), "missed": (st.bad, "red")}
    items = []
    for f in facts:
        mark, code = marks.get(f.status or "", ("?", ""))
        items.append(st.paint(f"{mark} {f.fact}", code) + f" ({f.status or '?'})")
    return _wrap_items(["Key facts:", *items], width, "  ") if items else []


# --- history: every attempt -----------------------------------------------------------------

SHARE_HEADER = "".join(f"{label[0].upper():>3}     " for label in LABELS)
GUESS_MARK = "?"
GUESS_NOTE = (
    f"{GUESS_MARK} the split of that part is a guess (confidence under {LIKELY:.2f}): "
    "'interviewer review' shows when each part was said and why"
)


def history_text(
    rows: Sequence[dict[str, Any]],
    titles: dict[str, str],
    coach: CoachSettings,
    st: Style | None = None,
) -> str:
    """Attempts grouped by question id, oldest first, each with its change since the last."""
    st = st or Style()
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["question_id"], []).append(r)
    out: list[str] = []
    for qid in sorted(groups):
        n = len(groups[qid])
        out += ["", st.paint(f"{qid} · {titles.get(qid, '')} ({_plural(n, 'attempt')})", "bold")]
        out += grid(HISTORY_HEAD, [_history_row(r, coach, st) for r in groups[qid]], st)
    total = f"{_plural(len(rows), 'attempt')} at {_plural(len(groups), 'question')}"
    guessed = any(_guess(sec) for r in rows for sec in r.get("sections", {}).values())
    return "\n".join(out[1:] + ["", total] + ([st.paint(GUESS_NOTE, "dim")] if guessed else []))


# Shares are 8 wide: the percent right-aligned under its letter, a guess mark, the change.
# Columns: date, length, the shares (each 8 wide: percent under its letter, a guess mark,
# the change), wpm, fillers a minute.
HISTORY_HEAD = (f"  {'date':<16} ", f"{'length':<11}", SHARE_HEADER, f" {'wpm':<9}", "fillers/min")


def _guess(sec: dict[str, Any]) -> bool:
    return not sec.get("missing") and confidence_word(sec.get("confidence")) == "guess"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _history_row(r: dict[str, Any], coach: CoachSettings, st: Style) -> list[str | Cell]:
    """The cells of one attempt under HISTORY_HEAD."""
    date = f"  {r['created_at'][:16].replace('T', ' '):<16} "
    if r.get("unfinished"):
        return [date, f"unfinished ({r['unfinished']})"]
    if r.get("status") != "ok":
        return [date, str(r.get("status", ""))]
    p = r.get("previous") or {}
    length = ((clock(r["answer_s"]), ""),) + _delta(
        r, p, "answer_s", st, "+.0f", _toward(coach.total_min_s, coach.total_max_s)
    )
    shares = tuple(piece for label in LABELS for piece in _share_cell(label, r, p, st))
    wpm = ((f" {r['wpm']:.0f}", ""),) + _delta(
        r, p, "wpm", st, "+.0f", _toward(coach.wpm_min, coach.wpm_max)
    )
    fpm = ((f"{r['fillers_per_min']:.1f}", ""),) + _delta(
        r, p, "fillers_per_min", st, "+.1f", _toward(0.0, coach.fillers_per_min_max)
    )
    return [date, length, shares, wpm, fpm]


def _share_cell(label: str, r: dict[str, Any], p: dict[str, Any], st: Style) -> Cell:
    """Share in percent, '?' if its split is a guess, and its change in points; Action's
    change coloured."""
    sec = r["sections"].get(label)
    if not sec or sec["missing"]:
        return ((f"{st.dash:>3}     ", ""),)
    share = round(sec["share"] * 100)
    mark = GUESS_MARK if _guess(sec) else " "
    prev = p.get("sections", {}).get(label)
    d = share - round(prev["share"] * 100) if prev and not prev["missing"] else 0
    if not d:
        return ((f"{share:>3}{mark}    ", ""),)
    code = "" if label != "action" else ("green" if d > 0 else "red")
    return ((f"{share:>3}{mark}", ""), (f"{d:+4d}", code))


Judge = Callable[[float, float], int]


def _toward(low: float, high: float) -> Judge:
    """A judge of change: +1 if it moved toward [low, high], -1 if away, 0 if neither."""

    def distance(x: float) -> float:
        return max(low - x, 0.0, x - high)

    def judge(new: float, old: float) -> int:
        d = distance(old) - distance(new)
        return (d > 1e-9) - (d < -1e-9)

    return judge


def _delta(
    r: dict[str, Any], p: dict[str, Any], key: str, st: Style, fmt: str, judge: Judge
) -> Cell:
    """' +9' coloured green when it moved toward the target, red when away; empty with no p."""
    if key not in p:
        return ()
    new, old = r[key], p[key]
    text = format(new - old, fmt)
    if text.lstrip("+-").strip("0.") == "":
        return ((" ±0", "dim"),)
    return ((" ", ""), (text, {1: "green", -1: "red"}.get(judge(new, old), "")))


def questions_text(rows: Sequence[Mapping[str, Any]], st: Style) -> str:
    """The bank's questions: id, whether a story is written, attempts so far, the question
    and, under it, its story file. rows: `interviewer questions --json` rows."""
    table: list[list[str | Cell]] = []
    for r in rows:
        mark = (("story", "green"),) if r["has_story"] else (("  -  ", "dim"),)
        tries = "try  " if r["attempts"] == 1 else "tries"
        table.append([f"{r['id']:<42}", mark, f" {r['attempts']:>2} {tries} ", r["question"]])
        table.append([f"{'':<42}", ((f"{'':7}{r['story_file']}", "dim"),)])
    return "\n".join(grid(None, table, st))
