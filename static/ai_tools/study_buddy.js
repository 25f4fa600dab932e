/*
 * The study buddy streams answers over a WebSocket (ai_tools/consumers.py). Without this script
 * (or when the socket fails) the form posts normally and the page shows the whole answer.
 * Every piece of text is inserted with textContent: answers are never treated as HTML.
 */
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  var log = document.getElementById("chat-log");
  if (!form || !log || !window.WebSocket) {
    return;
  }
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var socket = null;
  var current = null;
  var button = form.querySelector("button[type=submit]");
  var input = form.querySelector("textarea");

  function item(role, who) {
    var empty = log.querySelector(".ai-chat__empty");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "ai-chat__message ai-chat__message--" + role;
    var label = document.createElement("p");
    label.className = "ai-chat__who";
    label.textContent = who;
    li.appendChild(label);
    log.appendChild(li);
    return li;
  }

  function paragraph(parent, text, className) {
    var p = document.createElement("p");
    if (className) { p.className = className; }
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  function connect() {
    socket = new WebSocket(scheme + window.location.host + form.dataset.socketPath);
    socket.addEventListener("message", function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "conversation") {
        form.dataset.conversation = data.id;
        var url = new URL(window.location.href);
        url.searchParams.set("conversation", data.id);
        window.history.replaceState(null, "", url);
      } else if (data.type === "chunk" && current) {
        current.text.textContent += data.text;
      } else if (data.type === "done" && current) {
        current.text.textContent = data.message.content;
        if (data.message.citations.length) {
          var list = document.createElement("ol");
          list.className = "ai-citations";
          list.setAttribute("aria-label", "Sources");
          data.message.citations.forEach(function (citation) {
            var li = document.createElement("li");
            li.value = citation.number;
            var link = document.createElement("a");
            link.href = citation.url;
            link.textContent = citation.lesson_title;
            li.appendChild(link);
            li.appendChild(document.createTextNode(": “" + citation.quote + "”"));
            list.appendChild(li);
          });
          current.li.appendChild(list);
        }
        current = null;
        button.disabled = false;
      } else if (data.type === "error") {
        var target = current ? current.li : item("assistant", "Study buddy");
        paragraph(target, data.message, "error").setAttribute("role", "alert");
        current = null;
        button.disabled = false;
      }
    });
    // Marked on the form while the socket is open (the page's tests wait for it, as for the bell).
    socket.addEventListener("open", function () { form.dataset.live = "true"; });
    socket.addEventListener("close", function () {
      socket = null;
      button.disabled = false;
      delete form.dataset.live;
    });
  }

  form.addEventListener("submit", function (event) {
    var question = input.value.trim();
    if (!question) { return; }
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return; // not connected: let the form post the question normally
    }
    event.preventDefault();
    paragraph(item("user", "Learner"), question);
    var li = item("assistant", "Study buddy");
    paragraph(li, "AI-generated from this course's lessons. Check it against the lesson.", "ai-label");
    current = { li: li, text: paragraph(li, "") };
    button.disabled = true;
    socket.send(JSON.stringify({ question: question, conversation: form.dataset.conversation || null }));
    input.value = "";
  });

  connect();
})();
