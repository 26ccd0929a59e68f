// Overview: every service's RED with sparklines (suspects first), the top hypotheses, active
// anomalies, open incidents and the host's USE summary.

import { api, hasApi } from "../api.js";
import { sparkline } from "../charts.js";
import { fill, h, table } from "../dom.js";
import { ms, pct, rate, time, valueIn } from "../format.js";
import { serviceLink } from "../links.js";
import { apiWindow, href } from "../state.js";
import { badge, emptyState, meter, pageHead, panel, unavailableState } from "../view.js";
import { hostSummary } from "../host.js";

export const title = () => "Overview";

/** Service order: hypotheses' services by rank, then diagnosis candidates, then error rate. */
export function rankServices(services, diagnosis) {
  const order = new Map();
  if (diagnosis) {
    for (const hyp of diagnosis.hypotheses) if (!order.has(hyp.service)) order.set(hyp.service, order.size);
    for (const cand of diagnosis.candidates || []) if (cand.score > 0 && !order.has(cand.service)) order.set(cand.service, order.size);
  }
  return [...services].sort((a, b) => {
    const ra = order.has(a.service) ? order.get(a.service) : Infinity;
    const rb = order.has(b.service) ? order.get(b.service) : Infinity;
    if (ra !== rb) return ra - rb;
    return b.error_rate - a.error_rate || b.requests - a.requests;
  });
}

function seriesIndex(answer) {
  const index = new Map();
  for (const s of answer.series) index.set(`${s.service}|${s.name}`, s.values);
  return index;
}

function servicesTable(services, series, diagnosis) {
  const suspects = new Map();
  if (diagnosis) for (const hyp of diagnosis.hypotheses) if (!suspects.has(hyp.service)) suspects.set(hyp.service, suspects.size + 1);
  const spark = (service, name, bad) => {
    const values = series.get(`${service}|${name}`);
    return values ? sparkline(values, { bad, label: `${service} ${name}` }) : null;
  };
  const rows = rankServices(services, diagnosis);
  const tableEl = table([
    { label: "Service", cell: (s) => h("span", { class: "row" }, serviceLink(s.service),
      suspects.has(s.service) ? badge(`suspect #${suspects.get(s.service)}`, "bad") : null) },
    { label: "Requests", num: true, cell: (s) => h("span", { class: "row end" }, spark(s.service, "requests"), rate(s.request_rate_per_s)) },
    { label: "Errors", num: true, cell: (s) => h("span", { class: `row end${s.error_rate > 0.05 ? " err" : ""}` },
      spark(s.service, "error_rate", s.error_rate > 0.05), pct(s.error_rate)) },
    { label: "p95", num: true, cell: (s) => h("span", { class: "row end" }, spark(s.service, "latency_p95"), ms(s.p95_ms)) },
  ], rows, { rowAttrs: (s) => ({ class: suspects.has(s.service) ? "suspect" : null, "data-service": s.service }) });
  tableEl.id = "services-table";
  tableEl.dataset.ranked = diagnosis ? "diagnosis" : "errors";
  return tableEl;
}

function hypothesesList(diagnosis) {
  if (!diagnosis.hypotheses.length) return emptyState("No hypotheses: nothing stands out in this window.");
  return h("ol", { class: "compact-list" }, diagnosis.hypotheses.slice(0, 4).map((hyp) =>
    h("li", {},
      h("div", { class: "row" }, badge(hyp.kind.replaceAll("_", " "), "accent"), serviceLink(hyp.service),
        h("span", { class: "grow" }), meter(hyp.confidence, { label: "confidence" }), h("b", {}, pct(hyp.confidence, 0))),
      h("div", {}, h("a", { href: href("/diagnosis", { focus: hyp.rank }) }, hyp.statement)))));
}

function anomaliesList(answer) {
  const found = [...answer.anomalies].sort((a, b) => b.score - a.score).slice(0, 8);
  if (!found.length) return emptyState("No anomalies in this window.");
  return h("ul", { class: "compact-list" }, found.map((a) =>
    h("li", { title: a.summary },
      h("div", { class: "row small muted" }, a.service ? serviceLink(a.service) : "host", `· ${a.kind.replaceAll("_", " ")}`,
        h("span", { class: "grow" }), time(a.onset_unix_nano)),
      h("div", { class: "row" }, h("code", { class: "grow" }, a.series),
        h("span", { class: `nowrap${a.direction === "up" ? " err" : ""}` }, `${a.direction === "up" ? "▲" : "▼"} ${valueIn(a.observed, a.unit)}`),
        h("span", { class: "muted small nowrap" }, `was ${valueIn(a.baseline, a.unit)}`)))));
}

async function incidentsList(signal) {
  if (!(await hasApi("/api/v1/incidents"))) return unavailableState("/api/v1/incidents");
  const answer = await api.get("/incidents", { status: "open" }, { signal });
  const open = (answer.incidents || []).filter((i) => !["resolved", "closed"].includes(i.phase || i.status));
  if (!open.length) return emptyState("No open incidents.");
  return h("ul", { class: "compact-list" }, open.map((i) =>
    h("li", {}, h("div", { class: "row" }, badge(i.severity || "?", "bad"), h("a", { href: href(`/incidents/${i.id}`) }, i.title || i.id),
      h("span", { class: "grow" }), badge(i.phase || i.status || ""))))); 
}

export async function render({ root, signal }) {
  const window = apiWindow();
  const diagnosis = api.get("/hypotheses", { ...window, limit: 10 }, { signal });
  diagnosis.catch(() => {});
  const services = panel("Services", async () => {
    const [red, series] = await Promise.all([
      api.get("/services", window, { signal }), api.get("/services/series", window, { signal })]);
    if (!red.services.length) return emptyState("No service sent spans in this window.", "Widen the time range, or point an OpenTelemetry SDK at this server.");
    const index = seriesIndex(series);
    const holder = h("div", {}, servicesTable(red.services, index, null),
      h("p", { class: "small muted", id: "services-note" }, "Ranking by the diagnosis…"));
    diagnosis.then((diag) => {
      fill(holder, servicesTable(red.services, index, diag),
        h("p", { class: "small muted" }, "Suspects of the diagnosis first, then by error rate."));
    }, () => fill(holder, servicesTable(red.services, index, null),
      h("p", { class: "small muted" }, "Sorted by error rate (the diagnosis did not answer).")));
    return holder;
  }, { flush: false, id: "services" });
  const hypotheses = panel("Top hypotheses", async () => hypothesesList(await diagnosis),
    { actions: h("a", { href: href("/diagnosis") }, "All →"), id: "hypotheses" });
  const anomalies = panel("Active anomalies", async () =>
    anomaliesList(await api.get("/anomalies", { ...window, recurring: false, limit: 200 }, { signal })), { id: "anomalies" });
  const incidents = panel("Open incidents", () => incidentsList(signal),
    { actions: h("a", { href: href("/incidents") }, "All →"), id: "incidents" });
  const host = panel("Host (USE)", () => hostSummary(window, signal), { id: "host" });
  fill(root, pageHead("Overview"),
    h("div", { class: "grid two" },
      h("div", { class: "stack" }, services.el, anomalies.el),
      h("div", { class: "stack" }, hypotheses.el, incidents.el, host.el)));
  await Promise.all([services.done, hypotheses.done, anomalies.done, incidents.done, host.done]);
  await diagnosis.catch(() => {});
}
