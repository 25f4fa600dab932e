// The installable app: registers the service worker (/sw.js, whole-site scope) and, on the
// offline page, lists the pages this device keeps. Pages work without it.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    document.documentElement.dataset.serviceWorker = "registered";
  }).catch(function () {
    document.documentElement.dataset.serviceWorker = "failed";
  });

  // Signing out drops the pages kept for offline use, so the next person sees none of them.
  document.addEventListener("submit", function (event) {
    const action = event.target.getAttribute("action") || "";
    if (action.indexOf("/accounts/logout/") !== -1 && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "lumen:clear-pages" });
    }
  });

  const saved = document.getElementById("offline-saved-list");
  if (saved && "caches" in window) {
    caches.open("lumen-pages-v1").then(function (cache) { return cache.keys(); }).then(function (keys) {
      keys.forEach(function (request) {
        const url = new URL(request.url);
        if (url.pathname === "/offline/") return;
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = url.pathname + url.search;
        link.textContent = url.pathname;
        item.append(link);
        saved.append(item);
      });
      if (keys.length) document.getElementById("offline-saved").hidden = false;
    });
  }
})();
