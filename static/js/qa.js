/*
 * The help center's small enhancements (qa/templates/qa/*). Every page works without this file;
 * the Content Security Policy allows scripts from 'self' only, so nothing here is inline.
 */
(function () {
  "use strict";

  // Forms marked data-confirm ask before they submit (deleting a post cannot be undone).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // After htmx replaces an answer's rating region, the button that was pressed is gone: put
  // keyboard focus back on the same control in the new region (or on the region itself).
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.detail && event.detail.elt;
    if (!region || !region.id || region.id.indexOf("answer-rating-") !== 0) {
      return;
    }
    var target = region.querySelector("input[type=radio]:checked") || region.querySelector("button");
    if (!target) {
      region.setAttribute("tabindex", "-1");
      target = region;
    }
    target.focus();
  });
})();
