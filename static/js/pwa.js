// The installable app: registers the service worker (/sw.js, whole-site scope); "Save for
// offline" on lessons and whole modules; sends lesson completions made offline once the connection is back; and,
// on the offline page, lists what this device keeps. Pages work without it.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  const root = document.documentElement;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    root.dataset.serviceWorker = "registered";
  }).catch(function () {
    root.dataset.serviceWorker = "failed";
  });

  function worker() {
    return navigator.serviceWorker.ready.then(function (registration) {
      return navigator.serviceWorker.controller || registration.active;
    });
  }

  // The outbox of offline completions: the worker reports what it sent and what is left.
  navigator.serviceWorker.addEventListener("message", function (event) {
    const data = event.data || {};
    if (data.type === "lumen:outbox") {
      root.dataset.outboxRemaining = String(data.remaining);
      root.dataset.outboxSent = String(Number(root.dataset.outboxSent || 0) + data.sent);
      const announcer = document.getElementById("live-announcer");
      if (announcer && data.sent > 0) {
        announcer.textContent = "Progress you made offline was sent to " + document.title.split(" · ").pop() + ".";
      }
    }
  });
  function flush() {
    if (!navigator.onLine) return;
    worker().then(function (active) { if (active) active.postMessage({ type: "lumen:flush" }); });
  }
  window.addEventListener("online", flush);
  flush();

  // Signing out sends what is left, then drops the pages kept offline, so the next person on
  // this device sees none of them.
  document.addEventListener("submit", function (event) {
    const action = event.target.getAttribute("action") || "";
    if (action.indexOf("/accounts/logout/") !== -1 && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "lumen:clear-pages" });
    }
  });

  // "Save for offline": a lesson's page with its images, captions and video. The worker keeps
  // them; `assets` are the files the page shows in its main region.
  const MEDIA = "img[src], video[src], video source[src], track[src], audio[src]";

  function assetsOf(root, base) {
    const assets = [];
    root.querySelectorAll(MEDIA).forEach(function (element) {
      assets.push(new URL(element.getAttribute("src"), base).href);
    });
    return assets;
  }

  function keep(page, title, assets) {
    return worker().then(function (active) {
      if (!active) return false;
      return new Promise(function (resolve) {
        const channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data.ok); };
        active.postMessage({ type: "lumen:save", page: page, title: title, assets: assets }, [channel.port2]);
      });
    });
  }

  document.querySelectorAll("[data-offline-save]").forEach(function (button) {
    const status = button.parentElement.querySelector("[data-offline-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      const main = document.getElementById("main") || document.body;
      const heading = document.querySelector("h1");
      button.disabled = true;
      if (status) status.textContent = "Saving for offline…";
      keep(
        window.location.pathname,
        heading ? heading.textContent.trim() : document.title,
        assetsOf(main, window.location.href)
      ).then(function (ok) {
        button.disabled = false;
        if (status) status.textContent = ok ? "Saved for offline." : "Could not save this lesson for offline.";
        if (ok) button.dataset.saved = "true";
      });
    });
  });

  // "Save this module for offline": each lesson the learner may open, one after the other. Its
  // page is read (with the header that tells the server not to count it as opened) to find its
  // files, then kept like a single lesson.
  function saveLesson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Lumen-Offline-Save": "1" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("could not read " + url);
        return response.text();
      }).then(function (html) {
        const page = new DOMParser().parseFromString(html, "text/html");
        const main = page.getElementById("main") || page.body;
        const heading = page.querySelector("h1");
        const base = new URL(url, window.location.href).href;
        return keep(new URL(url, base).pathname, heading ? heading.textContent.trim() : url, assetsOf(main, base));
      }).catch(function () { return false; });
  }

  document.querySelectorAll("[data-offline-save-module]").forEach(function (button) {
    const status = button.parentElement.querySelector("[data-offline-status]");
    const lessons = (button.dataset.lessons || "").split(/\s+/).filter(Boolean);
    if (!lessons.length) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      let saved = 0;
      if (status) status.textContent = "Saving " + lessons.length + " lessons for offline…";
      lessons.reduce(function (previous, url) {
        return previous.then(function () {
          return saveLesson(url).then(function (ok) { saved += ok ? 1 : 0; });
        });
      }, Promise.resolve()).then(function () {
        button.disabled = false;
        if (status) {
          status.textContent = saved === lessons.length
            ? "Saved " + saved + " lesson" + (saved === 1 ? "" : "s") + " for offline."
            : "Saved " + saved + " of " + lessons.length + " lessons for offline; try again for the rest.";
        }
        if (saved === lessons.length) button.dataset.saved = "true";
      });
    });
  });

  // The offline page: saved lessons first, then recently visited pages.
  const list = document.getElementById("offline-saved-list");
  if (list && "caches" in window) {
    const seen = new Set(["/offline/", "/offline/saved.json"]);
    function add(url, title) {
      if (seen.has(url)) return;
      seen.add(url);
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = url;
      link.textContent = title || url;
      item.append(link);
      list.append(item);
    }
    caches.open("lumen-saved-v1").then(function (cache) {
      return cache.match("/offline/saved.json");
    }).then(function (response) {
      return response ? response.json() : [];
    }).then(function (saved) {
      saved.forEach(function (entry) { add(entry.url, entry.title); });
      return caches.open("lumen-pages-v1").then(function (cache) { return cache.keys(); });
    }).then(function (keys) {
      keys.forEach(function (request) {
        const url = new URL(request.url);
        add(url.pathname + url.search, "");
      });
      document.getElementById("offline-saved").hidden = list.children.length === 0;
      root.dataset.offlineList = "ready";
    });
  }
})();
