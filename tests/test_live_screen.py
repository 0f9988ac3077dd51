"""The live session's screen: plain lines off a terminal (what test_live reads on stderr),
a rich meter with timers and notices above it on one."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from interviewer.views import live_screen
from interviewer.views.live_screen import Screen, meter_line, notice
from tests.conftest import ROOT

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.monotonic as the screen sees it; a test moves it on by hand."""
    now = [1000.0]
    monkeypatch.setattr(live_screen.time, "monotonic", lambda: now[0])
    return now


def test_off_a_terminal_notices_are_plain_lines_and_there_is_no_meter(clock) -> None:
    out = io.StringIO()
    screen = Screen(out)
    screen.say("Recording: answer now.")
    for i in range(5):
        clock[0] += 1
        screen.meter(-20.0, i, 180.0)
    screen.say("[n]ext  [r]etry  [p]lay back  [q]uit")
    screen.clear()
    screen.say("Warning: the microphone sent no audio for 1 s")
    assert out.getvalue() == (
        "Recording: answer now.\n"
        "[n]ext  [r]etry  [p]lay back  [q]uit\n"
        "Warning: the microphone sent no audio for 1 s\n"
    )


def test_off_a_terminal_rich_is_not_even_imported() -> None:
    code = (
        "import io, sys\n"
        "from interviewer.views.live_screen import Screen\n"
        "s = Screen(io.StringIO()); s.say('x'); s.meter(-10, 1, 10); s.clear()\n"
        "print('rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


def test_on_a_terminal_the_meter_shows_level_elapsed_and_time_left(clock) -> None:
    out = Terminal()
    screen = Screen(out)
    screen.meter(-30.0, 12.34, 180.0)
    drawn = ESCAPE.sub("", out.getvalue())
    assert "━" * 10 + "─" * 10 + " 0:12.3  2:48 left  (Enter = done)" in drawn
    clock[0] += 0.05  # within REDRAW_S: not drawn again
    screen.meter(-30.0, 12.4, 180.0)
    assert "0:12.4" not in ESCAPE.sub("", out.getvalue())
    clock[0] += 0.1
    screen.meter(-30.0, 59.96, 180.0)
    assert "1:00.0  2:01 left" in ESCAPE.sub("", out.getvalue())


def test_on_a_terminal_a_notice_goes_above_the_meter_and_clear_takes_it_away(clock) -> None:
    out = Terminal()
    screen = Screen(out)
    screen.meter(-30.0, 1.0, 180.0)
    screen.say("[n]ext is literal, not markup")
    clock[0] += 1
    screen.meter(-30.0, 2.0, 180.0)
    screen.clear()
    text = out.getvalue()
    plain = ESCAPE.sub("", text)
    assert "[n]ext is literal, not markup\n" in plain
    assert plain.index("0:01.0") < plain.index("[n]ext") < plain.index("0:02.0")
    assert text.rfind("\x1b[?25h") > text.rfind("\x1b[?25l")  # the cursor is left visible
    assert "\x1b[2K" in text[text.rindex("0:02.0") :]  # the meter line is erased
    screen.clear()  # twice is harmless
    screen.say("after")
    assert ESCAPE.sub("", out.getvalue()).endswith("after\n")


def test_the_meter_line_scales_dbfs_and_counts_time_left_up() -> None:
    assert meter_line(-80.0, 0.0, 10.0).plain.count("━") == 0
    assert meter_line(-30.0, 0.0, 10.0).plain.count("━") == 10
    assert meter_line(3.0, 0.0, 10.0).plain.count("━") == 20
    assert "0:02 left" in meter_line(-30, 8.2, 10.0).plain  # 1.8 s left reads 0:02
    assert "0:00 left" in meter_line(-30, 12.0, 10.0).plain
    loud, quiet = meter_line(-3.0, 0, 10), meter_line(-20.0, 0, 10)
    assert loud.spans[0].style == "yellow" and quiet.spans[0].style == "green"  # the bar


def test_warnings_stand_out_and_nothing_is_read_as_markup() -> None:
    assert notice("Warning: the microphone delivered only zeros").style == "yellow"
    assert notice("Disk full: recording stopped").style == "yellow"
    plain = notice("[n]ext  [r]etry")
    assert plain.plain == "[n]ext  [r]etry" and not plain.style
