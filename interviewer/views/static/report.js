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
