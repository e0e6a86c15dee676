// Run: its curves (a chart per metric family) and, beside them, its diagnosis; for a job's
// run the job (progress, spec, checkpoint), a follow-up button per suggestion and the
// chain's lineage. Live: new points, diagnosis, job and run changes over the events stream.

import { api, ApiError, download, follow } from "./api.js";
import { ChartGroup, color, columns, families, loadUPlot } from "./charts.js";
import { $, fill, ago, badge, fmt, h, header, notice, query, resolveKeys, setLive, start, when }
  from "./ui.js";

const runId = decodeURIComponent(location.pathname.replace(/^\/runs\//, "").replace(/\/$/, ""));
const ENDED = ["succeeded", "failed", "cancelled"];
const state = { run: null, diagnosis: null, job: null, group: null, shape: "", measured: false };

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => fn().catch((error) => notice(error.message)), ms);
  };
}

// -- the run ------------------------------------------------------------------------------

async function loadRun() {
  const run = await api(`runs/${encodeURIComponent(runId)}`);
  state.run = run;
  document.title = `${run.name} · fitdoc`;
  fill($("#run-head"), 
    h("h1", { id: "title" }, run.name),
    h("p", { class: "meta" },
      h("a", { href: `/?project=${encodeURIComponent(run.project)}` }, run.project), " · ",
      run.source, " run · ", h("span", { class: `status ${run.status}`, id: "run-status" }, run.status),
      " · created ", when(run.created_at), " · updated ", h("span", { title: run.updated_at }, ago(run.updated_at)),
      " · ", h("code", { class: "id" }, run.id)),
  );
  const params = Object.entries(run.params || {}).sort(([a], [b]) => (a < b ? -1 : 1));
  fill($("#params"), h("h2", { id: "params-title" }, "Params"),
    params.length
      ? h("details", { open: params.length <= 12 }, h("summary", {}, `${params.length} params`),
        h("table", { class: "kv" }, h("tbody", {}, params.map(([k, v]) =>
          h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, typeof v === "object" ? JSON.stringify(v) : fmt(v)))))))
      : h("p", { class: "muted" }, "none"));
}

// -- curves -------------------------------------------------------------------------------

function maxPoints() {
  const asked = Number(query("points"));
  if (asked >= 2) return Math.min(asked, 1_000_000);
  const width = $("#charts").clientWidth || 800;
  return Math.max(1000, 2 * Math.ceil(width * (devicePixelRatio || 1)));
}

async function loadCurves() {
  const uPlot = await loadUPlot();
  const body = await api(`runs/${encodeURIComponent(runId)}/metrics`, { query: { max_points: maxPoints() } });
  const t0 = performance.now();
  const series = body.series;
  const keys = Object.keys(series);
  const resolved = resolveKeys(keys);
  const fams = families(keys, resolved);
  let points = 0;
  for (const k of keys) points += series[k].length;
  if (!keys.length) {
    fill($("#charts"), h("p", { class: "muted", id: "no-points" }, "No metric points yet."));
    state.shape = "";
    return;
  }
  if (!uPlot) return;
  const shape = fams.map((f) => `${f.title}:${f.members.map((m) => m.key).join(",")}`).join("|");
  const lines = (fam) => fam.members.map((m, i) => ({
    label: m.key, color: color(i), ...columns(series[m.key]),
  }));
  if (shape !== state.shape || !state.group) {
    if (state.group) state.group.destroy();
    fill($("#charts"));
    state.group = new ChartGroup(uPlot, { smoothing: Number($("#smoothing").value), logY: $("#logy").checked });
    state.group.setMarks(marks());
    for (const fam of fams) state.group.add($("#charts"), fam.title, lines(fam));
    state.shape = shape;
  } else {
    fams.forEach((fam, i) => state.group.charts[i].update(lines(fam)));
  }
  await state.group.drawn();
  const ms = performance.now() - t0;
  if (!state.measured) {
    state.measured = true;
    const out = $("#render-time");
    out.textContent = `drew ${points.toLocaleString()} points in ${ms.toFixed(0)} ms`;
    out.dataset.ms = ms.toFixed(1);
    out.dataset.points = String(points);
  }
}

function marks() {
  const d = state.diagnosis;
  if (!d) return [];
  return [
    { step: d.best_step, label: `best ${d.best_step}`, color: "#1e8e3e", row: 0 },
    { step: d.since_step, label: `since ${d.since_step}`, color: "#c5221f", row: 1 },
  ];
}

// -- the diagnosis ----------------------------------------------------------------------

async function loadDiagnosis() {
  const d = await api(`runs/${encodeURIComponent(runId)}/diagnosis`);
  state.diagnosis = d;
  renderDiagnosis();
  if (state.group) state.group.setMarks(marks());
}

function renderDiagnosis() {
  const d = state.diagnosis;
  const job = state.job;
  const canFollow = job && ENDED.includes(job.status);
  const suggestions = [...(d.suggestions || [])].map((s, index) => ({ ...s, index }))
    .sort((a, b) => a.priority - b.priority);
  fill($("#diagnosis"), 
    h("h2", { id: "diagnosis-title" }, "Diagnosis"),
    h("p", { class: "verdict" }, badge(d.status, d.cause),
      d.cause ? h("span", { class: "cause", id: "diagnosis-cause" }, d.cause) : null,
      h("span", { class: "muted" }, ` confidence ${fmt(d.confidence, 2)}`)),
    h("p", { id: "diagnosis-summary", class: "summary" }, d.summary),
    h("p", { class: "muted steps" },
      d.best_step !== null && d.best_step !== undefined ? `best step ${d.best_step}` : "",
      d.since_step !== null && d.since_step !== undefined ? ` · since step ${d.since_step}` : ""),
    d.evidence && d.evidence.length ? h("h3", {}, "Evidence") : null,
    h("ul", { class: "evidence" }, (d.evidence || []).map((e) =>
      h("li", {}, h("code", {}, e.signal), " ", e.message,
        e.value !== null && e.value !== undefined
          ? h("span", { class: "numbers" }, ` value ${fmt(e.value)}`,
            e.threshold !== null && e.threshold !== undefined ? `, threshold ${fmt(e.threshold)}` : "")
          : null))),
    suggestions.length ? h("h3", {}, "Suggestions") : null,
    h("ol", { class: "suggestions" }, suggestions.map((s) =>
      h("li", { dataset: { index: s.index } },
        h("strong", {}, s.action), " ", s.rationale,
        s.patch ? h("pre", { class: "patch" }, JSON.stringify(s.patch, null, 2)) : null,
        canFollow && s.patch
          ? h("button", { type: "button", class: "follow-up", dataset: { index: s.index },
            onclick: (e) => startFollowUp(s, e.currentTarget) }, "Start follow-up job")
          : null,
        h("p", { class: "started", role: "status" })))),
    h("p", { class: "muted" }, `advisor ${d.advisor_version}`),
  );
}

async function startFollowUp(suggestion, button) {
  button.disabled = true;
  const out = button.parentElement.querySelector(".started");
  try {
    const job = await api(`jobs/${encodeURIComponent(state.job.id)}/follow-up`,
      { method: "POST", body: { suggestion: suggestion.index } });
    fill(out, "Follow-up job ", h("code", { class: "new-job", dataset: { job: job.id } }, job.id),
      ` ${job.status}: `, h("a", { href: `/runs/${encodeURIComponent(job.run_id)}` }, "its run"));
    await loadLineage();
  } catch (error) {
    out.textContent = error.message;
    out.className = "started error";
  } finally {
    button.disabled = false;
  }
}

// -- the job, its chain ---------------------------------------------------------------

async function loadJob() {
  if (!state.run || !state.run.job_id) return;
  const job = await api(`jobs/${encodeURIComponent(state.run.job_id)}`);
  const before = state.job && state.job.status;
  state.job = job;
  const p = job.progress;
  const section = $("#job");
  section.hidden = false;
  fill(section, 
    h("h2", { id: "job-title" }, "Job"),
    h("p", {}, h("span", { class: `status ${job.status}`, id: "job-status" }, job.status),
      ` · epoch ${p.epoch}/${p.epochs}`, job.attempts > 1 ? ` · attempt ${job.attempts}` : ""),
    h("progress", { max: p.epochs || 1, value: p.epoch, "aria-label": "epochs done" }),
    job.error ? h("p", { class: "error" }, job.error) : null,
    job.applied ? h("p", {}, "follow-up of ", h("code", {}, job.parent_id), ": ",
      job.applied.action, " ", h("code", {}, JSON.stringify(job.applied.patch))) : null,
    h("p", { class: "muted" }, `created ${when(job.created_at)}`,
      job.finished_at ? ` · finished ${when(job.finished_at)}` : "",
      job.best_epoch !== null && job.best_epoch !== undefined ? ` · best epoch ${job.best_epoch}` : ""),
    h("p", { class: "actions" },
      h("a", { href: `/api/v1/jobs/${encodeURIComponent(job.id)}/checkpoint`, id: "checkpoint",
        onclick: (e) => {
          e.preventDefault();
          download(e.currentTarget.getAttribute("href"), `${job.id}.pt`).catch((error) =>
            notice(error instanceof ApiError ? `checkpoint: ${error.message}` : error.message));
        } }, "Download checkpoint"),
      ENDED.includes(job.status) ? null : h("button", { type: "button", onclick: cancel }, "Cancel job")),
    h("details", {}, h("summary", {}, "Spec"), h("pre", { class: "spec" }, JSON.stringify(job.spec, null, 2))),
  );
  if (before !== job.status && state.diagnosis) renderDiagnosis(); // follow-up buttons
}

async function cancel() {
  await api(`jobs/${encodeURIComponent(state.job.id)}/cancel`, { method: "POST" })
    .catch((error) => notice(error.message));
  await loadJob();
}

async function loadLineage() {
  if (!state.run || !state.run.job_id) return;
  const l = await api(`jobs/${encodeURIComponent(state.run.job_id)}/lineage`);
  const section = $("#lineage");
  if (l.jobs.length < 2 && !l.max_rounds) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  fill(section, 
    h("h2", { id: "lineage-title" }, "Lineage"),
    h("p", {}, `${l.state.replace("_", " ")}`, l.max_rounds ? ` · auto-repair up to ${l.max_rounds} rounds` : "",
      ` · best by ${l.metric.name}`),
    h("div", { class: "scroll" }, h("table", { class: "lineage" },
      h("thead", {}, h("tr", {}, ["round", "job", "status", "diagnosis", "change", l.metric.name]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, l.jobs.map((j) => h("tr", {
        class: [j.id === state.run.job_id ? "current" : "", j.id === l.best_job_id ? "best" : ""].join(" ").trim() || null,
      },
      h("td", {}, String(j.round)),
      h("td", {}, h("a", { href: `/runs/${encodeURIComponent(j.run_id)}` }, j.id.slice(0, 8))),
      h("td", {}, j.status),
      h("td", {}, j.diagnosis ? badge(j.diagnosis.status, j.diagnosis.cause) : "—"),
      h("td", {}, j.applied ? `${j.applied.action} ${JSON.stringify(j.applied.patch)}` : "—"),
      h("td", { class: "num" }, fmt(j.val_metric), j.id === l.best_job_id ? " ★" : "")))))),
  );
}

// -- live -----------------------------------------------------------------------------------

const curvesSoon = debounce(loadCurves, 150);
const diagnosisSoon = debounce(loadDiagnosis, 400);
const jobSoon = debounce(async () => {
  await loadJob();
  await loadLineage();
}, 200);
const runSoon = debounce(loadRun, 300);

function onEvent(event) {
  switch (event.type) {
    case "metrics.logged":
      curvesSoon();
      diagnosisSoon();
      break;
    case "diagnosis.changed":
      diagnosisSoon();
      break;
    case "job.status":
      jobSoon();
      runSoon();
      break;
    case "run.status":
      runSoon();
      diagnosisSoon();
      break;
    case "repair.round":
      jobSoon();
      break;
    default:
      break;
  }
}

async function reload() {
  await loadRun();
  await loadJob();
  await Promise.all([loadDiagnosis(), loadLineage()]);
  await loadCurves();
}

async function main() {
  header("Run");
  const slider = $("#smoothing");
  const initial = query("smoothing");
  if (initial !== null) slider.value = initial;
  $("#smoothing-value").textContent = Number(slider.value).toFixed(2);
  slider.addEventListener("input", () => {
    $("#smoothing-value").textContent = Number(slider.value).toFixed(2);
    if (state.group) state.group.setSmoothing(Number(slider.value));
  });
  $("#logy").addEventListener("change", () => state.group && state.group.setLogY($("#logy").checked));
  $("#reset-zoom").addEventListener("click", () => state.group && state.group.resetZoom());
  let first = true;
  follow({ run: runId }, {
    onEvent,
    onState: setLive,
    onError: (error) => {
      notice(error.status === 404 ? `No run ${runId} (or not one this token can see).` : error.message);
      document.body.dataset.ready = "true";
    },
    onOpen: async () => {
      try {
        await reload();
      } catch (error) {
        notice(error.status === 404 ? `No run ${runId} (or not one this token can see).` : error.message);
      }
      if (first) document.body.dataset.ready = "true";
      first = false;
    },
  });
}

start(main);
