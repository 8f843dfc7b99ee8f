// The receipt the phone shows at once, signal or not: a tracking code minted here and a QR
// to the citizen's status page. The code uses the server's alphabet and check weights
// (JBM.rules.tracking, from app/domain/tracking.py via the validate.js prelude); the server
// keeps it when it is free, else answers another, which this receipt then shows clearly.
(function () {
  "use strict";

  var JBM = window.JBM = window.JBM || {};
  var rules = JBM.rules && JBM.rules.tracking;
  if (!rules) { return; }
  var ALPHABET = rules.alphabet;
  var WEIGHTS = rules.weights;
  var BODY = WEIGHTS.length - 1;

  // -- tracking codes ----------------------------------------------------------------------
  function checkChar(body) {
    var total = 0;
    for (var i = 0; i < BODY; i++) { total += WEIGHTS[i] * ALPHABET.indexOf(body[i]); }
    return ALPHABET[(ALPHABET.length - (total % ALPHABET.length)) % ALPHABET.length];
  }

  // Six characters from crypto.getRandomValues (rejection sampling: no modulo bias).
  function mint() {
    var n = ALPHABET.length;
    var limit = Math.floor(4294967296 / n) * n;
    var body = "";
    var buffer = new Uint32Array(BODY * 2);
    while (body.length < BODY) {
      crypto.getRandomValues(buffer);
      for (var i = 0; i < buffer.length && body.length < BODY; i++) {
        if (buffer[i] < limit) { body += ALPHABET[buffer[i] % n]; }
      }
    }
    return body + checkChar(body);
  }

  function isValid(code) {
    if (typeof code !== "string" || code.length !== BODY + 1) { return false; }
    for (var i = 0; i < code.length; i++) { if (ALPHABET.indexOf(code[i]) < 0) { return false; } }
    return checkChar(code.slice(0, BODY)) === code[BODY];
  }

  function format(code) { return code ? code.slice(0, 3) + "-" + code.slice(3) : ""; }

  JBM.tracking = { mint: mint, isValid: isValid, format: format, checkChar: checkChar };

  // -- the receipt on the capture page --------------------------------------------------------
  var box = document.querySelector("[data-phone-receipt]");
  var shown = null;  // the outbox id on screen

  function statusUrl(code) { return box.dataset.statusBase + "/cek?kode=" + code; }

  function drawQr(text) {
    var holder = box.querySelector("[data-receipt-qr]");
    if (holder.dataset.qrText === text) { return; }
    holder.textContent = "";
    holder.dataset.qrText = text;
    if (window.QrCreator) {
      window.QrCreator.render({ text: text, radius: 0, ecLevel: "M", fill: "#000000",
        background: "#ffffff", size: 232 }, holder);
    }
    var canvas = holder.querySelector("canvas");
    if (canvas) {
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Kode QR ke halaman status permohonan");
    }
  }

  function draw(item) {
    var code = item.tracking_code || item.proposed_code;
    if (!code) { hide(); return; }
    var changed = Boolean(item.proposed_code && item.tracking_code && item.tracking_code !== item.proposed_code);
    var status = box.querySelector("[data-receipt-status]");
    if (item.state === "sent") {
      status.textContent = "Permohonan sudah diterima server. " + (item.status_label || "");
    } else if (item.state === "needs_fix") {
      status.textContent = "Permohonan perlu diperbaiki dulu sebelum dikirim. Kode ini tetap berlaku.";
    } else {
      status.textContent = "Tersimpan di HP — akan dikirim otomatis saat ada sinyal. Kode ini sudah bisa dipakai pemohon.";
    }
    box.dataset.state = item.state;
    box.querySelector("[data-receipt-code]").textContent = format(code);
    box.querySelector("[data-receipt-code]").dataset.code = code;
    var note = box.querySelector("[data-receipt-changed]");
    note.hidden = !changed;
    note.textContent = changed ? "Kode berubah: " + format(item.proposed_code) + " sudah dipakai permohonan lain. " +
      "Kode yang berlaku sekarang " + format(item.tracking_code) + ". Sampaikan kode baru ini kepada pemohon." : "";
    box.querySelector("[data-receipt-business]").textContent = item.business_name || "";
    box.querySelector("[data-receipt-url]").textContent = statusUrl(code);
    drawQr(statusUrl(code));
  }

  function show(id) {
    if (!box || !JBM.outbox) { return Promise.resolve(); }
    return JBM.outbox.get(id).then(function (item) {
      if (!item) { hide(); return; }
      shown = id;
      draw(item);
      box.hidden = false;
      box.focus();
    });
  }

  function hide() {
    shown = null;
    if (box) { box.hidden = true; }
  }

  if (box) {
    box.querySelector("[data-receipt-next]").addEventListener("click", function () {
      hide();
      var nik = document.getElementById("nik");
      if (nik) { nik.focus(); }
    });
    // The answer may arrive while the receipt is on screen: show the final code at once.
    if (JBM.messages) {
      JBM.messages.on(function (message) {
        if (shown && (message.type === "changed" || message.type === "replayed")) {
          JBM.outbox.get(shown).then(function (item) { if (item && shown === item.id) { draw(item); } });
        }
      });
    }
  }

  JBM.receipt = { show: show, hide: hide };
})();
