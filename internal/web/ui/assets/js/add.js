// The add page: saving one product (POST /api/v1/watches, then the chosen
// alert rules, then its page), and bulk add: one POST per line, in order,
// each line's outcome (✓ with a link, or ✗ with the API's message) listed.
(function () {
  "use strict";

  if (!window.shelfwatch) return;
  const api = window.shelfwatch.api;

  function problem(res) {
    const d = res.data || {};
    return d.detail || d.title || ("The request failed (" + res.status + ").");
  }

  // ---- One product ----------------------------------------------------------

  const add = document.querySelector("form[data-add-form]");
  function clearErrors() {
    add.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    add.querySelectorAll("[aria-invalid]").forEach(function (f) {
      f.removeAttribute("aria-invalid");
      const ids = (f.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return !id.startsWith("err-"); });
      if (ids.length) f.setAttribute("aria-describedby", ids.join(" ")); else f.removeAttribute("aria-describedby");
    });
    const box = add.querySelector(".form-error");
    box.hidden = true;
    box.textContent = "";
  }
  // showErrors puts the API's field errors next to their fields and its
  // detail in the form's error box.
  function showErrors(res, extra) {
    const box = add.querySelector(".form-error");
    const unplaced = [];
    ((res.data || {}).errors || []).forEach(function (fe, i) {
      const field = add.querySelector('[name="' + CSS.escape(fe.field) + '"]');
      if (!field) { unplaced.push(fe.field + " " + fe.detail); return; }
      const p = document.createElement("p");
      p.className = "field-error";
      p.id = "err-add-" + i;
      p.textContent = fe.detail;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      field.insertAdjacentElement("afterend", p);
    });
    box.textContent = problem(res) + (unplaced.length ? " (" + unplaced.join("; ") + ")" : "") + (extra || "");
    box.hidden = false;
    const first = add.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }
  function watchBody() {
    const f = add.elements;
    const body = { url: f.url.value.trim() };
    const opt = function (name) { const el = f[name]; return el && el.value.trim() !== "" ? el.value.trim() : null; };
    if (opt("target_price") !== null) body.target_price = opt("target_price");
    if (opt("currency") !== null) body.currency = opt("currency");
    if (opt("min_interval") !== null) body.min_interval = opt("min_interval");
    body.tags = f.tags.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    body.notes = f.notes.value;
    return body;
  }
  if (add) {
    add.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearErrors();
      const button = add.querySelector('[type="submit"]');
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      try {
        const body = watchBody();
        const res = await api("POST", "/api/v1/watches", body);
        if (!res.ok) { showErrors(res); return; }
        const id = res.data.id;
        const channels = JSON.parse(add.dataset.channels || "[]");
        const failed = [];
        for (const box of add.querySelectorAll("[data-alert]:checked")) {
          const kind = box.dataset.alert;
          if (kind === "price_at_or_below" && body.target_price === undefined) continue; // no target to reach
          const r = await api("POST", "/api/v1/rules", { watch_id: id, kind: kind, channel_ids: channels });
          if (!r.ok) failed.push(box.parentElement.textContent.trim() + ": " + problem(r));
        }
        if (failed.length) {
          // The watch exists: say which alerts are missing and where to go.
          showErrors({ status: 0, data: { detail: "Saved, but some alerts were not: " + failed.join("; ") + "." } });
          const a = document.createElement("a");
          a.href = "/watches/" + id;
          a.textContent = " Open the product";
          add.querySelector(".form-error").appendChild(a);
          return;
        }
        window.location.assign("/watches/" + id);
      } catch (e) {
        showErrors({ status: 0, data: { detail: "Could not reach shelfwatch: check your connection and try again." } });
      } finally {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    });
  }

  // ---- Many products --------------------------------------------------------

  const form = document.querySelector("form[data-bulk-add]");
  if (!form) return;
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
        res = await api("POST", "/api/v1/watches", { url: url });
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
