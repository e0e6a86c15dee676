// Jobs: a project's jobs, queued / running / finished, with their progress (live over the
// events stream), and a form that submits a job from a JSON spec, showing each 422 at the
// field it names.

import { ApiError, api, follow } from "./api.js";
import { $, fill, ago, clearNotices, h, header, notice, query, setLive, start } from "./ui.js";

const GROUPS = [
  ["queued", ["queued"]],
  ["running", ["running"]],
  ["finished", ["succeeded", "failed", "cancelled"]],
];
const EXAMPLE = {
  dataset: { name: "mnist1d" },
  model: { arch: "mlp", widths: [128] },
  optimizer: { name: "adam", lr: 0.001 },
  training: { epochs: 10, batch_size: 128 },
};

const jobs = new Map(); // job id -> {job, run}
let stop = null;
let generation = 0;

function projectName() {
  return $("#project").selectedOptions[0]?.dataset.name || "";
}

function item({ job, run }) {
  const p = job.progress;
  const active = job.status === "queued" || job.status === "running";
  return h("li", { class: "job", dataset: { job: job.id, status: job.status } },
    h("div", { class: "job-head" },
      h("a", { href: `/runs/${encodeURIComponent(job.run_id)}` }, run ? run.name : job.id),
      h("span", { class: `status ${job.status}` }, job.status),
      job.round ? h("span", { class: "muted" }, `round ${job.round}`) : null),
    h("progress", { max: p.epochs || 1, value: p.epoch, "aria-label": `epochs of ${run ? run.name : job.id}` }),
    h("span", { class: "muted" }, ` epoch ${p.epoch}/${p.epochs} · ${ago(job.updated_at)}`),
    job.error ? h("p", { class: "error" }, job.error) : null,
    active ? h("button", { type: "button", class: "small", onclick: () => cancel(job.id) }, "Cancel") : null);
}

function render() {
  const all = [...jobs.values()].sort((a, b) => (a.job.created_at < b.job.created_at ? 1 : -1));
  fill($("#groups"), ...GROUPS.map(([title, statuses]) => {
    const list = all.filter((e) => statuses.includes(e.job.status));
    return h("section", { class: "group", dataset: { group: title } },
      h("h3", {}, `${title} (${list.length})`),
      list.length ? h("ul", { class: "job-list" }, list.map(item)) : h("p", { class: "muted" }, "none"));
  }));
  $("#count").textContent = `${all.length} job${all.length === 1 ? "" : "s"}`;
  document.body.dataset.ready = "true";
}

async function fetchJob(jobId, run) {
  const job = await api(`jobs/${encodeURIComponent(jobId)}`);
  run = run || (jobs.get(jobId) || {}).run || (await api(`runs/${encodeURIComponent(job.run_id)}`));
  jobs.set(job.id, { job, run });
}

async function pages(what, project) {
  // A list endpoint's items, newest first, a page at a time (at most 500).
  const items = [];
  let cursor = null;
  do {
    const page = await api(what, { query: { project, limit: 100, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 500);
  return items;
}

async function load() {
  const mine = ++generation;
  const project = $("#project").value;
  const [listed, runs] = await Promise.all([pages("jobs", project), pages("runs", project)]);
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const job of listed.filter((j) => !byId.has(j.run_id))) {
    try {
      byId.set(job.run_id, await api(`runs/${encodeURIComponent(job.run_id)}`));
    } catch {
      /* gone meanwhile: shown by the job's id */
    }
  }
  if (mine !== generation) return;
  jobs.clear();
  for (const job of listed) jobs.set(job.id, { job, run: byId.get(job.run_id) });
  render();
}

async function cancel(jobId) {
  try {
    await api(`jobs/${encodeURIComponent(jobId)}/cancel`, { method: "POST" });
    await fetchJob(jobId);
    render();
  } catch (error) {
    notice(error.message);
  }
}

function listen() {
  if (stop) stop();
  stop = follow({ project: $("#project").value, types: "job.status" }, {
    onState: setLive,
    onOpen: () => load().catch((error) => notice(error.message)),
    onEvent: (event) => {
      if (!event.job_id) return;
      fetchJob(event.job_id).then(render).catch(() => {});
    },
  });
}

// -- the form -----------------------------------------------------------------------------

const FIELDS = { project: "#f-project", name: "#f-name", repair: "#f-repair", spec: "#f-spec" };

function clearErrors() {
  for (const el of document.querySelectorAll("#submit .field-error")) el.textContent = "";
  for (const el of document.querySelectorAll("#submit [aria-invalid]")) el.removeAttribute("aria-invalid");
  fill($("#submitted"), );
}

// Where an error's `field` belongs: project, name, repair.*, spec.* (else the form).
function showError(field, message) {
  const head = (field || "").split(/[.[]/)[0];
  const target = FIELDS[head] ? head : "form";
  const out = $(`#err-${target}`);
  out.textContent = target === "spec" && field !== "spec" ? `${field}: ${message}` : message;
  out.dataset.field = field || "";
  if (target !== "form") {
    const input = $(FIELDS[target]);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    if (target === "spec") selectPath(input, field.split(/[.[\]]+/).filter(Boolean).slice(1));
  }
}

// Select the key the error names in the spec's text (`spec.model.arch` -> "arch" after
// "model"), so that it is seen where it is.
function selectPath(textarea, path) {
  const text = textarea.value;
  let at = -1;
  let length = 0;
  let from = 0;
  for (const part of path) {
    if (/^\d+$/.test(part)) continue;
    const i = text.indexOf(`"${part}"`, from);
    if (i < 0) break;
    at = i;
    length = part.length + 2;
    from = i + length;
  }
  if (at >= 0) textarea.setSelectionRange(at, at + length);
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  let spec;
  try {
    spec = JSON.parse($("#f-spec").value);
  } catch (error) {
    showError("spec", `not JSON: ${error.message}`);
    return;
  }
  const body = { project: $("#f-project").value.trim(), spec };
  if ($("#f-name").value.trim()) body.name = $("#f-name").value.trim();
  const rounds = Number($("#f-repair").value || 0);
  if (rounds) body.repair = { max_rounds: rounds };
  try {
    const job = await api("jobs", { method: "POST", body });
    fill($("#submitted"), "Job ", h("code", { class: "new-job", dataset: { job: job.id } }, job.id),
      ` ${job.status}: `, h("a", { href: `/runs/${encodeURIComponent(job.run_id)}` }, "its run"));
    if (job.project === projectName()) {
      await fetchJob(job.id);
      render();
    }
  } catch (error) {
    if (error instanceof ApiError) showError(error.field, error.message);
    else showError(null, error.message);
  }
}

async function main() {
  header("Jobs");
  $("#f-spec").value = JSON.stringify(EXAMPLE, null, 2);
  $("#submit").addEventListener("submit", submit);
  const projects = await api("projects", { query: { limit: 100 } });
  $("#project").append(...projects.items.map((p) =>
    h("option", { value: p.id, dataset: { name: p.name } }, p.name)));
  const asked = query("project");
  const chosen = projects.items.find((p) => p.name === asked || p.id === asked);
  if (chosen) $("#project").value = chosen.id;
  $("#f-project").value = projectName() || "default";
  $("#project").addEventListener("change", () => {
    clearNotices();
    $("#f-project").value = projectName();
    history.replaceState(null, "", `/jobs?project=${encodeURIComponent(projectName())}`);
    listen();
  });
  if (projects.items.length) listen();
  else render();
}

start(main);
