// The product page's price chart: uPlot over /watches/{id}/chart.json,
// a step line of the price, out-of-stock spans shaded, the watch's target
// as a dashed line, ranges, drag-to-zoom (double-click resets), colours
// from the theme's CSS variables, and a table of the same data.
(function () {
  "use strict";

  const el = document.querySelector("[data-chart]");
  if (!el || !window.uPlot) return;
  const uPlot = window.uPlot;
  const productID = el.dataset.chartProduct;
  const emptyBox = document.querySelector("[data-chart-empty]");
  const errorBox = document.querySelector("[data-chart-error]");
  const dailyNote = document.querySelector("[data-chart-daily]");
  const rowsBody = document.querySelector("[data-chart-rows]");
  const tableBox = rowsBody ? rowsBody.closest("details") : null;
  const HEIGHT = 320;
  const TABLE_MAX = 500;

  let data = null; // the last chart.json answer
  let plot = null;
  let seq = 0; // answers to older requests are dropped

  function css(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function moneyFormat(d) {
    try {
      if (d.currency) {
        return new Intl.NumberFormat(undefined, { style: "currency", currency: d.currency,
          minimumFractionDigits: d.digits, maximumFractionDigits: d.digits });
      }
    } catch (e) { /* unknown code: plain digits below */ }
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: d.digits, maximumFractionDigits: d.digits });
  }

  function stockText(v) {
    if (v === 1) return "In stock";
    if (v === 0) return "Out of stock";
    return "Unknown";
  }

  function dateText(ts, daily) {
    const d = new Date(ts * 1000);
    return daily ? d.toLocaleDateString() : d.toLocaleString();
  }

  // shadeOutOfStock paints the spans where s is 0 behind the series.
  function shadeOutOfStock(u) {
    const t = u.data[0];
    const s = data.s;
    const ctx = u.ctx;
    const b = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    ctx.fillStyle = css("--chart-oos", "rgba(180,35,24,.1)");
    for (let i = 0; i < t.length; i++) {
      if (s[i] !== 0) continue;
      let j = i;
      while (j + 1 < t.length && s[j + 1] === 0) j++;
      const x0 = u.valToPos(t[i], "x", true);
      const x1 = u.valToPos(j + 1 < t.length ? t[j + 1] : t[j], "x", true);
      ctx.fillRect(x0, b.top, Math.max(x1 - x0, 1), b.height);
      i = j;
    }
    if (data.daily) { // each day's low–high band behind its close
      const scale = Math.pow(10, data.digits);
      ctx.fillStyle = css("--chart-line", "#1d5fd1");
      ctx.globalAlpha = 0.18;
      for (let i = 0; i + 1 < t.length; i++) {
        const lo = data.lo[i], hi = data.hi[i];
        if (lo === null || hi === null || lo === hi) continue;
        const x0 = u.valToPos(t[i], "x", true);
        const x1 = u.valToPos(t[i + 1], "x", true);
        const y0 = u.valToPos(hi / scale, "y", true);
        const y1 = u.valToPos(lo / scale, "y", true);
        ctx.fillRect(x0, y0, Math.max(x1 - x0, 1), Math.max(y1 - y0, 1));
      }
      ctx.globalAlpha = 1;
    }
    ctx.restore();
  }

  function build() {
    if (plot) { plot.destroy(); plot = null; }
    el.querySelectorAll(".chart-loading").forEach(function (n) { n.remove(); });
    const d = data;
    const n = d.t.length;
    emptyBox.hidden = n > 0;
    if (dailyNote) dailyNote.hidden = !(d.daily && n > 0);
    el.hidden = n === 0;
    el.dataset.points = String(n);
    if (n === 0) { el._uplot = null; fillTable(); return; }
    const scale = Math.pow(10, d.digits);
    const price = d.p.map(function (v) { return v === null ? null : v / scale; });
    const target = d.target === null ? null : d.target / scale;
    let band = null; // the days' lowest low and highest high
    if (d.daily) {
      d.lo.forEach(function (v, i) {
        if (v === null || d.hi[i] === null) return;
        band = band ? [Math.min(band[0], v / scale), Math.max(band[1], d.hi[i] / scale)] : [v / scale, d.hi[i] / scale];
      });
    }
    const fmt = moneyFormat(d);
    const muted = css("--muted", "#5c5f66");
    const grid = css("--border", "#d9d9d3");
    const series = [
      { label: d.daily ? "Day" : "Time", value: function (u, v) { return v == null ? "—" : dateText(v, d.daily); } },
      { label: "Price", stroke: css("--chart-line", "#1d5fd1"), width: 2, paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false }, value: function (u, v) { return v == null ? "—" : fmt.format(v); } },
      { label: "Stock", scale: "stock", paths: function () { return null; }, points: { show: false },
        value: function (u, v) { return stockText(v); } },
    ];
    const cols = [d.t, price, d.s];
    if (target !== null) {
      series.push({ label: "Target", stroke: css("--chart-target", "#b42318"), width: 1.5, dash: [6, 4],
        points: { show: false }, value: function () { return fmt.format(target); } });
      cols.push(d.t.map(function () { return target; }));
    }
    const opts = {
      width: Math.max(el.clientWidth, 280),
      height: HEIGHT,
      scales: {
        x: { time: true },
        y: { range: function (u, min, max) {
          if (min == null) return [0, 1];
          if (target !== null) { min = Math.min(min, target); max = Math.max(max, target); }
          if (band) { min = Math.min(min, band[0]); max = Math.max(max, band[1]); }
          const pad = (max - min) * 0.08 || Math.abs(max) * 0.05 || 1;
          return [Math.max(0, min - pad), max + pad];
        } },
        stock: { range: [0, 1] },
      },
      series: series,
      axes: [
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 80,
          values: function (u, vals) { return vals.map(function (v) { return fmt.format(v); }); } },
      ],
      cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 7 } },
      legend: { live: true },
      hooks: { drawClear: [shadeOutOfStock] },
    };
    plot = new uPlot(opts, cols, el);
    el._uplot = plot;
    fillTable();
  }

  // fillTable writes the table fallback (the newest TABLE_MAX changes).
  function fillTable() {
    if (!rowsBody || !data) return;
    rowsBody.textContent = "";
    const d = data;
    const fmt = moneyFormat(d);
    const scale = Math.pow(10, d.digits);
    const n = d.t.length;
    // The last point repeats the one before it at the range's end.
    const last = n > 1 && d.p[n - 1] === d.p[n - 2] && d.s[n - 1] === d.s[n - 2] ? n - 1 : n;
    const start = Math.max(0, last - TABLE_MAX);
    for (let i = last - 1; i >= start; i--) {
      const tr = document.createElement("tr");
      const c1 = document.createElement("td"); c1.textContent = dateText(d.t[i], d.daily);
      const c2 = document.createElement("td"); c2.className = "num";
      c2.textContent = d.p[i] === null ? "—" : fmt.format(d.p[i] / scale);
      if (d.daily && d.lo[i] !== null && d.lo[i] !== d.hi[i]) {
        c2.textContent += " (" + fmt.format(d.lo[i] / scale) + " – " + fmt.format(d.hi[i] / scale) + ")";
      }
      const c3 = document.createElement("td"); c3.textContent = stockText(d.s[i]);
      tr.append(c1, c2, c3);
      rowsBody.appendChild(tr);
    }
    if (n === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td"); td.colSpan = 3; td.className = "muted"; td.textContent = "No history in this range.";
      tr.appendChild(td);
      rowsBody.appendChild(tr);
    }
    if (tableBox) tableBox.dataset.rows = String(rowsBody.children.length);
  }

  async function load(range) {
    const my = ++seq;
    el.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(el.dataset.chart + "?range=" + encodeURIComponent(range), { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const d = await res.json();
      if (my !== seq) return;
      data = d;
      el.dataset.range = range;
      errorBox.hidden = true;
      build();
    } catch (e) {
      if (my !== seq) return;
      errorBox.textContent = "The chart could not be loaded (" + e.message + "). Reload the page to try again.";
      errorBox.hidden = false;
    } finally {
      if (my === seq) el.removeAttribute("aria-busy");
    }
  }

  document.querySelectorAll("[data-range]").forEach(function (b) {
    if (b === el) return;
    b.addEventListener("click", function () {
      document.querySelectorAll("button[data-range]").forEach(function (o) {
        o.setAttribute("aria-pressed", o === b ? "true" : "false");
      });
      load(b.dataset.range);
    });
  });

  new ResizeObserver(function () {
    if (plot) plot.setSize({ width: Math.max(el.clientWidth, 280), height: HEIGHT });
  }).observe(el.parentElement);

  // Theme changes re-read the colours.
  document.addEventListener("sw:theme", function () { if (data) build(); });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () { if (data) build(); });
  // A check of this product changed something: reload the range shown.
  document.addEventListener("sw:product", function (ev) {
    const id = ev.detail && ev.detail.id;
    if (!id || String(id) === productID) load(el.dataset.range);
  });

  load(el.dataset.range || "30d");
})();
