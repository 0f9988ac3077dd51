"""Tunables: frozen dataclasses with the unit in every name, and defaults that fit together."""

from __future__ import annotations

import dataclasses

import pytest

from interviewer.core.endpoint import EndpointSettings
from interviewer.settings import (
    FILLER_PROMPT,
    SAMPLE_RATE_HZ,
    LiveSettings,
    SpeechSettings,
    TranscribeSettings,
)

ALL = (TranscribeSettings, SpeechSettings, LiveSettings)
UNITS = ("_s", "_ms", "_hz", "_dbfs", "_wpm")
# Counts, switches, names and ratios: no unit to name.
NO_UNIT = {
    "cpu_threads",
    "beam_size",
    "temperature",
    "max_compression_ratio",
    "unlikely_logprob",
    "unlikely_no_speech_prob",
}


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_settings_are_frozen(cls: type) -> None:
    s = cls()
    name = dataclasses.fields(s)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, name, None)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_number_names_its_unit(cls: type) -> None:
    for f in dataclasses.fields(cls):
        value = getattr(cls(), f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert f.name.endswith(UNITS) or f.name in NO_UNIT, f.name


def test_the_sample_rate_is_whispers() -> None:
    assert SAMPLE_RATE_HZ == 16000
    assert LiveSettings().sample_rate_hz == SAMPLE_RATE_HZ


def test_transcription_windows_fit_whisper_and_move_forward() -> None:
    t = TranscribeSettings()
    assert t.window_s < 30.0  # Whisper sees 30 s at a time
    assert 0 < t.overlap_s < t.window_s / 2  # each overlapping window still moves on
    assert t.max_uncovered_s < t.window_s
    assert t.vad_block_s > t.window_s
    assert t.temperature == 0.0  # one deterministic pass: sampling invented text from babble
    assert t.model is None and t.keep_fillers and t.vad_filter


def test_the_filler_prompt_is_short_and_only_fillers() -> None:
    words = FILLER_PROMPT.lower().replace(",", "").replace(".", "").split()
    assert words == ["um", "uh", "hmm", "er", "ah"]


def test_live_defaults_agree_with_the_endpointer() -> None:
    """A live session passes its own values to the Endpointer; one used alone (the endpoint
    tests, scripts) must end answers the same way."""
    live, ep = LiveSettings(), EndpointSettings()
    assert live.end_silence_s == ep.end_silence_s
    assert live.max_answer_s == ep.max_answer_s
    assert live.warn_before_max_s == ep.warn_before_max_s
    assert live.skip_prompt_after_s == ep.skip_prompt_after_s
    assert live.block_s < live.end_silence_s < live.skip_prompt_after_s < live.max_answer_s


def test_replace_gives_a_new_settings_object() -> None:
    t = TranscribeSettings()
    other = dataclasses.replace(t, model="base.en")
    assert other.model == "base.en" and t.model is None and other.beam_size == t.beam_size
