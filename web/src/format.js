// Display units: money in £m, shares in %, everything else as the file says.
import { format } from "d3-format";

/** How a quantity in `units` is shown: a factor, the shown units, and a number format. */
export function display(units) {
  const u = units || "";
  if (u === "1") return { factor: 100, units: "%", share: true };
  if (u.startsWith("GBP")) return { factor: 1e-6, units: "£m" + u.slice(3) };
  return { factor: 1, units: u === "-" ? "" : u };
}

const general = format(",.3~r");
const small = format(".2~g");
/** A number with about three significant figures and thousands separators. */
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (v === 0) return "0";
  return Math.abs(v) < 0.01 ? small(v) : general(v);
}

/** A value in its display units, e.g. "12.3 %" or "£m 1.5". */
export function shown(v, units) {
  const d = display(units);
  const value = v === null || v === undefined ? v : v * d.factor;
  return d.units ? `${num(value)} ${d.units}` : num(value);
}

export const patients = format(",.0f");

/** "2019-05-15" -> "2019 formation"; other evaluation dates -> "1 April 2021" style label. */
export function evaluationLabel(date, index) {
  if (index === 0) return `${date.slice(0, 4)} formation (${date})`;
  return `${date.slice(0, 4)} re-evaluation (${date})`;
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
