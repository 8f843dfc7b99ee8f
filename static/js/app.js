// Joss Banget Mas: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // A fresh client id for every capture form opened, so no two applications share one
  // (the server renders one too, for browsers without JavaScript).
  function freshClientIds(root) {
    root.querySelectorAll("input[data-client-id]").forEach(function (input) {
      if (!input.dataset.kept && window.crypto && crypto.randomUUID) {
        input.value = crypto.randomUUID();
      }
      input.dataset.kept = "1";
    });
  }

  function chosenCodes(input) {
    return input.value.split(/[\s,;]+/).filter(function (c) { return c.length > 0; });
  }

  function renderChips(form) {
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
      remove.textContent = " ✕";
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-kbli-pick]");
    var remove = event.target.closest("[data-kbli-remove]");
    var form = event.target.closest("form");
    if (!form || (!pick && !remove)) { return; }
    var input = form.querySelector("[data-kbli-input]");
    var list = form.querySelector("[data-kbli-chosen]");
    var codes = chosenCodes(input);
    if (pick) {
      var code = pick.dataset.kbliPick;
      var titles = JSON.parse(list.dataset.titles || "{}");
      titles[code] = pick.dataset.title;
      list.dataset.titles = JSON.stringify(titles);
      if (codes.indexOf(code) < 0) { codes.push(code); }
    } else {
      codes = codes.filter(function (c) { return c !== remove.dataset.kbliRemove; });
    }
    input.value = codes.join(", ");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    renderChips(form);
  });

  document.addEventListener("DOMContentLoaded", function () { freshClientIds(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // A re-rendered form (validation messages) keeps the key it was sent with.
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("input[data-client-id]")
      .forEach(function (input) { input.dataset.kept = "1"; });
  });
})();
