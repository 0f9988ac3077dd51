"""Measure every accuracy figure the tests hold, under each CTranslate2 CPU backend.

Usage: python scripts/accuracy_across_cpus.py [--settings NAME ...] [--out results.json]

CTranslate2 picks its GEMM kernels by CPU: Intel MKL on Intel, oneDNN on AMD, and the ISA
(AVX2/AVX-512) by what the CPU has, so a transcript can differ by a word or two between two
machines of the same kind. The variables below force each choice on one machine. Each
setting runs in its own child process (CTranslate2 reads them once, when it loads), which
prints one JSON object; the parent prints a table with one column per setting.
Set the test limits from the worst column plus a margin, or relative to plain faster-whisper
(the `plain` rows), which moves with the backend the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "mkl0": {"CT2_USE_MKL": "0"},
    "mkl1": {"CT2_USE_MKL": "1"},
    "avx2": {"CT2_FORCE_CPU_ISA": "AVX2"},
    "avx512": {"CT2_FORCE_CPU_ISA": "AVX512"},
    "mkl1-avx2": {"CT2_USE_MKL": "1", "CT2_FORCE_CPU_ISA": "AVX2"},
    "mkl1-avx512": {"CT2_USE_MKL": "1", "CT2_FORCE_CPU_ISA": "AVX512"},
    # MKL's own code paths (conditional numerical reproducibility branches)
    "mkl1-cbwr-avx512": {"CT2_USE_MKL": "1", "MKL_CBWR": "AVX512"},
    "mkl1-cbwr-compat": {"CT2_USE_MKL": "1", "MKL_CBWR": "COMPATIBLE"},
}
SPEECH = ROOT.parent / "shared" / "speech_samples"
FIXTURES = ROOT / "audio_fixtures"
CORE = (
    "01-failed-at-work.en-us.160.flac",
    "02-took-on-something-significant.en-us.160.flac",
    "03-didnt-meet-commitments-promised.en-us.160.flac",
    "05-peer-struggling-step-help.en-us.160.flac",
)  # tests/test_cli.py


def child(quick: bool) -> dict[str, Any]:  # noqa: PLR0915 - one flat list of measurements
    import numpy as np

    from interviewer.adapters.audio_files import load_audio
    from interviewer.adapters.chunker import BackgroundTranscriber, ChunkSettings
    from interviewer.adapters.transcribe import Transcriber
    from interviewer.core.levels import level_dbfs
    from interviewer.settings import SAMPLE_RATE_HZ, TranscribeSettings
    from scripts.bench_transcribe import plain_text
    from tests.test_transcribe import FILLER_CLIPS, LONG_ANSWERS, WER_MAX, reference
    from tests.wer_tools import FILLERS, filler_recall, normalize, wer, word_errors

    out: dict[str, Any] = {}
    ours = Transcriber()
    model = ours.load()
    settings = TranscribeSettings()

    def plain(audio: np.ndarray) -> str:
        return plain_text(model, audio, settings)

    # test_transcribe: WER on the real clips, ours and plain faster-whisper
    for name in sorted(WER_MAX):
        audio = load_audio(SPEECH / name)
        ref = reference(SPEECH / name)
        text = ours.transcribe(audio).text
        out[f"clip {name} ours"] = round(wer(ref, text), 4)
        out[f"clip {name} plain"] = round(wer(ref, plain(audio)), 4)
        out[f"clip {name} words"] = len(normalize(ref))
        if name == "librivox_sonnet_001.mp3":
            out["sonnet self-substantial"] = "self-substantial" in text
    found = total = 0
    for clip in FILLER_CLIPS:
        f, n = filler_recall(reference(clip), ours.transcribe(load_audio(clip)).text)
        found, total = found + f, total + n
    out["filler recall ours"] = f"{found}/{total}"
    mfa = SPEECH / "mfa_acoustic_corpus.wav"
    audio = load_audio(mfa)
    out["mfa wer-no-fillers ours"] = round(
        wer(reference(mfa), ours.transcribe(audio).text, ignore=FILLERS), 4
    )
    out["mfa wer-no-fillers plain"] = round(wer(reference(mfa), plain(audio), ignore=FILLERS), 4)

    lead_in = load_audio(SPEECH / "librivox_sonnet_001.mp3")[: 40 * SAMPLE_RATE_HZ]
    clips = [SPEECH / "fillers" / "mfa_crossword.flac", SPEECH / "fillers" / "mfa_um.flac"]
    t = ours.transcribe(
        np.concatenate(
            [lead_in, np.zeros(SAMPLE_RATE_HZ, np.float32)] + [load_audio(c) for c in clips]
        )
    )
    late = " ".join(w.text for w in t.words if w.start_s > 40.5)
    found, total = filler_recall(" ".join(reference(c) for c in clips), late)
    out["late fillers"] = f"{found}/{total}"
    out["late capture-speech"] = round(t.filler_capture_s - t.speech_s, 3)

    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    scripts = {f["file"]: f["script"] for f in manifest["fixtures"] if "script" in f}
    for name in sorted(LONG_ANSWERS):
        audio = load_audio(FIXTURES / name)
        t = ours.transcribe(audio)
        f, n = filler_recall(scripts[name], t.text)
        written = sum(1 for w in normalize(t.text) if w in FILLERS)
        out[f"long {name} ours"] = round(wer(scripts[name], t.text, ignore=FILLERS), 4)
        out[f"long {name} plain"] = round(wer(scripts[name], plain(audio), ignore=FILLERS), 4)
        out[f"long {name} fillers written/found/total"] = f"{written}/{f}/{n}"
        out[f"long {name} capture/speech"] = round(t.filler_capture_s / t.speech_s, 3)

    class Failing(Transcriber):
        def _decode_window(self, audio: Any, spans: Any) -> None:
            return None

    jfk = SPEECH / "jfk_ask_not.flac"
    out["fallback jfk"] = round(wer(reference(jfk), Failing().transcribe(load_audio(jfk)).text), 4)
    pcm = (load_audio(SPEECH / "librispeech_1089-134691-0000.flac") * 32767).round()
    t = Transcriber(TranscribeSettings(vad_filter=False)).transcribe(pcm.astype(np.int16))
    out["vad-off errors"] = word_errors("he could wait no longer", t.text)[0]

    # test_chunker
    name = "01-failed-at-work.en-us.160.flac"
    audio = load_audio(FIXTURES / name)
    block = SAMPLE_RATE_HZ // 10
    background = BackgroundTranscriber(ours, ChunkSettings())
    for i in range(0, len(audio), block):
        background.add(audio[i : i + block], level_dbfs(audio[i : i + block]) >= -45.0)
    live = background.finish()
    whole = ours.transcribe(audio)
    out["chunker wer(whole, live)"] = round(wer(whole.text, live.text, ignore=FILLERS), 4)
    out["chunker live"] = round(wer(scripts[name], live.text, ignore=FILLERS), 4)
    out["chunker whole"] = round(wer(scripts[name], whole.text, ignore=FILLERS), 4)
    out["chunker plain"] = round(wer(scripts[name], plain(audio), ignore=FILLERS), 4)
    in_live = next(w for w in reversed(live.words) if w.text.lower().startswith("think"))
    in_whole = next(w for w in reversed(whole.words) if w.text.lower().startswith("think"))
    out["chunker think shift s"] = round(abs(in_live.start_s - in_whole.start_s), 3)
    out["chunker speech rel"] = round(abs(live.speech_s / whole.speech_s - 1), 4)
    out["chunker capture rel"] = round(abs(live.filler_capture_s / live.speech_s - 1), 4)

    # test_live (approximated without the sound server): the spoken question, transcribed
    question = (
        "Give me an example of when you saw a peer struggling and decided to step in "
        "and help. What's the situation and what actions did you take? What was the "
        "outcome?"
    )
    from interviewer.adapters import speech
    from interviewer.settings import SpeechSettings

    with tempfile.TemporaryDirectory() as cache:
        wav = speech.synthesize(question, SpeechSettings(), Path(cache))
        said = ours.transcribe(load_audio(wav)).text
    out["live question wer"] = round(wer(question, said), 4)
    name = "05-peer-struggling-step-help.en-us.160.flac"  # the live answer, in chunks
    audio = load_audio(FIXTURES / name)
    background = BackgroundTranscriber(ours, ChunkSettings())
    for i in range(0, len(audio), block):
        background.add(audio[i : i + block], level_dbfs(audio[i : i + block]) >= -45.0)
    out["live answer wer"] = round(wer(scripts[name], background.finish().text), 4)

    if quick:
        return out
    # test_cli: practice from each core fixture
    from interviewer.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "questions", Path(tmp) / "questions")
        os.environ["INTERVIEWER_BANK"] = str(Path(tmp) / "questions")
        os.environ["INTERVIEWER_CACHE"] = str(Path(tmp) / "cache")
        for fx in manifest["fixtures"]:
            if fx["file"] not in CORE:
                continue
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
                main(
                    [
                        "practice",
                        "--no-speak",
                        "--json",
                        "--question",
                        fx["question_id"],
                        "--answer-audio",
                        str(FIXTURES / fx["file"]),
                    ]
                )
            record = json.loads(buf.getvalue())
            got = {s["label"]: s for s in record["sections"]}
            edge = max(
                max(
                    abs(got[t["label"]]["start_s"] - t["start_s"]),
                    abs(got[t["label"]]["end_s"] - t["end_s"]),
                )
                for t in fx["sections"]
            )
            sec = max(wer(t["text"], got[t["label"]]["text"]) for t in fx["sections"])
            words = " ".join(w["text"] for w in record["words"])
            key = fx["file"].split(".")[0]
            out[f"cli {key} edge s"] = round(edge, 3)
            out[f"cli {key} section wer"] = round(sec, 4)
            out[f"cli {key} wer"] = round(wer(fx["script"], words), 4)

    # test_eval_star
    from scripts.eval_star import evaluate

    groups = evaluate(FIXTURES, manifest)["groups"]
    for g in ("without signposts", "with signposts"):
        out[f"star {g} accuracy"] = round(groups[g]["accuracy"], 4)
        out[f"star {g} median edge s"] = round(groups[g]["median_boundary_s"], 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the CLI and STAR figures (MKL on AMD is ~5x slower)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.quick)))
        return 0
    results: dict[str, dict[str, Any]] = {}
    for name in args.settings:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CT2_", "MKL_"))}
        argv = [sys.executable, __file__, "--child"] + (["--quick"] if args.quick else [])
        done = subprocess.run(
            argv, cwd=ROOT, text=True, env={**env, **SETTINGS[name]}, capture_output=True
        )
        if done.returncode:
            print(f"{name}: failed\n{done.stderr[-3000:]}", file=sys.stderr)
            continue
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name}: done", file=sys.stderr, flush=True)
        if args.out:
            args.out.write_text(json.dumps(results, indent=1))
    keys = list(next(iter(results.values()), {}))
    width = max(map(len, keys), default=10)
    print(" " * width + "".join(f" {n[:12]:>12}" for n in results))
    for key in keys:
        cells = "".join(f" {str(r.get(key))[:12]:>12}" for r in results.values())
        print(f"{key:<{width}}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
