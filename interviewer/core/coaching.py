"""Coaching targets as plain data: the defaults with their sources, and the user's overrides
laid over them. Reading the file the overrides come from (`settings.toml` in the bank) is
`adapters.bank.load_coach_settings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from interviewer.errors import InterviewerError


@dataclass(frozen=True)
class CoachSettings:
    # Amazon interview guides (e.g. Amazon's "STAR method" prep pages) suggest 2-3 minute
    # answers; 90 s is the shortest that leaves room for all five parts.
    total_min_s: float = 90.0
    total_max_s: float = 180.0
    # Common STAR coaching split: Situation+Task about 20-30 %, Action the largest, at least half.
    action_min_share: float = 0.5
    setup_max_share: float = 0.3  # Situation + Task
    section_max_s: float = 45.0  # any single setup section running longer drags the answer
    # Conversational speaking rate 130-165 wpm (National Center for Voice and Speech figures).
    wpm_min: float = 130.0
    wpm_max: float = 165.0
    # Speaker-coaching tools (e.g. Microsoft Speaker Coach) flag fillers above ~3 per minute.
    fillers_per_min_max: float = 3.0
    long_pause_s: float = 2.0
    hedges_max: int = 3
    # An Ownership answer should be told in the first person: more "I" than "we" in the Action.
    i_we_min_ratio: float = 1.0


def coach_settings_from(data: Mapping[str, object], source: str) -> CoachSettings:
    """The defaults with `data` (a parsed settings file) laid over them.

    `source` names where `data` came from in errors. Raises InterviewerError for a key that is
    no setting, or a value that is not a number (a bool is not one, though Python says it is).
    """
    known = [f.name for f in fields(CoachSettings)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InterviewerError(
            f"{source}: unknown setting {unknown[0]!r}", f"valid settings: {', '.join(known)}"
        )
    numbers: dict[str, Any] = {}  # each value as written: an int or a float
    for key, value in data.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise InterviewerError(f"{source}: {key} must be a number, not {value!r}", "fix it")
        numbers[key] = value
    return replace(CoachSettings(), **numbers)
