// A service's RED over time (requests, errors, p95) with its anomaly windows shaded, change
// points and onsets marked, and deploys as markers: the charts of the Service and Diagnosis pages.

import { api } from "./api.js";
import { lineChart, responsive, stepPoints } from "./charts.js";
import { h } from "./dom.js";
import { valueIn } from "./format.js";

export const MEASURES = [
  ["requests", "Requests", "1/s"], ["error_rate", "Error rate", "1"], ["latency_p95", "p95 latency", "ms"],
];

/** Everything the charts of `service` need for `window` (one request each, in parallel). */
export async function redData(window, service, signal) {
  const [series, anomalies, changes] = await Promise.all([
    api.get("/services/series", { ...window, service }, { signal }),
    api.get("/anomalies", { ...window, service }, { signal }),
    api.get("/changes", { ...window, service }, { signal }),
  ]);
  return { series, anomalies: anomalies.anomalies, changes: changes.changes, service };
}

/** The chart of one measure ("requests", "error_rate", "latency_p95") of the service. */
export function redChart(data, name, { onsetNs = null, height = 130 } = {}) {
  const [, label, unit] = MEASURES.find(([n]) => n === name) || [name, name, ""];
  const found = data.series.series.find((s) => s.name === name && s.service === data.service);
  const startMs = data.series.start_unix_nano / 1e6;
  const endMs = data.series.end_unix_nano / 1e6;
  const stepMs = data.series.step_s * 1000;
  const points = found ? stepPoints(found.values, startMs, stepMs) : [];
  const mine = data.anomalies.filter((a) => a.name === name && (!a.labels.dependency));
  const shades = mine.map((a) => ({
    startMs: a.start_unix_nano / 1e6, endMs: Math.max(a.end_unix_nano, a.start_unix_nano + stepMs * 1e6) / 1e6,
    label: a.summary, recurring: a.recurring,
  }));
  const markers = data.changes.filter((c) => c.kind === "deploy").map((c) => ({
    ms: c.time_unix_nano / 1e6, label: c.detail, short: `deploy ${c.current || ""}`.trim(), kind: "deploy",
  }));
  for (const a of mine.filter((x) => x.kind === "change_point")) {
    markers.push({ ms: a.onset_unix_nano / 1e6, label: `change point: ${a.summary}`, short: "shift", kind: "onset" });
  }
  if (onsetNs) markers.push({ ms: onsetNs / 1e6, label: "onset of the hypothesis", short: "onset", kind: "onset" });
  const finite = points.map((p) => p.v).filter((v) => v !== null);
  const latest = finite.length ? finite[finite.length - 1] : null;
  return h("figure", { class: "red-chart", style: { margin: "0 0 8px" }, "data-measure": name },
    h("figcaption", { class: "chart-title" }, h("b", {}, label),
      mine.length ? h("span", { class: "badge bad" }, `${mine.length} anomal${mine.length === 1 ? "y" : "ies"}`) : null,
      h("span", { class: "value" }, valueIn(latest, unit))),
    responsive((width) => lineChart({ startMs, endMs, series: [{ label, points }], shades, markers, unit, height, width,
      label: `${data.service} ${label}` })));
}

export function chartLegend() {
  return h("div", { class: "legend" },
    h("span", {}, h("i", { style: { background: "var(--shade)" } }), "anomaly window"),
    h("span", {}, h("i", { style: { background: "var(--shade-recurring)" } }), "recurring pattern"),
    h("span", {}, h("i", { style: { background: "var(--warn)" } }), "deploy"),
    h("span", {}, h("i", { style: { background: "var(--bad)" } }), "onset / change point"));
}
