"""Which transcription method keeps "um"/"uh" with tiny.en? Measured on the real clips.

Usage: python scripts/bench_fillers.py [--model NAME_OR_FOLDER] [--only NAME,NAME] [--fixtures]

For each method, in one run, with the same loaded model:
- fillers: found/total on fillers/*.flac and mfa_acoustic_corpus.wav (.norm.txt references),
  matched by count per clip (tests/wer_tools.filler_recall);
- long: the same filler clips again, but placed after 40 s of read speech (1.5 s silences in
  between), so they fall in later 30 s windows, like the middle of a two-minute answer;
- extra: fillers written that the references do not hold, over all clips;
- WER-f: pooled WER over ALL real clips with fillers removed from both sides;
- time: total transcription seconds over all clips (noisy on a shared 2-core machine);
- with --fixtures, also fx WER-f and fx worst: pooled and worst WER-f over the spoken answers
  in audio_fixtures/ (espeak, 45-95 s each), where long-answer failures show.
Targets: filler recall >= 0.8 and WER-f <= plain + 0.02.
The default Transcriber gives the filler list as hotwords over pause-cut windows of at most
28 s, one pass each (see interviewer/transcribe.py); the hotwords rows show why not over
faster-whisper's own windows (run scripts/eval_star.py for the long answers).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_transcribe import clips  # noqa: E402

from interviewer.adapters.audio_files import load_audio  # noqa: E402
from interviewer.adapters.transcribe import Transcriber  # noqa: E402
from interviewer.settings import FILLER_PROMPT, SAMPLE_RATE_HZ, TranscribeSettings  # noqa: E402
from tests.wer_tools import FILLERS, filler_recall, normalize, word_errors  # noqa: E402

NATURAL_PROMPT = "Um, so, uh, I was, like, you know, thinking."
LEAD_IN_S = 40.0  # read speech before the filler clips in the long composite
GAP_S = 1.5

Words = list[tuple[str, float, float]]  # (text, start_s, end_s)


def speech_spans(audio: np.ndarray, settings: TranscribeSettings) -> list[tuple[int, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=settings.vad_min_silence_ms,
        speech_pad_ms=settings.vad_speech_pad_ms,
    )
    return [(c["start"], c["end"]) for c in get_speech_timestamps(audio, options)]


def decode(model, audio: np.ndarray, spans, **options) -> Words:
    """VAD once, decode the speech, map times back (as Transcriber does)."""
    from faster_whisper.transcribe import restore_speech_timestamps

    if not spans:
        return []
    speech = np.concatenate([audio[a:b] for a, b in spans])
    segments, _ = model.transcribe(
        speech,
        language="en",
        beam_size=5,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
        **options,
    )
    chunks = [{"start": a, "end": b} for a, b in spans]
    return [
        (w.word.strip(), w.start, w.end)
        for s in restore_speech_timestamps(segments, chunks, SAMPLE_RATE_HZ)
        for w in s.words or ()
        if w.word.strip()
    ]


def gap_fill(model, audio: np.ndarray, spans, **options) -> Words:
    """Plain decoding, then a second pass over voiced gaps between words: decode each gap
    alone with the filler prompt and keep what it says only if that is a filler."""
    words = decode(model, audio, spans)
    rate = 50  # RMS frames per second (20 ms)
    frame = SAMPLE_RATE_HZ // rate
    rms = np.sqrt(np.mean(audio[: len(audio) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = rms[rms > 0.01]
    voiced_level = max(0.01, 0.2 * float(np.median(loud))) if len(loud) else 1.0
    out: Words = []
    prev_end = 0.0
    for i in range(len(words) + 1):
        next_start = words[i][1] if i < len(words) else len(audio) / SAMPLE_RATE_HZ
        a, b = int((prev_end + 0.05) * rate), int((next_start - 0.05) * rate)
        if next_start - prev_end >= 0.3 and (rms[a:b] > voiced_level).sum() >= 8:  # 160 ms
            clip = audio[int(prev_end * SAMPLE_RATE_HZ) : int(next_start * SAMPLE_RATE_HZ)]
            segments, _ = model.transcribe(
                clip,
                language="en",
                beam_size=5,
                vad_filter=False,
                initial_prompt=FILLER_PROMPT,
                condition_on_previous_text=False,
            )
            said = normalize(" ".join(s.text for s in segments))
            if said and all(w in FILLERS for w in said):
                out.extend((w, prev_end, next_start) for w in said[:2])
        if i < len(words):
            out.append(words[i])
            prev_end = words[i][2]
    return out


def methods(transcriber: Transcriber, filler_transcriber: Transcriber) -> dict[str, Callable]:
    """The prompt/hotwords rows decode all the speech in one call (faster-whisper's own 30 s
    windows); the last row is what the interviewer does by default."""
    model = transcriber.load()

    def ours(t: Transcriber) -> Callable:
        return lambda audio, spans: [
            (w.text, w.start_s, w.end_s) for w in t.transcribe(audio).words
        ]

    return {
        "plain": lambda a, s: decode(model, a, s),
        "prompt: filler list": lambda a, s: decode(model, a, s, initial_prompt=FILLER_PROMPT),
        "prompt: natural": lambda a, s: decode(model, a, s, initial_prompt=NATURAL_PROMPT),
        "prompt: list, suppress []": lambda a, s: decode(
            model, a, s, initial_prompt=FILLER_PROMPT, suppress_tokens=[]
        ),
        "prompt: list, temp 0 only": lambda a, s: decode(
            model, a, s, initial_prompt=FILLER_PROMPT, temperature=0.0
        ),
        "hotwords: filler list": lambda a, s: decode(model, a, s, hotwords=FILLER_PROMPT),
        "hotwords: natural": lambda a, s: decode(model, a, s, hotwords=NATURAL_PROMPT),
        "hotwords: 'um uh'": lambda a, s: decode(model, a, s, hotwords="um uh"),
        "gap second pass": lambda a, s: gap_fill(model, a, s),
        "Transcriber (default)": ours(filler_transcriber),
    }


def long_composite(data) -> tuple[np.ndarray, str]:
    read = next(a for name, a, _ in data if name == "librivox_sonnet_001.mp3")
    gap = np.zeros(int(GAP_S * SAMPLE_RATE_HZ), np.float32)
    parts, refs = [read[: int(LEAD_IN_S * SAMPLE_RATE_HZ)], gap], []
    for name, audio, ref in data:
        if is_filler_clip(name):
            parts += [audio, gap]
            refs.append(ref)
    return np.concatenate(parts), " ".join(refs)


def is_filler_clip(name: str) -> bool:
    return name.startswith("fillers/") or name == "mfa_acoustic_corpus.wav"


def fixture_data() -> list[tuple[str, np.ndarray, str]]:
    manifest = json.loads((ROOT / "audio_fixtures" / "manifest.json").read_text())
    return [
        (f["file"], load_audio(ROOT / "audio_fixtures" / f["file"]), f["script"])
        for f in manifest["fixtures"]
    ]


def fixture_wer(fn: Callable, fixtures, settings: TranscribeSettings) -> tuple[float, float]:
    errors = n_ref = 0
    worst = 0.0
    for _name, audio, script in fixtures:
        text = " ".join(w[0] for w in fn(audio, speech_spans(audio, settings)))
        e, n = word_errors(script, text, ignore=FILLERS)
        errors, n_ref, worst = errors + e, n_ref + n, max(worst, e / max(n, 1))
    return errors / n_ref, worst


def score(fn: Callable, data, settings: TranscribeSettings, long_clip) -> dict:
    found = total = extra = errors = n_ref = 0
    seconds = 0.0
    for name, audio, ref in data:
        start = time.perf_counter()
        text = " ".join(w[0] for w in fn(audio, speech_spans(audio, settings)))
        seconds += time.perf_counter() - start
        f, t = filler_recall(ref, text)
        hyp_fillers = sum(1 for w in normalize(text) if w in FILLERS)
        extra += hyp_fillers - f
        if is_filler_clip(name):
            found, total = found + f, total + t
        e, n = word_errors(ref, text, ignore=FILLERS)
        errors, n_ref = errors + e, n_ref + n
    audio, ref = long_clip
    after = " ".join(
        w[0] for w in fn(audio, speech_spans(audio, settings)) if w[1] > LEAD_IN_S + GAP_S / 2
    )
    long_found, long_total = filler_recall(ref, after)
    return {
        "found": found,
        "total": total,
        "long": (long_found, long_total),
        "extra": extra,
        "wer": errors / n_ref,
        "time": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model name or folder (default: embedded tiny.en)")
    parser.add_argument("--only", help="comma-separated method names to run (plain is kept)")
    parser.add_argument(
        "--fixtures",
        action="store_true",
        help="also score WER on the long spoken answers in audio_fixtures/",
    )
    args = parser.parse_args()
    settings = TranscribeSettings(model=args.model)
    transcriber = Transcriber(settings, keep_fillers=False)
    filler_transcriber = Transcriber(settings, keep_fillers=True)
    samples = ROOT.parent / "shared" / "speech_samples"
    data = [(str(p.relative_to(samples)), load_audio(p), ref) for p, ref in clips()]
    long_clip = long_composite(data)
    chosen = methods(transcriber, filler_transcriber)
    if args.only:
        keep = {"plain", *args.only.split(",")}
        chosen = {k: v for k, v in chosen.items() if k in keep}
    transcriber.transcribe(data[0][1])  # warm-up
    print(
        f"model {transcriber.label}; {len(data)} clips; long composite "
        f"{len(long_clip[0]) / SAMPLE_RATE_HZ:.0f} s\n"
    )
    fixtures = fixture_data() if args.fixtures else []
    print(
        f"{'method':28} {'fillers':>8} {'recall':>6} {'long':>6} {'extra':>5} "
        f"{'WER-f':>6} {'time s':>6}" + ("  fx WER-f  fx worst" if fixtures else "")
    )
    results = {}
    for name, fn in chosen.items():
        r = results[name] = score(fn, data, settings, long_clip)
        fx = ""
        if fixtures:
            pooled, worst = fixture_wer(fn, fixtures, settings)
            fx = f"  {pooled:8.3f}  {worst:8.3f}"
        print(
            f"{name:28} {r['found']:>4}/{r['total']:<3} {r['found'] / r['total']:6.2f} "
            f"{r['long'][0]:>3}/{r['long'][1]:<2} {r['extra']:5d} {r['wer']:6.3f} "
            f"{r['time']:6.1f}{fx}",
            flush=True,
        )
    base = results["plain"]["wer"]
    print(f"\ntargets: recall >= 0.80 (short and long), WER-f <= {base + 0.02:.3f}")
    for name, r in results.items():
        ok = (
            r["found"] >= 0.8 * r["total"]
            and r["long"][0] >= 0.8 * r["long"][1]
            and r["wer"] <= base + 0.02
        )
        print(f"{'PASS' if ok else 'fail'}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
