// The survey kiosk's queue: answers recorded on the officer's phone, in IndexedDB of their
// own ("jbm-survey"), sent to POST /api/survei with the answer's id as Idempotency-Key.
// The server records an id once, so a replay after a lost answer doubles nothing.
// An item: {id, body: {answers, kecamatan, round_id}, created_at, attempts}.
(function (root) {
  "use strict";

  var DB_NAME = "jbm-survey";
  var STORE = "queue";
  var opening = null;
  var running = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  function run(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var box = {};
        tx.oncomplete = function () { resolve(box.value); };
        tx.onerror = function () { reject(tx.error); };
        fn(tx.objectStore(STORE), box);
      });
    });
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function add(body) {
    var item = { id: uuid(), body: body, created_at: new Date().toISOString(), attempts: 0 };
    return run("readwrite", function (store) { store.put(item); }).then(function () { return item; });
  }

  function all() {
    return run("readonly", function (store, box) {
      store.getAll().onsuccess = function (event) { box.value = event.target.result; };
    });
  }

  function remove(id) {
    return run("readwrite", function (store) { store.delete(id); });
  }

  function count() {
    return run("readonly", function (store, box) {
      store.count().onsuccess = function (event) { box.value = event.target.result; };
    });
  }

  // Send every waiting answer, oldest first; stop at the first that cannot reach the
  // server (offline, server down, session ended) and keep it and the rest for next time.
  // Answers the server took (201/200) or refused for good (4xx but 401/408/429) leave.
  function sendOne(item) {
    return fetch("/api/survei", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.id },
      body: JSON.stringify(item.body),
    }).then(function (response) {
      var retry = response.status >= 500 || [401, 403, 408, 429].indexOf(response.status) >= 0;
      if (retry) { return false; }
      return remove(item.id).then(function () { return true; });
    }, function () { return false; });
  }

  function replay() {
    if (running) { return running; }
    running = all().then(function (items) {
      items.sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
      var sent = 0;
      function next(i) {
        if (i >= items.length) { return sent; }
        return sendOne(items[i]).then(function (ok) {
          if (!ok) { return sent; }
          sent += 1;
          return next(i + 1);
        });
      }
      return next(0);
    }).finally(function () { running = null; });
    return running;
  }

  root.JBM = root.JBM || {};
  root.JBM.survey = { add: add, count: count, replay: replay };
})(self);
