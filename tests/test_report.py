"""The HTML report without a browser: what the templates render from hand-made records, that
user text is escaped, that the page is one self-contained file, and that its templates and
static files ship with the package (tests/test_report_browser.py clicks through a real one)."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import wave
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from interviewer.adapters.bank import load_bank
from interviewer.core import analysis, star
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import Section, Transcript, Word
from interviewer.core.records import Attempt
from interviewer.views import report
from tests.conftest import ROOT

Q01 = "01-failed-at-work"
HOSTILE = '<script>alert("x")</script> Tom & Jerry\'s'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tom &amp; Jerry&#39;s"


def _words(text: str, start_s: float = 0.5) -> tuple[Word, ...]:
    return tuple(
        Word(w, start_s + i, start_s + i + 0.8, 0.3 if i % 5 == 0 else 0.9)
        for i, w in enumerate(text.split())
    )


def _record(
    monkeypatch: pytest.MonkeyPatch, words: tuple[Word, ...], when: datetime
) -> dict[str, Any]:
    """A finished record as `practice` saves it; the first half of the words are Situation,
    the rest Action (the segmenter is tested in test_star.py)."""
    half = len(words) // 2
    mid, end = words[half].start_s, words[-1].end_s
    sections = (
        Section("situation", words[0].start_s, mid, "", spans=((words[0].start_s, mid),)),
        Section("action", mid, end, "", spans=((mid, end),), confidence=0.9, reason="a cue"),
    )
    labels = tuple("situation" if i < half else "action" for i in range(len(words)))
    seg = SimpleNamespace(sections=sections, word_labels=labels)
    monkeypatch.setattr(star, "segment", lambda *a, **k: seg)
    q = load_bank(None).find(Q01)
    transcript = Transcript(words, end + 1.0, speech_s=end, model="tiny.en")
    record = analysis.new_record(q, transcript, when)
    record.update(analysis.analyse(q, transcript, [], CoachSettings()))
    return record


def _save(bank: Path, record: dict[str, Any], stamp: str, audio_s: float = 1.0) -> Path:
    """The record and a silent WAV of `audio_s` beside it, named as `practice` names them."""
    stem = f"{Q01}.attempt-{stamp}"
    with wave.open(str(bank / "ownership" / f"{stem}.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * int(16000 * audio_s))
    path = bank / "ownership" / f"{stem}.json"
    path.write_text(json.dumps({**record, "audio": f"{stem}.wav"}))
    return path


def _page(bank: Path) -> str:
    b = load_bank(bank)
    return report.write_report(b, b.find(Q01), warn=lambda _: None).read_text()


class Tags(HTMLParser):
    """Counts the elements a browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1


def _tags(page: str) -> dict[str, int]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


# --- escaping ---------------------------------------------------------------------------------


def test_user_text_is_escaped_wherever_it_appears(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Question, story, transcript, feedback and a follow-up's question, all holding markup,
    quotes and &, come out as text: the page keeps its one script and gains no element kind."""
    story = bank / "ownership" / f"{Q01}.txt"
    text = story.read_text()
    text = text.replace("Tell me about a time when you failed at work?", HOSTILE, 1)
    story.write_text(text.replace("Situation:\n", f"Situation:\n{HOSTILE} ", 1))
    words = _words(f"I said {HOSTILE} and then we fixed the 3 failing jobs ourselves today")
    record = _record(monkeypatch, words, datetime(2026, 11, 29, 12, 0))
    record["feedback"] = [f"Tip: {HOSTILE}"]
    record["follow_ups"] = [{"audio": "gone.wav", "offset_s": 30.0, "question": HOSTILE}]
    _save(bank, record, "20261129-120000")
    page = _page(bank)
    clean = _page_without(bank, HOSTILE)
    assert _tags(page)["script"] == 1  # the report's own
    assert set(_tags(page)) == set(_tags(clean))  # no kind of element the text brought in
    assert f"<h2>{ESCAPED}</h2>" in page
    assert f"<title>Interview practice · {ESCAPED}</title>" in page
    assert f"<li>Tip: {ESCAPED}</li>" in page
    assert "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; " in page  # the story
    said = re.findall(r'<span class="w[^"]*" data-t="[^"]+" data-e="[^"]+">([^<]*)</span>', page)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in said and "&amp;" in said
    assert "Recording not found: gone.wav" in page


def _page_without(bank: Path, hostile: str) -> str:
    """The same page with the hostile text made harmless, to compare its elements with."""
    for path in [*bank.glob("ownership/*.json"), bank / "ownership" / f"{Q01}.txt"]:
        text = path.read_text()
        for bad in (json.dumps(hostile)[1:-1], hostile, json.dumps(hostile.split()[0])[1:-1]):
            text = text.replace(bad, "plain")
        path.write_text(text)
    plain = _page(bank)
    assert "&lt;" not in plain.split("<style>")[0]  # the text really was replaced
    return plain


def test_every_value_in_the_templates_is_autoescaped() -> None:
    env = report.environment()
    assert env.autoescape is True
    assert str(report.blocks().words([report.WordView("<b>&", 1.0, 2.0)])) == (
        '<span class="w" data-t="1" data-e="2">&lt;b&gt;&amp;</span>'
    )


def test_a_misspelt_name_in_a_template_is_an_error_not_an_empty_string() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        report.environment().from_string("{{ part.titel }}").render(part={"title": "x"})


# --- one self-contained file ------------------------------------------------------------------


def test_the_page_inlines_its_css_and_js_and_loads_nothing(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(bank, _record(monkeypatch, _words("we shipped it " * 10), datetime(2026, 11, 1)), "1")
    page = _page(bank)
    css = page.split("<style>")[1].split("</style>")[0]
    js = page.split("<script>")[1].split("</script>")[0]
    assert css.strip() == report.static("report.css").strip() and "--situation" in css
    assert js.strip() == report.static("report.js").strip() and "function Attempt" in js
    assert not re.search(r"<link|<img|<iframe|https?://", page)
    assert re.search(r'<audio controls preload="auto" [^>]*src="data:audio/wav;base64,', page)
    assert page.startswith("<!doctype html>\n") and page.endswith("</html>\n")


def test_a_long_recording_is_linked_by_a_relative_path(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "EMBED_MAX_BYTES", 100)
    _save(bank, _record(monkeypatch, _words("we shipped it " * 10), datetime(2026, 11, 1)), "1")
    assert f'src="{Q01}.attempt-1.wav"' in _page(bank)


def test_the_player_puts_each_follow_up_on_the_answer_clock(tmp_path: Path) -> None:
    for name in ("a.wav", "f.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    record = {
        "audio": "a.wav",
        "follow_ups": [
            {"audio": "f.wav", "offset_s": 30.0, "audio_start_s": 8.5, "question": "Q?"},
            {"audio": "", "offset_s": 50.0},
        ],
    }
    html = report.audio_html(tmp_path / "x.json", Attempt.from_json(record), tmp_path)
    assert html.count("<audio") == 2
    assert 'data-offset="0" data-origin="0"' in html
    assert 'data-offset="30" data-origin="21.5"' in html
    assert '<span class="clip-label">Follow-up: Q?</span>' in html
    assert "Recording not found: (none)" in html


# --- what the page shows ----------------------------------------------------------------------


def test_the_timeline_has_a_block_per_span_and_a_labelled_axis() -> None:
    record = {
        "duration_s": 100.0,
        "sections": [
            {"label": "situation", "spans": [{"start_s": 0, "end_s": 50}], "confidence": 0.9},
            {
                "label": "action",
                "spans": [{"start_s": 50, "end_s": 52}, {"start_s": 60, "end_s": 99}],
            },
            {"label": "result", "missing": True, "spans": []},
        ],
    }
    t = report.timeline(Attempt.from_json(record))
    svg = str(report.blocks().timeline(t))
    assert svg.count('<g class="seg s-') == 3 and 'data-duration="100.000"' in svg
    assert '<rect x="0.0" y="4" width="500.0"' in svg  # 1000 units for 100 s
    assert ">Situation</text>" in svg and ">A</text>" in svg  # a short block gets an initial
    assert svg.count("<title>Action 0:50–0:52 + 1:00–1:39</title>") == 2  # unknown basis
    assert "<title>Situation 0:00–0:50 · sure (0.90)</title>" in svg
    assert [tick.text for tick in t.ticks] == ["0:00", "0:10", "0:20", "0:30", "0:40", "0:50",
                                                "1:00", "1:10", "1:20", "1:30"]  # fmt: skip
    assert '<text x="1000" y="58" text-anchor="end">1:40</text>' in svg


def test_story_facts_are_marked_once_and_paragraphs_kept() -> None:
    facts = [
        {"value": "3", "fact": "3 days", "status": "said"},
        {"value": "40%", "fact": "40% & more", "status": "missed"},
    ]
    q = SimpleNamespace(path=Path("x/01.txt"))
    view = report.story("It took 3 days.\n\nThen 40% less, 3 times.", facts, q)  # type: ignore[arg-type]
    html = str(
        report.blocks().story_part(report.PartView("result", "Result", False, "", "", "", [], view))
    )
    assert html.count("<mark") == 2 and '<mark class="fact said">3</mark> days' in html
    assert "<p>It took " in html and "</p><p>Then " in html
    assert '<li class="missed" title="missed in this take">✗ 40% &amp; more</li>' in html
    assert "(not spoken)" in html
    empty = report.story("", [], q)  # type: ignore[arg-type]
    html = str(
        report.blocks().story_part(report.PartView("task", "Task", True, "", "", "", [], empty))
    )
    assert "Not written yet: add it to 01.txt." in html and 'class="part s-task missing"' in html


def test_two_takes_are_diffed_word_by_word(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _record(
        monkeypatch, _words("we fixed the build quickly and then shipped"), datetime(2026, 11, 1)
    )
    new = _record(
        monkeypatch, _words("we fixed the build and then shipped it"), datetime(2026, 11, 2)
    )
    d = report.diff(Attempt.from_json(new), Attempt.from_json(old))
    assert d is not None and (d.added, d.dropped) == (1, 1)
    html = str(report.blocks().diff(d))
    assert "<del>quickly</del>" in html and re.search(r"<ins><span [^>]*>it</span></ins>", html)
    assert '<span class="tag s-situation">Situation</span>' in html
    assert "2026-11-01 00:00 → 2026-11-02 00:00: 88% of the words the same" in html
    assert "Record another take" in str(report.blocks().diff(None))


def test_progress_has_a_bar_per_section_of_each_take_and_a_dot_per_take(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in (1, 2, 3):
        record = _record(monkeypatch, _words("we shipped it " * (5 * day)), datetime(2026, 11, day))
        _save(bank, record, f"2026110{day}-120000")
    page = _page(bank)
    bars = re.findall(
        r'<rect x="[^"]+" width="[^"]+" y="[^"]+" height="[^"]+" fill="var\(--(\w+)\)">', page
    )
    assert bars == ["situation", "action"] * 3
    wpm = page.split('<svg class="chart-wpm"')[1].split("</svg>")[0]
    assert wpm.count("<circle") == 3 and wpm.count('class="dot last"') == 1
    assert "<h3>Progress across 3 takes</h3>" in page and "(3 attempts)" in page


def test_a_question_without_an_analysed_take_says_so(tmp_path: Path) -> None:
    q = load_bank(None).find(Q01)
    view = report.question_view(tmp_path, tmp_path, q, [{"status": "no speech"}], CoachSettings())
    html = str(report.blocks().question(view))
    assert "No speech was found in these attempts." in html and "<audio" not in html


# --- packaging and start-up -------------------------------------------------------------------


def test_templates_and_static_files_are_package_data() -> None:
    """Every file the report reads is matched by pyproject's package-data, so a wheel has it."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["interviewer.views"]
    views = ROOT / "interviewer" / "views"
    files = [
        p.relative_to(views).as_posix()
        for d in ("templates", "static")
        for p in (views / d).iterdir()
    ]
    assert {"templates/report.html", "static/report.css", "static/report.js"} <= set(files)
    for f in files:
        assert any(fnmatch.fnmatch(f, p) for p in patterns), f


def test_jinja_is_imported_only_when_a_report_is_built() -> None:
    code = "import sys, interviewer.cli, interviewer.views.report; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
