"""Pure: delivery metrics of an answer, per section and whole, checked against targets."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from interviewer.core.coaching import CoachSettings
from interviewer.core.models import LABELS, OTHER, Section, Story, Word
from interviewer.core.records import Check

SINGLE_FILLERS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "ah", "mm"})
PHRASE_FILLERS = ("you know", "sort of", "basically", "i mean")
HEDGES = ("i think", "i guess", "maybe", "kind of", "probably", "i believe", "perhaps", "sort of")
I_WORDS = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine"})
WE_WORDS = frozenset({"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"})
_TOKEN = re.compile(r"[a-z0-9']+")


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
        note = (
            f"a lower bound: um/uh kept for {coverage:.0%} of your speech (the rest had to "
            "be transcribed without filler capture)"
        )
    else:
        trust = "lower bound"
        note = "a lower bound: transcribed without filler capture, which drops most um/uh"
    return {"coverage": round(coverage, 3), "trust": trust, "note": note}


def count_phrases(text: str, phrases: Sequence[str]) -> int:
    padded = " " + " ".join(tokens(text)) + " "
    return sum(padded.count(f" {p} ") for p in phrases)


def long_pauses(
    words: Sequence[Word], sections: Sequence[Section], min_s: float
) -> list[dict[str, Any]]:
    out = []
    for a, b in zip(words, words[1:]):
        gap = b.start_s - a.end_s
        if gap >= min_s:
            where = next(
                (
                    s.label
                    for s in sections
                    for start, end in s.all_spans
                    if start <= b.start_s <= end + 0.5
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


# --- numbers as written or as spoken -----------------------------------------------------
# Whisper writes a number as digits ("3 weeks", "2nd", "1.5 million", "40%") or as words
# ("three weeks", "forty two"), and a story may use either: both are read into one value with
# its kind and the words after it, so "three weeks" matches "3 weeks" and "2nd" never matches
# "2 weeks". text2num's alpha2digit (tried, 3.1.0) reads neither "1.5 million" nor "one and a
# half million", "half", "a dozen" or "March second", and gives no spans; hence this parser.

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
UNIT_WORDS = {w: i for i, w in enumerate(_ONES)}
TENS_WORDS = {w: 20 + 10 * i for i, w in enumerate(_TENS_WORDS)}
SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_ORD_IRREGULAR = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fifth": 5,
    "eighth": 8,
    "ninth": 9,
    "twelfth": 12,
}
ORDINAL_WORDS = {
    **{w + "th": n for w, n in UNIT_WORDS.items() if n >= 4},
    **_ORD_IRREGULAR,
    **{w[:-1] + "ieth": n for w, n in TENS_WORDS.items()},
}
_FRACTIONS = {"third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Words between a number and what it counts: "1/2 of the workload", "3 more weeks".
_UNIT_SKIP = frozenset(
    "of the a an more less fewer extra additional new other whole full entire straight "
    "consecutive separate different our my their his her its your whole just only".split()
)
# Words that end the search for what a number counts: "7,000 and 650", "650 at Microsoft".
_UNIT_STOP = frozenset(
    "and or but at in on to by for with from than so then when where that which who it we i "
    "they he she you was were is are be been had has have did do does after before because if "
    "as into per while until via".split()
)
_DIGITS = re.compile(
    r"(\$)?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:/(\d+))?(st|nd|rd|th)?(%)?(?![\w/])"
)
_LEX = re.compile(
    r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?(?:st|nd|rd|th)?%?(?![\w/])"
    r"|[A-Za-z]+(?:['’][A-Za-z]+)*|\S"
)


@dataclass(frozen=True)
class Mention:
    """One number in a text: its value, kind and the words that say what it counts."""

    value: float
    kind: str  # "cardinal", "ordinal" or "percent"
    start: int  # character span in the text
    end: int
    spoken: bool  # written in words ("three") rather than digits ("3")
    units: frozenset[str]  # "week", "workload", "dollar", a month, "<date>" for a day ordinal
    unit_end: int  # where the first counted word ends, for a natural display ("2 weeks")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _is_number_word(tok: str) -> bool:
    return (
        tok in UNIT_WORDS
        or tok in TENS_WORDS
        or tok in SCALE_WORDS
        or tok == "hundred"
        or tok in ORDINAL_WORDS
        or tok in ("half", "dozen")
    )


def _spoken(toks: Sequence[str], i: int) -> tuple[float, str, int] | None:
    """Number words from toks[i]: (value, kind, index after the last word) or None.

    "forty two", "twenty-five", "a hundred and twenty", "one and a half million",
    "half a million", "a dozen", "two point five", "thirty-first".
    """
    n = len(toks)

    def at(k: int) -> str:
        return toks[k] if k < n else ""

    j = i
    if at(j) in ("a", "one") and at(j + 1) in _FRACTIONS and at(j + 2) == "of":
        return 1 / _FRACTIONS[at(j + 1)], "cardinal", j + 2  # "a third of", not "a third time"
    if at(j) in UNIT_WORDS and at(j + 1).endswith("s") and at(j + 1)[:-1] in _FRACTIONS:
        return UNIT_WORDS[at(j)] / _FRACTIONS[at(j + 1)[:-1]], "cardinal", j + 2  # two thirds
    lead_a = at(j) in ("a", "an")
    if lead_a:
        if at(j + 1) not in ("hundred", "dozen", "half", *SCALE_WORDS):
            return None
        j += 1
    if at(j) == "half":  # "half", "a half", "half a million"
        if at(j + 1) in ("a", "an") and at(j + 2) in SCALE_WORDS:
            return 0.5 * SCALE_WORDS[at(j + 2)], "cardinal", j + 3
        return 0.5, "cardinal", j + 1
    total, current, last = 0.0, 0.0, "a" if lead_a else ""
    while j < n:
        tok = at(j)
        if tok == "-" and last and _is_number_word(at(j + 1)):
            j += 1
            continue
        if tok in UNIT_WORDS and last in ("", "tens", "hundred", "and"):
            if last == "tens" and UNIT_WORDS[tok] >= 10:
                break
            current += UNIT_WORDS[tok]
            last = "unit"
        elif tok in TENS_WORDS and last in ("", "hundred", "and"):
            current += TENS_WORDS[tok]
            last = "tens"
        elif tok in ORDINAL_WORDS and last in ("", "tens", "hundred", "and"):
            if last == "tens" and ORDINAL_WORDS[tok] >= 10:
                break
            return total + current + ORDINAL_WORDS[tok], "ordinal", j + 1
        elif tok == "hundred" and last in ("a", "unit", "tens"):
            current = (current or 1) * 100
            last = "hundred"
        elif tok == "dozen" and last in ("a", "unit"):
            current = (current or 1) * 12
            last = "dozen"
        elif tok in SCALE_WORDS and last in ("a", "unit", "tens", "hundred", "half", "point"):
            total += (current or 1) * SCALE_WORDS[tok]
            current, last = 0.0, "scale"
        elif tok == "and" and last in ("unit", "tens", "hundred", "scale", "dozen"):
            if at(j + 1) in ("a", "one") and at(j + 2) == "half":
                current += 0.5
                j += 3
                last = "half"
                continue
            if last in ("hundred", "scale") and (
                at(j + 1) in UNIT_WORDS or at(j + 1) in TENS_WORDS
            ):
                last = "and"
            else:
                break
        elif tok == "point" and last in ("unit", "tens") and at(j + 1) in UNIT_WORDS:
            k, digits = j + 1, ""
            while at(k) in UNIT_WORDS and UNIT_WORDS[at(k)] < 10:
                digits += str(UNIT_WORDS[at(k)])
                k += 1
            current += float("0." + digits)
            j, last = k, "point"
            continue
        else:
            break
        j += 1
    if last in ("", "a", "and"):
        return None
    return total + current, "cardinal", j


def mentions(text: str) -> list[Mention]:
    """Every number in `text`, in order, written in digits or in words."""
    lexed = [(m.group(0), m.start(), m.end()) for m in _LEX.finditer(text)]
    toks = [t.lower().replace("’", "'") for t, _, _ in lexed]
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        found: tuple[float, str, int] | None = None
        units: set[str] = set()
        digits = _DIGITS.fullmatch(tok) if tok[0] in "$0123456789" else None
        if digits:
            dollar, number, denominator, suffix, percent = digits.groups()
            value = float(number.replace(",", ""))
            if denominator:
                value = value / float(denominator) if float(denominator) else value
            kind = "ordinal" if suffix else "percent" if percent else "cardinal"
            end = i + 1
            if kind == "cardinal":
                if (
                    toks[end : end + 1] == ["and"]
                    and end + 2 < len(toks)
                    and toks[end + 1] in ("a", "one")
                    and toks[end + 2] == "half"
                ):
                    value, end = value + 0.5, end + 3
                if end < len(toks) and toks[end] in ("hundred", *SCALE_WORDS):
                    value, end = value * SCALE_WORDS.get(toks[end], 100), end + 1
                # Whisper writes "a hundred and twenty" as "100 and 20"
                nxt = (
                    _DIGITS.fullmatch(toks[end + 1])
                    if toks[end : end + 1] == ["and"] and end + 1 < len(toks)
                    else None
                )
                if (
                    nxt
                    and value >= 100
                    and value % 100 == 0
                    and not any(nxt.groups()[2:])
                    and not nxt.group(1)
                    and float(nxt.group(2).replace(",", "")) < 100
                ):
                    value, end = value + float(nxt.group(2).replace(",", "")), end + 2
            if dollar:
                units.add("dollar")
            found = (value, kind, end)
        elif _is_number_word(tok) or tok in ("a", "an"):
            found = _spoken(toks, i)
        if found is None:
            i += 1
            continue
        value, kind, end = found
        if kind == "cardinal" and end < len(toks):
            if toks[end] == "%" or toks[end] == "percent":
                kind, end = "percent", end + 1
            elif toks[end] == "per" and toks[end + 1 : end + 2] == ["cent"]:
                kind, end = "percent", end + 2
        unit_end = lexed[end - 1][2]
        k, content = end, 0
        while k < len(toks) and content < 2:
            word = toks[k]
            if not word[0].isalpha() or _is_number_word(word) or word in _UNIT_STOP:
                break  # punctuation, a joining word or the next number
            if word not in _UNIT_SKIP:
                units.add("dollar" if word in ("dollars", "dollar", "bucks") else _singular(word))
                if content == 0:
                    unit_end = lexed[k][2]
                content += 1
            k += 1
        after_month = i > 0 and toks[i - 1] in MONTHS
        if (
            kind == "cardinal"
            and value.is_integer()
            and 1 <= value <= 31
            and (after_month or (units & MONTHS and not units - MONTHS))
        ):
            kind = "ordinal"  # "March 2" and "2 March" are the 2nd
        if kind == "ordinal":
            if after_month:
                units.add(toks[i - 1])
            if value <= 31 and (not units - MONTHS or units & MONTHS):
                units.add("<date>")  # "the 3rd", "March 3rd", "3rd of March"
        out.append(
            Mention(
                value, kind, lexed[i][1], lexed[end - 1][2], not digits, frozenset(units), unit_end
            )
        )
        i = end
    return out


def first_figure(text: str) -> str:
    """The first figure in `text` as written ("40%", "two weeks"), or "" if there is none.

    A spoken "one" or "first" is a pronoun or an order, not a result in figures.
    """
    for m in mentions(text):
        if not (m.spoken and (m.kind == "ordinal" or m.value == 1)):
            return text[m.start : m.unit_end]
    return ""


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def number_status(fact: Mention, said: Sequence[Mention]) -> str:
    """said: the same value of the same kind, counting the same thing (or unsaid what);
    changed: another value counting the same thing ("three weeks" for "2 weeks", "March 2nd"
    for "3rd"); missed: neither."""
    same_kind = [m for m in said if m.kind == fact.kind]
    if any(
        _same(m.value, fact.value)
        and (not m.units or not fact.units or _same_thing(m.units, fact.units))
        for m in same_kind
    ):
        return "said"
    for m in same_kind:
        if _same_thing(m.units, fact.units) or (
            fact.kind == "percent" and not (m.units and fact.units)
        ):
            return "changed"
    return "missed"


def _same_thing(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two numbers count the same thing: a shared word, or "work" for "workload"."""
    return any(
        x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x)))
        for x in a
        for y in b
    )


# --- names -------------------------------------------------------------------------------

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]{2,})\b")
_NAME_SKIP = frozenset(
    "When The This What While Could Instead Without Working Sometimes Handing Define Yes Get "
    "How Why My It".split()
) | {w.title() for w in MONTHS | _WEEKDAYS}  # a month is part of its date fact


def _name_key(word: str) -> str:
    """'Priya's', "priyas'", 'Workstreams' -> the same key as 'Priya', 'Workstream'."""
    word = re.sub(r"'s$|'$", "", word.lower().replace("’", "'"))
    return _singular(word)


def _said_names(transcript: str) -> set[str]:
    """Each word, and each run of two or three words joined ("work stream", "work-stream")."""
    toks = tokens(transcript)
    keys = set()
    for i in range(len(toks)):
        for n in (1, 2, 3):
            if i + n <= len(toks):
                keys.add(_name_key("".join(toks[i : i + n])))
    return keys


# --- key facts ---------------------------------------------------------------------------


def _story_facts(text: str) -> list[Mention]:
    """Numbers worth checking: digits, and words unless "one" or an order ("the first time")."""
    return [m for m in mentions(text) if not (m.spoken and (m.kind == "ordinal" or m.value == 1))]


def key_facts(story: Story) -> list[dict[str, str]]:
    """Numbers and names in the reference story, with the section each came from."""
    facts: list[dict[str, str]] = []
    seen: set[str] = set()
    for label in LABELS:
        text = story.part(label)
        for m in _story_facts(text):
            value = text[m.start : m.end]
            before = re.search(r"([A-Za-z]+)\s+$", text[: m.start])
            dated = m.kind == "ordinal" and before and before.group(1).lower() in MONTHS
            shown = text[before.start(1) if before and dated else m.start : m.unit_end]
            if value.lower() not in seen:
                seen.add(value.lower())
                facts.append({"fact": shown, "kind": "number", "value": value, "section": label})
        for n in _NAME.finditer(text):
            name = n.group(1)
            # a capital after an opening quote starts a quoted sentence, not a name
            opens_quote = text[: n.start()].rstrip().endswith(("“", '"', "‘", "'"))
            if name not in _NAME_SKIP and name not in seen and not opens_quote:
                seen.add(name)
                facts.append({"fact": name, "kind": "name", "value": name, "section": label})
    return facts


def fact_coverage(story: Story | None, transcript: str) -> list[dict[str, str]]:
    """Each key fact of the story: said, changed (another number said there) or missed."""
    if story is None:
        return []
    said = mentions(transcript)
    names = _said_names(transcript)
    out = []
    for fact in key_facts(story):
        if fact["kind"] == "number":
            text = story.part(fact["section"])
            m = next(
                (m for m in _story_facts(text) if text[m.start : m.end] == fact["value"]), None
            )
            status = number_status(m, said) if m else "missed"
        else:
            status = "said" if _name_key(fact["value"]) in names else "missed"
        out.append({**fact, "status": status})
    return out


def answer_spans(
    sections: Sequence[Section], first_s: float, last_s: float
) -> list[list[tuple[float, float]]]:
    """Each section's spans inside the answer, first word to last, without overlaps.

    Boundaries snapped to pauses (star.snap_start/snap_end) may reach 0.4 s past the first or
    last word and into the next span: a 9.9 s answer told all as Action gave "Action 10.3 s
    104%". Shares are of the answer time, so every span, of whichever section, is cut to it and
    to the span before it in time. A missing section has none; a section cut away entirely
    keeps one empty span where it was, so it still has a place on the timeline.
    """
    spans = sorted((a, b, i) for i, s in enumerate(sections) for a, b in s.all_spans)
    out: list[list[tuple[float, float]]] = [[] for _ in sections]
    floor = first_s
    for a, b, i in spans:
        start = min(max(a, floor), last_s)
        end = max(min(b, last_s), start)
        out[i].append((round(start, 3), round(end, 3)))
        floor = end
    for i, got in enumerate(out):
        kept = [(a, b) for a, b in got if b > a]
        out[i] = kept or got[:1]
    return out


def measure(
    words: Sequence[Word],
    sections: Sequence[Section],
    story: Story | None,
    cfg: CoachSettings,
) -> dict[str, Any]:
    """All metrics of one answer as plain data, plus the checks against targets.

    Time labelled `other` (chit-chat, asides) is in the answer's length and pace but in no
    STAR share: shares are of the answer time less that, so they still never pass 100 %.
    """
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
    cut = answer_spans(sections, words[0].start_s, words[-1].end_s)
    other_s = sum(b - a for s, spans in zip(sections, cut) if s.label == OTHER for a, b in spans)
    star_s = max(answer_s - other_s, 1e-6)
    per_section = {}
    for s, spans in zip(sections, cut):
        sec_words = len(tokens(s.text))
        duration = sum(b - a for a, b in spans)
        counted = not s.missing and s.label != OTHER
        per_section[s.label] = {
            "start_s": spans[0][0] if spans else s.start_s,
            "end_s": spans[-1][1] if spans else s.start_s,
            "spans": [{"start_s": a, "end_s": b} for a, b in spans],
            "duration_s": round(duration, 2),
            # floor, so that rounded shares never add up past 100 %
            "share": math.floor(duration / star_s * 1000) / 1000 if counted else 0.0,
            "words": sec_words,
            "wpm": round(sec_words / (duration / 60), 1) if duration > 0 else 0.0,
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
    if other_s > 0:
        result["other_s"] = round(other_s, 2)
    result["checks"] = [c.to_json() for c in checks(result, sections, cfg)]
    return result


def checks(m: dict[str, Any], sections: Sequence[Section], cfg: CoachSettings) -> list[Check]:
    sec = m["sections"]
    share = {k: v["share"] for k, v in sec.items()}
    result = next((s for s in sections if s.label == "result"), None)
    figure = first_figure(result.text) if result and not result.missing else ""
    has_learning = not sec.get("learning", {}).get("missing", True)
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
            float(bool(figure)),
            "a number",
            bool(figure),
            # the message says what is there, pass or fail: saved checks are read either way
            f"the Result says {figure}"
            if figure
            else "the Result has no number"
            if result and not result.missing
            else "no Result",
        ),
        Check(
            "learning",
            float(has_learning),
            "present",
            has_learning,
            "the answer closes with a Learning" if has_learning else "no Learning",
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
