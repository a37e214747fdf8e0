// Settings and admin pages: what app.js's data-api forms do not cover —
// signing out every other session, the proxy pools table, the proxy pool
// choices of a domain, and the live CSS-selector test.
(function () {
  "use strict";
  const sw = window.shelfwatch;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function problem(res) {
    const d = res.data || {};
    let msg = d.detail || d.title || ("The request failed (" + res.status + ").");
    (d.errors || []).forEach(function (fe) { msg += " " + fe.field + ": " + fe.detail + "."; });
    return msg;
  }

  // "Sign out all other sessions": one DELETE per other session.
  document.addEventListener("click", async function (ev) {
    const b = ev.target.closest("[data-revoke-others]");
    if (!b) return;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    b.disabled = true;
    let failed = 0;
    for (const row of document.querySelectorAll("[data-other-session]")) {
      const res = await sw.api("DELETE", "/api/v1/auth/sessions/" + row.dataset.otherSession);
      if (!res.ok && res.status !== 404) { failed++; sw.toast(problem(res), true); }
    }
    b.disabled = false;
    if (!failed) window.location.reload();
  });

  // Proxy pools come from the server's configuration, through the API.
  async function proxyTable(box) {
    const res = await sw.api("GET", box.dataset.proxyTable);
    box.replaceChildren();
    if (!res.ok) { box.append(el("p", "form-error", problem(res))); return; }
    const items = (res.data && res.data.items) || [];
    if (!items.length) {
      box.append(el("p", "muted", "No proxy pools are configured: every request goes out directly."));
      return;
    }
    const wrap = el("div", "table-wrap");
    const t = el("table", "proxies");
    const head = el("tr");
    ["Pool", "Proxies", "Addresses", "Default"].forEach(function (h, i) {
      const th = el("th", i === 1 ? "num" : "", h); th.scope = "col"; head.append(th);
    });
    const thead = el("thead"); thead.append(head);
    const tbody = el("tbody");
    items.forEach(function (p) {
      const tr = el("tr");
      tr.dataset.pool = p.name;
      tr.append(el("td", "mono", p.name));
      tr.append(el("td", "num", (p.proxies || []).length));
      const addrs = el("td", "mono small");
      (p.proxies || []).forEach(function (u, i) {
        if (i) addrs.append(el("br"));
        addrs.append(document.createTextNode(u));
      });
      tr.append(addrs);
      const d = el("td");
      if (p.default) d.append(el("span", "badge good", "default")); else d.append(el("span", "muted", "—"));
      tr.append(d);
      tbody.append(tr);
    });
    t.append(thead, tbody);
    wrap.append(t);
    box.append(wrap);
  }

  async function proxyChoices(sel) {
    const res = await sw.api("GET", "/api/v1/admin/proxies");
    if (!res.ok) return;
    const have = new Set(Array.from(sel.options).map(function (o) { return o.value; }));
    ((res.data && res.data.items) || []).forEach(function (p) {
      if (have.has(p.name)) return;
      const o = el("option", "", p.name + (p.default ? " (default)" : ""));
      o.value = p.name;
      sel.append(o);
    });
    if (!have.has("direct")) {
      const o = el("option", "", "Direct (no proxy)"); o.value = "direct";
      // Only offered when pools exist: without them every request is direct.
      if (sel.options.length > 1) sel.append(o);
    }
    sel.value = sel.dataset.current || "";
  }

  // ---- Live selector test ------------------------------------------------

  function selectorsOf(form) {
    const out = {};
    form.querySelectorAll('[name^="selectors."]').forEach(function (i) {
      out[i.name.slice("selectors.".length)] = i.value;
    });
    return out;
  }

  function shown(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }

  function renderResult(box, data) {
    box.replaceChildren();
    const f = data.fetch || {};
    const p = el("p", "small");
    p.append("Fetched ", el("span", "mono", data.final_url || data.url), " · " + shown(f.summary));
    box.append(p);
    if (!data.with_rules) {
      box.append(el("p", "form-error", "No page to test: " + shown(f.summary) + "."));
      return;
    }
    const w = data.with_rules, wo = data.without_rules;
    const t = el("table", "selector-result");
    const head = el("tr");
    ["", "With these rules", "Without rules"].forEach(function (h) { const th = el("th", "", h); th.scope = "col"; head.append(th); });
    const thead = el("thead"); thead.append(head);
    const tbody = el("tbody");
    [["Price", function (o) { return o.price ? o.price + (o.currency ? " " + o.currency : "") : ""; }, "price"],
     ["Title", function (o) { return o.title; }, "title"],
     ["Availability", function (o) { return o.availability; }, "availability"],
     ["Image", function (o) { return o.image; }, "image"],
     ["Price from", function (o) { return o.source + " (confidence " + Math.round((o.confidence || 0) * 100) + " %)"; }, "source"]
    ].forEach(function (r) {
      const tr = el("tr");
      tr.dataset.field = r[2];
      const th = el("th", "", r[0]); th.scope = "row";
      tr.append(th, el("td", "with", shown(r[1](w))), el("td", "muted", shown(r[1](wo))));
      tbody.append(tr);
    });
    t.append(thead, tbody);
    const wrap = el("div", "table-wrap"); wrap.append(t);
    box.append(wrap);
    const m = data.matched || {};
    const keys = Object.keys(m);
    if (keys.length) {
      const ul = el("ul", "matches small");
      keys.sort().forEach(function (k) {
        const li = el("li");
        li.append(el("strong", "", k + " "), el("code", "", m[k].selector), " ");
        if (m[k].matches === 0) li.append(el("span", "badge st-failing", "matched nothing"));
        else li.append(document.createTextNode("→ " + m[k].matches + " match" + (m[k].matches === 1 ? "" : "es") + ", first: “" + shown(m[k].first) + "”"));
        ul.append(li);
      });
      box.append(ul);
    }
  }

  document.addEventListener("submit", async function (ev) {
    const form = ev.target.closest("form[data-selector-test]");
    if (!form) return;
    ev.preventDefault();
    const src = document.querySelector(form.dataset.selectorsFrom);
    const box = document.getElementById("selector-result");
    const err = form.querySelector(".form-error");
    err.hidden = true;
    const btn = form.querySelector('[type="submit"]');
    btn.disabled = true; btn.setAttribute("aria-busy", "true");
    form.classList.add("htmx-request"); // shows the spinner
    box.replaceChildren(el("p", "muted", "Fetching the page…"));
    const body = { selectors: selectorsOf(src) };
    const url = form.querySelector('[name="url"]');
    if (url && url.value) body.url = url.value;
    try {
      const res = await sw.api("POST", form.dataset.selectorTest, body);
      if (res.ok) renderResult(box, res.data || {});
      else { box.replaceChildren(); err.textContent = problem(res); err.hidden = false; }
    } catch (e) {
      box.replaceChildren();
      err.textContent = "Could not reach shelfwatch: check your connection and try again.";
      err.hidden = false;
    } finally {
      btn.disabled = false; btn.removeAttribute("aria-busy");
      form.classList.remove("htmx-request");
    }
  });

  function init() {
    document.querySelectorAll("[data-proxy-table]").forEach(proxyTable);
    document.querySelectorAll("select[data-proxy-pools]").forEach(proxyChoices);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
