"""Pure: how loud a block of audio is, in dB relative to full scale (dBFS). Numpy only.

Samples are float in [-1, 1] or integer PCM (int16, int32, ...), which is scaled by its
type's full scale; shape does not matter (all samples count, whatever the channels).
"""

from __future__ import annotations

import numpy as np

SILENCE_DBFS = -120.0  # what level_dbfs and peak_dbfs report for digital silence, not -inf
# One step of 16-bit audio is -90.3 dBFS: a peak below it means the input is digital silence.
SILENT_PEAK_DBFS = -90.0
QUIET_PEAK_DBFS = -50.0  # speech this close to the mic peaks far above this


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS, at least SILENCE_DBFS (silence or no samples)."""
    x = _as_float(samples)
    if x.size == 0:
        return SILENCE_DBFS
    return _to_dbfs(float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))


def peak_dbfs(samples: np.ndarray) -> float:
    """Level of the loudest sample in dBFS, at least SILENCE_DBFS (silence or no samples)."""
    x = _as_float(samples)
    return _to_dbfs(float(np.max(np.abs(x)))) if x.size else SILENCE_DBFS


def _to_dbfs(amplitude: float) -> float:
    return max(SILENCE_DBFS, 20.0 * float(np.log10(amplitude))) if amplitude > 0 else SILENCE_DBFS


def _as_float(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float32) / float(np.iinfo(x.dtype).max + 1)
    return x.astype(np.float32, copy=False)
