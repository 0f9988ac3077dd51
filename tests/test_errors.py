"""The one user-facing error type and the exit codes the CLI maps it to."""

from __future__ import annotations

import pytest

from interviewer import errors
from interviewer.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, InterviewerError


def test_exit_codes_follow_the_conventions() -> None:
    assert EXIT_ERROR == 1
    assert EXIT_USAGE == 2  # what argparse itself exits with on bad arguments
    assert EXIT_INTERRUPTED == 128 + 2  # killed by SIGINT, as a shell reports Ctrl+C


def test_what_and_hint_make_one_line() -> None:
    err = InterviewerError("no microphone found", "plug one in")
    assert str(err) == "no microphone found — plug one in"
    assert (err.what, err.hint, err.exit_code) == ("no microphone found", "plug one in", 1)
    assert err.args == ("no microphone found",)


def test_without_a_hint_only_what_is_shown() -> None:
    assert str(InterviewerError("bad value")) == "bad value"
    assert InterviewerError("bad value").hint == ""


def test_an_exit_code_can_be_given() -> None:
    err = InterviewerError("unknown option --x", "see 'interviewer --help'", EXIT_USAGE)
    assert err.exit_code == EXIT_USAGE


def test_it_is_raised_and_caught_as_an_exception() -> None:
    with pytest.raises(InterviewerError, match="^disk full"):
        raise InterviewerError("disk full", "free space")
    assert issubclass(InterviewerError, Exception)
    assert not issubclass(InterviewerError, (OSError, ValueError))  # never caught by accident


def test_every_exit_code_is_used_once() -> None:
    codes = [v for k, v in vars(errors).items() if k.startswith("EXIT_")]
    assert len(codes) == len(set(codes)) == 3
