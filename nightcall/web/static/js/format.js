// Numbers and times as people read them; every time is shown in UTC, as the API gives it.

export function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (value === 0) return "0";
  if (value >= 60000) return `${(value / 60000).toFixed(1)} min`;
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10000 ? 1 : 2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  if (value >= 1) return `${value.toFixed(1)} ms`;
  return `${(value * 1000).toFixed(0)} µs`;
}

export function pct(share, digits = 1) {
  if (share === null || share === undefined || Number.isNaN(share)) return "–";
  const value = share * 100;
  if (value === 0) return "0%";
  if (value > 0 && value < 0.1) return "<0.1%";
  return `${value.toFixed(value >= 10 ? 0 : digits)}%`;
}

export function num(value, digits = 2) {
  if (typeof value === "string") return value;
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
  return value.toFixed(abs >= 10 ? 1 : digits);
}

export function rate(perSecond) {
  if (perSecond === null || perSecond === undefined) return "–";
  if (perSecond > 0 && perSecond < 0.1) return `${num(perSecond * 60)}/min`;
  return `${num(perSecond)}/s`;
}

export function bytes(value) {
  if (value === null || value === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A value in its unit: "1" is a share, "ms"/"s" durations, "By" bytes, "1/s" a rate. */
export function valueIn(value, unit) {
  if (typeof value === "string") {
    // Evidence values may be ids, versions or labels: show those as they are.
    const parsed = Number(value);
    if (value.trim() === "" || Number.isNaN(parsed)) return value;
    value = parsed;
  }
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  switch (unit) {
    case "1": return pct(value);
    case "%": return `${num(value)}%`;
    case "ms": return ms(value);
    case "s": return ms(value * 1000);
    case "By": return bytes(value);
    case "1/s": return rate(value);
    case "": case undefined: case null: return num(value);
    default: return `${num(value)} ${unit.replace(/[{}]/g, "")}`;
  }
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** Unix ns (number or bigint-ish) or an RFC 3339 string → Date. */
export function toDate(t) {
  if (t instanceof Date) return t;
  if (typeof t === "string" && !/^\d+$/.test(t)) return new Date(t);
  return new Date(Number(t) / 1e6);
}

/** "2026-11-01 02:59:57" (UTC); `withMs` adds milliseconds. */
export function time(t, { withMs = false, date = true } = {}) {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return "–";
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fraction = withMs ? `.${pad(d.getUTCMilliseconds(), 3)}` : "";
  return date ? `${day} ${clock}${fraction}` : `${clock}${fraction}`;
}

/** "3m 20s" from seconds. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ""}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86400)}d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)}h` : ""}`;
}

/** A stable colour per service name, readable on both themes. */
export function serviceColor(name) {
  let hash = 0;
  for (const ch of String(name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 52%)`;
}
