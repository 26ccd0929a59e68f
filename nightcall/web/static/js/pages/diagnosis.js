// Diagnosis: the ranked hypotheses for the window with confidence, evidence (charts, linked
// traces, logs and errors), investigation steps, diagnostics and "open an incident".

import { api } from "../api.js";
import { diagnosticButtons } from "../diagnostics.js";
import { fill, h, table } from "../dom.js";
import { duration, num, pct, time, valueIn } from "../format.js";
import { incidentButton } from "../incident_actions.js";
import { queryLink, serviceLink } from "../links.js";
import { chartLegend, redChart, redData } from "../red.js";
import { apiWindow, currentRoute, href, setParams } from "../state.js";
import { badge, emptyState, loadingState, meter, pageHead, panel } from "../view.js";

export const title = () => "Diagnosis";

const RED_NAMES = ["requests", "error_rate", "latency_p95"];

/** Which RED measure shows a hypothesis best: its target's, else by the kind's wording. */
function measureFor(hyp) {
  const name = (hyp.target || "").split("{")[0];
  if (RED_NAMES.includes(name)) return name;
  if (/error|crash|cert|fail|cascad/.test(hyp.kind) || /error/.test(name)) return "error_rate";
  return "latency_p95";
}

function evidenceTable(hyp) {
  return table([
    { label: "Evidence", cell: (e) => h("b", {}, e.label) },
    { label: "Value", num: true, cell: (e) => (e.value === undefined || e.value === null ? "" : valueIn(e.value, e.unit)) },
    { label: "Detail", cls: "wrap", cell: (e) => e.detail || "" },
    { label: "", cell: (e) => {
      const link = e.query ? queryLink(e.query, { startNs: e.start_unix_nano, endNs: e.end_unix_nano, service: hyp.service }) : null;
      return link ? h("a", { href: link, class: "nowrap", title: e.query }, "Open →") : (e.query ? h("code", { class: "small" }, e.query) : "");
    } },
  ], hyp.evidence);
}

function hypothesisCard(hyp, { open, charts, incidentWindow }) {
  const chartBox = h("div", {}, loadingState("Loading the chart…"));
  charts.then((data) => fill(chartBox, data ? redChart(data.get(hyp.service), measureFor(hyp), { onsetNs: hyp.onset_unix_nano }) : null),
    () => fill(chartBox, emptyState("No chart for this service.")));
  const quick = h("div", { class: "row small" },
    h("a", { href: href("/traces", { service: hyp.service, status: "error" }) }, "Error traces"),
    h("a", { href: href("/traces", { service: hyp.service }) }, "Traces"),
    h("a", { href: href("/logs", { service: hyp.service, severity: "warn" }) }, "Warning logs"),
    h("a", { href: href("/errors", { service: hyp.service }) }, "Error groups"),
    h("a", { href: href(`/services/${encodeURIComponent(hyp.service)}`) }, "Service page"));
  return h("details", { class: "hyp", open, id: `hyp-${hyp.rank}`, "data-kind": hyp.kind, "data-service": hyp.service },
    h("summary", {},
      h("span", { class: "rank", "aria-label": `rank ${hyp.rank}` }, hyp.rank),
      h("div", {},
        h("div", { class: "row" }, badge(hyp.kind.replaceAll("_", " "), "accent"), serviceLink(hyp.service),
          h("span", { class: "muted small" }, `onset ${time(hyp.onset_unix_nano)}`)),
        h("div", { class: "statement" }, hyp.statement),
        hyp.symptom ? h("div", { class: "muted small" }, hyp.symptom) : null),
      h("div", { class: "conf" }, h("b", {}, pct(hyp.confidence, 0)), h("div", {}, meter(hyp.confidence, { label: "confidence" })),
        h("div", { class: "muted small" }, "confidence"))),
    h("div", { class: "hyp-body" },
      hyp.impact ? h("p", {}, h("b", {}, "Impact: "), hyp.impact) : null,
      chartBox,
      h("h3", {}, "Evidence"), evidenceTable(hyp), quick,
      h("div", { class: "grid halves" },
        h("div", {}, h("h3", {}, "Investigate"), h("ol", {}, hyp.steps.map((s) => h("li", {}, s)))),
        h("div", {},
          hyp.stabilize && hyp.stabilize.length ? [h("h3", {}, "Stabilize"), h("ul", {}, hyp.stabilize.map((s) => h("li", {}, s)))] : null,
          hyp.diagnostics && hyp.diagnostics.length ? [h("h3", {}, "Diagnostics"), diagnosticButtons(hyp.diagnostics)] : null)),
      h("div", { class: "row", style: { "margin-top": "10px" } }, incidentButton(hyp, incidentWindow))));
}

function candidatesTable(diagnosis) {
  return table([
    { label: "#", num: true, cell: (c) => c.rank },
    { label: "Service", cell: (c) => serviceLink(c.service) },
    { label: "Score", num: true, cell: (c) => num(c.score) },
    { label: "Strongest shifts", cls: "wrap", cell: (c) => h("span", {}, c.signals.map((s, i) =>
      h("span", { class: "nowrap" }, i ? " · " : "", h("code", {}, s.series), ` z=${num(s.z)}`))) },
  ], diagnosis.candidates.slice(0, 10));
}

export async function render({ root, route, signal }) {
  const window = apiWindow();
  const service = route.params.get("service") || "";
  const focus = Number(route.params.get("focus")) || 0;
  const services = api.get("/services", window, { signal }).catch(() => ({ services: [] }));
  const picker = h("select", { "aria-label": "Only this service and what it calls", "data-search": "",
    onchange: (e) => setParams({ service: e.target.value || null }) }, h("option", { value: "" }, "All services"));
  services.then((answer) => {
    for (const s of answer.services) picker.append(h("option", { value: s.service, selected: s.service === service }, s.service));
  });
  const sub = h("span", { class: "sub" });
  const diagnosis = api.get("/hypotheses", { ...window, service, limit: 10 }, { signal });
  const hypotheses = panel("Hypotheses", async () => {
    const answer = await diagnosis;
    fill(sub, `window ${time(answer.window.start_unix_nano)} → ${time(answer.window.end_unix_nano)} UTC · step ${duration(answer.window.step_s)}`,
      answer.onset_unix_nano ? ` · onset ${time(answer.onset_unix_nano)}` : "", ` · ${answer.series} series`);
    if (!answer.hypotheses.length) return emptyState("No hypotheses: nothing in this window stands out.", "Widen the window, or check the services' traffic on the overview.");
    // An incident about a relative window ("the last hour") is ongoing: it has no end yet.
    const incidentWindow = { start: answer.window.start, end: window.end ? answer.window.end : null };
    const names = [...new Set(answer.hypotheses.map((x) => x.service))];
    const charts = Promise.all(names.map((name) => redData(window, name, signal).then((d) => [name, d])))
      .then((pairs) => new Map(pairs));
    charts.catch(() => {});
    return h("div", {}, chartLegend(), h("div", { style: { height: "8px" } }),
      answer.hypotheses.map((hyp) => hypothesisCard(hyp, { open: focus ? hyp.rank === focus : hyp.rank <= 2, charts, incidentWindow })));
  }, { id: "hypotheses", actions: picker });
  const candidates = panel("Candidate causes (call-graph ranking)", async () => {
    const answer = await diagnosis;
    return answer.candidates.length ? candidatesTable(answer) : null;
  }, { id: "candidates" });
  fill(root, pageHead("Diagnosis", sub), h("div", { class: "stack" }, hypotheses.el, candidates.el));
  await Promise.all([hypotheses.done, candidates.done]);
  if (focus && currentRoute().params.get("focus")) {
    const target = root.querySelector(`#hyp-${focus}`);
    if (target) target.scrollIntoView({ block: "start" });
  }
}
