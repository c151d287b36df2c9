/* The chat panel (inside the widget's iframe). The signed session token is kept in localStorage
   and sent with each request; agent replies arrive through an EventSource that the server closes
   every ~25 s and the browser reopens with Last-Event-ID. */
(function () {
  "use strict";
  var body = document.body;
  var KEY = "complaintdesk.chat.token";
  var token = null;
  // Our own storage in the iframe may be blocked (third-party storage): the widget on the
  // company's page then keeps the token for us and hands it over in the URL fragment.
  try { token = window.localStorage.getItem(KEY); } catch (e) { token = null; }
  var handed = /(?:^#|&)t=([^&]+)/.exec(window.location.hash);
  if (!token && handed) { token = decodeURIComponent(handed[1]); }
  if (window.location.hash) { history.replaceState(null, "", window.location.pathname + window.location.search); }

  function keep(value) {
    try {
      if (value) { window.localStorage.setItem(KEY, value); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* blocked: the widget keeps it */ }
    if (window.parent !== window) {
      window.parent.postMessage({ type: "complaintdesk-chat-token", token: value || null }, "*");
    }
  }
  var seen = {};
  var log = document.getElementById("log");

  function uid() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  function show(line) {
    if (seen[line.id]) { return; }
    seen[line.id] = true;
    var li = document.createElement("li");
    li.className = line.direction === "in" ? "in" : "out";
    li.textContent = line.text || "";
    if (line.file) { li.textContent += (line.text ? "\n" : "") + "[" + body.dataset.tFile + ": " + line.file + "]"; }
    var meta = document.createElement("small");
    meta.textContent = (line.author ? line.author + " · " : "") + line.at;
    li.appendChild(meta);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  var failures = 0;

  function listen() {
    var source = new EventSource(body.dataset.stream + "?t=" + encodeURIComponent(token));
    source.onopen = function () { failures = 0; };
    source.addEventListener("line", function (event) { show(JSON.parse(event.data)); });
    source.onerror = function () {
      // A stream ending is normal (the server closes it every ~25 s): EventSource reconnects by
      // itself. Refused outright (expired token, 403) it stays closed: try a few times, then
      // start a new conversation.
      if (source.readyState !== EventSource.CLOSED) { return; }
      failures += 1;
      if (failures > 5) { forget(); return; }
      setTimeout(listen, 3000 * failures);
    };
  }

  function errorsOf(data) {
    if (data && data.errors) { return Object.keys(data.errors).map(function (k) { return data.errors[k]; }).join(" "); }
    return (data && (body.dataset.lang === "en" ? data.message_en : data.message)) || body.dataset.tError;
  }

  function post(url, payload, isForm) {
    var options = { method: "POST", headers: { "X-Chat-Token": token || "" } };
    if (isForm) { options.body = payload; } else {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url + "?lang=" + body.dataset.lang, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 403 && data.error === "no_session") { forget(); }
        if (!response.ok) { throw new Error(errorsOf(data)); }
        return data;
      });
    });
  }

  function forget() {
    keep(null);
    token = null;
    start();
  }

  function open() {
    document.getElementById("start-form").hidden = true;
    document.getElementById("chat").hidden = false;
    listen();
  }

  function start() {
    var form = document.getElementById("start-form");
    document.getElementById("chat").hidden = true;
    form.hidden = false;
    form.onsubmit = function (event) {
      event.preventDefault();
      var data = { name: form.name.value, phone: form.phone.value, email: form.email.value };
      post(body.dataset.start, data).then(function (answer) {
        token = answer.token;
        keep(token);
        open();
      }).catch(function (error) { document.getElementById("start-errors").textContent = error.message; });
    };
  }

  var sendForm = document.getElementById("send-form");
  var errors = document.getElementById("send-errors");
  sendForm.onsubmit = function (event) {
    event.preventDefault();
    var text = sendForm.text.value.trim();
    if (!text) { return; }
    var clientId = uid();
    errors.textContent = "";
    post(body.dataset.send, { text: text, client_id: clientId }).then(function (answer) {
      sendForm.text.value = "";
      show(answer.line);
    }).catch(function (error) { errors.textContent = error.message; });
  };
  document.getElementById("c-file").onchange = function (event) {
    var file = event.target.files[0];
    if (!file) { return; }
    var data = new FormData();
    data.append("file", file);
    data.append("client_id", uid());
    errors.textContent = "";
    post(body.dataset.upload, data, true).then(function (answer) { show(answer.line); })
      .catch(function (error) { errors.textContent = error.message; })
      .then(function () { event.target.value = ""; });
  };

  if (token) { open(); } else { start(); }
})();
