"""Train the STAR sentence classifier and transition priors (interviewer/data/star_model.npz).

    .venv/bin/python scripts/train_star.py [--data training/star]
        [--out interviewer/data/star_model.npz] [--check] [--cache FILE]

Reads every `*.json` in the training folder (items in the corpus format: a written story or
null, and the spoken answer labelled clause by clause; see training/star/README.md), never the
evaluation corpus. Each answer is timed as a speaker at its rate would say it (clause lengths
from its characters, seeded gaps), split into sentences exactly as the app splits a transcript,
and every sentence gets the label most of its words carry. Each answer is used twice: as written,
and run on (see timed_words) without its story, so the classifier also learns answers with none.

The classifier is multinomial logistic regression with an L2 penalty on standardised
features (star.features), fitted by full-batch gradient descent from zeros: the same data give
the same weights on every machine. The penalty is chosen by 5-fold cross-validation over the
training answers (grouped by answer) and printed. Transitions are sentence-to-sentence label
counts with add-one smoothing.

--check trains in memory and fails if the result differs from the committed file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.core import star  # noqa: E402
from interviewer.core.models import SPAN_LABELS, Story, Word  # noqa: E402

N = len(SPAN_LABELS)
PENALTIES = (30.0, 100.0, 300.0, 1000.0)
STEPS = 400


def load_items(folder: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        items.extend(json.loads(path.read_text(encoding="utf-8")))
    ids = [it["id"] for it in items]
    if len(set(ids)) != len(ids):
        raise SystemExit("Error: duplicate ids in the training set")
    for it in items:
        for label, _ in it["answer"]:
            if label not in SPAN_LABELS:
                raise SystemExit(f"Error: {it['id']}: unknown label {label!r}")
    return items


def fixture_items(fixtures: Path, bank: Path) -> list[dict[str, Any]]:
    """The spoken fixtures' scripts (audio_fixtures/manifest.json), labelled sentence by
    sentence, with the user's own written story for their question (questions/): our own
    material in the user's own words, so the model learns how this user tells a story."""
    from interviewer.adapters.bank import load_bank

    manifest = json.loads((fixtures / "manifest.json").read_text(encoding="utf-8"))
    questions = load_bank(bank)
    items = []
    for fx in manifest["fixtures"]:
        if fx["kind"] == "no-speech":
            continue
        story = None
        if fx["question_id"]:
            q = questions.find(fx["question_id"])
            story = q.story.parts if q.has_story else None
        items.append(
            {
                "id": f"fixture-{fx['file']}",
                "story": story,
                "rate": fx["rate_wpm"],
                "answer": [[s["label"], s["text"]] for s in fx["sentences"]],
            }
        )
    return items


def timed_words(item: dict[str, Any], run_on: bool = False) -> tuple[list[Word], list[str]]:
    """Every word with a time as the item's speaker would say it, and its clause label.

    Gaps between clauses are drawn as ../shared/star_corpus/render.py draws them (a quarter
    under 0.2 s). With `run_on`, a third of the full stops become commas, as Whisper runs
    clauses together, and some commas get a hesitation after them, so the classifier also
    learns from units split by pauses alone, as star.split_sentences splits a transcript.
    """
    rng = random.Random(int(hashlib.sha1(item["id"].encode()).hexdigest()[:8], 16) + run_on)
    rate = item.get("rate", 160)
    t = rng.uniform(0.4, 0.9)
    words, labels = [], []
    for k, (label, text) in enumerate(item["answer"]):
        if k:
            draw = rng.random()
            t += (
                rng.uniform(1.5, 2.6)
                if draw < 0.08
                else rng.uniform(0.04, 0.18)
                if draw < 0.33
                else rng.uniform(0.25, 1.1)
            )
        tokens = text.split()
        if run_on and tokens and tokens[-1].endswith(".") and rng.random() < 0.33:
            tokens[-1] = tokens[-1][:-1] + ","
        for tok in tokens:
            length = (0.0537 * (len(tok) + 1) + 0.213 * tok.endswith((",", ";"))) * 160 / rate
            words.append(Word(tok, round(t, 3), round(t + length, 3)))
            labels.append(label)
            t += length
            if run_on and tok.endswith(",") and rng.random() < 0.3:
                t += rng.uniform(0.3, 0.7)  # a hesitation inside the clause
    return words, labels


def examples(
    item: dict[str, Any], with_story: bool, embed: star.Embed | None, run_on: bool = False
) -> tuple[np.ndarray, list[int]]:
    words, labels = timed_words(item, run_on)
    sentences = star.split_sentences(words)
    story = Story(**item["story"]) if with_story and item.get("story") else None
    feats, _ = star.features(sentences, story, embed)
    y, k = [], 0
    for s in sentences:
        mine = labels[k : k + len(s.words)]
        k += len(s.words)
        # a tie goes to the label said first (not set order, which varies with the hash seed)
        y.append(SPAN_LABELS.index(Counter(mine).most_common(1)[0][0]))
    return feats, y


def dataset(
    items: Sequence[dict[str, Any]], embed: star.Embed | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[int]]]:
    """Features, labels, the answer each row came from, and each answer's label sequence."""
    xs, ys, groups, sequences = [], [], [], []
    for g, item in enumerate(items):
        variants = (
            [(True, False), (False, True)] if item.get("story") else [(False, False), (False, True)]
        )
        for with_story, run_on in variants:
            x, y = examples(item, with_story, embed, run_on)
            xs.append(x)
            ys.extend(y)
            groups.extend([g] * len(y))
            if not run_on:
                sequences.append(y)
    return np.vstack(xs), np.array(ys), np.array(groups), sequences


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, ...]:
    """Weights (F, 6), bias (6,), mean, scale: L2-penalised softmax regression, Adam from 0."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    onehot = np.eye(N)[y]
    w = np.zeros((x.shape[1], N))
    b = np.zeros(N)
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, STEPS + 1):
        logits = z @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) / len(y)
        g_w = z.T @ grad + penalty * w / len(y)
        g_b = grad.sum(axis=0)
        for param, g, m, v in ((w, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            param -= lr * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return w, b, mean, scale


def transitions(sequences: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    start = np.ones(N)
    trans = np.ones((N, N))
    for seq in sequences:
        start[seq[0]] += 1
        for a, b in zip(seq, seq[1:]):
            trans[a, b] += 1
    return (np.log(start / start.sum()), np.log(trans / trans.sum(axis=1, keepdims=True)))


def model_from(
    x: np.ndarray, y: np.ndarray, sequences: Sequence[Sequence[int]], penalty: float
) -> star.StarModel:
    w, b, mean, scale = fit_logistic(x, y, penalty)
    log_start, log_trans = transitions(sequences)
    prior = np.bincount(y, minlength=N) + 1.0
    return star.StarModel(w, b, mean, scale, log_start, log_trans, np.log(prior / prior.sum()))


def cross_validate(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, penalty: float, folds: int = 5
) -> float:
    """Sentence accuracy of the classifier alone on held-out answers."""
    fold_of = groups % folds
    hits = 0
    for f in range(folds):
        train, test = fold_of != f, fold_of == f
        w, b, mean, scale = fit_logistic(x[train], y[train], penalty)
        pred = (((x[test] - mean) / scale) @ w + b).argmax(axis=1)
        hits += int((pred == y[test]).sum())
    return hits / len(y)


def encoder(cache: Path | None = None) -> star.Embed:
    """The app's sentence encoder, each text encoded once (and kept in `cache` if given)."""
    from interviewer.adapters.embeddings import load_encoder

    encode = load_encoder().encode
    memo: dict[str, np.ndarray] = {}
    if cache and cache.is_file():
        with np.load(cache) as old:
            memo.update(zip(old["texts"].tolist(), old["vectors"]))

    def cached(texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in memo]
        if todo:
            memo.update(zip(todo, encode(todo)))
        if todo and cache:
            np.savez(cache, texts=np.array(list(memo)), vectors=np.array(list(memo.values())))
        return np.array([memo[t] for t in texts]).reshape(len(texts), star.EMBED_DIM)

    return cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "training" / "star")
    parser.add_argument("--out", type=Path, default=ROOT / "interviewer" / "data" / star.MODEL_FILE)
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail if training gives other weights than the committed file",
    )
    parser.add_argument("--penalty", type=float, help="skip cross-validation, use this L2")
    parser.add_argument("--cache", type=Path, help="keep sentence embeddings here between runs")
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=ROOT / "audio_fixtures",
        help="also learn from these spoken fixtures' scripts ('' for none)",
    )
    args = parser.parse_args(argv)
    items = load_items(args.data)
    if str(args.fixtures) not in ("", "."):
        items += fixture_items(args.fixtures, ROOT / "questions")
    x, y, groups, sequences = dataset(items, encoder(args.cache))
    counts = {SPAN_LABELS[k]: int(c) for k, c in enumerate(np.bincount(y, minlength=N))}
    print(f"{len(items)} answers, {len(y)} sentences (stories used twice): {counts}")
    penalty = args.penalty
    if penalty is None:
        scores = {p: cross_validate(x, y, groups, p) for p in PENALTIES}
        for p, acc in scores.items():
            print(f"L2 {p:g}: held-out sentence accuracy {acc:.3f}")
        penalty = max(scores, key=lambda p: scores[p])
    model = model_from(x, y, sequences, penalty)
    arrays = {k: getattr(model, k) for k in star.StarModel.__dataclass_fields__}
    if args.check:
        # Not bit for bit: numpy's BLAS sums in another order on another CPU (AVX2, AVX-512).
        with np.load(args.out) as f:
            old = star.StarModel(**{k: np.asarray(f[k], dtype=np.float64) for k in arrays})
        p_new, p_old = model.posteriors(x), old.posteriors(x)
        agree = float((p_new.argmax(axis=1) == p_old.argmax(axis=1)).mean())
        drift = float(np.abs(p_new - p_old).max())
        same = (
            agree >= 0.995
            and drift < 0.05
            and np.allclose(old.log_transition, model.log_transition, atol=1e-9)
        )
        print(
            f"retrained vs committed: same label on {agree:.4f} of the training sentences, "
            f"largest posterior difference {drift:.4f}: {'same' if same else 'DIFFERENT'}"
        )
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as f:
        np.savez_compressed(f, **arrays)
    print(f"L2 {penalty:g}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
