// The alerts, channels, notifications and catalog pages: per-kind
// fieldsets, a rule's channel checkboxes as one JSON field, a channel's
// "Send test" with its result on the page, and edit forms that send only
// what changed. Requests go through app.js (window.shelfwatch).
(function () {
  "use strict";

  // showKinds shows the fieldsets of a form whose data-kinds name the
  // selected kind. Hidden fields are disabled and lose their name, so
  // app.js neither sends them nor puts an API error next to them.
  function showKinds(select) {
    const form = select.form;
    if (!form) return;
    form.querySelectorAll("fieldset[data-kinds]").forEach(function (fs) {
      const on = fs.dataset.kinds.split(" ").indexOf(select.value) >= 0;
      fs.hidden = !on;
      fs.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (el.dataset.name === undefined) el.dataset.name = el.getAttribute("name") || "";
        el.disabled = !on;
        if (on && el.dataset.name) el.setAttribute("name", el.dataset.name); else el.removeAttribute("name");
      });
    });
    // A new webhook's signing secret is shown once; other kinds reload.
    if (form.matches("[data-channel-form][data-method=POST]")) {
      form.dataset.then = select.value === "webhook" ? "secret:signing_secret|Webhook signing secret" : "reload";
    }
  }

  function syncChannels(form) {
    const hidden = form.querySelector("[data-rule-channels]");
    if (!hidden) return;
    const ids = Array.from(form.querySelectorAll("[data-rule-channel]:checked")).map(function (b) { return parseInt(b.value, 10); });
    hidden.value = JSON.stringify(ids);
  }

  function serviceHint(select) {
    const opt = select.selectedOptions[0];
    const form = select.form;
    if (!opt || !form) return;
    const input = document.getElementById(select.dataset.service);
    if (input) input.placeholder = opt.dataset.example || "";
    const hint = form.querySelector("[data-service-hint]");
    if (hint) hint.textContent = opt.dataset.hint || "";
  }

  function init(root) {
    root.querySelectorAll("[data-rule-kind], [data-channel-kind]").forEach(showKinds);
    root.querySelectorAll("select[data-service]").forEach(serviceHint);
  }

  document.addEventListener("change", function (ev) {
    const t = ev.target;
    if (t.matches("[data-rule-kind], [data-channel-kind]")) showKinds(t);
    if (t.matches("[data-rule-channel]") && t.form) syncChannels(t.form);
    if (t.matches("select[data-service]")) serviceHint(t);
  });

  // A webhook's new URL gets a new signing secret: show it once.
  document.addEventListener("input", function (ev) {
    const form = ev.target.closest("form[data-webhook-edit]");
    if (!form || ev.target.name !== "url") return;
    form.dataset.then = ev.target.value.trim() ? "secret:signing_secret|New webhook signing secret" : "reload";
  });

  // Before app.js serialises a form (it listens on bubbling), leave out
  // the fields marked data-omit-unchanged that still hold their value:
  // changing an email channel's To or From needs its SMTP URL again.
  document.addEventListener("submit", function (ev) {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    syncChannels(form);
    const off = [];
    form.querySelectorAll("[data-omit-unchanged]").forEach(function (el) {
      if (!el.disabled && el.value === el.defaultValue) { el.disabled = true; off.push(el); }
    });
    if (off.length) setTimeout(function () { off.forEach(function (el) { el.disabled = false; }); }, 0);
  }, true);

  // "Send test": the result stays on the page, next to the channel.
  document.addEventListener("click", async function (ev) {
    const b = ev.target.closest("button[data-channel-test]");
    if (!b || !window.shelfwatch) return;
    const out = document.getElementById(b.getAttribute("aria-controls"));
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
    if (out) { out.hidden = false; out.className = "test-result busy"; out.textContent = "Sending a test message…"; }
    try {
      const res = await window.shelfwatch.api("POST", b.dataset.channelTest, {});
      const d = res.data || {};
      if (out) {
        out.className = "test-result " + (res.ok ? "ok" : "err");
        out.textContent = res.ok ? "Test sent: the receiver accepted it." : "Test failed: " + (d.detail || d.title || res.status);
      }
    } catch (e) {
      if (out) { out.className = "test-result err"; out.textContent = "Could not reach shelfwatch: check your connection."; }
    } finally {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
