// "Run the suggested diagnostics": one button per allow-listed diagnostic a hypothesis names;
// the server runs it (POST /api/v1/diagnostics/run) and the output shows below.

import { api, hasApi } from "./api.js";
import { fill, h } from "./dom.js";
import { duration, time } from "./format.js";
import { badge, errorState, loadingState } from "./view.js";

function resultView(result) {
  const seconds = (result.ended_ns - result.started_ns) / 1e9;
  return h("div", { class: "wf-detail", "data-diagnostic": result.name },
    h("div", { class: "row" }, h("b", {}, result.name), badge(result.status, result.status === "ok" ? "ok" : "bad"),
      h("span", { class: "muted small" }, `${time(result.started_ns)} · ${Number.isFinite(seconds) ? duration(seconds) : ""}`)),
    result.summary ? h("p", {}, result.summary) : null,
    result.output ? h("pre", { class: "markdown" }, result.output) : null,
    (result.artifact_urls || []).map((url) => h("a", { href: url, target: "_blank", rel: "noopener" }, url.split("/").pop())));
}

/** Buttons for `diagnostics` (names, or {name, params} plans) with their results below. */
export function diagnosticButtons(diagnostics) {
  const output = h("div", {});
  const items = diagnostics.map((d) => (typeof d === "string" ? { name: d, params: {} } : d));
  const buttons = items.map((item) => h("button", { type: "button", class: "small", disabled: true, "data-run": item.name,
    title: item.command || `run ${item.name} on the server's host` }, `▶ ${item.name}`));
  hasApi("/api/v1/diagnostics/run").then((present) => {
    if (!present) {
      fill(output, h("p", { class: "muted small" }, "Running diagnostics is not available on this server."));
      return;
    }
    buttons.forEach((button, i) => {
      button.disabled = false;
      button.addEventListener("click", async () => {
        button.disabled = true;
        const slot = loadingState(`Running ${items[i].name}…`);
        output.prepend(slot);
        try {
          const result = await api.post("/diagnostics/run", { name: items[i].name, params: items[i].params || {} });
          slot.replaceWith(resultView(result));
        } catch (error) {
          slot.replaceWith(errorState(error));
        } finally {
          button.disabled = false;
        }
      });
    });
  });
  return h("div", {}, h("div", { class: "row" }, buttons), output);
}
