/* Lumen's service worker (served from /sw.js, scope "/").
 * - App shell and static files: cache first (static URLs carry content hashes in production).
 * - Pages (navigations): network first; the response is kept so visited pages and lessons open
 *   offline; with neither network nor a cached copy, the offline page.
 * - API calls, the admin and websockets are never cached.
 * - Web push: show the notification; a click focuses an open tab or opens the link.
 */
"use strict";
var VERSION = "{{ version }}";
var SHELL_CACHE = "lumen-shell-v" + VERSION;
var PAGE_CACHE = "lumen-pages-v1";
var SHELL = {{ shell_json|safe }};
var ICON = {{ icon_json|safe }};
var STATIC_PREFIX = {{ static_prefix_json|safe }};
var NEVER_CACHE = ["/api/", "/admin/", "/accounts/", "/ws/", "/sw.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) {
      return cache.addAll(SHELL);
    }).then(function () { return self.skipWaiting(); })
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

function isNeverCached(url) {
  return NEVER_CACHE.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || isNeverCached(url)) { return; }

  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(
      caches.match(request).then(function (cached) {
        return cached || fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(SHELL_CACHE).then(function (cache) { cache.put(request, copy); });
          }
          return response;
        });
      })
    );
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(PAGE_CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(request, { ignoreSearch: false }).then(function (cached) {
          return cached || caches.match("/offline/");
        });
      })
    );
  }
});

self.addEventListener("message", function (event) {
  // Signing out must not leave personal pages readable on a shared device.
  if (event.data && event.data.type === "lumen:clear-pages") {
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
        if (new URL(tabs[i].url).pathname === link && "focus" in tabs[i]) { return tabs[i].focus(); }
      }
      return self.clients.openWindow(link);
    })
  );
});
