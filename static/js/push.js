// Push notifications on/off for this phone: the citizen's status page (one application,
// proven by the lookup token), the officer's settings page (their own captures) and the
// schedule (a kecamatan's rounds, data-push-kecamatan; none named: every one followed).
// Markup: <section data-push="citizen|officer|kecamatan" data-push-token=…> with [data-push-state],
// [data-push-on], [data-push-off] and [data-push-msg]. No inline script (CSP).
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) { return; }
  var mode = box.dataset.push === "officer" || box.dataset.push === "kecamatan" ? box.dataset.push : "citizen";
  var base = { officer: "/api/push/petugas", kecamatan: "/api/push/kecamatan" }[mode] || "/api/push/warga";
  var stateEl = box.querySelector("[data-push-state]");
  var onBtn = box.querySelector("[data-push-on]");
  var offBtn = box.querySelector("[data-push-off]");
  var msgEl = box.querySelector("[data-push-msg]");

  function say(text) { if (msgEl) { msgEl.textContent = text || ""; msgEl.hidden = !text; } }
  function show(on, text) {
    if (stateEl) { stateEl.textContent = text || (on ? "Aktif di HP ini" : "Belum aktif"); }
    box.dataset.pushActive = on ? "1" : "0";  // not pushOn: that is data-push-on, the button
    if (onBtn) { onBtn.hidden = on; onBtn.disabled = false; }
    if (offBtn) { offBtn.hidden = !on; offBtn.disabled = false; }
  }

  function post(path, body) {
    if (mode === "citizen") { body.token = box.dataset.pushToken || ""; }
    if (mode === "kecamatan") { body.kecamatan = box.dataset.pushKecamatan || ""; }
    return fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || data.detail || "Gagal. Coba lagi sebentar lagi.");
          error.server = true;
          throw error;
        }
        return data;
      });
    });
  }

  var SUBSCRIBE_TIMEOUT_MS = 10000;

  function within(ms, promise) {
    return Promise.race([promise, new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error("timeout")); }, ms);
    })]);
  }

  function b64ToBytes(value) {
    var padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function registration() {
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      return reg || navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }).then(function () { return navigator.serviceWorker.ready; });
  }

  function publicKey() {
    if (box.dataset.pushKey) { return Promise.resolve(box.dataset.pushKey); }
    return fetch("/api/push/kunci", { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (d) { return d.publicKey; });
  }

  function turnOn() {
    say("");
    if (onBtn) { onBtn.disabled = true; }
    var permission = Notification.permission === "granted"
      ? Promise.resolve("granted") : Notification.requestPermission();
    return permission.then(function (answer) {
      if (answer !== "granted") {
        box.dataset.pushStep = "denied";
        show(false);
        say("Izin notifikasi belum diberikan. Izinkan notifikasi untuk situs ini di pengaturan browser.");
        return null;
      }
      box.dataset.pushStep = "subscribing";
      return Promise.all([registration(), publicKey()]).then(function (parts) {
        var reg = parts[0];
        return reg.pushManager.getSubscription().then(function (existing) {
          // A browser that cannot reach its push service may never answer: give up after
          // a while and say so, rather than spin for ever.
          return existing || within(SUBSCRIBE_TIMEOUT_MS, reg.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: b64ToBytes(parts[1])
          }));
        });
      }).then(function (subscription) {
        box.dataset.pushStep = "saving";
        return post("", { subscription: subscription.toJSON() });
      }).then(function () {
        box.dataset.pushStep = "done";
        show(true);
        say(mode === "kecamatan" ? "Pengingat aktif: kami kabari di HP ini sehari sebelum mobil layanan datang, dan bila jadwal berubah atau batal."
          : "Notifikasi aktif. Kami kabari di HP ini bila status berubah.");
      });
    }).catch(function (error) {
      box.dataset.pushStep = "failed";
      show(false);
      say(error && error.server ? error.message
        : "Notifikasi tidak bisa diaktifkan di browser ini. Silakan cek status lewat halaman ini.");
    });
  }

  function turnOff() {
    say("");
    if (offBtn) { offBtn.disabled = true; }
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) { show(false); return null; }
        return post("/berhenti", { endpoint: subscription.endpoint }).then(function () {
          // The officer's phone may still follow other things: keep the browser subscription
          // unless nothing else uses it (the server forgets it when no link is left).
          show(false);
          say("Notifikasi dimatikan untuk " + ({ officer: "HP ini.", kecamatan: "jadwal ini." }[mode] || "permohonan ini."));
        });
      }).catch(function (error) {
        show(true);
        say(error && error.server ? error.message : "Gagal mematikan notifikasi. Coba lagi.");
      });
  }

  function refresh() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      show(false, "Browser ini belum mendukung notifikasi");
      if (onBtn) { onBtn.hidden = true; }
      return;
    }
    if (Notification.permission === "denied") {
      show(false, "Notifikasi diblokir di browser ini");
      return;
    }
    navigator.serviceWorker.getRegistration("/").then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) { show(false); return; }
      return post("/status", { endpoint: subscription.endpoint }).then(function (d) {
        show(Boolean(d.subscribed), d.text);
      });
    }).catch(function () { show(false); });
  }

  if (onBtn) { onBtn.addEventListener("click", turnOn); }
  if (offBtn) { offBtn.addEventListener("click", turnOff); }
  window.JBM = window.JBM || {};
  window.JBM.push = { turnOn: turnOn, turnOff: turnOff, refresh: refresh, post: post };
  refresh();
})();
