// Trace search: by service, operation, duration, status, attributes and time; newest first.

import { api } from "../api.js";
import { h, table } from "../dom.js";
import { ms, serviceColor, time } from "../format.js";
import { serviceLink, traceLink } from "../links.js";
import { apiWindow, href, setParams } from "../state.js";
import { emptyState, pageHead, panel } from "../view.js";

export const title = () => "Traces";

function searchForm(params, services) {
  const field = (name, attrs) => h("input", { name, value: params.get(name) || "", ...attrs });
  const service = h("select", { name: "service", "aria-label": "Service", "data-search": "" },
    h("option", { value: "" }, "Any service"),
    services.map((s) => h("option", { value: s, selected: s === params.get("service") }, s)));
  const status = h("select", { name: "status", "aria-label": "Status" },
    [["any", "Any status"], ["error", "Errors only"]].map(([v, t]) => h("option", { value: v, selected: v === (params.get("status") || "any") }, t)));
  return h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const attrs = String(data.get("attr") || "").split(/\s+/).filter(Boolean);
    setParams({
      service: data.get("service") || null, operation: data.get("operation") || null,
      min_ms: data.get("min_ms") || null, status: data.get("status") === "error" ? "error" : null,
      attr: attrs.length ? attrs : null,
    });
  } },
  service,
  field("operation", { type: "search", placeholder: "Operation (span name)", "aria-label": "Operation" }),
  field("min_ms", { type: "number", min: 0, step: "any", placeholder: "Min ms", "aria-label": "Minimum duration in ms", style: { width: "100px" } }),
  status,
  h("input", { name: "attr", type: "search", value: params.getAll("attr").join(" "), placeholder: "key=value …", "aria-label": "Attribute filters, key=value separated by spaces" }),
  h("button", { type: "submit", class: "primary" }, "Search"));
}

function resultsTable(traces) {
  const longest = Math.max(...traces.map((t) => t.duration_ms), 1);
  return table([
    { label: "Start (UTC)", cell: (t) => h("span", { class: "nowrap" }, time(t.start_unix_nano, { withMs: true })) },
    { label: "Trace", cell: (t) => traceLink(t.trace_id) },
    { label: "Root", cls: "wrap", cell: (t) => h("span", {}, serviceLink(t.root_service), " ",
      h("a", { href: href("/traces", { service: t.root_service, operation: t.root_operation }), title: "traces of this operation" }, t.root_operation)) },
    { label: "Services", cls: "wrap", cell: (t) => h("span", { class: "row" }, t.services.map((s) =>
      h("span", { class: "badge", style: { "border-color": serviceColor(s) } }, s))) },
    { label: "Spans", num: true, cell: (t) => t.span_count },
    { label: "Errors", num: true, cell: (t) => (t.error_count ? h("span", { class: "err" }, t.error_count) : "0") },
    { label: "Duration", num: true, cls: "bar-cell", cell: (t) => [
      h("div", { class: "fill", style: { width: `${(t.duration_ms / longest) * 100}%` } }), h("span", {}, ms(t.duration_ms))] },
  ], traces, { rowAttrs: (t) => ({ "data-trace": t.trace_id }) });
}

export async function render({ root, route, signal }) {
  const params = route.params;
  const window = apiWindow();
  const services = await api.get("/services", window, { signal }).then((a) => a.services.map((s) => s.service), () => []);
  const query = {
    ...window, service: params.get("service"), operation: params.get("operation"),
    min_duration_ms: params.get("min_ms"), status: params.get("status") || "any", attr: params.getAll("attr"), limit: 50,
  };
  const compare = params.get("service") && params.get("operation")
    ? h("a", { href: href("/traces/compare", { service: params.get("service"), operation: params.get("operation") }) }, "Slow vs normal →")
    : h("span", { class: "muted small" }, "Pick a service and an operation to compare slow traces with the rest.");
  const results = panel("Traces", async () => {
    const answer = await api.get("/traces", query, { signal });
    if (!answer.traces.length) return emptyState("No trace matches in this window.", "Loosen the filters or widen the time range.");
    const holder = h("div", {}, resultsTable(answer.traces));
    let next = answer.next;
    const more = h("button", { type: "button", onclick: async () => {
      more.disabled = true;
      const page = await api.get("/traces", { ...query, cursor: next });
      holder.querySelector("tbody").append(...resultsTable(page.traces).querySelectorAll("tbody tr"));
      next = page.next;
      more.disabled = false;
      more.hidden = !next;
    } }, "Load more");
    more.hidden = !next;
    return h("div", {}, holder, h("div", { class: "row", style: { padding: "8px" } }, more));
  }, { id: "traces", flush: true, actions: compare });
  const form = searchForm(params, services);
  root.replaceChildren(pageHead("Traces"), form, results.el);
  await results.done;
}
