// The queue page: what waits on this phone, drawn from its own IndexedDB.
(function () {
  "use strict";

  var JBM = window.JBM || {};
  var LABELS = {
    queued: "Menunggu", sending: "Mengirim", sent: "Terkirim",
    needs_fix: "Perlu perbaikan", auth: "Perlu login ulang",
  };
  var list = document.querySelector("[data-queue-list]");
  var summary = document.querySelector("[data-queue-summary]");
  var template = document.querySelector("[data-item-template]");
  var sendButton = document.querySelector("[data-send-now]");
  if (!list || !JBM.outbox) { return; }

  var TIME = new Intl.DateTimeFormat("id-ID", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });

  function time(iso) { return iso ? TIME.format(new Date(iso)) : ""; }
  function format(code) { return code.slice(0, 3) + "-" + code.slice(3); }

  function link(text, href, className) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text; a.className = className || "btn btn-small";
    return a;
  }

  function button(text, onClick, className) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.className = className || "btn btn-small btn-ghost";
    b.addEventListener("click", onClick);
    return b;
  }

  function render() {
    return JBM.outbox.all().then(function (items) {
      list.textContent = "";
      var unsent = items.filter(function (i) { return i.state !== "sent"; }).length;
      summary.textContent = items.length
        ? unsent + " belum terkirim, " + (items.length - unsent) + " terkirim (7 hari terakhir)."
        : "Antrian kosong: semua data sudah terkirim.";
      items.slice().reverse().forEach(function (item) {
        var node = template.content.firstElementChild.cloneNode(true);
        node.dataset.id = item.id;
        node.dataset.state = item.state;
        node.querySelector("[data-name]").textContent = item.business_name || "(tanpa nama usaha)";
        node.querySelector("[data-when]").textContent = "Disimpan " + time(item.created_at) +
          (item.attempts ? " · " + item.attempts + " kali dicoba" : "");
        var state = node.querySelector("[data-state]");
        state.textContent = LABELS[item.state] || item.state;
        state.classList.add("state-" + item.state);
        var detail = node.querySelector("[data-detail]");
        var actions = node.querySelector("[data-actions]");
        if (item.state === "sent") {
          detail.innerHTML = "";
          var code = document.createElement("strong");
          code.className = "tracking";
          code.dataset.trackingCode = item.tracking_code;
          code.textContent = format(item.tracking_code);
          detail.append("Kode pelacakan ", code, item.status_label ? " · " + item.status_label : "");
          if (item.proposed_code && item.proposed_code !== item.tracking_code) {
            var changed = document.createElement("strong");
            changed.className = "code-changed";
            changed.dataset.codeChanged = item.proposed_code;
            changed.textContent = " Kode berubah: " + format(item.proposed_code) +
              " sudah dipakai permohonan lain; sampaikan kode baru kepada pemohon.";
            detail.append(changed);
          }
          actions.appendChild(link("Tanda terima", "/petugas/permohonan/" + item.tracking_code + "/tanda-terima", "btn btn-small btn-ghost"));
        } else if (item.state === "needs_fix") {
          detail.textContent = item.message || "";
          var errors = node.querySelector("[data-errors]");
          Object.keys(item.errors || {}).forEach(function (name) {
            var li = document.createElement("li");
            li.textContent = item.errors[name];
            errors.appendChild(li);
          });
          actions.appendChild(link("Perbaiki", "/petugas/daftar#ubah=" + item.id, "btn btn-small btn-primary"));
          actions.appendChild(button("Hapus", function () {
            if (window.confirm("Hapus permohonan " + (item.business_name || "") + " dari HP? Data ini belum diterima server.")) {
              JBM.outbox.remove(item.id).then(schedule).then(JBM.app.refreshBadge);
            }
          }));
        } else {
          detail.textContent = (item.proposed_code ? "Kode pelacakan " + format(item.proposed_code) + ". " : "") +
            (item.last_error ? "Terakhir: " + item.last_error : "");
          if (item.proposed_code) {
            actions.appendChild(link("Tanda terima", "/petugas/daftar#tanda-terima=" + item.id, "btn btn-small btn-ghost"));
          }
          if (item.state !== "sending") {
            actions.appendChild(link("Ubah", "/petugas/daftar#ubah=" + item.id, "btn btn-small btn-ghost"));
          }
        }
        list.appendChild(node);
      });
    });
  }

  sendButton.addEventListener("click", function () {
    sendButton.disabled = true;
    sendButton.textContent = "Mengirim…";
    JBM.app.sendNow().then(function (result) {
      if (result && result.stopped === "offline") { JBM.app.flash("Belum ada sinyal ke server. Data tetap aman di HP; dicoba lagi otomatis.", "error"); }
      else if (result && result.stopped === "auth") { JBM.app.flash("Sesi berakhir. Silakan masuk lagi; data dikirim setelah itu.", "error"); }
      else { JBM.app.flash(null); }
    }).finally(function () {
      sendButton.disabled = false;
      sendButton.textContent = "Kirim sekarang";
      schedule();
    });
  });

  document.querySelector("[data-export]").addEventListener("click", function () {
    JBM.outbox.exportUnsent().then(function (data) {
      var blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "antrian-jbm-" + new Date().toISOString().slice(0, 16).replace(/[:T]/g, "") + ".json";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  });

  // Redraw at most once at a time and at most every 500 ms: a replay sends many messages,
  // and every redraw reads the whole outbox, which slows the worker's writes.
  var drawing = null;
  var again = false;
  function schedule() {
    if (drawing) { again = true; return; }
    drawing = render().catch(function () { return null; }).then(function () {
      return new Promise(function (resolve) { setTimeout(resolve, 500); });
    }).then(function () {
      drawing = null;
      if (again) { again = false; schedule(); }
    });
  }

  JBM.messages.on(function (message) {
    if (message.type === "changed" || message.type === "replayed") { schedule(); }
  });
  schedule();
})();
