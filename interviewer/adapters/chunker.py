"""Transcribe finished stretches of speech in the background while the person still talks.

Audio is cut at a pause once a chunk holds `min_chunk_s`, and each chunk is transcribed on a
worker thread with its offset, so when the answer ends only the last few seconds remain.
Chunks that are too short lose accuracy; `scripts/bench_live.py` compares with a whole pass.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from interviewer.core.models import Transcript, Word, join_transcripts
from interviewer.settings import SAMPLE_RATE_HZ

if TYPE_CHECKING:  # session imports this adapter; the Protocol is only an annotation here
    from interviewer.session import Transcribes


@dataclass(frozen=True)
class ChunkSettings:
    min_chunk_s: float = 8.0
    cut_pause_s: float = 0.4  # a quiet stretch this long is a safe place to cut


@dataclass
class _State:
    blocks: list[np.ndarray] = field(default_factory=list)
    samples: int = 0
    start_sample: int = 0
    quiet_blocks: int = 0
    quiet_samples: int = 0


class BackgroundTranscriber:
    def __init__(
        self,
        transcriber: Transcribes,
        settings: ChunkSettings = ChunkSettings(),
        on_words: Callable[[Sequence[Word]], None] | None = None,
    ) -> None:
        """`on_words`, if given, gets every word so far after each chunk, on the worker thread
        (the live session embeds finished sentences there); its errors are ignored."""
        self.transcriber = transcriber
        self.on_words = on_words
        self.s = settings
        self._state = _State()
        self._jobs: queue.Queue[tuple[np.ndarray, float, bool] | None] = queue.Queue()
        self._parts: list[Transcript] = []
        self._error: BaseException | None = None
        self.chunks = 0
        self._thread = threading.Thread(target=self._work, name="transcribe", daemon=True)
        self._thread.start()

    def add(self, block: np.ndarray, is_speech: bool) -> None:
        st = self._state
        st.blocks.append(block)
        st.samples += len(block)
        if is_speech:
            st.quiet_samples = 0
        else:
            st.quiet_samples += len(block)
        long_enough = st.samples >= self.s.min_chunk_s * SAMPLE_RATE_HZ
        if long_enough and st.quiet_samples >= self.s.cut_pause_s * SAMPLE_RATE_HZ:
            self._cut(keep=st.quiet_samples // 2)

    def _cut(self, keep: int) -> None:
        """Send everything but the last `keep` samples (half the pause) to the worker."""
        st = self._state
        audio = np.concatenate(st.blocks)
        head, tail = audio[: len(audio) - keep], audio[len(audio) - keep :]
        self._jobs.put((head, st.start_sample / SAMPLE_RATE_HZ, False))
        self.chunks += 1
        self._state = _State([tail] if len(tail) else [], len(tail), st.start_sample + len(head))

    def finish(self) -> Transcript:
        """Transcribe what is left and wait for every chunk; times are from the start."""
        st = self._state
        total = st.start_sample + st.samples
        if st.samples:
            self._jobs.put((np.concatenate(st.blocks), st.start_sample / SAMPLE_RATE_HZ, True))
            self.chunks += 1
        self._jobs.put(None)
        self._thread.join()
        if self._error:
            raise self._error
        return join_transcripts(
            self._parts, total / SAMPLE_RATE_HZ, getattr(self.transcriber, "label", "")
        )

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error:
                continue
            audio, offset, last = job
            try:
                part = self.transcriber.transcribe(audio, offset_s=offset)
            except BaseException as exc:  # surfaced by finish()
                self._error = exc
                continue
            self._parts.append(part)
            if self.on_words is not None and not last:  # the answer has ended: no head start
                # only a head start: the summary embeds whatever is missing, and says any error
                with contextlib.suppress(Exception):
                    self.on_words([w for p in self._parts for w in p.words])
