"""Transcription progress on stderr: a bar on a terminal, plain 10 % lines in a log."""

from __future__ import annotations

import io

import pytest

from interviewer.views import progress
from interviewer.views.progress import PLAIN_LINES_MIN_S, TranscribeProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_line_at_every_tenth_of_a_long_file() -> None:
    log = io.StringIO()
    with TranscribeProgress("long.flac", log) as show:
        for done in [*range(0, 300, 7), 300]:  # 7 s steps through 5 minutes
            show(float(done), 300.0)
    lines = log.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("transcribing long.flac:  12% (0:35 of 5:00 of audio), about ")
    shares = [int(line.split(": ")[1].split("%")[0]) for line in lines]
    assert all(10 * k <= share < 10 * k + 3 for k, share in enumerate(shares, start=1)), shares
    assert lines[-1] == "transcribing long.flac: 100% (5:00 of 5:00 of audio)"
    assert all(line.endswith(" left") for line in lines[:-1])  # a time left until the end


def test_a_big_step_prints_one_line_not_one_per_tenth_skipped() -> None:
    log = io.StringIO()
    show = TranscribeProgress("a.wav", log)
    show(10.0, 200.0)  # 5 %: nothing yet
    show(94.0, 200.0)  # 47 %
    show(250.0, 200.0)  # past the end (a rounding of the last window): 100 %, once
    show(200.0, 200.0)
    lines = log.getvalue().splitlines()
    assert [line.split(": ")[1][:4] for line in lines] == [" 47%", "100%"]


def test_ordinary_answers_leave_the_log_as_it_was() -> None:
    log = io.StringIO()
    with TranscribeProgress("answer.wav", log) as show:
        for done in (0.0, 30.0, PLAIN_LINES_MIN_S - 1):
            show(done, PLAIN_LINES_MIN_S - 1)
        show(5.0, None)  # length unknown
    assert log.getvalue() == ""


def test_a_terminal_gets_a_bar_that_is_gone_when_done() -> None:
    screen = Terminal()
    with TranscribeProgress("answer.wav", screen) as show:
        assert show.terminal
        show(15.0, 60.0)  # short files get the bar too: a terminal shows it in place
        bar = show._bar
        assert bar is not None and bar.tasks[0].completed == 15.0
        assert bar.tasks[0].fields["audio"] == "0:15 / 1:00"
        show(60.0, 60.0)
        assert bar.tasks[0].finished and bar.live.transient
    assert show._bar is None  # stopped; transient, so the terminal erases it


def test_a_closed_or_odd_stream_counts_as_no_terminal() -> None:
    closed = io.StringIO()
    closed.close()
    assert progress._isatty(closed) is False
    assert progress._isatty(object()) is False  # type: ignore[arg-type]
    assert progress._isatty(Terminal()) is True


def test_nothing_ever_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with TranscribeProgress("long.flac") as show:  # stderr by default
        for done in [*range(0, 200, 7), 200]:
            show(float(done), 200.0)
    out, err = capsys.readouterr()
    assert out == "" and err.count("transcribing long.flac") == 10


def test_a_step_landing_exactly_on_a_tenth_prints_that_tenth() -> None:
    log = io.StringIO()
    show = TranscribeProgress("x.flac", log)
    for done in range(0, 201, 20):
        show(float(done), 200.0)
    shares = [line.split(": ")[1][:4] for line in log.getvalue().splitlines()]
    assert shares == [f"{k * 10:3d}%" for k in range(1, 11)]
