// What every page shares: panels that load on their own, and the loading/empty/error states.

import { ApiError } from "./api.js";
import { fill, h } from "./dom.js";

export function loadingState(what = "Loading…") {
  return h("div", { class: "state loading", role: "status", "aria-busy": "true" }, what);
}

export function emptyState(message, detail) {
  return h("div", { class: "state empty" }, message, detail ? h("div", { class: "small" }, detail) : null);
}

/** An API refusal as the API said it: its message, and its hint on what to do. */
export function errorState(error) {
  if (error instanceof ApiError && error.isMissingRoute) {
    return unavailableState(error.url ? error.url.pathname : "this API");
  }
  const message = error instanceof ApiError ? error.message : `Something broke in the page: ${error.message}`;
  const hint = error instanceof ApiError ? error.hint : "reload the page; if it persists, report it with the URL";
  return h("div", { class: "state error", role: "alert" },
    h("div", {}, error.status ? h("b", {}, `${error.status} `) : null, message),
    hint ? h("div", { class: "hint" }, `What to do: ${hint}`) : null,
    error.status === 401 ? h("button", { class: "small", "data-action": "ask-key", type: "button" }, "Enter API key") : null);
}

export function unavailableState(path) {
  return h("div", { class: "state unavailable", role: "note" },
    h("b", {}, "Not available on this server. "),
    `This nightcall server has no ${path} API (an older version, or the feature is not built in). `,
    "Upgrade the server to use this page.");
}

/**
 * A panel whose body shows a loading state until `load()` resolves to its content, then the
 * content (or an empty state for null), or the error. Returns {el, done}.
 */
export function panel(title, load, { actions = null, cls = "", flush = false, id = null } = {}) {
  const body = h("div", { class: `panel-body${flush ? " flush" : ""}` }, loadingState());
  const el = h("section", { class: `panel ${cls}`.trim(), id, "aria-label": typeof title === "string" ? title : null },
    h("header", {}, h("h2", {}, title), actions ? h("div", { class: "actions" }, actions) : null),
    body);
  const done = Promise.resolve()
    .then(load)
    .then((content) => { fill(body, content ?? emptyState("Nothing here in this window.")); },
      (error) => {
        if (error.name === "AbortError") return;
        fill(body, errorState(error));
        if (error instanceof ApiError && error.status === 401) throw error;
      });
  return { el, done };
}

export function pageHead(title, ...rest) {
  return h("div", { class: "page-head" }, h("h1", {}, title), ...rest);
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}`.trim() }, text);
}

export function meter(share, { bad = false, label } = {}) {
  const value = Math.max(0, Math.min(1, share || 0));
  return h("span", { class: `meter${bad ? " bad" : ""}`, role: "meter", "aria-valuemin": 0, "aria-valuemax": 100,
    "aria-valuenow": Math.round(value * 100), "aria-label": label || "share" },
  h("span", { style: { width: `${value * 100}%` } }));
}
