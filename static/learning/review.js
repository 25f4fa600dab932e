// /review/: keyboard shortcuts (Space shows the answer, 1-4 rate) and the review's duration.
(function () {
  "use strict";
  var card = document.querySelector("[data-review-card]");
  if (!card) return;
  var started = Date.now();
  var answer = card.querySelector("[data-review-answer]");
  var duration = card.querySelector("[data-review-duration]");
  card.querySelector("form").addEventListener("submit", function () {
    duration.value = String(Date.now() - started);
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === " " && target.tagName !== "BUTTON" && target.tagName !== "SUMMARY") {
      event.preventDefault();
      answer.open = !answer.open;
      return;
    }
    var button = card.querySelector('[data-rating-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
