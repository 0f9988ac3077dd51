"""The end-of-answer rule on synthetic audio blocks."""

from __future__ import annotations

import numpy as np

from interviewer.core.endpoint import Endpointer, EndpointSettings, Event
from interviewer.core.levels import level_dbfs

RATE = 16000
BLOCK_S = 0.1
rng = np.random.default_rng(0)


def speech(seconds: float) -> list[np.ndarray]:
    n = int(seconds / BLOCK_S)
    t = np.arange(int(RATE * BLOCK_S)) / RATE
    return [(0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32) for _ in range(n)]


def quiet(seconds: float, level: float = 0.001) -> list[np.ndarray]:
    n = int(seconds / BLOCK_S)
    return [(level * rng.standard_normal(int(RATE * BLOCK_S))).astype(np.float32) for _ in range(n)]


def run(blocks, settings=None):
    ep = Endpointer(settings or EndpointSettings())
    events = []
    for i, b in enumerate(blocks):
        for e in ep.feed(level_dbfs(b), BLOCK_S):
            events.append((round((i + 1) * BLOCK_S, 1), e))
        if ep.ended:
            break
    return ep, events


def test_thinking_pauses_do_not_end_the_answer():
    blocks = quiet(1) + speech(5) + quiet(2) + speech(4) + quiet(1.5) + speech(3) + quiet(5)
    ep, events = run(blocks)
    assert ep.ended is Event.END_SILENCE
    end_t = events[-1][0]
    assert abs(end_t - (1 + 5 + 2 + 4 + 1.5 + 3 + 3)) < 0.15  # 3 s after the last speech


def test_silence_before_any_speech_never_ends_it_but_offers_a_skip():
    ep, events = run(quiet(20))
    assert ep.ended is None
    assert (15.0, Event.ASK_SKIP) in events


def test_maximum_length_with_a_warning():
    s = EndpointSettings(max_answer_s=10, warn_before_max_s=3)
    ep, events = run(speech(12), s)
    assert ep.ended is Event.END_MAX
    assert events[-1] == (10.0, Event.END_MAX)
    assert (7.0, Event.WARN_MAX) in events


def test_background_noise_is_not_speech():
    ep, events = run(quiet(4, level=0.02) + speech(2) + quiet(4, level=0.02))
    assert ep.ended is Event.END_SILENCE
    assert Event.SPEECH_STARTED in [e for _, e in events]


def test_configurable_end_silence():
    blocks = quiet(0.5) + speech(2) + quiet(1.5) + speech(2) + quiet(3)
    ep, _ = run(blocks, EndpointSettings(end_silence_s=1.0))
    assert ep.ended is Event.END_SILENCE and abs(ep.elapsed_s - 3.5) < 0.15


def test_a_short_maximum_warns_late_not_at_once():
    """'30 seconds left' used to show on the first block of a 20 s answer."""
    _, events = run(speech(25), EndpointSettings(max_answer_s=20))
    warned = [t for t, e in events if e is Event.WARN_MAX]
    assert warned == [13.4]  # two thirds in (20 - 20/3 = 13.33, on a block edge)
    _, events = run(speech(200), EndpointSettings(max_answer_s=180))
    assert [t for t, e in events if e is Event.WARN_MAX] == [150.0]
