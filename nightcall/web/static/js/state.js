// The URL holds the state: "#/traces?service=checkout&from=-1h&to=now&refresh=30".
// Every link keeps the time range and refresh, so a copied URL shows the same thing.

export const TIME_KEYS = ["from", "to", "refresh"];
export const DEFAULT_FROM = "-1h";

export function currentRoute() {
  const raw = location.hash.replace(/^#/, "") || "/overview";
  const [path, query = ""] = raw.split("?");
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { path: `/${segments.join("/")}`, segments, params: new URLSearchParams(query) };
}

function build(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

/** A link to `path` with `params`, carrying the current time range and refresh. */
export function href(path, params = {}) {
  const current = currentRoute().params;
  const kept = {};
  for (const key of TIME_KEYS) if (current.get(key)) kept[key] = current.get(key);
  return build(path, { ...kept, ...params });
}

/** Go to `path` (a new history entry). */
export function navigate(path, params = {}) {
  location.hash = href(path, params);
}

/** Change some parameters of the current page; null removes one. */
export function setParams(updates, { replace = false } = {}) {
  const route = currentRoute();
  const merged = {};
  for (const key of new Set(route.params.keys())) merged[key] = route.params.getAll(key);
  Object.assign(merged, updates);
  const target = build(route.path, merged);
  if (replace) {
    history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

export function timeRange() {
  const params = currentRoute().params;
  return { from: params.get("from") || DEFAULT_FROM, to: params.get("to") || "now" };
}

/** The API's start/end for the range; `end` is left out for "now" (the server's now). */
export function apiWindow() {
  const { from, to } = timeRange();
  return to === "now" ? { start: from } : { start: from, end: to };
}

const UNITS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/** A time as the API reads it ("now", "-15m", RFC 3339, Unix seconds) → ms since the epoch. */
export function resolveTime(text, nowMs = Date.now()) {
  const value = String(text).trim();
  if (value === "now") return nowMs;
  const relative = value.match(/^-(\d+(?:\.\d+)?)([smhdw])$/);
  if (relative) return nowMs - Number(relative[1]) * UNITS[relative[2]];
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** The range as absolute [startMs, endMs], resolving relative parts against this clock. */
export function absoluteRange() {
  const { from, to } = timeRange();
  const now = Date.now();
  return [resolveTime(from, now), resolveTime(to, now)];
}

export function isoSeconds(msValue) {
  return new Date(msValue).toISOString().replace(/\.\d{3}Z$/, "Z");
}
