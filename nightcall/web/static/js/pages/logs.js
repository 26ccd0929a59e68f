// Logs: search (service, severity floor, text, trace id) with live tail; and the window's
// templates with their counts and which are new.

import { api } from "../api.js";
import { fill, h, table } from "../dom.js";
import { num, time } from "../format.js";
import { serviceLink, traceLink } from "../links.js";
import { apiWindow, href, setParams } from "../state.js";
import { badge, emptyState, pageHead, panel } from "../view.js";

export const title = () => "Logs";

const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"];
const TAIL_EVERY_MS = 2000;
const TAIL_KEEP = 500;

function searchForm(params, services) {
  const service = h("select", { name: "service", "aria-label": "Service" }, h("option", { value: "" }, "Any service"),
    services.map((s) => h("option", { value: s, selected: s === params.get("service") }, s)));
  const severity = h("select", { name: "severity", "aria-label": "Lowest severity" }, h("option", { value: "" }, "Any severity"),
    SEVERITIES.map((s) => h("option", { value: s, selected: s === params.get("severity") }, `${s} and above`)));
  return h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    setParams({ service: data.get("service") || null, severity: data.get("severity") || null, q: data.get("q") || null,
      trace_id: data.get("trace_id") || null, tail: data.get("tail") ? "1" : null });
  } },
  h("input", { type: "search", name: "q", value: params.get("q") || "", placeholder: "Text in the body", "aria-label": "Text in the body", "data-search": "" }),
  service, severity,
  h("input", { type: "search", name: "trace_id", value: params.get("trace_id") || "", placeholder: "Trace id", "aria-label": "Trace id", class: "mono" }),
  h("label", {}, h("input", { type: "checkbox", name: "tail", checked: params.get("tail") === "1" }), "Live tail"),
  h("button", { type: "submit", class: "primary" }, "Search"));
}

function logRow(l) {
  return h("tr", { "data-time": l.time_unix_nano },
    h("td", { class: "nowrap small" }, time(l.time_unix_nano, { withMs: true })),
    h("td", {}, serviceLink(l.service)),
    h("td", {}, h("span", { class: `sev-${l.severity.toLowerCase()}` }, l.severity)),
    h("td", { class: "body" }, l.body),
    h("td", {}, l.trace_id ? traceLink(l.trace_id, "trace") : ""));
}

function logTable(lines) {
  return h("table", { class: "data", id: "log-table" },
    h("thead", {}, h("tr", {}, ["Time (UTC)", "Service", "Severity", "Body", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, lines.map(logRow)));
}

/** Poll for lines newer than the newest shown, until the page is left or re-rendered. */
function tail(tbody, query, newestNs, signal, status) {
  let newest = newestNs;
  const seen = new Set();
  const tick = async () => {
    if (signal.aborted) return;
    try {
      const since = newest ? new Date(Number(newest) / 1e6).toISOString() : "-1m";
      const answer = await api.get("/logs", { ...query, start: since, end: null, limit: 200 }, { signal });
      const fresh = answer.logs.filter((l) => l.time_unix_nano > newest || (l.time_unix_nano === newest && !seen.has(l.body)));
      for (const l of fresh) seen.add(l.body);
      if (fresh.length) {
        newest = Math.max(newest || 0, ...fresh.map((l) => l.time_unix_nano));
        tbody.prepend(...fresh.map(logRow));
        while (tbody.children.length > TAIL_KEEP) tbody.lastElementChild.remove();
      }
      status.textContent = `Live: checked ${time(Date.now() * 1e6, { date: false })}, ${fresh.length} new`;
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `Live tail paused: ${error.message}`;
    }
    setTimeout(tick, TAIL_EVERY_MS);
  };
  setTimeout(tick, TAIL_EVERY_MS);
}

function templateCell(template) {
  return h("span", { class: "mono small" }, template.split("<*>").flatMap((part, i) =>
    i ? [h("span", { class: "badge" }, "*"), part] : [part]));
}

function literal(template) {
  return template.split("<*>").map((p) => p.trim()).sort((a, b) => b.length - a.length)[0] || "";
}

export async function render({ root, route, signal }) {
  const params = route.params;
  const window = apiWindow();
  const onTemplates = route.path === "/logs/templates";
  const services = await api.get("/services", window, { signal }).then((a) => a.services.map((s) => s.service), () => []);
  const tabs = h("nav", { class: "tabs", "aria-label": "Logs views" },
    h("a", { href: href("/logs", { service: params.get("service") }), "aria-current": onTemplates ? null : "page" }, "Search"),
    h("a", { href: href("/logs/templates", { service: params.get("service") }), "aria-current": onTemplates ? "page" : null }, "Templates"));
  if (onTemplates) {
    const picker = h("select", { "aria-label": "Service", "data-search": "", onchange: (e) => setParams({ service: e.target.value || null }) },
      h("option", { value: "" }, "Any service"), services.map((s) => h("option", { value: s, selected: s === params.get("service") }, s)));
    const templates = panel("Templates", async () => {
      const answer = await api.get("/logs/templates", { ...window, service: params.get("service"), limit: 300 }, { signal });
      if (!answer.templates.length) return emptyState("No log lines in this window.");
      return table([
        { label: "Template", cls: "wrap", cell: (t) => h("span", {}, templateCell(t.template), t.is_new ? [" ", badge("new in window", "accent")] : null) },
        { label: "Service", cell: (t) => serviceLink(t.service) },
        { label: "Severity", cell: (t) => h("span", { class: `sev-${(t.severity || "").toLowerCase()}` }, t.severity || "") },
        { label: "Lines", num: true, cell: (t) => num(t.count) },
        { label: "First seen (UTC)", cell: (t) => h("span", { class: "nowrap small" }, time(t.first_seen_unix_nano)) },
        { label: "", cell: (t) => h("a", { href: href("/logs", { service: t.service, q: literal(t.template) }) }, "lines") },
      ], answer.templates, { rowAttrs: (t) => ({ "data-template": t.template_id }) });
    }, { id: "templates", flush: true, actions: picker });
    fill(root, pageHead("Logs"), tabs, templates.el);
    await templates.done;
    return;
  }
  const query = { ...window, service: params.get("service"), severity: params.get("severity"), q: params.get("q"), trace_id: params.get("trace_id") };
  const status = h("span", { class: "small muted", "aria-live": "polite" });
  const results = panel("Log lines", async () => {
    const answer = await api.get("/logs", { ...query, limit: 200 }, { signal });
    const tableEl = logTable(answer.logs);
    if (params.get("tail") === "1") {
      tail(tableEl.querySelector("tbody"), query, answer.logs.length ? answer.logs[0].time_unix_nano : 0, signal, status);
      status.textContent = "Live: waiting for new lines…";
    } else if (!answer.logs.length) {
      return emptyState("No log line matches in this window.", "Loosen the filters or widen the time range.");
    }
    return h("div", {}, tableEl, answer.next ? h("p", { class: "small muted", style: { padding: "8px" } }, "Showing the newest 200 lines: narrow the search to see older ones.") : null);
  }, { id: "logs", flush: true, actions: status });
  fill(root, pageHead("Logs"), tabs, searchForm(params, services), results.el);
  await results.done;
}
