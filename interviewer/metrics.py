"""Pure: delivery metrics of an answer, per section and whole, checked against targets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from interviewer.coaching import CoachSettings
from interviewer.models import LABELS, Section, Story, Word

SINGLE_FILLERS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "ah", "mm"})
PHRASE_FILLERS = ("you know", "sort of", "basically", "i mean")
HEDGES = ("i think", "i guess", "maybe", "kind of", "probably", "i believe", "perhaps", "sort of")
I_WORDS = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine"})
WE_WORDS = frozenset({"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"})
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    target: str
    ok: bool
    message: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def count_fillers(words: Sequence[Word]) -> Counter[str]:
    """um/uh/er/hmm, "you know", "sort of", "basically", "I mean", and filler "like"."""
    toks = tokens(" ".join(w.text for w in words))
    found: Counter[str] = Counter(t for t in toks if t in SINGLE_FILLERS)
    text = " " + " ".join(toks) + " "
    for phrase in PHRASE_FILLERS:
        found[phrase] += text.count(f" {phrase} ")
    # "like" is a filler when it is not a verb or comparison: after a pause word or a comma.
    raw = " ".join(w.text.lower() for w in words)
    found["like"] += len(re.findall(r"(?:^|[,.]\s|\b(?:um|uh|and|so|was|it's|just)\s)like,", raw))
    return +found


# How far a filler count can be trusted, from how much of the speech was decoded with filler
# capture (Transcriber.keep_fillers). The recall figure is scripts/bench_fillers.py on the
# real disfluent clips in ../shared/speech_samples with tiny.en.
FILLER_CAPTURE_FULL = 0.95
MEASURED_RECALL = "7 of 7 um/uh found on real disfluent speech in testing"


def filler_capture(capture_s: float, speech_s: float) -> dict[str, Any]:
    """{'coverage': share of speech decoded with filler capture, 'trust', 'note'}."""
    coverage = min(capture_s / speech_s, 1.0) if speech_s > 0 else 0.0
    if coverage >= FILLER_CAPTURE_FULL:
        trust, note = "counted", f"um/uh kept in the transcript ({MEASURED_RECALL})"
    elif coverage > 0:
        trust = "lower bound"
        note = (f"a lower bound: um/uh kept for {coverage:.0%} of your speech (the rest had to "
                "be transcribed without filler capture)")
    else:
        trust = "lower bound"
        note = "a lower bound: transcribed without filler capture, which drops most um/uh"
    return {"coverage": round(coverage, 3), "trust": trust, "note": note}


def count_phrases(text: str, phrases: Sequence[str]) -> int:
    padded = " " + " ".join(tokens(text)) + " "
    return sum(padded.count(f" {p} ") for p in phrases)


def long_pauses(words: Sequence[Word], sections: Sequence[Section], min_s: float) -> list[dict]:
    out = []
    for a, b in zip(words, words[1:]):
        gap = b.start_s - a.end_s
        if gap >= min_s:
            where = next(
                (
                    s.label
                    for s in sections
                    if not s.missing and s.start_s <= b.start_s <= s.end_s + 0.5
                ),
                "",
            )
            out.append(
                {
                    "start_s": a.end_s,
                    "end_s": b.start_s,
                    "duration_s": round(gap, 2),
                    "section": where,
                }
            )
    return out


def ownership(text: str) -> tuple[int, int]:
    toks = tokens(text)
    return sum(t in I_WORDS for t in toks), sum(t in WE_WORDS for t in toks)


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:/\d+)?%?")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]{2,})\b")
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "thousand": 1000,
    "half": 0.5,
}


def _numbers(text: str) -> set[float]:
    out = set()
    for m in _NUMBER.findall(text):
        m = m.rstrip("%").replace(",", "")
        try:
            out.add(float(m.split("/")[0]) / float(m.split("/")[1]) if "/" in m else float(m))
        except (ValueError, ZeroDivisionError):
            continue
    for t in tokens(text):
        if t in _NUMBER_WORDS:
            out.add(float(_NUMBER_WORDS[t]))
    return out


def key_facts(story: Story) -> list[dict[str, str]]:
    """Numbers and names in the reference story, with the section each came from."""
    facts: list[dict[str, str]] = []
    seen: set[str] = set()
    skip = {
        "When",
        "The",
        "This",
        "What",
        "While",
        "Could",
        "Instead",
        "Without",
        "Working",
        "Sometimes",
        "Handing",
        "Define",
        "Yes",
        "Get",
        "How",
        "Why",
        "My",
        "It",
    }
    for label in LABELS:
        text = story.part(label)
        for m in _NUMBER.finditer(text):
            after = " ".join(tokens(text[m.end() :])[:1])
            fact = f"{m.group(0)} {after}".strip()
            if m.group(0) not in seen:
                seen.add(m.group(0))
                facts.append(
                    {"fact": fact, "kind": "number", "value": m.group(0), "section": label}
                )
        for m in _NAME.finditer(text):
            name = m.group(1)
            # a capital after an opening quote starts a quoted sentence, not a name
            opens_quote = text[: m.start()].rstrip().endswith(("“", '"', "‘", "'"))
            if name not in skip and name not in seen and not opens_quote:
                seen.add(name)
                facts.append({"fact": name, "kind": "name", "value": name, "section": label})
    return facts


def fact_coverage(story: Story | None, transcript: str) -> list[dict[str, str]]:
    """Each key fact of the story: said, changed (another number said there) or missed."""
    if story is None:
        return []
    said_numbers = _numbers(transcript)
    said_tokens = set(tokens(transcript))
    out = []
    for fact in key_facts(story):
        if fact["kind"] == "number":
            value = next(iter(_numbers(fact["value"])), None)
            context = fact["fact"].split(" ", 1)[1] if " " in fact["fact"] else ""
            if value in said_numbers:
                status = "said"
            elif context and context in said_tokens and said_numbers:
                status = "changed"
            else:
                status = "missed"
        else:
            status = "said" if fact["value"].lower() in said_tokens else "missed"
        out.append({**fact, "status": status})
    return out


def measure(
    words: Sequence[Word],
    sections: Sequence[Section],
    story: Story | None,
    cfg: CoachSettings,
) -> dict[str, Any]:
    """All metrics of one answer as plain data, plus the checks against targets."""
    if not words:
        return {
            "answer_s": 0.0,
            "words": 0,
            "wpm": 0.0,
            "sections": {},
            "checks": [],
            "fillers": {},
            "fillers_per_min": 0.0,
            "long_pauses": [],
            "hedges": 0,
            "action_i": 0,
            "action_we": 0,
            "key_facts": [],
        }
    answer_s = max(words[-1].end_s - words[0].start_s, 1e-6)
    text = " ".join(w.text for w in words)
    fillers = count_fillers(words)
    n_fillers = sum(fillers.values())
    n_words = len([t for t in tokens(text) if t not in SINGLE_FILLERS])
    per_section = {}
    for s in sections:
        sec_words = len(tokens(s.text))
        per_section[s.label] = {
            "start_s": s.start_s,
            "end_s": s.end_s,
            "duration_s": round(s.duration_s, 2),
            "share": round(s.duration_s / answer_s, 3) if not s.missing else 0.0,
            "words": sec_words,
            "wpm": round(sec_words / (s.duration_s / 60), 1) if s.duration_s > 0 else 0.0,
            "missing": s.missing,
        }
    action = next((s for s in sections if s.label == "action"), None)
    i_count, we_count = ownership(action.text if action else "")
    result = {
        "answer_s": round(answer_s, 2),
        "words": n_words,
        "wpm": round(n_words / (answer_s / 60), 1),
        "sections": per_section,
        "fillers": dict(fillers),
        "fillers_per_min": round(n_fillers / (answer_s / 60), 2),
        "long_pauses": long_pauses(words, sections, cfg.long_pause_s),
        "hedges": count_phrases(text, HEDGES),
        "action_i": i_count,
        "action_we": we_count,
        "key_facts": fact_coverage(story, text),
    }
    result["checks"] = [asdict(c) for c in checks(result, sections, cfg)]
    return result


def checks(m: dict[str, Any], sections: Sequence[Section], cfg: CoachSettings) -> list[Check]:
    sec = m["sections"]
    share = {k: v["share"] for k, v in sec.items()}
    result = next((s for s in sections if s.label == "result"), None)
    out = [
        Check(
            "length",
            m["answer_s"],
            f"{cfg.total_min_s:.0f}-{cfg.total_max_s:.0f} s",
            cfg.total_min_s <= m["answer_s"] <= cfg.total_max_s,
            f"the answer ran {m['answer_s']:.0f} s",
        ),
        Check(
            "action_share",
            share.get("action", 0.0),
            f">= {cfg.action_min_share:.0%}",
            share.get("action", 0.0) >= cfg.action_min_share,
            f"Action took {share.get('action', 0.0):.0%} of the answer",
        ),
        Check(
            "setup_share",
            share.get("situation", 0.0) + share.get("task", 0.0),
            f"<= {cfg.setup_max_share:.0%}",
            share.get("situation", 0.0) + share.get("task", 0.0) <= cfg.setup_max_share,
            f"Situation and Task took {share.get('situation', 0) + share.get('task', 0):.0%}",
        ),
        Check(
            "result_number",
            float(bool(result and _numbers(result.text))),
            "a number",
            bool(result and not result.missing and _numbers(result.text)),
            "the Result has no number" if result and not result.missing else "no Result",
        ),
        Check(
            "learning",
            float(not sec.get("learning", {}).get("missing", True)),
            "present",
            not sec.get("learning", {}).get("missing", True),
            "no Learning",
        ),
        Check(
            "wpm",
            m["wpm"],
            f"{cfg.wpm_min:.0f}-{cfg.wpm_max:.0f}",
            cfg.wpm_min <= m["wpm"] <= cfg.wpm_max,
            f"{m['wpm']:.0f} words per minute",
        ),
        Check(
            "fillers_per_min",
            m["fillers_per_min"],
            f"<= {cfg.fillers_per_min_max:g}",
            m["fillers_per_min"] <= cfg.fillers_per_min_max,
            f"{m['fillers_per_min']:.1f} fillers per minute",
        ),
        Check(
            "hedges",
            m["hedges"],
            f"<= {cfg.hedges_max}",
            m["hedges"] <= cfg.hedges_max,
            f"{m['hedges']} hedges",
        ),
        Check(
            "i_vs_we",
            m["action_i"] / max(m["action_we"], 1),
            f">= {cfg.i_we_min_ratio:g}",
            m["action_we"] == 0 or m["action_i"] / m["action_we"] >= cfg.i_we_min_ratio,
            f"'I' {m['action_i']} times and 'we' {m['action_we']} times in the Action",
        ),
    ]
    for label in ("situation", "task"):
        d = sec.get(label, {}).get("duration_s", 0.0)
        out.append(
            Check(
                f"{label}_length",
                d,
                f"<= {cfg.section_max_s:.0f} s",
                d <= cfg.section_max_s,
                f"{label.title()} ran {d:.0f} s",
            )
        )
    return out
