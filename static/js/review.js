// /review/: Space shows the answer, 1-4 rate the card (Again, Hard, Good, Easy).
// Keys typed into a form field are left alone; every action also works with Tab and Enter.
(function () {
  "use strict";
  const answer = document.getElementById("review-answer");
  const ratings = document.getElementById("review-ratings");
  if (!answer || !ratings) return;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    if (event.key === " " && target.tagName !== "BUTTON" && target.tagName !== "SUMMARY") {
      event.preventDefault();
      answer.open = !answer.open;
      return;
    }
    const button = ratings.querySelector('button[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
