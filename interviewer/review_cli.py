"""Argument parsers and command functions for reviewing attempts (review, history, report,
reanalyze). Kept apart from cli.py so that file stays small; argparse only at import time:
everything else is imported inside the commands so `interviewer --help` stays fast."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer.errors import InterviewerError

if TYPE_CHECKING:  # the commands import their modules when run: `--help` stays fast
    from interviewer.adapters.bank import Bank
    from interviewer.core.models import Question
    from interviewer.core.records import Attempt


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "review", help="one attempt: STAR timeline, metrics, transcript beside your story"
    )
    p.add_argument(
        "attempt",
        nargs="?",
        metavar="ATTEMPT",
        help="an attempt file (.json, .md or its audio) or name; default: the latest",
    )
    _question_arg(p, "the latest attempt at this question")
    colour_arg(p)
    bank_arg(p)

    p = sub.add_parser("history", help="every attempt with its timings and how they moved")
    _question_arg(p, "only attempts at this question")
    p.add_argument("--json", action="store_true", help="rows with their changes as JSON")
    colour_arg(p)
    bank_arg(p)

    p = sub.add_parser("report", help="write an HTML report to click through (works offline)")
    _question_arg(p, "only this question (written beside its story)")
    p.add_argument("--open", action="store_true", help="open the report in your web browser")
    bank_arg(p)

    p = sub.add_parser("reanalyze", help="re-run the analysis over saved attempts")
    _question_arg(p, "only attempts at this question")
    p.add_argument(
        "--model",
        metavar="M",
        help="also re-transcribe the saved audio with this faster-whisper model name or folder",
    )
    bank_arg(p)


def _question_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--question", "-q", metavar="ID", help=f"{what} (a unique prefix works)")


def colour_arg(p: argparse.ArgumentParser) -> None:
    """--color, shared with cli.py."""
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (default: on a terminal, unless NO_COLOR is set)",
    )


def bank_arg(p: argparse.ArgumentParser) -> None:
    """--bank, shared with cli.py."""
    p.add_argument(
        "--bank",
        type=Path,
        metavar="DIR",
        help="question bank folder (default: $INTERVIEWER_BANK or ./questions)",
    )


# --- commands -------------------------------------------------------------------------------


def cmd_review(args: argparse.Namespace) -> int:
    import shutil

    from interviewer.adapters import store
    from interviewer.adapters.bank import load_bank
    from interviewer.views import review

    bank = load_bank(args.bank)
    warn = _warn_once()
    if args.attempt:  # asked for by name: a damaged file is an error, not a warning
        path = resolve_attempt(bank.root, args.attempt)
        record = store.load_attempt(path)
    else:
        path, record = _latest_readable(pick_attempts(bank, args.question), warn)
    question = question_of(bank, record)
    siblings = store.attempts_for(question) if question else [path]
    at = siblings.index(path) if path in siblings else len(siblings) - 1
    previous = _previous_summary(siblings[:at], warn)
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))
    style = review.style_for(sys.stdout, args.color)
    print(
        review.review_text(
            record,
            question,
            width=width,
            style=style,
            position=(at + 1, len(siblings)),
            previous=previous,
        )
    )
    return 0


def _warn_once() -> Callable[[str], None]:
    """A warning printer for damaged records that says each one once per command."""
    seen: set[str] = set()

    def warn(line: str) -> None:
        if line not in seen:
            seen.add(line)
            print(line, file=sys.stderr)

    return warn


def _latest_readable(paths: list[Path], warn: Callable[[str], None]) -> tuple[Path, Attempt]:
    from interviewer.adapters import store
    from interviewer.views import review

    for path, record in store.readable(reversed(paths), warn):
        return path, record
    raise InterviewerError("no readable attempt saved yet", review.NO_ATTEMPTS_HINT)


def _previous_summary(
    earlier: list[Path], warn: Callable[[str], None] = print
) -> dict[str, Any] | None:
    """The last analysed attempt before this one, summarised; damaged ones are passed over."""
    from interviewer.adapters import store
    from interviewer.views import review

    for path, record in store.readable(reversed(earlier), warn):
        if record.status == "ok":
            return review.summarise(record, path.name)
    return None


def cmd_history(args: argparse.Namespace) -> int:
    from interviewer.adapters.bank import load_bank, load_coach_settings
    from interviewer.views import review

    bank = load_bank(args.bank)
    found = review.summaries(bank.root)
    for line in found.skipped:
        print(f"Warning: skipped {line}", file=sys.stderr)
    items = found.items
    if args.question:
        qid = bank.find(args.question).id
        items = [s for s in items if s["question_id"] == qid]
    for s in items:
        if s.get("unfinished"):
            print(review.unfinished_line(s), file=sys.stderr)
    if not items and args.json:
        print("[]")  # a program reading the list gets an empty one, not an error
        return 0
    if not items:
        raise none_yet(bank.root, bank.find(args.question).id if args.question else None)
    rows = review.with_deltas(items)
    if args.json:
        for row in rows:
            row.pop("previous")
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    titles = {q.id: q.text for q in bank.questions}
    coach = load_coach_settings(bank.root)
    print(review.history_text(rows, titles, coach, review.style_for(sys.stdout, args.color)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from interviewer.adapters.bank import load_bank
    from interviewer.views import report

    bank = load_bank(args.bank)
    question = bank.find(args.question) if args.question else None
    path = report.write_report(bank, question, warn=lambda line: print(line, file=sys.stderr))
    print(f"Report: {path}")
    if args.open:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    return 0


def cmd_reanalyze(args: argparse.Namespace) -> int:
    from interviewer import reanalyze
    from interviewer.adapters.bank import load_bank

    bank = load_bank(args.bank)
    question = bank.find(args.question) if args.question else None
    done = reanalyze.run(bank, question, args.model, log=print)
    if not done:
        raise none_yet(bank.root, question.id if question else None)
    return 0


def none_yet(root: Path, question_id: str | None) -> InterviewerError:
    """Nothing to show: at this question, or in the whole bank."""
    from interviewer.views import review

    if question_id:
        return InterviewerError(
            f"no attempts at {question_id} yet",
            f"record one: 'interviewer practice -q {question_id}'",
        )
    return InterviewerError(f"no attempts saved yet in {root}", review.NO_ATTEMPTS_HINT)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "review": cmd_review,
    "history": cmd_history,
    "report": cmd_report,
    "reanalyze": cmd_reanalyze,
}


# --- finding attempts -------------------------------------------------------------------------


def pick_attempt(bank: Bank, attempt: str | None, question_id: str | None) -> Path:
    """The attempt named on the command line, else the latest at --question, else the latest."""
    if attempt:
        return resolve_attempt(bank.root, attempt)
    return pick_attempts(bank, question_id)[-1]


def pick_attempts(bank: Bank, question_id: str | None) -> list[Path]:
    """Every attempt at --question (or in the bank), oldest first; an error if none."""
    from interviewer.adapters import store

    if question_id:
        question = bank.find(question_id)
        paths = store.attempts_for(question)
        if not paths:
            raise none_yet(bank.root, question.id)
        return paths
    paths = store.all_attempts(bank.root)
    if not paths:
        raise none_yet(bank.root, None)
    return paths


def resolve_attempt(root: Path, name: str) -> Path:
    """A path or bare name of any attempt file (.json, .md, audio) to its JSON record."""
    from interviewer.adapters.store import find_attempt

    return find_attempt(root, name)


def question_of(bank: Bank, record: Attempt) -> Question | None:
    """The bank question an attempt answered, or None if it has since been removed."""
    return next((q for q in bank.questions if q.id == record.question_id), None)
