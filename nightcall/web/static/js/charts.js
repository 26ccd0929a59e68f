// Our own small SVG charts: sparklines, and line charts with shaded anomaly windows and
// markers (deploys, onsets). Fixed viewBox widths: the SVG scales with its container.

import { svg } from "./dom.js";
import { time, valueIn } from "./format.js";

/** A sparkline of `values` (nulls are gaps). */
export function sparkline(values, { bad = false, label = "trend" } = {}) {
  const width = 90;
  const height = 22;
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  const max = Math.max(...finite, 0);
  const min = Math.min(...finite, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const lines = [];
  let current = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) lines.push(current);
      current = [];
      return;
    }
    current.push(`${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`);
  });
  if (current.length) lines.push(current);
  return svg("svg", { class: `spark${bad ? " bad" : ""}`, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label },
    lines.map((points) => svg("polyline", { points: points.length === 1 ? `${points[0]} ${points[0]}` : points.join(" ") })));
}

const NICE_STEPS_MS = [1, 2, 5, 10, 15, 30].map((s) => s * 1e3)
  .concat([1, 2, 5, 10, 15, 30].map((m) => m * 60e3))
  .concat([1, 2, 3, 6, 12].map((hr) => hr * 3600e3))
  .concat([1, 2, 7].map((d) => d * 86400e3));

function timeTicks(startMs, endMs, count = 6) {
  const span = endMs - startMs;
  const step = NICE_STEPS_MS.find((s) => span / s <= count) || NICE_STEPS_MS[NICE_STEPS_MS.length - 1];
  const ticks = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) ticks.push(t);
  return { ticks, withDate: span > 86400e3 || step >= 86400e3 };
}

/** A rounded tick step for about `count` steps up to `max`, and the axis top it gives. */
function niceTicks(max, count = 3) {
  if (!(max > 0)) return { step: 1, top: 1 };
  const raw = max / count;
  const exponent = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * exponent).find((s) => s >= raw);
  return { step, top: step * Math.ceil(max / step - 1e-9) };
}

const observed = new WeakMap();
const resizer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver((entries) => {
  for (const entry of entries) {
    const box = entry.target;
    if (!box.isConnected) { resizer.unobserve(box); continue; }
    const width = Math.round(entry.contentRect.width);
    const state = observed.get(box);
    if (!state || width <= 0 || Math.abs(width - state.width) < 4) continue;
    state.width = width;
    box.replaceChildren(state.draw(width));
  }
});

/** A box whose chart is drawn at the box's own width (and again when it changes). */
export function responsive(draw, fallbackWidth = 640) {
  const box = document.createElement("div");
  box.className = "chart-box";
  if (!resizer) { box.append(draw(fallbackWidth)); return box; }
  observed.set(box, { draw, width: 0 });
  resizer.observe(box);
  return box;
}

/** Points [{ms, v}] of a series given as values from startMs every stepMs. */
export function stepPoints(values, startMs, stepMs) {
  return values.map((v, i) => ({ ms: startMs + i * stepMs, v }));
}

/**
 * A line chart over [startMs, endMs].
 * series: [{label, points: [{ms, v}], cls}]; shades: [{startMs, endMs, label, recurring}];
 * markers: [{ms, label, kind: "deploy"|"onset"}]; unit: the values' unit for labels.
 */
export function lineChart({ startMs, endMs, series, shades = [], markers = [], unit = "", height = 150, label = "chart", width = 640 }) {
  const m = { left: 52, right: 12, top: 16, bottom: 20 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v !== null && Number.isFinite(v));
  const { step: yStep, top: yMax } = niceTicks(Math.max(...all, 0));
  const x = (ms) => m.left + ((ms - startMs) / Math.max(1, endMs - startMs)) * plotW;
  const y = (v) => m.top + plotH - (v / yMax) * plotH;
  const inRange = (ms) => ms >= startMs && ms <= endMs;

  const grid = svg("g", { class: "grid" });
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    grid.append(svg("line", { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }),
      svg("text", { x: m.left - 6, y: y(v) + 3, "text-anchor": "end" }, valueIn(v, unit)));
  }
  const { ticks, withDate } = timeTicks(startMs, endMs, Math.max(3, Math.floor(width / 110)));
  for (const t of ticks) {
    const text = withDate ? time(t * 1e6).slice(5, 16) : time(t * 1e6, { date: false }).slice(0, 5);
    grid.append(svg("text", { x: x(t), y: height - 5, "text-anchor": "middle" }, text));
  }

  const shading = shades.filter((s) => s.endMs >= startMs && s.startMs <= endMs).map((s) => {
    const x1 = x(Math.max(startMs, s.startMs));
    const x2 = x(Math.min(endMs, s.endMs));
    return svg("rect", { class: `shade${s.recurring ? " recurring" : ""}`, x: x1, y: m.top, width: Math.max(2, x2 - x1), height: plotH },
      svg("title", {}, s.label || "anomaly"));
  });

  const lines = series.map((s, index) => {
    let d = "";
    let pen = false;
    for (const p of s.points) {
      if (p.v === null || !Number.isFinite(p.v) || !inRange(p.ms)) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${x(p.ms).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    return svg("path", { class: `line${index ? ` s${index + 1}` : ""} ${s.cls || ""}`.trim(), d });
  });

  const marks = markers.filter((mk) => inRange(mk.ms)).map((mk) =>
    svg("g", { class: mk.kind === "onset" ? "onset" : "marker" },
      svg("line", { x1: x(mk.ms), x2: x(mk.ms), y1: m.top - 4, y2: m.top + plotH }),
      svg("text", { x: x(mk.ms) + 3, y: m.top - 6 }, mk.short || ""),
      svg("title", {}, mk.label)));

  const hover = svg("g", { class: "hover", visibility: "hidden" },
    svg("line", { y1: m.top, y2: m.top + plotH }), svg("text", { y: m.top + 10 }));
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label },
    grid, shading, lines, marks, hover);
  const first = series.find((s) => s.points.length);
  if (first) {
    chart.addEventListener("mousemove", (event) => {
      const box = chart.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * width;
      const ms = startMs + ((px - m.left) / plotW) * (endMs - startMs);
      let best = first.points[0];
      for (const p of first.points) if (Math.abs(p.ms - ms) < Math.abs(best.ms - ms)) best = p;
      const [line, text] = hover.children;
      const hx = x(best.ms);
      line.setAttribute("x1", hx);
      line.setAttribute("x2", hx);
      text.setAttribute("x", hx > width / 2 ? hx - 6 : hx + 6);
      text.setAttribute("text-anchor", hx > width / 2 ? "end" : "start");
      const values = series.map((s) => {
        const p = s.points.find((q) => q.ms === best.ms);
        return `${series.length > 1 ? `${s.label} ` : ""}${valueIn(p ? p.v : null, unit)}`;
      });
      text.textContent = `${time(best.ms * 1e6, { date: false }).slice(0, 8)}  ${values.join("  ")}`;
      hover.setAttribute("visibility", "visible");
    });
    chart.addEventListener("mouseleave", () => hover.setAttribute("visibility", "hidden"));
  }
  return chart;
}
