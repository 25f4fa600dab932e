// Learning modes in the lesson player.
// Binge: when a lesson is completed in place or its video ends, the next lesson starts after a
//   cancellable countdown (no automatic start for people who ask for reduced motion: they get
//   the prompt and choose). Relax: the server counts the active time the player reports
//   (static/js/player.js) and says when the chosen break interval is reached; the break screen
//   is offered then.
(function () {
  "use strict";
  const bar = document.getElementById("mode-bar");
  if (!bar) return;
  const mode = bar.dataset.mode;
  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    csrf = "";
  }
  function post(url) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    }).then(function (response) { return response.ok ? response.json() : null; });
  }

  if (mode === "binge" && bar.dataset.nextUrl) {
    const panel = document.getElementById("binge-panel");
    const seconds = document.getElementById("binge-seconds");
    const cancel = document.getElementById("binge-cancel");
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    let timer = null;
    function start() {
      if (!panel || timer !== null) return;
      panel.hidden = false;
      if (reduced) {
        seconds.parentElement.textContent = "Ready for the next lesson?";
        document.getElementById("binge-go").focus();
        return;
      }
      let left = parseInt(bar.dataset.countdown || "8", 10);
      seconds.textContent = String(left);
      timer = window.setInterval(function () {
        left -= 1;
        seconds.textContent = String(Math.max(left, 0));
        if (left <= 0) {
          window.clearInterval(timer);
          window.location.assign(bar.dataset.nextUrl);
        }
      }, 1000);
    }
    if (cancel) {
      cancel.addEventListener("click", function () {
        if (timer !== null) window.clearInterval(timer);
        timer = -1;
        panel.hidden = true;
      });
    }
    const video = document.getElementById("lesson-video");
    if (video) video.addEventListener("ended", start);
    // A lesson completed in place (the video or reading rule; static/js/player.js).
    document.addEventListener("lumen:lesson-completed", start);
  }

  if (mode === "relax") {
    const dialog = document.getElementById("relax-break");
    const done = document.getElementById("relax-done");
    function check() {
      fetch(bar.dataset.statusUrl, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (state) {
        if (state && state.break_due && dialog && !dialog.open) dialog.showModal();
      }).catch(function () {});
    }
    if (done) {
      done.addEventListener("click", function () {
        post(bar.dataset.breakUrl).finally(function () { dialog.close(); });
      });
    }
    // The break timer counts what the player reports (video watched, article read): look again
    // after each report, and once now for time counted in another tab or on another device.
    document.addEventListener("lumen:activity-reported", check);
    check();
  }
})();
