// Compare: 2-10 runs overlaid, a colour per run (training solid, validation dashed), and
// their params side by side with the ones that differ highlighted.

import { api } from "./api.js";
import { ChartGroup, color, columns, loadUPlot } from "./charts.js";
import { $, fill, badge, fmt, h, header, notice, query, resolveKeys, start } from "./ui.js";

const FAMILIES = [
  ["loss", ["train_loss", "val_loss"]],
  ["accuracy", ["train_acc", "val_acc"]],
  ["learning rate", ["lr"]],
  ["gradient norm", ["grad_norm"]],
];

function show(value) {
  if (value === undefined) return "—";
  return typeof value === "object" && value !== null ? JSON.stringify(value) : fmt(value);
}

function paramsTable(runs) {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.run.params || {})))].sort();
  fill($("#params thead"), h("tr", {}, h("th", { scope: "col" }, "param"),
    runs.map((r, i) => h("th", { scope: "col" }, h("span", { class: "swatch", dataset: { i } }), r.run.name))));
  fill($("#params tbody"), ...keys.map((k) => {
    const values = runs.map((r) => (r.run.params || {})[k]);
    const differ = new Set(values.map((v) => JSON.stringify(v === undefined ? null : v))).size > 1;
    return h("tr", { class: differ ? "diff" : "same", dataset: { param: k } },
      h("th", { scope: "row" }, k), values.map((v) => h("td", {}, show(v))));
  }));
  applyFilter();
}

function applyFilter() {
  const only = $("#only-diff").checked;
  for (const tr of document.querySelectorAll("#params tbody tr.same")) tr.hidden = only;
}

function paint() {
  // Swatches take their run's colour here (the page's CSP allows no inline styles).
  for (const el of document.querySelectorAll(".swatch")) el.style.background = color(Number(el.dataset.i));
}

async function main() {
  header("Compare");
  const ids = (query("runs") || "").split(",").map((s) => s.trim()).filter(Boolean);
  $("#ids").value = ids.join(",");
  $("#controls").addEventListener("submit", (e) => {
    e.preventDefault();
    location.search = `?runs=${$("#ids").value.split(",").map((s) => encodeURIComponent(s.trim())).filter(Boolean).join(",")}`;
  });
  $("#only-diff").addEventListener("change", applyFilter);
  if (ids.length < 2 || ids.length > 10) {
    notice("Choose 2 to 10 runs: tick them on the Runs page, or give their ids above.", "info");
    document.body.dataset.ready = "true";
    return;
  }
  const uPlot = await loadUPlot();
  const width = $("#charts").clientWidth || 800;
  const runs = await Promise.all(ids.map(async (id) => {
    const run = await api(`runs/${encodeURIComponent(id)}`);
    const [metrics, diagnosis] = await Promise.all([
      api(`runs/${encodeURIComponent(id)}/metrics`, { query: { max_points: Math.max(1000, 2 * width) } }),
      api(`runs/${encodeURIComponent(id)}/diagnosis`).catch(() => null),
    ]);
    return { run, series: metrics.series, diagnosis, resolved: resolveKeys(Object.keys(metrics.series)) };
  }));
  fill($("#legend"), ...runs.map((r, i) => h("li", { dataset: { run: r.run.id } },
    h("span", { class: "swatch", dataset: { i } }),
    h("a", { href: `/runs/${encodeURIComponent(r.run.id)}` }, r.run.name), " ",
    badge(r.diagnosis && r.diagnosis.status, r.diagnosis && r.diagnosis.cause))));
  paramsTable(runs);
  paint();
  if (!uPlot) return;
  const group = new ChartGroup(uPlot, { smoothing: Number($("#smoothing").value), legend: false });
  for (const [title, canon] of FAMILIES) {
    const lines = [];
    runs.forEach((r, i) => canon.forEach((c, j) => {
      const key = r.resolved[c];
      if (key) lines.push({ label: `${r.run.name} ${key}`, color: color(i), dash: j ? [6, 4] : undefined, ...columns(r.series[key]) });
    }));
    if (lines.length) {
      const chart = group.add($("#charts"), title, lines);
      chart.figure.dataset.runs = String(new Set(lines.map((l) => l.color)).size);
    }
  }
  $("#smoothing").addEventListener("input", () => {
    $("#smoothing-value").textContent = Number($("#smoothing").value).toFixed(2);
    group.setSmoothing(Number($("#smoothing").value));
  });
  $("#logy").addEventListener("change", () => group.setLogY($("#logy").checked));
  $("#reset-zoom").addEventListener("click", () => group.resetZoom());
  await group.drawn();
  document.body.dataset.ready = "true";
}

start(async () => {
  try {
    await main();
  } finally {
    document.body.dataset.ready = "true";
  }
});
