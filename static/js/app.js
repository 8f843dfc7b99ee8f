// Joss Banget Mas, on every page: the service worker, the queue badge, the update notice,
// and when to send the phone's queue. Pages work without this file; it only adds.
(function () {
  "use strict";

  var JBM = window.JBM = window.JBM || {};
  // While items wait and the server cannot be reached, an officer looking at the page
  // (in view, touched in the last 5 minutes) has it tried every 2 s: a hotspot often stays
  // "online" while nothing gets through, so only a try notices the signal coming back, and
  // a try with no route is one failed GET /healthz. Otherwise (page hidden, phone left
  // alone, server errors) the tries back off: 2, 3, 4.5, 6.8, 10, 15, 23, 30, 30 … s.
  // Back to 2 s on the `online` event, a touch, the page coming into view, and whenever
  // something was sent.
  var RETRY_MIN_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var RETRY_GROWTH = 1.5;
  var WATCHED_MS = 5 * 60000;
  // A progress bar no message has refreshed for this long belongs to a replay that died
  // (the worker was stopped): it is taken down (a request times out after 20 s).
  var PROGRESS_STALE_MS = 25000;
  var officer = document.body && document.body.dataset.officer === "1";
  // Officers' pages and the login page install officers' worker (with the outbox, its
  // replay and the offline search); citizens' pages the small one, unless this phone
  // already has officers' worker (sw/sw.js).
  var officerWorker = document.body && document.body.dataset.worker === "petugas";
  var OFFICER_WORKER_URL = "/sw.js?app=petugas";
  var registration = null;
  var updateAccepted = false;

  function $(selector) { return document.querySelector(selector); }

  // -- the queue badge -----------------------------------------------------------------
  function refreshBadge() {
    if (!JBM.outbox) { return Promise.resolve(null); }
    return JBM.outbox.counts().then(function (counts) {
      document.querySelectorAll("[data-queue-count]").forEach(function (el) {
        el.textContent = String(counts.unsent);
        el.closest("[data-queue-badge]").classList.toggle("has-items", counts.unsent > 0);
      });
      var auth = $("[data-auth-notice]");
      if (auth) { auth.hidden = !(counts.auth > 0); }
      return counts;
    }).catch(function () { return null; });
  }

  function flash(text, kind) {
    var box = $("#flash");
    if (!box) { return; }
    box.textContent = "";
    if (!text) { return; }
    var p = document.createElement("p");
    p.className = "alert" + (kind ? " alert-" + kind : "");
    p.textContent = text;
    box.appendChild(p);
  }

  // An error answer to an htmx request arrives as an event, not as a page (app/routes/errors.py).
  document.body.addEventListener("jbm:toast", function (event) {
    flash(event.detail.message, event.detail.kind);
  });

  // -- the theme -------------------------------------------------------------------------
  // "auto" is dark from 18.00 to 06.00 WIB (UTC+7) by the phone's clock, whatever time zone
  // the phone is set to (the server's rule: app/domain/theme.py). The switch works on the
  // page, also offline; its form posts to /tema only where this file does not run.
  var THEMES = ["auto", "dark", "light"];
  var THEME_ICON = { auto: "◐", dark: "☾", light: "☀" };
  var THEME_NAME = { auto: "otomatis", dark: "gelap", light: "terang" };
  var THEME_COLOUR = { dark: "#10151c", light: "#0b6e4f" };
  var WIB_MS = 7 * 3600000;
  var NIGHT_FROM = 18;
  var NIGHT_UNTIL = 6;
  var themeTimer = null;

  function wibHour() { return new Date(Date.now() + WIB_MS).getUTCHours(); }

  function schemeOf(theme) {
    if (theme !== "auto") { return theme; }
    var hour = wibHour();
    return hour >= NIGHT_FROM || hour < NIGHT_UNTIL ? "dark" : "light";
  }

  function chosenTheme() {
    var match = /(?:^|;\s*)jbm_theme=(auto|dark|light)(?:;|$)/.exec(document.cookie);
    return match ? match[1] : "auto";
  }

  // Milliseconds until the next 06.00 or 18.00 WIB.
  function untilNextSwitch() {
    var wib = new Date(Date.now() + WIB_MS);
    var next = new Date(wib.getTime());
    next.setUTCMinutes(0, 0, 0);
    var hour = wib.getUTCHours();
    next.setUTCHours(hour < NIGHT_UNTIL ? NIGHT_UNTIL : hour < NIGHT_FROM ? NIGHT_FROM : 24 + NIGHT_UNTIL);
    return next.getTime() - wib.getTime();
  }

  function applyTheme(theme) {
    var root = document.documentElement;
    root.dataset.theme = theme;
    root.dataset.scheme = schemeOf(theme);
    var meta = document.querySelector("meta[name=theme-color]");
    if (meta) { meta.content = THEME_COLOUR[root.dataset.scheme]; }
    document.querySelectorAll("[data-theme-icon]").forEach(function (el) { el.textContent = THEME_ICON[theme]; });
    document.querySelectorAll("[data-theme-text]").forEach(function (el) { el.textContent = "Tema: " + THEME_NAME[theme]; });
    clearTimeout(themeTimer);
    if (theme === "auto") {
      themeTimer = setTimeout(function () { applyTheme(chosenTheme()); }, untilNextSwitch() + 1000);
    }
  }

  function switchTheme(event) {
    if (!event.target.matches("[data-theme-switch]")) { return; }
    event.preventDefault();
    var next = THEMES[(THEMES.indexOf(chosenTheme()) + 1) % THEMES.length];
    document.cookie = "jbm_theme=" + next + "; path=/; max-age=31536000; samesite=lax";
    applyTheme(next);
  }

  // A cached page (offline, or back from the history) may carry an older choice or hour.
  applyTheme(chosenTheme());
  document.addEventListener("submit", switchTheme);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { applyTheme(chosenTheme()); }
  });
  window.addEventListener("pageshow", function () { applyTheme(chosenTheme()); });

  // The header's menu closes on a tap elsewhere and on Escape.
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target.closest("details[data-menu]")); });
  document.addEventListener("keydown", function (event) {
    var menu = event.key === "Escape" && event.target.closest && event.target.closest("details[data-menu][open]");
    if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
  });

  // -- an error summary's links (web/macros/form.html) -----------------------------------
  // Put the cursor in the field, with its label in view below the sticky header.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']");
    (label || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  // -- sending -----------------------------------------------------------------------------
  // Ask for a replay: the service worker does it when it controls the page (it goes on if the
  // page closes), else the page itself. Resolves with the replay's summary.
  function sendNow() {
    if (!JBM.outbox || !JBM.replay) { return Promise.resolve(null); }
    var controller = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!controller || !isOfficerWorker(controller)) { return JBM.replay.replay(); }
    var request = String(Date.now()) + Math.random();
    return new Promise(function (resolve) {
      var done = false;
      var off = JBM.messages.on(function (message) {
        if (!done && message.type === "replayed" && message.request === request) {
          done = true; off(); resolve(message.summary);
        }
      });
      controller.postMessage({ type: "replay", request: request });
      // A worker that is busy or gone must not leave the page waiting for ever.
      setTimeout(function () {
        if (!done) { done = true; off(); JBM.replay.replay().then(resolve); }
      }, 60000);
    });
  }

  // -- trying again while items wait -----------------------------------------------------
  var retryDelay = RETRY_MIN_MS;
  var retryTimer = null;
  var retryAt = 0;
  var touchedAt = Date.now();

  function watched() { return !document.hidden && Date.now() - touchedAt < WATCHED_MS; }

  function retryIn(ms) {
    clearTimeout(retryTimer);
    retryAt = Date.now() + ms;
    retryTimer = setTimeout(function () { retryTimer = null; sendIfWaiting(); }, ms);
  }

  function retryAfter(summary) {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (!officer || !summary) { return; }
    if (summary.sent > 0) { retryDelay = RETRY_MIN_MS; }
    var waiting = (summary.unsent || 0) - (summary.needs_fix || 0);  // queued, sending, auth
    if (waiting <= 0) { retryDelay = RETRY_MIN_MS; return; }
    if (summary.stopped === "offline" && watched()) { retryIn(RETRY_MIN_MS); return; }
    retryIn(retryDelay);
    retryDelay = Math.min(RETRY_MAX_MS, retryDelay * RETRY_GROWTH);
  }

  // The officer is at the phone: a try that was pushed far off comes back to 2 s.
  function touched() {
    touchedAt = Date.now();
    retryDelay = RETRY_MIN_MS;
    if (retryTimer && retryAt - Date.now() > RETRY_MIN_MS) { retryIn(RETRY_MIN_MS); }
  }

  function askBackgroundSync() {
    if (registration && registration.sync) {
      registration.sync.register("jbm-outbox").catch(function () { /* not granted: timer and online event remain */ });
    }
  }

  function sendIfWaiting() {
    return refreshBadge().then(function (counts) {
      if (counts && counts.queued + counts.sending + counts.auth > 0) { return sendNow(); }
      return null;
    });
  }

  function backOnline() {
    retryDelay = RETRY_MIN_MS;
    sendIfWaiting();
  }

  // A page answer that came through (an htmx request) means the server is reachable.
  function answered(event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 500 && retryTimer) { backOnline(); }
  }

  // -- the device credential (docs/api.md) ------------------------------------------------
  // Logging in marks the phone "pending"; the first officer page after it asks the server
  // for a credential (once per login) and keeps it in IndexedDB for the replays.
  function fetchDeviceCredential() {
    if (!JBM.device) { return Promise.resolve(); }
    return JBM.device.pending().then(function (pending) {
      if (!pending) { return null; }
      return JBM.device.get().then(function (old) {
        return fetch("/api/perangkat", {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify(old ? { replaces: old.token } : {}),
        });
      }).then(function (response) {
        if (response.status === 201) {
          return response.json().then(function (grant) {
            return JBM.device.set({ token: grant.token, expires_at: grant.expires_at });
          }).then(function () { return JBM.device.setPending(false); });
        }
        // Refused for this login (not fresh any more): no use asking again. The body is
        // read either way, so the request ends.
        return response.text().then(function () {
          return response.status < 500 ? JBM.device.setPending(false) : null;
        });
      });
    }).catch(function () { return null; });  // no signal: asked again on the next page
  }

  function markLogin() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.getAttribute("action") !== "/masuk" || form.dataset.marked === "1" || !JBM.device) { return; }
      event.preventDefault();
      var go = function () { if (form.dataset.marked !== "1") { form.dataset.marked = "1"; form.submit(); } };
      setTimeout(go, 1000);  // never let a slow IndexedDB hold the login back
      JBM.device.setPending(true).then(go, go);
    }, true);
  }

  // -- service worker and updates ------------------------------------------------------
  function showUpdate(worker) {
    var box = $("[data-update-notice]");
    if (!box) { return; }
    box.hidden = false;
    box.querySelector("button").onclick = function () {
      box.querySelector("button").disabled = true;
      updateAccepted = true;
      worker.postMessage({ type: "skip-waiting" });
    };
  }

  function isOfficerWorker(worker) { return Boolean(worker) && worker.scriptURL.indexOf("app=petugas") >= 0; }

  function workerUrl() {
    if (officerWorker) { return Promise.resolve(OFFICER_WORKER_URL); }
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      var had = reg && [reg.installing, reg.waiting, reg.active].some(isOfficerWorker);
      return had ? OFFICER_WORKER_URL : "/sw.js";
    });
  }

  // What this page wants kept for offline use: an officer's page the whole officer shell;
  // the login page its files, while the officer types (the pages need the session).
  function askOffline() {
    if (officer) { askOfficerShell(); } else if (officerWorker) { askOfficerFiles(); }
  }

  function register() {
    if (!("serviceWorker" in navigator)) { return; }
    workerUrl().then(function (url) {
      return navigator.serviceWorker.register(url, { scope: "/" });
    }).then(function (reg) {
      registration = reg;
      if (reg.waiting && navigator.serviceWorker.controller) { showUpdate(reg.waiting); }
      reg.addEventListener("updatefound", function () {
        var worker = reg.installing;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) { showUpdate(worker); }
        });
      });
      return navigator.serviceWorker.ready;
    }).then(askOffline).catch(function () { /* no service worker: the pages still work online */ });
    // Reload only when the officer accepted a new version (the first worker also takes
    // control, but that must never interrupt what the page is doing). A worker that took
    // over is asked again: the one it replaced may have stopped mid-download.
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (updateAccepted) { updateAccepted = false; window.location.reload(); return; }
      askOffline();
    });
  }

  // -- offline readiness ------------------------------------------------------------------
  // The worker keeps the officer shell in two stages (sw/cache.js) and reports each file it
  // stored; a page loaded later asks, and hears the current state first.
  var sawPreparing = false;
  var home = window.location.pathname.replace(/\/$/, "") === "/petugas";

  function askWorker(type) {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) { reg.active.postMessage({ type: type }); }
    });
  }
  function askOfficerShell() { askWorker("officer-shell"); }
  function askOfficerFiles() { askWorker("officer-files"); }

  function readinessText(state) {
    if (state.ready) { return ["ready", "Siap dipakai tanpa sinyal"]; }
    if (state.form) {
      return state.failed ? ["form", "Formulir siap tanpa sinyal · data KBLI belum lengkap, butuh sinyal"]
        : ["form", "Formulir siap tanpa sinyal · menyiapkan data KBLI… " + state.percent + "%"];
    }
    return state.failed ? ["failed", "Mode offline belum siap: butuh sinyal, dicoba lagi saat ada sinyal"]
      : ["preparing", "Menyiapkan mode offline… " + state.percent + "%"];
  }

  function showReadiness(state) {
    JBM.offlineState = state;
    var shown = readinessText(state);
    if (!state.ready) { sawPreparing = true; }
    document.querySelectorAll("[data-offline-ready]").forEach(function (el) {
      el.dataset.state = shown[0];
      el.textContent = shown[1];
      el.classList.toggle("is-preparing", !state.ready);
      // Once ready it stays in view on the home page, and where the officer watched it.
      el.hidden = state.ready && !home && !sawPreparing;
    });
  }

  // -- logout keeps unsent work --------------------------------------------------------
  function guardLogout() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.getAttribute("action") !== "/keluar" || form.dataset.confirmed === "1" || !JBM.outbox) { return; }
      event.preventDefault();
      flash("Mengirim data yang belum terkirim…");
      sendIfWaiting().then(refreshBadge).then(function (counts) {
        var left = counts ? counts.unsent : 0;
        if (left > 0 && !window.confirm(
          "Masih ada " + left + " permohonan belum terkirim. Data tetap tersimpan di HP ini dan " +
          "akan dikirim setelah petugas masuk lagi. Tetap keluar?")) {
          flash("Belum keluar. " + left + " permohonan masih menunggu di HP.", "error");
          return;
        }
        form.dataset.confirmed = "1";
        // The phone's device credential goes with the logout, to be revoked there.
        var take = JBM.device ? JBM.device.take() : Promise.resolve(null);
        take.then(function (token) {
          if (token) {
            var input = document.createElement("input");
            input.type = "hidden"; input.name = "device_token"; input.value = token;
            form.appendChild(input);
          }
          // The capture form stops keeping its draft: the service worker deletes it once the
          // server has ended the session, and a last write must not bring it back.
          document.dispatchEvent(new CustomEvent("jbm:logout"));
          form.submit();
        });
      });
    }, true);
  }

  // -- progress shown on every page ----------------------------------------------------
  // The bar goes when the replay ends however it ends: "replayed" comes after a stop for
  // no signal, an ended session or a server error too (a final "progress" does not), and a
  // replay that died without a word is taken down after PROGRESS_STALE_MS.
  var progressTimer = null;

  function showProgress(text) {
    clearTimeout(progressTimer);
    progressTimer = text ? setTimeout(function () { showProgress(null); }, PROGRESS_STALE_MS) : null;
    document.querySelectorAll("[data-progress]").forEach(function (el) {
      el.hidden = !text;
      el.textContent = text || "";
    });
  }

  function listen() {
    if (!JBM.messages) { return; }
    JBM.messages.on(function (message) {
      if (message.type === "changed") { refreshBadge(); }
      if (message.type === "offline-ready" && officer) { showReadiness(message.state); }
      if (message.type === "progress") {
        showProgress(message.done >= message.total ? null
          : "Mengirim " + message.done + " dari " + message.total + "…");
      }
      if (message.type === "replayed") {
        showProgress(null);
        retryAfter(message.summary);
      }
    });
  }

  JBM.app = { sendNow: sendNow, refreshBadge: refreshBadge, flash: flash, askBackgroundSync: askBackgroundSync };

  register();
  listen();
  if (JBM.outbox) {
    guardLogout();
    markLogin();
    refreshBadge();
    window.addEventListener("online", backOnline);
    if (officer) {
      document.addEventListener("pointerdown", touched, { passive: true });
      document.addEventListener("keydown", touched, { passive: true });
      document.addEventListener("visibilitychange", function () {
        if (!document.hidden && retryTimer) { touched(); backOnline(); }
      });
      document.body.addEventListener("htmx:afterRequest", answered);
    }
    if (officer && "serviceWorker" in navigator) {
      window.addEventListener("online", askOfficerShell);
    }
    if (officer) {
      fetchDeviceCredential().then(sendIfWaiting);
    }
  }
})();
