// The add page's bulk add: one POST /api/v1/watches per line, in order,
// each line's outcome (✓ with a link, or ✗ with the API's message) listed.
(function () {
  "use strict";

  const form = document.querySelector("form[data-bulk-add]");
  if (!form || !window.shelfwatch) return;
  const list = document.querySelector("[data-bulk-results]");
  const summary = document.querySelector("[data-bulk-summary]");

  function message(res) {
    const d = res.data || {};
    const fields = (d.errors || []).map(function (e) { return e.detail; });
    if (fields.length) return fields.join("; ");
    return d.detail || d.title || ("The request failed (" + res.status + ").");
  }

  function line(ok, url, text, href) {
    const li = document.createElement("li");
    li.className = ok ? "ok" : "err";
    li.dataset.result = ok ? "ok" : "error";
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-label", ok ? "Added" : "Not added");
    mark.textContent = ok ? "✓" : "✗";
    const u = document.createElement("span");
    u.className = "mono url";
    u.textContent = url;
    const t = document.createElement(href ? "a" : "span");
    if (href) t.href = href;
    t.className = "why";
    t.textContent = text;
    li.append(mark, " ", u, " ", t);
    return li;
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const urls = form.elements.urls.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (!urls.length) { form.elements.urls.focus(); return; }
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    list.textContent = "";
    let added = 0;
    for (const url of urls) {
      let res;
      try {
        res = await window.shelfwatch.api("POST", "/api/v1/watches", { url: url });
      } catch (e) {
        res = { ok: false, status: 0, data: { detail: "Could not reach shelfwatch." } };
      }
      if (res.ok) {
        added++;
        list.appendChild(line(true, url, "added: open it", "/watches/" + res.data.id));
      } else {
        list.appendChild(line(false, url, message(res)));
      }
    }
    summary.textContent = added + " of " + urls.length + " added.";
    summary.hidden = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
})();
