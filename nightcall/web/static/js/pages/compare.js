// Slow versus normal: the slowest traces of one operation against the rest, and what grew.

import { ApiError, api } from "../api.js";
import { fill, h, table } from "../dom.js";
import { ms, num, pct } from "../format.js";
import { serviceLink, traceLink } from "../links.js";
import { apiWindow, href, setParams } from "../state.js";
import { emptyState, errorState, pageHead, panel } from "../view.js";

export const title = () => "Slow vs normal";

export async function render({ root, route, signal }) {
  const params = route.params;
  const service = params.get("service");
  const operation = params.get("operation");
  const percentile = params.get("p") || "90";
  if (!service || !operation) {
    fill(root, pageHead("Slow vs normal"), errorState(new ApiError(400, {
      message: "a comparison needs a service and an operation",
      hint: "pick them on the Traces page, then follow 'Slow vs normal'",
    })));
    return;
  }
  const picker = h("select", { "aria-label": "Slow cohort percentile", onchange: (e) => setParams({ p: e.target.value }) },
    ["75", "90", "95", "99"].map((p) => h("option", { value: p, selected: p === percentile }, `slowest ${100 - Number(p)}%`)));
  const answer = api.get("/traces/compare", { ...apiWindow(), service, operation, slow_percentile: percentile }, { signal });
  answer.catch(() => {});
  const overview = panel("Cohorts", async () => {
    const a = await answer;
    if (!a.slow_traces) return emptyState("Too few traces of this operation in the window to compare.");
    return h("div", {},
      h("p", {}, `Traces at or above ${ms(a.threshold_ms)} (p${percentile}): ${a.slow_traces} slow against ${a.baseline_traces} normal, of ${a.traces_seen} seen. `,
        `Mean ${ms(a.slow_mean_ms)} against ${ms(a.baseline_mean_ms)}: the slow ones take ${ms(a.gap_ms)} more.`),
      h("p", { class: "small" }, h("b", {}, "Slow traces: "), a.slow_trace_ids.slice(0, 8).map((id, i) => [i ? " · " : "", traceLink(id)])));
  }, { id: "cohorts", actions: picker });
  const operations = panel("Where the extra time goes (self-time per operation)", async () => {
    const a = await answer;
    if (!a.operations.length) return null;
    return table([
      { label: "Service", cell: (o) => serviceLink(o.service) },
      { label: "Operation", cls: "wrap", cell: (o) => o.operation },
      { label: "Slow mean", num: true, cell: (o) => ms(o.slow_mean_self_ms) },
      { label: "Normal mean", num: true, cell: (o) => ms(o.baseline_mean_self_ms) },
      { label: "Δ mean", num: true, cell: (o) => h("b", { class: o.delta_mean_self_ms > 0 ? "err" : "" }, ms(o.delta_mean_self_ms)) },
      { label: "Share of the gap", num: true, cell: (o) => pct(o.contribution, 0) },
    ], a.operations.slice(0, 15));
  }, { id: "operations", flush: true });
  const attributes = panel("Attributes over-represented in slow traces", async () => {
    const a = await answer;
    if (!a.attributes.length) return emptyState("No attribute value sets the slow traces apart.");
    return table([
      { label: "Attribute", cls: "wrap", cell: (x) => h("code", {}, `${x.key}=${x.value}`) },
      { label: "In slow", num: true, cell: (x) => pct(x.slow_share, 0) },
      { label: "In normal", num: true, cell: (x) => pct(x.baseline_share, 0) },
      { label: "Lift", num: true, cell: (x) => `${num(x.lift)}×` },
      { label: "", cell: (x) => h("a", { href: href("/traces", { service, attr: `${x.key}=${x.value}` }) }, "traces") },
    ], a.attributes.slice(0, 15));
  }, { id: "attributes", flush: true });
  fill(root, pageHead("Slow vs normal", h("span", { class: "sub" }, `${service}: ${operation}`)),
    h("div", { class: "stack" }, overview.el, h("div", { class: "grid halves" }, operations.el, attributes.el)));
  await Promise.all([overview.done, operations.done, attributes.done]);
}
