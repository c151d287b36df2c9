/* ComplaintDesk workspace: live deadline countdowns and drag-and-drop attachments. No build step. */
(function () {
  "use strict";
  var DUE_SOON_MS = 4 * 3600 * 1000;
  var t = document.body ? document.body.dataset : {};

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function describe(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400); s -= days * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    var text = (days ? days + " " + (t.tDays || "ngày") + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    return (ms < 0 ? t.tOverdue || "Quá hạn {t}" : t.tLeft || "Còn {t}").replace("{t}", text);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      if (!el.title) el.title = el.textContent.trim();
      if (el.dataset.fixed) return;
      var ms = due - now;
      el.textContent = describe(ms);
      var box = el.parentElement;
      if (!box) return;
      var state = ms < 0 ? "clock-breached" : ms <= DUE_SOON_MS ? "clock-due-soon" : "clock-running";
      if (!box.classList.contains(state)) {
        box.classList.remove("clock-breached", "clock-due-soon", "clock-running");
        box.classList.add(state);
      }
    });
  }

  function listFiles(zone, input) {
    var list = zone.querySelector("[data-file-list]");
    if (!list) return;
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var li = document.createElement("li");
      li.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      list.appendChild(li);
    });
  }

  function setupDropzones(root) {
    (root || document).querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.ready) return;
      zone.dataset.ready = "1";
      var input = zone.querySelector("input[type=file]");
      if (!input) return;
      input.addEventListener("change", function () { listFiles(zone, input); });
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("dragover"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
      });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        if (!e.dataTransfer || !e.dataTransfer.files.length) return;
        var merged = new DataTransfer();
        if (input.multiple) Array.prototype.forEach.call(input.files, function (f) { merged.items.add(f); });
        Array.prototype.forEach.call(e.dataTransfer.files, function (f) {
          if (input.multiple || merged.items.length === 0) merged.items.add(f);
        });
        input.files = merged.files;
        listFiles(zone, input);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    t = document.body.dataset;
    tick();
    setInterval(tick, 1000);
    setupDropzones(document);
    document.body.addEventListener("htmx:afterSettle", function (e) { tick(); setupDropzones(e.target); });
    // The hotline pop-up polls every few seconds: an unchanged answer is not swapped in, so a
    // screen reader does not announce the same call again and a half-done click is not lost.
    var lastPopup = null;
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      if (e.detail.target.id !== "hotline-popup") return;
      // (the CSRF token is masked afresh in every answer: left out of the comparison)
      var html = e.detail.xhr.responseText.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
      if (html === lastPopup) e.detail.shouldSwap = false;
      lastPopup = html;
    });
  });
})();
