// Curves with uPlot: a chart per metric family, EMA smoothing (debiased, as TensorBoard's)
// drawn over the raw series, min/max bands for series denser than the chart's pixels (the
// API's `max_points` downsampling keeps each bucket's lowest and highest point), log-y,
// drag-to-zoom shared by the charts of a page, vertical marks (best step, since step).

import { h } from "./ui.js";

export const VENDOR = "/static/vendor/uPlot.esm.js";

let uPlotModule = null;

// uPlot, or null after saying plainly on the page that the assets are missing.
export async function loadUPlot() {
  if (uPlotModule) return uPlotModule;
  try {
    uPlotModule = (await import(VENDOR)).default;
    document.head.append(h("link", { rel: "stylesheet", href: "/static/vendor/uPlot.min.css" }));
    return uPlotModule;
  } catch (error) {
    const area = document.getElementById("messages");
    area.append(h("p", { class: "notice error", role: "alert", id: "assets-missing" },
      "The chart library is missing, so no curves can be drawn: ", h("code", {}, VENDOR),
      " did not load. Install the dashboard's assets with ", h("code", {}, "make web"),
      " (npm ci in service/web, then a copy into service/web/static/vendor/) and reload."));
    return null;
  }
}

// Exponential moving average with TensorBoard's debiasing: s_t = w s_{t-1} + (1-w) y_t,
// divided by 1 - w^n (n: finite points so far), so that the start is not pulled to 0.
// Nulls (gaps, NaN, infinities) stay as they are and do not enter the average.
export function ema(values, weight) {
  const out = new Array(values.length);
  if (!(weight > 0)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === null || !Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    n += 1;
    out[i] = weight === 1 ? last : last / (1 - Math.pow(weight, n));
  }
  return out;
}

// Each point's bucket's lowest and highest value (buckets of `size` consecutive points),
// for a min/max band: what a line through more points than pixels cannot show.
export function envelope(values, size) {
  const lo = new Array(values.length);
  const hi = new Array(values.length);
  for (let start = 0; start < values.length; start += size) {
    const stop = Math.min(values.length, start + size);
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < stop; i++) {
      const v = values[i];
      if (v === null || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let i = start; i < stop; i++) {
      lo[i] = min === Infinity ? null : min;
      hi[i] = max === -Infinity ? null : max;
    }
  }
  return [lo, hi];
}

// An API series ([{step, value}], values possibly "NaN"/"Infinity") as two arrays.
export function columns(points) {
  const xs = new Float64Array(points.length);
  const ys = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    xs[i] = points[i].step;
    const v = points[i].value;
    ys[i] = typeof v === "number" ? v : null;
  }
  return { xs, ys };
}

// Series on different steps laid on one x axis: nulls where a series has no point.
function align(list) {
  if (list.length === 1) return [list[0].xs, [list[0].ys]];
  let same = true;
  for (const s of list) {
    if (s.xs.length !== list[0].xs.length) same = false;
  }
  if (same) {
    outer: for (const s of list) {
      for (let i = 0; i < s.xs.length; i += 1) {
        if (s.xs[i] !== list[0].xs[i]) {
          same = false;
          break outer;
        }
      }
    }
  }
  if (same) return [list[0].xs, list.map((s) => s.ys)];
  const all = new Set();
  for (const s of list) for (const x of s.xs) all.add(x);
  const xs = Float64Array.from(all).sort();
  const out = list.map((s) => {
    const ys = new Array(xs.length).fill(null);
    let j = 0;
    for (let i = 0; i < s.xs.length; i++) {
      while (xs[j] < s.xs[i]) j++;
      ys[j] = s.ys[i];
    }
    return ys;
  });
  return [xs, out];
}

// Tick labels that tell ticks apart: as many decimals as their spacing needs, exponents
// for tiny or huge numbers (learning rates).
function ticks(u, values) {
  const step = values.length > 1 ? Math.abs(values[1] - values[0]) : 0;
  const big = Math.max(...values.map(Math.abs));
  if (big !== 0 && (big < 1e-3 || big >= 1e6)) {
    const digits = step > 0 ? Math.min(6, Math.max(0, Math.floor(Math.log10(big)) - Math.floor(Math.log10(step)))) : 2;
    return values.map((v) => (v === 0 ? "0" : v.toExponential(digits)));
  }
  const decimals = step > 0 ? Math.min(10, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  return values.map((v) => v.toFixed(decimals));
}

const PALETTE = ["#1f6fd1", "#e8710a", "#1e8e3e", "#c5221f", "#9334e6", "#12858d",
  "#b06000", "#d01884", "#5f6368", "#7cb342"];
export const color = (i) => PALETTE[i % PALETTE.length];

function faint(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// The charts of one page: one shared state (smoothing, log-y, zoom) for all of them.
export class ChartGroup {
  constructor(uPlot, { smoothing = 0.6, logY = false, legend = true } = {}) {
    this.uPlot = uPlot;
    this.legend = legend;
    this.smoothing = smoothing;
    this.logY = logY;
    this.charts = [];
    this.zoom = null; // {min, max} of x while zoomed
    this.marks = [];
    this.syncing = false;
  }

  // A chart in `container`: lines = [{label, xs, ys, color, dash?}].
  add(container, title, lines) {
    const chart = new Chart(this, container, title);
    this.charts.push(chart);
    chart.update(lines);
    return chart;
  }

  setSmoothing(weight) {
    this.smoothing = weight;
    for (const c of this.charts) c.refresh();
  }

  setLogY(on) {
    this.logY = on;
    for (const c of this.charts) c.rebuild();
  }

  setMarks(marks) {
    this.marks = marks;
    for (const c of this.charts) if (c.u) c.u.redraw(false);
  }

  resetZoom() {
    this.zoom = null;
    for (const c of this.charts) c.rebuild();
  }

  zoomed(min, max, from) {
    if (this.syncing) return;
    this.syncing = true;
    this.zoom = { min, max };
    for (const c of this.charts) {
      if (c !== from && c.u) c.u.setScale("x", { min, max });
    }
    this.syncing = false;
  }

  // Resolves once every chart has drawn (performance measurements).
  drawn() {
    return Promise.all(this.charts.map((c) => c.firstDraw));
  }

  destroy() {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }
}

class Chart {
  constructor(group, container, title) {
    this.group = group;
    this.title = title;
    this.figure = h("figure", { class: "chart", dataset: { family: title } },
      h("figcaption", {}, title));
    this.plot = h("div", { class: "plot" });
    this.figure.append(this.plot);
    container.append(this.figure);
    this.lines = [];
    this.u = null;
    this.shape = "";
    this.firstDraw = new Promise((resolve) => {
      this.drew = resolve;
    });
    this.resize = new ResizeObserver(() => {
      if (this.u) this.u.setSize(this.size());
    });
    this.resize.observe(this.plot);
    this.plot.addEventListener("dblclick", () => this.group.resetZoom());
  }

  size() {
    const width = Math.max(240, this.plot.clientWidth || 600);
    return { width, height: width < 500 ? 200 : 240 };
  }

  // New data: the chart is made again only when its series changed (keys, density).
  update(lines) {
    this.lines = lines;
    const points = lines.reduce((n, l) => n + l.xs.length, 0);
    this.figure.dataset.points = String(points);
    let last = -Infinity;
    for (const l of lines) if (l.xs.length) last = Math.max(last, l.xs[l.xs.length - 1]);
    this.figure.dataset.lastStep = Number.isFinite(last) ? String(last) : "";
    const width = this.size().width;
    for (const l of lines) l.dense = l.xs.length > width;
    const shape = lines.map((l) => `${l.label}:${l.dense}`).join("|");
    if (shape !== this.shape || !this.u) {
      this.shape = shape;
      this.rebuild();
    } else {
      this.refresh();
    }
  }

  // What uPlot draws: per line either the raw series (faint) or, when denser than the
  // chart's pixels, a min/max band; and the smoothed line over it.
  data() {
    const log = this.group.logY;
    const clean = (ys) => (log ? ys.map((v) => (v !== null && v > 0 ? v : null)) : ys);
    const parts = [];
    for (const l of this.lines) {
      const ys = clean(l.ys);
      const size = Math.max(2, Math.ceil(l.xs.length / (this.size().width / 2)));
      const [lo, hi] = l.dense ? envelope(ys, size) : [null, null];
      parts.push({ xs: l.xs, ys: l.dense ? lo : ys });
      if (l.dense) parts.push({ xs: l.xs, ys: hi });
      parts.push({ xs: l.xs, ys: ema(ys, this.group.smoothing) });
    }
    const [xs, columns] = align(parts);
    return [xs, ...columns];
  }

  options() {
    const series = [{ label: "step" }];
    const bands = [];
    this.lines.forEach((l) => {
      const c = l.color;
      const base = { spanGaps: true, points: { show: false } };
      if (l.dense) {
        const lo = series.length;
        series.push({ ...base, label: `${l.label} min`, stroke: faint(c, 0.35), width: 1, aux: true });
        series.push({ ...base, label: `${l.label} max`, stroke: faint(c, 0.35), width: 1, aux: true });
        bands.push({ series: [lo + 1, lo], fill: faint(c, 0.18) });
      } else {
        series.push({ ...base, label: `${l.label} raw`, stroke: faint(c, 0.3), width: 1, aux: true });
      }
      series.push({ ...base, label: l.label, stroke: c, width: 2, dash: l.dash });
    });
    const group = this.group;
    return {
      ...this.size(),
      series,
      bands,
      scales: {
        x: { time: false },
        y: group.logY ? { distr: 3, log: 10 } : {},
      },
      axes: [{ label: "step", size: 36 }, { size: 64, values: group.logY ? undefined : ticks }],
      legend: { show: group.legend, live: true },
      cursor: { drag: { x: true, y: false }, sync: { key: "fitdoc", setSeries: false } },
      hooks: {
        draw: [(u) => {
          this.drawMarks(u);
          this.drew();
        }],
        setScale: [(u, key) => {
          if (key !== "x" || group.syncing || !this.userZoom) return;
          this.userZoom = false;
          group.zoomed(u.scales.x.min, u.scales.x.max, this);
        }],
        setSelect: [(u) => {
          if (u.select.width > 0) this.userZoom = true;
        }],
      },
    };
  }

  drawMarks(u) {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    const { left, top, width, height } = u.bbox;
    for (const m of this.group.marks) {
      if (m.step === null || m.step === undefined) continue;
      const x = Math.round(u.valToPos(m.step, "x", true));
      if (x < left || x > left + width) continue;
      ctx.save();
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 1.5 * dpr;
      ctx.setLineDash([5 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.font = `${11 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = "left";
      ctx.textBaseline = "alphabetic";
      ctx.fillText(m.label, x + 4 * dpr, top + (12 + 13 * (m.row || 0)) * dpr);
      ctx.restore();
    }
  }

  rebuild() {
    if (this.u) this.u.destroy();
    const options = this.options();
    this.u = new this.group.uPlot(options, this.data(), this.plot);
    // The legend names the smoothed lines only (with their values under the cursor).
    this.u.root.querySelectorAll(".u-legend .u-series").forEach((row, i) => {
      if (options.series[i] && options.series[i].aux) row.style.display = "none";
    });
    const zoom = this.group.zoom;
    if (zoom) {
      this.group.syncing = true;
      this.u.setScale("x", zoom);
      this.group.syncing = false;
    }
  }

  refresh() {
    if (!this.u) return this.rebuild();
    const zoom = this.group.zoom;
    this.u.setData(this.data(), !zoom);
    if (zoom) {
      this.group.syncing = true;
      this.u.setScale("x", zoom);
      this.group.syncing = false;
    }
  }

  destroy() {
    this.resize.disconnect();
    if (this.u) this.u.destroy();
    this.figure.remove();
  }
}

// The metric families of a run's keys: loss (train + val), accuracy, lr, grad_norm, then
// one chart per other key. `resolved`: canonical -> the run's key (ui.resolveKeys).
export function families(keys, resolved) {
  const used = new Set(Object.values(resolved));
  const out = [];
  const fam = (title, names) => {
    const members = names.filter((n) => resolved[n]).map((n) => ({ canonical: n, key: resolved[n] }));
    if (members.length) out.push({ title, members });
  };
  fam("loss", ["train_loss", "val_loss"]);
  fam("accuracy", ["train_acc", "val_acc"]);
  fam("learning rate", ["lr"]);
  fam("gradient norm", ["grad_norm"]);
  for (const key of [...keys].sort()) {
    if (!used.has(key)) out.push({ title: key, members: [{ canonical: key, key }] });
  }
  return out;
}
