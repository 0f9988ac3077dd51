"""Coaching targets as plain data: the defaults, and a parsed settings file laid over them.

Reading settings.toml from the bank is adapters.bank's (tests/test_bank.py)."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from interviewer.core.coaching import CoachSettings, coach_settings_from
from interviewer.errors import InterviewerError
from tests.conftest import ROOT


def test_defaults_are_consistent_ranges() -> None:
    c = CoachSettings()
    assert c.total_min_s < c.total_max_s
    assert c.wpm_min < c.wpm_max
    assert 0 < c.setup_max_share < c.action_min_share <= 1  # setup small, Action the largest
    assert c.section_max_s < c.total_min_s
    assert c.hedges_max >= 0 and c.i_we_min_ratio > 0 and c.long_pause_s > 0


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CoachSettings().wpm_min = 100.0  # type: ignore[misc]


def test_nothing_given_is_the_defaults() -> None:
    assert coach_settings_from({}, "x.toml") == CoachSettings()


def test_given_values_replace_only_their_own_defaults() -> None:
    c = coach_settings_from({"wpm_min": 120, "hedges_max": 5, "total_max_s": 150.5}, "x.toml")
    assert (c.wpm_min, c.hedges_max, c.total_max_s) == (120, 5, 150.5)
    assert c.wpm_max == CoachSettings().wpm_max and c.total_min_s == CoachSettings().total_min_s


def test_an_unknown_setting_is_named_with_the_valid_ones() -> None:
    with pytest.raises(InterviewerError) as err:
        coach_settings_from({"wpm_minimum": 120, "zzz": 1}, "bank/settings.toml")
    assert err.value.what == "bank/settings.toml: unknown setting 'wpm_minimum'"
    names = [f.name for f in dataclasses.fields(CoachSettings)]
    assert err.value.hint == f"valid settings: {', '.join(names)}"


@pytest.mark.parametrize("value", ["120", True, [120], {"a": 1}])
def test_a_value_that_is_not_a_number_is_refused(value: object) -> None:
    with pytest.raises(InterviewerError) as err:
        coach_settings_from({"wpm_min": value}, "s.toml")
    assert err.value.what == f"s.toml: wpm_min must be a number, not {value!r}"


def test_the_committed_file_lists_every_setting_at_its_default() -> None:
    """questions/settings.toml is the user's documented copy of the defaults: same names,
    same values, each with a comment saying where it comes from."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    text = (ROOT / "questions" / "settings.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data == dataclasses.asdict(CoachSettings())
    assert coach_settings_from(data, "settings.toml") == CoachSettings()
    assert text.count("#") >= 9  # every default carries its source
