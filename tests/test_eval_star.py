"""The STAR segmentation targets, held on the evaluation fixtures with the real model."""

from __future__ import annotations

import importlib.util
import json
import sys

from tests.conftest import FIXTURES, ROOT, SHARED


def load_eval():
    spec = importlib.util.spec_from_file_location("eval_star", ROOT / "scripts" / "eval_star.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_segmentation_meets_the_targets():
    ev = load_eval()
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    result = ev.evaluate(FIXTURES, manifest)
    groups = result["groups"]
    plain, signposted = groups["without signposts"], groups["with signposts"]
    # measured 0.972 / 0.39 s and 1.000 / 0.27 s (the learned split; the rules gave 0.966 and
    # 0.995 on oneDNN AVX2, oneDNN AVX-512 and MKL)
    assert plain["accuracy"] >= 0.90 and plain["median_boundary_s"] <= 0.5
    assert signposted["accuracy"] >= 0.97 and signposted["median_boundary_s"] <= 0.3


DEV = SHARED / "star_corpus" / "dev.json"


def test_dev_corpus_text_level_holds_todays_figures(tmp_path):
    """Text level on ../shared/star_corpus/dev.json (true words, no ASR), from held-out folds.

    The classifier and transitions are trained on training/star and the fixtures' scripts only,
    so every fold is held out from them; the decoder settings are fitted on the other folds.
    Measured with `scripts/eval_star.py --corpus ../shared/star_corpus/dev.json --level text
    --timing estimate` (5 folds): accuracy ALL 0.974, no-story 0.952, implicit 0.958,
    reordered 0.948, we-heavy 0.955, signposted 0.998; boundary p90 0.1 s; 2 invented, 2 missed
    (the rules before, 3a9fe30: 0.919, 0.805, 0.864, 0.875, 0.915, 0.988; 3 invented, 15
    missed). The floors sit a little below, for another CPU's embeddings: a change that loses
    ground fails here before anyone renders or transcribes.
    """
    assert DEV.is_file(), f"STAR corpus missing at {DEV}"
    ev = load_eval()
    corpus = ev.open_corpus(DEV, tmp_path)
    calls = []

    def fit(train):
        calls.append({it["id"] for it in train})
        return ev.fit(train, corpus)

    results = ev.evaluate_corpus(corpus, "text", folds=5, timing="estimate", fitter=fit)
    ids = {it["id"] for it in corpus.items}
    assert sorted(r["id"] for r in results) == sorted(ids)  # each answer scored once
    for r in results:  # ... by the fold that did not train on it
        assert r["id"] not in calls[r["fold"]] and len(calls[r["fold"]]) >= 0.75 * len(ids)
    assert not (tmp_path / "dev").exists() and not list(tmp_path.iterdir())  # nothing rendered
    table = ev.summarize_corpus(results)
    floors = {
        "ALL": 0.96,
        "no-story": 0.93,
        "implicit": 0.94,
        "reordered": 0.90,
        "we-heavy": 0.93,
        "signposted": 0.98,
    }
    for tag, floor in floors.items():
        assert table[tag]["accuracy"] >= floor, (tag, table[tag])
    assert table["ALL"]["invented"] <= 3 and table["ALL"]["missed"] <= 4, table["ALL"]
    assert table["ALL"]["boundary_p90_s"] <= 5.0, table["ALL"]


def test_dev_corpus_fitted_settings_reach_the_segmenter(tmp_path):
    """What `fit` returns is what segments the held-out fold (the hook a trainer plugs into)."""
    ev = load_eval()
    corpus = ev.open_corpus(DEV, tmp_path)
    blind = ev.star.StarSettings(prior_weight=20.0)  # every frequent label all but forbidden
    results = ev.evaluate_corpus(
        corpus, "text", folds=3, timing="estimate", fitter=lambda train: blind
    )
    assert ev.summarize_corpus(results)["ALL"]["accuracy"] < 0.4  # 0.14 measured


def test_dev_corpus_estimated_times_follow_render_py(tmp_path):
    """The espeak-free times above are render.py's: its own seeded pauses to the millisecond,
    clause lengths within a fifth of espeak-ng's (d17: 6 clauses, 28 s, rendered here)."""
    ev = load_eval()
    corpus = ev.open_corpus(DEV, tmp_path)
    item = next(it for it in corpus.items if it["id"] == "d17-dead-help-link")
    ev.ensure_rendered(corpus, [item])
    rendered = json.loads((corpus.rendered / "audio" / f"{item['id']}.truth.json").read_text())
    estimated = ev.estimated_truth(corpus, item)
    assert [s["label"] for s in estimated["sections"]] == [s["label"] for s in rendered["sections"]]
    pairs = list(zip(estimated["sentences"], rendered["sentences"]))
    assert len(pairs) == len(item["answer"]) == 6
    for (e0, r0), (e1, r1) in zip(pairs, pairs[1:]):
        assert abs((e1["start_s"] - e0["end_s"]) - (r1["start_s"] - r0["end_s"])) < 0.003
    assert abs(estimated["sentences"][0]["start_s"] - rendered["sentences"][0]["start_s"]) < 0.003
    for e, r in pairs:
        length = r["end_s"] - r["start_s"]
        assert abs((e["end_s"] - e["start_s"]) - length) < 0.2 * length, (e, r)
