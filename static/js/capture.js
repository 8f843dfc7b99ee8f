// The capture form: saved on the phone first, then sent. Works the same with or without a
// signal: "Simpan" stores the application in the phone's outbox, then tries to send it.
// Without IndexedDB the form falls back to htmx / a plain POST, which the server handles too.
(function () {
  "use strict";

  var JBM = window.JBM = window.JBM || {};
  var MSG_SAVED = "Tersimpan di HP — akan dikirim otomatis saat ada sinyal.";
  var MSG_FIX = "Ada isian yang perlu diperbaiki. Lihat pesan merah di bawah.";
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
      if (el.type === "checkbox") { body[name] = data.get(name) === "on"; return; }
      body[name] = String(data.get(name) || "").trim();
    });
    body.kbli = chosenCodes(field("kbli"));
    return body;
  }

  function fill(body) {
    Object.keys(body).forEach(function (name) {
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
      el.removeAttribute("aria-describedby");
    });
    notice(null);
  }

  function notice(text, kind) {
    var box = form.querySelector("[data-form-notice]");
    box.textContent = text || "";
    box.className = text ? "alert" + (kind ? " alert-" + kind : "") : "";
    box.hidden = !text;
  }

  function showErrors(errors, message) {
    clearErrors();
    var names = Object.keys(errors || {});
    notice(message || MSG_FIX, "error");
    var first = null;
    names.forEach(function (name) {
      var el = field(name) || field(name === "no_email" ? "email" : name);
      var p = document.createElement("p");
      p.className = "field-error";
      p.id = name + "-error";
      p.dataset.jsError = "1";
      p.textContent = errors[name];
      if (el && el.closest) {
        var holder = el.closest(".field") || el.parentNode;
        holder.classList.add("has-error");
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("aria-describedby", p.id);
        el.insertAdjacentElement("afterend", p);  // right under its input
        first = first || el;
      } else {
        form.querySelector("[data-form-notice]").after(p);
      }
    });
    (first || form.querySelector("[data-form-notice]")).focus();
  }

  function setBusy(busy, text) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = busy;
    button.textContent = busy ? text : "Simpan";
  }

  // -- editing an item the server sent back ---------------------------------------------
  var editing = null;

  function loadEditing() {
    var receipt = /^#tanda-terima=([0-9a-f-]{36})$/.exec(window.location.hash);
    if (receipt && JBM.receipt) { return JBM.receipt.show(receipt[1]); }
    var match = /^#ubah=([0-9a-f-]{36})$/.exec(window.location.hash);
    if (!match || !JBM.outbox) { return Promise.resolve(); }
    return JBM.outbox.get(match[1]).then(function (item) {
      if (!item || item.state === "sent") { return; }
      editing = item;
      field("client_id").value = item.id;
      var kecamatan = item.body.kecamatan;
      fill(item.body);
      refreshDesa(kecamatan, item.body.desa);
      var errors = item.errors || {};
      if (item.state === "needs_fix") { showErrors(errors, item.message); }
    });
  }

  function refreshDesa(kecamatan, selected) {
    var desa = field("desa");
    if (!kecamatan || !JBM.data) { return; }
    JBM.data.desaOptionsHtml(kecamatan).then(function (html) {
      desa.innerHTML = html;
      if (selected) { desa.value = selected; }
    }).catch(function () { return null; });
  }

  function resetForNext() {
    var keep = {};
    KEEP_AFTER_SAVE.forEach(function (name) { keep[name] = field(name).value; });
    form.reset();
    field("kbli").value = "";
    renderChips();
    KEEP_AFTER_SAVE.forEach(function (name) { field(name).value = keep[name]; });
    field("client_id").value = newId();
    editing = null;
    if (window.location.hash) { history.replaceState(null, "", window.location.pathname); }
    var results = document.getElementById("kbli-results");
    if (results) { results.textContent = ""; }
    field("nik").focus();
  }

  // -- saving ------------------------------------------------------------------------------
  function submit(event) {
    if (!JBM.outbox || !window.indexedDB || !newId()) { return; }  // htmx or plain POST
    event.preventDefault();
    event.stopImmediatePropagation();
    var id = field("client_id").value;
    var body = values();
    setBusy(true, "Memeriksa…");
    JBM.validate.checkApplication(body, JBM.data).then(function (errors) {
      if (Object.keys(errors).length) { setBusy(false); showErrors(errors); return null; }
      // The code for the receipt shown at once; a corrected item keeps its first one.
      var proposed = JBM.tracking ? JBM.tracking.mint() : null;
      if (JBM.receipt) { JBM.receipt.hide(); }
      return JBM.outbox.save(id, body, proposed).then(function () {
        clearErrors();
        // The receipt is on screen before any network wait (a hotspot without backhaul).
        if (JBM.receipt) { JBM.receipt.show(id); }
        JBM.app.refreshBadge();
        setBusy(true, "Mengirim…");
        JBM.app.askBackgroundSync();
        return JBM.app.sendNow();
      }).then(function () { return JBM.outbox.get(id); }).then(function (item) {
        setBusy(false);
        if (item && item.state === "sent") {
          window.location.assign("/petugas/permohonan/" + item.tracking_code + "/tanda-terima");
        } else if (item && item.state === "needs_fix") {
          if (JBM.receipt) { JBM.receipt.hide(); }
          editing = item;
          showErrors(item.errors || {}, item.message);
        } else {
          resetForNext();
          notice(MSG_SAVED, "ok");
          JBM.app.refreshBadge();
          if (JBM.receipt) { JBM.receipt.show(id); }
        }
      });
    }).catch(function (error) {
      setBusy(false);
      notice("Gagal menyimpan di HP: " + error + ". Coba lagi.", "error");
    });
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
  loadEditing();
  window.addEventListener("hashchange", loadEditing);
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
      .catch(function () { return null; });
  }
})();
