/* ComplaintDesk chat widget: <script src="https://<desk>/webhooks/chat/widget.js" async></script>
   Optional: data-lang="en" on the script tag. Opens our chat panel in an iframe. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__complaintdeskChat) { return; }
  window.__complaintdeskChat = true;
  var origin = new URL(script.src, window.location.href).origin;
  var lang = script.getAttribute("data-lang") || (document.documentElement.lang || "vi").slice(0, 2);
  var panelUrl = origin + "{{ panel_path|escapejs }}?lang=" + encodeURIComponent(lang === "en" ? "en" : "vi");
  var label = lang === "en" ? "Chat with us" : "Chat với chúng tôi";
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#0b5cad;color:#fff;" +
    "border:0;border-radius:24px;padding:12px 18px;font:15px Arial,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)";
  // The conversation's signed token, kept here on the company's page (first-party storage)
  // because browsers may block storage inside a third-party iframe.
  var KEY = "complaintdesk.chat.token";
  function stored() { try { return window.localStorage.getItem(KEY); } catch (e) { return null; } }
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "complaintdesk-chat-token") { return; }
    try {
      if (event.data.token) { window.localStorage.setItem(KEY, event.data.token); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* private mode: the conversation lasts as long as the page */ }
  });
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      var token = stored();
      frame.src = panelUrl + (token ? "#t=" + encodeURIComponent(token) : "");
      frame.title = label;
      frame.style.cssText = "position:fixed;right:20px;bottom:76px;z-index:2147483000;width:360px;max-width:calc(100vw - 40px);" +
        "height:520px;max-height:calc(100vh - 100px);border:1px solid #c7ccd1;border-radius:8px;background:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
      button.setAttribute("aria-expanded", "true");
      return;
    }
    var open = frame.style.display !== "none";
    frame.style.display = open ? "none" : "block";
    button.setAttribute("aria-expanded", open ? "false" : "true");
  });
  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
