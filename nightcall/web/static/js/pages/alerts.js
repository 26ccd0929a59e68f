// Alerts: what fires now and what fired recently, the rules, silences (add and remove) and
// every delivery attempt.

import { ApiError, api, hasApi } from "../api.js";
import { fill, h, table } from "../dom.js";
import { duration, ms, time, valueIn } from "../format.js";
import { actor } from "../incident_actions.js";
import { apiWindow, href } from "../state.js";
import { badge, emptyState, errorState, pageHead, panel, unavailableState } from "../view.js";
import { severityBadge } from "./incidents.js";

export const title = () => "Alerts";

const labelsText = (labels) => Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(" ");

function ruleCondition(rule) {
  const where = Object.keys(rule.match || {}).length ? `{${labelsText(rule.match)}}` : "";
  if (rule.kind === "threshold") return `${rule.series}${where} ${rule.op} ${rule.threshold} for ${duration(rule.for_s || 0)}`;
  if (rule.kind === "hypothesis") return `hypothesis ${rule.hypothesis || "any"} with confidence ≥ ${rule.min_confidence}`;
  return `${rule.kind} on ${rule.series}${where}${rule.direction ? ` (${rule.direction})` : ""}`;
}

function silenceForm(redraw) {
  const matchers = h("input", { type: "text", name: "matchers", placeholder: "service=checkout rule=…", "aria-label": "Matchers (label=value …)", required: true });
  const hours = h("input", { type: "number", name: "hours", min: "0.1", step: "any", value: "1", "aria-label": "Hours", style: { width: "80px" } });
  const comment = h("input", { type: "text", name: "comment", placeholder: "Why", "aria-label": "Comment" });
  const feedback = h("div", {});
  return h("form", { class: "search", onsubmit: async (event) => {
    event.preventDefault();
    const parsed = matchers.value.trim().split(/\s+/).map((pair) => {
      const [, label, op, value] = /^([^=!~]+)(=|!=|=~|!~)(.*)$/.exec(pair) || [];
      return label ? { label, op, value } : null;
    });
    if (parsed.some((m) => !m)) {
      fill(feedback, errorState(new ApiError(400, { message: `matchers ${JSON.stringify(matchers.value)} are not label=value pairs`, hint: "write them as label=value (or !=, =~, !~), e.g. service=checkout severity=P2" })));
      return;
    }
    try {
      await api.post("/alerts/silences", { matchers: parsed, duration_s: Number(hours.value) * 3600, comment: comment.value, created_by: actor() });
      redraw();
    } catch (error) {
      fill(feedback, errorState(error));
    }
  } }, matchers, h("label", {}, "for", hours, "h"), comment, h("button", { type: "submit" }, "Silence"), feedback);
}

export async function render({ root, signal }) {
  const window = apiWindow();
  const redraw = () => render({ root, signal });
  if (!(await hasApi("/api/v1/alerts/rules"))) {
    fill(root, pageHead("Alerts"), unavailableState("/api/v1/alerts"));
    return;
  }
  const alerts = api.get("/alerts", { ...window, limit: 200 }, { signal });
  alerts.catch(() => {});
  const firing = panel("Firing and pending", async () => {
    const answer = await alerts;
    if (!answer.alerts.length) return emptyState("Nothing fires now.");
    return table([
      { label: "State", cell: (a) => badge(a.silenced ? `${a.state} (silenced)` : a.state, a.state === "firing" && !a.silenced ? "bad" : "warn") },
      { label: "Rule", cell: (a) => h("b", {}, a.rule) },
      { label: "Severity", cell: (a) => severityBadge(a.severity) },
      { label: "Summary", cls: "wrap", cell: (a) => a.summary },
      { label: "Value", num: true, cell: (a) => valueIn(a.value, "") },
      { label: "Labels", cls: "wrap", cell: (a) => h("code", { class: "small" }, labelsText(a.labels)) },
      { label: "Since (UTC)", cell: (a) => time(a.active_since_unix_nano) },
      { label: "", cell: (a) => [a.runbook_url ? h("a", { href: a.runbook_url, target: "_blank", rel: "noopener" }, "runbook") : null,
        a.incident_id ? [" ", h("a", { href: href(`/incidents/${encodeURIComponent(a.incident_id)}`) }, a.incident_id)] : null] },
    ], answer.alerts);
  }, { id: "firing", flush: true });
  const events = panel("Recent alert events", async () => {
    const answer = await alerts;
    if (!answer.events.length) return emptyState("No alert fired or resolved in this window.");
    return table([
      { label: "Time (UTC)", cell: (e) => h("span", { class: "nowrap" }, time(e.time_unix_nano)) },
      { label: "State", cell: (e) => badge(`${e.state}${e.is_repeat ? " (reminder)" : ""}${e.silenced ? " (silenced)" : ""}`, e.state === "firing" ? "bad" : "") },
      { label: "Rule", cell: (e) => e.rule },
      { label: "Summary", cls: "wrap", cell: (e) => e.summary },
    ], answer.events);
  }, { id: "events", flush: true });
  const rules = panel("Rules", async () => {
    const answer = await api.get("/alerts/rules", {}, { signal });
    if (!answer.rules.length) return emptyState("No alert rules.", "Add [[alerts.rules]] to nightcall.toml, or POST /api/v1/alerts/rules (docs/alerts.md).");
    return table([
      { label: "Rule", cell: (r) => h("b", {}, r.name) },
      { label: "Kind", cell: (r) => badge(r.kind) },
      { label: "Condition", cls: "wrap", cell: (r) => h("code", { class: "small" }, ruleCondition(r)) },
      { label: "Severity", cell: (r) => severityBadge(r.severity) },
      { label: "Source", cell: (r) => r.source },
      { label: "", cls: "wrap", cell: (r) => [r.runbook_url ? h("a", { href: r.runbook_url, target: "_blank", rel: "noopener" }, "runbook") : null,
        r.last_error ? h("div", { class: "err small" }, r.last_error) : null] },
    ], answer.rules);
  }, { id: "rules", flush: true });
  const silences = panel("Silences", async () => {
    const answer = await api.get("/alerts/silences", {}, { signal });
    const list = answer.silences.length ? table([
      { label: "Matchers", cell: (s) => h("code", {}, s.matchers.map((m) => `${m.label}${m.op}${m.value}`).join(" ")) },
      { label: "Until (UTC)", cell: (s) => time(s.ends_unix_nano) },
      { label: "By", cell: (s) => s.created_by || "–" },
      { label: "Comment", cls: "wrap", cell: (s) => s.comment || "" },
      { label: "", cell: (s) => h("button", { type: "button", class: "small", onclick: async (event) => {
        event.target.disabled = true;
        await api.delete(`/alerts/silences/${encodeURIComponent(s.id)}`).then(redraw, (error) => event.target.replaceWith(errorState(error)));
      } }, "Remove") },
    ], answer.silences) : emptyState("No silence in force.");
    return h("div", {}, list, h("div", { style: { padding: "8px 12px" } }, silenceForm(redraw)));
  }, { id: "silences", flush: true });
  const deliveries = panel("Delivery log", async () => {
    const answer = await api.get("/alerts/deliveries", { ...window, limit: 200 }, { signal });
    const dropped = answer.dropped.length ? h("p", { class: "err small", style: { padding: "0 12px" } },
      answer.dropped.map((d) => `${d.count} dropped for ${d.receiver} (${d.reason})`).join(" · ")) : null;
    if (!answer.deliveries.length) return h("div", {}, emptyState("No delivery attempts in this window."), dropped);
    return h("div", {}, dropped, table([
      { label: "Time (UTC)", cell: (d) => h("span", { class: "nowrap" }, time(d.time_unix_nano)) },
      { label: "Receiver", cell: (d) => d.receiver },
      { label: "Rule", cell: (d) => d.rule },
      { label: "State", cell: (d) => d.state },
      { label: "Attempt", num: true, cell: (d) => d.attempt },
      { label: "Result", cell: (d) => (d.ok ? badge(`ok ${d.status_code || ""}`.trim(), "ok") : badge(`failed ${d.status_code || ""}`.trim(), "bad")) },
      { label: "Error", cls: "wrap", cell: (d) => d.error || "" },
      { label: "Took", num: true, cell: (d) => ms(d.duration_ms) },
    ], answer.deliveries));
  }, { id: "deliveries", flush: true });
  fill(root, pageHead("Alerts"),
    h("div", { class: "stack" }, firing.el, h("div", { class: "grid halves" }, rules.el, silences.el), events.el, deliveries.el));
  await Promise.all([firing.done, events.done, rules.done, silences.done, deliveries.done]);
}
