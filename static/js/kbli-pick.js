// KBLI search results on a form without the capture form's own picker (the citizen's
// pre-registration, the officer's correction form): a tap adds the code to the KBLI field
// of the form the results stand in, with a chip naming it.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-kbli-pick]");
    var el = pick && pick.closest("form");
    var input = el && el.querySelector("[data-kbli-input]");
    if (!input) { return; }
    var codes = input.value.split(/[\s,;]+/).filter(Boolean);
    if (codes.indexOf(pick.dataset.kbliPick) < 0) {
      codes.push(pick.dataset.kbliPick);
      var chip = document.createElement("li");
      chip.className = "chip";
      chip.textContent = pick.dataset.kbliPick + " · " + pick.dataset.title;
      el.querySelector("[data-kbli-chosen]").appendChild(chip);
    }
    input.value = codes.join(", ");
  });
})();
