"""The faster-whisper adapter with the real embedded tiny.en model (no mocks)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interviewer.adapters.audio_files import load_audio
from interviewer.adapters.transcribe import (
    EMBEDDED_LABEL,
    Transcriber,
    load_model,
    plan_windows,
    resolve_model,
    split_window,
    uncovered_s,
)
from interviewer.core.models import Transcript
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ, TranscribeSettings
from tests.wer_tools import FILLERS, filler_recall, normalize, wer, word_errors

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech_samples"

# CTranslate2 picks its matrix kernels by CPU (Intel MKL on Intel, oneDNN on AMD; AVX2 or
# AVX-512), so a transcript differs by a word or two between machines of the same kind: an
# Intel Xeon gave 13/108 on the sonnet where AMD EPYC gave 11/108. Our decoding is therefore
# held to plain faster-whisper on the same model and audio in the same run: at most
# 1 + words // 50 more word errors (1 on the short clips, 3 on the sonnet). The largest
# excess measured was +1 (the sonnet, oneDNN AVX2), with scripts/accuracy_across_cpus.py
# under CT2_USE_MKL=0/1 and CT2_FORCE_CPU_ISA=AVX2/AVX512 on AMD EPYC (AVX2 is what
# CTranslate2 picks by default there, so =AVX2 gave the same kernels as the default).
# WER_MAX is only a sanity cap (it catches both paths breaking at once, e.g. audio loading):
# the worst WER of ours measured across those settings, or reported, plus a margin of 1-2
# words. Ours measured per clip, errors/words: oneDNN AVX2 | oneDNN AVX-512 | MKL AVX2.
WER_MAX = {
    "jfk_ask_not.flac": 0.05,  # 0/22 | 0/22 | 0/22
    "librispeech_1089-134686-0000.flac": 0.08,  # 1/28 | 1/28 | 1/28 ("flour-fattened")
    "librispeech_1089-134686-0001.flac": 0.13,  # 0/8 | 0/8 | 0/8 (plain 2/8 | 0/8 | 0/8)
    "librispeech_1089-134691-0000.flac": 0.10,  # 0/5 | 0/5 | 0/5
    "librispeech_1089-134691-0001.flac": 0.10,  # 0/17 | 0/17 | 0/17
    "librispeech_61-70968-0000.flac": 0.10,  # 0/17 | 0/17 | 0/17
    "cmu_arctic_awb_a0007.wav": 0.10,  # 0/11 | 0/11 | 0/11
    "cmu_arctic_slt_a0009.wav": 0.12,  # 0/9 | 0/9 | 0/9 (plain 0/9 | 2/9 | 2/9)
    "mfa_acoustic_corpus.wav": 0.12,  # 1/60 | 1/60 | 1/60 (plain 5/60: it drops fillers)
    # 11/108 | 11/108 | 11/108 (plain 10 | 12 | 12); an Intel Xeon (MKL) gave 13/108
    "librivox_sonnet_001.mp3": 0.15,
}
FILLER_CLIPS = sorted((SPEECH / "fillers").glob("*.flac")) + [SPEECH / "mfa_acoustic_corpus.wav"]


def reference(clip: Path) -> str:
    norm = clip.with_suffix(".norm.txt")
    return (norm if norm.exists() else clip.with_suffix(".txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tiny() -> Transcriber:
    assert SPEECH.is_dir(), f"speech samples missing: {SPEECH}"
    transcriber = Transcriber()
    transcriber.load()
    return transcriber


@pytest.fixture(scope="module")
def jfk(tiny: Transcriber) -> tuple[np.ndarray, Transcript]:
    audio = load_audio(SPEECH / "jfk_ask_not.flac")
    return audio, tiny.transcribe(audio)


def plain_faster_whisper(model: Any, audio: np.ndarray) -> str:
    """faster-whisper on its own, with our settings (VAD, beam 5, word timestamps, no
    conditioning), as scripts/bench_transcribe.py runs it: the yardstick for our decoding."""
    from faster_whisper.vad import VadOptions

    s = TranscribeSettings()
    segments, _ = model.transcribe(
        audio,
        language=s.language,
        beam_size=s.beam_size,
        initial_prompt=s.initial_prompt,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=True,
        vad_parameters=VadOptions(
            min_silence_duration_ms=s.vad_min_silence_ms, speech_pad_ms=s.vad_speech_pad_ms
        ),
    )
    return " ".join(seg.text.strip() for seg in segments)


@pytest.fixture(scope="module")
def plain_text(tiny: Transcriber) -> Callable[[Path], str]:
    """Plain faster-whisper's text of a file, on the same loaded model, once per module."""
    done: dict[Path, str] = {}

    def get(path: Path) -> str:
        if path not in done:
            done[path] = plain_faster_whisper(tiny.load(), load_audio(path))
        return done[path]

    return get


@pytest.fixture(scope="module")
def clip_transcript(tiny: Transcriber) -> Callable[[str], Transcript]:
    """Transcribe each real clip at most once per module."""
    done: dict[str, Transcript] = {}

    def get(name: str) -> Transcript:
        if name not in done:
            done[name] = tiny.transcribe(load_audio(SPEECH / name))
        return done[name]

    return get


@pytest.mark.parametrize("name", sorted(WER_MAX))
def test_wer_on_real_clips(
    clip_transcript: Callable[[str], Transcript], plain_text: Callable[[Path], str], name: str
) -> None:
    text, ref = clip_transcript(name).text, reference(SPEECH / name)
    ours, words = word_errors(ref, text)
    plain = word_errors(ref, plain_text(SPEECH / name))[0]
    assert ours <= plain + 1 + words // 50, (ours, plain, text)
    assert ours / words <= WER_MAX[name], text


def test_word_pieces_are_joined(clip_transcript: Callable[[str], Transcript]) -> None:
    """faster-whisper splits "self-substantial" into " self" + "-substantial"; we do not."""
    words = [w.text for w in clip_transcript("librivox_sonnet_001.mp3").words]
    assert any(w.startswith("self-substantial") for w in words), words
    assert not any(w.startswith(("-", ",")) for w in words)


def test_transcript_fields(jfk: tuple[np.ndarray, Transcript]) -> None:
    audio, t = jfk
    assert t.model == EMBEDDED_LABEL
    assert t.duration_s == pytest.approx(11.0, abs=0.01)
    assert t.words[0].text == "And" and not t.words[0].text.startswith(" ")
    assert all(w.text == w.text.strip() and w.text for w in t.words)
    assert all(0.0 <= w.probability <= 1.0 for w in t.words)
    assert all(round(w.start_s, 3) == w.start_s for w in t.words)


def test_word_times_are_monotonic_and_inside_the_clip(jfk: tuple[np.ndarray, Transcript]) -> None:
    _, t = jfk
    starts = [w.start_s for w in t.words]
    assert starts == sorted(starts)
    for before, after in zip(t.words, t.words[1:]):
        assert before.end_s <= after.start_s + 0.01
    assert all(0.0 <= w.start_s <= w.end_s <= t.duration_s for w in t.words)


def test_speech_spans_come_from_vad(jfk: tuple[np.ndarray, Transcript]) -> None:
    _, t = jfk
    assert t.speech_spans, "VAD found no speech in the JFK clip"
    flat = [x for span in t.speech_spans for x in span]
    assert flat == sorted(flat) and flat[0] >= 0.0 and flat[-1] <= t.duration_s
    assert t.speech_s == pytest.approx(sum(e - s for s, e in t.speech_spans), abs=0.01)
    # every word overlaps a speech stretch (a word's times may straddle a short VAD gap)
    for w in t.words:
        assert any(w.start_s < e and w.end_s > s for s, e in t.speech_spans), w


def test_offset_shifts_every_time(tiny: Transcriber) -> None:
    audio = load_audio(SPEECH / "librispeech_1089-134691-0000.flac")
    plain, shifted = tiny.transcribe(audio), tiny.transcribe(audio, offset_s=12.5)
    assert [w.text for w in plain.words] == [w.text for w in shifted.words]
    for a, b in zip(plain.words, shifted.words):
        assert b.start_s == pytest.approx(a.start_s + 12.5, abs=0.002)
        assert b.end_s == pytest.approx(a.end_s + 12.5, abs=0.002)
    for (s1, e1), (s2, e2) in zip(plain.speech_spans, shifted.speech_spans):
        assert (s2, e2) == pytest.approx((s1 + 12.5, e1 + 12.5), abs=0.002)
    assert shifted.duration_s == plain.duration_s  # the clip's own length


class _Spy(Transcriber):
    """Records whether the decoding step of our adapter was reached."""

    decoded = 0

    def _decode(self, audio, spans):  # type: ignore[no-untyped-def]
        type(self).decoded += 1
        return super()._decode(audio, spans)


def _noise(kind: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    n = 5 * SAMPLE_RATE_HZ
    if kind == "silence":
        return np.zeros(n, np.float32)
    if kind == "white 0.1":
        return (rng.standard_normal(n) * 0.1).astype(np.float32)
    if kind == "white 0.3":
        return np.clip(rng.standard_normal(n) * 0.3, -1, 1).astype(np.float32)
    if kind == "hum":
        return (0.3 * np.sin(2 * np.pi * 100 * np.arange(n) / SAMPLE_RATE_HZ)).astype(np.float32)
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["silence", "white 0.1", "white 0.3", "hum"])
def test_no_words_and_no_decoding_without_speech(tiny: Transcriber, kind: str) -> None:
    spy = _Spy()
    _Spy.decoded = 0
    t = spy.transcribe(_noise(kind))
    assert t.words == () and t.no_speech
    assert t.speech_s == 0.0 and t.speech_spans == ()
    assert t.duration_s == 5.0
    assert _Spy.decoded == 0


def test_empty_audio(tiny: Transcriber) -> None:
    t = tiny.transcribe(np.zeros(0, np.float32))
    assert t.words == () and t.duration_s == 0.0


def test_model_is_loaded_once_per_process(tiny: Transcriber) -> None:
    other = Transcriber(TranscribeSettings())
    assert other.load() is tiny.load()
    assert Transcriber(keep_fillers=True).load() is tiny.load()


def test_fillers_are_kept_by_default_on_real_disfluent_clips(tiny: Transcriber) -> None:
    assert tiny.keep_fillers
    found = total = 0
    for clip in FILLER_CLIPS:
        t = tiny.transcribe(load_audio(clip))
        f, n = filler_recall(reference(clip), t.text)
        found, total = found + f, total + n
    assert total == 7
    assert found >= 6  # measured 7/7 on every CPU setting; plain decoding finds 1/7


def test_plain_decoding_reports_no_filler_capture() -> None:
    t = Transcriber(keep_fillers=False).transcribe(load_audio(SPEECH / "mfa_acoustic_corpus.wav"))
    assert t.words and t.filler_capture_s == 0.0


def test_fillers_kept_after_the_first_30_s_window(tiny: Transcriber) -> None:
    lead_in = load_audio(SPEECH / "librivox_sonnet_001.mp3")[: 40 * SAMPLE_RATE_HZ]
    gap = np.zeros(SAMPLE_RATE_HZ, np.float32)
    clips = [SPEECH / "fillers" / "mfa_crossword.flac", SPEECH / "fillers" / "mfa_um.flac"]
    audio = np.concatenate([lead_in, gap] + [load_audio(c) for c in clips])
    t = tiny.transcribe(audio)
    late = " ".join(w.text for w in t.words if w.start_s > 40.5)
    found, total = filler_recall(" ".join(reference(c) for c in clips), late)
    assert (found, total) == (3, 3), late  # 3/3 on every CPU setting measured
    assert t.filler_capture_s == pytest.approx(t.speech_s, abs=0.01)


def test_fillers_do_not_hurt_wer(tiny: Transcriber, plain_text: Callable[[Path], str]) -> None:
    clip = SPEECH / "mfa_acoustic_corpus.wav"
    text = tiny.transcribe(load_audio(clip)).text
    ours = word_errors(reference(clip), text, ignore=FILLERS)[0]
    plain = word_errors(reference(clip), plain_text(clip), ignore=FILLERS)[0]
    assert ours <= plain + 1, text  # measured 1/57 against plain's 2/57 on every setting


# Long spoken answers on which hotwords over faster-whisper's own 30 s windows skipped
# sentences (WER 0.56 and 0.23) and wrote "Uh, hmm." into the silent tail of a window.
# Held to plain faster-whisper on the same file in the same run (WER without fillers),
# plus the margin given. Measured ours / plain: oneDNN AVX2 | oneDNN AVX-512 | MKL AVX2.
LONG_ANSWERS = {
    # 0.085/0.098 | 0.098/0.098 | 0.092/0.104
    "06-ensure-projects-complete-transitioned.signposts.en-m3.160.flac": 0.03,
    # 0.068/0.083 | 0.068/0.083 | 0.064/0.079
    "01-failed-at-work.en-us.160.flac": 0.03,
    # 0.077/0.084 | 0.070/0.063 | 0.077/0.098
    "06-ensure-projects-complete-transitioned.fillers.en-us.185.flac": 0.03,
}


@pytest.mark.parametrize("name", sorted(LONG_ANSWERS))
def test_long_answers_keep_every_sentence_and_invent_no_fillers(
    tiny: Transcriber, plain_text: Callable[[Path], str], name: str
) -> None:
    script = _fixture_script(name)
    t = tiny.transcribe(load_audio(ROOT / "audio_fixtures" / name))
    plain = wer(script, plain_text(ROOT / "audio_fixtures" / name), ignore=FILLERS)
    assert wer(script, t.text, ignore=FILLERS) <= plain + LONG_ANSWERS[name], t.text
    found, total = filler_recall(script, t.text)
    written = sum(1 for w in normalize(t.text) if w in FILLERS)
    assert written == found, t.text  # every filler written was really said
    assert found >= total - 1
    assert t.filler_capture_s >= 0.9 * t.speech_s


def test_a_window_that_loses_words_is_decoded_again_plainly(
    tiny: Transcriber, plain_text: Callable[[Path], str]
) -> None:
    """The fallback, forced: filler capture that fails everywhere still gives every word."""

    class Failing(Transcriber):
        def _decode_window(self, audio, spans):  # type: ignore[no-untyped-def]
            return None

    audio = load_audio(SPEECH / "jfk_ask_not.flac")
    t = Failing().transcribe(audio)
    assert t.filler_capture_s == 0.0
    starts = [w.start_s for w in t.words]
    assert starts == sorted(starts)  # halves tried, then decoded plainly, in order
    ref = reference(SPEECH / "jfk_ask_not.flac")
    plain = word_errors(ref, plain_text(SPEECH / "jfk_ask_not.flac"))[0]
    # measured 1/22 | 1/22 | 0/22 (a word at the cut between the halves), plain 0/22
    assert word_errors(ref, t.text)[0] <= plain + 2, t.text


def test_windows_split_and_coverage() -> None:
    assert plan_windows([(0, 10), (10, 25), (25, 40), (50, 100)], 30) == [
        [(0, 10), (10, 25)],
        [(25, 40)],
        [(50, 100)],
    ]
    assert split_window([(0, 5), (5, 100), (100, 110)]) == ([(0, 5), (5, 100)], [(100, 110)])
    assert split_window([(0, 10), (10, 30)]) == ([(0, 10)], [(10, 30)])
    assert uncovered_s([(0.5, 1.0), (1.2, 2.0)], 5.0) == 3.0  # after the last word
    assert uncovered_s([(3.0, 4.0)], 4.5) == 3.0  # before the first word
    assert uncovered_s([(0.1, 1.0), (4.0, 4.4)], 4.5) == pytest.approx(3.0)  # between
    assert uncovered_s([], 2.5) == 2.5


def _fixture_script(name: str) -> str:
    manifest = json.loads((ROOT / "audio_fixtures" / "manifest.json").read_text())
    return next(f["script"] for f in manifest["fixtures"] if f["file"] == name)


# --- model resolution ---------------------------------------------------------------------


def test_resolve_embedded_model() -> None:
    path, label = resolve_model(None)
    assert (Path(path) / "model.bin").is_file() and (Path(path) / "tokenizer.json").is_file()
    assert label == EMBEDDED_LABEL


def test_resolve_model_name_is_passed_through() -> None:
    assert resolve_model("base.en") == ("base.en", "base.en")


@pytest.mark.parametrize("name", ["./no/such/model", "~/no-such-model-dir", "/no/such/model"])
def test_resolve_missing_folder(name: str) -> None:
    with pytest.raises(InterviewerError, match="not found") as caught:
        resolve_model(name)
    assert str(Path(name).expanduser()) in str(caught.value)


def test_resolve_folder_without_model_bin(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(InterviewerError, match="model.bin") as caught:
        resolve_model(str(tmp_path))
    assert str(tmp_path) in str(caught.value)


def test_resolve_folder_without_tokenizer(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(InterviewerError, match="tokenizer.json"):
        resolve_model(str(tmp_path))


def test_transcriber_reports_bad_folder_early(tmp_path: Path) -> None:
    with pytest.raises(InterviewerError, match=str(tmp_path)):
        Transcriber(TranscribeSettings(model=str(tmp_path)))


def test_unknown_model_name_lists_choices() -> None:
    with pytest.raises(InterviewerError, match="tiny.en") as caught:
        load_model("tiny.xx", "cpu", "int8", 1)
    assert "\n" not in str(caught.value)


def test_model_that_cannot_be_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network and nothing cached: one line, not a huggingface_hub traceback."""
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path))  # nothing cached here
    with pytest.raises(InterviewerError, match="base.en") as caught:
        load_model("base.en", "cpu", "int8", 1)
    assert "\n" not in str(caught.value)


def test_import_is_cheap() -> None:
    code = "import sys, interviewer.adapters.transcribe; print('faster_whisper' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_vad_off_and_int16_input(tiny: Transcriber) -> None:
    audio = load_audio(SPEECH / "librispeech_1089-134691-0000.flac")
    pcm = (audio * 32767).round().astype(np.int16)
    t = Transcriber(TranscribeSettings(vad_filter=False)).transcribe(pcm)
    assert wer("he could wait no longer", t.text) == 0.0
    assert t.speech_spans == ((0.0, t.duration_s),) and t.speech_s == t.duration_s
