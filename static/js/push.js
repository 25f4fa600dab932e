// Web push on the notification settings page: subscribe this browser with the server's VAPID
// key and store the subscription through the API, or unsubscribe it.
(function () {
  "use strict";
  const enable = document.getElementById("push-enable");
  const disable = document.getElementById("push-disable");
  const status = document.getElementById("push-status");
  if (!enable || !disable || !status) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    enable.hidden = true;
    status.textContent = "This browser does not support push notifications.";
    return;
  }
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = window.atob(padded);
    return Uint8Array.from(raw, function (character) { return character.charCodeAt(0); });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function show(subscribed) {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
  }

  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) { show(!!subscription); });

  enable.addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(enable.dataset.publicKey)
      });
    }).then(function (subscription) {
      return post(enable.dataset.subscribeUrl, subscription.toJSON());
    }).then(function (response) {
      show(response.ok);
      status.textContent = response.ok ? "Push is on for this device." : "Push could not be turned on.";
    }).catch(function () {
      status.textContent = "Push was not allowed. Check this site's notification permission.";
    });
  });

  disable.addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      return post(disable.dataset.unsubscribeUrl, { endpoint: subscription.endpoint })
        .then(function () { return subscription.unsubscribe(); });
    }).then(function () {
      show(false);
      status.textContent = "Push is off for this device.";
    });
  });
})();
