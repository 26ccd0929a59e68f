// Links between pages, and from an API query in a piece of evidence to the page that shows it.

import { h } from "./dom.js";
import { href } from "./state.js";

export function serviceLink(name) {
  return h("a", { href: href(`/services/${encodeURIComponent(name)}`) }, name);
}

export function traceLink(traceId, text) {
  return h("a", { href: href(`/traces/${traceId}`), class: "mono" }, text || traceId.slice(0, 12));
}

const PAGES = [
  [/^\/api\/v1\/traces\/([0-9a-f]{32})(\/analysis)?$/, (m) => [`/traces/${m[1]}`, []]],
  [/^\/api\/v1\/traces$/, () => ["/traces", ["service", "operation", "status", "min_duration_ms", "attr"]]],
  [/^\/api\/v1\/logs$/, () => ["/logs", ["service", "severity", "q", "trace_id"]]],
  [/^\/api\/v1\/logs\/templates$/, () => ["/logs/templates", ["service"]]],
  [/^\/api\/v1\/errors\/events$/, () => ["/errors", ["service", "release"]]],
  [/^\/api\/v1\/errors$/, () => ["/errors", ["service", "release"]]],
  [/^\/api\/v1\/errors\/([0-9a-f]{32})$/, (m) => [`/errors/${m[1]}`, []]],
  [/^\/api\/v1\/service-map$/, () => ["/map", []]],
];

/** The UI link for an evidence query like "GET /api/v1/traces?service=x&status=error". */
export function queryLink(query, { startNs, endNs, service } = {}) {
  const match = /^(?:GET\s+)?(\/api\/v1\/[^\s?]*)(?:\?(\S*))?$/.exec(String(query || "").trim());
  if (!match) return null;
  const params = new URLSearchParams(match[2] || "");
  for (const [pattern, target] of PAGES) {
    const found = pattern.exec(match[1]);
    if (!found) continue;
    const [path, keys] = target(found);
    const kept = {};
    for (const key of keys) {
      const value = (params.get(key) || "").replace("{service}", service || "{service}");
      if (value && !value.includes("{")) kept[key === "min_duration_ms" ? "min_ms" : key] = value;
    }
    if (startNs && endNs) {
      kept.from = new Date(Number(startNs) / 1e6).toISOString();
      kept.to = new Date(Number(endNs) / 1e6).toISOString();
    }
    return href(path, kept);
  }
  return null;
}
