// The survey kiosk (/petugas/survei-kiosk): answers go to the phone's queue
// (sw/survey.js) at once, then to the server whenever it can be reached.
(function () {
  "use strict";

  var RETRY_MS = 15000;
  var form = document.querySelector("[data-kiosk-form]");
  if (!form || !window.JBM || !window.JBM.survey) { return; }
  var survey = window.JBM.survey;
  var pending = document.querySelector("[data-kiosk-pending]");
  var thanks = document.querySelector("[data-kiosk-thanks]");
  var error = document.querySelector("[data-kiosk-error]");
  var ELEMENTS = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];
  var PROFILE = ["gender", "age_group", "education", "occupation"];

  function showCount() {
    return survey.count().then(function (n) { pending.textContent = String(n); });
  }

  function send() {
    return survey.replay().then(showCount, showCount);
  }

  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var answers = {};
    var missing = ELEMENTS.filter(function (name) {
      answers[name] = value(name);
      return !answers[name];
    });
    error.hidden = missing.length === 0;
    if (missing.length) {
      document.getElementById(missing[0]).scrollIntoView();
      return;
    }
    PROFILE.forEach(function (name) { answers[name] = value(name); });
    var round = value("round_id");
    var body = { answers: answers, kecamatan: value("kecamatan") || null,
                 round_id: round ? Number(round) : null };
    survey.add(body).then(function () {
      // The next respondent starts from a clean form; the round and kecamatan stay.
      form.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
      PROFILE.forEach(function (name) { form.elements.namedItem(name).value = ""; });
      thanks.hidden = false;
      window.scrollTo(0, 0);
      return showCount();
    }).then(send);
  });

  window.addEventListener("online", send);
  setInterval(send, RETRY_MS);
  send();
})();
