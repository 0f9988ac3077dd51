"""The one way a time is written for people: m:ss, h:mm:ss past an hour, tenths on request."""

from __future__ import annotations

import math


def clock(seconds: float, tenths: bool = False) -> str:
    """`seconds` (negative counts as 0) as "m:ss" ("h:mm:ss" from one hour), or "m:ss.s".

    Whole seconds are cut, not rounded (a part said from 15.7 s reads 0:15, as review has
    always shown it); tenths are rounded before the split, so 59.96 s reads 1:00.0, not 0:60.0."""
    scaled = max(0.0, float(seconds)) * (10 if tenths else 1)
    units = round(scaled) if tenths else math.floor(scaled)
    whole, tenth = divmod(units, 10) if tenths else (units, 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{text}.{tenth}" if tenths else text
