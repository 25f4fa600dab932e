/*
 * A timed quiz's countdown. The server owns the deadline (answers after it are refused and a
 * reload does not reset it); this only shows the time left, says so once a minute remains, and
 * submits the answers given so far when the time is up.
 */
(function () {
  "use strict";

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var timer = document.querySelector(".quiz-timer[data-seconds-left]");
    if (!timer) {
      return;
    }
    var form = document.getElementById(timer.getAttribute("data-form"));
    var value = timer.querySelector(".quiz-timer__value");
    var alert = timer.querySelector(".quiz-timer__alert");
    var deadline = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    if (!form || !value || isNaN(deadline)) {
      return;
    }
    var warned = false;
    var submitted = false;

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      value.textContent = format(left);
      if (left <= 60 && !warned && alert) {
        warned = true;
        alert.textContent = "One minute left: your answers are submitted when the time is up.";
      }
      if (left === 0 && !submitted) {
        submitted = true;
        window.clearInterval(interval);
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    }

    var interval = window.setInterval(tick, 1000);
    tick();
  });
})();
