// Joss Banget Mas service worker. The server serves it as one file (app/pwa.py): a prelude
// (JBM_VERSION, JBM_APP, JBM_PRECACHE: the citizen shell, JBM_OFFICER_STAGES: the officer
// shell, JBM_SHELL_PAGES), the modules of sw/, then this file, which only wires events.
// Citizens' worker ("warga") has no outbox, replay or offline search; officers' worker
// ("petugas", /sw.js?app=petugas: officer pages and the login page) has them all.
/* global JBM_VERSION, JBM_APP */

self.addEventListener("install", function (event) {
  var active = self.registration.active;
  // Officers' worker replacing citizens' worker of the same version (its shell cache is
  // there already) only adds modules: it takes over at once, as the first version does.
  // Any other new version waits until the officer agrees ("Versi baru tersedia — muat
  // ulang"), so nothing changes under an open form.
  var gainsModules = JBM_APP === "petugas" && active && active.scriptURL.indexOf("app=petugas") < 0
    ? caches.has(self.JBM.cache.SHELL) : Promise.resolve(false);
  event.waitUntil(gainsModules.then(function (now) {
    return self.JBM.cache.precache().then(function () {
      return !active || now ? self.skipWaiting() : undefined;
    });
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.JBM.cache.cleanup().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var handler = self.JBM.routes.route(event.request);
  if (!handler) { return; }
  var answer = handler(event);
  event.respondWith(answer);
  // An officer's page the server answered (right after login, say): the session is there,
  // so the officer shell is completed now, before the page has loaded to ask for it.
  if (event.request.mode === "navigate" && new URL(event.request.url).pathname.indexOf("/petugas") === 0) {
    event.waitUntil(answer.then(function (response) {
      return response.ok && !response.redirected
        ? self.JBM.cache.prepareOfficer(true) : null;
    }).catch(function () { return null; }));
  }
});

// Background Sync (where the browser has it): send the outbox when a signal returns, even
// with the app closed.
self.addEventListener("sync", function (event) {
  if (event.tag === "jbm-outbox" && self.JBM.replay) { event.waitUntil(self.JBM.replay.replay()); }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "skip-waiting") { self.skipWaiting(); }
  if (data.type === "replay" && self.JBM.replay) { event.waitUntil(self.JBM.replay.replay(data.request)); }
  // An officer's page: keep the officer shell (reports progress as "offline-ready"). The
  // login page: keep its files, all but the pages, which need the session.
  if (data.type === "officer-shell" || data.type === "officer-files") {
    event.waitUntil(self.JBM.cache.prepareOfficer(data.type === "officer-shell")
      .catch(function () { return null; }));
  }
  if (data.type === "version" && event.source) {
    event.source.postMessage({ type: "version", version: JBM_VERSION });
  }
});

// Web Push: show the notification; a tap focuses or opens the application's page.
self.addEventListener("push", function (event) {
  event.waitUntil(self.JBM.push.show(event));
});

self.addEventListener("notificationclick", function (event) {
  event.waitUntil(self.JBM.push.click(event));
});
