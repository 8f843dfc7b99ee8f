// Reference data on the phone: KBLI search and the kecamatan/desa picker, from the compact
// JSON the app shell caches (/ref/kbli.json, /ref/wilayah.json). Used by the service worker
// to answer /ref/kbli and /ref/desa when the server is out of reach, and by the capture
// page's checks. The server's search (app/reference/kbli.py) is the better one; this is a
// smaller version of it for offline use.
(function (root) {
  "use strict";

  var PREFIXES = ["menge", "penge", "meng", "peng", "mem", "men", "pem", "pen", "per", "ter",
    "ber", "me", "pe", "di", "ke"];
  var loaded = {};

  function loadJson(url) {
    if (!loaded[url]) {
      var fromCache = root.caches ? root.caches.match(url) : Promise.resolve(undefined);
      loaded[url] = fromCache.then(function (hit) { return hit || fetch(url, { credentials: "same-origin" }); })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .catch(function (error) { delete loaded[url]; throw error; });
    }
    return loaded[url];
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function words(text) { return fold(text).split(/[^a-z0-9]+/).filter(Boolean); }

  function stems(word) {
    var out = [word];
    PREFIXES.forEach(function (p) {
      if (word.length > p.length + 2 && word.indexOf(p) === 0) { out.push(word.slice(p.length)); }
    });
    return out;
  }

  function matches(token, list) {
    for (var i = 0; i < list.length; i++) {
      var forms = stems(list[i]);
      for (var j = 0; j < forms.length; j++) {
        if (forms[j].indexOf(token) === 0) { return forms[j] === token ? 2 : 1; }
      }
    }
    return 0;
  }

  var index = null;

  function kbliIndex() {
    if (index) { return Promise.resolve(index); }
    return loadJson("/ref/kbli.json").then(function (data) {
      var rows = data.rows.map(function (r) {
        return { code: r[0], title: r[1], titleWords: words(r[1]), keyWords: words(r[2] || "") };
      });
      var byCode = {};
      rows.forEach(function (r) { byCode[r.code] = r; });
      index = { rows: rows, byCode: byCode, synonyms: (data.synonyms || []).map(function (s) {
        return { key: fold(s[0]), codes: s[1] };
      }) };
      return index;
    });
  }

  function searchKbli(query, limit) {
    limit = limit || 15;
    return kbliIndex().then(function (ix) {
      var q = fold(query).trim();
      if (!q) { return []; }
      var digits = q.replace(/[\s.]/g, "");
      if (/^\d{1,5}$/.test(digits)) {
        return ix.rows.filter(function (r) { return r.code.indexOf(digits) === 0; })
          .sort(function (a, b) { return (a.code === digits ? -1 : 0) - (b.code === digits ? -1 : 0) || (a.code < b.code ? -1 : 1); })
          .slice(0, limit);
      }
      var tokens = words(q);
      var scores = {};
      ix.synonyms.forEach(function (s) {
        if (q === s.key || q.indexOf(s.key) >= 0) {
          s.codes.forEach(function (code, i) { scores[code] = Math.max(scores[code] || 0, 1000 - i); });
        }
      });
      ix.rows.forEach(function (r) {
        var total = 0;
        for (var i = 0; i < tokens.length; i++) {
          var t = matches(tokens[i], r.titleWords);
          var k = t ? 0 : matches(tokens[i], r.keyWords);
          if (!t && !k) { total = -1; break; }
          total += t ? (t === 2 ? 100 : 70) + (r.titleWords[0] === tokens[i] ? 15 : 0) : (k === 2 ? 10 : 7);
        }
        if (total > 0) { scores[r.code] = Math.max(scores[r.code] || 0, total - r.title.length / 100); }
      });
      return Object.keys(scores).sort(function (a, b) { return scores[b] - scores[a]; })
        .slice(0, limit).map(function (code) { return ix.byCode[code]; }).filter(Boolean);
    });
  }

  function kbliExists(code) {
    return kbliIndex().then(function (ix) { return Boolean(ix.byCode[code]); });
  }

  function kbliTitle(code) {
    return kbliIndex().then(function (ix) { return ix.byCode[code] ? ix.byCode[code].title : ""; });
  }

  function regions() {
    return loadJson("/ref/wilayah.json").then(function (data) {
      var kecamatan = {};
      var desa = {};
      data.kecamatan.forEach(function (k) {
        kecamatan[k[0]] = { code: k[0], name: k[1], desa: k[2].map(function (d) {
          var item = { code: d[0], name: d[1], type: d[2], kecamatan: k[0] };
          desa[d[0]] = item;
          return item;
        }) };
      });
      return { kecamatan: kecamatan, desa: desa };
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The same fragments the server renders (web/ref/_kbli_results.html, _desa_options.html).
  function kbliResultsHtml(query, results) {
    if (query && !results.length) {
      return '<p class="muted">Tidak ada KBLI untuk “' + escapeHtml(query) +
        '”. Coba kata lain, misalnya jenis barang atau jasanya.</p>';
    }
    return '<ul class="kbli-list">' + results.map(function (e) {
      return '<li><button type="button" class="kbli-pick" data-kbli-pick="' + escapeHtml(e.code) +
        '" data-title="' + escapeHtml(e.title) + '"><span class="kbli-code">' + escapeHtml(e.code) +
        '</span> <span class="kbli-title">' + escapeHtml(e.title) + "</span></button></li>";
    }).join("") + "</ul>";
  }

  function desaOptionsHtml(kecamatanCode) {
    return regions().then(function (r) {
      var k = r.kecamatan[kecamatanCode];
      var list = k ? k.desa.slice().sort(function (a, b) { return a.name < b.name ? -1 : 1; }) : [];
      return '<option value="">— pilih desa —</option>' + list.map(function (d) {
        return '<option value="' + escapeHtml(d.code) + '">' + escapeHtml(d.name) +
          (d.type === "kelurahan" ? " (kelurahan)" : "") + "</option>";
      }).join("");
    });
  }

  root.JBM = root.JBM || {};
  root.JBM.data = {
    searchKbli: searchKbli, kbliExists: kbliExists, kbliTitle: kbliTitle, regions: regions,
    kbliResultsHtml: kbliResultsHtml, desaOptionsHtml: desaOptionsHtml, escapeHtml: escapeHtml,
  };
})(self);
