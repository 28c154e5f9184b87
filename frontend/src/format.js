// Readable cells: numbers grouped and right-aligned, dates as ISO, NULL marked, long text cut
// with the whole value one click away, nested values as compact JSON.

const NUMERIC = /^(u?int\d*|int\d+|double|float\d*|halffloat|decimal\d*\(.*\)|decimal)/;
const TEMPORAL = /^(date|timestamp|time)/;
export const LONG_TEXT = 120;

export function columnKind(type) {
  const t = (type || "").toLowerCase();
  if (NUMERIC.test(t)) return t.startsWith("int") || t.startsWith("uint") ? "integer" : "number";
  if (t === "bool") return "boolean";
  if (TEMPORAL.test(t)) return "temporal";
  if (t.startsWith("list") || t.startsWith("struct") || t.startsWith("map") || t.startsWith("large_list") || t.startsWith("fixed_size_list")) return "nested";
  return "text";
}

const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const scaledFormats = new Map();

// A decimal(p, s) column shows all s digits, so 3.0 and 3.25 line up in the grid.
export function decimalScale(type) {
  const match = /^decimal\d*\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(type || "");
  return match ? Math.min(20, Number(match[1])) : null;
}

function scaledFormat(scale) {
  if (!scaledFormats.has(scale)) {
    scaledFormats.set(scale, new Intl.NumberFormat("en-US", { minimumFractionDigits: scale, maximumFractionDigits: scale }));
  }
  return scaledFormats.get(scale);
}
const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

// Returns {text, className, title} for one cell; `title` holds the full value when cut.
export function formatCell(value, kind, scale = null) {
  if (value === null || value === undefined) return { text: "NULL", className: "cell-null" };
  switch (kind) {
    case "integer":
    case "number":
      if (typeof value === "number") {
        const format = scale !== null ? scaledFormat(scale) : kind === "integer" && Number.isInteger(value) ? integerFormat : numberFormat;
        const text = format.format(value);
        return { text, className: "cell-num", title: String(value) };
      }
      return { text: String(value), className: "cell-num" }; // NaN / Infinity arrive as text
    case "boolean":
      return { text: value ? "true" : "false", className: "cell-bool" };
    case "temporal":
      return { text: String(value).replace("T", " "), className: "cell-date" };
    case "nested": {
      const text = JSON.stringify(value);
      return cut(text, "cell-nested");
    }
    default:
      return cut(typeof value === "string" ? value : JSON.stringify(value), "cell-text");
  }
}

function cut(text, className) {
  if (text.length <= LONG_TEXT) return { text, className };
  return { text: text.slice(0, LONG_TEXT) + "…", className: className + " cell-long", title: text, full: text };
}

export function formatCount(n) {
  return n === null || n === undefined ? "" : integerFormat.format(n);
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatAge(isoTime, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(isoTime)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}
