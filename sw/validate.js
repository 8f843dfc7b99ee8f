// Checks on the phone, so the officer hears at once what to fix, even offline.
// The server (app/domain/) is the authority and checks everything again; this file mirrors
// its main rules with the same kind of messages.
(function (root) {
  "use strict";

  var PROVINCES = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
    "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74",
    "75", "76", "81", "82", "91", "92", "93", "94", "95", "96"];

  function digitsOnly(value) { return String(value || "").replace(/[\s.\-]/g, ""); }
  function text(value) { return String(value == null ? "" : value).replace(/\s+/g, " ").trim(); }

  function checkNik(raw) {
    var nik = digitsOnly(raw);
    if (!nik) { return "NIK wajib diisi: 16 angka di KTP."; }
    if (!/^\d+$/.test(nik)) { return "NIK hanya berisi angka. Periksa kembali angka di KTP."; }
    if (nik.length !== 16) { return "NIK harus 16 angka, yang diisi " + nik.length + " angka. Periksa kembali angka di KTP."; }
    if (PROVINCES.indexOf(nik.slice(0, 2)) < 0) { return "Dua angka pertama NIK (kode provinsi) tidak dikenal. Periksa kembali angka di KTP."; }
    if (nik.slice(2, 4) === "00" || nik.slice(4, 6) === "00") { return "Kode kabupaten/kecamatan pada NIK tidak sah. Periksa kembali angka di KTP."; }
    var day = parseInt(nik.slice(6, 8), 10);
    if (day > 40) { day -= 40; }
    var month = parseInt(nik.slice(8, 10), 10);
    if (day < 1 || day > 31 || month < 1 || month > 12) { return "Tanggal lahir pada NIK (angka ke-7 sampai 12) tidak sah. Periksa kembali angka di KTP."; }
    if (nik.slice(12) === "0000") { return "Empat angka terakhir NIK tidak boleh 0000. Periksa kembali angka di KTP."; }
    return null;
  }

  function normalizePhone(raw) {
    var p = String(raw || "").replace(/[\s.\-()]/g, "");
    if (p.indexOf("+62") === 0) { p = p.slice(3); } else if (p.indexOf("62") === 0) { p = p.slice(2); } else if (p.indexOf("0") === 0) { p = p.slice(1); }
    if (p.indexOf("0") === 0) { p = p.slice(1); }
    return p;
  }

  function checkPhone(raw) {
    if (!text(raw)) { return "Nomor HP (WhatsApp) wajib diisi. Contoh: 0812-3456-7890."; }
    var p = normalizePhone(raw);
    if (!/^\d+$/.test(p)) { return "Nomor HP hanya berisi angka. Contoh: 0812-3456-7890."; }
    if (p.charAt(0) !== "8") { return "Isi nomor HP WhatsApp yang diawali 08, bukan nomor telepon rumah."; }
    if (p.length < 9 || p.length > 12) { return "Nomor HP harus 10 sampai 13 angka (diawali 08). Periksa kembali."; }
    return null;
  }

  function checkEmail(raw, noEmail) {
    var e = text(raw);
    if (!e) { return noEmail ? null : "Isi alamat email, atau centang 'Tidak punya email'."; }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) || e.length > 254) { return "Alamat email belum benar. Contoh: nama@gmail.com."; }
    return null;
  }

  function checkNpwp(raw, nik) {
    var n = digitsOnly(raw);
    if (!n) { return null; }
    if (!/^\d+$/.test(n)) { return "NPWP hanya berisi angka dan tanda baca. Periksa kembali kartu NPWP."; }
    if (n.length === 15) { return /^0+$/.test(n) ? "NPWP tidak boleh semuanya nol." : null; }
    if (n.length === 16) { return n === digitsOnly(nik) ? null : "NPWP 16 angka untuk orang pribadi sama dengan NIK. Periksa kembali, atau kosongkan."; }
    return "NPWP harus 15 angka (format lama) atau 16 angka (sama dengan NIK).";
  }

  function parseRupiah(raw) {
    var s = String(raw == null ? "" : raw).replace(/^\s*(rp\.?|idr)\s*/i, "").replace(/,-$/, "").replace(/[,.]00$/, "").trim();
    if (!s) { return { error: "Modal usaha wajib diisi dalam rupiah, misalnya 15.000.000." }; }
    if (/^\d{1,3}([.\s]\d{3})+$/.test(s) || /^\d{1,3}(,\d{3})+$/.test(s)) { s = s.replace(/[.,\s]/g, ""); }
    if (!/^\d+$/.test(s)) { return { error: "Tulis modal usaha dengan angka saja, misalnya 15.000.000." }; }
    return { value: parseInt(s, 10) };
  }

  function kbliCodes(raw) {
    var list = Array.isArray(raw) ? raw : String(raw || "").split(/[\s,;]+/);
    var seen = [];
    list.forEach(function (c) { c = String(c).trim(); if (c && seen.indexOf(c) < 0) { seen.push(c); } });
    return seen;
  }

  // values: the form's fields; data: JBM.data (or null when reference data is unavailable).
  // Resolves to {field: message} (empty when all is well).
  function checkApplication(values, data) {
    var errors = {};
    function put(field, message) { if (message) { errors[field] = message; } }
    put("nik", checkNik(values.nik));
    var name = text(values.name);
    put("name", !name ? "Nama wajib diisi sesuai KTP." : name.length < 3 ? "Nama terlalu pendek. Tulis nama lengkap sesuai KTP." : null);
    put("phone", checkPhone(values.phone));
    put("email", checkEmail(values.email, Boolean(values.no_email)));
    put("npwp", checkNpwp(values.npwp, values.nik));
    var business = text(values.business_name);
    put("business_name", !business ? "Nama usaha wajib diisi, misalnya Warung Bu Siti atau UD. Sumber Rejeki." :
      business.length < 3 ? "Nama usaha terlalu pendek (minimal 3 huruf)." : null);
    ["rt", "rw"].forEach(function (f) {
      var v = text(values[f]);
      put(f, !v ? f.toUpperCase() + " wajib diisi, misalnya 3 atau 003." :
        !/^\d{1,3}$/.test(v) || /^0+$/.test(v) ? f.toUpperCase() + " diisi 1 sampai 3 angka, misalnya 3 atau 003." : null);
    });
    var street = text(values.street);
    put("street", street.length < 3 ? "Alamat usaha wajib diisi, misalnya Jl. Raya Wonodadi No. 5 atau Dusun Krajan." : null);
    var capital = parseRupiah(values.capital);
    put("capital", capital.error || null);
    ["workers_male", "workers_female"].forEach(function (f) {
      var v = text(values[f]);
      put(f, v && (!/^\d+$/.test(v) || parseInt(v, 10) > 10000) ? "Isi jumlah tenaga kerja dengan angka 0 sampai 10.000." : null);
    });
    var codes = kbliCodes(values.kbli);
    if (!codes.length) { put("kbli", "Pilih minimal satu kegiatan usaha (kode KBLI)."); }
    var bad = codes.filter(function (c) { return !/^\d{5}$/.test(c); });
    if (bad.length) { put("kbli", "Kode KBLI harus 5 angka: " + bad.join(", ") + "."); }
    if (!values.desa) { put("desa", "Pilih kecamatan, lalu desa/kelurahan tempat usaha."); }
    if (!data) { return Promise.resolve(errors); }
    var checks = [];
    if (codes.length && !bad.length) {
      checks.push(Promise.all(codes.map(data.kbliExists)).then(function (found) {
        var missing = codes.filter(function (c, i) { return !found[i]; });
        if (missing.length) { put("kbli", "Kode KBLI tidak ada di KBLI 2020: " + missing.join(", ") + ". Cari dengan kata sehari-hari."); }
      }));
    }
    if (values.desa) {
      checks.push(data.regions().then(function (r) {
        var d = r.desa[values.desa];
        if (!d) { put("desa", "Desa/kelurahan tidak dikenal. Pilih dari daftar."); }
        else if (values.kecamatan && d.kecamatan !== values.kecamatan) { put("desa", "Desa ini tidak berada di kecamatan yang dipilih. Pilih ulang desanya."); }
      }));
    }
    return Promise.all(checks).then(function () { return errors; }, function () { return errors; });
  }

  root.JBM = root.JBM || {};
  root.JBM.validate = { checkApplication: checkApplication, checkNik: checkNik, checkPhone: checkPhone };
})(self);
