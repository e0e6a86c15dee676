// What every page shares: building elements (text is always set as text, never as HTML),
// the header, diagnosis badges, number and time formats, messages.

import { setToken, token } from "./api.js";
import { METRIC_ALIASES } from "/catalogue.js";

// h("a", {href, class}, child, ...): an element; strings become text nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

// el.replaceChildren without the nulls (a part a page leaves out) turning into "null".
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const PAGES = [
  ["/", "Runs"],
  ["/compare", "Compare"],
  ["/jobs", "Jobs"],
];

// The page's header: the name, the pages, the live state, the token's button.
export function header(current) {
  const nav = h("nav", { "aria-label": "pages" },
    PAGES.map(([href, label]) =>
      h("a", { href, "aria-current": label === current ? "page" : null }, label)));
  const live = h("span", { id: "live", class: "live", role: "status" }, "");
  const tokenButton = h("button", { type: "button", class: "link", id: "token-button" });
  const showToken = () => {
    tokenButton.textContent = token() ? "forget token" : "";
    tokenButton.hidden = !token();
  };
  tokenButton.addEventListener("click", () => {
    setToken(null);
    showToken();
    location.reload();
  });
  showToken();
  const bar = h("header", { class: "top" },
    h("a", { href: "/", class: "brand" }, "fitdoc"), nav, live, tokenButton);
  document.body.prepend(h("a", { href: "#main", class: "skip" }, "Skip to content"), bar);
}

export function setLive(state) {
  const el = document.getElementById("live");
  if (!el) return;
  el.textContent = state === "live" ? "● live" : state;
  el.dataset.state = state === "live" ? "live" : "off";
}

// A diagnosis status as a badge, coloured by status (app.css: .badge.<status>).
export function badge(status, cause) {
  if (!status) return h("span", { class: "badge none" }, "—");
  const text = status.replace("_", " ");
  return h("span", { class: `badge ${status}`, title: cause ? `${status}: ${cause}` : status,
    dataset: { status } }, text);
}

export function fmt(value, digits = 4) {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2);
  return value.toPrecision(digits).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

export function ago(iso) {
  if (!iso) return "";
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

// A message in the page's message area (role=alert for errors).
export function notice(text, kind = "error") {
  const area = document.getElementById("messages");
  const el = h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  area.append(el);
  return el;
}

export function clearNotices() {
  document.getElementById("messages").replaceChildren();
}

// The catalogue's aliases, as the advisor reads a run's keys: canonical -> the key present.
function normalise(name) {
  return String(name).trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

export function resolveKeys(keys) {
  const byNorm = new Map();
  for (const key of keys) if (!byNorm.has(normalise(key))) byNorm.set(normalise(key), key);
  const found = {};
  for (const [canonical, names] of Object.entries(METRIC_ALIASES)) {
    for (const name of names) {
      if (byNorm.has(name)) {
        found[canonical] = byNorm.get(name);
        break;
      }
    }
  }
  return found;
}

export function query(name) {
  return new URLSearchParams(location.search).get(name);
}

// Run a page's main function, showing what failed instead of a blank page.
export function start(main) {
  main().catch((error) => {
    console.warn(error);
    notice(`Could not load the page: ${error.message}`);
  });
}
