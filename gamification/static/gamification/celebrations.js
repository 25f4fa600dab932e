// Level-up and badge toasts. They come three ways, and each fact is shown once per tab session:
// - rendered by the server after a page action that earned them (the #celebrations region),
// - in an htmx response's HX-Trigger header (the "lumen:celebrate" event),
// - live from the notifications WebSocket (the "lumen:notification" event of notifications.js),
//   when a worker awarded the XP after the page had loaded.
// The region is a polite live region, so screen readers announce each toast without moving focus;
// the slide-in runs only without prefers-reduced-motion (see lumen.css).
(function () {
  "use strict";
  const region = document.getElementById("celebrations");
  if (!region) return;
  const KINDS = { level_up: "Level up", achievement: "Badge unlocked" };
  const STORE = "lumen-celebrated";
  const KEEP_MS = 10 * 60 * 1000;
  const SHOW_MS = 8000;

  function seen() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE) || "{}");
    } catch (error) {
      return {};
    }
  }

  function remember(key) {
    const shown = seen();
    const now = Date.now();
    Object.keys(shown).forEach(function (old) {
      if (now - shown[old] > KEEP_MS) delete shown[old];
    });
    shown[key] = now;
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(shown));
    } catch (error) { /* private mode: duplicates are possible, nothing worse */ }
  }

  function show(item, fromThisPage) {
    if (!item || !KINDS[item.kind] || !item.title) return;
    const key = item.kind + "|" + item.title;
    if (!fromThisPage && seen()[key]) return;
    remember(key);
    const toast = document.createElement("div");
    toast.className = "toast toast--" + item.kind.replace("_", "-");
    toast.dataset.celebration = item.kind;
    const kind = document.createElement("p");
    kind.className = "toast__kind";
    kind.textContent = KINDS[item.kind];
    const title = document.createElement("p");
    title.className = "toast__title";
    title.textContent = item.title;  // text, never HTML
    toast.append(kind, title);
    if (item.body) {
      const body = document.createElement("p");
      body.textContent = item.body;
      toast.append(body);
    }
    if (item.link && item.link.charAt(0) === "/") {
      const link = document.createElement("a");
      link.href = item.link;
      link.textContent = "See your progress";
      toast.append(link);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", "Dismiss: " + item.title);
    close.textContent = "×";
    close.addEventListener("click", function () { toast.remove(); });
    toast.append(close);
    region.append(toast);
    // Leaves by itself, but never while the pointer or the keyboard is on it.
    let timer = window.setTimeout(function () { toast.remove(); }, SHOW_MS);
    function hold() { window.clearTimeout(timer); }
    function release() {
      hold();
      timer = window.setTimeout(function () { toast.remove(); }, SHOW_MS);
    }
    toast.addEventListener("mouseenter", hold);
    toast.addEventListener("focusin", hold);
    toast.addEventListener("mouseleave", release);
    toast.addEventListener("focusout", release);
  }

  // Toasts the server rendered are re-added a moment after load: a live region announces changes,
  // not what it held when the page arrived.
  const rendered = Array.from(region.querySelectorAll("[data-celebration]")).map(function (node) {
    const item = {
      kind: node.dataset.celebration,
      title: node.querySelector(".toast__title").textContent,
      link: node.dataset.link || "",
    };
    node.remove();
    return item;
  });
  window.setTimeout(function () {
    rendered.forEach(function (item) { show(item, true); });
  }, 150);

  document.addEventListener("lumen:celebrate", function (event) {
    ((event.detail && event.detail.items) || []).forEach(function (item) { show(item, false); });
  });
  document.addEventListener("lumen:notification", function (event) {
    show(event.detail, false);
  });
})();
