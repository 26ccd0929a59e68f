// The host's USE summary (utilization, saturation, errors per resource) from the metrics the
// host collector sends (OpenTelemetry's system.* names).

import { api } from "./api.js";
import { sparkline } from "./charts.js";
import { h, table } from "./dom.js";
import { num, pct, rate } from "./format.js";
import { emptyState } from "./view.js";

// [resource, measure, metric, query params, how to reduce the grouped series, format]
const MEASURES = [
  ["CPU", "utilization", "system.cpu.utilization", { agg: "avg", group_by: "state" }, "busy", pct],
  ["CPU", "saturation (load 1m)", "system.cpu.load_average.1m", { agg: "avg" }, "first", num],
  ["Memory", "utilization", "system.memory.utilization", { agg: "avg", group_by: "state" }, "used", pct],
  ["Memory", "saturation (major faults)", "system.paging.faults", { agg: "rate", group_by: "type" }, "major", rate],
  ["Disk", "utilization", "system.disk.utilization", { agg: "max" }, "first", pct],
  ["Network", "errors", "system.network.errors", { agg: "rate" }, "first", rate],
  ["Network", "saturation (dropped)", "system.network.dropped", { agg: "rate" }, "first", rate],
];

function reduce(answer, how) {
  const byLabel = new Map(answer.series.map((s) => [s.labels.join(","), s.points]));
  if (how === "busy") {
    const idle = byLabel.get("idle");
    if (!idle) return null;
    return idle.map((p) => ({ ...p, value: p.value === null ? null : 1 - p.value }));
  }
  if (how === "first") return answer.series[0] ? answer.series[0].points : null;
  return byLabel.get(how) || null;
}

export async function hostSummary(window, signal) {
  const listed = await api.get("/metrics", window, { signal });
  const names = new Set(listed.metrics.map((m) => m.name));
  const wanted = MEASURES.filter(([, , name]) => names.has(name));
  if (!wanted.length) {
    return emptyState("No host metrics in this window.",
      "nightcall serve collects this host's (--collect-host); run `nightcall collect --url …` on other hosts.");
  }
  const rows = await Promise.all(wanted.map(async ([resource, measure, name, params, how, format]) => {
    const answer = await api.get(`/metrics/${encodeURIComponent(name)}/series`, { ...window, ...params }, { signal });
    const points = reduce(answer, how) || [];
    const values = points.map((p) => p.value);
    const last = [...values].reverse().find((v) => v !== null && v !== undefined);
    return { resource, measure, values, last, format, name };
  }));
  return table([
    { label: "Resource", cell: (r) => h("b", {}, r.resource) },
    { label: "Measure", cell: (r) => h("span", { title: r.name }, r.measure) },
    { label: "Trend", cell: (r) => sparkline(r.values, { label: `${r.resource} ${r.measure}` }) },
    { label: "Latest", num: true, cell: (r) => r.format(r.last) },
  ], rows);
}
