// Lesson player: resume a video where the learner left it, and save the position as they watch.
// The position is sent every 5 seconds of playback, on pause and when the page is hidden; the
// server keeps the furthest-watched completion rule and the resume point for every device.
(function () {
  "use strict";
  const video = document.getElementById("lesson-video");
  if (!video) return;
  const url = video.dataset.positionUrl;
  const canSave = video.dataset.saveEnabled === "true";
  const resumeAt = parseInt(video.dataset.resumeSeconds || "0", 10);
  const status = document.getElementById("video-save-status");
  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    csrf = "";
  }
  let lastSent = resumeAt;
  let lastTick = null;
  let watched = 0;

  video.addEventListener("loadedmetadata", function () {
    if (resumeAt > 0 && resumeAt < video.duration) {
      video.currentTime = resumeAt;
    }
  });

  function save() {
    if (!canSave) return;
    const position = Math.floor(video.currentTime);
    const delta = Math.min(Math.round(watched), 300);
    if (position === lastSent && delta === 0) return;
    watched = 0;
    lastSent = position;
    const body = JSON.stringify({ position_seconds: position, seconds_spent_delta: delta });
    // A keepalive fetch (not sendBeacon, which cannot send the CSRF header) outlives the page.
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
      credentials: "same-origin",
      keepalive: true,
    }).then(function (response) {
      if (status && response.ok) status.textContent = "Position saved.";
    }).catch(function () { /* offline: the next save carries the position */ });
  }

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
})();
