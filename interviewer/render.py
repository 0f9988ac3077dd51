"""Text views of an attempt record: the terminal summary and the Markdown transcript."""

from __future__ import annotations

from typing import Any

from interviewer.models import LABEL_TITLES, Question


def _mmss(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def filler_line(m: dict[str, Any]) -> str:
    """'Fillers: um 3, like 1 — <how far the count can be trusted>'."""
    found = ", ".join(f"{k} {v}" for k, v in sorted((m.get("fillers") or {}).items()))
    note = m.get("filler_capture", {}).get("note")
    return f"Fillers: {found or 'none'}" + (f" — {note}" if note else "")


def summary(record: dict[str, Any]) -> str:
    """The STAR timing summary printed after an answer."""
    m = record["metrics"]
    if record.get("status") != "ok":
        return (
            f"{record['question_id']}: {record['status']} ({record['duration_s']:.1f} s recorded)"
        )
    lines = [
        f"Answer: {_mmss(m['answer_s'])} ({m['answer_s']:.1f} s), {m['words']} words, "
        f"{m['wpm']:.0f} words/min, {m['fillers_per_min']:.1f} fillers/min",
    ]
    if "filler_capture" in m:
        lines.append(filler_line(m))
    lines += ["", f"  {'section':<10} {'start':>7} {'end':>7} {'time':>7} {'share':>6}"]
    for s in record["sections"]:
        title = LABEL_TITLES[s["label"]]
        if s["missing"]:
            lines.append(f"  {title:<10} {'—':>7} {'—':>7} {'missing':>7} {'':>6}")
        else:
            lines.append(
                f"  {title:<10} {_mmss(s['start_s']):>7} {_mmss(s['end_s']):>7} "
                f"{s['duration_s']:>6.1f}s {s['share']:>6.0%}"
            )
    misses = [c for c in m.get("checks", []) if not c["ok"]]
    if misses:
        lines += [
            "",
            "Off target: "
            + "; ".join(f"{c['message']} (target {c['target']})" for c in misses[:5]),
        ]
    if record.get("feedback"):
        lines += ["", "For the next take:"] + [
            f"  {i}. {t}" for i, t in enumerate(record["feedback"], 1)
        ]
    return "\n".join(lines)


def markdown(record: dict[str, Any], question: Question) -> str:
    """Question, timing table, transcript by section, then the reference story."""
    out = [
        f"# {question.text}",
        "",
        f"*{question.principle} · {question.id} · {record['created_at']} · "
        f"audio: `{record.get('audio', '')}`*",
        "",
    ]
    if record.get("status") != "ok":
        out += [f"**{record['status']}** — nothing was transcribed.", ""]
    else:
        m = record["metrics"]
        out += [
            f"Answer {m['answer_s']:.1f} s · {m['words']} words · {m['wpm']:.0f} words/min · "
            f"{m['fillers_per_min']:.1f} fillers/min",
            "",
            *([filler_line(m), ""] if "filler_capture" in m else []),
            "| Section | Start | End | Time | Share |",
            "|---|---|---|---|---|",
        ]
        for s in record["sections"]:
            t = LABEL_TITLES[s["label"]]
            out.append(
                f"| {t} | — | — | missing | — |"
                if s["missing"]
                else f"| {t} | {s['start_s']:.1f} s | {s['end_s']:.1f} s | "
                f"{s['duration_s']:.1f} s | {s['share']:.0%} |"
            )
        if record.get("feedback"):
            out += ["", "## For the next take", ""] + [f"- {t}" for t in record["feedback"]]
        out += ["", "## What you said", ""]
        for s in record["sections"]:
            out += [
                f"### {LABEL_TITLES[s['label']]}",
                "",
                "*(not spoken)*" if s["missing"] else s["text"],
                "",
            ]
    out += ["## Your reference story", ""]
    if question.has_story:
        for label, text in question.story.parts.items():
            out += [f"### {LABEL_TITLES[label]}", "", text or "*(not written)*", ""]
    else:
        out += [f"*(no story written yet: add one in `{question.path.name}`)*", ""]
    return "\n".join(out).rstrip() + "\n"
