// Checks on the phone, so the officer hears at once what to fix, even offline.
// The server (app/domain/) is the authority and checks everything again. This file repeats
// its logic step by step; every message, limit, code list and pattern comes from the
// server's table (app/domain/form_rules.py), which the server puts in front of this file as
// JBM.rules. tests/e2e/test_validation_parity.py holds both to the same answers.
//
// Input: the form's values as capture.js builds them (text; no_email a boolean; kbli a list
// of codes or a text), whole numbers where the API takes them.
// Without JBM.data (the offline KBLI and region lists) or when a list cannot be read, the
// phone cannot tell an unknown KBLI code or desa, nor a desa outside the chosen kecamatan:
// those are left to the server.
(function (root) {
  "use strict";

  var RULES = root.JBM.rules;
  var LIMIT = RULES.limits;
  var CHARS = RULES.chars;
  var WS = RULES.patterns.whitespace;  // Python's whitespace, which differs from JS's \s
  var SPACE = new RegExp(WS, "u");
  var SPACES = new RegExp(WS + "+", "u");
  var EDGES = new RegExp("^" + WS + "+|" + WS + "+$", "gu");
  var DIGITS = /^[0-9]+$/;
  var LETTER = /^\p{L}$/u;  // Python's str.isalpha
  var ALNUM = /[\p{L}\p{N}]/u;  // Python's str.isalnum, for one character
  var UNPRINTABLE = /(?! )[\p{C}\p{Z}]/u;  // what makes Python's str.isprintable false

  function pattern(name) { return new RegExp(RULES.patterns[name], "u"); }
  function whole(name) { return new RegExp("^(?:" + RULES.patterns[name] + ")$", "u"); }
  var KECAMATAN = whole("kecamatan");
  var DESA = whole("desa");
  var KBLI = whole("kbli");
  var KBLI_SPLIT = pattern("kbli_split");
  var WORKERS_GROUPED = whole("workers_grouped");
  var EMAIL_LABEL = pattern("email_label");
  var EMAIL_TLD = pattern("email_tld");
  var RUPIAH_PREFIX = pattern("rupiah_prefix");
  var RUPIAH_SUFFIX = pattern("rupiah_suffix");
  var RUPIAH_GROUPED = pattern("rupiah_grouped");
  var RUPIAH_DECIMAL = whole("rupiah_decimal");

  // A mistake in one field: the server's FieldError.
  function Problem(message) { this.message = message; }

  function message(key, params) {
    return RULES.messages[key].replace(/\{(\w+)\}/g, function (all, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : all;
    });
  }

  function fail(key, params) { throw new Problem(message(key, params)); }

  // -- text as Python sees it (lengths in code points) ---------------------------------
  function chars(s) { return Array.from(s); }
  function strip(s) { return s.replace(EDGES, ""); }
  function collapse(s) { return s.split(SPACES).filter(Boolean).join(" "); }
  function without(s, set) { return chars(s).filter(function (c) { return set.indexOf(c) < 0; }).join(""); }

  // A value as text: nothing is "", a whole number its digits.
  function text(value) {
    if (value == null) { return ""; }
    if (typeof value === "string") { return strip(value); }
    if (typeof value === "number" && Number.isInteger(value)) { return String(value); }
    return fail("type");
  }

  function flag(value) {
    if (value == null) { return false; }
    if (typeof value === "boolean") { return value; }
    if (typeof value === "number") { return value !== 0; }
    if (typeof value === "string") { return RULES.codes.false_words.indexOf(strip(value).toLowerCase()) < 0; }
    if (Array.isArray(value)) { return value.some(flag); }
    return fail("no_email.type");
  }

  // -- one function per field ----------------------------------------------------------
  function ymd(year, month, day) { return year * 10000 + month * 100 + day; }

  function checkBirthDate(ddmmyy, today) {
    var day = parseInt(ddmmyy.slice(0, 2), 10);
    var month = parseInt(ddmmyy.slice(2, 4), 10);
    var yy = parseInt(ddmmyy.slice(4, 6), 10);
    if (day > 40) { day -= 40; }  // women
    var now = ymd(today.year, today.month, today.day);
    // A two-digit year is read as 20YY unless that would be after today.
    var year = ymd(2000 + yy, month, day) <= now ? 2000 + yy : 1900 + yy;
    var days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > days) { fail("nik.date"); }
    if (ymd(year, month, day) > now || year < 1900) { fail("nik.date"); }
  }

  function checkNik(raw, today) {
    var value = without(raw, CHARS.nik_separators);
    if (!value) { fail("nik.empty"); }
    if (!DIGITS.test(value)) { fail("nik.not_digits"); }
    if (value.length !== LIMIT.nik_digits) { fail("nik.length", { count: value.length }); }
    if (/^(.)\1*$/.test(value)) { fail("nik.repeated"); }
    var province = value.slice(0, 2);
    if (RULES.codes.provinces.indexOf(province) < 0) { fail("nik.province", { code: province }); }
    if (value.slice(2, 4) === "00") { fail("nik.regency"); }
    if (value.slice(4, 6) === "00") { fail("nik.district"); }
    checkBirthDate(value.slice(6, 12), today);
    if (value.slice(12) === "0000") { fail("nik.serial"); }
    return value;
  }

  function checkName(value) {
    var name = chars(collapse(text(value))).map(function (c) {
      return Object.prototype.hasOwnProperty.call(CHARS.apostrophes, c) ? CHARS.apostrophes[c] : c;
    });
    if (!name.length) { fail("name.empty"); }
    var fine = name.every(function (c) { return LETTER.test(c) || CHARS.name_punctuation.indexOf(c) >= 0; });
    if (!fine || !LETTER.test(name[0])) { fail("name.chars"); }
    if (name.length < LIMIT.name[0]) { fail("name.short"); }
    if (name.length > LIMIT.name[1]) { fail("name.long"); }
  }

  function checkPhone(raw) {
    var value = without(raw, CHARS.phone_separators);
    if (!value) { fail("phone.empty"); }
    var plus = value.charAt(0) === "+";
    if (plus) { value = value.slice(1); }
    if (!DIGITS.test(value)) { fail("phone.chars"); }
    if (value.indexOf("00") === 0 && !plus) { value = value.slice(2); plus = true; }  // 0062 812…
    var national = value;
    if (value.indexOf("62") === 0) {
      national = value.slice(2);
      if (national.indexOf("08") === 0) { national = national.slice(1); }  // +62 0812…
    } else if (plus) {
      fail("phone.foreign");
    } else if (value.charAt(0) === "0") {
      national = value.slice(1);
    }
    if (national.charAt(0) !== "8") { fail("phone.landline"); }
    if (national.length < LIMIT.phone_national[0] || national.length > LIMIT.phone_national[1]) {
      fail("phone.length", { count: national.length + 1 });  // counted with the leading 0
    }
  }

  // Returns whether an address was given.
  function checkEmail(value) {
    if (!value) { return false; }
    if (SPACE.test(value)) { fail("email.space"); }
    if (chars(value).length > LIMIT.email) { fail("email.long"); }
    var parts = value.split("@");
    if (parts.length !== 2) { fail("email.at"); }
    var local = parts[0];
    var badLocal = !local || chars(local).length > LIMIT.email_local || local.charAt(0) === "." ||
      local.charAt(local.length - 1) === "." || local.indexOf("..") >= 0 ||
      chars(local).some(function (c) {
        return c.codePointAt(0) < 33 || CHARS.email_local_forbidden.indexOf(c) >= 0;  // controls, space
      });
    if (badLocal) { fail("email.local"); }
    var labels = parts[1].toLowerCase().split(".");
    if (labels.length < 2 || !labels.every(function (l) { return EMAIL_LABEL.test(l); }) ||
        !EMAIL_TLD.test(labels[labels.length - 1])) {
      fail("email.domain");
    }
    return true;
  }

  function checkNpwp(raw, nik) {
    var value = without(raw, CHARS.npwp_separators);
    if (!value) { return; }
    if (!DIGITS.test(value)) { fail("npwp.not_digits"); }
    if (LIMIT.npwp_digits.indexOf(value.length) < 0) { fail("npwp.length", { count: value.length }); }
    if (/^0+$/.test(value)) { fail("npwp.all_zero"); }
    if (value.length === LIMIT.nik_digits) {  // the new form: a person's NIK
      if (value.charAt(0) === "0") { fail("npwp.company"); }
      if (nik !== null && value !== nik) { fail("npwp.not_nik"); }
    }
  }

  function checkFreeText(value, field) {
    var t = collapse(text(value));
    if (!t) { fail(field + ".empty"); }
    if (UNPRINTABLE.test(t) || !ALNUM.test(t)) { fail(field + ".chars"); }
    var length = chars(t).length;
    if (length < LIMIT[field][0]) { fail(field + ".short"); }
    if (length > LIMIT[field][1]) { fail(field + ".long"); }
  }

  // A Kemendagri code in dotted form; the plain digits are accepted too.
  function region(t, shape, digits) {
    if (DIGITS.test(t) && t.length === digits) {
      t = [t.slice(0, 2), t.slice(2, 4), t.slice(4, 6), t.slice(6)].join(".").replace(/\.+$/, "");
    }
    return shape.test(t) ? t : null;
  }

  function checkRtRw(value, field) {
    var t = text(value);
    if (!t) { fail(field + ".empty"); }
    if (!DIGITS.test(t) || t.length > LIMIT.rt_rw_digits) { fail(field + ".digits"); }
    if (/^0+$/.test(t)) { fail(field + ".zero"); }
  }

  function kbliItems(value) {
    if (value == null) { return []; }
    var codes = [];
    (Array.isArray(value) ? value : [value]).forEach(function (item) {
      if (typeof item === "string") {
        strip(item).split(KBLI_SPLIT).forEach(function (c) { if (c) { codes.push(c); } });
      } else if (typeof item === "number" && Number.isInteger(item) && item >= 0 && item < 100000) {
        codes.push(String(item).padStart(5, "0"));  // a JSON number loses the leading zero
      } else {
        fail("type");
      }
    });
    return codes.filter(function (c, i) { return codes.indexOf(c) === i; });
  }

  function show(codes) {
    var shown = codes.slice(0, LIMIT.kbli_shown).map(function (c) {
      var cs = chars(c);
      return cs.length <= LIMIT.kbli_shown_chars ? c : cs.slice(0, LIMIT.kbli_shown_chars).join("") + "…";
    });
    return shown.join(", ") + (codes.length > LIMIT.kbli_shown ? ", …" : "");
  }

  function checkKbli(value) {
    var codes = kbliItems(value);
    if (!codes.length) { fail("kbli.empty"); }
    if (codes.length > LIMIT.kbli_codes) { fail("kbli.too_many"); }
    var malformed = codes.filter(function (c) { return !KBLI.test(c); });
    if (malformed.length) { fail("kbli.malformed", { codes: show(malformed) }); }
    return codes;
  }

  function rupiahInRange(digits) {
    var amount = BigInt(digits);
    if (amount < 0n) { fail("capital.negative"); }
    if (amount > BigInt(Number(LIMIT.rupiah))) { fail("capital.too_large"); }  // "1e+15"
  }

  function checkCapital(value) {
    if (typeof value === "number") {
      if (!Number.isInteger(value)) { fail("capital.decimal"); }
      return rupiahInRange(value);
    }
    if (value != null && typeof value !== "string") { fail("capital.format"); }
    var t = strip(value || "").replace(/\u00a0/g, " ");
    if (!t) { fail("capital.empty"); }
    t = strip(t.replace(RUPIAH_PREFIX, ""));
    if (t.charAt(0) === "-") { fail("capital.negative"); }
    t = strip(t.replace(RUPIAH_SUFFIX, ""));
    if (!t) { fail("capital.empty"); }  // only "Rp" or ",-"
    if (chars(t).some(function (c) { return LETTER.test(c); })) { fail("capital.words"); }
    if (DIGITS.test(t)) { return rupiahInRange(t); }
    if (RUPIAH_GROUPED.test(t)) { return rupiahInRange(t.replace(/[., ]/g, "")); }
    if (RUPIAH_DECIMAL.test(t)) { fail("capital.decimal"); }
    return fail("capital.format");
  }

  function checkWorkers(value, field) {
    var number = value;
    if (typeof value === "boolean" || (typeof value === "number" && !Number.isInteger(value))) {
      fail(field + ".format");
    }
    if (typeof value !== "number") {
      var t = text(value);
      if (WORKERS_GROUPED.test(t)) { t = t.replace(".", ""); }
      if (t === "") { return; }
      if (!DIGITS.test(t)) { fail(field + ".format"); }
      number = Number(t);
    }
    if (number < 0 || number > LIMIT.workers) { fail(field + ".format"); }
  }

  function localToday() {
    var now = new Date();
    return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
  }

  function parseDay(iso) {
    var parts = iso.split("-");
    return { year: Number(parts[0]), month: Number(parts[1]), day: Number(parts[2]) };
  }

  // -- the whole form --------------------------------------------------------------------
  // values: the form's fields; data: JBM.data (or null); today: "YYYY-MM-DD" (default: the
  // phone's date). Resolves to {field: message} (empty when all is well).
  function checkApplication(values, data, today) {
    var day = today ? parseDay(today) : localToday();
    var errors = {};
    function check(field, fn) {
      try {
        return fn();
      } catch (error) {
        if (!(error instanceof Problem)) { throw error; }
        errors[field] = error.message;
        return null;
      }
    }

    var nik = check("nik", function () { return checkNik(text(values.nik), day); });
    check("name", function () { checkName(values.name); });
    check("phone", function () { checkPhone(text(values.phone)); });
    var noEmail = check("no_email", function () { return flag(values.no_email); });
    var email = check("email", function () { return checkEmail(text(values.email)); });
    if (email === false && !noEmail) { errors.email = message("email.required"); }
    check("npwp", function () { checkNpwp(text(values.npwp), nik); });
    check("business_name", function () { checkFreeText(values.business_name, "business_name"); });

    // Kecamatan and desa together: the desa decides, the kecamatan must agree with it.
    var kecamatan = check("kecamatan", function () {
      var t = text(values.kecamatan);
      if (!t) { return null; }
      return region(t, KECAMATAN, 6) || fail("kecamatan.format");
    });
    var desa = check("desa", function () {
      var t = text(values.desa);
      if (!t) { fail("desa.empty"); }
      return region(t, DESA, 10) || fail("desa.format");
    });

    check("rt", function () { checkRtRw(values.rt, "rt"); });
    check("rw", function () { checkRtRw(values.rw, "rw"); });
    check("street", function () { checkFreeText(values.street, "street"); });
    var codes = check("kbli", function () { return checkKbli(values.kbli); });
    check("capital", function () { checkCapital(values.capital); });
    check("workers_male", function () { checkWorkers(values.workers_male, "workers_male"); });
    check("workers_female", function () { checkWorkers(values.workers_female, "workers_female"); });

    if (!data) { return Promise.resolve(errors); }
    var lookups = [];
    if (codes) {
      lookups.push(Promise.all(codes.map(data.kbliExists)).then(function (found) {
        var unknown = codes.filter(function (c, i) { return !found[i]; });
        if (unknown.length) { errors.kbli = message("kbli.unknown", { codes: show(unknown) }); }
      }));
    }
    if (desa) {
      lookups.push(data.regions().then(function (r) {
        var known = r.desa[desa];
        if (!known) {
          errors.desa = message("desa.unknown");
        } else if (kecamatan && known.kecamatan !== kecamatan) {
          errors.desa = message("desa.mismatch");
        }
      }));
    }
    // A list that cannot be read leaves its check to the server.
    return Promise.all(lookups.map(function (p) { return p.catch(function () { return null; }); }))
      .then(function () { return errors; });
  }

  root.JBM.validate = { checkApplication: checkApplication };
})(self);
