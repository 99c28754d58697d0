// Small d3 line charts of the key series (run against comparison run, 10-90% bands)
// and the compare table; every chart's data downloads as CSV.
import { select } from "d3-selection";
import { scaleLinear, scaleUtc } from "d3-scale";
import { axisBottom, axisLeft } from "d3-axis";
import { area, line } from "d3-shape";
import { display, escapeHtml, num } from "./format.js";
import { downloadCsv } from "./csv.js";

export const SERIES_TITLES = {
  arrs_wte: "ARRS staff in post",
  hours_per_gp_fte: "GP hours worked per GP FTE",
  gp_unmet_hours: "GP demand left unmet",
  arrs_claimed_gbp: "ARRS reimbursement claimed",
  cd_funded_hours: "Funded clinical-director hours",
  cd_support_hours: "Clinical-director work taken by support",
  cd_unmanageable_share: "Clinical directors over the strain threshold",
  cd_mean_strain: "Mean clinical-director strain",
  networks: "Networks live",
  networks_with_manager: "Networks with a manager",
};

/** Display units of a series: strain is a ratio (units 1) but not a share. */
function seriesDisplay(name, units) {
  return name.includes("strain") ? { factor: 1, units: "ratio" } : display(units);
}

const W = 380, H = 220, M = { top: 12, right: 14, bottom: 24, left: 52 };
const parse = (d) => new Date(`${d}T00:00:00Z`);

/**
 * One chart. runs: [{label, colour, series}] where series is a /summary series
 * (median, p10, p90 or null); marker: {date, label} or null.
 */
export function lineChart(parent, name, runs, marker) {
  const first = runs[0].series;
  const d = seriesDisplay(name, first.units);
  const title = SERIES_TITLES[name] || name;
  const figure = select(parent).append("figure").attr("class", "chart").attr("data-series", name);
  const cap = figure.append("figcaption");
  cap.append("strong").text(`${title} (${d.units})`);
  cap.append("span").attr("class", "muted").text(first.description);
  const keys = figure.append("div").attr("class", "keys");
  const dates = first.dates.map(parse);
  const x = scaleUtc().domain([dates[0], dates[dates.length - 1]]).range([M.left, W - M.right]);
  let lo = Infinity, hi = -Infinity;
  for (const r of runs) {
    for (const k of ["median", "p10", "p90"]) {
      for (const v of r.series[k] || []) {
        if (Number.isFinite(v)) { lo = Math.min(lo, v * d.factor); hi = Math.max(hi, v * d.factor); }
      }
    }
  }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (lo > 0 && lo < hi * 0.6) lo = 0;
  if (hi === lo) hi = lo + 1;
  const y = scaleLinear().domain([lo, hi]).nice().range([H - M.bottom, M.top]);
  const svg = figure.append("svg").attr("viewBox", `0 0 ${W} ${H}`).attr("role", "img")
    .attr("aria-label", `${title}: ${runs.map((r) => r.label).join(" against ")}`);
  svg.append("g").attr("class", "axis").attr("transform", `translate(0,${H - M.bottom})`).call(axisBottom(x).ticks(5).tickSizeOuter(0));
  svg.append("g").attr("class", "axis").attr("transform", `translate(${M.left},0)`).call(axisLeft(y).ticks(5).tickFormat(num));
  runs.forEach((r, k) => {
    const s = r.series;
    const xs = s.dates.map(parse);
    if (s.p10 && s.p90) {
      const band = area().defined((_, i) => Number.isFinite(s.p10[i]) && Number.isFinite(s.p90[i]))
        .x((_, i) => x(xs[i])).y0((_, i) => y(s.p10[i] * d.factor)).y1((_, i) => y(s.p90[i] * d.factor));
      svg.append("path").attr("class", "band").attr("fill", r.colour).attr("d", band(s.median));
    }
    const path = line().defined((v) => Number.isFinite(v)).x((_, i) => x(xs[i])).y((v) => y(v * d.factor));
    svg.append("path").attr("class", `line run-${k}`).attr("stroke", r.colour)
      .attr("stroke-dasharray", k ? "5 3" : null).attr("d", path(s.median));
    const item = keys.append("span").attr("class", "key-item");
    item.append("svg").attr("width", 22).attr("height", 8).attr("aria-hidden", "true").append("line")
      .attr("x1", 1).attr("x2", 21).attr("y1", 4).attr("y2", 4).attr("stroke", r.colour).attr("stroke-width", 2)
      .attr("stroke-dasharray", k ? "5 3" : null);
    item.append("span").text(r.label);
  });
  if (marker && marker.date) {
    const mx = x(parse(marker.date));
    if (mx >= M.left && mx <= W - M.right) {
      svg.append("line").attr("class", "marker").attr("x1", mx).attr("x2", mx).attr("y1", M.top).attr("y2", H - M.bottom);
      svg.append("text").attr("class", "marker-label").attr("x", mx + 3).attr("y", H - M.bottom - 4).text(marker.label);
    }
  }
  const tools = figure.append("div").attr("class", "tools");
  tools.append("button").attr("type", "button").attr("class", "csv").text("CSV")
    .attr("aria-label", `Download the data of "${title}" as CSV`)
    .on("click", () => {
      const header = ["date"];
      for (const r of runs) for (const k of ["median", "p10", "p90"]) header.push(`${r.label} ${k} (${d.units})`);
      const rows = first.dates.map((date, i) => {
        const row = [date];
        for (const r of runs) {
          for (const k of ["median", "p10", "p90"]) {
            const v = r.series[k] ? r.series[k][i] : null;
            row.push(v === null || v === undefined ? "" : v * d.factor);
          }
        }
        return row;
      });
      downloadCsv(`${name}.csv`, header, rows);
    });
  return figure.node();
}

/** The compare table (rows of /api/compare) in display units, with its CSV. */
export function compareTable(parent, result, labels) {
  const root = select(parent);
  root.selectAll("*").remove();
  const note = result.takes_effect ? ` The change takes effect on ${result.takes_effect}.` : "";
  const tools = root.append("div").attr("class", "tools");
  const header = ["outcome", "units", labels.base, labels.other, "difference", "95% low", "95% high", "significant"];
  const rows = result.rows.map((r) => {
    const d = display(r.units);
    const f = (v) => (v === null || v === undefined ? null : v * d.factor);
    return { r, d, cells: [r.outcome, d.share ? "%" : d.units, f(r.base_mean), f(r.other_mean), f(r.difference), f(r.ci95_low), f(r.ci95_high), r.significant] };
  });
  tools.append("button").attr("type", "button").attr("class", "csv").text("CSV").attr("aria-label", "Download the compare table as CSV")
    .on("click", () => downloadCsv("compare.csv", header, rows.map((x) => x.cells.map((c) => (c === true ? 1 : c === false ? 0 : c)))));
  const wrap = root.append("div").attr("class", "compare-wrap");
  const table = wrap.append("table").attr("class", "compare");
  table.append("caption").text(`Means over replicates, ${labels.other} minus ${labels.base}, with 95% intervals of the mean difference (none with one replicate). Shares in %, their differences in percentage points; money in £m. Highlighted: the interval excludes 0.${note}`);
  const head = table.append("thead").append("tr");
  for (const h of ["outcome", "units", labels.base, labels.other, "difference [95% interval]"]) head.append("th").attr("scope", "col").text(h);
  const body = table.append("tbody");
  for (const { r, d, cells } of rows) {
    const tr = body.append("tr").attr("class", r.significant ? "significant" : null);
    tr.append("th").attr("scope", "row").attr("title", r.description).html(`${escapeHtml(r.outcome)}`);
    tr.append("td").text(cells[1]);
    tr.append("td").text(num(cells[2]));
    tr.append("td").text(num(cells[3]));
    const interval = cells[5] === null || cells[5] === undefined ? "" : ` [${num(cells[5])}, ${num(cells[6])}]`;
    tr.append("td").text(`${cells[4] === null || cells[4] === undefined ? "–" : num(cells[4]) + (d.share ? " pp" : "")}${interval}`);
  }
}
