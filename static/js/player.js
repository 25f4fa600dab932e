// Lesson player.
// - Video: resume where the learner left it; the position and the seconds watched are sent every
//   5 seconds of playback, on pause and when the page is hidden (the server completes the lesson
//   at 90% and keeps the resume point for every device).
// - Article: a second counts as reading while the page is visible and the learner did something
//   (scrolled, typed, pointed, touched) in the last three minutes; the seconds are sent every 15
//   of them and when the page is hidden, and the moment the end of the article comes into view
//   is sent too. The server applies the reading rule (the end reached and enough time read).
// - When a report says the lesson is now complete, the outline (ticks, progress bar) and the
//   completion region are swapped in place with htmx, and `lumen:lesson-completed` is sent on
//   the document (binge mode starts its countdown on it). Every delivered report also sends
//   `lumen:activity-reported` (relax mode then looks at its break timer).
(function () {
  "use strict";
  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    csrf = "";
  }

  function post(url, payload) {
    // A keepalive fetch (not sendBeacon, which cannot send the CSRF header) outlives the page.
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
      credentials: "same-origin",
      keepalive: true,
    }).then(function (response) {
      return response.ok ? response.json() : null;
    });
  }

  function isShownComplete() {
    const region = document.getElementById("player-completion");
    return region !== null && region.dataset.completed === "true";
  }

  function reported(state) {
    if (!state) return;
    document.dispatchEvent(new CustomEvent("lumen:activity-reported"));
    if (!state.is_completed || isShownComplete()) return;
    const outline = document.getElementById("player-outline");
    const url = outline && outline.dataset.progressUrl;
    const announce = function () {
      document.dispatchEvent(new CustomEvent("lumen:lesson-completed"));
    };
    if (!url || !window.htmx) {
      announce();
      return;
    }
    window.htmx.ajax("GET", url, { target: "#player-outline", swap: "outerHTML" })
      .then(announce, announce);
  }

  // "Mark complete" and "Mark as not complete" post with htmx; offline, the plain form post
  // goes instead, which the service worker keeps in its outbox until the connection is back.
  document.addEventListener("htmx:sendError", function (event) {
    const source = event.detail && event.detail.elt;
    const form = source && source.closest ? source.closest("form[data-completion-form]") : null;
    if (form) form.submit();
  });

  const video = document.getElementById("lesson-video");
  if (video) {
    const url = video.dataset.positionUrl;
    const canSave = video.dataset.saveEnabled === "true";
    const resumeAt = parseInt(video.dataset.resumeSeconds || "0", 10);
    const status = document.getElementById("video-save-status");
    let lastSent = resumeAt;
    let lastTick = null;
    let watched = 0;

    video.addEventListener("loadedmetadata", function () {
      if (resumeAt > 0 && resumeAt < video.duration) {
        video.currentTime = resumeAt;
      }
    });

    const save = function () {
      if (!canSave) return;
      const position = Math.floor(video.currentTime);
      const delta = Math.min(Math.round(watched), 300);
      if (position === lastSent && delta === 0) return;
      watched = 0;
      lastSent = position;
      post(url, { position_seconds: position, seconds_spent_delta: delta }).then(function (state) {
        if (status && state) status.textContent = "Position saved.";
        reported(state);
      }).catch(function () { /* offline: the next save carries the position */ });
    };

    video.addEventListener("timeupdate", function () {
      const now = video.currentTime;
      if (lastTick !== null && now > lastTick && now - lastTick < 2) watched += now - lastTick;
      lastTick = now;
      if (Math.abs(now - lastSent) >= 5) save();
    });
    video.addEventListener("seeked", function () { lastTick = video.currentTime; });
    video.addEventListener("pause", function () { save(); });
    video.addEventListener("ended", function () { save(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save();
    });
  }

  const end = document.getElementById("lesson-article-end");
  if (end && end.dataset.readingUrl) {
    const IDLE_MS = 180000;
    const REPORT_EVERY_SECONDS = 15;
    let lastInput = Date.now();
    let unsent = 0;
    let endPending = false;
    ["scroll", "wheel", "keydown", "pointerdown", "pointermove", "touchstart"].forEach(function (name) {
      window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
    });
    const report = function () {
      if (unsent === 0 && !endPending) return;
      const payload = { seconds_spent: Math.min(unsent, 300), reached_end: endPending };
      unsent = 0;
      endPending = false;
      post(end.dataset.readingUrl, payload).then(reported).catch(function () {
        // Offline: keep what was not delivered for the next report.
        unsent += payload.seconds_spent;
        endPending = endPending || payload.reached_end;
      });
    };
    window.setInterval(function () {
      if (document.visibilityState !== "visible" || Date.now() - lastInput > IDLE_MS) return;
      unsent += 1;
      if (unsent >= REPORT_EVERY_SECONDS) report();
    }, 1000);
    // Only the end coming into view counts: unticking the lesson at the bottom of the page
    // does not complete it again until the learner reads down to the end once more.
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          endPending = true;
          report();
        }
      }).observe(end);
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") report();
    });
  }
})();
