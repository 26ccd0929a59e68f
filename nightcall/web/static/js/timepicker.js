// The time range and auto-refresh controls in the header; both live in the URL.

import { h } from "./dom.js";
import { time } from "./format.js";
import { absoluteRange, isoSeconds, setParams, timeRange, currentRoute } from "./state.js";

const PRESETS = [
  ["-15m", "Last 15 minutes"], ["-1h", "Last hour"], ["-6h", "Last 6 hours"],
  ["-24h", "Last 24 hours"], ["-3d", "Last 3 days"], ["-7d", "Last 7 days"],
];
const REFRESH = [["", "Auto-refresh off"], ["10", "↻ 10 s"], ["30", "↻ 30 s"], ["60", "↻ 1 min"], ["300", "↻ 5 min"]];

export function rangeLabel() {
  const { from, to } = timeRange();
  const preset = PRESETS.find(([value]) => value === from);
  if (preset && to === "now") return preset[1];
  const [start, end] = absoluteRange();
  if (start === null || end === null) return `${from} → ${to}`;
  const a = time(start * 1e6).slice(0, 16);
  const b = time(end * 1e6).slice(0, 16);
  return `${a} → ${b.slice(0, 10) === a.slice(0, 10) ? b.slice(11) : b} UTC`;
}

/** Move the window by its own length: -1 earlier, +1 later (the range becomes absolute). */
export function shiftRange(direction) {
  const [start, end] = absoluteRange();
  if (start === null || end === null) return;
  const length = end - start;
  setParams({ from: isoSeconds(start + direction * length), to: isoSeconds(end + direction * length) });
}

export function timeControls(onRefresh) {
  const button = h("button", { type: "button", id: "range-button", "aria-haspopup": "dialog", "aria-expanded": "false" });
  const fromInput = h("input", { type: "text", id: "range-from", "aria-label": "From", spellcheck: "false" });
  const toInput = h("input", { type: "text", id: "range-to", "aria-label": "To", spellcheck: "false" });
  const pop = h("form", { class: "timepicker-pop", hidden: true, role: "dialog", "aria-label": "Time range" },
    h("div", { class: "presets" }, PRESETS.map(([value, text]) =>
      h("button", { type: "button", onclick: () => { setParams({ from: value, to: null }); close(); } }, text))),
    h("label", {}, "From", fromInput),
    h("label", {}, "To", toInput),
    h("p", { class: "muted small" }, "RFC 3339 (2026-11-01T02:00:00Z), Unix seconds, now, or -15m / -2h / -7d."),
    h("div", { class: "row end" },
      h("button", { type: "button", onclick: () => close() }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, "Apply")));
  function open() {
    const { from, to } = timeRange();
    fromInput.value = from;
    toInput.value = to;
    pop.hidden = false;
    button.setAttribute("aria-expanded", "true");
    fromInput.focus();
  }
  function close() {
    pop.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }
  pop.addEventListener("submit", (event) => {
    event.preventDefault();
    setParams({ from: fromInput.value.trim() || null, to: toInput.value.trim() === "now" ? null : toInput.value.trim() || null });
    close();
    button.focus();
  });
  pop.addEventListener("keydown", (event) => { if (event.key === "Escape") { close(); button.focus(); } });
  button.addEventListener("click", () => (pop.hidden ? open() : close()));
  document.addEventListener("click", (event) => {
    if (!pop.hidden && !pop.contains(event.target) && event.target !== button) close();
  });

  const refresh = h("select", { id: "refresh-select", "aria-label": "Auto-refresh",
    onchange: (event) => setParams({ refresh: event.target.value || null }) },
  REFRESH.map(([value, text]) => h("option", { value }, text)));
  const busy = h("span", { class: "busy-dot", id: "busy", title: "loading" });
  const element = h("div", { class: "row" },
    busy,
    h("button", { type: "button", title: "Earlier window ([)", "aria-label": "Earlier window", onclick: () => shiftRange(-1) }, "‹"),
    h("div", { class: "timepicker" }, button, pop),
    h("button", { type: "button", title: "Later window (])", "aria-label": "Later window", onclick: () => shiftRange(1) }, "›"),
    refresh,
    h("button", { type: "button", title: "Refresh now (r)", "aria-label": "Refresh now", onclick: onRefresh }, "↻"));
  function sync() {
    button.textContent = rangeLabel();
    refresh.value = currentRoute().params.get("refresh") || "";
  }
  return { element, sync, setBusy: (on) => busy.classList.toggle("on", on) };
}
