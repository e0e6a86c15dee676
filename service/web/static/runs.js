// Runs: the runs of a project with their diagnosis badges and latest values; filters, sort;
// live over the events stream (new runs, badge and status changes, new values).

import { api, follow } from "./api.js";
import { $, fill, ago, badge, clearNotices, fmt, h, header, notice, query, resolveKeys, setLive, start }
  from "./ui.js";

export const STATUSES = ["insufficient_data", "healthy", "underfitting", "overfitting", "stuck",
  "oscillating", "diverging", "mismatch"];

const COLUMNS = [
  { key: "select", label: "", sortable: false },
  { key: "name", label: "name" },
  { key: "source", label: "source" },
  { key: "status", label: "status" },
  { key: "diagnosis", label: "diagnosis" },
  { key: "train_loss", label: "train loss", numeric: true },
  { key: "val_loss", label: "val loss", numeric: true },
  { key: "train_acc", label: "train acc", numeric: true },
  { key: "val_acc", label: "val acc", numeric: true },
  { key: "updated", label: "updated" },
];

const rows = new Map(); // run id -> {run, diagnosis}
let sort = { key: "updated", dir: -1 };
let cursor = null;
let stop = null;
let generation = 0;
const pending = new Map();

function latest(run, canonical) {
  const key = resolveKeys(Object.keys(run.latest || {}))[canonical];
  return key === undefined ? null : run.latest[key];
}

function value(entry, key) {
  const { run, diagnosis } = entry;
  if (key === "diagnosis") return diagnosis ? diagnosis.status : "";
  if (key === "updated") return run.updated_at;
  if (["train_loss", "val_loss", "train_acc", "val_acc"].includes(key)) {
    const v = latest(run, key);
    return typeof v === "number" ? v : null;
  }
  return run[key] || "";
}

function compare(a, b) {
  const x = value(a, sort.key);
  const y = value(b, sort.key);
  if (x === y) return 0;
  if (x === null) return 1; // empty values last, whatever the direction
  if (y === null) return -1;
  return (x < y ? -1 : 1) * sort.dir;
}

function headerRow() {
  const tr = $("#runs thead tr");
  fill(tr, ...COLUMNS.map((c) => {
    if (c.sortable === false) return h("th", { scope: "col" }, h("span", { class: "sr-only" }, "select"));
    const active = sort.key === c.key;
    const th = h("th", { scope: "col", class: c.numeric ? "num" : null,
      "aria-sort": active ? (sort.dir > 0 ? "ascending" : "descending") : null },
    h("button", { type: "button", class: "sort", dataset: { key: c.key }, onclick: () => {
      sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : (c.numeric ? 1 : -1) };
      headerRow();
      render();
    } }, c.label, active ? (sort.dir > 0 ? " ▲" : " ▼") : ""));
    return th;
  }));
}

function row(entry) {
  const { run, diagnosis } = entry;
  const checked = $(`#runs input[data-run="${CSS.escape(run.id)}"]`)?.checked;
  return h("tr", { dataset: { run: run.id } },
    h("td", {}, h("input", { type: "checkbox", "aria-label": `select ${run.name}`,
      dataset: { run: run.id }, checked: checked || null, onchange: selection })),
    h("td", {}, h("a", { href: `/runs/${encodeURIComponent(run.id)}` }, run.name)),
    h("td", {}, run.source),
    h("td", {}, h("span", { class: `status ${run.status}` }, run.status)),
    h("td", { class: "diagnosis", title: diagnosis ? diagnosis.summary || "" : "" },
      badge(diagnosis && diagnosis.status, diagnosis && diagnosis.cause),
      diagnosis && diagnosis.cause ? h("span", { class: "cause" }, diagnosis.cause) : null),
    ...["train_loss", "val_loss", "train_acc", "val_acc"].map((k) =>
      h("td", { class: "num" }, fmt(latest(run, k)))),
    h("td", { title: run.updated_at }, ago(run.updated_at)),
  );
}

function wanted(entry) {
  const status = $("#status").value;
  const diagnosis = $("#diagnosis").value;
  if (status && entry.run.status !== status) return false;
  if (diagnosis && (!entry.diagnosis || entry.diagnosis.status !== diagnosis)) return false;
  return true;
}

function render() {
  const list = [...rows.values()].filter(wanted).sort(compare);
  fill($("#runs tbody"), ...list.map(row));
  $("#empty").hidden = list.length > 0;
  $("#count").textContent = `${list.length} run${list.length === 1 ? "" : "s"}`;
  $("#more").hidden = !cursor;
  selection();
  document.body.dataset.ready = "true";
}

function selection() {
  const ids = [...document.querySelectorAll("#runs tbody input:checked")].map((i) => i.dataset.run);
  const button = $("#compare");
  button.disabled = ids.length < 2 || ids.length > 10;
  button.textContent = ids.length ? `Compare ${ids.length} selected` : "Compare selected";
  button.onclick = () => {
    location.href = `/compare?runs=${ids.map(encodeURIComponent).join(",")}`;
  };
}

async function withDiagnosis(run) {
  let diagnosis = null;
  try {
    diagnosis = await api(`runs/${encodeURIComponent(run.id)}/diagnosis`);
  } catch (error) {
    diagnosis = null;
  }
  return { run, diagnosis };
}

// A few at a time: a page of 100 runs is 100 diagnoses.
async function mapLimited(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

async function load(more = false) {
  const project = $("#project").value;
  const mine = more ? generation : ++generation;
  const page = await api("runs", { query: {
    project, status: $("#status").value, diagnosis: $("#diagnosis").value, limit: 100,
    cursor: more ? cursor : null,
  } });
  const entries = await mapLimited(page.items, 6, withDiagnosis);
  if (mine !== generation) return; // a newer load (filter, project) has started
  if (!more) rows.clear();
  for (const entry of entries) rows.set(entry.run.id, entry);
  cursor = page.next_cursor;
  render();
}

// One fetch per run however many events arrive for it within 300 ms.
function refresh(runId, diagnosis) {
  if (diagnosis && rows.has(runId)) {
    rows.get(runId).diagnosis = { ...rows.get(runId).diagnosis, ...diagnosis };
    render();
  }
  if (pending.has(runId)) return;
  pending.set(runId, setTimeout(async () => {
    pending.delete(runId);
    try {
      const run = await api(`runs/${encodeURIComponent(runId)}`);
      if (run.project !== $("#project").selectedOptions[0]?.dataset.name) return;
      rows.set(run.id, await withDiagnosis(run));
      render();
    } catch (error) {
      /* a run the token cannot see, or gone: nothing to show */
    }
  }, 300));
}

function onEvent(event) {
  if (!event.run_id) return;
  if (event.type === "diagnosis.changed") {
    const d = event.data;
    refresh(event.run_id, { status: d.status, cause: d.cause, summary: d.summary });
  } else {
    refresh(event.run_id);
  }
}

function listen() {
  if (stop) stop();
  const project = $("#project").value;
  stop = follow({ project }, {
    onEvent,
    onState: setLive,
    onOpen: () => load().catch((error) => notice(error.message)),
  });
}

function syncUrl() {
  const params = new URLSearchParams();
  for (const id of ["project", "status", "diagnosis"]) if ($(`#${id}`).value) params.set(id, $(`#${id}`).value);
  history.replaceState(null, "", `/?${params}`);
}

async function main() {
  header("Runs");
  headerRow();
  $("#diagnosis").append(...STATUSES.map((s) => h("option", { value: s }, s.replace("_", " "))));
  const projects = await api("projects", { query: { limit: 100 } });
  if (!projects.items.length) {
    notice("No projects yet: log a run (POST /api/v1/runs) or submit a job (Jobs page).", "info");
    $("#empty").hidden = false;
    return;
  }
  $("#project").append(...projects.items.map((p) =>
    h("option", { value: p.id, dataset: { name: p.name } }, p.name)));
  const asked = query("project");
  const chosen = projects.items.find((p) => p.name === asked || p.id === asked);
  if (chosen) $("#project").value = chosen.id;
  for (const id of ["status", "diagnosis"]) if (query(id)) $(`#${id}`).value = query(id);
  $("#project").addEventListener("change", () => {
    clearNotices();
    syncUrl();
    listen();
  });
  for (const id of ["status", "diagnosis"]) {
    $(`#${id}`).addEventListener("change", () => {
      syncUrl();
      load().catch((error) => notice(error.message));
    });
  }
  $("#more").addEventListener("click", () => load(true).catch((error) => notice(error.message)));
  listen();
}

start(main);
