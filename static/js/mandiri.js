// /daftar-mandiri on a cheap phone with a weak signal: the page sends the form itself, so a
// dropped connection loses nothing. What was typed stays in the page; "Kirim" again (or the
// signal coming back) sends it under the same client id, which the server stores only once.
// Without JavaScript the plain form POST does the same job.
(function () {
  "use strict";

  var TIMEOUT_MS = 30000;
  var MSG_LOST = "Koneksi terputus saat mengirim. Isian Anda masih ada di halaman ini dan akan " +
    "dikirim ulang otomatis saat sinyal kembali, atau tekan Kirim lagi. Data tidak akan terdaftar dua kali.";
  var waiting = false;

  function section() { return document.getElementById("mandiri"); }
  function form() { return document.querySelector("[data-mandiri]"); }

  function notice(text) {
    var box = section().querySelector("[data-form-notice]");
    box.textContent = text || "";
    box.className = text ? "alert alert-error" : "";
    box.hidden = !text;
    if (text) { box.focus(); }
  }

  function busy(on) {
    var button = form().querySelector("button[type=submit]");
    button.disabled = on;
    button.textContent = on ? "Mengirim…" : "Kirim";
  }

  // The server's answer (the form with its messages, or the code) replaces the section.
  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("mandiri");
    if (!fresh) { throw new Error("no answer"); }
    section().replaceWith(fresh);
    document.title = doc.title;
    if (window.htmx) { window.htmx.process(fresh); }
    var focus = fresh.querySelector("[data-error-summary]:not([hidden]), [data-answer], [data-form-notice]:not([hidden])");
    if (focus) { focus.focus(); }
    window.scrollTo(0, 0);
  }

  function send() {
    var el = form();
    if (!el) { return; }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, TIMEOUT_MS);
    busy(true);
    fetch(el.action, {
      method: "POST", body: new URLSearchParams(new FormData(el)), credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      waiting = false;
      show(html);
    }).catch(function () {
      waiting = true;
      busy(false);
      notice(MSG_LOST);
    }).then(function () { clearTimeout(timer); });
  }

  document.addEventListener("submit", function (event) {
    if (!event.target.matches("[data-mandiri]") || !window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    notice(null);
    send();
  });
  window.addEventListener("online", function () { if (waiting) { send(); } });
})();
