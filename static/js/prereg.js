// Citizens' pre-registrations on the officer's phone, for check-in at the car without
// signal (docs/preregistration.md). Before leaving, the phone downloads the waiting
// pre-registrations of the officer's rounds (GET /api/praregistrasi) into IndexedDB
// `jbm-prereg`, its own small database apart from the outbox. At the car a QR scan (the
// browser's BarcodeDetector where it has one), a typed code or a name opens the capture form
// prefilled (/petugas/daftar#prareg=CODE, static/js/capture.js).
//
// The data leaves the phone: every sync replaces the whole list with the server's (a round
// done, an officer no longer assigned, someone already checked in: gone); items whose round
// has ended are dropped at every page load; at logout the service worker deletes the
// database (sw/routes.js).
(function () {
  "use strict";

  var JBM = window.JBM = window.JBM || {};
  var DB_NAME = "jbm-prereg";
  var STORE = "items";
  var SYNC_TIMEOUT_MS = 10000;
  // The check-in's Idempotency-Key: UUIDv5("P-" + code) in this namespace, the same as
  // CHECKIN_NAMESPACE in app/domain/preregistration.py. Every phone checking in the same
  // person sends the same key, so the server stores one application.
  var NAMESPACE = "5f0c8a64-1b7e-5d2a-9c41-6a1e2f3b4c5d";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "code" }).createIndex("until", "until");
        request.result.createObjectStore("meta");
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); };  // logout deletes the database
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One transaction on a fresh connection, closed after: a deletion is never blocked.
  function run(stores, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores, mode);
        var box = {};
        tx.oncomplete = function () { db.close(); resolve(box.value); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        fn(tx, box);
      });
    });
  }

  function canonical(raw) {
    var text = String(raw || "");
    var at = text.lastIndexOf("kode=");  // a scanned status URL
    if (at >= 0) { text = text.slice(at + 5).split("&")[0]; }
    var clean = decodeURIComponent(text).replace(/[^0-9A-Za-z]/g, "").toUpperCase();
    if (clean.length === 8 && clean[0] === "P") { clean = clean.slice(1); }
    return clean.length === 7 ? clean : null;
  }

  function all() {
    return run([STORE], "readonly", function (tx, box) {
      tx.objectStore(STORE).getAll().onsuccess = function (event) { box.value = event.target.result; };
    }).then(function (items) { return items || []; });
  }

  function find(raw) {
    var code = canonical(raw);
    if (!code) { return Promise.resolve(null); }
    return run([STORE], "readonly", function (tx, box) {
      tx.objectStore(STORE).get(code).onsuccess = function (event) { box.value = event.target.result || null; };
    });
  }

  function search(text) {
    var words = String(text || "").toLowerCase().split(/\s+/).filter(Boolean);
    return all().then(function (items) {
      return items.filter(function (item) {
        var hay = (item.name + " " + item.business_name + " " + item.display).toLowerCase();
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      }).sort(function (a, b) { return a.name < b.name ? -1 : 1; });
    });
  }

  // Replace the list with the server's; null when the server could not be asked.
  function sync() {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, SYNC_TIMEOUT_MS);
    return fetch("/api/praregistrasi", {
      credentials: "same-origin", cache: "no-store", signal: controller.signal,
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      if (!response.ok) { return null; }
      return response.json().then(function (data) {
        return run([STORE, "meta"], "readwrite", function (tx, box) {
          var store = tx.objectStore(STORE);
          store.clear();
          data.items.forEach(function (item) { store.put(item); });
          tx.objectStore("meta").put(data.synced_at, "synced_at");
          box.value = data.items.length;
        });
      });
    }).catch(function () { return null; }).finally(function () { clearTimeout(timer); });
  }

  // Items whose last round has ended leave the phone (the phone's clock; the next sync
  // says the same from the server's).
  function purge() {
    var now = new Date().toISOString();
    return run([STORE], "readwrite", function (tx) {
      tx.objectStore(STORE).index("until").openCursor(IDBKeyRange.upperBound(now)).onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { cursor.delete(); cursor.continue(); }
      };
    });
  }

  function syncedAt() {
    return run(["meta"], "readonly", function (tx, box) {
      tx.objectStore("meta").get("synced_at").onsuccess = function (event) { box.value = event.target.result || null; };
    });
  }

  // UUIDv5 (RFC 4122 §4.3): SHA-1 of the namespace's bytes and the name's UTF-8.
  function key(code) {
    var ns = NAMESPACE.replace(/-/g, "");
    var name = new TextEncoder().encode("P-" + code);
    var bytes = new Uint8Array(16 + name.length);
    for (var i = 0; i < 16; i++) { bytes[i] = parseInt(ns.substr(i * 2, 2), 16); }
    bytes.set(name, 16);
    return crypto.subtle.digest("SHA-1", bytes).then(function (digest) {
      var b = new Uint8Array(digest).slice(0, 16);
      b[6] = (b[6] & 0x0f) | 0x50;
      b[8] = (b[8] & 0x3f) | 0x80;
      var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
      return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
    });
  }

  JBM.prereg = { all: all, find: find, search: search, sync: sync, purge: purge, key: key,
    canonical: canonical, syncedAt: syncedAt };

  // -- the panel on the capture page ------------------------------------------------------
  var panel = document.querySelector("[data-prereg-panel]");
  if (!panel || !window.indexedDB) { return; }
  var results = panel.querySelector("[data-prereg-results]");
  var message = panel.querySelector("[data-prereg-message]");
  var input = panel.querySelector("[data-prereg-q]");

  function say(text) { message.textContent = text || ""; }

  function showCount() {
    return Promise.all([all(), syncedAt()]).then(function (got) {
      panel.querySelector("[data-prereg-count]").textContent = String(got[0].length);
      panel.querySelector("[data-prereg-synced]").textContent = got[1]
        ? "Diperbarui " + new Date(got[1]).toLocaleString("id-ID", { timeZone: "Asia/Jakarta" }) + " WIB."
        : "Belum pernah diunduh di HP ini.";
    });
  }

  // The same code again (a second tap) changes no hash: say so, so the form is filled again.
  function open_(code) {
    if (window.location.hash === "#prareg=" + code) {
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } else {
      window.location.hash = "prareg=" + code;
    }
  }

  function list(items) {
    results.textContent = "";
    items.slice(0, 20).forEach(function (item) {
      var li = results.appendChild(document.createElement("li"));
      var button = li.appendChild(document.createElement("button"));
      button.type = "button";
      button.className = "btn btn-small btn-ghost";
      button.dataset.preregOpen = item.code;
      button.textContent = item.display + " · " + item.name + " · " + item.business_name;
    });
  }

  function lookup() {
    var text = input.value.trim();
    if (!text) { list([]); return; }
    var code = canonical(text);
    (code ? find(code) : Promise.resolve(null)).then(function (item) {
      if (item) { list([]); say(""); open_(item.code); return null; }
      return search(text).then(function (found) {
        list(found);
        say(found.length ? "" : "Tidak ada pra-pendaftaran dengan kode atau nama itu di HP ini.");
      });
    });
  }

  panel.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-prereg-open]");
    if (pick) { open_(pick.dataset.preregOpen); }
    if (event.target.closest("[data-prereg-find]")) { lookup(); }
    if (event.target.closest("[data-prereg-sync]")) {
      say("Mengunduh…");
      sync().then(function (n) {
        say(n === null ? "Belum bisa mengunduh: butuh sinyal dan login." : n + " pra-pendaftaran siap di HP.");
        return showCount();
      });
    }
    if (event.target.closest("[data-prereg-scan]")) { scan(); }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); lookup(); }
  });

  // -- scanning the citizen's QR with the camera --------------------------------------------
  var scanButton = panel.querySelector("[data-prereg-scan]");
  scanButton.hidden = !("BarcodeDetector" in window && navigator.mediaDevices);

  function scan() {
    var video = panel.querySelector("[data-prereg-video]");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play().then(function () {
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var tick = function () {
          detector.detect(video).then(function (codes) {
            var code = codes.length ? canonical(codes[0].rawValue) : null;
            if (code) { stop(); input.value = "P-" + code; lookup(); } else { setTimeout(tick, 250); }
          }).catch(function () { stop(); say("Kamera tidak bisa membaca QR. Ketik kodenya."); });
        };
        tick();
      });
    }).catch(function () { say("Kamera tidak bisa dibuka. Ketik kode atau cari nama."); });
  }

  purge().catch(function () { return null; }).then(showCount).then(function () {
    if (navigator.onLine) { return sync().then(showCount); }
    return null;
  });
})();
