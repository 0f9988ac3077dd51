"""The HTML report in a real browser: headless Chromium (Debian's) driven by selenium.

Two takes of one question go through the real pipeline; the report is opened from disk
(file://) with networking off, its parts are found, a word and the timeline are clicked and
the audio position is checked. A full-page screenshot is kept in test-artifacts/report.png.
Needs: apt-get install chromium chromium-driver; pip install selenium.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.test_review import Q05, practise

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"
TAKES = [
    "05-peer-struggling-step-help.paraphrase.signposts.en-us.160.flac",
    "05-peer-struggling-step-help.en-us.160.flac",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two real takes at question 05 and the report written for it."""
    from interviewer.adapters.bank import load_bank
    from interviewer.views import report

    root = tmp_path_factory.mktemp("browser") / "questions"
    shutil.copytree(ROOT / "questions", root, ignore=shutil.ignore_patterns("*.attempt-*"))
    records = [practise(root, Q05, take) for take in TAKES]
    bank = load_bank(root)
    path = report.write_report(bank, bank.find(Q05))
    return {"path": path, "latest": records[-1], "previous": records[0]}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("needs Debian's chromium and chromium-driver")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        f"--user-data-dir={profile}",
        "--window-size=1366,900",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def loaded(page: dict[str, Any], browser: Any) -> Any:
    """The report opened from disk, with its audio's metadata loaded."""
    browser.get(page["path"].resolve().as_uri())
    wait_for(browser, lambda: js(browser, "return document.querySelector('audio').readyState") >= 1)
    return browser


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def wait_for(driver: Any, check: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "timed out"
            return value
        time.sleep(0.05)


def audio_time(driver: Any) -> float:
    return float(js(driver, "return document.querySelector('audio').currentTime"))


def record_seeks(driver: Any) -> None:
    """Note where each seek lands and the word then highlighted, at the `seeked` event: the
    audio plays on after it, so what a later look sees depends on how busy the machine is."""
    js(
        driver,
        """window.seeks = [];
      document.querySelectorAll('audio').forEach(function (a) {
        a.addEventListener('seeked', function () {
          var w = document.querySelector('.transcript .w.now');
          window.seeks.push([a.currentTime, w ? parseFloat(w.dataset.t) : null]);
        });
      });""",
    )


def first_seek(driver: Any) -> list[float]:
    return list(wait_for(driver, lambda: js(driver, "return window.seeks[0]")))


def pause(driver: Any) -> None:
    js(driver, "document.querySelectorAll('audio').forEach(function (a) { a.pause(); })")


def test_the_report_has_every_part(loaded, page):
    from selenium.webdriver.common.by import By

    d, latest = loaded, page["latest"]
    audio = d.find_element(By.CSS_SELECTOR, "audio")
    assert audio.get_attribute("preload") == "auto"
    assert float(js(d, "return arguments[0].duration", audio)) == pytest.approx(
        latest["duration_s"], abs=0.2
    )  # Chromium decoded the recording linked by relative path
    words = d.find_elements(By.CSS_SELECTOR, ".transcript .w")
    assert len(words) == len(latest["words"])
    segments = d.find_elements(By.CSS_SELECTOR, "svg.timeline .seg")
    assert len(segments) == sum(len(s["spans"]) for s in latest["sections"])  # one a span
    parts = d.find_elements(By.CSS_SELECTOR, "section.part")
    assert [p.get_attribute("data-label") for p in parts] == [
        s["label"] for s in latest["sections"]
    ]
    facts = d.find_elements(By.CSS_SELECTOR, ".story mark.fact")
    statuses = {f["status"] for f in latest["metrics"]["key_facts"]}
    assert facts and {f.get_attribute("class").split()[-1] for f in facts} <= statuses
    for chart in ("sections", "wpm", "fillers_per_min"):
        assert d.find_elements(By.CSS_SELECTOR, f"svg.chart-{chart}"), chart
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.chart-sections rect[fill]")) >= 8
    assert d.find_elements(By.CSS_SELECTOR, ".diff ins") and d.find_elements(
        By.CSS_SELECTOR, ".diff del"
    )


def test_nothing_is_loaded_from_the_network(loaded):
    urls = js(loaded, "return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(("file:", "data:", "blob:")) for u in urls), urls


def test_clicking_a_word_plays_from_that_word_and_highlights_it(loaded, page):
    from selenium.webdriver.common.by import By

    d = loaded
    target = next(
        w for w in page["latest"]["words"] if w["label"] == "action" and w["start_s"] > 20
    )
    word = d.find_element(By.CSS_SELECTOR, f'.transcript .w[data-t="{target["start_s"]:g}"]')
    js(d, "arguments[0].scrollIntoView({block: 'center'})", word)
    assert audio_time(d) < 1.0
    record_seeks(d)
    word.click()
    t, now = first_seek(d)
    assert t == pytest.approx(target["start_s"], abs=1.0)
    assert now == pytest.approx(target["start_s"], abs=1.5)
    pause(d)


def test_clicking_the_timeline_seeks(loaded, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    d = loaded
    svg = d.find_element(By.CSS_SELECTOR, "svg.timeline")
    duration = float(svg.get_attribute("data-duration"))
    width = svg.rect["width"]
    expected = 0.75 * duration
    record_seeks(d)
    ActionChains(d).move_to_element_with_offset(svg, int(width * 0.25), 0).click().perform()
    t, _ = first_seek(d)
    assert t == pytest.approx(expected, abs=1.0)
    pause(d)


def test_screenshot_for_people_to_look_at(loaded):
    """Full page, laptop width, mid-playback so the highlighted word and playhead show."""
    from selenium.webdriver.common.by import By

    d = loaded
    word = d.find_elements(By.CSS_SELECTOR, ".transcript .w")[12]
    js(d, "arguments[0].click()", word)
    time.sleep(0.3)
    pause(d)
    height = js(d, "return document.documentElement.scrollHeight")
    d.set_window_size(1366, min(int(height) + 120, 6000))
    js(d, "window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    assert d.save_screenshot(str(shot)) and shot.stat().st_size > 50_000
    d.set_window_size(1366, 900)


def test_the_page_carries_the_timing_it_shows(page):
    """Every word's data-t in the page is the record's start time (clicks seek to these)."""
    html = page["path"].read_text()
    record = json.loads(Path(page["latest"]["files"]["record"]).read_text())
    for w in record["words"][:20]:
        assert f'data-t="{w["start_s"]:g}"' in html
