// Joss Banget Mas service worker. The server prepends JBM_VERSION, JBM_PRECACHE (the
// citizen shell), JBM_OFFICER_STAGES (the officer shell) and JBM_SHELL_PAGES (app/pwa.py).
// This file only wires events; the work is in the modules it imports.
/* global JBM_VERSION */
importScripts(
  "/sw/messages.js?v=" + JBM_VERSION,
  "/sw/outbox.js?v=" + JBM_VERSION,
  "/sw/replay.js?v=" + JBM_VERSION,
  "/sw/offline-data.js?v=" + JBM_VERSION,
  "/sw/cache.js?v=" + JBM_VERSION,
  "/sw/routes.js?v=" + JBM_VERSION,
  "/sw/push.js?v=" + JBM_VERSION
);

self.addEventListener("install", function (event) {
  event.waitUntil(self.JBM.cache.precache().then(function () {
    // The first version takes over at once; later ones wait until the officer agrees
    // ("Versi baru tersedia — muat ulang"), so nothing changes under an open form.
    if (!self.registration.active) { return self.skipWaiting(); }
    return undefined;
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.JBM.cache.cleanup().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var handler = self.JBM.routes.route(event.request);
  if (handler) { event.respondWith(handler(event)); }
});

// Background Sync (where the browser has it): send the outbox when a signal returns, even
// with the app closed.
self.addEventListener("sync", function (event) {
  if (event.tag === "jbm-outbox") { event.waitUntil(self.JBM.replay.replay()); }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "skip-waiting") { self.skipWaiting(); }
  if (data.type === "replay") { event.waitUntil(self.JBM.replay.replay(data.request)); }
  // An officer's page: keep the officer shell (reports progress as "offline-ready").
  if (data.type === "officer-shell") {
    event.waitUntil(self.JBM.cache.prepareOfficer().catch(function () { return null; }));
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
