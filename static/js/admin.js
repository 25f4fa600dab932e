/*
 * Accessibility fixes for markup that Django's admin widgets build themselves (loaded by
 * templates/admin/base_site.html; the admin's own templates are overridden where they can be):
 * - the filter_horizontal widget (SelectFilter2.js) puts aria-label on a bare <span>, which has no
 *   role that allows a name: it becomes role="img";
 * - the split date/time widget labels its two inputs with plain text ("Date:", "Time:") that is not
 *   a <label>: each input gets an accessible name made of the field's label and that text.
 * SelectFilter2 builds its markup on the window's load event, so the fixes watch the page.
 */
(function () {
  "use strict";

  function fix(root) {
    root.querySelectorAll("span[aria-label]:not([role])").forEach(function (span) {
      span.setAttribute("role", "img");
    });
    root.querySelectorAll("p.datetime").forEach(function (paragraph) {
      var row = paragraph.closest(".form-row, .fieldBox, td");
      var label = row && row.querySelector("label");
      var name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      paragraph.querySelectorAll("input").forEach(function (input) {
        if (input.hasAttribute("aria-label") || input.labels.length) { return; }
        var text = input.previousSibling && input.previousSibling.textContent.replace(/:\s*$/, "").trim();
        input.setAttribute("aria-label", (name ? name + ", " : "") + (text || input.name));
      });
    });
  }

  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
