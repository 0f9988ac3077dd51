"""The HTML report's stylesheet and script, inlined into every page so it works offline.

Kept as Python strings (not package data) so the report needs no packaging configuration.
Section colours match the terminal's ANSI colours: Situation blue, Task violet, Action green,
Result amber, Learning rose.
"""

from __future__ import annotations

CSS = """
:root {
  --situation: #2f6fdb; --task: #8b52e0; --action: #16a34a; --result: #d98a04;
  --learning: #e0356a;
  --situation-bg: #e7effd; --task-bg: #f1eafd; --action-bg: #e3f6e9; --result-bg: #fdf2dc;
  --learning-bg: #fde8ef; --other: #7b8394; --other-bg: #eef0f4;
  --ink: #1d2330; --muted: #5d6678; --line: #e3e6ec; --paper: #ffffff; --page: #f5f6f9;
  --ok: #15803d; --bad: #c2273d; --warn: #b45309;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    sans-serif;
}
header.top { background: #1d2330; color: #fff; padding: 22px 32px 18px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 650; letter-spacing: .2px; }
header.top p { margin: 4px 0 0; color: #b9c0cf; font-size: 14px; }
header.top nav { margin-top: 12px; display: flex; flex-wrap: wrap; gap: 6px; }
header.top nav a {
  color: #fff; text-decoration: none; font-size: 13px; padding: 3px 10px;
  border: 1px solid #48506a; border-radius: 999px;
}
header.top nav a:hover { background: #323a52; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 24px 64px; }
article.question {
  background: var(--paper); border: 1px solid var(--line); border-radius: 14px;
  padding: 26px 30px 30px; margin-bottom: 32px; box-shadow: 0 1px 2px rgba(20,30,50,.04);
}
article.question > h2 { margin: 0 0 4px; font-size: 22px; line-height: 1.35; font-weight: 650; }
.meta { color: var(--muted); font-size: 14px; margin: 0 0 16px; }
h3 {
  font-size: 13px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted);
  margin: 30px 0 12px; font-weight: 650;
}
.sticky { position: sticky; top: 0; z-index: 2; background: var(--paper);
  padding: 6px 0 4px; border-bottom: 1px solid var(--line); }
.player { display: flex; flex-direction: column; gap: 6px; margin: 8px 0 6px; }
.player audio { width: 100%; }
.player .clip-label { font-size: 13px; color: var(--muted); }
.hint { color: var(--muted); font-size: 13px; margin: -6px 0 14px; }
.note { color: var(--muted); font-size: 14px; font-style: italic; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: inherit; }
svg.timeline { width: 100%; cursor: pointer; margin-top: 10px; user-select: none; }
svg.timeline .seg text { fill: #fff; font-size: 13px; font-weight: 600; pointer-events: none; }
svg.timeline .axis text { fill: var(--muted); font-size: 11px; }
svg.timeline .playhead { stroke: var(--ink); stroke-width: 2; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.stat { border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.stat b { display: block; font-size: 22px; font-weight: 650; }
.stat span { color: var(--muted); font-size: 13px; }
.stat.off b { color: var(--bad); }
.cols { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 28px; }
table.checks { border-collapse: collapse; width: 100%; font-size: 14px; }
table.checks td, table.checks th { padding: 5px 8px; border-bottom: 1px solid var(--line); }
table.checks th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px; }
table.checks td.v, table.checks th.v { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: var(--ok); font-weight: 700; }
.bad { color: var(--bad); font-weight: 700; }
ol.tips { margin: 0; padding-left: 22px; }
ol.tips li { margin-bottom: 8px; }
.part {
  display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 28px;
  border-left: 5px solid var(--c); padding: 4px 0 14px 18px; margin-bottom: 18px;
}
.part > header {
  grid-column: 1 / -1; display: flex; align-items: baseline; gap: 10px; margin-bottom: 6px;
}
.part > header b { color: var(--c); font-size: 17px; }
.part > header .time { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.part.missing > header b::after { content: " — not spoken"; color: var(--bad); font-weight: 500; }
.part .col-title { font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .06em; margin-bottom: 2px; }
.part .story { color: #3a4254; }
.part .story p { margin: 0 0 8px; }
.s-situation { --c: var(--situation); --cb: var(--situation-bg); }
.s-task { --c: var(--task); --cb: var(--task-bg); }
.s-action { --c: var(--action); --cb: var(--action-bg); }
.s-result { --c: var(--result); --cb: var(--result-bg); }
.s-learning { --c: var(--learning); --cb: var(--learning-bg); }
.s-other { --c: var(--other); --cb: var(--other-bg); }
.part > header .basis { font-size: 13px; border-radius: 999px; padding: 0 9px; border: 1px solid; }
.basis.sure { color: var(--ok); border-color: #9ed9b0; }
.basis.likely { color: var(--muted); border-color: var(--line); }
.basis.guess { color: var(--warn); border-color: #f1cf8e; border-style: dashed; }
.basis.unknown { color: var(--muted); border: 0; padding: 0; }
.w { cursor: pointer; border-radius: 4px; padding: 1px 1px; transition: background .08s; }
.w:hover { background: var(--cb, #eef); }
.w.now { background: var(--c, #333); color: #fff; }
.w.low { text-decoration: underline dotted #9aa3b5; text-underline-offset: 3px; }
mark.fact { border-radius: 4px; padding: 0 3px; font-weight: 600; }
mark.fact.said { background: #dcf5e4; color: #14532d; }
mark.fact.changed { background: #fdf0d5; color: #7c4a03; }
mark.fact.missed { background: #fde2e6; color: #8c1d2f; }
ul.facts { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 6px; }
ul.facts li { font-size: 13px; border-radius: 999px; padding: 1px 10px; border: 1px solid; }
ul.facts li.said { color: var(--ok); border-color: #9ed9b0; }
ul.facts li.changed { color: var(--warn); border-color: #f1cf8e; }
ul.facts li.missed { color: var(--bad); border-color: #f1a9b4; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 18px; }
.chart { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px 6px; }
.chart h4 { margin: 0 0 4px; font-size: 14px; font-weight: 650; }
.chart svg text { fill: var(--muted); font-size: 11px; }
.chart .band { fill: #e9f6ee; }
.chart .limit { stroke: #7cc596; stroke-dasharray: 4 3; }
.chart .grid { stroke: var(--line); }
.chart .line { fill: none; stroke: #33415c; stroke-width: 2; }
.chart .dot { fill: #33415c; }
.chart .dot.last { fill: #fff; stroke: #33415c; stroke-width: 2.5; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 9px; font-size: 11.5px; color: var(--muted);
  margin: 2px 0 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  background: var(--c); margin-right: 4px; vertical-align: -1px; }
.diff { line-height: 1.9; }
.diff ins { background: #dcf5e4; color: #14532d; text-decoration: none; border-radius: 4px;
  padding: 1px 2px; }
.diff del { background: #fde2e6; color: #8c1d2f; border-radius: 4px; padding: 1px 2px; }
.diff .tag { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  color: var(--c); margin: 0 4px 0 6px; }
.diff-key { font-size: 13px; color: var(--muted); margin-bottom: 8px; }
footer { text-align: center; color: var(--muted); font-size: 13px; }
@media (max-width: 760px) {
  .cols, .part { grid-template-columns: minmax(0, 1fr); }
  main { padding: 12px; }
  article.question { padding: 18px; }
}
"""

# One controller per question: clips (answer + follow-ups) on a shared clock, word clicks and
# timeline clicks seek it, and playback highlights the word being spoken.
JS = r"""
(function () {
  "use strict";
  function Attempt(root) {
    var clips = Array.prototype.slice.call(root.querySelectorAll("audio[data-offset]"));
    var words = Array.prototype.slice.call(root.querySelectorAll(".transcript .w"));
    var starts = words.map(function (w) { return parseFloat(w.dataset.t); });
    var ends = words.map(function (w) { return parseFloat(w.dataset.e); });
    var timeline = root.querySelector("svg.timeline");
    var head = timeline && timeline.querySelector(".playhead");
    var total = timeline ? parseFloat(timeline.dataset.duration) : 0;
    var current = null, frame = 0;

    function offset(a) { return parseFloat(a.dataset.offset) || 0; }
    // answer-clock time of the file's start: a follow-up's wait before it is skipped
    function origin(a) { return a.dataset.origin ? parseFloat(a.dataset.origin) : offset(a); }
    function clipAt(t) {
      var pick = clips[0];
      clips.forEach(function (a) { if (offset(a) <= t + 1e-6) { pick = a; } });
      return pick;
    }
    function now() {
      var playing = clips.filter(function (a) { return !a.paused; })[0];
      var a = playing || clips.last || clips[0];
      return a ? origin(a) + a.currentTime : 0;
    }
    function wordAt(t) {
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found >= 0 && t <= ends[found] + 0.35 ? found : -1;
    }
    function show(t) {
      var i = wordAt(t), w = i >= 0 ? words[i] : null;
      if (w !== current) {
        if (current) { current.classList.remove("now"); }
        if (w) { w.classList.add("now"); }
        current = w;
      }
      if (head && total > 0) {
        var x = Math.max(0, Math.min(1, t / total)) * 1000;
        head.setAttribute("x1", x); head.setAttribute("x2", x);
        head.style.visibility = "visible";
      }
    }
    function seek(t, play) {
      var a = clipAt(t);
      if (!a) { return; }
      clips.forEach(function (o) { if (o !== a) { o.pause(); } });
      clips.last = a;
      a.currentTime = Math.max(0, t - origin(a));
      show(t);
      if (play) { var p = a.play(); if (p && p.catch) { p.catch(function () {}); } }
    }
    function tick() {
      show(now());
      frame = clips.some(function (a) { return !a.paused; }) ? requestAnimationFrame(tick) : 0;
    }
    clips.forEach(function (a) {
      a.addEventListener("play", function () {
        clips.last = a;
        clips.forEach(function (o) { if (o !== a) { o.pause(); } });
        if (!frame) { frame = requestAnimationFrame(tick); }
      });
      a.addEventListener("timeupdate", function () { show(origin(a) + a.currentTime); });
      a.addEventListener("seeked", function () { show(origin(a) + a.currentTime); });
    });
    root.addEventListener("click", function (e) {
      var w = e.target.closest("[data-t]");
      if (w && root.contains(w)) { seek(parseFloat(w.dataset.t), true); }
    });
    if (timeline) {
      timeline.addEventListener("click", function (e) {
        var box = timeline.getBoundingClientRect();
        seek(Math.max(0, (e.clientX - box.left) / box.width) * total, true);
      });
    }
    this.seek = seek;
  }
  document.querySelectorAll("article.question").forEach(function (el) {
    el.attempt = new Attempt(el);
  });
})();
"""
