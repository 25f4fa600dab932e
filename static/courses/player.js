/*
 * The lesson player's enhancements (CSP: a same-origin file, no inline script):
 * - resume: a video starts at the saved position and reports its position every few seconds,
 *   on pause, at the end and when the page is hidden (sendBeacon), so any device resumes there;
 * - quiz timer: counts down and submits the answers when time is up.
 */
(function () {
  "use strict";

  var SAVE_EVERY_SECONDS = 5;

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function setUpVideo(video) {
    var url = video.getAttribute("data-position-url");
    var resume = parseInt(video.getAttribute("data-resume-seconds"), 10) || 0;
    var lastSaved = -1;
    var lastReportAt = Date.now();

    video.addEventListener("loadedmetadata", function () {
      if (resume > 0 && resume < video.duration - 1) {
        video.currentTime = resume;
      }
    });
    if (!url) {
      return;
    }

    function payload() {
      var now = Date.now();
      var spent = video.paused ? 0 : Math.round((now - lastReportAt) / 1000);
      lastReportAt = now;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken());
      data.append("position_seconds", String(Math.floor(video.currentTime)));
      data.append("seconds_spent", String(Math.max(spent, 0)));
      return data;
    }

    function save(useBeacon) {
      var position = Math.floor(video.currentTime);
      if (position === lastSaved) {
        return;
      }
      lastSaved = position;
      if (useBeacon && navigator.sendBeacon) {
        navigator.sendBeacon(url, payload());
        return;
      }
      fetch(url, { method: "POST", body: payload(), credentials: "same-origin" })
        .then(function (response) {
          if (response.ok) {
            // The position the server has stored (tests and the resume note read it).
            video.setAttribute("data-saved-seconds", String(position));
          } else {
            lastSaved = -1;
          }
        })
        .catch(function () {
          lastSaved = -1; // try again at the next tick
        });
    }

    window.setInterval(function () {
      if (!video.paused) {
        save(false);
      }
    }, SAVE_EVERY_SECONDS * 1000);
    video.addEventListener("pause", function () { save(false); });
    video.addEventListener("seeked", function () { if (video.paused) { save(false); } });
    video.addEventListener("ended", function () { save(false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save(true);
      }
    });
  }

  function setUpTimer(timer) {
    var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
    var form = document.getElementById(timer.getAttribute("data-form"));
    var value = timer.querySelector(".quiz-timer__value");
    if (isNaN(left) || !form || !value) {
      return;
    }
    var announced = false;
    var tick = window.setInterval(function () {
      left -= 1;
      var minutes = Math.floor(Math.max(left, 0) / 60);
      var seconds = Math.max(left, 0) % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 60 && !announced) {
        announced = true;
        timer.setAttribute("aria-live", "assertive");
        value.textContent += " (one minute left)";
      }
      if (left <= 0) {
        window.clearInterval(tick);
        form.submit();
      }
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var videos = document.querySelectorAll("video[data-resume-seconds]");
    for (var i = 0; i < videos.length; i += 1) {
      setUpVideo(videos[i]);
    }
    var timers = document.querySelectorAll(".quiz-timer[data-seconds-left]");
    for (var j = 0; j < timers.length; j += 1) {
      setUpTimer(timers[j]);
    }
  });
})();
