// One service: RED charts over the window with anomalies, change points and deploys marked;
// its dependencies and dependants with edge health; its top error groups and slowest traces.

import { api } from "../api.js";
import { sparkline } from "../charts.js";
import { fill, h, table } from "../dom.js";
import { ms, num, pct, rate, time } from "../format.js";
import { serviceLink, traceLink } from "../links.js";
import { MEASURES, chartLegend, redChart, redData } from "../red.js";
import { apiWindow, href } from "../state.js";
import { badge, emptyState, pageHead, panel } from "../view.js";

export const title = (args) => args.service;

export function edgeHealth(edge) {
  if (edge.error_rate >= 0.05) return "bad";
  if (edge.error_rate >= 0.01) return "warn";
  return "ok";
}

function edgesTable(edges, side) {
  if (!edges.length) return emptyState(side === "callee" ? "It calls nothing that traces show." : "Nothing that traces show calls it.");
  return table([
    { label: side === "callee" ? "Calls" : "Called by", cell: (e) => {
      const name = e[side];
      return e.kind === "external" ? h("span", {}, name, " ", badge("external")) : serviceLink(name);
    } },
    { label: "Rate", num: true, cell: (e) => rate(e.rate_per_s) },
    { label: "Errors", num: true, cell: (e) => h("span", { class: edgeHealth(e) === "ok" ? "" : "err" }, pct(e.error_rate)) },
    { label: "p50", num: true, cell: (e) => ms(e.p50_ms) },
    { label: "p95", num: true, cell: (e) => ms(e.p95_ms) },
    { label: "Health", cell: (e) => badge(edgeHealth(e), edgeHealth(e) === "ok" ? "ok" : edgeHealth(e)) },
  ], edges);
}

export async function render({ root, args, signal }) {
  const service = args.service;
  const window = apiWindow();
  const summary = h("span", { class: "sub" });
  const charts = panel("Rate, errors, duration", async () => {
    const [data, red] = await Promise.all([redData(window, service, signal), api.get("/services", window, { signal })]);
    const me = red.services.find((s) => s.service === service);
    if (me) {
      fill(summary, `${rate(me.request_rate_per_s)} · ${pct(me.error_rate)} errors · p50 ${ms(me.p50_ms)} · p95 ${ms(me.p95_ms)} · p99 ${ms(me.p99_ms)}`);
    }
    if (!data.series.series.length) return emptyState(`${service} sent no entry spans in this window.`);
    const deploys = data.changes.filter((c) => c.kind === "deploy");
    return h("div", {}, chartLegend(), MEASURES.map(([name]) => redChart(data, name)),
      deploys.length ? h("p", { class: "small" }, h("b", {}, "Deploys: "),
        deploys.map((c, i) => [i ? " · " : "", `${time(c.time_unix_nano)} ${c.detail}`])) : null);
  }, { id: "red" });
  const map = api.get("/service-map", window, { signal });
  map.catch(() => {});
  const kinds = map.then((m) => new Map(m.nodes.map((n) => [n.name, n.kind])));
  kinds.catch(() => {});
  const dependencies = panel("Dependencies", async () => {
    const [m, k] = await Promise.all([map, kinds]);
    return edgesTable(m.edges.filter((e) => e.caller === service).map((e) => ({ ...e, kind: k.get(e.callee) })), "callee");
  }, { id: "dependencies" });
  const dependants = panel("Dependants", async () => {
    const m = await map;
    return edgesTable(m.edges.filter((e) => e.callee === service), "caller");
  }, { id: "dependants" });
  const errors = panel("Top error groups", async () => {
    const answer = await api.get("/errors", { ...window, service, limit: 5 }, { signal });
    if (!answer.errors.length) return emptyState("No error events in this window.");
    return table([
      { label: "Error", cls: "wrap", cell: (g) => h("a", { href: href(`/errors/${g.fingerprint}`) }, g.title) },
      { label: "Events", num: true, cell: (g) => num(g.count) },
      { label: "Trend", cell: (g) => sparkline(g.series.counts, { bad: true, label: "events" }) },
    ], answer.errors);
  }, { id: "errors", actions: h("a", { href: href("/errors", { service }) }, "All →") });
  const slow = panel("Slowest traces", async () => {
    const red = await api.get("/services", window, { signal });
    const me = red.services.find((s) => s.service === service);
    const threshold = me && me.p95_ms ? Math.floor(me.p95_ms) : null;
    const answer = await api.get("/traces", { ...window, service, min_duration_ms: threshold, limit: 200 }, { signal });
    const slowest = answer.traces.sort((a, b) => b.duration_ms - a.duration_ms).slice(0, 8);
    if (!slowest.length) return emptyState("No traces in this window.");
    return h("div", {},
      table([
        { label: "Trace", cell: (t) => traceLink(t.trace_id) },
        { label: "Operation", cls: "wrap", cell: (t) => `${t.root_service}: ${t.root_operation}` },
        { label: "Duration", num: true, cell: (t) => ms(t.duration_ms) },
        { label: "", cell: (t) => t.root_service === service ? h("a", { class: "small nowrap", href: href("/traces/compare", { service, operation: t.root_operation }) }, "slow vs normal") : "" },
      ], slowest),
      threshold ? h("p", { class: "small muted" }, `Traces through ${service} at or above its p95 (${ms(threshold)}).`) : null);
  }, { id: "slow", actions: h("a", { href: href("/traces", { service }) }, "Search →") });
  fill(root,
    pageHead(service, summary, h("span", { class: "grow" }),
      h("a", { href: href("/diagnosis", { service }) }, "Diagnose this service →")),
    h("div", { class: "grid two" },
      h("div", { class: "stack" }, charts.el, slow.el),
      h("div", { class: "stack" }, dependencies.el, dependants.el, errors.el)));
  await Promise.all([charts.done, dependencies.done, dependants.done, errors.done, slow.done]);
}
