// The product page's alert-rule editor: only the fields of the chosen kind
// are shown and sent (app.js skips disabled fields).
(function () {
  "use strict";

  const form = document.querySelector("[data-rule-form]");
  if (!form) return;
  const kind = form.querySelector('select[name="kind"]');

  function sync() {
    form.querySelectorAll("[data-for]").forEach(function (box) {
      const on = box.dataset.for.split(" ").indexOf(kind.value) >= 0;
      box.hidden = !on;
      box.querySelectorAll("input, select, textarea").forEach(function (f) { f.disabled = !on; });
    });
  }
  kind.addEventListener("change", sync);
  form.addEventListener("reset", function () { setTimeout(sync, 0); });
  sync();
})();
