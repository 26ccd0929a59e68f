// Acting on incidents from other pages: "open an incident from this hypothesis", and who acts.

import { api, hasApi } from "./api.js";
import { h } from "./dom.js";
import { navigate } from "./state.js";
import { errorState } from "./view.js";

const ACTOR_STORAGE = "nightcall.actor";

/** The name recorded as the actor of what this browser does (kept in this browser). */
export function actor() {
  return localStorage.getItem(ACTOR_STORAGE) || "web";
}

export function setActor(name) {
  if (name) localStorage.setItem(ACTOR_STORAGE, name);
}

/** The incident a hypothesis opens: titled by it, about its service and its window. */
export function incidentFromHypothesis(hyp, window) {
  return {
    title: hyp.statement.length > 160 ? `${hyp.statement.slice(0, 157)}…` : hyp.statement,
    severity: hyp.confidence >= 0.8 ? "P2" : "P3",
    service: hyp.service,
    start: window.start,
    end: window.end,
    actor: actor(),
    source: { kind: "hypothesis", hypothesis_kind: hyp.kind, service: hyp.service, confidence: hyp.confidence, statement: hyp.statement },
  };
}

export function incidentButton(hyp, window) {
  const status = h("span", { class: "small" });
  const button = h("button", { type: "button", class: "primary", disabled: true, "data-action": "open-incident" }, "Open incident");
  hasApi("/api/v1/incidents").then((present) => {
    if (!present) {
      button.title = "not available on this server: it has no /api/v1/incidents API";
      status.textContent = "Incidents are not available on this server.";
      status.className = "small muted";
      return;
    }
    button.disabled = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = "Opening (reading the window's data)…";
      try {
        const incident = await api.post("/incidents", incidentFromHypothesis(hyp, window));
        navigate(`/incidents/${incident.id}`);
      } catch (error) {
        status.replaceChildren(errorState(error));
        button.disabled = false;
      }
    });
  });
  return h("span", { class: "row" }, button, status);
}
