"""The live session's terminal: notices, and while recording a level meter with timers.

On a terminal the meter is one line drawn by rich's Live display, redrawn in place below the
notices; anything else (a pipe, a file, a test reading stderr) gets the notices as plain
lines and no meter, so what is read there has no escape codes. rich is imported only when
the screen is a terminal.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TYPE_CHECKING, TextIO

from interviewer.views.clock import clock

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

METER_CELLS = 20
FLOOR_DBFS = -60.0  # the meter's empty end; 0 dBFS fills it
LOUD_DBFS = -6.0  # above this the bar turns amber: close to clipping
REDRAW_S = 0.1  # the meter is redrawn at most this often
ENDING_S = 30  # the time left turns amber from here
HINT = "(Enter = done)"


class Screen:
    """The terminal of a live session: `say` a notice, `meter` while recording, `clear`
    when recording ends. `out` is the stream written to (stderr by default; its descriptor
    is used by the Ctrl-C handler)."""

    def __init__(self, out: TextIO = sys.stderr, console: Console | None = None) -> None:
        self.out = out
        self.tty = console.is_terminal if console is not None else out.isatty()
        self._console = console
        self._live: Live | None = None
        self._last = 0.0

    def say(self, text: str) -> None:
        """One notice, on its own line(s); above the meter while it shows."""
        if not self.tty:
            print(text, file=self.out, flush=True)
            return
        self._rich().print(notice(text), soft_wrap=True)

    def meter(self, level: float, elapsed_s: float, max_s: float) -> None:
        """The input `level` in dBFS, seconds recorded and seconds left of `max_s`; drawn at
        most every REDRAW_S, and only on a terminal."""
        now = time.monotonic()
        if not self.tty or now - self._last < REDRAW_S:
            return
        self._last = now
        line = meter_line(level, elapsed_s, max_s)
        if self._live is not None:
            self._live.update(line, refresh=True)
            return
        from rich.live import Live

        console = self._rich()
        # Redrawn by our own calls (no refresh thread), and sys.stdout/stderr are left alone:
        # --json writes records to stdout while the screen is up.
        self._live = Live(
            line,
            console=console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start(refresh=True)
        # Live hides the cursor until stop(); an exception that skips clear() would leave the
        # user's terminal without one, so it stays visible as it always was.
        console.show_cursor(True)

    def clear(self) -> None:
        """Take the meter away (recording is over); nothing to do when none shows."""
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()

    def _rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.out, highlight=False)
        return self._console


def notice(text: str) -> Text:
    """The text as it is (no markup: '[n]ext' is literal), warnings in amber."""
    from rich.text import Text

    style = "yellow" if text.lstrip().startswith(("Warning", "Disk full")) else ""
    return Text(text, style=style)


def meter_line(level: float, elapsed_s: float, max_s: float) -> Text:
    """'  ━━━━━━━━──────────── 0:12.3  2:48 left  (Enter = done)'."""
    from rich.text import Text

    filled = int(max(0.0, min(1.0, (level - FLOOR_DBFS) / -FLOOR_DBFS)) * METER_CELLS)
    left_s = math.ceil(max(0.0, max_s - elapsed_s))
    line = Text("  ")
    line.append("━" * filled, style="yellow" if level > LOUD_DBFS else "green")
    line.append("─" * (METER_CELLS - filled), style="bright_black")
    line.append(f" {clock(elapsed_s, tenths=True)}  ", style="bold")
    line.append(f"{clock(left_s)} left", style="yellow" if left_s <= ENDING_S else "")
    line.append(f"  {HINT}", style="dim")
    return line
