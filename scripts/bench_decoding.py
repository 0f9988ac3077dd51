"""Measure the decoding faults of issue 9 section 4 against plain faster-whisper, in one run.

Usage: python scripts/bench_decoding.py [--src DIR] [--only babble,quiet,runon,long]
       [--runs 4] [--minutes 35]

- babble: a murmur from another room (scripts/bench_inputs.babble) at -45 and -40 dBFS,
  transcribed --runs times: words written per run (ours, ours without fillers, plain);
- quiet: WER of every real clip at its own level and scaled to -35 dBFS RMS (ours, plain);
- runon: WER of the run-on answer (no pause of 0.1 s anywhere) at several speaking rates;
- long: a --minutes long FLAC of looped real speech: wall time and peak RSS of
  `python -m interviewer transcribe FILE` and of plain faster-whisper (decode_audio, then
  transcribe with VAD) in child processes under /usr/bin/time -v, and their ratios.
"Plain" is faster-whisper's transcribe() with its defaults (temperature fallback, VAD) and
the same beam, language and word timestamps; "plain t=0" the same at temperature 0 only.
--src DIR runs "ours" from another checkout (e.g. `git archive BASE | tar -x -C DIR`) to
get the figures from before a change in the same conditions.
Timing on a shared 2-core machine is noisy: compare ratios from the same run only.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATES_WPM = (140, 150, 160, 170, 175)


def setup_path(src: Path) -> None:
    # The scorer is always this checkout's (an older --src has no tests/wer_tools.py), so it
    # is imported before src goes first on the path; the interviewer package comes from src.
    sys.path.insert(0, str(ROOT))
    import tests.wer_tools  # noqa: F401

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(src))


def plain(model, audio, temperature=None) -> str:  # type: ignore[no-untyped-def]
    options = {} if temperature is None else {"temperature": temperature}
    segments, _ = model.transcribe(
        audio,
        language="en",
        beam_size=5,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 1000},
        **options,
    )
    return " ".join(s.text.strip() for s in segments)


def babble(runs: int) -> None:
    import bench_inputs as bi

    from interviewer.adapters.transcribe import Transcriber

    ours, nofill = Transcriber(), Transcriber(keep_fillers=False)
    model = ours.load()
    print(f"babble (30 s, 6 reversed espeak-ng voices, low-passed): words per run, {runs} runs")
    for level in (-45.0, -40.0):
        audio = bi.babble(30.0, level)
        rows = {
            "ours": [len(ours.transcribe(audio).words) for _ in range(runs)],
            "ours, no fillers": [len(nofill.transcribe(audio).words) for _ in range(runs)],
            "plain": [len(plain(model, audio).split()) for _ in range(runs)],
        }
        for name, counts in rows.items():
            print(f"  {level:5.0f} dBFS  {name:17} {counts}")
    print()


def quiet() -> None:
    import bench_inputs as bi
    from bench_transcribe import clips

    from interviewer.adapters.audio_files import load_audio
    from interviewer.adapters.transcribe import Transcriber
    from tests.wer_tools import FILLERS, word_errors

    ours = Transcriber()
    model = ours.load()
    totals = {k: [0, 0] for k in ("ours", "ours -35", "plain t=0", "plain t=0 -35")}
    for path, ref in clips():
        audio = load_audio(path)
        soft = bi.scale_to(audio, -35.0)
        for key, text in (
            ("ours", ours.transcribe(audio).text),
            ("ours -35", ours.transcribe(soft).text),
            ("plain t=0", plain(model, audio, 0.0)),
            ("plain t=0 -35", plain(model, soft, 0.0)),
        ):
            errors, n = word_errors(ref, text, ignore=FILLERS)
            totals[key][0] += errors
            totals[key][1] += n
    print("real clips, pooled WER without fillers, at their own level and at -35 dBFS RMS:")
    print("  " + ", ".join(f"{k} {e / n:.3f}" for k, (e, n) in totals.items()) + "\n")


def runon() -> None:
    import bench_inputs as bi

    from interviewer.adapters.transcribe import Transcriber
    from tests.wer_tools import FILLERS, word_errors

    ours = Transcriber()
    model = ours.load()
    print("run-on answer (no pause >= 0.1 s), WER without fillers:")
    print(f"  {'wpm':>4} {'len s':>6} {'ours':>6} {'plain':>6} {'plain t=0':>9}")
    sums = [0.0, 0.0, 0.0]
    for wpm in RATES_WPM:
        audio, ref = bi.run_on(wpm)
        wers = [
            word_errors(ref, text, ignore=FILLERS)
            for text in (ours.transcribe(audio).text, plain(model, audio), plain(model, audio, 0.0))
        ]
        rates = [e / n for e, n in wers]
        sums = [s + r for s, r in zip(sums, rates)]
        print(
            f"  {wpm:4d} {len(audio) / 16000:6.1f} {rates[0]:6.3f} {rates[1]:6.3f} {rates[2]:9.3f}"
        )
    n = len(RATES_WPM)
    print(f"  mean        {sums[0] / n:6.3f} {sums[1] / n:6.3f} {sums[2] / n:9.3f}\n")


PLAIN_CHILD = """
import sys
from faster_whisper.audio import decode_audio
sys.path.insert(0, {scripts!r})
from bench_decoding import plain
from interviewer.adapters.transcribe import Transcriber
model = Transcriber().load()
print(len(plain(model, decode_audio({path!r})).split()), "words")
"""


def timed_child(cmd: list[str], src: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of a child process, from /usr/bin/time -v."""
    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], cwd=src, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{cmd[:4]} failed: {done.stderr[-500:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
    return wall, peak_kb / 1024, done.stdout


def long(minutes: float, src: Path) -> None:
    import bench_inputs as bi

    with tempfile.TemporaryDirectory() as tmp:
        path = bi.long_file(Path(tmp) / "long.flac", minutes)
        ours = timed_child([sys.executable, "-m", "interviewer", "transcribe", str(path)], src)
        code = PLAIN_CHILD.format(scripts=str(Path(__file__).resolve().parent), path=str(path))
        base = timed_child([sys.executable, "-c", code], src)
    print(f"{minutes:g} min of looped real speech (FLAC):")
    print(
        f"  ours  (interviewer transcribe): {ours[0]:7.1f} s  peak RSS {ours[1]:5.0f} MB  "
        f"{len(ours[2].split())} words"
    )
    print(
        f"  plain (decode_audio+transcribe): {base[0]:6.1f} s  peak RSS {base[1]:5.0f} MB  "
        f"{base[2].strip()}"
    )
    print(f"  ratio ours/plain: time {ours[0] / base[0]:.2f}, peak RSS {ours[1] / base[1]:.2f}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT,
        help="checkout whose interviewer package is 'ours' (default: this one)",
    )
    parser.add_argument("--only", default="babble,quiet,runon,long")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=35.0)
    args = parser.parse_args()
    src = args.src.resolve()
    setup_path(src)
    print(f"ours from {src}\n")
    chosen = args.only.split(",")
    if "babble" in chosen:
        babble(args.runs)
    if "quiet" in chosen:
        quiet()
    if "runon" in chosen:
        runon()
    if "long" in chosen:
        long(args.minutes, src)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
