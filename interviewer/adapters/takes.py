"""Ctrl-C and early stops during a live take: what is finished, what is kept, what is said.

See store.py for how a take stays visible until its record is saved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from interviewer.adapters import store


class Interrupts:
    """Ctrl-C during a take. While the answer is recorded it ends the answer (as a
    KeyboardInterrupt). Once the answer has ended, the take is being finished (transcribed,
    analysed, saved): the first Ctrl-C only asks the session to end after saving it, and a
    second stops at once, leaving the take unfinished (audio and placeholder) on disk."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.finishing = False
        self.presses = 0  # while finishing the current take
        self.stop = False  # the session ends after this take

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        old = signal.signal(signal.SIGINT, self._handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, old)

    def listening(self) -> None:
        self.finishing, self.presses = False, 0

    def finish_now(self) -> None:
        self.finishing, self.presses = True, 0

    def _handle(self, _signum: int, _frame: object) -> None:
        if not self.finishing or self.presses:
            self.stop = True
            raise KeyboardInterrupt
        self.presses, self.stop = 1, True
        # A signal handler may run inside a print: write to the descriptor, not the stream.
        with contextlib.suppress(OSError, ValueError):
            os.write(
                self.screen.out.fileno(),
                b"\nCtrl-C: saving what you said first, then "
                b"the session ends (Ctrl-C again stops now; the take is then kept "
                b"unfinished)\n",
            )


def keep_stopped_take(files: store.AttemptFiles, exc: BaseException, screen: Any) -> bool:
    """After a live take stopped early (Ctrl-C twice, a full disk, a fault): say what was kept
    and where; True if the take is left unfinished. A take with no audio leaves nothing."""
    stopped = isinstance(exc, KeyboardInterrupt)
    if store.is_finished(files.record):
        if stopped:
            screen.say(f"Stopped. The take is saved: {files.markdown}")
        return False
    if _frames(files.audio) == 0 and not files.follow_up.exists():
        files.record.unlink(missing_ok=True)
        files.audio.unlink(missing_ok=True)
        if stopped:
            screen.say("Stopped before anything was recorded: nothing to save.")
        return False
    if stopped:
        screen.say(
            f"Stopped. The take is kept, unfinished: {files.audio}\n"
            "  It is transcribed and saved the next time you start "
            "'interviewer practice', or now with 'interviewer reanalyze'."
        )
    return True


def _frames(path: Path) -> int:
    """Samples in a WAV we recorded (0 if missing or header only)."""
    try:
        return max(0, (path.stat().st_size - 44) // 2)
    except OSError:
        return 0
