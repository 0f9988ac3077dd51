"""The STAR classifier is reproducible from the committed training set, which shares nothing
with the evaluation corpus."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, SHARED

TRAINING = ROOT / "training" / "star"


def _sentences(items: list[dict]) -> set[str]:
    return {" ".join(text.lower().split()) for it in items for _, text in it["answer"]}


def test_retraining_gives_the_committed_model():
    # --penalty skips the cross-validation that chose it (printed when run without)
    run = subprocess.run(
        [sys.executable, "scripts/train_star.py", "--check", "--penalty", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "same label on 1.0000" in run.stdout or ": same" in run.stdout, run.stdout


def test_training_set_is_not_the_evaluation_corpus():
    train = [
        it
        for path in sorted(TRAINING.glob("*.json"))
        for it in json.loads(path.read_text(encoding="utf-8"))
    ]
    dev = json.loads((SHARED / "star_corpus" / "dev.json").read_text(encoding="utf-8"))
    assert len(train) >= 200
    assert not {it["id"] for it in train} & {it["id"] for it in dev}
    shared = _sentences(train) & _sentences(dev)
    # a few stock phrases ("Sure." / "Yeah.") may coincide; no answer's content may
    assert all(len(s.split()) <= 5 for s in shared), sorted(shared)
    labels = {label for it in train for label, _ in it["answer"]}
    assert labels == {"situation", "task", "action", "result", "learning", "other"}
