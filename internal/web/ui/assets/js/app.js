// shelfwatch's page script. Pages are rendered on the server; every change
// goes to the JSON API (/api/v1) with the session cookie. This file turns
// elements marked data-api into those requests, shows the API's errors next
// to the fields they name, and applies live updates from /events.
(function () {
  "use strict";

  // ---- JSON API requests -------------------------------------------------

  async function api(method, url, body) {
    const opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    let data = null;
    const text = await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { detail: text }; }
    }
    return { ok: res.ok, status: res.status, data: data, retryAfter: res.headers.get("Retry-After") };
  }

  function setPath(obj, path, value) {
    const parts = path.split(".");
    let o = obj;
    for (let i = 0; i < parts.length - 1; i++) {
      o = o[parts[i]] = o[parts[i]] || {};
    }
    o[parts[parts.length - 1]] = value;
  }

  function splitList(v, sep) {
    return v.split(sep).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  // formBody builds the JSON object from a form's named fields. data-type on
  // a field: int, float, bool, list (comma separated), lines, json; empty
  // fields are sent as "" unless data-omit-empty (left out) or data-null-empty.
  function formBody(form) {
    const body = {};
    const lists = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") continue;
      const type = el.dataset.type || "";
      if (el.type === "checkbox" && type === "set") { // several checkboxes, one array
        lists[el.name] = lists[el.name] || [];
        if (el.checked) lists[el.name].push(el.value);
        continue;
      }
      if (el.type === "radio" && !el.checked) continue;
      let v;
      if (el.type === "checkbox") v = el.checked;
      else if (el.multiple) v = Array.from(el.selectedOptions).map(function (o) { return o.value; });
      else v = el.value;
      if (typeof v === "string") {
        if (v.trim() === "" && el.dataset.omitEmpty !== undefined) continue;
        if (v.trim() === "" && el.dataset.nullEmpty !== undefined) { setPath(body, el.name, null); continue; }
        if (type === "int") v = parseInt(v, 10);
        else if (type === "float") v = parseFloat(v);
        else if (type === "bool") v = v === "true";
        else if (type === "list") v = splitList(v, ",");
        else if (type === "lines") v = splitList(v, "\n");
        else if (type === "json") { try { v = JSON.parse(v || "null"); } catch (e) { v = v; } }
      }
      setPath(body, el.name, v);
    }
    for (const k in lists) setPath(body, k, lists[k]);
    return body;
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (e) {
      e.removeAttribute("aria-invalid");
      const ids = (e.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return !id.startsWith("err-"); });
      if (ids.length) e.setAttribute("aria-describedby", ids.join(" ")); else e.removeAttribute("aria-describedby");
    });
    const box = form.querySelector(".form-error");
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  function problemText(res) {
    const d = res.data || {};
    let msg = d.detail || d.title || ("The request failed (" + res.status + ").");
    if (res.status === 429 && res.retryAfter && !/try again/i.test(msg)) msg += " Try again in " + res.retryAfter + " s.";
    return msg;
  }

  function showErrors(form, res) {
    const d = res.data || {};
    const unplaced = [];
    (d.errors || []).forEach(function (fe, i) {
      const field = form.querySelector('[name="' + CSS.escape(fe.field) + '"]');
      if (!field) { unplaced.push(fe.field + " " + fe.detail); return; }
      if (field.type === "hidden") return; // the detail above says it; nothing to fix there
      const p = document.createElement("p");
      p.className = "field-error";
      p.id = "err-" + i + "-" + Math.random().toString(36).slice(2, 7);
      p.textContent = fe.detail;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      field.insertAdjacentElement("afterend", p);
    });
    let box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    let text = problemText(res);
    // The API's generic "Fix the fields listed in errors." reads oddly on a
    // form: the errors are next to their fields.
    if ((d.errors || []).length && !unplaced.length && /^Fix the fields listed in errors/.test(text)) {
      text = "Check the marked field" + (d.errors.length > 1 ? "s" : "") + " below.";
    }
    box.textContent = text + (unplaced.length ? " (" + unplaced.join("; ") + ")" : "");
    box.hidden = false;
    const first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  function toast(msg, isError) {
    const t = document.getElementById("toast");
    if (!t) return;
    const m = document.createElement("div");
    m.className = "msg" + (isError ? " err" : "");
    m.textContent = msg;
    t.appendChild(m);
    setTimeout(function () { m.remove(); }, isError ? 8000 : 4000);
  }

  function fill(template, data) {
    return template.replace(/\{([a-z_]+)\}/g, function (_, k) {
      return data && data[k] !== undefined ? encodeURIComponent(data[k]) : "";
    });
  }

  function showSecret(label, value, then) {
    const dlg = document.createElement("dialog");
    dlg.setAttribute("aria-labelledby", "secret-title");
    const h = document.createElement("h2"); h.id = "secret-title"; h.textContent = label;
    const p = document.createElement("p"); p.textContent = "Copy it now: it is shown only once.";
    const code = document.createElement("p"); code.className = "secret-box mono"; code.textContent = value;
    code.setAttribute("data-secret", "");
    const actions = document.createElement("div"); actions.className = "actions";
    const copy = document.createElement("button"); copy.type = "button"; copy.textContent = "Copy";
    copy.addEventListener("click", function () {
      if (navigator.clipboard) navigator.clipboard.writeText(value).then(function () { toast("Copied"); });
    });
    const close = document.createElement("button"); close.type = "button"; close.className = "primary"; close.textContent = "Done";
    close.addEventListener("click", function () { dlg.close(); });
    dlg.addEventListener("close", function () { dlg.remove(); then(); });
    actions.append(copy, close);
    dlg.append(h, p, code, actions);
    document.body.appendChild(dlg);
    dlg.showModal();
  }

  // after runs an element's data-then once its request succeeded.
  function after(el, res) {
    const then = el.dataset.then || "reload";
    const data = res.data || {};
    if (el.dataset.done) toast(el.dataset.done);
    const [kind, arg] = then.split(/:(.*)/s);
    if (kind === "redirect") { window.location.assign(fill(arg || "/", data)); return; }
    if (kind === "reload") { window.location.reload(); return; }
    if (kind === "replace") {
      const tpl = el.querySelector("template[data-success]");
      if (tpl) el.replaceWith(tpl.content.cloneNode(true));
      return;
    }
    if (kind === "refresh") {
      document.querySelectorAll(arg).forEach(function (t) { refresh(t); });
      if (el.tagName === "FORM" && el.dataset.keep === undefined) el.reset();
      return;
    }
    if (kind === "secret") {
      const [field, label] = (arg || "secret").split("|");
      showSecret(label || "Your secret", data[field] || "", function () { window.location.reload(); });
      return;
    }
    if (kind === "toast") { toast(arg); if (el.tagName === "FORM" && el.dataset.keep === undefined) el.reset(); }
  }

  async function send(el, method, url, body) {
    if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
    const submitter = el.tagName === "FORM" ? el.querySelector('[type="submit"]') : el;
    if (submitter) { submitter.disabled = true; submitter.setAttribute("aria-busy", "true"); }
    try {
      const res = await api(method, url, body);
      if (res.ok) {
        after(el, res);
      } else if (el.tagName === "FORM") {
        showErrors(el, res);
      } else {
        toast(problemText(res), true);
      }
    } catch (e) {
      const msg = "Could not reach shelfwatch: check your connection and try again.";
      if (el.tagName === "FORM") showErrors(el, { status: 0, data: { detail: msg } }); else toast(msg, true);
    } finally {
      if (submitter) { submitter.disabled = false; submitter.removeAttribute("aria-busy"); }
    }
  }

  document.addEventListener("submit", function (ev) {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    ev.preventDefault();
    clearErrors(form);
    const method = (form.dataset.method || "POST").toUpperCase();
    const url = fill(form.dataset.api, {});
    send(form, method, url, method === "DELETE" ? undefined : formBody(form));
  });

  document.addEventListener("click", function (ev) {
    const el = ev.target.closest("button[data-api], a[data-api]");
    if (!el || el.tagName === "FORM") return;
    ev.preventDefault();
    const method = (el.dataset.method || "POST").toUpperCase();
    let body;
    if (el.dataset.body) body = JSON.parse(el.dataset.body);
    else if (method !== "DELETE" && method !== "GET") body = {};
    send(el, method, el.dataset.api, body);
  });

  // ---- Small conveniences -------------------------------------------------

  const root = document.documentElement;
  const saved = localStorage.getItem("shelfwatch-theme");
  if (saved) root.dataset.theme = saved;
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest("[data-theme-toggle]")) return;
    const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    localStorage.setItem("shelfwatch-theme", root.dataset.theme);
    document.dispatchEvent(new CustomEvent("sw:theme"));
  });

  document.addEventListener("change", async function (ev) {
    const sel = ev.target.closest("select[data-switch-workspace]");
    if (!sel) return;
    const res = await api("POST", "/api/v1/session/workspace", { workspace_id: parseInt(sel.value, 10) });
    if (res.ok) window.location.assign("/"); else toast(problemText(res), true);
  });

  // Bulk actions on the dashboard: the checked rows, one API call each.
  function selected() {
    return Array.from(document.querySelectorAll('input[name="ids"]:checked'));
  }
  function updateBulkBar() {
    const bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    const n = selected().length;
    bar.hidden = n === 0;
    const c = bar.querySelector("[data-bulk-count]");
    if (c) c.textContent = n + " selected";
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-bulk-all]")) {
      document.querySelectorAll('input[name="ids"]').forEach(function (b) { b.checked = ev.target.checked; });
    }
    if (ev.target.matches('input[name="ids"], [data-bulk-all]')) updateBulkBar();
  });
  document.addEventListener("click", async function (ev) {
    const b = ev.target.closest("[data-bulk]");
    if (!b) return;
    const boxes = selected();
    if (!boxes.length) return;
    const action = b.dataset.bulk;
    let tag = "";
    if (action === "delete" && !window.confirm("Delete " + boxes.length + " watch(es)? Their alert rules go too.")) return;
    if (action === "tag") {
      tag = (window.prompt("Tag to add to " + boxes.length + " watch(es):") || "").trim();
      if (!tag) return;
    }
    b.disabled = true;
    let failed = 0;
    for (const box of boxes) {
      const row = box.closest("tr");
      const url = "/api/v1/watches/" + box.value;
      let res;
      if (action === "delete") res = await api("DELETE", url);
      else if (action === "pause" || action === "resume") res = await api("PATCH", url, { paused: action === "pause" });
      else {
        const tags = JSON.parse(row.dataset.tags || "null") || [];
        if (!tags.includes(tag)) tags.push(tag);
        res = await api("PATCH", url, { tags: tags });
      }
      if (!res.ok) { failed++; toast(problemText(res), true); }
    }
    b.disabled = false;
    if (!failed) toast("Done: " + boxes.length + " watch(es).");
    window.location.reload();
  });

  // ---- Live updates -------------------------------------------------------

  // refresh reloads an element from its data-refresh URL (an HTML fragment
  // that replaces it).
  function refresh(el) {
    const url = el.dataset.refresh;
    if (!url || !window.htmx) return;
    window.htmx.ajax("GET", url, { target: el, swap: "outerHTML" }).then(function () {
      const again = el.id ? document.getElementById(el.id) : null;
      if (again) { again.classList.add("flash"); }
    });
  }

  function refreshAll(selector) {
    document.querySelectorAll(selector).forEach(refresh);
  }

  function live() {
    const url = document.body.dataset.live;
    if (!url || !window.EventSource) return;
    const es = new EventSource(url);
    es.addEventListener("product", function (ev) {
      const id = JSON.parse(ev.data).product_id;
      refreshAll('[data-product="' + id + '"][data-refresh]');
      document.dispatchEvent(new CustomEvent("sw:product", { detail: { id: id } }));
    });
    es.addEventListener("notification", function (ev) {
      refreshAll("[data-live-notifications][data-refresh]");
      document.dispatchEvent(new CustomEvent("sw:notification", { detail: JSON.parse(ev.data) }));
    });
    es.addEventListener("catalog", function () {
      refreshAll("[data-live-catalog][data-refresh]");
    });
    es.addEventListener("resync", function () {
      refreshAll("[data-refresh]");
      document.dispatchEvent(new CustomEvent("sw:product", { detail: { id: 0 } }));
    });
  }

  // A product image the store no longer has shows the empty tile, not a
  // broken-image icon.
  document.addEventListener("error", function (ev) {
    if (ev.target && ev.target.tagName === "IMG") ev.target.classList.add("broken");
  }, true);

  // A product waiting for its first check polls its fragment (aria-busy);
  // when the answer is the checked product, the rest of the page (the
  // chart) hears about it as it would from a live update.
  document.addEventListener("htmx:afterRequest", function (ev) {
    const elt = ev.detail && ev.detail.elt;
    const xhr = ev.detail && ev.detail.xhr;
    if (!elt || !xhr || elt.getAttribute("aria-busy") !== "true" || !elt.dataset.product) return;
    if (ev.detail.successful && xhr.responseText.indexOf('aria-busy="true"') < 0) {
      document.dispatchEvent(new CustomEvent("sw:product", { detail: { id: parseInt(elt.dataset.product, 10) } }));
    }
  });

  window.shelfwatch = { api: api, toast: toast, refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", live); else live();
})();
