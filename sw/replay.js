// Sending the outbox to the server. Shared by the pages and the service worker; a Web Lock
// makes sure only one replay runs at a time on the phone.
//
// How answers are sorted (per item, from the batch endpoint):
//   201/200 -> sent (the server has it; personal data is deleted from the phone)
//   409/422/400 -> needs_fix (the officer corrects it; it is resent under the same id)
//   5xx, network error, timeout -> stays queued, tried again later
//   401 for the request -> every item waits as "auth" until the officer logs in again
//
// Requests carry the phone's device credential (`Authorization: Device <token>`, see
// docs/api.md) when it has one, so a session that ended offline does not hold the queue
// back. The credential lives in its own IndexedDB database (never a URL, cookie or
// localStorage), apart from the outbox's schema.
(function (root) {
  "use strict";

  var BATCH = 50;  // 50 items are ~20 KB of JSON; the server takes up to 200
  var REQUEST_TIMEOUT_MS = 20000;
  var PROBE_TIMEOUT_MS = 4000;
  var SENDABLE = ["queued", "sending", "auth"];
  var MSG_OFFLINE = "Tidak ada sinyal ke server";

  // -- the device credential: {token, expires_at} under "current"; "pending" after a login --
  var device = (function () {
    var opening = null;
    function open() {
      if (opening) { return opening; }
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open("jbm-device", 1);
        request.onupgradeneeded = function () { request.result.createObjectStore("credential"); };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
      return opening;
    }
    function run(mode, fn) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("credential", mode);
          var box = {};
          tx.oncomplete = function () { resolve(box.value); };
          tx.onerror = function () { reject(tx.error); };
          fn(tx.objectStore("credential"), box);
        });
      });
    }
    function read(key) {
      return run("readonly", function (store, box) {
        store.get(key).onsuccess = function (event) { box.value = event.target.result; };
      });
    }
    function write(key, value) {
      return run("readwrite", function (store) {
        if (value === null) { store.delete(key); } else { store.put(value, key); }
      });
    }
    return {
      // The live credential, or null (an expired one is never sent).
      get: function () {
        return read("current").then(function (c) {
          return c && c.expires_at > new Date().toISOString() ? c : null;
        }).catch(function () { return null; });
      },
      set: function (credential) { return write("current", credential); },
      clear: function () { return write("current", null); },
      pending: function () { return read("pending").then(Boolean).catch(function () { return false; }); },
      setPending: function (yes) { return write("pending", yes ? true : null); },
      // The credential, removed from the phone (logout sends it to be revoked).
      take: function () {
        return read("current").then(function (c) {
          return write("current", null).then(function () { return c ? c.token : null; });
        }).catch(function () { return null; });
      },
    };
  })();

  function outbox() { return root.JBM.outbox; }
  function messages() { return root.JBM.messages; }

  function withTimeout(ms, fn) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, ms);
    return fn(controller.signal).finally(function () { clearTimeout(timer); });
  }

  // Connectivity is judged by a real no-cache request to our server, not navigator.onLine
  // (hotspots and captive portals say "online" while nothing gets through).
  function serverReachable() {
    return withTimeout(PROBE_TIMEOUT_MS, function (signal) {
      return fetch("/healthz", { cache: "no-store", credentials: "same-origin", signal: signal })
        .then(function (r) { return r.ok; });
    }).catch(function () { return false; });
  }

  // The body the server gets: the form's fields plus the code the phone proposed for the
  // receipt it showed (not a form field: the server keeps it when free, see docs/api.md).
  function wireBody(item) {
    return item.proposed_code ? Object.assign({}, item.body, { tracking_code: item.proposed_code }) : item.body;
  }

  function sendBatch(items, credential) {
    var payload = JSON.stringify({ items: items.map(function (i) { return { id: i.id, body: wireBody(i) }; }) });
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (credential) { headers.Authorization = "Device " + credential.token; }
    return withTimeout(REQUEST_TIMEOUT_MS, function (signal) {
      return fetch("/api/applications/batch", {
        method: "POST", body: payload, cache: "no-store", credentials: "same-origin", signal: signal,
        headers: headers,
      });
    });
  }

  // One IndexedDB transaction per kind of answer, not one per item.
  function applyResults(items, results) {
    var sent = {};
    var fix = {};
    var retry = [];
    items.forEach(function (item, index) {
      var result = results[index] || { status: 500, body: {} };
      if (result.status === 200 || result.status === 201) {
        sent[item.id] = result.body;
      } else if (result.status === 409 || result.status === 422 || result.status === 400) {
        fix[item.id] = result.body;
      } else {
        retry.push(item.id);
      }
    });
    var work = [outbox().markSent(sent), outbox().markNeedsFix(fix)];
    if (retry.length) { work.push(outbox().markState(retry, "queued", "Server sibuk, dicoba lagi")); }
    return Promise.all(work).then(function () { return Object.keys(sent).length; });
  }

  function drain(request) {
    var summary = { total: 0, sent: 0, needs_fix: 0, stopped: null };
    return outbox().all().then(function (all) {
      var items = all.filter(function (i) { return SENDABLE.indexOf(i.state) >= 0; });
      summary.total = items.length;
      if (!items.length) { return summary; }
      var credential = null;
      return device.get().then(function (c) { credential = c; return serverReachable(); }).then(function (ok) {
        if (!ok) {
          summary.stopped = "offline";
          return outbox().markState(items.map(function (i) { return i.id; }), "queued", MSG_OFFLINE)
            .then(function () { return summary; });
        }
        var done = 0;
        messages().post({ type: "progress", done: 0, total: items.length });
        function next(start) {
          if (start >= items.length) { return Promise.resolve(summary); }
          var chunk = items.slice(start, start + BATCH);
          var ids = chunk.map(function (i) { return i.id; });
          return outbox().markSending(ids)
            .then(function () { return sendBatch(chunk, credential); })
            .then(function (response) {
              if (response.status === 401) {
                summary.stopped = "auth";
                var waiting = items.slice(start).map(function (i) { return i.id; });
                return outbox().markState(waiting, "auth", "Perlu login ulang").then(function () { return summary; });
              }
              if (response.status !== 200) {
                summary.stopped = "server";
                return outbox().markState(ids, "queued", "Server menjawab " + response.status)
                  .then(function () { return summary; });
              }
              return response.json().then(function (data) {
                return applyResults(chunk, data.results || []);
              }).then(function (sent) {
                summary.sent += sent;
                done += chunk.length;
                messages().post({ type: "progress", done: done, total: items.length });
                messages().post({ type: "changed" });
                return next(start + BATCH);
              });
            }, function () {
              summary.stopped = "offline";
              return outbox().markState(ids, "queued", MSG_OFFLINE).then(function () { return summary; });
            });
        }
        return next(0);
      });
    }).catch(function (error) {
      summary.stopped = "error";
      summary.error = String(error);
      return summary;
    }).then(function (result) {
      return outbox().all().then(function (items) {
        // Nothing stays "sending" once a replay has ended.
        var stuck = items.filter(function (i) { return i.state === "sending"; }).map(function (i) { return i.id; });
        return stuck.length ? outbox().markState(stuck, "queued", MSG_OFFLINE) : null;
      }).then(function () { return outbox().purgeSent(); }).then(function () { return outbox().counts(); }).then(function (counts) {
        result.needs_fix = counts.needs_fix;
        result.unsent = counts.unsent;
        messages().post({ type: "replayed", request: request || null, summary: result });
        messages().post({ type: "changed" });
        return result;
      });
    });
  }

  // Run a replay once no other one is running on this phone (page or worker): replays
  // queue behind a Web Lock. `request` names the "replayed" message, so whoever asked can
  // tell its own answer from another replay's.
  function replay(request) {
    var run = function () { return drain(request); };
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request("jbm-replay", run);
    }
    return run();
  }

  root.JBM = root.JBM || {};
  root.JBM.replay = { replay: replay, serverReachable: serverReachable, BATCH: BATCH };
  root.JBM.device = device;
})(self);
