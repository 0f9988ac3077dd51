"""core.levels: RMS and peak levels in dBFS, from plain arrays."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.core.levels import (
    QUIET_PEAK_DBFS,
    SILENCE_DBFS,
    SILENT_PEAK_DBFS,
    level_dbfs,
    peak_dbfs,
)

ROOT = Path(__file__).resolve().parents[1]
RATE = 16000


def tone(seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)


def test_level_dbfs() -> None:
    assert level_dbfs(np.ones(100, np.float32)) == pytest.approx(0.0)
    assert level_dbfs(tone(1.0, amplitude=1.0)) == pytest.approx(-3.01, abs=0.01)
    assert level_dbfs(np.full(10, 16384, np.int16)) == pytest.approx(-6.02, abs=0.01)
    assert level_dbfs(np.zeros(10)) == SILENCE_DBFS
    assert level_dbfs(np.array([])) == SILENCE_DBFS


def test_peak_dbfs() -> None:
    assert peak_dbfs(np.array([0.0, -0.5])) == pytest.approx(-6.02, abs=0.01)
    assert peak_dbfs(np.array([0, -32768], np.int16)) == pytest.approx(0.0)
    assert peak_dbfs(np.zeros(10)) == peak_dbfs(np.array([])) == SILENCE_DBFS


def test_levels_take_any_shape_and_integer_width() -> None:
    stereo = np.stack([tone(0.5, 0.5), tone(0.5, 0.5)], axis=1)
    assert level_dbfs(stereo) == pytest.approx(level_dbfs(stereo[:, 0]))
    as_int32 = np.full(10, 2**30, np.int32)  # half of int32 full scale
    assert level_dbfs(as_int32) == pytest.approx(-6.02, abs=0.01)


def test_far_below_one_step_is_clamped_to_silence() -> None:
    assert level_dbfs(np.full(10, 1e-9, np.float32)) == SILENCE_DBFS


def test_one_16_bit_step_is_silent_and_speech_is_not_quiet() -> None:
    one_step = np.array([1], np.int16)
    assert peak_dbfs(one_step) == pytest.approx(-90.3, abs=0.01)
    assert peak_dbfs(one_step) <= SILENT_PEAK_DBFS
    assert peak_dbfs(np.array([2], np.int16)) > SILENT_PEAK_DBFS
    assert SILENT_PEAK_DBFS < QUIET_PEAK_DBFS < peak_dbfs(tone(0.1, amplitude=0.01))


def test_importing_levels_loads_no_device_or_resampler() -> None:
    code = (
        "import sys, interviewer.core.levels\n"
        "print(sorted(m for m in ('sounddevice', 'soxr', 'av', 'interviewer.adapters')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert out.stdout.strip() == "[]", out.stderr
