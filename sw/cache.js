// Caches: two versioned caches, old versions deleted on activate. The citizen shell
// (jbm-shell-*) is kept at install by every visitor's worker; the officer shell
// (jbm-officer-*) only when an officer's page asks for it (prepareOfficer), in two stages:
// the capture form with its scripts first, then the reference data. The login page asks
// for its files (all but the pages) while the officer types the password. Progress goes to the
// pages as {type: "offline-ready", state} on the messages channel (sw/messages.js).
// The IndexedDB outbox is never touched here: an update never discards the queue.
/* global JBM_VERSION, JBM_PRECACHE, JBM_OFFICER_STAGES */
(function (root) {
  "use strict";

  var PREFIX = "jbm-";
  var SHELL = PREFIX + "shell-" + JBM_VERSION;
  var OFFICER = PREFIX + "officer-" + JBM_VERSION;
  var EXPECTED = [SHELL, OFFICER];
  var STAGES = JBM_OFFICER_STAGES;
  var OFFICER_URLS = STAGES[0].concat(STAGES[1]);
  var preparing = {};  // the running preparation, by kind: "all" or "files"
  var inflight = {};  // url -> its fetch, shared by preparations running side by side

  function isOfficerUrl(url) {
    var u = new URL(url, root.location.origin);
    var key = u.pathname + u.search;
    return OFFICER_URLS.indexOf(key) >= 0 || OFFICER_URLS.indexOf(u.pathname) >= 0;
  }
  function cacheFor(url) { return caches.open(isOfficerUrl(url) ? OFFICER : SHELL); }

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
    // A versioned URL never changes: the browser's HTTP cache may answer it (the page has
    // usually just loaded it). Others are fetched from the server.
    var mode = url.indexOf("?v=") >= 0 ? "default" : "reload";
    return fetch(new Request(url, { cache: mode, credentials: "same-origin" })).then(function (response) {
      if (!storable(response)) {
        discard(response);
        throw new Error(url + " not cacheable: " + response.status);
      }
      return cache.put(url, response);
    });
  }

  // -- the citizen shell, at install ------------------------------------------------------
  function precache() {
    return caches.open(SHELL).then(function (cache) {
      return Promise.all(JBM_PRECACHE.map(function (url) { return fetchInto(cache, url); }));
    }).then(function () {
      // An update of a phone that had the officer shell keeps it ready: the new version's
      // officer shell is fetched before the new worker can take over. Without a session
      // (logged out) it stays incomplete; the next officer page asks for it again.
      return caches.keys().then(function (names) {
        var hadOfficer = names.some(function (n) { return n.indexOf(PREFIX + "officer-") === 0 && n !== OFFICER; });
        return hadOfficer ? prepareOfficer() : null;
      });
    });
  }

  // -- the officer shell, on an officer page's request ------------------------------------
  // state: {form: stage 1 stored (the form opens offline), ready: both stages stored,
  // percent, failed: the last attempt could not fetch everything (no signal, no session)}.
  function officerState(failed) {
    return caches.open(OFFICER).then(function (cache) {
      return Promise.all(OFFICER_URLS.map(function (url) {
        return cache.match(url).then(Boolean);
      }));
    }).then(function (have) {
      var done = have.filter(Boolean).length;
      var formDone = have.slice(0, STAGES[0].length).every(Boolean);
      return {
        form: formDone, ready: done === have.length, failed: Boolean(failed),
        percent: Math.floor(100 * done / have.length),
      };
    });
  }

  function announce(state) {
    if (root.JBM.messages) { root.JBM.messages.post({ type: "offline-ready", state: state }); }
    return state;
  }

  function fetchStage(cache, urls) {
    return Promise.all(urls.map(function (url) {
      return cache.match(url).then(function (hit) {
        if (hit) { return true; }
        if (!inflight[url]) {
          inflight[url] = fetchInto(cache, url).finally(function () { delete inflight[url]; });
        }
        return inflight[url].then(function () {
          return officerState().then(announce).then(function () { return true; });
        }, function () { return false; });
      });
    })).then(function (results) { return results.every(Boolean); });
  }

  function isPage(url) { return url.indexOf("/petugas/") === 0; }

  // Fetches what is missing; resolves with the final state. After login (withPages): stage
  // by stage. From the login page (no session yet): every file but the pages, at once, so
  // after login only the pages are left.
  function fetchMissing(withPages) {
    return officerState().then(announce).then(function (state) {
      if (state.ready) { return state; }
      return caches.open(OFFICER).then(function (cache) {
        if (!withPages) {
          return fetchStage(cache, STAGES[0].filter(function (url) { return !isPage(url); })
            .concat(STAGES[1]));
        }
        return fetchStage(cache, STAGES[0]).then(function (ok) {
          return ok ? fetchStage(cache, STAGES[1]) : false;
        });
      }).then(function (ok) { return officerState(!ok).then(announce); });
    });
  }

  // Asking again while a preparation of the same kind runs joins it; the pages' one (after
  // login) runs beside the login page's one, sharing the files both want.
  function prepareOfficer(withPages) {
    var kind = withPages === false ? "files" : "all";
    if (preparing.all) { return preparing.all; }
    if (!preparing[kind]) {
      var job = fetchMissing(kind === "all");
      var finish = function () { if (preparing[kind] === job) { delete preparing[kind]; } };
      job.then(finish, finish);
      preparing[kind] = job;
    }
    return preparing[kind];
  }

  // At logout: drop the cached officer pages (their header names the officer). Static
  // files, reference data and the IndexedDB outbox stay; the next officer page after login
  // fetches the pages again (prepareOfficer: the shell is then no longer complete).
  function forgetPages() {
    return caches.open(OFFICER).then(function (cache) {
      return Promise.all(STAGES[0].filter(isPage).map(function (url) { return cache.delete(url, { ignoreSearch: true }); }));
    });
  }

  // -- housekeeping and access ------------------------------------------------------------
  function cleanup() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && EXPECTED.indexOf(name) < 0;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  function match(request, options) {
    return caches.open(SHELL).then(function (cache) { return cache.match(request, options); })
      .then(function (hit) {
        return hit || caches.open(OFFICER).then(function (cache) { return cache.match(request, options); });
      });
  }

  function put(request, response) {
    if (!storable(response)) { discard(response); return Promise.resolve(); }
    var url = typeof request === "string" ? request : request.url;
    return cacheFor(url).then(function (cache) { return cache.put(request, response); });
  }

  root.JBM = root.JBM || {};
  root.JBM.cache = {
    SHELL: SHELL, OFFICER: OFFICER, precache: precache, prepareOfficer: prepareOfficer,
    officerState: officerState, forgetPages: forgetPages, cleanup: cleanup, match: match,
    put: put, storable: storable, discard: discard,
  };
})(self);
