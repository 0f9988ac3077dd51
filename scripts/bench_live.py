"""Live path vs batch path on the virtual microphone, in one run.

For a ~2-minute spoken answer fed into the virtual microphone, measures:
- end-of-answer -> summary latency of the live path (chunks transcribed in the background
  while the answer is spoken) against the batch path (the whole WAV transcribed after the
  answer ends, as plain faster-whisper use would do);
- CPU use while recording (process CPU seconds / wall seconds) and time spent transcribing;
- WER of each against the script (the live path must stay within 0.02 of the whole pass,
  on the mean over the runs: one run's gap is mostly noise).

Usage: python scripts/bench_live.py [--repeats N]   (needs pulseaudio; starts its own daemon)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.adapters.audio_files import (  # noqa: E402
    load_audio,
    read_recording,
    write_wav_atomic,
)
from interviewer.adapters.bank import load_bank  # noqa: E402
from interviewer.adapters.keys import KeyReader  # noqa: E402
from interviewer.adapters.transcribe import Transcriber  # noqa: E402
from interviewer.core import analysis  # noqa: E402
from interviewer.core.coaching import CoachSettings  # noqa: E402
from interviewer.core.pauses import find_pauses  # noqa: E402
from interviewer.core.records import Attempt  # noqa: E402
from interviewer.live import Devices, Screen, record_answer  # noqa: E402
from interviewer.settings import LiveSettings  # noqa: E402
from interviewer.views import summary  # noqa: E402
from tests.audio_server import VirtualAudio  # noqa: E402
from tests.wer_tools import wer  # noqa: E402

FIXTURES = ROOT / "audio_fixtures"
PARTS = ("01-failed-at-work.en-us.160.flac", "05-peer-struggling-step-help.en-us.160.flac")


def two_minute_answer(folder: Path) -> tuple[Path, str]:
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    scripts = {f["file"]: f["script"] for f in manifest["fixtures"]}
    audio = np.concatenate([load_audio(FIXTURES / p) for p in PARTS])  # about 140 s
    path = folder / "answer.wav"
    write_wav_atomic(path, audio, 16000)
    return path, " ".join(scripts[p] for p in PARTS)


def _embed() -> dict:
    """The STAR split's sentence encoder, as a live session passes it (none before it had one)."""
    try:
        from interviewer.session import sentence_embedder
    except ImportError:
        return {}
    return {"embed": sentence_embedder()}


def _start_loading_embedder() -> None:
    """As LiveSession.run does at the start of a session, so it loads while the person speaks."""
    try:
        from interviewer.session import start_loading_embedder
    except ImportError:
        return
    start_loading_embedder()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_once(
    audio: VirtualAudio,
    answer: Path,
    script: str,
    transcriber: Transcriber,
    question,
    folder: Path,
    n: int,
) -> dict:
    read_fd, write_fd = os.pipe()  # no keys pressed: silence ends the answer
    keys = KeyReader(read_fd)
    keys.start()
    screen = Screen(open(os.devnull, "w"))  # noqa: SIM115
    feeder = None
    wav = folder / f"take{n}.wav"

    def feed() -> None:
        nonlocal feeder
        audio.wait_for_recording_stream(30)
        feeder = audio.feed_mic(answer)

    import threading

    threading.Thread(target=feed, daemon=True).start()
    wall0, cpu0 = time.perf_counter(), cpu_s()
    story = {"story": question.story} if "story" in record_answer.__code__.co_varnames else {}
    result = record_answer(wav, transcriber, LiveSettings(), Devices(), keys, screen, **story)
    t_live_done = time.perf_counter()
    live_record = analysis.analyse(
        question,
        result.transcript,
        find_pauses(read_recording(wav), 16000),
        CoachSettings(),
        **_embed(),
    )
    summary.summary(Attempt.from_json({**live_record, "question_id": question.id, "duration_s": 0}))
    analysis_s = time.perf_counter() - t_live_done
    live_latency = result.latency_s + analysis_s
    wall, cpu = time.perf_counter() - wall0, cpu_s() - cpu0
    # Batch: after the same end of answer, transcribe the whole recording, then analyse.
    t0 = time.perf_counter()
    samples = read_recording(wav)
    whole = transcriber.transcribe(samples)
    batch_record = analysis.analyse(
        question, whole, find_pauses(samples, 16000), CoachSettings(), **_embed()
    )
    summary.summary(
        Attempt.from_json({**batch_record, "question_id": question.id, "duration_s": 0})
    )
    batch_latency = time.perf_counter() - t0
    os.close(write_fd)
    if feeder:
        feeder.wait(10)
    text = lambda t: " ".join(w.text for w in t.words)  # noqa: E731
    return {
        "answer_s": result.duration_s,
        "ended_by": result.reason,
        "live_latency_s": live_latency,
        "transcript_latency_s": result.latency_s,
        "analysis_s": analysis_s,
        "batch_latency_s": batch_latency,
        "cpu_while_recording": cpu / wall,
        "wer_live": wer(script, text(result.transcript)),
        "wer_batch": wer(script, text(whole)),
        "first_block_delay_s": result.first_block_delay_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        answer, script = two_minute_answer(folder)
        audio = VirtualAudio(folder / "pulse").start()
        try:
            transcriber = Transcriber()
            _start_loading_embedder()
            transcriber.load()
            question = load_bank(ROOT / "questions").find("01-failed-at-work")
            runs = [
                run_once(audio, answer, script, transcriber, question, folder, n)
                for n in range(args.repeats)
            ]
        finally:
            audio.stop()
    print(
        f"{'run':>3} {'answer s':>8} {'live s':>7} {'batch s':>8} {'ratio':>6} "
        f"{'CPU rec':>8} {'WER live':>9} {'WER batch':>10}  ended by"
    )
    for i, r in enumerate(runs):
        print(
            f"{i:>3} {r['answer_s']:>8.1f} {r['live_latency_s']:>7.2f} "
            f"{r['batch_latency_s']:>8.2f} {r['live_latency_s'] / r['batch_latency_s']:>6.2f} "
            f"{r['cpu_while_recording']:>7.0%} {r['wer_live']:>9.3f} {r['wer_batch']:>10.3f}"
            f"  {r['ended_by']}"
        )
    for i, r in enumerate(runs):
        print(
            f"run {i}: end of answer -> transcript {r['transcript_latency_s']:.2f} s, "
            f"-> STAR split, metrics and summary {r['analysis_s']:.2f} s more"
        )
    worst = max(r["live_latency_s"] for r in runs)
    # Per run, the gap is mostly noise: the whole pass alone moves by about 0.02-0.03 between
    # runs of the same answer (where the recording starts, sampled temperature fallbacks).
    # So the target is held by the mean over the runs; the worst run is shown too.
    gaps = [r["wer_live"] - r["wer_batch"] for r in runs]
    mean_gap = statistics.mean(gaps)
    spread = max(r["wer_batch"] for r in runs) - min(r["wer_batch"] for r in runs)
    print(
        f"\nworst live latency {worst:.2f} s (target <= 1.5 s): "
        f"{'PASS' if worst <= 1.5 else 'FAIL'}"
    )
    print(
        f"live WER - whole-pass WER, mean of {len(runs)} runs {mean_gap:+.3f} "
        f"(target <= 0.02): {'PASS' if mean_gap <= 0.02 else 'FAIL'}"
    )
    print(
        f"  worst run {max(gaps):+.3f}, best {min(gaps):+.3f}; the whole pass alone varies "
        f"by {spread:.3f} between runs"
    )
    print(
        "CPU rec = process CPU time / wall time from the start of recording to the summary "
        "(1.0 = one core busy)"
    )
    print(
        f"peak RSS of this benchmark process (live and batch paths, every run): "
        f"{peak_rss_mb():.0f} MB; a live session alone: scripts/bench_session_rss.py"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
