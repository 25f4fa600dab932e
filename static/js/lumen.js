/*
 * Lumen's small progressive enhancements. Every page works without this file; the
 * Content Security Policy allows scripts from 'self' only, so no inline handlers anywhere.
 */
(function () {
  "use strict";

  var root = document.documentElement;

  // The theme view answers htmx requests with HX-Trigger: {"lumen:theme-changed": {"theme": ...}}.
  document.addEventListener("lumen:theme-changed", function (event) {
    var theme = event.detail && event.detail.theme;
    if (!theme) {
      return;
    }
    root.setAttribute("data-theme", theme);
    // Keep any theme field on the page (the profile form) in step, so saving it later does not
    // quietly put the previous theme back.
    var fields = document.querySelectorAll('input[type="radio"][name="theme"]');
    for (var i = 0; i < fields.length; i += 1) {
      fields[i].checked = fields[i].value === theme;
    }
  });

  function closeMenu(menu, restoreFocus) {
    if (!menu.open) {
      return;
    }
    menu.open = false;
    if (restoreFocus) {
      var summary = menu.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    }
  }

  // Disclosure menus (the theme menu): Escape closes and returns focus; a click elsewhere closes.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details[data-menu]");
    if (menu) {
      closeMenu(menu, true);
    }
  });

  document.addEventListener("click", function (event) {
    var menus = document.querySelectorAll("details[data-menu][open]");
    for (var i = 0; i < menus.length; i += 1) {
      if (!menus[i].contains(event.target)) {
        closeMenu(menus[i], false);
      }
    }
  });
})();
