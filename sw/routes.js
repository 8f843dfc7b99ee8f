// The routing table: which strategy answers which request. Read it top to bottom; the first
// rule that matches wins; a rule without a strategy leaves the request to the network.
(function (root) {
  "use strict";

  var PAGE_TIMEOUT_MS = 3000;
  var SHELL_PAGES = JBM_SHELL_PAGES;  // from the prelude (app/pwa.py SHELL_PAGES)

  function cache() { return root.JBM.cache; }

  // -- strategies ------------------------------------------------------------------------
  // Versioned static files: the cache, else the network (and keep it).
  function cacheFirst(event) {
    return cache().match(event.request).then(function (hit) {
      return hit || fetch(event.request).then(function (response) {
        event.waitUntil(cache().put(event.request, response.clone()));
        return response;
      });
    });
  }

  // Reference data: answer from the cache at once, refresh it in the background.
  function staleWhileRevalidate(event) {
    var refresh = fetch(event.request).then(function (response) {
      return cache().put(event.request, response.clone()).then(function () { return response; });
    });
    event.waitUntil(refresh.catch(function () { return null; }));
    return cache().match(event.request, { ignoreSearch: true }).then(function (hit) {
      return hit || refresh;
    });
  }

  function timeout(ms) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(null); }, ms); });
  }

  // Officers and citizens each have their own offline page (the officer's is cached only
  // with the officer shell).
  function offlinePage(url) {
    var officer = url && url.pathname.indexOf("/petugas") === 0;
    return (officer ? cache().match("/petugas/offline") : Promise.resolve(null)).then(function (hit) {
      return hit || cache().match("/offline");
    }).then(function (hit) {
      return hit || new Response("<h1>Tidak ada sinyal</h1>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }

  // App-shell pages: the network if it answers quickly, else the cached copy.
  function networkFirstPage(event) {
    var url = new URL(event.request.url);
    var network = fetch(event.request).then(function (response) {
      if (response.ok && !response.redirected) {
        event.waitUntil(cache().put(url.pathname, response.clone()));
      }
      return response;
    });
    event.waitUntil(network.catch(function () { return null; }));
    var cached = function () { return cache().match(url.pathname, { ignoreSearch: true }); };
    return Promise.race([network.catch(function () { return null; }), timeout(PAGE_TIMEOUT_MS)])
      .then(function (response) {
        if (response) { return response; }
        return cached().then(function (hit) {
          return hit || network.catch(function () { return offlinePage(url); });
        });
      });
  }

  // Pages with personal data: never cached; without network, the offline page.
  function networkOnlyPage(event) {
    return fetch(event.request).catch(function () { return offlinePage(new URL(event.request.url)); });
  }

  // Logout (a form POST to /keluar): once the server has ended the session, the cached
  // officer pages go, so the next person on this phone does not see the officer's name.
  // Offline, the logout fails and nothing is forgotten: the session was not ended.
  function logout(event) {
    return fetch(event.request).then(function (response) {
      // The citizens' pre-registrations downloaded for the officer's rounds go too, and the
      // capture form's draft (a citizen's data being typed). The outbox stays: unsent
      // applications are sent after the next login.
      if (root.indexedDB) {
        root.indexedDB.deleteDatabase("jbm-prereg");
        root.indexedDB.deleteDatabase("jbm-draft");
      }
      return cache().forgetPages().catch(function () { return null; }).then(function () {
        return response;
      });
    });
  }

  // Login (a form POST to /masuk): a redirect is the server's yes, and the session cookie
  // came with it, so the officer shell is completed at once, while the browser follows the
  // redirect (the login page kept the other files already).
  function login(event) {
    return fetch(event.request).then(function (response) {
      if (response.type === "opaqueredirect") {
        event.waitUntil(cache().prepareOfficer(true).catch(function () { return null; }));
      }
      return response;
    });
  }

  // Fragments the phone can compute itself when the server is out of reach.
  function networkFirstFragment(render) {
    return function (event) {
      return Promise.race([fetch(event.request).catch(function () { return null; }), timeout(PAGE_TIMEOUT_MS)])
        .then(function (response) {
          if (response && response.ok) { return response; }
          return render(new URL(event.request.url)).then(function (html) {
            return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "X-Offline": "1" } });
          });
        });
    };
  }

  var offlineKbli = networkFirstFragment(function (url) {
    var q = (url.searchParams.get("q") || "").slice(0, 80);
    return root.JBM.data.searchKbli(q, 15).then(function (results) {
      return q ? root.JBM.data.kbliResultsHtml(q, results) : "";
    });
  });

  var offlineDesa = networkFirstFragment(function (url) {
    return root.JBM.data.desaOptionsHtml(url.searchParams.get("kecamatan") || "");
  });

  // -- the public schedule (/jadwal, docs/schedule.md) -----------------------------------
  // Stale-while-revalidate in a cache of its own (no "jbm-" prefix: kept across app
  // versions, since it holds data, not the shell): the last copy at once, even without a
  // signal (the page says "Data per … WIB"), and a fresh one kept for next time. A page
  // never seen offline falls back to the schedule's front page, then the offline page.
  var SCHEDULE_CACHE = "jadwal-v1";
  function isSchedule(u) {
    return u.pathname === "/jadwal" || u.pathname === "/jadwal.json" || /^\/jadwal\/\d+$/.test(u.pathname);
  }

  function schedulePage(event) {
    var key = new URL(event.request.url).href;
    var open = caches.open(SCHEDULE_CACHE);
    var refresh = fetch(event.request).then(function (response) {
      if (!response.ok || response.redirected || response.type !== "basic") { return response; }
      var copy = response.clone();
      return open.then(function (c) { return c.put(key, copy); }).then(function () { return response; });
    });
    event.waitUntil(refresh.catch(function () { return null; }));
    return open.then(function (c) {
      return c.match(key).then(function (hit) {
        return hit || refresh.catch(function () {
          return c.match("/jadwal", { ignoreSearch: true }).then(function (front) {
            return front || offlinePage();
          });
        });
      });
    });
  }

  // -- the table ---------------------------------------------------------------------------
  var TABLE = [
    [function (r, u) { return r.method === "POST" && r.mode === "navigate" && u.origin === root.location.origin && u.pathname === "/keluar"; }, logout],
    [function (r, u) { return r.method === "POST" && r.mode === "navigate" && u.origin === root.location.origin && u.pathname === "/masuk"; }, login],
    [function (r, u) { return r.method !== "GET" || u.origin !== root.location.origin; }, null],
    [function (r, u) { return u.pathname === "/sw.js" || u.pathname === "/healthz"; }, null],
    [function (r, u) { return u.pathname.indexOf("/api/") === 0; }, null],
    [function (r, u) { return u.pathname.indexOf("/static/") === 0 || u.pathname.indexOf("/sw/") === 0; }, cacheFirst],
    [function (r, u) { return u.pathname === "/ref/kbli.json" || u.pathname === "/ref/wilayah.json"; }, staleWhileRevalidate],
    // Only officers' worker has the offline search (sw/offline-data.js).
    [function (r, u) { return u.pathname === "/ref/kbli" && root.JBM.data; }, offlineKbli],
    [function (r, u) { return u.pathname === "/ref/desa" && root.JBM.data; }, offlineDesa],
    [function (r, u) { return isSchedule(u); }, schedulePage],
    [function (r, u) { return r.mode === "navigate" && SHELL_PAGES.indexOf(u.pathname) >= 0; }, networkFirstPage],
    [function (r) { return r.mode === "navigate"; }, networkOnlyPage],
  ];

  function route(request) {
    var url = new URL(request.url);
    for (var i = 0; i < TABLE.length; i++) {
      if (TABLE[i][0](request, url)) { return TABLE[i][1]; }
    }
    return null;
  }

  root.JBM = root.JBM || {};
  root.JBM.routes = { route: route, SHELL_PAGES: SHELL_PAGES };
})(self);
