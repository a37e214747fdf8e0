// The product page's alert-rule editor (only the fields of the chosen kind
// are shown and sent: app.js skips disabled fields) and its image fallback.
(function () {
  "use strict";

  // A product image that fails to load (the store moved it, or it is not a
  // picture) becomes the empty tile, also after a live refresh.
  function noImage(img) {
    const s = document.createElement("span");
    s.className = "ph-img noimg";
    s.setAttribute("aria-hidden", "true");
    img.replaceWith(s);
  }
  document.addEventListener("error", function (ev) {
    if (ev.target.matches && ev.target.matches("img.ph-img")) noImage(ev.target);
  }, true);
  document.querySelectorAll("img.ph-img").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) noImage(img);
  });

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
  // The checked channels go as one JSON array of ids (app.js sends
  // checkbox sets as strings; the API wants numbers).
  const ids = form.querySelector("[data-channel-ids]");
  function syncChannels() {
    if (!ids) return;
    const checked = Array.from(form.querySelectorAll("[data-channel]:checked")).map(function (c) { return parseInt(c.value, 10); });
    ids.value = JSON.stringify(checked);
  }
  form.addEventListener("change", function (ev) { if (ev.target.matches("[data-channel]")) syncChannels(); });
  syncChannels();
  kind.addEventListener("change", sync);
  form.addEventListener("reset", function () { setTimeout(sync, 0); });
  sync();
})();
