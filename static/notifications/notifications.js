/*
 * Notifications: registers the service worker, keeps the header bell and the inbox live over
 * /ws/notifications/, and turns on web push when asked. Pages work without it.
 */
(function () {
  "use strict";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    // Signing out drops the pages kept for offline use, so the next person sees none of them.
    document.addEventListener("submit", function (event) {
      var action = event.target.getAttribute("action") || "";
      if (action.indexOf("/accounts/logout/") !== -1 && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "lumen:clear-pages" });
      }
    });
  }

  var bell = document.getElementById("notification-bell");
  var count = document.getElementById("notification-bell-count");
  var list = document.getElementById("notification-list");
  var summary = document.getElementById("notification-unread-summary");

  function showCount(unread) {
    if (count) {
      count.textContent = unread > 0 ? String(unread) : "";
      count.hidden = unread === 0;
    }
    if (bell) {
      bell.setAttribute("aria-label", "Notifications, " + unread + " unread");
      bell.dataset.unreadCount = String(unread);
    }
    if (summary) {
      summary.textContent = unread + " unread";
      summary.dataset.unreadCount = String(unread);
    }
  }

  function addToList(notification) {
    if (!list || list.querySelector('[data-notification-id="' + notification.id + '"]')) {
      return;
    }
    var empty = document.getElementById("notification-empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "notification notification--unread";
    item.dataset.notificationId = String(notification.id);
    var title = document.createElement("p");
    title.className = "notification__title";
    var strong = document.createElement("strong");
    strong.textContent = notification.title;
    var badge = document.createElement("span");
    badge.className = "notification__badge";
    badge.textContent = "New ";
    title.appendChild(badge);
    title.appendChild(strong);
    item.appendChild(title);
    if (notification.body) {
      var body = document.createElement("p");
      body.className = "notification__body";
      body.textContent = notification.body;
      item.appendChild(body);
    }
    if (notification.link) {
      var link = document.createElement("a");
      link.href = notification.link;
      link.textContent = "Open";
      item.appendChild(link);
    }
    list.insertBefore(item, list.firstChild);
  }

  var retry = 1000;
  function connect() {
    if (!bell) { return; } // signed out: no socket
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.addEventListener("open", function () { retry = 1000; });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.type === "notification") {
        addToList(message.notification);
        showCount(message.unread_count);
        document.dispatchEvent(new CustomEvent("lumen:notification", { detail: message.notification }));
      } else if (message.type === "unread_count") {
        showCount(message.unread_count);
      }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401) { return; }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();

  // Web push: the button on the preferences page.
  var pushButton = document.getElementById("push-enable");
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  if (pushButton) {
    var status = document.getElementById("push-status");
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      pushButton.hidden = true;
      status.textContent = "This browser does not support push notifications.";
    }
    pushButton.addEventListener("click", function () {
      var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(pushButton.dataset.publicKey)
        });
      }).then(function (subscription) {
        return fetch(pushButton.dataset.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) {
        status.textContent = response.ok ? "Push is on for this device." : "Push could not be turned on.";
      }).catch(function () {
        status.textContent = "Push was not allowed. Check this site's notification permission.";
      });
    });
  }
})();
