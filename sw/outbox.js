// The phone's outbox: applications waiting for the server, in IndexedDB.
// Shared by the pages and the service worker (self is window or the worker global).
//
// An item: {id (the client uuid = Idempotency-Key), state, body (the form fields),
// business_name, created_at, updated_at, attempts, last_error, errors, message,
// proposed_code, tracking_code, status, sent_at, schema}.
// proposed_code: the tracking code the phone minted for the receipt it showed at once
// (static/js/receipt.js); tracking_code: the server's final code (the same, unless taken).
// States: queued -> sending -> sent; needs_fix (server said 409/422), auth (server said 401).
// An item's personal data (body) is deleted as soon as the server has acknowledged it; the
// record then keeps only its id, business name, tracking code and status, for 7 days.
(function (root) {
  "use strict";

  var DB_NAME = "jbm";
  var DB_VERSION = 2;
  var STORE = "outbox";
  var SENT_KEEP_MS = 7 * 24 * 3600 * 1000;
  var UNSENT = ["queued", "sending", "needs_fix", "auth"];

  // Schema upgrades run in order and MIGRATE items, never drop them.
  var MIGRATIONS = {
    1: function (db) {
      db.createObjectStore(STORE, { keyPath: "id" });
    },
    2: function (db, tx) {
      var store = tx.objectStore(STORE);
      store.createIndex("state", "state");
      store.createIndex("created_at", "created_at");
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) { return; }
        var item = cursor.value;
        // v1 items had `status` for the phone state and no business_name
        if (!item.state) { item.state = item.status === "sent" ? "sent" : "queued"; }
        if (!item.business_name && item.body) { item.business_name = item.body.business_name || ""; }
        item.attempts = item.attempts || 0;
        item.schema = 2;
        cursor.update(item);
        cursor.continue();
      };
    },
  };

  var opening = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function (event) {
        var db = request.result;
        for (var v = event.oldVersion + 1; v <= DB_VERSION; v++) {
          MIGRATIONS[v](db, request.transaction);
        }
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = function () { opening = null; reject(request.error); };
      request.onblocked = function () { /* an old tab holds the db; it closes on versionchange */ };
    });
    return opening;
  }

  function run(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
        result = fn(tx.objectStore(STORE));
      });
    });
  }

  function requestValue(request) {
    var box = { value: undefined };
    request.onsuccess = function () { box.value = request.result; };
    return box;
  }

  function now() { return new Date().toISOString(); }

  function all() {
    var box;
    return run("readonly", function (store) { box = requestValue(store.getAll()); })
      .then(function () { return (box.value || []).sort(byCreated); });
  }

  function byCreated(a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0; }

  function get(id) {
    var box;
    return run("readonly", function (store) { box = requestValue(store.get(id)); })
      .then(function () { return box.value; });
  }

  // Save a new or corrected application: queued, to be sent under its own id. A correction
  // keeps the code first proposed: the citizen already holds that receipt.
  function save(id, body, proposedCode) {
    return run("readwrite", function (store) {
      var request = store.get(id);
      request.onsuccess = function () {
        var old = request.result;
        if (old && old.state === "sent") { return; }  // acknowledged: never resend changed data
        var time = now();
        store.put({
          id: id, state: "queued", body: body, business_name: body.business_name || "",
          created_at: old ? old.created_at : time, updated_at: time,
          attempts: old ? old.attempts : 0, last_error: null, errors: null, message: null,
          proposed_code: (old && old.proposed_code) || proposedCode || null,
          tracking_code: null, status: null, sent_at: null, schema: DB_VERSION,
        });
      };
    });
  }

  // Apply a change to items by id inside one transaction.
  function update(ids, change) {
    return run("readwrite", function (store) {
      ids.forEach(function (id) {
        var request = store.get(id);
        request.onsuccess = function () {
          var item = request.result;
          if (!item) { return; }
          var next = change(item);
          if (next) { next.updated_at = now(); store.put(next); }
        };
      });
    });
  }

  function markSending(ids) {
    return update(ids, function (item) {
      if (item.state === "sent") { return null; }
      item.state = "sending"; item.attempts += 1; return item;
    });
  }

  // The server acknowledged (201/200): drop the personal data, keep the receipt.
  // answers: {id: the server's answer}; one transaction for a whole batch.
  function markSent(answers) {
    return update(Object.keys(answers), function (item) {
      var answer = answers[item.id];
      return {
        id: item.id, state: "sent", business_name: item.business_name,
        created_at: item.created_at, sent_at: now(), attempts: item.attempts,
        proposed_code: item.proposed_code || null,
        tracking_code: answer.tracking_code, status: answer.status,
        status_label: answer.status_label, message: answer.message || null, schema: DB_VERSION,
      };
    });
  }

  // answers: {id: the server's 409/422 answer}
  function markNeedsFix(answers) {
    return update(Object.keys(answers), function (item) {
      if (item.state === "sent") { return null; }
      var answer = answers[item.id];
      item.state = "needs_fix";
      item.errors = answer.errors || null;
      item.message = answer.message || "Periksa kembali data ini.";
      return item;
    });
  }

  function markState(ids, state, error) {
    return update(ids, function (item) {
      if (item.state === "sent" || item.state === "needs_fix") { return null; }
      item.state = state;
      if (error !== undefined) { item.last_error = error; }
      return item;
    });
  }

  function remove(id) {
    return run("readwrite", function (store) { store.delete(id); });
  }

  function purgeSent() {
    var limit = new Date(Date.now() - SENT_KEEP_MS).toISOString();
    return run("readwrite", function (store) {
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) { return; }
        if (cursor.value.state === "sent" && cursor.value.sent_at < limit) { cursor.delete(); }
        cursor.continue();
      };
    });
  }

  // Counted with the state index: no item (and no personal data) is read.
  function counts() {
    var result = { queued: 0, sending: 0, needs_fix: 0, auth: 0, sent: 0 };
    return run("readonly", function (store) {
      var index = store.index("state");
      Object.keys(result).forEach(function (state) {
        var request = index.count(state);
        request.onsuccess = function () { result[state] = request.result; };
      });
    }).then(function () {
      result.unsent = UNSENT.reduce(function (sum, state) { return sum + result[state]; }, 0);
      result.total = result.unsent + result.sent;
      return result;
    });
  }

  // Everything not yet acknowledged, in the format /petugas/impor reads.
  function exportUnsent() {
    return all().then(function (items) {
      return {
        format: "jbm-outbox", version: 1, exported_at: now(),
        items: items.filter(function (i) { return i.state !== "sent"; })
          .map(function (i) {
            var body = i.proposed_code ? Object.assign({}, i.body, { tracking_code: i.proposed_code }) : i.body;
            return { id: i.id, body: body, created_at: i.created_at, state: i.state };
          }),
      };
    });
  }

  root.JBM = root.JBM || {};
  root.JBM.outbox = {
    DB_NAME: DB_NAME, DB_VERSION: DB_VERSION, UNSENT: UNSENT,
    open: open, all: all, get: get, save: save, markSending: markSending, markSent: markSent,
    markNeedsFix: markNeedsFix, markState: markState, remove: remove, purgeSent: purgeSent,
    counts: counts, exportUnsent: exportUnsent,
  };
})(self);
