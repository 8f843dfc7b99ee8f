// Caches: one versioned cache for the app shell; old versions are deleted on activate.
// The IndexedDB outbox is never touched here: an update never discards the queue.
/* global JBM_VERSION, JBM_PRECACHE, JBM_SHELL_PAGES */
(function (root) {
  "use strict";

  var PREFIX = "jbm-";
  var SHELL = PREFIX + "shell-" + JBM_VERSION;
  var EXPECTED = [SHELL];

  function isPage(url) { return url.indexOf("/static/") !== 0 && url.indexOf("/sw/") !== 0 && url.indexOf("/ref/") !== 0; }

  // Never keep what the server marked no-store (pages with personal data).
  function storable(response) {
    return response && response.ok && !response.redirected && response.type === "basic" &&
      !/no-store/.test(response.headers.get("Cache-Control") || "");
  }

  // An unread body keeps its connection busy: release what we do not keep.
  function discard(response) {
    if (response && response.body && !response.bodyUsed) { response.body.cancel().catch(function () { return null; }); }
  }

  function fetchInto(cache, url) {
    // A versioned URL never changes: the browser's HTTP cache may answer it. Others are
    // fetched from the server.
    var mode = url.indexOf("?v=") >= 0 ? "default" : "reload";
    return fetch(new Request(url, { cache: mode, credentials: "same-origin" })).then(function (response) {
      if (!storable(response)) {
        discard(response);
        throw new Error(url + " not cacheable: " + response.status);
      }
      return cache.put(url, response);
    });
  }

  // Static files and data must all be cached; officer pages need a logged-in session and
  // are fetched again by refreshPages() when a logged-in page asks for it.
  function precache() {
    return caches.open(SHELL).then(function (cache) {
      return Promise.all(JBM_PRECACHE.map(function (url) {
        var work = fetchInto(cache, url);
        return isPage(url) ? work.catch(function () { return null; }) : work;
      }));
    });
  }

  function refreshPages() {
    return caches.open(SHELL).then(function (cache) {
      return Promise.all(JBM_PRECACHE.filter(isPage).map(function (url) {
        return cache.match(url).then(function (hit) {
          return hit ? null : fetchInto(cache, url).catch(function () { return null; });
        });
      }));
    });
  }

  // At logout: drop the cached officer pages (their header names the officer). Only the
  // shell cache's pages go; static files, reference data and the IndexedDB outbox stay.
  // refreshPages() fetches them again after the next login.
  function forgetPages() {
    return caches.open(SHELL).then(function (cache) {
      return Promise.all(JBM_SHELL_PAGES.filter(function (url) {
        return url.indexOf("/petugas/") === 0;
      }).map(function (url) { return cache.delete(url, { ignoreSearch: true }); }));
    });
  }

  function cleanup() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && EXPECTED.indexOf(name) < 0;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  function match(request, options) {
    return caches.open(SHELL).then(function (cache) { return cache.match(request, options); });
  }

  function put(request, response) {
    if (!storable(response)) { discard(response); return Promise.resolve(); }
    return caches.open(SHELL).then(function (cache) { return cache.put(request, response); });
  }

  root.JBM = root.JBM || {};
  root.JBM.cache = {
    SHELL: SHELL, precache: precache, refreshPages: refreshPages, forgetPages: forgetPages,
    cleanup: cleanup,
    match: match, put: put, storable: storable, discard: discard,
  };
})(self);
