"""Pure: split a transcribed answer into STAR sections (Situation, Task, Action, Result,
Learning) with times.

Evidence per sentence and section: spoken signposts ("as a result"), similarity to the same
section of the user's reference story, and content cues ("I was asked", numbers, "next time").
The labels are then found jointly for the whole answer as a monotonic S -> T -> A -> R -> L
alignment by dynamic programming, so one odd sentence cannot flip a section. A section with no
evidence of its own is reported missing rather than invented. Boundaries snap to the nearest
pause in the audio, because word timestamps after a pause can be early by up to 0.8 s.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.models import LABELS, Section, Story, Word

N = len(LABELS)


@dataclass(frozen=True)
class StarSettings:
    signpost_weight: float = 3.0
    story_weight: float = 4.0
    cue_weight: float = 0.8
    position_weight: float = 1.5
    switch_penalty: float = 0.3
    min_support: float = 0.4  # evidence a section needs to count as spoken
    entry_cost: float = 0.5  # extra cost of starting a section on a sentence with no evidence
    entry_evidence: float = 0.3  # ... where "no evidence" means below this
    sentence_gap_s: float = 1.2  # a pause this long ends a sentence even without punctuation
    snap_window_s: float = 1.0


# Signposts at the start of a sentence: strong evidence. Lowercase, no punctuation.
SIGNPOSTS: dict[str, str] = {
    "situation": r"(the |my )?situation (was|is)|situation|the context (was|is)|"
    r"(some )?background|to set the scene|set the scene|at the time|back (then|when|in)|"
    r"(a few|a couple of|two|three|several) (years|months|weeks) ago|in my (previous|last|old) "
    r"(role|job|team|company)|(in|at) my (previous|last|old) (role|job|team|company)|"
    r"(last|this) (spring|summer|autumn|fall|winter|year|quarter)",
    "task": r"(my|the) (main |real |biggest |first )?(task|goal|job|role|responsibility|"
    r"challenge|objective|mission)( for me| here| there)? (was|is)|"
    r"my task|the task|i was (asked|tasked|responsible|expected|given)|i needed to|i had to|"
    r"what i (needed|had) to do|the ask was",
    # Not a bare "I decided": "I decided that X was my problem" sets the Task.
    "action": r"(so )?what i did|so i decided|i decided to|the (first|next) thing i did|"
    r"my approach|"
    r"the (actions?|steps) i took|(so )?i took|i started by|my action|(the )?action",
    "result": r"as a result|(the|my|our) (result|outcome|impact) (was|is)|(the )?result|"
    r"(the )?outcome|in the end|ultimately|in total|by the end|the end result|overall",
    "learning": r"(what )?i (learned|learnt)|i have learned|i've learned|"
    r"(the |my )?(main |biggest |key |big )?(lesson|learning|takeaway)s?|"
    r"(it |this |that )?taught me|next time|going forward|in hindsight|looking back|"
    r"if i (did|had to do) (it|this) again|since then|from (this|that) i",
}
# Content cues anywhere in a sentence: weak evidence when there is no signpost or story.
CUES: dict[str, str] = {
    "situation": r"\b(recently|at the time|we had|there was|there were|our team|my team was|"
    r"i was working|i worked|i was (in charge|leading|managing|a|an|the)|was not|wasn't|"
    r"company|customer|project)\b",
    "task": r"\b(asked me|i was asked|my goal|needed to|had to|responsible for|in charge of|"
    r"make sure|how (could|can|do|would) (i|we)|what could i|the problem|deadline|my job|"
    r"expected to|(was|is) my (problem|responsibility|job)|up to me|on me to)\b",
    "action": r"\b(i (decided|built|created|spent|added|met|wrote|called|set up|started|"
    r"organized|organised|documented|automated|proposed|convinced|reached|worked|talked|asked|"
    r"went|took|made|gave|looked|ran|led|brought|scheduled|reviewed|tested|identified|"
    r"escalated|ended up|moved|coached|showed)|first|then|next|after that)\b",
    "result": r"(\b\d[\d,.]*\b|%|\bpercent\b|\b(as a result|result|outcome|ended up|in the end|"
    r"saved|increased|reduced|improved|delivered|thriving|successful|success|finally|"
    r"launched|achieved|grew|cut|hours|weeks|days|(is|are) now|now (thriving|live|used))\b)",
    "learning": r"\b(learn|learned|learnt|lesson|next time|taught|realized|realised|since then|"
    r"always|never|important|going forward|in future|in the future|i think about|"
    r"sometimes|mistake|now i|whenever|every time|(cheaper|better|easier|harder|faster|safer) "
    r"than|i (try|make sure) to|is (often|usually|probably)|if (something|you|we))\b",
}
POSITION_CENTRES = (0.08, 0.2, 0.5, 0.8, 0.94)
STOPWORDS = frozenset(
    "a an the and or but so to of in on at for with by from as is was were be been am "
    "are it its this that these those i me my we our us you your he she they them their "
    "his her there here then than do did does done have has had not no yes just very "
    "really also um uh er ah hmm like".split()
)
_SIGNPOST_RE = {
    label: re.compile(rf"^(?:(?:and|so|well|um|uh|okay|ok|now)\s+)*(?:{p})\b")
    for label, p in SIGNPOSTS.items()
}
_CUE_RE = {label: re.compile(p) for label, p in CUES.items()}


@dataclass(frozen=True)
class Sentence:
    words: tuple[Word, ...]
    first_index: int  # index of the first word in the answer

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def start_s(self) -> float:
        return self.words[0].start_s

    @property
    def end_s(self) -> float:
        return self.words[-1].end_s


@dataclass(frozen=True)
class Segmentation:
    sections: tuple[Section, ...]  # all five labels in STAR order; missing ones flagged
    word_labels: tuple[str, ...]  # one label per word


def normalize(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9%']+", text.lower().replace("’", "'")))


def split_sentences(words: Sequence[Word], gap_s: float = 1.2) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for i, word in enumerate(words):
        last = i == len(words) - 1
        ends = word.text.rstrip().endswith((".", "?", "!"))
        long_gap = not last and words[i + 1].start_s - word.end_s >= gap_s
        if last or ends or long_gap:
            sentences.append(Sentence(tuple(words[start : i + 1]), start))
            start = i + 1
    return sentences


def _stem(token: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def _terms(text: str) -> Counter[str]:
    tokens = [_stem(t) for t in normalize(text).split() if t not in STOPWORDS]
    return Counter(tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])])


def story_similarity(sentences: Sequence[Sentence], story: Story) -> list[list[float]]:
    """Cosine similarity (TF-IDF over the story's parts) of each sentence to each part."""
    parts = [_terms(story.part(label)) for label in LABELS]
    df = Counter(t for p in parts for t in p)
    n_parts = sum(1 for p in parts if p) or 1

    def vec(c: Counter[str]) -> dict[str, float]:
        return {t: n * math.log(1 + n_parts / df[t]) for t, n in c.items() if t in df}

    part_vecs = [vec(p) for p in parts]
    out = []
    for sentence in sentences:
        s = vec(_terms(sentence.text))
        out.append([_cosine(s, p) for p in part_vecs])
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _evidence(
    sentences: Sequence[Sentence], story: Story | None, cfg: StarSettings
) -> tuple[list[list[float]], list[list[str]]]:
    """Per sentence and label: evidence score and the reason behind its largest part."""
    sims = story_similarity(sentences, story) if story and not story.is_empty else None
    scores, reasons = [], []
    for i, sentence in enumerate(sentences):
        text = normalize(sentence.text)
        row, why = [], []
        for j, label in enumerate(LABELS):
            parts = []
            m = _SIGNPOST_RE[label].match(text)
            if m:
                parts.append((cfg.signpost_weight, f"signpost '{m.group(0).strip()}'"))
            if sims is not None and sims[i][j] > 0:
                share = sims[i][j]
                parts.append(
                    (cfg.story_weight * share, f"matches your story's {label} ({share:.2f})")
                )
            cues = _CUE_RE[label].findall(text)
            if cues:
                weight = cfg.cue_weight * min(len(cues), 3) / 2
                parts.append((weight, f"{label} cue"))
            row.append(sum(p[0] for p in parts))
            why.append(max(parts)[1] if parts else "")
        scores.append(row)
        reasons.append(why)
    return scores, reasons


def _position_prior(sentences: Sequence[Sentence], cfg: StarSettings) -> list[list[float]]:
    t0, t1 = sentences[0].start_s, sentences[-1].end_s
    span = max(t1 - t0, 1e-6)
    out = []
    for s in sentences:
        p = ((s.start_s + s.end_s) / 2 - t0) / span
        out.append([-cfg.position_weight * ((p - c) / 0.35) ** 2 for c in POSITION_CENTRES])
    return out


def align(
    scores: Sequence[Sequence[float]],
    switch_penalty: float,
    entry_cost: Sequence[Sequence[float]] | None = None,
) -> list[int]:
    """Best non-decreasing label index per row (Viterbi over a left-to-right chain).

    Moving into label j at row i costs `switch_penalty` plus `entry_cost[i][j]`, so a section
    starts where there is evidence for it rather than wherever a tie falls.
    """
    n = len(scores)
    best = [[-math.inf] * N for _ in range(n)]
    back = [[0] * N for _ in range(n)]
    best[0] = list(scores[0])
    for i in range(1, n):
        for j in range(N):
            enter = switch_penalty + (entry_cost[i][j] if entry_cost else 0.0)

            def value(k: int, i: int = i, j: int = j, enter: float = enter) -> float:
                return best[i - 1][k] - (enter if k != j else 0.0)

            prev = max(range(j + 1), key=value)
            best[i][j] = value(prev) + scores[i][j]
            back[i][j] = prev
    path = [max(range(N), key=lambda j: best[-1][j])]
    for i in range(n - 1, 0, -1):
        path.append(back[i][path[-1]])
    return path[::-1]


def _forced(
    sentences: Sequence[Sentence], markers: Sequence[tuple[float, str]]
) -> list[int | None]:
    """Live markers (time, label) win: each sentence after a marker takes its label."""
    forced: list[int | None] = [None] * len(sentences)
    ordered = sorted(markers)
    for i, s in enumerate(sentences):
        before = [label for t, label in ordered if t <= s.start_s + 0.3]
        if before:
            forced[i] = LABELS.index(before[-1])
    return forced


def segment(
    words: Sequence[Word],
    story: Story | None = None,
    pauses: Sequence[tuple[float, float]] = (),
    markers: Sequence[tuple[float, str]] = (),
    cfg: StarSettings = StarSettings(),
) -> Segmentation:
    """Label every word and return the five sections in STAR order."""
    if not words:
        return Segmentation(tuple(_missing(label) for label in LABELS), ())
    sentences = split_sentences(words, cfg.sentence_gap_s)
    evidence, reasons = _evidence(sentences, story, cfg)
    prior = _position_prior(sentences, cfg)
    scores = [[e + p for e, p in zip(er, pr)] for er, pr in zip(evidence, prior)]
    forced = _forced(sentences, markers)
    for i, f in enumerate(forced):
        if f is not None:
            scores[i] = [0.0 if j == f else -1e6 for j in range(N)]
    entry = [[0.0 if e >= cfg.entry_evidence else cfg.entry_cost for e in row] for row in evidence]
    path = align(scores, cfg.switch_penalty, entry)
    path = _drop_unsupported(path, evidence, forced, cfg.min_support)
    labels = [LABELS[j] for s, j in zip(sentences, path) for _ in s.words]
    return Segmentation(_sections(sentences, path, reasons, forced, pauses, cfg), tuple(labels))


def _drop_unsupported(
    path: list[int], evidence: list[list[float]], forced: list[int | None], min_support: float
) -> list[int]:
    """A run whose label has no real evidence joins the run before it (or after, if first)."""
    path = list(path)
    changed = True
    while changed:
        changed = False
        for run_label, idx in _runs(path):
            support = max(evidence[i][run_label] for i in idx)
            if support >= min_support or any(forced[i] is not None for i in idx):
                continue
            neighbour = (
                path[idx[0] - 1]
                if idx[0] > 0
                else (path[idx[-1] + 1] if idx[-1] + 1 < len(path) else None)
            )
            if neighbour is None:
                continue
            for i in idx:
                path[i] = neighbour
            changed = True
            break
    return path


def _runs(path: Sequence[int]) -> list[tuple[int, list[int]]]:
    runs: list[tuple[int, list[int]]] = []
    for i, j in enumerate(path):
        if runs and runs[-1][0] == j:
            runs[-1][1].append(i)
        else:
            runs.append((j, [i]))
    return runs


def _sections(
    sentences: Sequence[Sentence],
    path: Sequence[int],
    reasons: Sequence[Sequence[str]],
    forced: Sequence[int | None],
    pauses: Sequence[tuple[float, float]],
    cfg: StarSettings,
) -> tuple[Section, ...]:
    by_label: dict[int, list[int]] = {j: idx for j, idx in _runs(path)}
    out = []
    for j, label in enumerate(LABELS):
        idx = by_label.get(j)
        if not idx:
            out.append(_missing(label))
            continue
        first, last = sentences[idx[0]], sentences[idx[-1]]
        start, start_why = snap_start(first.start_s, pauses, cfg.snap_window_s)
        end, _ = snap_end(last.end_s, pauses, cfg.snap_window_s)
        why = "live marker" if forced[idx[0]] is not None else _best_reason(idx, j, reasons)
        if start_why:
            why += f"; {start_why}"
        text = " ".join(s.text for s in (sentences[i] for i in idx))
        out.append(Section(label, round(start, 3), round(max(end, start), 3), text, why))
    return tuple(out)


def _best_reason(idx: Sequence[int], j: int, reasons: Sequence[Sequence[str]]) -> str:
    first = reasons[idx[0]][j]
    if first:
        return first
    found = next((reasons[i][j] for i in idx if reasons[i][j]), "")
    return found or "order of the answer"


def _missing(label: str) -> Section:
    return Section(label, 0.0, 0.0, "", "not spoken", missing=True)


def snap_start(
    t: float, pauses: Sequence[tuple[float, float]], window_s: float
) -> tuple[float, str]:
    """Move a section start to the end of the nearest pause (the first word can be early)."""
    near = [p for p in pauses if t - 0.4 <= p[1] <= t + window_s]
    if not near:
        return t, ""
    edge = min(near, key=lambda p: abs(p[1] - t))[1]
    return edge, f"start snapped to the pause ending at {edge:.2f} s"


def snap_end(t: float, pauses: Sequence[tuple[float, float]], window_s: float) -> tuple[float, str]:
    near = [p for p in pauses if t - window_s <= p[0] <= t + 0.4]
    if not near:
        return t, ""
    edge = min(near, key=lambda p: abs(p[0] - t))[0]
    return edge, f"end snapped to the pause starting at {edge:.2f} s"
