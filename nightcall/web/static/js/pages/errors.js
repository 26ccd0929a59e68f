// Errors: the window's error groups (counts, users, releases, sparklines, new and regressed),
// and, on its tab, release health.

import { api } from "../api.js";
import { sparkline } from "../charts.js";
import { fill, h, table } from "../dom.js";
import { num, pct, time } from "../format.js";
import { serviceLink } from "../links.js";
import { apiWindow, href, setParams } from "../state.js";
import { badge, emptyState, pageHead, panel } from "../view.js";

export const title = () => "Errors";

function filters(params, services) {
  const service = h("select", { name: "service", "aria-label": "Service", "data-search": "" },
    h("option", { value: "" }, "Any service"),
    services.map((s) => h("option", { value: s, selected: s === params.get("service") }, s)));
  const release = h("input", { type: "search", name: "release", value: params.get("release") || "", placeholder: "Release", "aria-label": "Release" });
  const sort = h("select", { name: "sort", "aria-label": "Sort by" },
    [["count", "Most events"], ["last_seen", "Latest"], ["first_seen", "Newest"]].map(([v, t]) =>
      h("option", { value: v, selected: v === (params.get("sort") || "count") }, t)));
  return h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    setParams({ service: data.get("service") || null, release: data.get("release") || null,
      sort: data.get("sort") === "count" ? null : data.get("sort") });
  } }, service, release, sort, h("button", { type: "submit", class: "primary" }, "Apply"));
}

function groupsTable(groups) {
  return table([
    { label: "Error", cls: "wrap", cell: (g) => h("div", {},
      h("div", { class: "row" }, h("a", { href: href(`/errors/${g.fingerprint}`) }, h("b", {}, g.title)),
        g.is_new ? badge("new", "accent") : null,
        g.is_regression ? badge(`regression${g.regression_reason ? `: ${g.regression_reason.replaceAll("_", " ")}` : ""}`, "bad") : null),
      g.culprit ? h("div", { class: "small muted mono" }, g.culprit.text) : null) },
    { label: "Level", cell: (g) => h("span", { class: `sev-${g.level}` }, g.level) },
    { label: "Service", cell: (g) => h("span", {}, g.services.map((s, i) => [i ? ", " : "", serviceLink(s)])) },
    { label: "Trend", cell: (g) => sparkline(g.series.counts, { bad: true, label: "events per step" }) },
    { label: "Events", num: true, cell: (g) => num(g.count) },
    { label: "Users", num: true, cell: (g) => num(g.users) },
    { label: "Devices", num: true, cell: (g) => num(g.devices) },
    { label: "Releases", cls: "wrap", cell: (g) => h("span", { class: "small", title: g.releases.join("\n") },
      g.releases.length > 2 ? `${g.releases.slice(0, 2).join(", ")} +${g.releases.length - 2}` : g.releases.join(", ")) },
    { label: "Last seen (UTC)", cell: (g) => h("span", { class: "nowrap small" }, time(g.last_seen_unix_nano)) },
  ], groups, { rowAttrs: (g) => ({ "data-fingerprint": g.fingerprint }) });
}

function releasesTable(releases) {
  return table([
    { label: "Service", cell: (r) => (r.service ? serviceLink(r.service) : "–") },
    { label: "Release", cell: (r) => h("code", {}, r.release || "–") },
    { label: "First seen (UTC)", cell: (r) => time(r.first_seen_unix_nano) },
    { label: "Events", num: true, cell: (r) => num(r.events) },
    { label: "Groups", num: true, cell: (r) => num(r.groups) },
    { label: "New groups", num: true, cell: (r) => (r.new_groups ? h("b", { class: "err" }, r.new_groups) : "0") },
    { label: "Users", num: true, cell: (r) => num(r.users) },
    { label: "Sessions", num: true, cell: (r) => (r.sessions ? num(r.sessions.started) : "–") },
    { label: "Crash-free", num: true, cell: (r) => (r.crash_free_rate === null || r.crash_free_rate === undefined ? "–"
      : h("b", { class: r.crash_free_rate < 0.99 ? "err" : "good" }, pct(r.crash_free_rate, 2))) },
  ], releases);
}

function coverage(answer) {
  if (!answer.truncated) return null;
  return h("p", { class: "small muted" }, `Analysed the newest ${num(answer.events_analysed)} of ${num(answer.events_total)} events: narrow the window or filters to see them all.`);
}

export async function render({ root, route, signal }) {
  const params = route.params;
  const window = apiWindow();
  const onReleases = route.path === "/errors/releases";
  const services = await api.get("/services", window, { signal }).then((a) => a.services.map((s) => s.service), () => []);
  const filter = { ...window, service: params.get("service"), release: params.get("release") };
  const tabs = h("nav", { class: "tabs", "aria-label": "Errors views" },
    h("a", { href: href("/errors", { service: params.get("service") }), "aria-current": onReleases ? null : "page" }, "Groups"),
    h("a", { href: href("/errors/releases", { service: params.get("service") }), "aria-current": onReleases ? "page" : null }, "Releases"));
  const body = onReleases
    ? panel("Release health", async () => {
      const answer = await api.get("/errors/releases", { ...filter, release: null }, { signal });
      if (!answer.releases.length) return emptyState("No release sent events in this window.");
      return h("div", {}, releasesTable(answer.releases), coverage(answer));
    }, { id: "releases", flush: true })
    : panel("Error groups", async () => {
      const answer = await api.get("/errors", { ...filter, sort: params.get("sort"), limit: 100 }, { signal });
      if (!answer.errors.length) return emptyState("No error events in this window.", "Sentry SDKs send them to this server's DSN; see `nightcall keys create --kind sentry`.");
      return h("div", {}, groupsTable(answer.errors), coverage(answer));
    }, { id: "groups", flush: true });
  fill(root, pageHead("Errors"), tabs, filters(params, services), body.el);
  await body.done;
}
