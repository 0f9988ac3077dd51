"""Scoring transcripts for tests and scripts: our text normalisation, then jiwer's WER.

Both sides of a comparison go through the same `normalize`, so "3" and "three", "Um," and
"um", "y'know" and "you know" count as the same words. Fillers are kept as words (Whisper's
own normaliser deletes them); pass `ignore=FILLERS` to `wer` to score without them. jiwer
counts the edits; it is a test dependency, so the runtime package never imports this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import jiwer

FILLERS: tuple[str, ...] = ("um", "uh", "er", "hmm", "ah")

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_ORDINAL_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}

# Spelling variants of one word, mapped to one form so both sides agree.
_VARIANTS = {
    "umm": "um",
    "erm": "um",
    "uhh": "uh",
    "uhm": "um",
    "hm": "hmm",
    "mm": "hmm",
    "ahh": "ah",
    "okay": "ok",
    "'er": "her",
    "'em": "them",
    "yknow": "you know",
    "y'know": "you know",
}
# A few British spellings that Whisper (trained mostly on US text) writes the US way.
_BRITISH = {
    "counselled": "counseled",
    "travelled": "traveled",
    "cancelled": "canceled",
    "labelled": "labeled",
    "modelled": "modeled",
    "colour": "color",
    "favour": "favor",
    "behaviour": "behavior",
    "honour": "honor",
    "centre": "center",
    "organise": "organize",
    "organised": "organized",
    "realise": "realize",
    "realised": "realized",
    "prioritise": "prioritize",
    "apologise": "apologize",
    "analyse": "analyze",
    "programme": "program",
    "defence": "defense",
    "licence": "license",
}
_VARIANTS.update(_BRITISH)
_REPEATED_FILLER = re.compile(r"^(u+m+|u+h+|h+m+|m+h*m+|a+h+|e+r+m*)$")
_NUMBER = re.compile(r"^(\d[\d,]*)(\.\d+)?(st|nd|rd|th|s)?$")
_TOKEN = re.compile(r"[a-z0-9'$%&.,]+")


def _say_int(n: int) -> list[str]:
    """Spell a non-negative integer the plain way: 1500 -> one thousand five hundred."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for size, name in _SCALES:
        if n >= size:
            rest = _say_int(n % size) if n % size else []
            return _say_int(n // size) + [name] + rest
    raise AssertionError("unreachable")


def _say_year_like(n: int) -> list[str]:
    """Four-digit numbers that people read in pairs (1961, 2019); others read plainly."""
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        hi, lo = divmod(n, 100)
        if lo == 0:
            return _say_int(hi) + ["hundred"]
        return _say_int(hi) + (["oh"] if lo < 10 else []) + _say_int(lo)
    return _say_int(n)


def _ordinal(words: list[str]) -> list[str]:
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return words[:-1] + [last]


def _say_number(token: str) -> list[str] | None:
    """Digits to words, or None when the token is not a number."""
    m = _NUMBER.match(token)
    if not m:
        return None
    grouped, frac, suffix = m.group(1), m.group(2), m.group(3)
    whole = grouped.replace(",", "")
    if not whole:
        return None
    n = int(whole)
    # "1961" is read as a year; "1,500" (grouped) or "2.5" never is.
    year_like = len(whole) == 4 and "," not in grouped and not frac
    words = _say_year_like(n) if year_like else _say_int(n)
    if frac:
        words += ["point"] + [_ONES[int(d)] for d in frac[1:]]
    if suffix in ("st", "nd", "rd", "th"):
        words = _ordinal(words)
    elif suffix == "s":  # 1990s, 80s
        words[-1] = words[-1][:-1] + "ies" if words[-1].endswith("y") else words[-1] + "s"
    return words


def _normalize_token(token: str) -> list[str]:
    token = token.strip(".,")
    if token.startswith("$") and (said := _say_number(token[1:])):
        return said + ["dollars"]
    if token.endswith("%") and (said := _say_number(token[:-1])):
        return said + ["percent"]
    if said := _say_number(token):
        return said
    # Keep apostrophes inside a word (don't, world's); drop other punctuation.
    token = token.replace("&", " and ").replace("%", " percent ")
    out: list[str] = []
    for part in re.sub(r"[$.,]", "", token).split():
        part = _VARIANTS.get(part, part).strip("'")
        if _REPEATED_FILLER.match(part):
            part = _canonical_filler(part)
        out.extend(_VARIANTS.get(part, part).split())
    return out


def _canonical_filler(word: str) -> str:
    if word.startswith("u"):
        return "um" if word.endswith("m") else "uh"
    if word.startswith("e"):
        return "um" if word.endswith("m") else "er"
    if word.startswith("a"):
        return "ah"
    return "hmm"


def normalize(text: str) -> list[str]:
    """Lowercase words without punctuation; numbers spelled out; fillers kept as words."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    # Hyphens and dashes separate words ("twenty-one", "self-substantial", "so—").
    text = re.sub(r"[-–—/]", " ", text)
    # Markup such as <cutoff-x> or [laughter] is not speech.
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text)
    words: list[str] = []
    for token in _TOKEN.findall(text):
        words.extend(_normalize_token(token))
    return words


def _words(text: str, skip: set[str]) -> str:
    """Normalised words of `text` without those in `skip`, space-joined for jiwer (a
    normalised word holds no space, so jiwer's own split gives the same words back)."""
    return " ".join(w for w in normalize(text) if w not in skip)


def word_errors(reference: str, hypothesis: str, *, ignore: Iterable[str] = ()) -> tuple[int, int]:
    """(edit distance, reference length) after normalising; for pooling WER over many clips."""
    skip = set(ignore)
    ref, hyp = _words(reference, skip), _words(hypothesis, skip)
    out = jiwer.process_words(ref, hyp)
    return out.substitutions + out.deletions + out.insertions, len(ref.split())


def wer(reference: str, hypothesis: str, *, ignore: Iterable[str] = ()) -> float:
    """Word error rate; words in `ignore` are dropped from both sides first.

    An empty reference gives 0.0 for an empty hypothesis, else the number of inserted words.
    """
    skip = set(ignore)
    return float(jiwer.wer(_words(reference, skip), _words(hypothesis, skip)))


def filler_recall(
    reference: str, hypothesis: str, fillers: Iterable[str] = FILLERS
) -> tuple[int, int]:
    """(fillers found, fillers in the reference), matched by count, not by position."""
    wanted = set(fillers)
    ref = Counter(w for w in normalize(reference) if w in wanted)
    hyp = Counter(w for w in normalize(hypothesis) if w in wanted)
    return sum((ref & hyp).values()), sum(ref.values())
