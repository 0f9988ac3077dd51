"""Score STAR segmentation (`interviewer.star`) against the true sections of the fixtures.

For each spoken fixture in `audio_fixtures/manifest.json`: transcribe it with the interviewer
Transcriber (embedded tiny.en), find pauses, segment it with the question's reference story
(None for answers to no question), and compare with the true sections:

- word-label accuracy: each word's label against the true section holding its midpoint (the
  nearest section when the midpoint falls in a gap between sections);
- boundary errors: |predicted - true| start and end of every section spoken in both;
- missing sections: whether each label is reported missing exactly when it was not spoken.

    python scripts/eval_star.py [--strict] [--json] [--cache FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer import star  # noqa: E402
from interviewer.models import LABELS, Section, Story, Word  # noqa: E402
from interviewer.wer import filler_recall, wer  # noqa: E402

RATE_HZ = 16000
GROUPS = ("with signposts", "without signposts", "core", "fillers", "missing sections",
          "paraphrase", "different story", "no story")
# group -> (minimum word-label accuracy, maximum median boundary error in seconds)
TARGETS: dict[str, tuple[float, float]] = {
    "without signposts": (0.90, 0.5),
    "with signposts": (0.97, 0.3),
}
Segmenter = Callable[..., "star.Segmentation"]


# --- pure scoring ---------------------------------------------------------------------------


def true_label(t: float, true_sections: Sequence[dict[str, Any]]) -> str:
    """Label of the true section holding time `t`, else of the nearest one."""
    def distance(s: dict[str, Any]) -> float:
        return max(s["start_s"] - t, 0.0, t - s["end_s"])

    return str(min(true_sections, key=distance)["label"])


def score_fixture(
    pred_sections: Sequence[Section],
    word_labels: Sequence[str],
    words: Sequence[Word],
    true_sections: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """Accuracy, boundary errors and missing-section agreement for one answer."""
    truth = [true_label((w.start_s + w.end_s) / 2, true_sections) for w in words]
    correct = sum(p == t for p, t in zip(word_labels, truth))
    true_by = {s["label"]: s for s in true_sections}
    pred_by = {s.label: s for s in pred_sections if not s.missing}
    boundaries = []
    for label in LABELS:
        if label in true_by and label in pred_by:
            t, p = true_by[label], pred_by[label]
            for edge, true_s, pred_s in (("start", t["start_s"], p.start_s),
                                         ("end", t["end_s"], p.end_s)):
                boundaries.append({"label": label, "edge": edge, "true_s": true_s,
                                   "pred_s": pred_s, "error_s": round(abs(pred_s - true_s), 3)})
    falsely_missing = [label for label in LABELS if label in true_by and label not in pred_by]
    falsely_present = [label for label in LABELS if label not in true_by and label in pred_by]
    errors = [b["error_s"] for b in boundaries]
    return {
        "words": len(words),
        "correct": correct,
        "accuracy": round(correct / len(words), 4) if words else 0.0,
        "boundaries": boundaries,
        "median_boundary_s": round(statistics.median(errors), 3) if errors else None,
        "worst_boundary_s": round(max(errors), 3) if errors else None,
        "falsely_missing": falsely_missing,
        "falsely_present": falsely_present,
        "missing_ok": not falsely_missing and not falsely_present,
        "confusions": _confusions(word_labels, truth),
    }


def _confusions(pred: Sequence[str], truth: Sequence[str]) -> dict[str, int]:
    """'true->predicted': word count, for the wrong words only."""
    out: dict[str, int] = {}
    for p, t in zip(pred, truth):
        if p != t:
            out[f"{t}->{p}"] = out.get(f"{t}->{p}", 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def summarize(scores: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Pooled numbers for a group: accuracy over all words, boundary errors over all edges."""
    scores = list(scores)
    words = sum(s["words"] for s in scores)
    errors = [b["error_s"] for s in scores for b in s["boundaries"]]
    return {
        "fixtures": len(scores),
        "words": words,
        "accuracy": round(sum(s["correct"] for s in scores) / words, 4) if words else None,
        "median_boundary_s": round(statistics.median(errors), 3) if errors else None,
        "worst_boundary_s": round(max(errors), 3) if errors else None,
        "missing_ok": sum(s["missing_ok"] for s in scores),
    }


def check_targets(groups: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for group, (min_acc, max_median) in TARGETS.items():
        g = groups.get(group) or {}
        acc, med = g.get("accuracy"), g.get("median_boundary_s")
        out.append({
            "group": group, "accuracy": acc, "min_accuracy": min_acc,
            "median_boundary_s": med, "max_median_boundary_s": max_median,
            "accuracy_pass": acc is not None and acc >= min_acc,
            "boundary_pass": med is not None and med <= max_median,
        })
    return out


# --- running the pipeline -------------------------------------------------------------------


@functools.cache
def _story_for(question_id: str | None) -> Story | None:
    """The question's reference story, as the app passes it to `star.segment`."""
    if question_id is None:
        return None
    from interviewer.bank import load_bank

    question = load_bank(ROOT / "questions").find(question_id)
    return question.story if question.has_story else None


def _words_and_pauses(
    path: Path, cache: dict[str, Any] | None
) -> tuple[list[Word], list[tuple[float, float]]]:
    """Transcript words and pauses of one file, from the cache when it has them."""
    key = f"{path.name}:{path.stat().st_size}"
    if cache is not None and key in cache:
        hit = cache[key]
        return [Word(*w) for w in hit["words"]], [tuple(p) for p in hit["pauses"]]
    from interviewer.audiofile import load_audio
    from interviewer.pauses import find_pauses

    audio = load_audio(path)
    words = list(_transcriber().transcribe(audio).words)
    pauses = find_pauses(audio, RATE_HZ)
    if cache is not None:
        cache[key] = {"words": [[w.text, w.start_s, w.end_s, w.probability] for w in words],
                      "pauses": [list(p) for p in pauses]}
    return words, pauses


_TRANSCRIBER: list[Any] = []


def _transcriber() -> Any:
    if not _TRANSCRIBER:
        from interviewer.settings import TranscribeSettings
        from interviewer.transcribe import Transcriber

        _TRANSCRIBER.append(Transcriber(TranscribeSettings()))
    return _TRANSCRIBER[0]


def evaluate(
    fixtures_dir: Path,
    manifest: dict[str, Any],
    cache: dict[str, Any] | None = None,
    segmenter: Segmenter | None = None,
) -> dict[str, Any]:
    """Score every spoken fixture; `segmenter` defaults to `star.segment` (for experiments)."""
    segment = segmenter or star.segment
    fixtures: list[dict[str, Any]] = []
    no_speech: list[dict[str, Any]] = []
    for fx in manifest["fixtures"]:
        words, pauses = _words_and_pauses(fixtures_dir / fx["file"], cache)
        if fx["kind"] == "no-speech":
            no_speech.append({"file": fx["file"], "words": len(words),
                              "ok": not words, "text": " ".join(w.text for w in words)})
            continue
        seg = segment(words, _story_for(fx["question_id"]), pauses)
        score = score_fixture(seg.sections, seg.word_labels, words, fx["sections"])
        hyp = " ".join(w.text for w in words)
        fillers = filler_recall(fx["script"], hyp)
        fixtures.append({"file": fx["file"], "groups": fx["groups"], **score,
                         "wer": round(wer(fx["script"], hyp), 3),
                         "fillers_found": list(fillers),
                         "predicted": [_section_dict(s) for s in seg.sections]})
    groups = {g: summarize(f for f in fixtures if g in f["groups"]) for g in GROUPS}
    groups = {g: v for g, v in groups.items() if v["fixtures"]}
    return {"fixtures": fixtures, "no_speech": no_speech, "groups": groups,
            "overall": summarize(fixtures), "targets": check_targets(groups)}


def _section_dict(s: Section) -> dict[str, Any]:
    return {"label": s.label, "start_s": s.start_s, "end_s": s.end_s, "missing": s.missing,
            "reason": s.reason}


# --- report ---------------------------------------------------------------------------------


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _missing_text(f: dict[str, Any]) -> str:
    bad = [f"-{x}" for x in f["falsely_missing"]] + [f"+{x}" for x in f["falsely_present"]]
    return "ok" if not bad else " ".join(bad)


def report(result: dict[str, Any]) -> str:
    lines = [f"{'fixture':<72} {'acc':>6} {'med s':>6} {'worst':>6} {'WER':>5}  missing"]
    for f in result["fixtures"]:
        med, worst = _fmt(f["median_boundary_s"], "6.2f"), _fmt(f["worst_boundary_s"], "6.2f")
        lines.append(f"{f['file'][:72]:<72} {f['accuracy']:>6.3f} {med} {worst} "
                     f"{f['wer']:>5.2f}  {_missing_text(f)}")
    for n in result["no_speech"]:
        lines.append(f"{n['file']:<72} no speech: {n['words']} words "
                     f"{'ok' if n['ok'] else 'INVENTED: ' + n['text'][:40]}")
    lines += ["", f"{'group':<20} {'n':>3} {'words':>6} {'acc':>6} {'med s':>6} {'worst':>6}"
                  f"  missing ok"]
    rows = [*result["groups"].items(), ("overall", result["overall"])]
    for name, g in rows:
        lines.append(f"{name:<20} {g['fixtures']:>3} {g['words']:>6} {_fmt(g['accuracy'], '6.3f')} "
                     f"{_fmt(g['median_boundary_s'], '6.2f')} {_fmt(g['worst_boundary_s'], '6.2f')}"
                     f"  {g['missing_ok']}/{g['fixtures']}")
    lines.append("")
    for t in result["targets"]:
        lines.append(
            f"{t['group']:<20} accuracy {_fmt(t['accuracy'], '.3f')} >= {t['min_accuracy']:.2f} "
            f"{'PASS' if t['accuracy_pass'] else 'FAIL'}; median boundary "
            f"{_fmt(t['median_boundary_s'], '.2f')} s <= {t['max_median_boundary_s']:.2f} s "
            f"{'PASS' if t['boundary_pass'] else 'FAIL'}")
    return "\n".join(lines)


def passed(result: dict[str, Any]) -> bool:
    return all(t["accuracy_pass"] and t["boundary_pass"] for t in result["targets"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "audio_fixtures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--cache", type=Path,
                        help="JSON file of transcripts and pauses, reused when present")
    args = parser.parse_args(argv)
    manifest = json.loads((args.fixtures / "manifest.json").read_text(encoding="utf-8"))
    cache: dict[str, Any] | None = None
    if args.cache:
        cache = json.loads(args.cache.read_text()) if args.cache.exists() else {}
    result = evaluate(args.fixtures, manifest, cache)
    if args.cache and cache is not None:
        args.cache.write_text(json.dumps(cache))
    print(json.dumps(result, indent=1) if args.json else report(result))
    return 1 if args.strict and not passed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
