/* Lumen's service worker, served from /sw.js so its scope is the whole site.
 * - App shell and static files: cache first (static URLs carry content hashes in production).
 * - Pages: network first; each page opened is kept (the most recent PAGE_LIMIT), so visited pages
 *   and lessons open offline; with neither network nor a saved copy, the offline page.
 * - "Save for offline" (a lesson, or every lesson of a module the learner may open) keeps each
 *   lesson's page and its images, captions and video in SAVED_CACHE (not trimmed) until the user
 *   signs out. Pages are fetched with SAVE_HEADER so saving does not move the course's resume
 *   point. Media are answered from the network first, else from SAVED_CACHE; a Range request
 *   (how a video element reads and seeks) gets a 206 cut from the cached file, so a saved video
 *   plays and seeks offline. Only same-origin files are kept (videos on another host, e.g. a
 *   CDN or an external URL, play online only), and each is kept whole: a file larger than the
 *   browser's storage quota for the site cannot be saved (the save reports it).
 * - Offline lesson completions (the POST of "Mark complete") are kept in an IndexedDB outbox,
 *   one entry per lesson, and sent once when the connection returns: on Background Sync, on the
 *   `online` event and on the next page load, one flush at a time.
 * - The API, the admin, sign-in pages and sockets are never kept.
 * - Web push: show the notification; a click focuses an open tab on its link or opens one.
 */
"use strict";
var VERSION = "{{ version }}";
var SHELL_CACHE = "lumen-shell-v" + VERSION;
var PAGE_CACHE = "lumen-pages-v1";
var PAGE_LIMIT = 60;
var SAVED_CACHE = "lumen-saved-v1";
var SAVED_INDEX = "/offline/saved.json";
var OUTBOX_DB = "lumen-outbox";
var OUTBOX_STORE = "requests";
var QUEUED_PATH = /^\/lessons\/\d+\/complete\/$/;
var SHELL = {{ shell_json|safe }};
var ICON = {{ icon_json|safe }};
var STYLESHEET = {{ stylesheet_json|safe }};
var PWA_SCRIPT = {{ pwa_script_json|safe }};
var STATIC_PREFIX = {{ static_prefix_json|safe }};
var MEDIA_PREFIX = {{ media_prefix_json|safe }};
var NEVER_KEPT = ["/api/", "/admin/", "/accounts/", "/ws/", "/sw.js"];
var SAVE_HEADER = "X-Lumen-Offline-Save";
var RANGE = /^bytes=(\d*)-(\d*)$/;

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

function fromCaches(request) {
  return caches.match(request, { ignoreVary: true, cacheName: SAVED_CACHE }).then(function (saved) {
    return saved || caches.match(request, { ignoreVary: true, cacheName: PAGE_CACHE });
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
    return fromCaches(request).then(function (cached) {
      return cached || caches.match("/offline/", { ignoreVary: true });
    });
  });
}

// The part of a cached (whole) file a Range request asks for, as a server answers it.
function partOf(cached, rangeHeader) {
  var match = RANGE.exec((rangeHeader || "").trim());
  if (!match || (match[1] === "" && match[2] === "")) { return Promise.resolve(cached); }
  return cached.blob().then(function (blob) {
    var size = blob.size;
    var start, end;
    if (match[1] === "") {  // the last N bytes
      start = Math.max(size - Number(match[2]), 0);
      end = size - 1;
    } else {
      start = Number(match[1]);
      end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    }
    if (start >= size || start > end) {
      return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
    }
    return new Response(blob.slice(start, end + 1), {
      status: 206,
      statusText: "Partial Content",
      headers: {
        "Content-Type": cached.headers.get("Content-Type") || blob.type,
        "Content-Length": String(end - start + 1),
        "Content-Range": "bytes " + start + "-" + end + "/" + size,
        "Accept-Ranges": "bytes"
      }
    });
  });
}

function mediaNetworkFirst(request) {
  return fetch(request).catch(function () {
    return caches.match(request.url, { ignoreVary: true, cacheName: SAVED_CACHE }).then(function (cached) {
      return cached ? partOf(cached, request.headers.get("Range")) : Response.error();
    });
  });
}

// --- Save for offline ------------------------------------------------------------------------

function savedIndex(cache) {
  return cache.match(SAVED_INDEX).then(function (response) {
    return response ? response.json() : [];
  });
}

function saveForOffline(page, title, assets) {
  return caches.open(SAVED_CACHE).then(function (cache) {
    var urls = [page].concat(assets.filter(function (url) {
      return new URL(url, self.location.origin).origin === self.location.origin;
    }));
    return Promise.all(urls.map(function (url) {
      var headers = {};
      if (url === page) { headers[SAVE_HEADER] = "1"; }
      return fetch(url, { credentials: "same-origin", headers: headers }).then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("could not save " + url); }
        return cache.put(url, response);
      });
    })).then(function () { return savedIndex(cache); }).then(function (index) {
      index = index.filter(function (entry) { return entry.url !== page; });
      index.unshift({ url: page, title: title, saved_at: new Date().toISOString() });
      return cache.put(SAVED_INDEX, new Response(JSON.stringify(index), {
        headers: { "Content-Type": "application/json" }
      }));
    });
  });
}

// --- Outbox: lesson completions made offline --------------------------------------------------

function outbox(mode, work) {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open(OUTBOX_DB, 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(OUTBOX_STORE, { keyPath: "url" });
    };
    opening.onerror = function () { reject(opening.error); };
    opening.onsuccess = function () {
      var db = opening.result;
      var transaction = db.transaction(OUTBOX_STORE, mode);
      var result = work(transaction.objectStore(OUTBOX_STORE));
      transaction.oncomplete = function () { db.close(); resolve(result && result.result); };
      transaction.onerror = function () { db.close(); reject(transaction.error); };
    };
  });
}

function queuedPage(lessonPage) {
  var back = lessonPage ? '<p><a href="' + lessonPage.replace(/[<>"&]/g, "") + '">Back to the lesson</a></p>' : "";
  var html = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Saved on this device · Lumen</title><link rel="stylesheet" href="' + STYLESHEET + '">' +
    '<script src="' + PWA_SCRIPT + '" defer></script></head><body><main id="main" class="container">' +
    '<h1>Saved on this device</h1><p role="status" id="offline-queued">You are offline. This ' +
    "lesson is marked complete here and will be sent to Lumen as soon as you are back online." +
    "</p>" + back + "</main></body></html>";
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function queueOrSend(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      // One entry per lesson: the last action taken offline (complete or undo) is the one sent.
      return outbox("readwrite", function (store) {
        store.put({ url: copy.url, body: body, queued_at: Date.now() });
      });
    }).then(function () {
      if (self.registration.sync) {
        self.registration.sync.register("lumen-outbox").catch(function () {});
      }
      return queuedPage(copy.referrer && new URL(copy.referrer).pathname);
    });
  });
}

var flushing = null;

function tellClients(message) {
  return self.clients.matchAll({ type: "window" }).then(function (tabs) {
    tabs.forEach(function (tab) { tab.postMessage(message); });
  });
}

function flushOnce() {
  return outbox("readonly", function (store) { return store.getAll(); }).then(function (entries) {
    var sent = 0;
    return entries.reduce(function (previous, entry) {
      return previous.then(function () {
        return fetch(entry.url, {
          method: "POST",
          body: entry.body,
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" }
        }).then(function (response) {
          var signedOut = new URL(response.url).pathname.indexOf("/accounts/login/") === 0;
          // Kept for a later try when signed out; dropped when the server refused it for good.
          if (signedOut) { return; }
          sent += response.ok ? 1 : 0;
          return outbox("readwrite", function (store) { store.delete(entry.url); });
        });
      });
    }, Promise.resolve()).then(function () {
      return outbox("readonly", function (store) { return store.count(); });
    }).then(function (remaining) {
      return tellClients({ type: "lumen:outbox", remaining: remaining, sent: sent });
    });
  });
}

function flush() {
  // One flush at a time, so an entry is never sent twice by overlapping triggers.
  if (!flushing) {
    flushing = flushOnce().catch(function () {
      return tellClients({ type: "lumen:outbox", remaining: -1, sent: 0 });
    }).then(function () { flushing = null; });
  }
  return flushing;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "lumen-outbox") { event.waitUntil(flush()); }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || neverKept(url)) { return; }
  if (request.method === "POST" && request.mode === "navigate" && QUEUED_PATH.test(url.pathname)) {
    event.respondWith(queueOrSend(request));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(staticFirst(request));
  } else if (url.pathname.indexOf(MEDIA_PREFIX) === 0) {
    event.respondWith(mediaNetworkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  // Signing out must not leave personal pages readable on a shared device.
  if (data.type === "lumen:clear-pages") {
    // Anything still in the outbox is sent first, while the session that made it is signed in.
    event.waitUntil(flush().then(function () {
      return Promise.all([caches.delete(PAGE_CACHE), caches.delete(SAVED_CACHE)]);
    }));
  } else if (data.type === "lumen:save") {
    var reply = event.ports[0];
    event.waitUntil(saveForOffline(data.page, data.title, data.assets || []).then(function () {
      reply.postMessage({ ok: true });
    }, function () {
      reply.postMessage({ ok: false });
    }));
  } else if (data.type === "lumen:flush") {
    event.waitUntil(flush());
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
