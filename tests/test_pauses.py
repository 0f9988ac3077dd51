"""Pauses found in audio from frame energy: synthetic tones and silences, numpy only."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.core import pauses
from interviewer.core.pauses import FRAME_S, find_pauses, frame_dbfs, speech_threshold_dbfs

RATE = 16000


def tone(seconds: float, amplitude: float = 0.5, hz: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def quiet(seconds: float, level: float = 1e-4) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (level * rng.standard_normal(int(seconds * RATE))).astype(np.float32)


def test_frame_levels_in_dbfs() -> None:
    db = frame_dbfs(tone(1.0, amplitude=1.0), RATE)
    assert len(db) == 1.0 / FRAME_S
    assert np.allclose(db, 20 * np.log10(1 / np.sqrt(2)), atol=0.1)  # a full-scale sine: -3 dB
    assert frame_dbfs(np.zeros(RATE, dtype=np.float32), RATE).max() < -100


def test_int16_pcm_reads_as_the_same_levels_as_float() -> None:
    audio = np.concatenate([tone(0.5), quiet(0.5, 1e-2)])
    pcm = np.round(audio * 32767).astype(np.int16)
    assert np.allclose(frame_dbfs(pcm, RATE), frame_dbfs(audio, RATE), atol=0.05)


def test_a_long_recording_is_measured_piece_by_piece_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audio = np.concatenate([tone(1.0), quiet(0.7), tone(0.33)])
    whole = frame_dbfs(audio, RATE)
    monkeypatch.setattr(pauses, "FRAMES_PER_PIECE", 7)  # many pieces, a short last one
    assert np.array_equal(frame_dbfs(audio, RATE), whole)


def test_a_silence_between_two_stretches_of_speech_is_one_pause() -> None:
    audio = np.concatenate([tone(1.0), quiet(0.8), tone(1.0)])
    (found,) = find_pauses(audio, RATE)
    assert found == pytest.approx((1.0, 1.8), abs=FRAME_S)


def test_short_gaps_are_not_pauses() -> None:
    audio = np.concatenate([tone(1.0), quiet(0.1), tone(0.5), quiet(0.4), tone(0.5)])
    assert len(find_pauses(audio, RATE)) == 1  # the 0.1 s gap is below min_pause_s (0.2)
    assert len(find_pauses(audio, RATE, min_pause_s=0.05)) == 2
    assert find_pauses(audio, RATE, min_pause_s=0.5) == []


def test_leading_and_trailing_silence_are_pauses_too() -> None:
    audio = np.concatenate([quiet(0.5), tone(1.0), quiet(0.6)])
    found = find_pauses(audio, RATE)
    assert found[0] == pytest.approx((0.0, 0.5), abs=FRAME_S)
    assert found[-1] == pytest.approx((1.5, 2.1), abs=FRAME_S)


def test_room_noise_under_the_speech_still_leaves_the_pause() -> None:
    noise = quiet(3.0, level=3e-3)  # about -50 dBFS of hiss everywhere
    speech = np.concatenate([tone(1.0), np.zeros(RATE, dtype=np.float32), tone(1.0)])
    (found,) = find_pauses(speech + noise, RATE)
    assert found == pytest.approx((1.0, 2.0), abs=FRAME_S)


def test_nothing_to_measure() -> None:
    assert find_pauses(np.zeros(0, dtype=np.float32), RATE) == []
    assert find_pauses(np.zeros(100, dtype=np.float32), RATE) == []  # shorter than a frame
    assert speech_threshold_dbfs(np.zeros(0)) == -60.0


def test_the_threshold_sits_between_floor_and_speech() -> None:
    db = np.array([-80.0] * 50 + [-20.0] * 50)
    threshold = speech_threshold_dbfs(db)
    assert -80 < threshold < -20
    assert speech_threshold_dbfs(np.full(100, -90.0)) == -60.0  # never below -60 dBFS
