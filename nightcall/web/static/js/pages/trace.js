// One trace as a waterfall (as Jaeger draws it) with the critical path highlighted, each
// span's attributes and events, and the trace's logs and error events.

import { api } from "../api.js";
import { fill, h, table } from "../dom.js";
import { ms, pct, serviceColor, time } from "../format.js";
import { serviceLink } from "../links.js";
import { href } from "../state.js";
import { badge, emptyState, pageHead, panel } from "../view.js";

export const title = (args) => `Trace ${args.trace.slice(0, 8)}`;

const MINUTE_NS = 60e9;

/** Spans in tree order (parents before children, siblings by start), with their depth. */
export function treeOrder(spans) {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    if (span.parent_span_id && ids.has(span.parent_span_id)) {
      if (!children.has(span.parent_span_id)) children.set(span.parent_span_id, []);
      children.get(span.parent_span_id).push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a, b) => a.start_unix_nano - b.start_unix_nano;
  const ordered = [];
  const visit = (span, depth) => {
    ordered.push({ span, depth });
    for (const child of (children.get(span.span_id) || []).sort(byStart)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) visit(root, 0);
  return ordered;
}

function kv(object) {
  const entries = Object.entries(object || {});
  if (!entries.length) return h("p", { class: "muted small" }, "none");
  return h("dl", { class: "kv" }, entries.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]));
}

function niceStep(totalMs) {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];
  return steps.find((s) => totalMs / s <= 6) || 60000;
}

function spanDetail(raw, analysed, logs, traceStartNs) {
  const events = raw.events || [];
  const spanLogs = logs.filter((l) => l.span_id === raw.span_id);
  return h("div", { class: "wf-detail", role: "region", "aria-label": `span ${raw.name}` },
    h("div", { class: "row" }, h("b", {}, `${raw.service}: ${raw.name}`), badge(raw.kind || "span"),
      raw.status_code === "Error" ? badge(`error: ${raw.status_message || ""}`, "bad") : null,
      analysed && analysed.on_critical_path ? badge("on the critical path", "warn") : null,
      h("span", { class: "grow" }), h("code", { class: "small" }, raw.span_id)),
    h("p", { class: "small" },
      `starts +${ms((raw.start_unix_nano - traceStartNs) / 1e6)} · duration ${ms(raw.duration_ms)}`,
      analysed ? ` · self ${ms(analysed.self_ms)} · on the critical path ${ms(analysed.critical_ms)}` : ""),
    h("div", { class: "grid halves" },
      h("div", {}, h("h3", {}, "Attributes"), kv(raw.attributes)),
      h("div", {},
        h("h3", {}, `Events (${events.length})`),
        events.length ? h("ul", { class: "compact-list" }, events.map((e) => h("li", {},
          h("div", {}, h("b", {}, e.name), h("span", { class: "muted small" }, ` +${ms((e.time_unix_nano - traceStartNs) / 1e6)}`)),
          kv(e.attributes)))) : h("p", { class: "muted small" }, "none"),
        h("h3", {}, `Logs of this span (${spanLogs.length})`),
        spanLogs.length ? h("ul", { class: "compact-list" }, spanLogs.map((l) => h("li", { class: "mono small" },
          h("span", { class: `sev-${l.severity.toLowerCase()}` }, l.severity), " ", l.body))) : h("p", { class: "muted small" }, "none"))),
    h("details", {}, h("summary", { class: "small" }, "Resource"), kv(raw.resource)));
}

function waterfall(trace, analysis, logs) {
  const startNs = analysis.start_unix_nano;
  const totalMs = Math.max(analysis.duration_ms, 0.001);
  const raw = new Map(trace.spans.map((s) => [s.span_id, s]));
  const analysed = new Map(analysis.spans.map((s) => [s.span_id, s]));
  const critical = new Map();
  for (const segment of analysis.critical_path) {
    if (!critical.has(segment.span_id)) critical.set(segment.span_id, []);
    critical.get(segment.span_id).push(segment);
  }
  const left = (offsetMs) => `${Math.max(0, Math.min(100, (offsetMs / totalMs) * 100))}%`;
  const width = (durMs) => `${Math.max(0.15, Math.min(100, (durMs / totalMs) * 100))}%`;
  const step = niceStep(totalMs);
  const ticks = [];
  for (let t = 0; t <= totalMs + 1e-9; t += step) ticks.push(h("span", { style: { left: left(t) } }, ms(t)));
  const rows = treeOrder(trace.spans).map(({ span, depth }) => {
    const a = analysed.get(span.span_id);
    const offsetMs = (span.start_unix_nano - startNs) / 1e6;
    const isError = span.status_code === "Error";
    const row = h("div", {
      class: `wf-row${a && a.on_critical_path ? " on-crit" : ""}`, tabindex: 0, role: "button",
      "aria-expanded": "false", "data-span": span.span_id,
      "aria-label": `${span.service} ${span.name}, ${ms(span.duration_ms)}${isError ? ", error" : ""}${a && a.on_critical_path ? ", on the critical path" : ""}`,
    },
    h("div", { class: "wf-name", style: { "padding-left": `${depth * 14 + 4}px` }, title: `${span.service}: ${span.name}` },
      h("span", { class: "svc", style: { background: serviceColor(span.service) } }), h("b", {}, span.service), " ",
      h("span", { class: "op" }, span.name), isError ? h("span", { class: "err" }, " ⚠") : null),
    h("div", { class: "wf-track" },
      h("div", { class: `wf-bar${isError ? " error" : ""}`, style: { left: left(offsetMs), width: width(span.duration_ms), background: serviceColor(span.service) } }),
      (critical.get(span.span_id) || []).map((seg) => h("div", { class: "wf-crit", title: `critical path: ${ms(seg.duration_ms)}`,
        style: { left: left(seg.offset_ms), width: width(seg.duration_ms) } }))),
    h("div", { class: "wf-dur" }, ms(span.duration_ms)));
    const toggle = () => {
      const next = row.nextElementSibling;
      if (next && next.classList.contains("wf-detail")) {
        next.remove();
        row.setAttribute("aria-expanded", "false");
        row.classList.remove("selected");
      } else {
        row.after(spanDetail(raw.get(span.span_id), a, logs, startNs));
        row.setAttribute("aria-expanded", "true");
        row.classList.add("selected");
      }
    };
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const all = [...row.parentElement.querySelectorAll(".wf-row")];
        const next = all[all.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) next.focus();
      }
    });
    return row;
  });
  return h("div", { class: "waterfall", id: "waterfall" },
    h("div", { class: "wf-axis" }, h("div", { style: { "padding-left": "4px" } }, "Service: operation"), h("div", { class: "ticks" }, ticks), h("div", {})),
    rows);
}

function summary(trace, analysis) {
  const root = treeOrder(trace.spans)[0];
  const criticalMs = analysis.critical_path.reduce((sum, s) => sum + s.duration_ms, 0);
  const origin = analysis.error_origin;
  return h("div", {},
    h("div", { class: "trace-summary" },
      h("div", {}, h("span", { class: "muted small" }, "Root"), h("b", {}, root ? `${root.span.service}: ${root.span.name}` : "–")),
      h("div", {}, h("span", { class: "muted small" }, "Start (UTC)"), h("b", {}, time(analysis.start_unix_nano, { withMs: true }))),
      h("div", {}, h("span", { class: "muted small" }, "Duration"), h("b", {}, ms(analysis.duration_ms))),
      h("div", {}, h("span", { class: "muted small" }, "Spans"), h("b", {}, trace.span_count)),
      h("div", {}, h("span", { class: "muted small" }, "Services"), h("b", {}, trace.services.length)),
      h("div", {}, h("span", { class: "muted small" }, "Critical path"), h("b", {}, `${analysis.critical_path.length} segments · ${ms(criticalMs)}`))),
    origin ? h("p", { class: "callout bad" }, h("b", {}, "Error origin: "), `${origin.service}: ${origin.name} — ${origin.message}`) : null,
    analysis.bottlenecks.length ? h("p", {}, h("b", {}, "Bottlenecks: "), analysis.bottlenecks.slice(0, 3).map((b, i) =>
      h("span", {}, i ? " · " : "", serviceLink(b.service), ` ${b.name} ${ms(b.self_ms)} self (${pct(b.share, 0)} of the trace)`))) : null,
    analysis.orphan_span_ids.length ? h("p", { class: "muted small" }, `${analysis.orphan_span_ids.length} spans have a parent this trace lacks: drawn as roots.`) : null,
    h("div", { class: "legend" },
      h("span", {}, h("i", { style: { background: "var(--crit)" } }), "critical path (what the trace waited on)"),
      h("span", {}, h("i", { style: { outline: "2px solid var(--bad)", background: "transparent" } }), "span with error status")));
}

export async function render({ root, args, signal }) {
  const id = args.trace;
  const head = h("span", { class: "sub mono" }, id);
  const loaded = Promise.all([
    api.get(`/traces/${id}`, {}, { signal }), api.get(`/traces/${id}/analysis`, {}, { signal })]);
  loaded.catch(() => {});
  const around = loaded.then(([trace]) => {
    const start = trace.start_unix_nano - MINUTE_NS;
    const end = trace.start_unix_nano + trace.duration_ms * 1e6 + MINUTE_NS;
    return { start: new Date(start / 1e6).toISOString(), end: new Date(end / 1e6).toISOString() };
  });
  const logs = around.then((w) => api.get("/logs", { ...w, trace_id: id, limit: 1000 }, { signal })).then((a) => a.logs, () => []);
  const main = panel("Waterfall", async () => {
    const [[trace, analysis], lines] = await Promise.all([loaded, logs]);
    return h("div", {}, summary(trace, analysis), waterfall(trace, analysis, lines));
  }, { id: "trace" });
  const logPanel = panel("Logs of this trace", async () => {
    const lines = await logs;
    if (!lines.length) return emptyState("No log lines carry this trace id.");
    return table([
      { label: "Time (UTC)", cell: (l) => h("span", { class: "nowrap" }, time(l.time_unix_nano, { withMs: true, date: false })) },
      { label: "Service", cell: (l) => l.service },
      { label: "Severity", cell: (l) => h("span", { class: `sev-${l.severity.toLowerCase()}` }, l.severity) },
      { label: "Body", cls: "body", cell: (l) => l.body },
    ], [...lines].sort((a, b) => a.time_unix_nano - b.time_unix_nano));
  }, { id: "logs", actions: h("a", { href: href("/logs", { trace_id: id }) }, "Open in Logs →") });
  const errorPanel = panel("Error events of this trace", async () => {
    const w = await around;
    const answer = await api.get("/errors/events", { ...w, limit: 1000 }, { signal });
    const mine = answer.events.filter((e) => e.trace_id === id);
    if (!mine.length) return emptyState("No error event carries this trace id.");
    return table([
      { label: "Time (UTC)", cell: (e) => time(e.time_unix_nano, { withMs: true, date: false }) },
      { label: "Service", cell: (e) => e.service },
      { label: "Error", cls: "wrap", cell: (e) => h("span", {}, h("b", {}, e.exception_type || e.level), " ", e.exception_value || "") },
      { label: "Release", cell: (e) => e.release || "" },
    ], mine);
  }, { id: "errors" });
  fill(root, pageHead("Trace", head), h("div", { class: "stack" }, main.el, h("div", { class: "grid halves" }, logPanel.el, errorPanel.el)));
  await Promise.all([main.done, logPanel.done, errorPanel.done]);
}
