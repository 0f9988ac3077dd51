"""Pure: find pauses (stretches of near-silence) in mono audio from frame energy.

Used to snap STAR boundaries to real silence and to count long pauses. Numpy only.
"""

from __future__ import annotations

import numpy as np

FRAME_S = 0.02


FRAMES_PER_PIECE = 5_000  # 100 s at 20 ms: a 6 MB float copy at a time, whatever the length


def frame_dbfs(samples: np.ndarray, rate_hz: int, frame_s: float = FRAME_S) -> np.ndarray:
    """RMS level of each frame in dBFS; float samples in [-1, 1] or int16 PCM.

    Computed a piece at a time, so a long recording (int16) is never copied whole as float.
    """
    hop = max(1, int(rate_hz * frame_s))
    n = len(samples) // hop
    scale = 1 / 32768 if samples.dtype == np.int16 else 1.0
    out = np.empty(n, dtype=np.float32)
    for first in range(0, n, FRAMES_PER_PIECE):
        last = min(n, first + FRAMES_PER_PIECE)
        frames = samples[first * hop : last * hop].astype(np.float32).reshape(-1, hop) * scale
        rms = np.sqrt(np.mean(frames * frames, axis=1) + 1e-12)
        out[first:last] = 20 * np.log10(rms + 1e-9)
    return out


def speech_threshold_dbfs(db: np.ndarray) -> float:
    """Between the noise floor and the speech level, robust to either being absent."""
    if db.size == 0:
        return -60.0
    floor = float(np.percentile(db, 10))
    loud = float(np.percentile(db, 95))
    return max(floor + 0.3 * (loud - floor), floor + 6.0, -60.0)


def find_pauses(
    samples: np.ndarray, rate_hz: int, min_pause_s: float = 0.2, frame_s: float = FRAME_S
) -> list[tuple[float, float]]:
    """(start_s, end_s) of every quiet stretch at least `min_pause_s` long."""
    db = frame_dbfs(samples, rate_hz, frame_s)
    if db.size == 0:
        return []
    quiet = db < speech_threshold_dbfs(db)
    pauses: list[tuple[float, float]] = []
    start: int | None = None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) * frame_s >= min_pause_s:
                pauses.append((round(start * frame_s, 3), round(i * frame_s, 3)))
            start = None
    return pauses
