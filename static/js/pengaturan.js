// Diagnostics: storage persistence and space, the queue, the server connection.
(function () {
  "use strict";

  var JBM = window.JBM || {};
  var LOW_SPACE_BYTES = 50 * 1024 * 1024;

  function set(selector, text) {
    var el = document.querySelector(selector);
    if (el) { el.textContent = text; }
  }

  function megabytes(bytes) { return (bytes / (1024 * 1024)).toLocaleString("id-ID", { maximumFractionDigits: 1 }) + " MB"; }

  function storage() {
    if (!navigator.storage || !navigator.storage.estimate) {
      set("[data-persisted]", "tidak didukung browser ini");
      return Promise.resolve();
    }
    return Promise.all([
      navigator.storage.persisted ? navigator.storage.persisted() : Promise.resolve(false),
      navigator.storage.estimate(),
    ]).then(function (result) {
      set("[data-persisted]", result[0] ? "Ya — data tidak dihapus otomatis oleh browser"
        : "Belum — browser boleh menghapus data saat ruang penuh. Pasang aplikasi ke layar utama.");
      var free = result[1].quota - result[1].usage;
      set("[data-usage]", megabytes(result[1].usage));
      set("[data-free]", megabytes(free));
      document.querySelector("[data-low-space]").hidden = free > LOW_SPACE_BYTES;
    });
  }

  function queue() {
    if (!JBM.outbox) { return; }
    JBM.outbox.counts().then(function (c) {
      set("[data-unsent]", String(c.unsent));
      set("[data-needs-fix]", String(c.needs_fix));
    });
  }

  document.querySelector("[data-persist]").addEventListener("click", function () {
    if (!navigator.storage || !navigator.storage.persist) { return; }
    navigator.storage.persist().then(function (granted) {
      JBM.app.flash(granted ? "Penyimpanan tetap diizinkan." : "Browser belum mengizinkan. Pasang aplikasi ke layar utama lalu coba lagi.", granted ? "ok" : "error");
      storage();
    });
  });

  document.querySelector("[data-check]").addEventListener("click", function () {
    set("[data-server]", "memeriksa…");
    JBM.replay.serverReachable().then(function (ok) {
      set("[data-server]", ok ? "Terhubung" : "Tidak terhubung — data disimpan di HP");
    });
  });

  // The worker's report on the officer shell (sw/cache.js; app.js asks for it).
  set("[data-sw-state]", "(belum siap offline)");
  JBM.messages.on(function (message) {
    if (message.type !== "offline-ready") { return; }
    var s = message.state;
    set("[data-sw-state]", s.ready ? "(siap offline)" : s.form ? "(formulir siap offline, data " + s.percent + "%)" : "(belum siap offline, " + s.percent + "%)");
  });
  storage();
  queue();
})();
