// The schedule (/jadwal): remember the chosen kecamatan on this phone (a code, nothing
// personal) and keep the page for reading without a signal. The offline copy itself is
// the service worker's (sw/routes.js, schedulePage).
(function () {
  "use strict";
  var KEY = "jbm-jadwal-kecamatan";
  function remember(code) { try { localStorage.setItem(KEY, code); } catch (e) { /* private mode */ } }
  function remembered() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }

  var form = document.querySelector("[data-kecamatan-filter]");
  if (form) {
    var select = form.querySelector("select");
    var chosen = new URLSearchParams(location.search).get("kecamatan");
    var code = remembered();
    if (chosen === null && code && Array.prototype.some.call(select.options, function (o) { return o.value === code; })) {
      location.replace("/jadwal?kecamatan=" + encodeURIComponent(code));
      return;
    }
    if (chosen !== null) { remember(chosen); }
    select.addEventListener("change", function () { remember(select.value); form.submit(); });
  }

  // First visit: the service worker is installed after this page loaded, so it has not seen
  // it. Once it takes over, ask for the page again through it, and it is kept.
  if ("serviceWorker" in navigator && !navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      fetch(location.href, { credentials: "same-origin" }).catch(function () { return null; });
    });
  }
})();
