// The API as the pages use it: JSON calls with the caller's token, errors as ApiError,
// and GET /api/v1/events read as a server-sent events stream over fetch().
//
// The token: asked once (when the API first answers 401), kept in sessionStorage (this
// tab, until it closes), sent as `Authorization: Bearer`. The event stream is read with
// fetch() rather than EventSource because EventSource cannot send that header, and the
// alternative, the token in the URL, would write it into access logs and proxies' logs.

const KEY = "fitdoc.token";
export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_error";
    this.field = error.field || null;
    this.details = error.details || null;
  }
}

export function token() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

function headers(extra = {}) {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

let asking = null;

// One prompt at a time, whatever the number of calls that got a 401 meanwhile.
export function askToken(why) {
  if (!asking) {
    asking = promptToken(why).finally(() => {
      asking = null;
    });
  }
  return asking;
}

function promptToken(why) {
  return new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog") || makeDialog();
    dialog.querySelector(".why").textContent = why || "";
    const input = dialog.querySelector("input");
    input.value = "";
    const form = dialog.querySelector("form");
    form.onsubmit = (event) => {
      event.preventDefault();
      setToken(input.value.trim());
      dialog.close();
      resolve();
    };
    dialog.showModal();
    input.focus();
  });
}

function makeDialog() {
  const dialog = document.createElement("dialog");
  dialog.id = "token-dialog";
  dialog.setAttribute("aria-labelledby", "token-title");
  dialog.innerHTML = `
    <form method="dialog">
      <h2 id="token-title">API token</h2>
      <p>This fitdoc API asks for a token (FITDOC_API_TOKEN, or one made with
      <code>fitdoc token create</code>). It is kept in this tab's session storage only.</p>
      <p class="why error"></p>
      <label>Token <input name="token" type="password" autocomplete="off" required></label>
      <button type="submit">Use token</button>
    </form>`;
  document.body.append(dialog);
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  return dialog;
}

// GET/POST/PATCH an /api/v1 path; JSON in and out. A 401 asks for the token and retries.
export async function api(path, { method = "GET", body, query } = {}) {
  let url = path.startsWith("/") ? path : `${API}/${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== "") params.set(k, v);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  for (;;) {
    const init = { method, headers: headers({ Accept: "application/json" }) };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (response.status === 401) {
      const why = await response.json().catch(() => null);
      await askToken(why && why.error ? why.error.message : "");
      continue;
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

// A file of the API (a checkpoint) fetched with the token and handed to the browser.
export async function download(path, filename) {
  for (;;) {
    const response = await fetch(path, { headers: headers() });
    if (response.status === 401) {
      await askToken("");
      continue;
    }
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return;
  }
}

// Every item of a list endpoint, following next_cursor (at most `max` items).
export async function all(path, query = {}, max = 1000) {
  const items = [];
  let cursor;
  do {
    const page = await api(path, { query: { ...query, limit: 100, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Follow GET /api/v1/events as server-sent events (filters: project, run, types).
// `onOpen()` is called each time the stream is (re)connected: a page reloads what it shows
// then, so nothing committed while it was away is missed; `onEvent(event)` gets each
// Event (the JSON of `data:`); `onState("live" | "reconnecting" | "stopped")`;
// `onError(ApiError)` when the API refuses the stream (an unknown run: 404). Returns stop().
export function follow(filters, { onEvent, onOpen, onState, onError } = {}) {
  let stopped = false;
  let controller = null;
  let lastId = null;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  const url = `${API}/events?${query}`;

  async function run() {
    let delay = 500;
    while (!stopped) {
      controller = new AbortController();
      try {
        const h = headers({ Accept: "text/event-stream" });
        if (lastId !== null) h["Last-Event-ID"] = lastId;
        const response = await fetch(url, { headers: h, signal: controller.signal, cache: "no-store" });
        if (response.status === 401) {
          await askToken("");
          continue;
        }
        if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
        delay = 500;
        if (onState) onState("live");
        if (onOpen) await onOpen();
        await read(response.body, (frame) => {
          if (frame.id) lastId = frame.id;
          if (frame.data && onEvent) onEvent(JSON.parse(frame.data));
        });
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && error.status < 500) {
          if (onState) onState("stopped");
          if (onError) onError(error);
          return;
        }
      }
      if (stopped) return;
      if (onState) onState("reconnecting");
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }
  run();
  const stop = () => {
    stopped = true;
    if (controller) controller.abort();
  };
  // A page being left lets go of its stream at once: a browser opens at most 6
  // connections to a host, and a stream held by a page kept for "back" would hold one.
  window.addEventListener("pagehide", stop, { once: true });
  return stop;
}

// A page brought back from the back/forward cache has no stream: load it again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

// The SSE wire format: frames separated by a blank line; `field: value` lines; a line
// starting with ':' is a comment (the server's pings).
async function read(body, onFrame) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const frames = buffer.split(/\r\n\r\n|\n\n|\r\r/);
    buffer = frames.pop();
    for (const text of frames) {
      const frame = { data: null, event: null, id: null };
      const data = [];
      for (const line of text.split(/\r\n|\n|\r/)) {
        if (!line || line.startsWith(":")) continue;
        const at = line.indexOf(":");
        const field = at < 0 ? line : line.slice(0, at);
        let v = at < 0 ? "" : line.slice(at + 1);
        if (v.startsWith(" ")) v = v.slice(1);
        if (field === "data") data.push(v);
        else if (field === "event") frame.event = v;
        else if (field === "id") frame.id = v;
      }
      if (data.length) frame.data = data.join("\n");
      if (frame.data || frame.id) onFrame(frame);
    }
  }
}
