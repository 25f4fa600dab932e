/* Lumen's service worker, served from /sw.js so its scope is the whole site.
 * - App shell and static files: cache first (static URLs carry content hashes in production).
 * - Pages: network first; each page opened is kept (the most recent PAGE_LIMIT), so visited pages
 *   and lessons open offline; with neither network nor a saved copy, the offline page.
 * - The API, the admin, sign-in pages and sockets are never kept.
 * - Web push: show the notification; a click focuses an open tab on its link or opens one.
 */
"use strict";
var VERSION = "{{ version }}";
var SHELL_CACHE = "lumen-shell-v" + VERSION;
var PAGE_CACHE = "lumen-pages-v1";
var PAGE_LIMIT = 60;
var SHELL = {{ shell_json|safe }};
var ICON = {{ icon_json|safe }};
var STATIC_PREFIX = {{ static_prefix_json|safe }};
var MEDIA_PREFIX = {{ media_prefix_json|safe }};
var NEVER_KEPT = ["/api/", "/admin/", "/accounts/", "/ws/", "/sw.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("lumen-shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function neverKept(url) {
  return NEVER_KEPT.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

function keepPage(request, response) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.put(request, response).then(function () { return cache.keys(); })
      .then(function (keys) {
        // Oldest first: drop what is beyond the limit.
        return Promise.all(keys.slice(0, Math.max(0, keys.length - PAGE_LIMIT)).map(function (key) {
          return cache.delete(key);
        }));
      });
  });
}

function staticFirst(request) {
  return caches.match(request).then(function (cached) {
    return cached || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function pageNetworkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      keepPage(request, copy);
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true, cacheName: PAGE_CACHE }).then(function (cached) {
      return cached || caches.match("/offline/", { ignoreVary: true });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || neverKept(url)) { return; }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  // Signing out must not leave personal pages readable on a shared device.
  if (data.type === "lumen:clear-pages") {
    event.waitUntil(caches.delete(PAGE_CACHE));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: event.data.text() }; }
  event.waitUntil(
    self.registration.showNotification(data.title || "Lumen", {
      body: data.body || "",
      icon: ICON,
      tag: data.id ? "lumen-" + data.id : undefined,
      data: { link: data.link || "/notifications/" }
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = (event.notification.data && event.notification.data.link) || "/notifications/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
      for (var i = 0; i < tabs.length; i += 1) {
        if (new URL(tabs[i].url).pathname === link.split("#")[0] && "focus" in tabs[i]) {
          return tabs[i].focus();
        }
      }
      return self.clients.openWindow(link);
    })
  );
});
