// Live notifications: one WebSocket per tab (/ws/notifications/) keeps the header's bell count
// and, on /notifications/, the inbox up to date, and announces new ones in the live region.
// It reconnects with a growing delay when the connection drops.
(function () {
  "use strict";
  const bell = document.getElementById("notification-count");
  if (!bell || !("WebSocket" in window)) return;
  const list = document.getElementById("notification-list");
  const announcer = document.getElementById("live-announcer");
  let delay = 1000;

  function setCount(count) {
    bell.textContent = String(count);
    bell.hidden = count === 0;
    const label = document.getElementById("notification-bell");
    if (label) label.setAttribute("aria-label", "Notifications, " + count + " unread");
  }

  function addToList(item) {
    if (!list) return;
    const empty = document.getElementById("notification-empty");
    if (empty) empty.remove();
    const entry = document.createElement("li");
    entry.className = "card notification notification--unread";
    entry.id = "notification-" + item.id;
    const title = document.createElement("p");
    title.className = "notification__title";
    const strong = document.createElement("strong");
    strong.textContent = item.title;  // text, never HTML: titles quote user content
    title.append(strong);
    entry.append(title);
    if (item.body) {
      const body = document.createElement("p");
      body.textContent = item.body;
      entry.append(body);
    }
    if (item.link && item.link.charAt(0) === "/") {
      const link = document.createElement("a");
      link.href = item.link;
      link.textContent = "Open";
      entry.append(link);
    }
    list.prepend(entry);
  }

  // A mark-read in another tab: this tab's inbox shows those entries read too.
  function markRead(read) {
    if (!list) return;
    const entries = read === "all"
      ? Array.from(list.querySelectorAll(".notification--unread"))
      : read.map(function (id) { return document.getElementById("notification-" + id); });
    entries.forEach(function (entry) {
      if (!entry) return;
      entry.classList.remove("notification--unread");
      entry.querySelectorAll(".badge, [data-mark-read]").forEach(function (element) { element.remove(); });
    });
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.addEventListener("open", function () {
      delay = 1000;
      document.documentElement.dataset.notificationsLive = "true";
    });
    socket.addEventListener("message", function (event) {
      const message = JSON.parse(event.data);
      if (typeof message.unread === "number") setCount(message.unread);
      if (message.type === "count" && message.read) markRead(message.read);
      if (message.type === "notification") {
        addToList(message.notification);
        if (announcer) announcer.textContent = "New notification: " + message.notification.title;
        // Other scripts may react too (gamification/celebrations.js toasts level-ups and badges).
        document.dispatchEvent(new CustomEvent("lumen:notification", { detail: message.notification }));
      }
    });
    socket.addEventListener("close", function (event) {
      document.documentElement.dataset.notificationsLive = "false";
      if (event.code === 4401) return;  // signed out: nothing to listen for
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
