"""Progress of a transcription on stderr, so a long file never looks hung.

On a terminal: a rich bar with audio done / total and the time left, erased when done.
Elsewhere (a log, a pipe, a test): plain lines at every 10 %, and only for audio of at
least PLAIN_LINES_MIN_S, so that logs of ordinary answers stay as they were. stdout is never
touched: `transcribe --json` and `practice --json` stay machine-readable.
rich is imported only when a bar is drawn, so `interviewer --help` stays fast.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from interviewer.views.clock import clock

ProgressFn = Callable[[float, "float | None"], None]
"""Called with (seconds of audio fully transcribed, total seconds or None if unknown)."""

PLAIN_LINES_MIN_S = 120.0
PLAIN_STEP = 0.1


class TranscribeProgress:
    """A progress callback (done_s, total_s) for Transcriber, used as a context manager."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = _isatty(self.stream)
        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()
        self._next_line = PLAIN_STEP

    def __enter__(self) -> TranscribeProgress:
        self._started = time.monotonic()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, done_s: float, total_s: float | None) -> None:
        if self.terminal:
            self._draw(done_s, total_s)
        elif total_s and total_s >= PLAIN_LINES_MIN_S:
            self._line(done_s, total_s)

    def _draw(self, done_s: float, total_s: float | None) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("transcribing {task.description}"),
                BarColumn(),
                TextColumn("{task.fields[audio]} of audio"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._task = self._bar.add_task(self.label, total=total_s, audio="")
            self._bar.start()
        self._bar.update(
            self._task,
            completed=done_s,
            total=total_s,
            audio=f"{clock(round(done_s))} / {clock(round(total_s)) if total_s else '?'}",
        )

    def _line(self, done_s: float, total_s: float) -> None:
        share = min(done_s / total_s, 1.0)
        if share < self._next_line:
            return
        while self._next_line <= share:
            self._next_line = round(self._next_line + PLAIN_STEP, 6)  # 0.1 * 3 != 0.3 in floats
        elapsed = time.monotonic() - self._started
        left_s = round(elapsed * (1 - share) / share) if share > 0 else 0
        left = f", about {clock(left_s)} left" if 0 < share < 1 else ""
        done, total = clock(round(done_s)), clock(round(total_s))
        print(
            f"transcribing {self.label}: {share:4.0%} ({done} of {total} of audio){left}",
            file=self.stream,
            flush=True,
        )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
