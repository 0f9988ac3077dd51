"""The question bank: one plain-text file per question, read, written and imported.

A question file looks like this (blank lines between parts; every part may be empty):

    Question: Tell me about a time when you failed at work?
    Principle: Ownership
    Source: Interview Questions #1

    Situation:
    I don't like to fail, but we all fail. ...

    Task:
    ...

A principle's own description lives in `principle.txt` in the same folder.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.core.coaching import CoachSettings, coach_settings_from
from interviewer.core.models import LABEL_TITLES, LABELS, Principle, Question, Story
from interviewer.errors import InterviewerError

PRINCIPLE_FILE = "principle.txt"
SETTINGS_FILE = "settings.toml"  # coaching targets, see core/coaching.py
QUESTION_SUFFIX = ".txt"
META_KEYS = ("question", "principle", "source")
PART_KEYS = {title.lower(): label for label, title in LABEL_TITLES.items()} | {"notes": "notes"}
_PART_LINE = re.compile(r"^(situation|task|action|result|learning|notes)\s*:\s*(.*)$", re.I)
_META_LINE = re.compile(r"^([A-Za-z]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Bank:
    root: Path
    principles: tuple[Principle, ...]
    questions: tuple[Question, ...]
    # Question files that could not be read, by question id: left out (with a warning) so
    # that one mistake in one file does not stop practising every other question.
    broken: dict[str, InterviewerError] = field(default_factory=dict)

    def find(self, query: str) -> Question:
        return find_question(self, query)


def default_bank_dir() -> Path:
    """`INTERVIEWER_BANK`, else the `questions/` folder of this checkout, else ./questions."""
    env = os.environ.get("INTERVIEWER_BANK")
    if env:
        return Path(env).expanduser()
    beside_package = Path(__file__).resolve().parents[2] / "questions"
    return beside_package if beside_package.is_dir() else Path("questions")


# --- reading -------------------------------------------------------------------------------


def _bank_error(path: Path, line_no: int, what: str, hint: str) -> InterviewerError:
    return InterviewerError(f"{path}:{line_no}: {what}", hint)


def _twice(path: Path, line_no: int, key: str, first: int, hint: str) -> InterviewerError:
    return _bank_error(path, line_no, f"'{key}:' appears twice (first on line {first})", hint)


def parse_question_file(path: Path, text: str, principle_id: str) -> Question:
    """Parse one question file; errors name the file and line."""
    meta: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}  # where each header and part began, to name both lines
    current: str | None = None
    lines = text.splitlines()
    for line_no, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("#"):
            continue
        part = _PART_LINE.match(line)
        if part:
            current = PART_KEYS[part.group(1).lower()]
            if current in parts:
                raise _twice(
                    path, line_no, part.group(1), first_line[current], "merge the two parts"
                )
            parts[current] = [part.group(2)] if part.group(2) else []
            first_line[current] = line_no
            continue
        m = _META_LINE.match(line)
        if (
            current is not None
            and m
            and m.group(1).lower() == "question"
            and (current != "notes" or _starts_a_question(lines[line_no:]))
        ):
            # A question pasted below a story would silently become story text (a note may
            # say "Question: ..." unless a question file's header or parts follow it).
            if "question" not in meta:
                raise _bank_error(
                    path, line_no, "'Question:' below the story", "move it to the top of the file"
                )
            raise _twice(
                path,
                line_no,
                m.group(1),
                first_line["question"],
                "keep one question per file: move the other to a file of its own",
            )
        if current is None:
            if not line.strip():
                continue
            if not m or m.group(1).lower() not in META_KEYS:
                raise _bank_error(
                    path,
                    line_no,
                    f"expected 'Question: ...' or a part heading, found {line.strip()[:40]!r}",
                    "start story text with 'Situation:', 'Task:', 'Action:', 'Result:' "
                    "or 'Learning:' on its own line",
                )
            key = m.group(1).lower()
            if key in meta:
                # Whichever of two values won, the user would practise text they did not mean.
                hint = (
                    "keep one question per file: move the other to a file of its own"
                    if key == "question"
                    else f"keep one '{m.group(1)}:' line"
                )
                raise _twice(path, line_no, m.group(1), first_line[key], hint)
            meta[key] = m.group(2).strip()
            first_line[key] = line_no
            continue
        parts[current].append(line)
    if not meta.get("question"):
        raise _bank_error(
            path, 1, "no 'Question:' line", "add 'Question: <the question>' at the top"
        )
    story = Story(**{label: _join(parts.get(label, [])) for label in LABELS})
    return Question(
        id=path.stem,
        principle=meta.get("principle") or principle_id,
        text=meta["question"],
        path=path,
        story=story,
        notes=_join(parts.get("notes", [])),
        source=meta.get("source", ""),
    )


def _starts_a_question(after: list[str]) -> bool:
    following = next((line.strip() for line in after if line.strip()), "")
    meta = _META_LINE.match(following)
    return bool(_PART_LINE.match(following) or (meta and meta.group(1).lower() in META_KEYS))


def _join(lines: list[str]) -> str:
    """Paragraph lines back into text: single newlines join, blank lines stay as breaks."""
    paragraphs = "\n".join(lines).strip().split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def parse_principle_file(path: Path, text: str) -> Principle:
    lines = text.splitlines()
    name = ""
    name_line = 0
    body: list[str] = []
    bullets: list[str] = []
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        m = _META_LINE.match(line)
        if name and m and m.group(1).lower() == "principle":
            raise _twice(path, line_no, m.group(1), name_line, "keep one 'Principle:' line")
        if not name:
            if not line:
                continue
            if not m or m.group(1).lower() != "principle":
                raise _bank_error(
                    path, line_no, "no 'Principle:' line", "start with 'Principle: <name>'"
                )
            name, name_line = m.group(2).strip(), line_no
        elif line.startswith("- "):
            bullets.append(line[2:].strip())
        else:
            body.append(line)
    if not name:
        raise _bank_error(path, 1, "empty principle file", "start with 'Principle: <name>'")
    return Principle(path.parent.name, name, _join(body), tuple(bullets), path)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_user_text(path: Path, data: bytes) -> str:
    """Text the user wrote in any editor, as one str with "\\n" line ends.

    Windows Notepad starts UTF-8 files with a byte order mark and ends lines with CRLF; files
    joined with `cat` carry a BOM in the middle too. A BOM is never part of what the user wrote
    (U+FEFF as a zero-width space is deprecated), so every one goes. Notepad's "Unicode" is
    UTF-16, which gets its own message: the generic "not UTF-8" would not say what to change.
    """
    if data.startswith(_UTF16_BOMS):
        raise InterviewerError(
            f"{path}: saved as UTF-16 (Notepad's 'Unicode')",
            "save it again with the encoding UTF-8",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterviewerError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})", "save it as UTF-8"
        ) from exc
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def read_user_text(path: Path) -> str:
    """A file the user edits (bank file, notes document, settings), see decode_user_text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InterviewerError(f"cannot read {path}: {exc.strerror}", "check the file") from exc
    return decode_user_text(path, data)


def load_coach_settings(bank_root: Path | None) -> CoachSettings:
    """The coaching targets: `settings.toml` in the bank laid over the defaults, or the
    defaults alone when there is no such file. Raises InterviewerError for a file that cannot
    be read, is not TOML, or holds an unknown setting or a value that is not a number."""
    path = bank_root / SETTINGS_FILE if bank_root else None
    if path is None or not path.exists():
        return CoachSettings()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(read_user_text(path))  # Notepad's BOM is a TOML syntax error
    except (OSError, ValueError) as exc:
        raise InterviewerError(f"{path}: {exc}", "fix the TOML syntax or delete the file") from exc
    return coach_settings_from(data, str(path))


def _read(path: Path) -> str:
    try:
        return decode_user_text(path, path.read_bytes())
    except OSError as exc:
        raise InterviewerError(f"cannot read {path}: {exc.strerror}", "check the file") from exc


def _listing(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise InterviewerError(
            f"cannot read the question bank folder {folder}: {exc.strerror}",
            f"make it readable for your user (chmod u+rwx {folder}), or pass --bank DIR",
        ) from exc


def load_bank(root: Path | None = None, warn: Callable[[str], object] | None = None) -> Bank:
    """The bank in `root`; a question file with a mistake is left out, with one warning line
    naming file and line (given to `warn`, stderr by default)."""
    warn = warn or _warn_on_stderr
    broken: dict[str, InterviewerError] = {}
    root = root or default_bank_dir()
    if not root.is_dir():
        raise InterviewerError(
            f"question bank folder not found: {root}",
            "pass --bank DIR, set INTERVIEWER_BANK, or run 'interviewer import NOTES' first",
        )
    principles: list[Principle] = []
    questions: list[Question] = []
    for folder in _listing(root):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        files = _listing(folder)  # not glob: it passes over a folder it cannot read
        pfile = folder / PRINCIPLE_FILE
        if pfile in files:
            principles.append(parse_principle_file(pfile, _read(pfile)))
        name = principles[-1].name if pfile in files else folder.name
        for qfile in files:
            if (
                qfile.suffix == QUESTION_SUFFIX
                and qfile.name != PRINCIPLE_FILE
                and not qfile.name.startswith(".")
            ):
                try:
                    questions.append(parse_question_file(qfile, _read(qfile), name))
                except InterviewerError as exc:
                    broken[qfile.stem] = exc
                    warn(f"Warning: {exc} (question {qfile.stem} is left out until it is fixed)")
    if not questions:
        if len(broken) == 1:
            raise next(iter(broken.values()))
        raise InterviewerError(
            f"no questions in {root}", "run 'interviewer import NOTES' to build the bank"
        )
    return Bank(root, tuple(principles), tuple(questions), broken)


def _warn_on_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def find_question(bank: Bank, query: str) -> Question:
    """Exact id, else a unique prefix (e.g. '01'), else an error suggesting close ids."""
    ids = [q.id for q in bank.questions]
    by_id = {q.id: q for q in bank.questions}
    if query in by_id:
        return by_id[query]
    if query in bank.broken:
        raise bank.broken[query]
    prefixed = [i for i in [*ids, *bank.broken] if i.startswith(query)] if query else []
    if len(prefixed) == 1:
        if prefixed[0] in bank.broken:
            raise bank.broken[prefixed[0]]
        return by_id[prefixed[0]]
    if len(prefixed) > 1:
        starts = ", ".join(sorted(prefixed)[:5])
        raise InterviewerError(
            f"question {query!r} is ambiguous",
            f"ids that start with it: {starts}; give more of the id",
        )
    close = prefixed or difflib.get_close_matches(query, ids, n=3, cutoff=0.4)
    if not close:
        close = [i for i in ids if query.lower() in i]
    hint = f"did you mean {', '.join(close[:3])}?" if close else ""
    raise InterviewerError(
        f"unknown question {query!r}",
        (hint + " " if hint else "") + "'interviewer questions' lists the ids",
    )


# --- writing -------------------------------------------------------------------------------


def format_question(q: Question) -> str:
    lines = [f"Question: {q.text}", f"Principle: {q.principle}"]
    if q.source:
        lines.append(f"Source: {q.source}")
    for label in LABELS:
        lines += ["", f"{LABEL_TITLES[label]}:"]
        if q.story.part(label):
            lines.append(q.story.part(label))
    if q.notes:
        lines += ["", "Notes:", q.notes]
    return "\n".join(lines) + "\n"


def format_principle(p: Principle) -> str:
    lines = [f"Principle: {p.name}", "", p.description, ""]
    lines += [f"- {b}" for b in p.bullets]
    return "\n".join(lines) + "\n"


def slug_of_principle(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "principle"
