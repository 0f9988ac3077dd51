"""Coaching thresholds: a TOML file the user can edit, over defaults with their sources."""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

from interviewer.adapters.bank import read_user_text
from interviewer.errors import InterviewerError

SETTINGS_FILE = "settings.toml"


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


DEFAULT_TOML = """\
# interviewer coaching targets. Edit freely; delete a line to go back to its default.
# Length of a whole answer: 2-3 minutes is the usual advice in Amazon interview guides.
total_min_s = 90.0
total_max_s = 180.0
# STAR split: Action the largest part, at least half; Situation + Task at most 30 %.
action_min_share = 0.5
setup_max_share = 0.3
# A single Situation or Task longer than this is flagged.
section_max_s = 45.0
# Words per minute: conversational range 130-165 (National Center for Voice and Speech).
wpm_min = 130.0
wpm_max = 165.0
# Fillers (um, uh, er, hmm, "you know", filler "like", "basically", "sort of") per minute;
# speaking coaches such as Microsoft Speaker Coach flag roughly 3 a minute.
fillers_per_min_max = 3.0
# A silence longer than this inside the answer is reported as a long pause.
long_pause_s = 2.0
# Hedges ("I think", "maybe", "kind of") allowed before they are flagged.
hedges_max = 3
# "I" per "we" in the Action: an Ownership interviewer wants to hear what you did.
i_we_min_ratio = 1.0
"""


def load_coach_settings(bank_root: Path | None) -> CoachSettings:
    path = bank_root / SETTINGS_FILE if bank_root else None
    if path is None or not path.exists():
        return CoachSettings()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(read_user_text(path))  # Notepad's BOM is a TOML syntax error
    except (OSError, ValueError) as exc:
        raise InterviewerError(f"{path}: {exc}", "fix the TOML syntax or delete the file") from exc
    known = {f.name: f.type for f in fields(CoachSettings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InterviewerError(
            f"{path}: unknown setting {unknown[0]!r}", f"valid settings: {', '.join(known)}"
        )
    for key, value in data.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise InterviewerError(f"{path}: {key} must be a number, not {value!r}", "fix it")
    return replace(CoachSettings(), **data)
