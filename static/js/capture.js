// The capture form: saved on the phone first, then sent. Works the same with or without a
// signal: "Simpan" stores the application in the phone's outbox, then tries to send it.
// Without IndexedDB the form falls back to htmx / a plain POST, which the server handles too.
(function () {
  "use strict";

  var JBM = window.JBM = window.JBM || {};
  var MSG_SAVED = "Tersimpan di HP — akan dikirim otomatis saat ada sinyal.";
  var KEEP_AFTER_SAVE = ["kecamatan", "desa"];  // the car serves one village at a time
  var form = document.getElementById("capture-form");
  if (!form) { return; }

  function field(name) { return form.elements.namedItem(name); }
  function newId() { return window.crypto && crypto.randomUUID ? crypto.randomUUID() : null; }

  // -- KBLI picker -----------------------------------------------------------------------
  function chosenCodes(input) {
    return input.value.split(/[\s,;]+/).filter(function (c) { return c.length > 0; });
  }

  function renderChips() {
    var input = form.querySelector("[data-kbli-input]");
    var list = form.querySelector("[data-kbli-chosen]");
    if (!input || !list) { return; }
    var titles = JSON.parse(list.dataset.titles || "{}");
    list.textContent = "";
    chosenCodes(input).forEach(function (code) {
      var li = document.createElement("li");
      li.className = "chip";
      li.textContent = code + (titles[code] ? " · " + titles[code] : "");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", "Hapus KBLI " + code);
      remove.dataset.kbliRemove = code;
      remove.textContent = "✕";
      li.appendChild(remove);
      list.appendChild(li);
      if (!titles[code] && JBM.data) {
        JBM.data.kbliTitle(code).then(function (title) {
          if (title) { titles[code] = title; list.dataset.titles = JSON.stringify(titles); li.firstChild.textContent = code + " · " + title; }
        }).catch(function () { return null; });
      }
    });
  }

  form.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-kbli-pick]");
    var remove = event.target.closest("[data-kbli-remove]");
    if (!pick && !remove) { return; }
    var input = form.querySelector("[data-kbli-input]");
    var list = form.querySelector("[data-kbli-chosen]");
    var codes = chosenCodes(input);
    if (pick) {
      var titles = JSON.parse(list.dataset.titles || "{}");
      titles[pick.dataset.kbliPick] = pick.dataset.title;
      list.dataset.titles = JSON.stringify(titles);
      if (codes.indexOf(pick.dataset.kbliPick) < 0) { codes.push(pick.dataset.kbliPick); }
    } else {
      codes = codes.filter(function (c) { return c !== remove.dataset.kbliRemove; });
    }
    input.value = codes.join(", ");
    renderChips();
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-kbli-input]")) { renderChips(); }
  });

  // -- values and messages --------------------------------------------------------------
  function values() {
    var data = new FormData(form);
    var body = {};
    // The form's fields are marked data-field by the server's field table (web/macros/form.html).
    form.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.dataset.field;
      if (el.dataset.fieldKind === "services") { body[name] = data.getAll(name); return; }
      if (el.type === "checkbox") { body[name] = data.get(name) === "on"; return; }
      body[name] = String(data.get(name) || "").trim();
    });
    body.kbli = chosenCodes(field("kbli"));
    return body;
  }

  function fill(body) {
    Object.keys(body).forEach(function (name) {
      if (name === "referrals") {
        var wanted = [].concat(body[name] || []);
        form.querySelectorAll("[data-field-kind=services]").forEach(function (box) {
          box.checked = wanted.indexOf(box.value) >= 0;
        });
        return;
      }
      var el = field(name);
      if (!el) { return; }
      if (name === "no_email") { el.checked = Boolean(body[name]); return; }
      if (name === "kbli") { el.value = [].concat(body[name] || []).join(", "); return; }
      if (name === "kecamatan") {
        el.value = body[name];
        return;
      }
      el.value = body[name] == null ? "" : body[name];
    });
    renderChips();
  }

  function clearErrors() {
    form.querySelectorAll("[data-js-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var help = el.id && document.getElementById(el.id + "-help");
      if (help) { el.setAttribute("aria-describedby", help.id); } else { el.removeAttribute("aria-describedby"); }
    });
    var summary = form.querySelector("[data-error-summary]");
    summary.textContent = "";
    summary.hidden = true;
    notice(null);
  }

  function notice(text, kind) {
    var box = form.querySelector("[data-form-notice]");
    box.textContent = text || "";
    box.className = text ? "alert" + (kind ? " alert-" + kind : "") : "";
    box.hidden = !text;
  }

  // "Pick the kecamatan, then the desa" while no kecamatan is picked: fix the kecamatan first.
  function pickKecamatanFirst(errors) {
    var rules = JBM.rules && JBM.rules.messages;
    return Boolean(rules && errors.desa === rules["desa.empty"] && !field("kecamatan").value);
  }

  // The same markup as the error_summary macro (web/macros/form.html), in the field table's order.
  function renderSummary(errors, targets) {
    var summary = form.querySelector("[data-error-summary]");
    var labels = JSON.parse(summary.dataset.labels);
    var known = {};
    var heading = document.createElement("h2");
    var list = document.createElement("ul");
    heading.textContent = "Ada " + Object.keys(errors).length + " isian yang perlu diperbaiki";
    labels.forEach(function (pair) {
      known[pair[0]] = true;
      if (!errors[pair[0]]) { return; }
      var item = list.appendChild(document.createElement("li"));
      var target = targets[pair[0]] || (pair[0] === "no_email" ? "email" : pair[0]);
      var goal = document.getElementById(target);
      if (!goal || goal.type === "hidden") { item.textContent = errors[pair[0]]; return; }  // nothing to go to
      var link = document.createElement("a");
      link.href = "#" + target;
      link.textContent = pair[1];
      item.appendChild(link);
    });
    Object.keys(errors).forEach(function (name) {
      if (!known[name]) { list.appendChild(document.createElement("li")).textContent = errors[name]; }
    });
    summary.textContent = "";
    summary.appendChild(heading);
    summary.appendChild(list);
    summary.hidden = false;
    return summary;
  }

  function markInvalid(el, messageId) {
    var holder = el.closest(".field") || el.parentNode;
    holder.classList.add("has-error");
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", messageId);
  }

  function showErrors(errors, message) {
    clearErrors();
    errors = errors || {};
    if (message) { notice(message, "error"); }
    var search = form.querySelector("[data-kbli-search]");
    var pickKecamatan = pickKecamatanFirst(errors);
    Object.keys(errors).forEach(function (name) {
      var el = field(name === "no_email" ? "email" : name);
      var p = document.createElement("p");
      p.className = "field-error";
      p.id = name + "-error";
      p.dataset.jsError = "1";
      p.textContent = errors[name];
      if (el && el.closest) {
        markInvalid(el, p.id);
        if (name === "kbli" && search) {
          markInvalid(search, p.id);
          search.insertAdjacentElement("afterend", p);  // by the search box that fixes it
        } else {
          el.insertAdjacentElement("afterend", p);  // right under its input
        }
      } else {
        form.querySelector("[data-form-notice]").after(p);
      }
    });
    if (pickKecamatan) { markInvalid(field("kecamatan"), "desa-error"); }
    renderSummary(errors, { kbli: search ? search.id : "kbli" }).focus();
  }

  function setBusy(busy, text) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = busy;
    button.textContent = busy ? text : "Simpan";
  }

  // -- editing an item the server sent back ---------------------------------------------
  var editing = null;
  var prereg = null;  // the pre-registration being checked in (static/js/prereg.js)

  // #prareg=CODE: the citizen's pre-registration fills the form; the officer compares it
  // with the KTP and corrects it. Its Idempotency-Key derives from the code, so every phone
  // checking this person in sends the same key (docs/preregistration.md).
  function loadPrereg(raw) {
    if (!JBM.prereg) { return Promise.resolve(); }
    return JBM.prereg.find(raw).then(function (item) {
      if (!item) {
        notice("Kode pra-pendaftaran ini tidak ada di HP ini. Unduh ulang saat ada sinyal, atau isi formulir seperti biasa.", "error");
        return null;
      }
      return JBM.prereg.key(item.code).then(function (key) {
        prereg = item;
        var body = Object.assign({}, item.values);
        delete body.round_id;  // the round is where the car is now (today's, in the form)
        field("client_id").value = key;
        fill(body);
        notice("Pra-pendaftaran " + item.display + ": cocokkan setiap isian dengan KTP asli, perbaiki bila perlu, lalu Simpan.", "ok");
        return refreshDesa(body.kecamatan, body.desa);
      });
    });
  }

  // An outbox item back in the form, to be corrected and saved again under its id.
  function editItem(item) {
    editing = item;
    if (item.body.prereg_code) { prereg = { display: item.body.prereg_code }; }  // stays a check-in
    field("client_id").value = item.id;
    fill(item.body);
    refreshDesa(item.body.kecamatan, item.body.desa);
    if (item.state === "needs_fix") { showErrors(item.errors || {}, item.message); }
  }

  // `hash`: the one asked for (a hashchange waits for a save under way, see below).
  function loadEditing(hash) {
    hash = typeof hash === "string" ? hash : window.location.hash;
    moveOn();
    var receipt = /^#tanda-terima=([0-9a-f-]{36})$/.exec(hash);
    if (receipt && JBM.receipt) { return JBM.receipt.show(receipt[1]); }
    var checkIn = /^#prareg=([0-9A-Za-z-]{7,12})$/.exec(hash);
    if (checkIn) { return loadPrereg(checkIn[1]); }
    var match = /^#ubah=([0-9a-f-]{36})$/.exec(hash);
    if (!match || !JBM.outbox) { return Promise.resolve(); }
    return JBM.outbox.get(match[1]).then(function (item) {
      if (item && item.state !== "sent") { editItem(item); }
    });
  }

  // Resolves once the desa list of the kecamatan is in place, with `selected` chosen.
  function refreshDesa(kecamatan, selected) {
    var desa = field("desa");
    if (!kecamatan || !JBM.data) { return Promise.resolve(); }
    return JBM.data.desaOptionsHtml(kecamatan).then(function (html) {
      desa.innerHTML = html;
      if (selected) { desa.value = selected; }
    }).catch(function () { return null; });
  }

  // -- the draft: what is typed survives a closed browser or a flat battery --------------
  // Kept in an IndexedDB database of its own on this phone (it holds personal data, so not
  // in localStorage; nothing ever sends it), and deleted once the application is saved.
  var DRAFT_DB = "jbm-draft";
  var DRAFT_STORE = "drafts";
  var DRAFT_KEY = "capture";
  var DRAFT_DELAY_MS = 300;
  var draftQueue = Promise.resolve();
  var draftTimer = null;
  var drafting = false;  // on once the stored draft was read: never overwrite it before

  function draftDo(mode, act) {
    var run = function () {
      return new Promise(function (resolve, reject) {
        var open = indexedDB.open(DRAFT_DB, 1);
        open.onupgradeneeded = function () { open.result.createObjectStore(DRAFT_STORE); };
        open.onerror = function () { reject(open.error); };
        open.onsuccess = function () {
          var db = open.result;
          var tx = db.transaction(DRAFT_STORE, mode);
          var request = act(tx.objectStore(DRAFT_STORE));
          tx.oncomplete = function () { db.close(); resolve(request.result); };
          tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        };
      });
    };
    // One at a time, in order: a late write must never bring back a deleted draft.
    draftQueue = draftQueue.then(run, run);
    return draftQueue;
  }

  function isBlank(body) {
    return Object.keys(body).every(function (name) {
      var value = body[name];
      return !value || (Array.isArray(value) && value.length === 0);
    });
  }

  function keepDraft() {
    clearTimeout(draftTimer);
    draftTimer = null;
    if (!drafting || editing || prereg) { return; }
    var body = values();
    draftDo("readwrite", function (store) {
      return isBlank(body) ? store.delete(DRAFT_KEY) : store.put({ id: field("client_id").value, body: body }, DRAFT_KEY);
    }).catch(function () { return null; });
  }

  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(keepDraft, DRAFT_DELAY_MS);
  }

  function dropDraft() {
    clearTimeout(draftTimer);
    draftTimer = null;
    return draftDo("readwrite", function (store) { return store.delete(DRAFT_KEY); })
      .catch(function () { return null; });
  }

  function draftNote(show) {
    var note = form.querySelector("[data-draft-note]");
    if (note) { note.hidden = !show; }
  }

  // The stored draft back in the form, unless it was saved after all (same client id).
  function restoreDraft() {
    return draftDo("readonly", function (store) { return store.get(DRAFT_KEY); }).then(function (draft) {
      if (!draft || editing || prereg) { return null; }
      return JBM.outbox.get(draft.id).then(function (saved) {
        if (saved) { return dropDraft(); }
        field("client_id").value = draft.id;
        fill(draft.body);
        draftNote(true);
        return refreshDesa(draft.body.kecamatan, draft.body.desa);
      });
    }).catch(function () { return null; }).then(function () { drafting = true; });
  }

  function discardDraft() {
    dropDraft();
    form.reset();
    field("kbli").value = "";
    renderChips();
    field("client_id").value = newId();
    draftNote(false);
    field("nik").focus();
  }

  // `openedAs`: the hash the saved form was opened with, cleared unless another was asked for
  // meanwhile (the next check-in, waiting for this save).
  function resetForNext(openedAs) {
    var keep = {};
    KEEP_AFTER_SAVE.forEach(function (name) { keep[name] = field(name).value; });
    form.reset();
    field("kbli").value = "";
    renderChips();
    KEEP_AFTER_SAVE.forEach(function (name) { field(name).value = keep[name]; });
    field("client_id").value = newId();
    editing = null;
    prereg = null;
    if (window.location.hash && window.location.hash === openedAs) {
      history.replaceState(null, "", window.location.pathname);
    }
    var results = document.getElementById("kbli-results");
    if (results) { results.textContent = ""; }
    field("nik").focus();
  }

  // -- saving ------------------------------------------------------------------------------
  // The form is the officer's again as soon as the application is in the phone's outbox: the
  // send that follows may take long (a hotspot without backhaul, a replay waiting behind
  // another), and its end never undoes what was started meanwhile (the next check-in, a
  // typed NIK). `turn` counts what the form was given (typing, a hash, a reset): the send's
  // outcome changes the page only while the form still shows the emptied one it left.
  // `saving` resolves once a save under way has checked, stored and reset the form; a hash
  // asked for meanwhile (a tap in the pre-registration panel) is loaded after it.
  var turn = 0;
  var saving = Promise.resolve();

  function moveOn() { turn += 1; }

  function submit(event) {
    if (!JBM.outbox || !window.indexedDB || !newId()) { return; }  // htmx or plain POST
    event.preventDefault();
    event.stopImmediatePropagation();
    var id = field("client_id").value;
    var body = values();
    var openedAs = window.location.hash;
    if (prereg) { body.prereg_code = prereg.display; }  // linked by the server (docs/api.md)
    setBusy(true, "Memeriksa…");
    var stored = JBM.validate.checkApplication(body, JBM.data).then(function (errors) {
      if (Object.keys(errors).length) { setBusy(false); showErrors(errors); return null; }
      // The code for the receipt shown at once; a corrected item keeps its first one.
      var proposed = JBM.tracking ? JBM.tracking.mint() : null;
      if (JBM.receipt) { JBM.receipt.hide(); }
      return JBM.outbox.save(id, body, proposed).then(function () {
        dropDraft();
        draftNote(false);
        clearErrors();
        resetForNext(openedAs);
        notice(MSG_SAVED, "ok");
        setBusy(false);
        // The receipt is on screen before any network wait.
        if (JBM.receipt) { JBM.receipt.show(id); }
        JBM.app.refreshBadge();
        JBM.app.askBackgroundSync();
        return turn;
      });
    }).catch(function (error) {
      setBusy(false);
      notice("Gagal menyimpan di HP: " + error + ". Coba lagi.", "error");
      return null;
    });
    saving = stored;
    stored.then(function (left) {
      if (left === null) { return null; }
      return JBM.app.sendNow().then(function () { return JBM.outbox.get(id); }).then(function (item) {
        JBM.app.refreshBadge();
        if (!item || turn !== left) { return; }  // moved on: the receipt and the queue tell
        if (item.state === "sent") {
          window.location.assign("/petugas/permohonan/" + item.tracking_code + "/tanda-terima");
        } else if (item.state === "needs_fix") {
          if (JBM.receipt) { JBM.receipt.hide(); }
          editItem(item);
        }
      });
    }).catch(function () { return null; });  // still in the outbox: the retries send it
  }

  // Capture phase: runs before htmx, which would otherwise post the form itself.
  form.addEventListener("submit", submit, true);
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (JBM.outbox && window.indexedDB && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      event.preventDefault();
    }
  });

  // A fresh client id for every form opened (the cached page carries an old one).
  if (newId()) { field("client_id").value = newId(); }
  renderChips();
  var editingLoaded = loadEditing();
  if (JBM.outbox && window.indexedDB && newId()) {
    editingLoaded.catch(function () { return null; }).then(restoreDraft);
    form.addEventListener("input", scheduleDraft);
    form.addEventListener("change", scheduleDraft);
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-kbli-pick], [data-kbli-remove]")) { scheduleDraft(); }
      if (event.target.closest("[data-draft-discard]")) { discardDraft(); }
    });
    // Leaving or hiding the page (a call, the screen off, the app closed): keep it now.
    document.addEventListener("visibilitychange", function () { if (document.hidden && draftTimer) { keepDraft(); } });
    window.addEventListener("pagehide", function () { if (draftTimer) { keepDraft(); } });
    // Logging out (static/js/app.js): no more drafts; the worker deletes the stored one.
    document.addEventListener("jbm:logout", function () {
      clearTimeout(draftTimer);
      draftTimer = null;
      drafting = false;
    });
  }
  form.addEventListener("input", moveOn);
  form.addEventListener("change", moveOn);
  window.addEventListener("hashchange", function () {
    var hash = window.location.hash;
    saving.then(function () { return loadEditing(hash); });
  });
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
      .catch(function () { return null; });
  }
})();
