// One incident: the phase stepper, severity, scope, the hypothesis log (confirm or reject
// with a note), notes, the timeline, diagnostics, and the post-mortem preview and download.

import { api, apiKey } from "../api.js";
import { diagnosticButtons } from "../diagnostics.js";
import { fill, h, table } from "../dom.js";
import { ms, pct, time, valueIn } from "../format.js";
import { actor, setActor } from "../incident_actions.js";
import { queryLink, serviceLink } from "../links.js";
import { href } from "../state.js";
import { badge, emptyState, errorState, pageHead, panel } from "../view.js";
import { severityBadge } from "./incidents.js";

export const title = (args) => args.incident;

const PHASES = ["detect", "triage", "stabilize", "diagnose", "fix", "postmortem", "closed"];
const SEVERITIES = ["P0", "P1", "P2", "P3", "P4"];
const STATUS_KIND = { confirmed: "ok", rejected: "", investigating: "warn", proposed: "accent" };

/** POST/PATCH something about the incident, then draw the page again from the answer. */
function act(feedback, redraw, call) {
  return async (event) => {
    if (event) event.preventDefault();
    fill(feedback, h("span", { class: "muted small" }, "Saving…"));
    try {
      await call();
      fill(feedback);
      redraw();
    } catch (error) {
      fill(feedback, errorState(error));
    }
  };
}

function stepper(incident) {
  const current = PHASES.indexOf(incident.phase);
  return h("ol", { class: "stepper", "aria-label": "Phases" }, PHASES.map((phase, i) =>
    h("li", { class: i < current ? "done" : i === current ? "current" : null, "aria-current": i === current ? "step" : null },
      i < current ? `✓ ${phase}` : phase)));
}

function hypothesisEntry(hyp, path, redraw) {
  const feedback = h("div", { "aria-live": "polite" });
  const note = h("textarea", { "aria-label": `Note for ${hyp.id}`, placeholder: "What the measurement showed (needed to confirm or reject; kept in the log)" });
  const setStatus = (status) => act(feedback, redraw, () =>
    api.patch(`${path}/hypotheses/${encodeURIComponent(hyp.id)}`, { status, note: note.value || null, reason: note.value, actor: actor() }));
  const evidence = hyp.evidence.length ? table([
    { label: "Evidence", cell: (e) => h("b", {}, e.label || e.name || "") },
    { label: "Value", num: true, cell: (e) => (e.value === undefined || e.value === null ? "" : valueIn(e.value, e.unit)) },
    { label: "Detail", cls: "wrap", cell: (e) => e.detail || "" },
    { label: "", cell: (e) => {
      const link = e.query ? queryLink(e.query, { startNs: e.start_unix_nano, endNs: e.end_unix_nano, service: hyp.service }) : null;
      return link ? h("a", { href: link }, "Open →") : "";
    } },
  ], hyp.evidence) : null;
  const isOpen = hyp.status === "proposed" || hyp.status === "investigating";
  return h("details", { class: "hyp", open: isOpen, "data-hypothesis": hyp.id, "data-status": hyp.status },
    h("summary", {},
      h("span", { class: "rank" }, hyp.id),
      h("div", {},
        h("div", { class: "row" }, badge(hyp.status, STATUS_KIND[hyp.status] || ""), hyp.kind ? badge(hyp.kind.replaceAll("_", " "), "accent") : null,
          hyp.service ? serviceLink(hyp.service) : null, h("span", { class: "muted small" }, `from ${hyp.source} · ${hyp.proposed_by}`)),
        h("div", { class: "statement" }, hyp.statement),
        hyp.note ? h("div", { class: "small" }, h("b", {}, "Note: "), hyp.note) : null),
      h("div", { class: "conf" }, hyp.confidence !== null && hyp.confidence !== undefined ? h("b", {}, pct(hyp.confidence, 0)) : "")),
    h("div", { class: "hyp-body" },
      evidence,
      hyp.steps.length ? [h("h3", {}, "Investigate"), h("ol", {}, hyp.steps.map((s) => h("li", {}, s)))] : null,
      hyp.diagnostics.length ? [h("h3", {}, "Diagnostics"), diagnosticButtons(hyp.diagnostics)] : null,
      hyp.history.length > 1 ? h("p", { class: "small muted" }, hyp.history.map((c) => `${c.status} by ${c.actor} at ${time(c.time_unix_nano)}${c.reason ? ` (${c.reason})` : ""}`).join(" · ")) : null,
      h("h3", {}, "Verdict"), note,
      h("div", { class: "row", style: { "margin-top": "6px" } },
        h("button", { type: "button", class: "primary", "data-verdict": "confirmed", onclick: setStatus("confirmed") }, "Confirm"),
        h("button", { type: "button", "data-verdict": "rejected", onclick: setStatus("rejected") }, "Reject"),
        h("button", { type: "button", "data-verdict": "investigating", onclick: setStatus("investigating") }, "Investigating")), feedback));
}

/** The impact numbers; per-endpoint changes read as "before → after". */
function impactView(impact) {
  const entries = Object.entries(impact || {});
  if (!entries.length) return h("span", { class: "muted" }, "not measured yet");
  const endpoints = Array.isArray(impact.endpoints) ? impact.endpoints : [];
  return h("div", {},
    h("dl", { class: "kv" }, entries.filter(([k]) => k !== "endpoints").flatMap(([k, v]) =>
      [h("dt", {}, k.replaceAll("_", " ")), h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))])),
    endpoints.length ? h("ul", { class: "compact-list small" }, endpoints.map((e) => h("li", {},
      h("b", {}, e.endpoint || "?"), e.service ? ` (${e.service})` : "",
      h("div", {}, `errors ${pct(e.error_rate_before)} → ${pct(e.error_rate_after)} · p95 ${ms(e.p95_before_ms)} → ${ms(e.p95_after_ms)}`,
        ` · ${e.requests_before} → ${e.requests_after} requests`)))) : null);
}

function timelineList(entries) {
  if (!entries.length) return emptyState("Nothing on the timeline yet.");
  return h("ol", { class: "timeline" }, entries.map((e) => {
    const link = e.link ? queryLink(e.link) : null;
    return h("li", {},
      h("div", { class: "row small muted" }, time(e.time_unix_nano), badge(e.kind.replaceAll("_", " ")), e.service ? serviceLink(e.service) : null,
        e.actor ? `by ${e.actor}` : `from the ${e.source}`),
      h("div", {}, link ? h("a", { href: link }, e.title) : e.title),
      e.detail ? h("div", { class: "small muted" }, e.detail) : null);
  }));
}

async function download(path, name) {
  const headers = apiKey() ? { Authorization: `Bearer ${apiKey()}` } : {};
  const response = await fetch(`/api/v1${path}/postmortem?format=markdown`, { headers });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function render({ root, args, signal }) {
  const id = args.incident;
  const path = `/incidents/${encodeURIComponent(id)}`;
  const redraw = () => render({ root, args, signal });
  const incident = await api.get(path, {}, { signal });
  const feedback = h("div", { "aria-live": "polite" });

  const severity = h("select", { "aria-label": "Severity", onchange: act(feedback, redraw, () =>
    api.post(`${path}/severity`, { severity: severity.value, actor: actor() })) },
  SEVERITIES.map((s) => h("option", { value: s, selected: s === incident.severity }, s)));
  const who = h("input", { type: "text", value: actor(), "aria-label": "Your name (recorded as the actor)", style: { width: "120px" },
    onchange: (e) => setActor(e.target.value.trim()) });
  const phaseButtons = incident.next_phases.map((phase) => h("button", { type: "button", class: phase === "closed" ? "" : "primary", "data-phase": phase,
    onclick: act(feedback, redraw, () => api.post(`${path}/phase`, { phase, actor: actor() })) }, `→ ${phase}`));
  const scope = incident.scope;
  const state = h("section", { class: "panel", id: "state" },
    h("div", { class: "panel-body" },
      stepper(incident),
      h("p", {}, h("b", {}, `${incident.phase}: `), incident.phase_goal),
      h("div", { class: "row" }, phaseButtons, h("span", { class: "grow" }),
        h("label", {}, "Severity", severity), h("label", {}, "You", who),
        h("button", { type: "button", title: "Read the window's data again and import new hypotheses",
          onclick: act(feedback, redraw, () => api.post(`${path}/refresh`, { actor: actor() })) }, "↻ Read data again")),
      feedback,
      h("div", { class: "grid thirds", style: { "margin-top": "10px" } },
        h("div", {}, h("h3", {}, "Window"), h("div", {}, `${time(incident.window.start_unix_nano)} → ${incident.window.end_unix_nano ? time(incident.window.end_unix_nano) : "ongoing"}`),
          incident.onset_unix_nano ? h("div", { class: "small" }, `onset ${time(incident.onset_unix_nano)}`) : null,
          incident.recovery_unix_nano ? h("div", { class: "small" }, `recovered ${time(incident.recovery_unix_nano)}`) : null),
        h("div", {}, h("h3", {}, "Scope"),
          h("div", {}, scope.services.length ? scope.services.map((s, i) => [i ? ", " : "", serviceLink(s)]) : "no service yet"),
          scope.endpoints.length ? h("div", { class: "small" }, scope.endpoints.join(", ")) : null,
          h("div", { class: "small muted" }, [scope.user_count !== null ? `${scope.user_count} users` : null, scope.device_count !== null ? `${scope.device_count} devices` : null].filter(Boolean).join(" · "))),
        h("div", {}, h("h3", {}, "Impact"), impactView(incident.impact)))));

  const statement = h("input", { type: "text", placeholder: "A hypothesis of your own", "aria-label": "New hypothesis", style: { flex: "1" } });
  const addFeedback = h("div", {});
  const log = panel(`Hypothesis log (${incident.hypotheses.length})`, async () => h("div", {},
    incident.hypotheses.length ? incident.hypotheses.map((x) => hypothesisEntry(x, path, redraw)) : emptyState("No hypotheses yet."),
    h("form", { class: "row", onsubmit: act(addFeedback, redraw, () => api.post(`${path}/hypotheses`, { statement: statement.value, actor: actor() })) },
      statement, h("button", { type: "submit" }, "Add")), addFeedback), { id: "hypotheses" });

  const noteText = h("textarea", { "aria-label": "Note", placeholder: "What you saw or did" });
  const noteFeedback = h("div", {});
  const notes = panel("Notes", async () => h("div", {},
    incident.notes.length ? h("ul", { class: "compact-list" }, incident.notes.map((n) => h("li", {},
      h("div", { class: "small muted" }, `${time(n.time_unix_nano)} · ${n.actor}`), h("div", {}, n.text)))) : null,
    h("form", { onsubmit: act(noteFeedback, redraw, () => api.post(`${path}/notes`, { text: noteText.value, actor: actor() })) },
      noteText, h("div", { class: "row end" }, h("button", { type: "submit" }, "Add note"))), noteFeedback), { id: "notes" });

  const timeline = panel("Timeline", async () => timelineList((await api.get(`${path}/timeline`, {}, { signal })).timeline), { id: "timeline" });
  const postmortem = panel("Post-mortem (preview)", async () => {
    const answer = await api.get(`${path}/postmortem`, { format: "json" }, { signal });
    return h("pre", { class: "markdown", id: "postmortem" }, answer.markdown);
  }, { id: "postmortem-panel", actions: h("button", { type: "button", class: "small", onclick: () => download(path, `${id}-postmortem.md`).catch((e) => fill(feedback, errorState(e))) }, "Download .md") });
  const similar = incident.similar.length ? h("section", { class: "panel" }, h("header", {}, h("h2", {}, "Similar past incidents")),
    h("div", { class: "panel-body" }, h("ul", { class: "compact-list" }, incident.similar.map((m) => h("li", {},
      h("a", { href: href(`/incidents/${encodeURIComponent(m.incident)}`) }, m.incident), ` ${m.title} · similarity ${pct(m.similarity, 0)}`))))) : null;

  fill(root,
    pageHead(`${incident.id}`, h("span", {}, incident.title), severityBadge(incident.severity), badge(incident.phase, "accent"),
      h("span", { class: "sub" }, `opened ${time(incident.opened_unix_nano)} by ${incident.opened_by}${incident.commander ? ` · commander ${incident.commander}` : ""}`)),
    h("div", { class: "stack" }, state,
      h("div", { class: "grid two" },
        h("div", { class: "stack" }, log.el, postmortem.el),
        h("div", { class: "stack" }, timeline.el, notes.el, similar))));
  await Promise.all([log.done, notes.done, timeline.done, postmortem.done]);
}
