"""Turn a notes document written like the user's seed into question bank files.

The document: a principle's name on the first line, its description, bullet lines (•),
an "Interview Questions" heading, numbered questions ("1<tab>Tell me ..."), story lines
starting `S:` `T:` `A:` `R:` `Learning:`, and a "Second Source Questions" heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.adapters import bank
from interviewer.adapters.fileio import write_text_atomic
from interviewer.core.models import Principle, Question, Story
from interviewer.errors import InterviewerError

# Obvious typos whose meaning is clear; everything else keeps the user's wording.
TYPO_FIXES: tuple[tuple[str, str], ...] = (
    ("significant tousled your area", "significant outside your area"),
    ("for al longer term", "for a longer term"),
    ("groups individual responsibility", "group's individual responsibility"),
    ("and now If hips to others", "and how it helps others"),
    ("figure our the root cause", "figure out the root cause"),
    ("in a very condenses 24 hours", "in a very condensed 24 hours"),
    ("tasking one person fron the", "tasking one person from the"),
    ("test it’s effectiveness", "test its effectiveness"),
    ("truncated eh video", "truncate the video"),
    ("How do decline?", "How do I decline?"),
    ("never to repeats this", "never to repeat this"),
)

_QUESTION = re.compile(r"^\s*(\d+)[.)]?\t+\s*(.+)$")
_PART = re.compile(r"^\s*(S|T|A|R|L|Learning|Learned)\s*:\s*(.*)$", re.I)
_NOTE = re.compile(r"^\s*[a-z][.)]?\t+\s*(.+)$")
_BULLET = re.compile(r"^\s*[•·*-]\s*(.+)$")
_PART_LABEL = {"s": "situation", "t": "task", "a": "action", "r": "result", "l": "learning"}
SLUG_STOPWORDS = frozenset(
    "a an the you your me i my we our us to of that when where what which why how is are "
    "was were do did does be been being it its this there had have has some any time "
    "tell give example describe about and or so just going think felt saw own elected "
    "undertook decided made because get can could would should in for with".split()
)
_LEAD_INS = re.compile(
    r"^(tell me about|give (me )?an example (of|where)|describe|what steps do you take to|"
    r"how do you)\s+",
    re.I,
)


@dataclass
class _Draft:
    text: str
    source: str
    parts: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    current: str | None = None


@dataclass
class _Doc:
    principle: str = ""
    description: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    questions: list[_Draft] = field(default_factory=list)
    source: str = "Interview Questions"


@dataclass(frozen=True)
class ImportReport:
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    kept: tuple[Path, ...]  # existing stories left alone (no --force)


def fix_typos(text: str) -> str:
    for wrong, right in TYPO_FIXES:
        text = text.replace(wrong, right)
    return text


def slugify(question: str, max_words: int = 4) -> str:
    first = re.split(r"(?<=[.?!])\s", question.strip())[0]
    first = _LEAD_INS.sub("", first.lower())
    words = [w for w in re.findall(r"[a-z0-9]+", first.replace("'", "")) if w not in SLUG_STOPWORDS]
    return "-".join(words[:max_words]) or "question"


def parse_notes(path: Path, text: str) -> _Doc:
    doc = _Doc()
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = fix_typos(raw.replace("\u00a0", " ").rstrip())
        if line.strip():
            _parse_line(doc, line, path, line_no)
    if not doc.principle:
        raise InterviewerError(f"{path}: empty document", "the first line names the principle")
    if not doc.questions:
        raise InterviewerError(
            f"{path}: no numbered questions found",
            "write each question as '1<tab>Tell me about ...'",
        )
    return doc


def _parse_line(doc: _Doc, line: str, path: Path, line_no: int) -> None:
    stripped = line.strip()
    heading = stripped.rstrip(":").strip().lower()
    if not doc.principle:
        doc.principle = stripped
    elif heading == "interview questions":
        doc.source = "Interview Questions"
    elif heading == "second source questions":
        doc.source = "Second Source Questions"
    elif m := _QUESTION.match(line):
        doc.questions.append(_Draft(m.group(2).strip(), doc.source))
    elif (m := _PART.match(line)) and doc.questions:
        draft = doc.questions[-1]
        draft.current = _PART_LABEL[m.group(1)[0].lower()]
        draft.parts.setdefault(draft.current, []).append(m.group(2).strip())
    elif (m := _NOTE.match(line)) and doc.questions:
        doc.questions[-1].notes.append(m.group(1).strip())
        doc.questions[-1].current = "notes"
    elif not doc.questions and (m := _BULLET.match(line)):
        doc.bullets.append(m.group(1).strip())
    elif not doc.questions and not doc.bullets:
        _join_wrapped(doc.description, stripped)
    elif doc.questions and (current := doc.questions[-1].current):
        draft = doc.questions[-1]
        bucket = draft.notes if current == "notes" else draft.parts[current]
        bucket.append(stripped)
    else:
        raise InterviewerError(
            f"{path}:{line_no}: cannot tell what this line is: {stripped[:50]!r}",
            "start questions with a number and a tab, story lines with S: T: A: R: or Learning:",
        )


def _join_wrapped(lines: list[str], line: str) -> None:
    """A line broken after a hyphen ("short-" / "term") is one word."""
    if lines and lines[-1].endswith("-"):
        lines[-1] += line
    else:
        lines.append(line)


def to_bank(doc: _Doc, root: Path) -> tuple[Principle, list[Question]]:
    pid = bank.slug_of_principle(doc.principle)
    folder = root / pid
    principle = Principle(
        pid, doc.principle, " ".join(doc.description), tuple(doc.bullets), folder / "principle.txt"
    )
    questions = []
    numbers: dict[str, int] = {}
    for index, draft in enumerate(doc.questions, start=1):
        numbers[draft.source] = numbers.get(draft.source, 0) + 1
        qid = f"{index:02d}-{slugify(draft.text)}"
        story = Story(**{label: " ".join(lines) for label, lines in draft.parts.items()})
        questions.append(
            Question(
                id=qid,
                principle=doc.principle,
                text=draft.text,
                path=folder / f"{qid}{bank.QUESTION_SUFFIX}",
                story=story,
                notes=" ".join(draft.notes),
                source=f"{draft.source} #{numbers[draft.source]}",
            )
        )
    return principle, questions


def import_notes(path: Path, root: Path, force: bool = False) -> ImportReport:
    """Write bank files for `path`; an existing file that differs is kept unless `force`."""
    if not path.is_file():
        raise InterviewerError(f"notes document not found: {path}", "check the path")
    text = bank.read_user_text(path)
    principle, questions = to_bank(parse_notes(path, text), root)
    files = [(principle.path, bank.format_principle(principle))]
    files += [(q.path, bank.format_question(q)) for q in questions]
    written: list[Path] = []
    unchanged: list[Path] = []
    kept: list[Path] = []
    for target, content in files:
        if target.exists():
            # a bank file the user re-saved in Notepad (BOM, CRLF) is still the same file
            if bank.read_user_text(target) == content:
                unchanged.append(target)
                continue
            if not force:
                kept.append(target)
                continue
        write_text_atomic(target, content, replace=True, mode=0o644)
        written.append(target)
    return ImportReport(tuple(written), tuple(unchanged), tuple(kept))
