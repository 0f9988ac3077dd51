"""The three most useful suggestions for the next take, from a metrics record (plain dicts)."""

from __future__ import annotations

from typing import Any

from interviewer.core.feedback import PRIORITY, suggestions


def check(name: str, value: float = 0.0, target: str = "", ok: bool = False) -> dict[str, Any]:
    return {"name": name, "ok": ok, "value": value, "target": target}


def metrics(*checks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "checks": list(checks),
        "sections": {"situation": {"duration_s": 52.4}, "task": {"duration_s": 8.0}},
        "action_we": 7,
        "action_i": 2,
        "fillers": {"um": 5, "like": 2},
        "hedges": 6,
        "key_facts": [],
    }
    return base | extra


def test_nothing_failed_nothing_to_say() -> None:
    passed = metrics(check("learning", ok=True), check("wpm", 150, "130-165", ok=True))
    assert suggestions(passed) == []
    assert suggestions(metrics()) == []
    assert suggestions({}) == []


def test_structure_comes_before_delivery_and_only_three_are_given() -> None:
    m = metrics(
        check("hedges"),
        check("wpm", 190.0, "130-165"),
        check("learning"),
        check("i_vs_we"),
        check("result_number"),
    )
    tips = suggestions(m)
    assert len(tips) == 3
    assert tips[0].startswith("There was no Learning")
    assert tips[1].startswith("The Result has no number")
    assert tips[2] == "You said 'we' 7 times in the Action and 'I' 2 times: say what you did"
    assert len(suggestions(m, limit=5)) == 5


def test_each_tip_carries_the_measured_figure() -> None:
    tips = suggestions(
        metrics(
            check("action_share", 0.31),
            check("setup_share", 0.45),
            check("situation_length", 52.4),
            check("length", 212.0, "90-180 s"),
        ),
        limit=4,
    )
    assert tips == [
        "Action took 31% of the answer: aim for at least half",
        "Situation and Task took 45%: set the scene in under a third and move to what you did",
        "Situation ran 52 s: cut it to the essentials",
        "The answer ran 212 s: aim for 90-180 s",
    ]


def test_delivery_tips() -> None:
    tips = suggestions(
        metrics(check("fillers_per_min", 4.25), check("wpm", 110.0, "130-165"), check("hedges")),
    )
    assert tips == [
        "4.2 fillers a minute (mostly 'um'): pause silently instead",
        "110 words a minute: speed up a little (aim for 130-165)",
        "6 hedges ('I think', 'maybe'): state what you did with confidence",
    ]
    (fast,) = suggestions(metrics(check("wpm", 190.0, "130-165")))
    assert fast == "190 words a minute: slow down (aim for 130-165)"


def test_facts_of_the_story_not_said() -> None:
    missed = [
        {"fact": "40%", "status": "missed"},
        {"fact": "3 weeks", "status": "missed"},
        {"fact": "Priya", "status": "missed"},
    ]
    (tip,) = suggestions(metrics(key_facts=missed))
    assert (
        tip == "'40%', '3 weeks' from your story never came up: say the facts that prove the impact"
    )
    changed = [{"fact": "40%", "status": "changed"}, {"fact": "Priya", "status": "said"}]
    (tip,) = suggestions(metrics(key_facts=changed))
    assert tip.startswith("'40%' from your story changed")


def test_facts_rank_after_structure_and_before_delivery() -> None:
    m = metrics(check("hedges"), check("learning"), key_facts=[{"fact": "40%", "status": "missed"}])
    tips = suggestions(m)
    assert tips[0].startswith("There was no Learning") and "'40%'" in tips[1]
    assert tips[2].startswith("6 hedges")


def test_a_check_without_advice_is_skipped() -> None:
    assert suggestions(metrics(check("some_future_check"))) == []
    assert "some_future_check" not in PRIORITY


def test_every_check_in_the_priority_list_has_advice() -> None:
    for name in PRIORITY:
        if name == "facts":  # from key_facts, not a check
            continue
        (tip,) = suggestions(metrics(check(name, 1.0, "130-165")), limit=1)
        assert tip, name
