"""Score STAR segmentation (`interviewer.core.star`) against the true sections of the fixtures.

For each spoken fixture in `audio_fixtures/manifest.json`: transcribe it with the interviewer
Transcriber (embedded tiny.en), find pauses, segment it with the question's reference story
(None for answers to no question), and compare with the true sections:

- word-label accuracy: each word's label against the true section holding its midpoint (the
  nearest section when the midpoint falls in a gap between sections);
- boundary errors: |predicted - true| start and end of every section spoken in both;
- missing sections: whether each label is reported missing exactly when it was not spoken.

    python scripts/eval_star.py [--strict] [--json] [--cache FILE]

With --corpus it scores a spoken STAR corpus instead (`../shared/star_corpus/dev.json`: answers
labelled clause by clause, with render.py and score.py beside it), by its own scorer's metrics
(score.py: word-label accuracy over spoken time with `other` left out, boundary error per true
section start, invented and missed parts), at two levels side by side:

- text: the true words at their true times (render.py's clause times; no ASR), so what is left
  is the segmentation's own error;
- audio: as score.py does it: render.py's recording through the app's transcription, pauses and
  analysis, scored by score.py. Transcripts are cached, so a segmentation change re-runs fast.

Items are split into k folds by id; anything fitted is fitted on k-1 folds and every figure is
reported from the held-out fold (`fit` is where a trainer plugs in; today nothing is fitted).

    python scripts/eval_star.py --corpus ../shared/star_corpus/dev.json [--level text|audio|both]
        [--timing render|estimate] [--work DIR] [--folds 5] [--json] [--out FILE]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import json
import random
import re
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.core import analysis, star  # noqa: E402
from interviewer.core.models import LABELS, Section, Story, Transcript, Word  # noqa: E402
from tests.wer_tools import filler_recall, wer  # noqa: E402

RATE_HZ = 16000
GROUPS = (
    "with signposts",
    "without signposts",
    "core",
    "fillers",
    "missing sections",
    "paraphrase",
    "different story",
    "no story",
)
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
        return max(float(s["start_s"]) - t, 0.0, t - float(s["end_s"]))

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
            for edge, true_s, pred_s in (
                ("start", t["start_s"], p.start_s),
                ("end", t["end_s"], p.end_s),
            ):
                boundaries.append(
                    {
                        "label": label,
                        "edge": edge,
                        "true_s": true_s,
                        "pred_s": pred_s,
                        "error_s": round(abs(pred_s - true_s), 3),
                    }
                )
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
        out.append(
            {
                "group": group,
                "accuracy": acc,
                "min_accuracy": min_acc,
                "median_boundary_s": med,
                "max_median_boundary_s": max_median,
                "accuracy_pass": acc is not None and acc >= min_acc,
                "boundary_pass": med is not None and med <= max_median,
            }
        )
    return out


# --- running the pipeline -------------------------------------------------------------------


@functools.cache
def _story_for(question_id: str | None) -> Story | None:
    """The question's reference story, as the app passes it to `star.segment`."""
    if question_id is None:
        return None
    from interviewer.adapters.bank import load_bank

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
    from interviewer.adapters.audio_files import load_audio
    from interviewer.core.pauses import find_pauses

    audio = load_audio(path)
    words = list(_transcriber().transcribe(audio).words)
    pauses = find_pauses(audio, RATE_HZ)
    if cache is not None:
        cache[key] = {
            "words": [[w.text, w.start_s, w.end_s, w.probability] for w in words],
            "pauses": [list(p) for p in pauses],
        }
    return words, pauses


_TRANSCRIBER: list[Any] = []


def _transcriber() -> Any:
    if not _TRANSCRIBER:
        from interviewer.adapters.transcribe import Transcriber
        from interviewer.settings import TranscribeSettings

        _TRANSCRIBER.append(Transcriber(TranscribeSettings()))
    return _TRANSCRIBER[0]


def evaluate(
    fixtures_dir: Path,
    manifest: dict[str, Any],
    cache: dict[str, Any] | None = None,
    segmenter: Segmenter | None = None,
) -> dict[str, Any]:
    """Score every spoken fixture; `segmenter` defaults to `star.segment` (for experiments)."""
    from interviewer.session import sentence_embedder

    segment = segmenter or functools.partial(star.segment, embed=sentence_embedder())
    fixtures: list[dict[str, Any]] = []
    no_speech: list[dict[str, Any]] = []
    for fx in manifest["fixtures"]:
        words, pauses = _words_and_pauses(fixtures_dir / fx["file"], cache)
        if fx["kind"] == "no-speech":
            no_speech.append(
                {
                    "file": fx["file"],
                    "words": len(words),
                    "ok": not words,
                    "text": " ".join(w.text for w in words),
                }
            )
            continue
        seg = segment(words, _story_for(fx["question_id"]), pauses)
        score = score_fixture(seg.sections, seg.word_labels, words, fx["sections"])
        hyp = " ".join(w.text for w in words)
        fillers = filler_recall(fx["script"], hyp)
        fixtures.append(
            {
                "file": fx["file"],
                "groups": fx["groups"],
                **score,
                "wer": round(wer(fx["script"], hyp), 3),
                "fillers_found": list(fillers),
                "predicted": [_section_dict(s) for s in seg.sections],
            }
        )
    groups = {g: summarize(f for f in fixtures if g in f["groups"]) for g in GROUPS}
    groups = {g: v for g, v in groups.items() if v["fixtures"]}
    return {
        "fixtures": fixtures,
        "no_speech": no_speech,
        "groups": groups,
        "overall": summarize(fixtures),
        "targets": check_targets(groups),
    }


def _section_dict(s: Section) -> dict[str, Any]:
    return {
        "label": s.label,
        "start_s": s.start_s,
        "end_s": s.end_s,
        "missing": s.missing,
        "reason": s.reason,
    }


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
        lines.append(
            f"{f['file'][:72]:<72} {f['accuracy']:>6.3f} {med} {worst} "
            f"{f['wer']:>5.2f}  {_missing_text(f)}"
        )
    for n in result["no_speech"]:
        lines.append(
            f"{n['file']:<72} no speech: {n['words']} words "
            f"{'ok' if n['ok'] else 'INVENTED: ' + n['text'][:40]}"
        )
    lines += [
        "",
        f"{'group':<20} {'n':>3} {'words':>6} {'acc':>6} {'med s':>6} {'worst':>6}  missing ok",
    ]
    rows = [*result["groups"].items(), ("overall", result["overall"])]
    for name, g in rows:
        lines.append(
            f"{name:<20} {g['fixtures']:>3} {g['words']:>6} {_fmt(g['accuracy'], '6.3f')} "
            f"{_fmt(g['median_boundary_s'], '6.2f')} {_fmt(g['worst_boundary_s'], '6.2f')}"
            f"  {g['missing_ok']}/{g['fixtures']}"
        )
    lines.append("")
    for t in result["targets"]:
        lines.append(
            f"{t['group']:<20} accuracy {_fmt(t['accuracy'], '.3f')} >= {t['min_accuracy']:.2f} "
            f"{'PASS' if t['accuracy_pass'] else 'FAIL'}; median boundary "
            f"{_fmt(t['median_boundary_s'], '.2f')} s <= {t['max_median_boundary_s']:.2f} s "
            f"{'PASS' if t['boundary_pass'] else 'FAIL'}"
        )
    return "\n".join(lines)


def passed(result: dict[str, Any]) -> bool:
    return all(t["accuracy_pass"] and t["boundary_pass"] for t in result["targets"])


# --- a spoken STAR corpus (../shared/star_corpus) -----------------------------------------

DEFAULT_WORK = Path.home() / ".cache" / "interviewer-eval"
NOISE_DB = -45.0  # render.py's default room tone, as score.py's rendered folders have it
# Clause length of espeak-ng speech when nothing is rendered (--timing estimate): seconds =
# (CHAR_S * characters + COMMA_S * commas) * 160 / rate + CLAUSE_S. Least squares over the 621
# clauses of dev.json rendered by render.py: mean absolute error 0.2 s on a 6.1 s mean clause.
CHAR_S, COMMA_S, CLAUSE_S = 0.0537, 0.213, 0.092
MIN_PAUSE_S = 0.2  # interviewer.core.pauses.find_pauses' shortest pause
Fit = Callable[[Sequence[dict[str, Any]]], star.StarSettings]


@dataclass
class DevCorpus:
    """A corpus file with render.py and score.py beside it, and a work folder for its renders."""

    path: Path
    items: list[dict[str, Any]]
    render: ModuleType
    score: ModuleType
    work: Path

    @property
    def rendered(self) -> Path:
        return self.work / "rendered"


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"star_corpus_{path.stem}", path)
    if not path.is_file() or spec is None or spec.loader is None:
        raise SystemExit(f"Error: {path} not found — keep render.py and score.py beside the corpus")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_corpus(path: Path, work: Path = DEFAULT_WORK) -> DevCorpus:
    """The corpus and its scorer; its renders live in work/<name>-<hash of corpus+render.py>."""
    if not path.is_file():
        raise SystemExit(f"Error: corpus {path} not found — give --corpus the path of dev.json")
    folder = path.resolve().parent
    render, score = _module(folder / "render.py"), _module(folder / "score.py")
    digest = hashlib.sha1(path.read_bytes() + (folder / "render.py").read_bytes()).hexdigest()
    return DevCorpus(
        path,
        json.loads(path.read_text(encoding="utf-8")),
        render,
        score,
        work / f"{path.stem}-{digest[:12]}",
    )


def ensure_rendered(corpus: DevCorpus, items: Sequence[dict[str, Any]]) -> None:
    """Render (espeak-ng, slow) the items the work folder lacks, exactly as render.py does."""
    audio = corpus.rendered / "audio"
    todo = [it for it in items if not (audio / f"{it['id']}.truth.json").is_file()]
    if not todo:
        return
    audio.mkdir(parents=True, exist_ok=True)
    print(f"rendering {len(todo)} answers into {corpus.rendered}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for item in todo:
            corpus.render.render(item, str(corpus.rendered), NOISE_DB, tmp)


def write_bank(corpus: DevCorpus, folder: Path) -> Path:
    """The bank render.py writes (one question file per item with its written story)."""
    for item in corpus.items:
        principle = item.get("principle", "Ownership")
        sub = folder / corpus.render.slug(principle)
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{item['id']}.txt").write_text(corpus.render.bank_file(item))
        if not (sub / "principle.txt").exists():
            (sub / "principle.txt").write_text(f"Principle: {principle}\n")
    return folder


def estimated_truth(corpus: DevCorpus, item: dict[str, Any]) -> dict[str, Any]:
    """render.py's truth without espeak: its own seeded gaps, clause lengths from CHAR_S."""
    rng = random.Random(int(hashlib.sha1(item["id"].encode()).hexdigest()[:8], 16))
    rate = corpus.render.RATE
    t = int(rng.uniform(0.4, 0.9) * rate) / rate
    spans = []
    for k, (label, text) in enumerate(item["answer"]):
        if k:  # the same draws, in the same order, as render.render
            draw = rng.random()
            gap = (
                rng.uniform(1.5, 2.6)
                if draw < 0.08
                else rng.uniform(0.04, 0.18)
                if draw < 0.33
                else rng.uniform(0.25, 1.1)
            )
            t += int(gap * rate) / rate
        length = (CHAR_S * len(text) + COMMA_S * len(re.findall(r"[,;:]", text))) * 160 / item.get(
            "rate", 160
        ) + CLAUSE_S
        spans.append(
            {"label": label, "start_s": round(t, 3), "end_s": round(t + length, 3), "text": text}
        )
        t += length
    sections: list[dict[str, Any]] = []
    for sp in spans:  # render.render's merge of clauses into sections
        if sp["label"] == "other":
            continue
        if sections and sections[-1]["label"] == sp["label"]:
            sections[-1]["end_s"] = sp["end_s"]
            sections[-1]["text"] += " " + sp["text"]
        else:
            sections.append(dict(sp))
    return {
        "id": item["id"],
        "tags": item.get("tags", []),
        "has_story": bool(item.get("story")),
        "duration_s": round(t + 1.0, 3),
        "sentences": spans,
        "sections": sections,
        "text": " ".join(text for _, text in item["answer"]),
    }


def true_words(truth: dict[str, Any]) -> list[Word]:
    """Every spoken word at its true time: each clause's span shared out by word length."""
    words = []
    for sent in truth["sentences"]:
        tokens = sent["text"].split()
        weights = [len(tok) + 1 for tok in tokens]
        per_s = (sent["end_s"] - sent["start_s"]) / sum(weights)
        t = sent["start_s"]
        for tok, w in zip(tokens, weights):
            words.append(Word(tok, round(t, 3), round(t + w * per_s, 3), 1.0))
            t += w * per_s
    return words


def text_input(
    truth: dict[str, Any],
) -> tuple[Transcript, list[tuple[float, float]]]:
    """Text level: the true transcript; pauses are the silences between its clauses."""
    words = true_words(truth)
    pauses = [
        (round(a.end_s, 3), round(b.start_s, 3))
        for a, b in zip(words, words[1:])
        if b.start_s - a.end_s >= MIN_PAUSE_S
    ]
    speech = sum(s["end_s"] - s["start_s"] for s in truth["sentences"])
    return Transcript(tuple(words), truth["duration_s"], round(speech, 3), "truth"), pauses


def audio_input(wav: Path, cache: Path) -> tuple[Transcript, list[tuple[float, float]]]:
    """Audio level: the app's transcription (cached by the wav's hash) and its pauses."""
    from interviewer.adapters.audio_files import load_audio
    from interviewer.core.pauses import find_pauses

    samples = load_audio(wav)
    key = cache / f"{wav.name[:-4]}.{hashlib.sha1(wav.read_bytes()).hexdigest()[:12]}.json"
    if key.is_file():  # also what `interviewer practice --json` prints: its record will do
        rec = json.loads(key.read_text())
        transcript = Transcript(
            tuple(
                Word(w["text"], w["start_s"], w["end_s"], w.get("probability", 1.0))
                for w in rec["words"]
            ),
            rec["duration_s"],
            rec["speech_s"],
            rec.get("model", ""),
            filler_capture_s=rec.get("filler_capture_s", 0.0),
        )
    else:
        print(f"transcribing {wav.name}", file=sys.stderr, flush=True)
        transcript = _transcriber().transcribe(samples)
        cache.mkdir(parents=True, exist_ok=True)
        key.write_text(
            json.dumps(
                {
                    "words": [
                        {
                            "text": w.text,
                            "start_s": w.start_s,
                            "end_s": w.end_s,
                            "probability": w.probability,
                        }
                        for w in transcript.words
                    ],
                    "duration_s": transcript.duration_s,
                    "speech_s": transcript.speech_s,
                    "model": transcript.model,
                    "filler_capture_s": transcript.filler_capture_s,
                }
            )
        )
    return transcript, find_pauses(samples, RATE_HZ)


def split_folds(ids: Iterable[str], k: int) -> list[list[str]]:
    """k folds of near-equal size, by a hash of the id: the same split on every run."""
    order = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    return [sorted(order[f::k]) for f in range(k)]


# The decoder settings `fit` chooses among (star.StarSettings): how much the learned label
# transitions count, and how far the classifier's label frequencies are divided out.
GRID = tuple(
    star.StarSettings(transition_weight=tw, prior_weight=pw)
    for tw in (0.5, 0.7, 1.0)
    for pw in (0.0, 0.5)
)


def fit(
    train_items: Sequence[dict[str, Any]], corpus: DevCorpus | None = None
) -> star.StarSettings:
    """The decoder settings that score best on the training folds (text level, estimated
    times: no rendering), by mean accuracy, a tie (within 0.002) going to the lower boundary
    p90. The classifier itself is trained on training/star only and is not refitted here."""
    if corpus is None:
        return star.StarSettings()
    from interviewer.adapters.bank import load_bank, load_coach_settings
    from interviewer.session import sentence_embedder

    embed = sentence_embedder()
    truths = [(it, estimated_truth(corpus, it)) for it in train_items]
    inputs = [(it, truth, text_input(truth)) for it, truth in truths]
    with tempfile.TemporaryDirectory() as tmp:
        bank = load_bank(write_bank(corpus, Path(tmp) / "bank"))
        coach = load_coach_settings(bank.root)
        scored = []
        for cfg in GRID:
            results = []
            for it, truth, (transcript, pauses) in inputs:
                record = analysis.analyse(
                    bank.find(it["id"]), transcript, pauses, coach, cfg=cfg, embed=embed
                )
                results.append(corpus.score.score(truth, record["sections"]))
            errs = sorted(e for r in results for e in r["boundary_errors_s"])
            p90 = errs[int(0.9 * (len(errs) - 1))] if errs else 0.0
            scored.append((statistics.mean(r["acc"] for r in results), -p90, cfg))
    best_acc = max(a for a, _, _ in scored)
    return max((c for c in scored if c[0] >= best_acc - 0.002), key=lambda c: c[1])[2]


def _settings_text(cfg: star.StarSettings) -> str:
    return f"transition_weight={cfg.transition_weight:g} prior_weight={cfg.prior_weight:g}"


def evaluate_corpus(
    corpus: DevCorpus,
    level: str,
    folds: int = 5,
    timing: str = "render",
    fitter: Fit = fit,
    only: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """score.py's numbers for every item (or `only` these) at one level, each from the fold
    that held it out; folds are drawn over the whole corpus either way."""
    from interviewer.adapters.bank import load_bank, load_coach_settings

    if folds < 2:
        raise SystemExit("Error: --folds must be 2 or more — held-out figures need a split")
    by_id = {it["id"]: it for it in corpus.items}
    unknown = sorted(set(only) - set(by_id))
    if unknown:
        raise SystemExit(f"Error: no item {unknown[0]} in {corpus.path} — check --only")
    wanted = set(only or by_id)
    if level == "audio" or timing == "render":
        ensure_rendered(corpus, [by_id[i] for i in sorted(wanted)])
    from interviewer.session import sentence_embedder

    embed = sentence_embedder()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        bank = load_bank(write_bank(corpus, Path(tmp) / "bank"))
        coach = load_coach_settings(bank.root)
        for f, held in enumerate(split_folds(by_id, folds)):
            train = [it for i, it in by_id.items() if i not in held]
            params = fit(train, corpus) if fitter is fit else fitter(train)
            for item_id in (i for i in held if i in wanted):
                audio = corpus.rendered / "audio"
                if timing == "render":
                    truth = json.loads((audio / f"{item_id}.truth.json").read_text())
                else:
                    truth = estimated_truth(corpus, by_id[item_id])
                if level == "text":
                    transcript, pauses = text_input(truth)
                else:
                    transcript, pauses = audio_input(audio / f"{item_id}.wav", corpus.work / "asr")
                try:
                    record = analysis.analyse(
                        bank.find(item_id), transcript, pauses, coach, cfg=params, embed=embed
                    )
                except Exception as exc:  # the CLI would exit 1: score.py counts it so, too
                    print(f"{item_id}: FAILED {type(exc).__name__}: {exc}", file=sys.stderr)
                    results.append(
                        {
                            "id": item_id,
                            "tags": truth["tags"],
                            "fold": f,
                            "failed": True,
                            "acc": 0.0,
                            "boundary_errors_s": [30.0],
                            "invented": [],
                            "missed": [],
                            "wer": 1.0,
                        }
                    )
                    continue
                s = corpus.score.score(truth, record["sections"])
                s.update(
                    id=item_id,
                    tags=truth["tags"],
                    fold=f,
                    settings=_settings_text(params),
                    wer=corpus.score.wer(truth["text"], transcript.text),
                )
                results.append(s)
    return sorted(results, key=lambda r: r["id"])


def summarize_corpus(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """By tag and ALL, with score.py's own formulas (mean of per-answer accuracy; boundary
    errors pooled, its p90 index; invented and missed summed)."""
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        for t in [*r["tags"], "ALL"]:
            by_tag.setdefault(t, []).append(r)
    out = {}
    for tag in sorted(by_tag, key=lambda t: (t == "ALL", t)):
        rs = by_tag[tag]
        errs = sorted(e for r in rs for e in r["boundary_errors_s"])
        out[tag] = {
            "n": len(rs),
            "accuracy": round(statistics.mean(r["acc"] for r in rs), 4),
            "boundary_p50_s": round(statistics.median(errs), 2) if errs else None,
            "boundary_p90_s": errs[int(0.9 * (len(errs) - 1))] if errs else None,
            "invented": sum(len(r["invented"]) for r in rs),
            "missed": sum(len(r["missed"]) for r in rs),
            "wer": round(statistics.mean(r["wer"] for r in rs), 3),
            "failed": sum(bool(r.get("failed")) for r in rs),
        }
    return out


def corpus_report(tables: dict[str, dict[str, dict[str, Any]]], folds: int) -> str:
    """One row per tag, the levels side by side."""
    levels = list(tables)
    head = f"{'tag':<16} {'n':>3}"
    for level in levels:
        head += f" | {level:<5} {'acc':>5} {'p50 s':>5} {'p90 s':>5} {'inv':>3} {'miss':>4}"
    lines = [f"held-out folds: {folds}; figures by score.py's metrics", head]
    for tag in tables[levels[0]]:
        row = f"{tag:<16} {tables[levels[0]][tag]['n']:>3}"
        for level in levels:
            g = tables[level][tag]
            row += (
                f" | {'':<5} {g['accuracy']:>5.3f} {_fmt(g['boundary_p50_s'], '5.2f')} "
                f"{_fmt(g['boundary_p90_s'], '5.1f')} {g['invented']:>3} {g['missed']:>4}"
            )
        lines.append(row)
    for level in levels:
        if tables[level]["ALL"]["failed"]:
            lines.append(
                f"{level}: {tables[level]['ALL']['failed']} answers FAILED in the "
                "pipeline, counted as score.py counts them (accuracy 0, boundary 30 s)"
            )
    if "audio" in tables:
        wer_all = tables["audio"]["ALL"]["wer"]
        lines.append(f"audio WER (score.py's rough normaliser): {wer_all:.3f}")
    return "\n".join(lines)


def run_corpus(args: argparse.Namespace) -> int:
    corpus = open_corpus(args.corpus, args.work)
    levels = ["text", "audio"] if args.level == "both" else [args.level]
    results = {
        lv: evaluate_corpus(corpus, lv, args.folds, args.timing, only=args.only or ())
        for lv in levels
    }
    tables = {lv: summarize_corpus(rs) for lv, rs in results.items()}
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    print(json.dumps(tables, indent=1) if args.json else corpus_report(tables, args.folds))
    if not args.json:
        chosen = sorted(
            {(r["fold"], r["settings"]) for rs in results.values() for r in rs if "settings" in r}
        )
        for fold, settings in chosen:
            print(f"fold {fold}: decoder settings fitted on the other folds: {settings}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "audio_fixtures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument(
        "--cache", type=Path, help="JSON file of transcripts and pauses, reused when present"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        help="score a spoken STAR corpus (dev.json beside render.py, score.py)",
    )
    parser.add_argument(
        "--level",
        choices=("text", "audio", "both"),
        default="both",
        help="corpus: true words at true times, the app's ASR, or both",
    )
    parser.add_argument(
        "--timing",
        choices=("render", "estimate"),
        default="render",
        help="corpus text level: times from rendering (espeak-ng, cached) or "
        "estimated without rendering",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"corpus renders and transcripts are cached here ({DEFAULT_WORK})",
    )
    parser.add_argument("--folds", type=int, default=5, help="corpus: k of the k-fold split")
    parser.add_argument("--only", nargs="*", metavar="ID", help="corpus: score these items only")
    parser.add_argument("--out", type=Path, help="corpus: write the per-answer numbers here")
    args = parser.parse_args(argv)
    if args.corpus:
        return run_corpus(args)
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
