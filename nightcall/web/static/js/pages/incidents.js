// Incidents: the list, open ones first by default; each links to its page.

import { api, hasApi } from "../api.js";
import { fill, h, table } from "../dom.js";
import { time } from "../format.js";
import { serviceLink } from "../links.js";
import { href, setParams } from "../state.js";
import { badge, emptyState, pageHead, panel, unavailableState } from "../view.js";

export const title = () => "Incidents";

export function severityBadge(severity) {
  return badge(severity, ["P0", "P1", "P2"].includes(severity) ? "bad" : "warn");
}

export async function render({ root, route, signal }) {
  const state = route.params.get("state") || "open";
  const picker = h("select", { "aria-label": "Which incidents", "data-search": "", onchange: (e) => setParams({ state: e.target.value }) },
    [["open", "Open"], ["closed", "Closed"], ["all", "All"]].map(([v, t]) => h("option", { value: v, selected: v === state }, t)));
  const list = panel("Incidents", async () => {
    if (!(await hasApi("/api/v1/incidents"))) return unavailableState("/api/v1/incidents");
    const answer = await api.get("/incidents", { state }, { signal });
    if (!answer.incidents.length) {
      return emptyState(state === "open" ? "No open incidents." : "No incidents.",
        h("span", {}, "Open one from a hypothesis on the ", h("a", { href: href("/diagnosis") }, "Diagnosis"), " page."));
    }
    return table([
      { label: "Incident", cell: (i) => h("a", { href: href(`/incidents/${encodeURIComponent(i.id)}`) }, h("b", {}, i.id)) },
      { label: "Title", cls: "wrap", cell: (i) => i.title },
      { label: "Severity", cell: (i) => severityBadge(i.severity) },
      { label: "Phase", cell: (i) => badge(i.phase, i.phase === "closed" ? "" : "accent") },
      { label: "Services", cell: (i) => h("span", {}, i.services.map((s, n) => [n ? ", " : "", serviceLink(s)])) },
      { label: "Hypotheses", num: true, cell: (i) => i.hypothesis_count },
      { label: "Root cause", cls: "wrap", cell: (i) => i.root_cause || h("span", { class: "muted" }, "not confirmed") },
      { label: "Opened (UTC)", cell: (i) => h("span", { class: "nowrap small" }, time(i.opened_unix_nano)) },
      { label: "Commander", cell: (i) => i.commander || "–" },
    ], answer.incidents, { rowAttrs: (i) => ({ "data-incident": i.id }) });
  }, { id: "incidents", flush: true, actions: picker });
  fill(root, pageHead("Incidents"), list.el);
  await list.done;
}
