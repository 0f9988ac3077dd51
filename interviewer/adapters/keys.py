"""Single key presses from the terminal, read by a thread so the recording loop never blocks.

On a terminal, cbreak mode delivers keys without Enter; on a pipe (tests, scripts) each byte
arrives as written. At end of input, `poll` returns None and `wait` returns the default.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from typing import Any


class KeyReader:
    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._keys: queue.Queue[str] = queue.Queue()
        self._saved: Any = None
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="keys", daemon=True)

    def __enter__(self) -> KeyReader:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if os.isatty(self.fd):
            import termios
            import tty

            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        self._thread.start()

    def stop(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            self._keys.put(data.decode("utf-8", "ignore").lower())

    def poll(self) -> str | None:
        """The next key pressed, or None."""
        try:
            return self._keys.get_nowait()
        except queue.Empty:
            return None

    def drain(self) -> None:
        while self.poll() is not None:
            pass

    def wait(self, allowed: str, default: str, timeout_s: float | None = None) -> str:
        """Block for one of `allowed` (Enter counts as `default`); `default` at end of input."""
        while True:
            if self.closed and self._keys.empty():
                return default
            try:
                key = self._keys.get(timeout=0.2 if timeout_s is None else timeout_s)
            except queue.Empty:
                if timeout_s is not None:
                    return default
                continue
            if key in ("\n", "\r"):
                return default
            if key in allowed:
                return key
