"""Benchmark our Transcriber against plain faster-whisper on the real speech samples.

Usage: python scripts/bench_transcribe.py [--model NAME_OR_FOLDER] [--repeats 3] [--no-fillers]

Both paths use the same loaded model and settings (VAD on, word timestamps, beam 5, no
conditioning on previous text). Runs are warmed up and interleaved, order alternating per
repeat, and the median total time per path is compared. Peak memory is measured in two
child processes (one per path), each loading the model and transcribing every clip once,
because a process's peak RSS (VmHWM) only ever grows and would mix the two paths.
Timing on a shared 2-core machine is noisy: compare ratios from the same run only.
Our path is the default Transcriber, which keeps "um"/"uh" (plain decoding drops them), so
the WER check removes fillers from both sides; --no-fillers runs ours without filler capture.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.adapters.audio_files import load_audio  # noqa: E402
from interviewer.adapters.transcribe import Transcriber  # noqa: E402
from interviewer.settings import TranscribeSettings  # noqa: E402
from tests.wer_tools import FILLERS, word_errors  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "speech_samples"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3")
WER_MARGIN = 0.01
TIME_RATIO_MAX = 1.10
HELP_MAX_S = 0.5


def clips() -> list[tuple[Path, str]]:
    """(audio file, reference text) for every sample; `.norm.txt` wins over `.txt`."""
    found = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.suffix not in AUDIO_SUFFIXES:
            continue
        norm, plain = path.with_suffix(".norm.txt"), path.with_suffix(".txt")
        ref = norm if norm.exists() else plain
        found.append((path, ref.read_text(encoding="utf-8")))
    if not found:
        sys.exit(f"no speech samples in {SAMPLES}")
    return found


def plain_text(model, audio, settings: TranscribeSettings) -> str:
    from faster_whisper.vad import VadOptions

    segments, _ = model.transcribe(
        audio,
        language=settings.language,
        beam_size=settings.beam_size,
        initial_prompt=settings.initial_prompt,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters=VadOptions(
            min_silence_duration_ms=settings.vad_min_silence_ms,
            speech_pad_ms=settings.vad_speech_pad_ms,
        ),
    )
    return " ".join(s.text.strip() for s in segments)


def vm_hwm_mb() -> float:
    """Peak resident memory of this process (Linux VmHWM, same as getrusage ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path_name: str, settings: TranscribeSettings, keep_fillers: bool) -> None:
    """One path only: load, transcribe every clip once, report peak memory as JSON."""
    transcriber = Transcriber(settings, keep_fillers=keep_fillers)
    model = transcriber.load()
    loaded = vm_hwm_mb()
    for clip, _ in clips():
        audio = load_audio(clip)
        if path_name == "ours":
            transcriber.transcribe(audio)
        else:
            plain_text(model, audio, settings)
    print(json.dumps({"after_load_mb": loaded, "peak_mb": vm_hwm_mb()}))


def memory(settings_args: list[str]) -> dict[str, dict[str, float]]:
    out = {}
    for name in ("plain", "ours"):
        cmd = [sys.executable, __file__, "--child", name, *settings_args]
        result = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out[name] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def help_time_s(repeats: int = 5) -> float | None:
    """Median wall time of `python -m interviewer --help`; None if there is no CLI yet."""
    if not (ROOT / "interviewer" / "cli.py").exists():
        return None
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "interviewer", "--help"], cwd=ROOT, capture_output=True
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(f"interviewer --help failed: {done.stderr.decode()[-300:]}")
            return None
    return statistics.median(times)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run(settings: TranscribeSettings, repeats: int, keep_fillers: bool) -> dict:
    transcriber = Transcriber(settings, keep_fillers=keep_fillers)
    model = transcriber.load()
    data = [(p.name, load_audio(p), ref) for p, ref in clips()]
    # Warm up both paths (first calls allocate buffers and load the VAD model).
    transcriber.transcribe(data[0][1])
    plain_text(model, data[0][1], settings)
    times: dict[str, list[list[float]]] = {"ours": [], "plain": []}
    texts: dict[str, dict[str, list[str]]] = {"ours": {}, "plain": {}}
    for rep in range(repeats):
        rep_times = {"ours": [], "plain": []}
        for name, audio, _ in data:
            runs = {
                "ours": lambda a=audio: transcriber.transcribe(a).text,
                "plain": lambda a=audio: plain_text(model, a, settings),
            }
            order = ("ours", "plain") if rep % 2 == 0 else ("plain", "ours")
            for path_name in order:
                text, seconds = timed(runs[path_name])
                rep_times[path_name].append(seconds)
                texts[path_name].setdefault(name, []).append(text)
        for path_name in times:
            times[path_name].append(rep_times[path_name])
    return {
        "data": data,
        "times": times,
        "texts": texts,
        "label": transcriber.label,
        "keep_fillers": keep_fillers,
    }


def median_errors(ref: str, texts: list[str], ignore: tuple[str, ...] = ()) -> tuple[float, int]:
    """Word errors, median over the repeats: the temperature fallback samples at random, so a
    clip that triggers it (mfa_cutoff.flac) gives a different text on each run."""
    scored = [word_errors(ref, text, ignore=ignore) for text in texts]
    return statistics.median(e for e, _ in scored), scored[0][1]


def report(result: dict, mem: dict, help_s: float | None) -> bool:
    data, times, texts = result["data"], result["times"], result["texts"]
    print(
        f"model: {result['label']}{'' if result['keep_fillers'] else ' (ours: no fillers)'}; "
        f"times and word errors are medians over {len(times['ours'])} repeats\n"
    )
    print(f"{'clip':34} {'len s':>6} {'WER ours':>9} {'WER plain':>9} {'t ours':>7} {'t plain':>7}")
    totals = {"ours": [0.0, 0], "plain": [0.0, 0], "ours_nf": [0.0, 0], "plain_nf": [0.0, 0]}
    for i, (name, audio, ref) in enumerate(data):
        row = {}
        for p in ("ours", "plain"):
            errors, n = median_errors(ref, texts[p][name])
            errors_nf, n_nf = median_errors(ref, texts[p][name], ignore=FILLERS)
            totals[p][0] += errors
            totals[p][1] += n
            totals[p + "_nf"][0] += errors_nf
            totals[p + "_nf"][1] += n_nf
            row[p] = (errors / max(n, 1), statistics.median(r[i] for r in times[p]))
        print(
            f"{name:34} {len(audio) / 16000:6.1f} {row['ours'][0]:9.3f} {row['plain'][0]:9.3f} "
            f"{row['ours'][1]:7.2f} {row['plain'][1]:7.2f}"
        )
    wer = {k: v[0] / v[1] for k, v in totals.items()}
    t_ours = statistics.median(sum(r) for r in times["ours"])
    t_plain = statistics.median(sum(r) for r in times["plain"])
    ratio = t_ours / t_plain
    print(
        f"{'TOTAL (pooled WER)':34} {'':6} {wer['ours']:9.3f} {wer['plain']:9.3f} "
        f"{t_ours:7.2f} {t_plain:7.2f}"
    )
    print(f"WER without fillers: ours {wer['ours_nf']:.3f}, plain {wer['plain_nf']:.3f}")
    print(
        "peak RSS (VmHWM, one child process per path, model load + every clip once): "
        + ", ".join(
            f"{k} {v['peak_mb']:.0f} MB (after load {v['after_load_mb']:.0f} MB)"
            for k, v in mem.items()
        )
    )
    checks = [
        (
            "WER without fillers, ours <= plain + 0.01",
            wer["ours_nf"] <= wer["plain_nf"] + WER_MARGIN,
            f"{wer['ours_nf']:.3f} vs {wer['plain_nf']:.3f}",
        ),
        ("time ratio ours/plain <= 1.10", ratio <= TIME_RATIO_MAX, f"{ratio:.3f}"),
    ]
    if help_s is None:
        print("interviewer --help: skipped (no interviewer/cli.py yet, or it failed)")
    else:
        checks.append(("interviewer --help < 0.5 s", help_s < HELP_MAX_S, f"{help_s:.3f} s"))
    print()
    for what, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {what}: {value}")
    return all(ok for _, ok, _ in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model name or folder (default: embedded tiny.en)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--no-fillers",
        action="store_true",
        help="our path without filler capture (Transcriber(keep_fillers=False))",
    )
    parser.add_argument("--child", choices=("ours", "plain"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = replace(TranscribeSettings(), model=args.model)
    if args.child:
        child(args.child, settings, not args.no_fillers)
        return 0
    result = run(settings, max(1, args.repeats), not args.no_fillers)
    child_args = (["--model", args.model] if args.model else []) + (
        ["--no-fillers"] if args.no_fillers else []
    )
    mem = memory(child_args)
    return 0 if report(result, mem, help_time_s()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
