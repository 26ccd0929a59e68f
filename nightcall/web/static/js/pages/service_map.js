// The service map: the call graph left to right (callers before callees), per-edge rate,
// errors and p95, anomalous services outlined.

import { api } from "../api.js";
import { fill, h, svg, table } from "../dom.js";
import { ms, pct, rate } from "../format.js";
import { serviceLink } from "../links.js";
import { apiWindow, href } from "../state.js";
import { emptyState, pageHead, panel } from "../view.js";

export const title = () => "Service map";

const NODE_W = 168;
const NODE_H = 56;
const COL_GAP = 150;
const ROW_GAP = 30;
const PAD = 20;

/** Column of each node: the longest call chain that reaches it (cycles cut). */
export function layers(nodes, edges) {
  const depth = new Map(nodes.map((n) => [n.name, 0]));
  for (let pass = 0; pass < nodes.length; pass += 1) {
    let changed = false;
    for (const e of edges) {
      if (e.caller === e.callee) continue;
      const next = depth.get(e.caller) + 1;
      if (next > depth.get(e.callee) && next < nodes.length) { depth.set(e.callee, next); changed = true; }
    }
    if (!changed) break;
  }
  return depth;
}

function health(edge) {
  if (edge.error_rate >= 0.05) return "bad";
  if (edge.error_rate >= 0.01) return "warn";
  return "";
}

function layout(nodes, edges) {
  const depth = layers(nodes, edges);
  const columns = [];
  for (const n of nodes) {
    const d = depth.get(n.name);
    (columns[d] ||= []).push(n);
  }
  const position = new Map();
  columns.forEach((column, c) => {
    // Order by the callers' rows (fewer crossings), then by name.
    const callerRow = (n) => {
      const rows = edges.filter((e) => e.callee === n.name && position.has(e.caller)).map((e) => position.get(e.caller).row);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
    };
    column.sort((a, b) => callerRow(a) - callerRow(b) || a.name.localeCompare(b.name));
    column.forEach((n, row) => position.set(n.name, { row, x: PAD + c * (NODE_W + COL_GAP), y: 0 }));
  });
  const tallest = Math.max(...columns.map((col) => (col ? col.length : 0)));
  const height = tallest * (NODE_H + ROW_GAP) - ROW_GAP + 2 * PAD + 10;
  columns.forEach((column) => {
    const offset = (height - (column.length * (NODE_H + ROW_GAP) - ROW_GAP)) / 2;
    column.forEach((n, row) => { position.get(n.name).y = offset + row * (NODE_H + ROW_GAP); });
  });
  const width = columns.length * (NODE_W + COL_GAP) - COL_GAP + 2 * PAD;
  return { position, width, height };
}

/** Whether a label box overlaps one already placed (labels that would collide are left out:
 * their numbers stay in the edge's tooltip and in the table below). */
function overlaps(box, placed) {
  return placed.some((b) => box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2);
}

function drawMap(map, marks, windowSeconds) {
  const { position, width, height } = layout(map.nodes, map.edges);
  const placed = [...position.values()].map((p) => ({ x1: p.x, x2: p.x + NODE_W, y1: p.y, y2: p.y + NODE_H }));
  const severity = (e) => (health(e) === "bad" ? 2 : health(e) === "warn" ? 1 : 0);
  const ordered = map.edges.filter((e) => position.has(e.caller) && position.has(e.callee))
    .sort((a, b) => severity(b) - severity(a) || b.rate_per_s - a.rate_per_s);
  const edges = ordered.map((e) => {
    const a = position.get(e.caller);
    const b = position.get(e.callee);
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    const strokeWidth = Math.min(6, 1 + Math.log10(1 + e.rate_per_s * 10) * 1.6);
    const text = `${rate(e.rate_per_s)} · ${pct(e.error_rate)} · p95 ${ms(e.p95_ms)}`;
    const textWidth = text.length * 5.6;
    const ly = (y1 + y2) / 2 - 4;
    const box = { x1: mid - textWidth / 2, x2: mid + textWidth / 2, y1: ly - 10, y2: ly + 3 };
    const label = overlaps(box, placed) ? null : svg("text", { x: mid, y: ly, "text-anchor": "middle" }, text);
    if (label) placed.push(box);
    return svg("g", { class: `edge ${health(e)}`.trim(), "data-edge": `${e.caller}->${e.callee}` },
      svg("path", { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`, "stroke-width": strokeWidth, "marker-end": "url(#arrow)" }),
      label,
      svg("title", {}, `${e.caller} → ${e.callee}: ${e.calls} calls (${rate(e.rate_per_s)}), ${e.errors} errors (${pct(e.error_rate)}), p50 ${ms(e.p50_ms)}, p95 ${ms(e.p95_ms)}`));
  });
  const nodes = map.nodes.map((n) => {
    const p = position.get(n.name);
    const count = marks.anomalies.get(n.name) || 0;
    const suspect = marks.suspects.get(n.name);
    const errorShare = n.calls_in ? n.errors_in / n.calls_in : 0;
    const sub = n.calls_in ? `${rate(n.calls_in / windowSeconds)} in · ${pct(errorShare)} err` : `${rate(n.calls_out / windowSeconds)} out`;
    const note = suspect ? `suspect #${suspect}` : count ? `⚠ ${count} anomal${count === 1 ? "y" : "ies"}` : n.kind;
    const cls = suspect ? " suspect" : count ? " anomalous" : "";
    const box = svg("g", { class: `node ${n.kind}${cls}`, transform: `translate(${p.x},${p.y})`, "data-node": n.name },
      svg("rect", { width: NODE_W, height: NODE_H, rx: n.kind === "database" ? 14 : 6 }),
      svg("text", { x: 10, y: 19 }, n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name),
      svg("text", { x: 10, y: 34, class: "sub" }, sub),
      svg("text", { x: 10, y: 48, class: `sub${suspect ? " flag" : ""}` }, note),
      svg("title", {}, `${n.name} (${n.kind}): ${n.calls_in} calls in, ${n.errors_in} failed, ${n.calls_out} out; ${count} anomalies${suspect ? `; suspect #${suspect} of the diagnosis` : ""}`));
    return n.kind === "service" ? svg("a", { href: href(`/services/${encodeURIComponent(n.name)}`), "aria-label": `${n.name}${suspect ? `, suspect ${suspect}` : ""}${count ? `, ${count} anomalies` : ""}` }, box) : box;
  });
  return svg("svg", { class: "map", viewBox: `0 0 ${width} ${height}`, style: { "max-width": `${width}px` }, role: "img", "aria-label": "service map" },
    svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "var(--muted)" }))),
    edges, nodes);
}

export async function render({ root, signal }) {
  const window = apiWindow();
  const map = api.get("/service-map", window, { signal });
  const anomalies = api.get("/anomalies", { ...window, recurring: false }, { signal }).catch(() => ({ anomalies: [] }));
  const diagnosis = api.get("/hypotheses", { ...window, limit: 5 }, { signal }).catch(() => ({ hypotheses: [] }));
  map.catch(() => {});
  const graph = panel("Call graph", async () => {
    const [m, a, d] = await Promise.all([map, anomalies, diagnosis]);
    if (!m.nodes.length) return emptyState("No calls between services in this window.", "The map is drawn from spans whose parent is in another service.");
    const marks = { anomalies: new Map(), suspects: new Map() };
    for (const x of a.anomalies) if (x.service) marks.anomalies.set(x.service, (marks.anomalies.get(x.service) || 0) + 1);
    for (const x of d.hypotheses) if (!marks.suspects.has(x.service)) marks.suspects.set(x.service, marks.suspects.size + 1);
    return h("div", {}, drawMap(m, marks, (m.end - m.start) / 1e9),
      h("div", { class: "legend", style: { "margin-top": "8px" } },
        h("span", {}, h("i", { style: { background: "var(--bad)" } }), "suspect of the diagnosis / edge with ≥5% errors"),
        h("span", {}, h("i", { style: { background: "var(--warn)" } }), "service with anomalies / edge with ≥1% errors"),
        h("span", {}, "line width: call rate · labels: rate · errors · p95 (all in the table and tooltips)")));
  }, { id: "map" });
  const edges = panel("Edges", async () => {
    const m = await map;
    if (!m.edges.length) return null;
    return table([
      { label: "Caller", cell: (e) => serviceLink(e.caller) },
      { label: "Callee", cell: (e) => e.callee },
      { label: "Calls", num: true, cell: (e) => e.calls },
      { label: "Rate", num: true, cell: (e) => rate(e.rate_per_s) },
      { label: "Errors", num: true, cell: (e) => h("span", { class: health(e) ? "err" : "" }, pct(e.error_rate)) },
      { label: "p50", num: true, cell: (e) => ms(e.p50_ms) },
      { label: "p95", num: true, cell: (e) => ms(e.p95_ms) },
    ], [...m.edges].sort((a, b) => b.error_rate - a.error_rate || b.calls - a.calls));
  }, { id: "edges", flush: true });
  fill(root, pageHead("Service map"), h("div", { class: "stack" }, graph.el, edges.el));
  await Promise.all([graph.done, edges.done]);
}
