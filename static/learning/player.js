// The learning panel in the lesson player: relax-mode breaks from activity heartbeats and binge
// mode's cancellable countdown to the next lesson. The player announces a finished lesson with
//   document.dispatchEvent(new CustomEvent("lumen:lesson-completed", {detail: {nextUrl: "..."}}))
(function () {
  "use strict";
  var panel = document.getElementById("learning-panel");
  if (!panel) return;
  var mode = panel.dataset.mode;
  var status = panel.querySelector("[data-learning-status]");
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function call(method, url) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": decodeURIComponent(csrf), Accept: "application/json" },
    }).then(function (response) { return response.ok ? response.json() : null; });
  }

  // Relax: a heartbeat every 30 s while the learner is here and active; the server counts time.
  if (mode === "relax" && panel.dataset.lessonId) {
    var dialog = panel.querySelector("[data-break-dialog]");
    var remaining = panel.querySelector("[data-break-remaining]");
    var lastInput = Date.now();
    var breakTimer = null;
    ["keydown", "pointerdown", "scroll", "mousemove"].forEach(function (name) {
      document.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
    });
    var media = document.querySelector("video, audio");
    function isActive() {
      return document.visibilityState === "visible" &&
        (Date.now() - lastInput < 60000 || (media && !media.paused));
    }
    function beat() {
      if (!isActive() || dialog.open) return;
      call("POST", panel.dataset.heartbeatUrl).then(function (state) {
        if (state && state.is_break_due && !dialog.open) dialog.showModal();
      });
    }
    setInterval(beat, 30000);
    beat();
    if (reducedMotion) panel.classList.add("learning-panel--still");
    panel.querySelector("[data-break-start]").addEventListener("click", function () {
      call("POST", panel.dataset.breakUrl);
      var left = Number(panel.dataset.breakSeconds);
      if (media) media.pause();
      dialog.classList.add("learning-break--breathing");
      breakTimer = setInterval(function () {
        left -= 1;
        remaining.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s left";
        if (left <= 0) { clearInterval(breakTimer); remaining.textContent = "Break over."; }
      }, 1000);
    });
    dialog.addEventListener("close", function () {
      clearInterval(breakTimer);
      dialog.classList.remove("learning-break--breathing");
      call("DELETE", panel.dataset.breakUrl);
      lastInput = Date.now();
    });
    panel.querySelector("[data-break-end]").addEventListener("click", function () { dialog.close(); });
  }

  // Binge: after a lesson the next starts after a countdown; Escape or the button cancels it.
  if (mode === "binge") {
    document.addEventListener("lumen:lesson-completed", function (event) {
      var nextUrl = (event.detail && event.detail.nextUrl) || panel.dataset.nextLessonUrl;
      var run = panel.querySelector("[data-binge-run]");
      if (event.detail && event.detail.lessonsInARow) {
        run.hidden = false;
        run.querySelector("[data-lessons-in-a-row]").textContent = event.detail.lessonsInARow;
      }
      if (!nextUrl) { status.textContent = "That was the last lesson of the course."; return; }
      var title = panel.dataset.nextLessonTitle || "the next lesson";
      if (panel.dataset.isModuleEnd === "true") {
        status.innerHTML = "";
        var ask = document.createElement("a");
        ask.href = nextUrl;
        ask.className = "button";
        ask.textContent = "One more lesson: " + title;
        status.append("You finished this module. ", ask);
        ask.focus();
        return;
      }
      var left = Number(panel.dataset.countdownSeconds);
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "button button--secondary";
      cancel.textContent = "Cancel autoplay (Esc)";
      var text = document.createElement("span");
      status.innerHTML = "";
      status.append(text, " ", cancel);
      if (!reducedMotion) panel.classList.add("learning-panel--counting");
      function render() { text.textContent = title + " starts in " + left + " s."; }
      render();
      var timer = setInterval(function () {
        left -= 1;
        if (left <= 0) { clearInterval(timer); window.location.assign(nextUrl); return; }
        // Screen readers hear the start and the cancel, not every second.
        if (!reducedMotion || left % 5 === 0) render();
      }, 1000);
      function stop() {
        clearInterval(timer);
        panel.classList.remove("learning-panel--counting");
        status.textContent = "Autoplay cancelled.";
        document.removeEventListener("keydown", onKey);
      }
      function onKey(keyEvent) { if (keyEvent.key === "Escape") stop(); }
      cancel.addEventListener("click", stop);
      document.addEventListener("keydown", onKey);
      cancel.focus();
    });
  }
})();
