"""CPU time of the STAR split and metrics for a 3-minute answer, after transcription.

The answer is three spoken fixtures' scripts at their true sentence times, one after another
(about 3 minutes, audio_fixtures/manifest.json), with the question's written story. Prints
the CPU seconds (this process, median of --repeats) of analysis.analyse:
- warm: the sentences were embedded while the answer was spoken (the live path);
- cold: every sentence embedded at the end (practice from a file, reanalyze);
and the encoder's share. The encoder's load is not counted (it loads in the background).

    .venv/bin/python scripts/bench_star.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer import session  # noqa: E402
from interviewer.adapters.bank import load_bank  # noqa: E402
from interviewer.core import analysis, star  # noqa: E402
from interviewer.core.coaching import CoachSettings  # noqa: E402
from interviewer.core.models import Transcript, Word  # noqa: E402

PARTS = (
    "01-failed-at-work.en-us.160.flac",
    "05-peer-struggling-step-help.en-us.160.flac",
    "06-ensure-projects-complete-transitioned.en-us.160.flac",
)


def three_minute_answer() -> Transcript:
    manifest = json.loads((ROOT / "audio_fixtures" / "manifest.json").read_text())
    by_file = {f["file"]: f for f in manifest["fixtures"]}
    words, offset = [], 0.0
    for name in PARTS:
        for s in by_file[name]["sentences"]:
            tokens = s["text"].split()
            step = (s["end_s"] - s["start_s"]) / len(tokens)
            for k, tok in enumerate(tokens):
                t = offset + s["start_s"] + k * step
                words.append(Word(tok, round(t, 3), round(t + step * 0.9, 3)))
        offset += by_file[name]["duration_s"]
    return Transcript(tuple(words), offset, offset)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    transcript = three_minute_answer()
    question = load_bank(ROOT / "questions").find("01-failed-at-work")
    embed = session.sentence_embedder()  # loads the encoder (not timed)
    pauses = [
        (a.end_s, b.start_s)
        for a, b in zip(transcript.words, transcript.words[1:])
        if b.start_s - a.end_s >= 0.2
    ]
    units = star.split_sentences(transcript.words)

    def run(warm: bool) -> float:
        session._EMBEDDED.clear()
        if warm:
            session.warm_embeddings(transcript.words)
        t0 = time.process_time()
        analysis.analyse(question, transcript, pauses, CoachSettings(), embed=embed)
        return time.process_time() - t0

    run(True)  # first call pays for imports and the model file
    warm = statistics.median(run(True) for _ in range(args.repeats))
    cold = statistics.median(run(False) for _ in range(args.repeats))
    t0 = time.process_time()
    for _ in range(args.repeats):
        session._EMBEDDED.clear()
        embed([u.text for u in units])
    encode = (time.process_time() - t0) / args.repeats
    print(
        f"answer {transcript.duration_s:.0f} s, {len(transcript.words)} words, "
        f"{len(units)} sentences/clauses"
    )
    print(
        f"analysis (STAR split + metrics), CPU s: warm {warm:.3f}, cold {cold:.3f} "
        f"(target <= 0.3); encoding every sentence alone {encode:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
