"""Pure: the three most useful concrete suggestions for the next take, from the metrics."""

from __future__ import annotations

from typing import Any

# Most useful first: structure before delivery, delivery before polish.
PRIORITY = (
    "learning",
    "result_number",
    "action_share",
    "i_vs_we",
    "setup_share",
    "situation_length",
    "task_length",
    "facts",
    "length",
    "fillers_per_min",
    "wpm",
    "hedges",
)


def suggestions(metrics: dict[str, Any], limit: int = 3) -> list[str]:
    failed = {c["name"]: c for c in metrics.get("checks", []) if not c["ok"]}
    tips: list[tuple[int, str]] = []
    for name, check in failed.items():
        tip = _tip(name, check, metrics)
        if tip:
            tips.append((PRIORITY.index(name) if name in PRIORITY else 99, tip))
    missed = [f for f in metrics.get("key_facts", []) if f["status"] != "said"]
    if missed:
        names = ", ".join(f"'{f['fact']}'" for f in missed[:2])
        verb = "never came up" if all(f["status"] == "missed" for f in missed[:2]) else "changed"
        tips.append(
            (
                PRIORITY.index("facts"),
                f"{names} from your story {verb}: say the facts that prove the impact",
            )
        )
    return [tip for _, tip in sorted(tips)[:limit]]


def _tip(name: str, check: dict[str, Any], m: dict[str, Any]) -> str:
    sec = m.get("sections", {})
    if name == "learning":
        return "There was no Learning: close with what you learned and what you do differently now"
    if name == "result_number":
        return "The Result has no number: say the outcome in figures (time saved, %, count)"
    if name == "action_share":
        return f"Action took {check['value']:.0%} of the answer: aim for at least half"
    if name == "setup_share":
        return (
            f"Situation and Task took {check['value']:.0%}: set the scene in under a third "
            "and move to what you did"
        )
    if name in ("situation_length", "task_length"):
        label = name.split("_")[0]
        seconds = sec.get(label, {}).get("duration_s", 0)
        return f"{label.title()} ran {seconds:.0f} s: cut it to the essentials"
    if name == "i_vs_we":
        return (
            f"You said 'we' {m['action_we']} times in the Action and 'I' {m['action_i']} "
            "times: say what you did"
        )
    if name == "length":
        return f"The answer ran {check['value']:.0f} s: aim for {check['target']}"
    if name == "fillers_per_min":
        top = max(m.get("fillers", {"um": 0}).items(), key=lambda kv: kv[1])[0]
        return f"{check['value']:.1f} fillers a minute (mostly '{top}'): pause silently instead"
    if name == "wpm":
        slow = check["value"] < float(check["target"].split("-")[0])
        return (
            f"{check['value']:.0f} words a minute: "
            f"{'speed up a little' if slow else 'slow down'} (aim for {check['target']})"
        )
    if name == "hedges":
        return f"{m['hedges']} hedges ('I think', 'maybe'): state what you did with confidence"
    return ""
