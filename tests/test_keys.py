"""Key presses read by a thread: from a pipe as written, from a terminal without Enter."""

from __future__ import annotations

import contextlib
import os
import pty
import termios
import threading
import time
from collections.abc import Iterator

import pytest

from interviewer.adapters.keys import KeyReader


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    """(read end, write end). The write end closes first, so a reader thread sees the end of
    input and stops before its fd number is closed and can be reused by another test."""
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    with contextlib.suppress(OSError):
        os.close(write_fd)
    _wait_for_reader_threads()
    os.close(read_fd)


def _wait_for_reader_threads() -> None:
    for thread in threading.enumerate():
        if thread.name == "keys":
            thread.join(timeout=2.0)
            assert not thread.is_alive(), "a key reader outlived its input"


def _next_key(keys: KeyReader, timeout_s: float = 2.0) -> str | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        key = keys.poll()
        if key is not None:
            return key
        time.sleep(0.01)
    return None


def test_keys_arrive_one_at_a_time_in_lower_case(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    with KeyReader(read_fd) as keys:
        assert keys.poll() is None  # nothing pressed: never blocks
        os.write(write_fd, b"Sq")
        assert [_next_key(keys), _next_key(keys)] == ["s", "q"]
        assert keys.poll() is None


def test_wait_returns_an_allowed_key_and_skips_the_rest(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    with KeyReader(read_fd) as keys:
        os.write(write_fd, b"xzY")
        assert keys.wait("yn", default="n") == "y"


def test_enter_is_the_default(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    with KeyReader(read_fd) as keys:
        os.write(write_fd, b"\n")
        assert keys.wait("yn", default="n") == "n"


def test_a_timeout_gives_the_default(pipe: tuple[int, int]) -> None:
    read_fd, _ = pipe
    with KeyReader(read_fd) as keys:
        started = time.monotonic()
        assert keys.wait("yn", default="y", timeout_s=0.2) == "y"
        assert 0.15 < time.monotonic() - started < 2.0


def test_end_of_input_gives_the_default_after_the_keys_left(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    with KeyReader(read_fd) as keys:
        os.write(write_fd, b"y")
        os.close(write_fd)
        deadline = time.monotonic() + 2.0
        while not keys.closed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert keys.closed
        assert keys.wait("yn", default="n") == "y"  # pressed before the end: still read
        assert keys.wait("yn", default="n") == "n"  # and then no blocking, ever
        assert keys.poll() is None


def test_drain_forgets_keys_pressed_earlier(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    with KeyReader(read_fd) as keys:
        os.write(write_fd, b"abc")
        deadline = time.monotonic() + 2.0
        while keys._keys.qsize() < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        keys.drain()
        assert keys.poll() is None


def test_a_terminal_is_in_cbreak_mode_while_reading_and_restored_after() -> None:
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        assert before[3] & termios.ICANON
        with KeyReader(slave) as keys:
            assert not termios.tcgetattr(slave)[3] & termios.ICANON  # no Enter needed
            os.write(master, b"f")
            assert _next_key(keys) == "f"
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)  # the reader's next read fails: it stops before slave closes
        _wait_for_reader_threads()
        os.close(slave)
