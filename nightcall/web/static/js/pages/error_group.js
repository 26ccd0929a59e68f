// One error group: its events over time, stack trace (in-app frames first, context lines),
// breadcrumbs, tags, the device × OS and release breakdown, and the attribution result.

import { api, hasApi } from "../api.js";
import { lineChart, responsive, stepPoints } from "../charts.js";
import { fill, h, table } from "../dom.js";
import { num, pct, time } from "../format.js";
import { serviceLink, traceLink } from "../links.js";
import { apiWindow, href } from "../state.js";
import { badge, emptyState, meter, pageHead, panel, unavailableState } from "../view.js";

export const title = () => "Error group";

function frameView(frame) {
  const where = [frame.filename || frame.abs_path, frame.lineno].filter((x) => x !== null && x !== undefined).join(":");
  const start = (frame.lineno || 0) - (frame.pre_context || []).length;
  const lines = [...(frame.pre_context || []), ...(frame.context_line !== undefined && frame.context_line !== null ? [frame.context_line] : []), ...(frame.post_context || [])];
  const code = lines.length ? h("pre", {}, lines.map((text, i) =>
    h("span", { class: start + i === frame.lineno ? "hl" : null }, h("i", {}, start + i), text))) : null;
  return h("details", { class: `frame${frame.in_app ? " in-app" : ""}`, open: Boolean(frame.in_app && code) },
    h("summary", {}, h("b", {}, frame.function || "?"), " ", h("span", { class: "where" }, where || frame.package || frame.module || ""),
      frame.in_app ? " " : null, frame.in_app ? badge("in app", "accent") : null),
    code || h("p", { class: "muted small", style: { padding: "0 10px" } }, "No source lines were sent with this frame."));
}

function stackTrace(event) {
  const exceptions = event.exceptions || [];
  if (!exceptions.length) return emptyState(event.message || "This event carries no exception.");
  const box = h("div", {});
  let inAppOnly = true;
  const draw = () => fill(box, exceptions.map((exc) => {
    // Sentry lists the outermost call first; people read the innermost (the failing) first.
    const frames = [...((exc.stacktrace && exc.stacktrace.frames) || [])].reverse();
    const anyInApp = frames.some((f) => f.in_app);
    const shown = inAppOnly && anyInApp ? frames.filter((f) => f.in_app) : frames;
    return h("div", { style: { "margin-bottom": "10px" } },
      h("p", {}, h("b", {}, exc.type || "Error"), ": ", exc.value || "",
        exc.mechanism && exc.mechanism.handled === false ? [" ", badge("unhandled", "bad")] : null),
      h("div", { class: "frames" }, shown.map(frameView)),
      anyInApp && shown.length < frames.length ? h("p", { class: "small muted" }, `${frames.length - shown.length} frames outside the app hidden.`) : null);
  }));
  const toggle = h("label", { class: "small" }, h("input", { type: "checkbox", checked: true, onchange: (e) => { inAppOnly = e.target.checked; draw(); } }), "In-app frames only");
  draw();
  return h("div", {}, h("div", { class: "row" }, h("span", { class: "grow small muted" },
    `Event ${event.event_id} · ${time(event.time_unix_nano)} UTC · ${event.release || "no release"}`,
    event.device ? ` · ${event.device}` : "", event.os ? ` · ${event.os}` : ""),
  event.trace_id ? h("span", { class: "small" }, "trace ", traceLink(event.trace_id)) : null, toggle), box);
}

function breadcrumbs(event) {
  const crumbs = event.breadcrumbs || [];
  if (!crumbs.length) return emptyState("This event carries no breadcrumbs.");
  return table([
    { label: "Time", cell: (b) => (b.timestamp ? time(b.timestamp, { withMs: true, date: false }) : "") },
    { label: "Category", cell: (b) => b.category || b.type || "" },
    { label: "Level", cell: (b) => h("span", { class: `sev-${b.level || "info"}` }, b.level || "") },
    { label: "Message", cls: "wrap", cell: (b) => b.message || (b.data ? JSON.stringify(b.data) : "") },
  ], crumbs);
}

function distribution(tags, keys) {
  const rows = [];
  for (const key of keys) {
    const values = tags[key];
    if (!values) continue;
    const total = values.reduce((sum, v) => sum + v.count, 0);
    for (const v of values.slice(0, 6)) rows.push({ key, value: v.value, count: v.count, share: v.count / total });
  }
  if (!rows.length) return null;
  return table([
    { label: "Tag", cell: (r) => h("code", {}, r.key) },
    { label: "Value", cls: "wrap", cell: (r) => r.value },
    { label: "Events", num: true, cell: (r) => num(r.count) },
    { label: "Share", cell: (r) => h("span", { class: "row" }, meter(r.share, { label: `${r.key} share` }), pct(r.share, 0)) },
  ], rows);
}

async function attribution(group, window, signal) {
  if (!(await hasApi("/api/v1/attribution"))) return unavailableState("/api/v1/attribution");
  const service = group.services[0];
  const answer = await api.get("/attribution", { ...window, population: "errors", service }, { signal });
  if (!answer.attributions.length) return emptyState("No attribute combination explains this service's errors.");
  return h("div", {},
    h("p", { class: "small muted" }, `Error events of ${service} in the window against the ${answer.baseline ? "baseline before it" : "rest"}: `,
      `${num(answer.failed)} of ${num(answer.total)} over ${answer.dimensions.length} dimensions.`),
    table([
      { label: "Combination", cls: "wrap", cell: (a) => h("code", {}, Object.entries(a.combination).map(([k, v]) => `${k}=${v}`).join(" ∧ ")) },
      { label: "Explains", num: true, cell: (a) => pct(a.explanatory_power, 0) },
      { label: "Of traffic", num: true, cell: (a) => pct(a.population_share, 0) },
      { label: "Lift", num: true, cell: (a) => (a.lift === null ? "–" : `${num(a.lift)}×`) },
      { label: "Summary", cls: "wrap", cell: (a) => a.summary },
    ], answer.attributions));
}

export async function render({ root, args, signal }) {
  const window = apiWindow();
  const group = await api.get(`/errors/${args.fingerprint}`, window, { signal });
  const stats = h("div", { class: "trace-summary" },
    [["Events", num(group.count)], ["Users", num(group.users)], ["Devices", num(group.devices)],
      ["First seen", time(group.first_seen_unix_nano)], ["Last seen", time(group.last_seen_unix_nano)],
      ["First release", group.first_release || "–"]].map(([k, v]) => h("div", {}, h("span", { class: "muted small" }, k), h("b", {}, v))));
  const startMs = group.series.start_unix_nano / 1e6;
  const stepMs = group.series.step_s * 1000;
  const chart = responsive((width) => lineChart({
    startMs, endMs: startMs + stepMs * group.series.counts.length, width, height: 110, unit: "",
    series: [{ label: "events", points: stepPoints(group.series.counts, startMs, stepMs), cls: "" }], label: "events per step",
  }));
  const samples = group.sample_event_ids;
  const eventPicker = h("select", { "aria-label": "Sample event" }, samples.map((id, i) => h("option", { value: id }, i ? `sample ${i + 1}` : "latest event")));
  const eventBox = h("div", {});
  const crumbBox = h("div", {});
  const loadEvent = async (id) => {
    const event = await api.get(`/errors/events/${id}`, {}, { signal });
    fill(eventBox, stackTrace(event));
    fill(crumbBox, breadcrumbs(event));
  };
  eventPicker.addEventListener("change", () => loadEvent(eventPicker.value));
  const stack = panel("Stack trace", async () => {
    if (!samples.length) return null;
    await loadEvent(samples[0]);
    return eventBox;
  }, { id: "stack", actions: eventPicker });
  const crumbs = panel("Breadcrumbs", async () => { await stack.done; return crumbBox; }, { id: "breadcrumbs" });
  const trail = group.breadcrumbs
    ? h("p", { class: "small" }, h("b", {}, "Most common trail: "), group.breadcrumbs.trail.join(" → "), ` (${pct(group.breadcrumbs.share, 0)} of events)`) : null;
  const breakdown = panel("Device × OS and release", async () => {
    const pairs = group.top_devices.length ? table([
      { label: "Device × OS", cls: "wrap", cell: (d) => h("b", {}, d.device) },
      { label: "Events", num: true, cell: (d) => num(d.count) },
      { label: "Share", cell: (d) => h("span", { class: "row" }, meter(d.count / group.count, { label: "share of events" }), pct(d.count / group.count, 0)) },
    ], group.top_devices) : null;
    const rest = distribution(group.tags, ["release", "environment", "browser"]);
    if (!pairs && !rest) return emptyState("No device, OS or release tags.");
    return h("div", {}, pairs, rest,
      group.impact && group.impact.device_share !== null ? h("p", { class: "small muted" },
        `${num(group.impact.devices)} of ${num(group.impact.devices_seen)} devices seen in the window (${pct(group.impact.device_share, 0)}) hit it.`) : null);
  }, { id: "breakdown" });
  const attributed = panel("Attribution (what sets failing events apart)", () => attribution(group, window, signal), { id: "attribution" });
  const tagsPanel = panel("All tags", async () => distribution(group.tags, Object.keys(group.tags)), { id: "tags" });
  fill(root,
    pageHead(group.title, h("span", { class: `sev-${group.level}` }, group.level),
      group.is_new ? badge("new", "accent") : null, group.is_regression ? badge("regression", "bad") : null),
    h("p", { class: "muted" }, group.culprit ? h("code", {}, group.culprit.text) : null,
      " · ", group.services.map((s) => serviceLink(s)), " · ",
      h("a", { href: href("/errors", { service: group.services[0] }) }, "all groups of this service"),
      " · fingerprint ", h("code", { title: group.fingerprint_components.join("\n") }, `${group.fingerprint_method}`)),
    h("section", { class: "panel", style: { "margin-bottom": "16px" } }, h("div", { class: "panel-body" }, stats, chart, trail)),
    h("div", { class: "grid two" },
      h("div", { class: "stack" }, stack.el, crumbs.el),
      h("div", { class: "stack" }, breakdown.el, attributed.el, tagsPanel.el)));
  await Promise.all([stack.done, crumbs.done, breakdown.done, attributed.done, tagsPanel.done]);
}
