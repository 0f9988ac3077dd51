#!/usr/bin/env python3
"""Time `review`, `history` and `report` over 1,000 saved attempts (target: under 1 s each).

Builds a temporary copy of the question bank and fills it with synthetic-but-realistic
attempts: answers spoken from the reference stories at 120-190 words a minute, with pauses,
fillers, dropped and missing sections, analysed by the real pipeline (`analysis.analyse`,
`summary.markdown`, `store.save_record`), dated over two months. One silent WAV is hardlinked
as every attempt's audio. Then each command runs in-process (cold and warm attempt index) and
as a subprocess (`python -m interviewer ...`, what a person waits for).

    scripts/bench_review.py [--attempts 1000] [--keep] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.adapters import store  # noqa: E402
from interviewer.adapters.bank import load_bank  # noqa: E402
from interviewer.core import analysis  # noqa: E402
from interviewer.core.coaching import CoachSettings  # noqa: E402
from interviewer.core.models import LABELS, Question, Transcript, Word  # noqa: E402
from interviewer.core.records import Attempt  # noqa: E402
from interviewer.views import summary  # noqa: E402

TARGET_S = 1.0
FILLERS = ("um", "uh", "like,", "you know,")
AUDIO_S = 200  # long enough for any synthetic answer


def synthetic_words(question: Question, fallback: Question, rng: random.Random) -> list[Word]:
    """The story read aloud at a random pace, with pauses and the odd filler or skipped part."""
    story = question.story if question.has_story else fallback.story
    wps = rng.uniform(120, 190) / 60
    words: list[Word] = []
    t = rng.uniform(0.3, 1.2)
    for label in LABELS:
        if label in ("result", "learning") and rng.random() < 0.12:
            continue  # a forgotten part, as real answers have
        for sentence in story.part(label).replace("\n", " ").split(". "):
            for token in sentence.split():
                if rng.random() < 0.02:
                    words.append(Word(rng.choice(FILLERS), t, t + 0.3, 0.6))
                    t += 0.35
                length = max(0.12, len(token) / 6 / wps)
                words.append(Word(token, round(t, 3), round(t + length, 3), rng.uniform(0.4, 1)))
                t += length + rng.uniform(0.0, 0.08)
            t += rng.uniform(0.3, 1.4)
        t += rng.uniform(0.6, 2.2)
    return words


def pauses_of(words: list[Word]) -> list[tuple[float, float]]:
    return [(a.end_s, b.start_s) for a, b in zip(words, words[1:]) if b.start_s - a.end_s >= 0.2]


def silent_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 16000 * AUDIO_S)


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def fill_bank(root: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    bank = load_bank(root)
    coach = CoachSettings()
    fallback = next(q for q in bank.questions if q.has_story)
    wav = root / "shared-bench-audio.wav"
    silent_wav(wav)
    start = datetime(2026, 9, 1, 8, 0, 0).astimezone()
    for i in range(n):
        question = bank.questions[rng.randrange(len(bank.questions))]
        when = start + timedelta(minutes=87 * i, seconds=rng.randrange(60))
        words = synthetic_words(question, fallback, rng)
        transcript = Transcript(tuple(words), duration_s=round(words[-1].end_s + 1.0, 3))
        files = store.reserve(question, ".wav", when)
        link_or_copy(wav, files.audio)
        record = analysis.new_record(question, transcript, when)
        record["audio"] = files.audio.name
        record.update(analysis.analyse(question, transcript, pauses_of(words), coach))
        attempt = Attempt.from_json(record)
        store.save_record(files, attempt, summary.markdown(attempt, question))
    wav.unlink()


def in_process(argv: list[str]) -> float:
    from interviewer.cli import main

    sink = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        code = main(argv)
    elapsed = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"interviewer {' '.join(argv)} failed with {code}")
    return elapsed


def as_subprocess(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "interviewer", *argv], check=True, capture_output=True, cwd=ROOT
    )
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attempts", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the median counts")
    ap.add_argument("--keep", action="store_true", help="keep the temporary bank")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    root = tmp / "questions"
    shutil.copytree(ROOT / "questions", root, ignore=shutil.ignore_patterns("*.attempt-*"))
    t0 = time.perf_counter()
    fill_bank(root, args.attempts)
    print(f"{args.attempts} attempts written to {root} in {time.perf_counter() - t0:.1f} s")
    try:
        return run_benchmarks(root, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(tmp)


def run_benchmarks(root: Path, repeat: int) -> int:
    bank = ["--bank", str(root)]
    q = load_bank(root).questions[0].id
    from interviewer.views.review import INDEX_FILE

    rows = []
    for how, runner in (("subprocess", as_subprocess), ("in-process", in_process)):
        (root / INDEX_FILE).unlink(missing_ok=True)  # first run: reads all 1,000 records
        rows.append(("history, no index yet", how, runner(["history", *bank])))
    commands = {
        "review (latest)": ["review", *bank],
        f"review -q {q[:2]}": ["review", "-q", q, *bank],
        "history": ["history", *bank],
        f"history -q {q[:2]}": ["history", "-q", q, *bank],
        "report (every question)": ["report", *bank],
        f"report -q {q[:2]}": ["report", "-q", q, *bank],
    }
    for name, argv in commands.items():
        for how, runner in (("in-process", in_process), ("subprocess", as_subprocess)):
            times = sorted(runner(argv) for _ in range(repeat))
            rows.append((name, how, times[len(times) // 2]))
    failed = 0
    print(f"\n{'command':<40} {'how':<11} {'time':>8}  target {TARGET_S:.0f} s")
    for name, how, seconds in rows:
        ok = seconds < TARGET_S
        failed += not ok
        print(f"{name:<40} {how:<11} {seconds:>7.3f}s  {'PASS' if ok else 'FAIL'}")
    size = (root / "report.html").stat().st_size
    print(f"\nreport.html: {size / 1024:.0f} KiB")
    print("PASS" if not failed else f"FAIL ({failed} over {TARGET_S:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
