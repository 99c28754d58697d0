// The pcnsim explorer: levers -> run (and its comparison run) -> map, charts, compare table.
// The page state lives in the URL query string, so a link reproduces the view.
import { zoomIdentity } from "d3-zoom";
import { ApiError, get, getCached, runAndWait } from "./api.js";
import { NetworkMap, describeEvent } from "./map.js";
import { SERIES_TITLES, compareTable, lineChart } from "./charts.js";
import { escapeHtml, evaluationLabel, patients } from "./format.js";

const $ = (id) => document.getElementById(id);
const RUN_COLOUR = "#c0392b", BASE_COLOUR = "#4d5b6a";

const state = { scenario: "", levers: {}, sets: {}, replicates: 1, seed: "", year: null, base: "self", side: false, rel: false, zoom: "" };
let scenarios = [], levers = [], parameters = new Map();
let current = null; // {run: {id, summary, map}, base: {...} or null, compare, body}
let maps = {};
let generation = 0;

// ---------------------------------------------------------------- URL state
function readUrl() {
  const q = new URLSearchParams(location.search);
  if (q.has("scenario")) state.scenario = q.get("scenario");
  for (const [k, v] of q) {
    if (k.startsWith("lever.")) state.levers[k.slice(6)] = v;
    if (k.startsWith("set.")) state.sets[k.slice(4)] = v;
  }
  if (q.has("replicates")) state.replicates = Math.max(1, parseInt(q.get("replicates"), 10) || 1);
  if (q.has("seed")) state.seed = q.get("seed");
  if (q.has("year")) state.year = parseInt(q.get("year"), 10);
  if (q.has("base")) state.base = q.get("base");
  state.side = q.get("side") === "1";
  state.rel = q.get("rel") === "1";
  if (q.has("zoom")) state.zoom = q.get("zoom");
}

function writeUrl(push) {
  const q = new URLSearchParams();
  q.set("scenario", state.scenario);
  for (const l of levers) {
    const v = state.levers[l.id];
    if (v !== undefined && !sameValue(l, v, l.default)) q.set(`lever.${l.id}`, String(v));
  }
  for (const [path, v] of Object.entries(state.sets)) q.set(`set.${path}`, v);
  if (state.replicates !== 1) q.set("replicates", String(state.replicates));
  if (state.seed !== "") q.set("seed", state.seed);
  if (state.year !== null) q.set("year", String(state.year));
  if (state.base !== "self") q.set("base", state.base);
  if (state.side) q.set("side", "1");
  if (state.rel) q.set("rel", "1");
  if (state.zoom) q.set("zoom", state.zoom);
  const url = `${location.pathname}?${q.toString()}`;
  if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
}

// ---------------------------------------------------------------- levers
function leverValue(l, raw) {
  if (l.kind === "boolean") return raw === true || raw === "true";
  const v = Number(raw);
  return Number.isFinite(v) ? v : l.default;
}

function sameValue(l, a, b) {
  return leverValue(l, a) === leverValue(l, b);
}

function leverText(l, v) {
  if (l.kind === "boolean") return v ? "yes" : "no";
  if (l.kind === "scale") return `×${Number(v).toFixed(2)}${l.from ? ` from ${l.from}` : ""}`;
  if (l.kind === "year") return `1 April ${v}`;
  if (l.units === "patients") return `${patients(v)} patients`;
  return `${v}${l.units && l.units !== "1" ? ` ${l.units}` : ""}`;
}

/** A dated series' value text ("2022-04-01: 0.68; ...") moved to start on 1 April of `year`. */
function movedSeries(path, year) {
  const p = parameters.get(path);
  const entries = p ? [...p.value.matchAll(/(\d{4})-(\d\d)-(\d\d):\s*([^;]+)/g)] : [];
  if (!entries.length) return null;
  const shift = year - Number(entries[0][1]);
  const moved = entries.map((m, i) => `{from: ${i === 0 ? `${year}-04-01` : `${Number(m[1]) + shift}-${m[2]}-${m[3]}`}, value: ${m[4].trim()}}`);
  return `[${moved.join(", ")}]`;
}

/** The --set overrides of the page state: moved levers, then the expert sets (which win). */
function setsOf() {
  const sets = {};
  for (const l of levers) {
    const v = leverValue(l, state.levers[l.id] ?? l.default);
    if (sameValue(l, v, l.default)) continue;
    for (const path of l.paths) {
      if (l.kind === "scale") sets[path] = l.from ? `{scale: ${v}, from: ${l.from}}` : `{scale: ${v}}`;
      else if (l.kind === "year") {
        const moved = movedSeries(path, v);
        if (moved) sets[path] = moved;
      } else sets[path] = String(v);
    }
  }
  return Object.assign(sets, state.sets);
}

function buildLevers() {
  const box = $("lever-list");
  box.querySelectorAll(".lever, .reset").forEach((e) => e.remove());
  for (const l of levers) {
    const div = document.createElement("div");
    div.className = "lever";
    const id = `lever-${l.id}`;
    const value = leverValue(l, state.levers[l.id] ?? l.default);
    const help = `<p class="help" id="${id}-help">${escapeHtml(l.help || "")}; default ${escapeHtml(leverText(l, l.default))}.</p>`;
    if (l.kind === "boolean") {
      div.innerHTML = `<label class="check"><input type="checkbox" id="${id}" aria-describedby="${id}-help"${value ? " checked" : ""}> ${escapeHtml(l.label)}</label>${help}`;
    } else {
      div.innerHTML = `<div class="head"><label for="${id}">${escapeHtml(l.label)}</label><output id="${id}-out" for="${id}"></output></div>
        <input type="range" id="${id}" min="${l.min}" max="${l.max}" step="${l.step}" value="${value}" aria-describedby="${id}-help">${help}`;
    }
    box.appendChild(div);
    const input = div.querySelector("input");
    const update = (fromUser) => {
      const v = fromUser ? (l.kind === "boolean" ? input.checked : Number(input.value)) : value;
      if (fromUser) state.levers[l.id] = v;
      const out = div.querySelector("output");
      if (out) out.textContent = leverText(l, v);
      input.setAttribute("aria-valuetext", leverText(l, v));
      div.classList.toggle("changed", !sameValue(l, v, l.default));
      if (fromUser) writeUrl(false);
    };
    input.addEventListener("input", () => update(true));
    input.addEventListener("change", () => update(true));
    update(false);
  }
  const reset = document.createElement("button");
  reset.type = "button";
  reset.className = "reset";
  reset.textContent = "Reset levers";
  reset.addEventListener("click", () => {
    state.levers = {};
    buildLevers();
    writeUrl(false);
  });
  box.appendChild(reset);
}

function buildExpert() {
  const list = $("expert-list");
  list.innerHTML = "";
  for (const [path, value] of Object.entries(state.sets)) {
    const li = document.createElement("li");
    li.innerHTML = `<code>${escapeHtml(path)} = ${escapeHtml(value)}</code>`;
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = "×";
    b.setAttribute("aria-label", `Remove ${path}`);
    b.addEventListener("click", () => {
      delete state.sets[path];
      buildExpert();
      writeUrl(false);
    });
    li.appendChild(b);
    list.appendChild(li);
  }
}

function expertHelp() {
  const p = parameters.get($("expert-path").value.trim());
  $("expert-help").textContent = p
    ? `${p.description}. ${p.type}${p.units ? `, ${p.units}` : ""}${p.range ? `, range ${p.range}` : ""}; default ${p.value || "(empty)"}.`
    : "";
}

function addExpert() {
  const path = $("expert-path").value.trim(), value = $("expert-value").value.trim();
  if (!path || !value) return;
  if (!parameters.has(path)) {
    setStatus(`No parameter ${path}: pick one from the list.`, true);
    return;
  }
  state.sets[path] = value;
  $("expert-value").value = "";
  buildExpert();
  writeUrl(false);
}

// ---------------------------------------------------------------- running
function setStatus(text, error) {
  $("status").textContent = text;
  $("status").classList.toggle("error", !!error);
}

function setDownloads(id, link, name) {
  const a = $(link);
  if (id) {
    a.href = `/api/runs/${id}/${name}`;
    a.setAttribute("aria-disabled", "false");
  } else {
    a.removeAttribute("href");
    a.setAttribute("aria-disabled", "true");
  }
}

async function run() {
  const mine = ++generation;
  const seed = state.seed === "" ? undefined : Number(state.seed);
  const body = { scenario: state.scenario, set: setsOf(), replicates: state.replicates };
  if (seed !== undefined) body.seed = seed;
  // The comparison: the scenario as written ("self"), the scenario with the expert sets but every
  // lever at its default ("sets"), or another scenario as written.
  const own = state.base === "self" || state.base === "sets";
  const baseBody = { scenario: own ? state.scenario : state.base, set: state.base === "sets" ? { ...state.sets } : {}, replicates: state.replicates };
  if (seed !== undefined) baseBody.seed = seed;
  const single = JSON.stringify(body) === JSON.stringify(baseBody);
  $("run").disabled = true;
  $("problems").innerHTML = "";
  $("progress-box").hidden = false;
  const progress = { run: [0, 1], base: [0, single ? 0 : 1] };
  const show = () => {
    const done = progress.run[0] + progress.base[0], total = progress.run[1] + progress.base[1];
    $("progress").value = total ? done / total : 0;
    setStatus(`Running ${state.scenario}${single ? "" : " and its comparison"}: ${done} of ${total} replicates done…`);
  };
  show();
  try {
    const [runId, baseId] = await Promise.all([
      runAndWait(body, (d, t) => { progress.run = [d, t]; show(); }),
      single ? Promise.resolve(null) : runAndWait(baseBody, (d, t) => { progress.base = [d, t]; show(); }),
    ]);
    setStatus("Reading the results…");
    const ids = baseId ? [runId, baseId] : [runId];
    const [summaries, mapsData] = await Promise.all([
      Promise.all(ids.map((id) => getCached(`/api/runs/${id}/summary`))),
      Promise.all(ids.map((id) => getCached(`/api/runs/${id}/map`))),
    ]);
    let compare = null, compareError = null;
    if (baseId && baseId !== runId) {
      try {
        compare = await getCached(`/api/compare?base=${baseId}&other=${runId}`);
      } catch (e) {
        compareError = e.message;
      }
    }
    if (mine !== generation) return;
    current = {
      run: { id: runId, summary: summaries[0], map: mapsData[0] },
      base: baseId && baseId !== runId ? { id: baseId, summary: summaries[1], map: mapsData[1] } : null,
      compare, compareError,
    };
    render();
    const secs = summaries[0].replicates;
    setStatus(`Done: ${state.scenario}, ${secs} replicate${secs > 1 ? "s" : ""} (run ${runId}${current.base ? `; comparison ${baseId}` : ""}).`);
    document.body.dataset.run = runId;
  } catch (e) {
    if (mine !== generation) return;
    setStatus(e.message, true);
    for (const p of e instanceof ApiError ? e.problems : []) {
      const li = document.createElement("li");
      li.textContent = p;
      $("problems").appendChild(li);
    }
  } finally {
    if (mine === generation) {
      $("run").disabled = false;
      $("progress-box").hidden = true;
    }
  }
}

// ---------------------------------------------------------------- rendering
function baseLabel() {
  if (state.base === "sets") return `${state.scenario}, levers at defaults`;
  return state.base === "self" ? `${state.scenario} as written` : state.base;
}

function render() {
  const { run: r, base } = current;
  setDownloads(r.id, "download-scenario", "scenario.yaml");
  setDownloads(r.id, "download-results", "results.h5");
  setDownloads(base && base.id, "download-base-scenario", "scenario.yaml");

  const evaluations = r.map.evaluations;
  const slider = $("year");
  slider.max = String(evaluations.length - 1);
  let index = 0;
  if (state.year !== null) {
    const found = evaluations.findIndex((e) => Number(e.date.slice(0, 4)) === state.year);
    index = found >= 0 ? found : 0;
  }
  slider.value = String(index);
  maps.run.setData(r.map, `This run (${state.scenario})`);
  if (base) maps.base.setData(base.map, `Comparison (${baseLabel()})`);
  $("side-by-side").disabled = !base;
  $("show-relationships").disabled = !r.map.relationships;
  const zoomTo = $("zoom-to");
  zoomTo.innerHTML = '<option value="">all practices</option>';
  for (const [c, members] of [...maps.run.commissioners.entries()].sort()) {
    const o = document.createElement("option");
    o.value = c;
    o.textContent = `${c} (${members.length} practices)`;
    zoomTo.appendChild(o);
  }
  if (state.zoom && !maps.run.commissioners.has(state.zoom)) state.zoom = "";
  zoomTo.value = state.zoom;
  showMaps();
  const t = maps.run.zoomTo(state.zoom || null);
  if (base) maps.base.setTransform(t);

  const charts = $("charts");
  charts.innerHTML = "";
  const marker = current.compare && current.compare.takes_effect ? { date: current.compare.takes_effect, label: `takes effect ${current.compare.takes_effect}` } : null;
  for (const name of Object.keys(SERIES_TITLES)) {
    if (!r.summary.series[name]) continue;
    const runs = [{ label: "this run", colour: RUN_COLOUR, series: r.summary.series[name] }];
    if (base && base.summary.series[name]) runs.push({ label: `comparison: ${baseLabel()}`, colour: BASE_COLOUR, series: base.summary.series[name] });
    lineChart(charts, name, runs, marker);
  }
  const reps = r.summary.replicates;
  $("charts-note").textContent = `Weekly national series: ${reps > 1 ? `median of ${reps} replicates with the 10-90% band` : "one replicate (more replicates show 10-90% bands)"}; solid: this run, dashed: the comparison run${marker ? "; the vertical line marks when the change takes effect" : ""}.`;

  const box = $("compare");
  if (current.compare) compareTable(box, current.compare, { base: baseLabel(), other: "this run" });
  else box.innerHTML = `<p class="help">${current.compareError ? `No comparison: ${escapeHtml(current.compareError)}` : "This run is the comparison run (nothing changed): move a lever, set a parameter or pick another run to compare with."}</p>`;
}

function showMaps() {
  if (!current) return;
  const index = Number($("year").value);
  const ev = current.run.map.evaluations[index];
  $("year-label").textContent = evaluationLabel(ev.date, index);
  const changes = maps.run.show(index, state.rel);
  const side = state.side && !!current.base;
  $("map-base").hidden = !side;
  $("maps").classList.toggle("two", side);
  if (side) {
    const bi = Math.min(index, current.base.map.evaluations.length - 1);
    maps.base.show(bi, state.rel);
  }
  const box = $("events");
  if (index === 0) {
    box.innerHTML = `<p><strong>Formation:</strong> ${maps.run.geometry[0].members.size} networks formed at the sign-up deadline. Move the slider to replay each 1 April re-evaluation.</p>`;
  } else {
    const counts = {};
    for (const e of changes) counts[e.kind] = (counts[e.kind] || 0) + 1;
    const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}${n > 1 ? (k.endsWith("h") ? "es" : "s") : ""}`).join(", ") || "no membership changes";
    const items = changes.slice(0, 40).map((e) => `<li><span class="kind">${escapeHtml(e.kind)}</span> ${escapeHtml(describeEvent(e))}${e.reason ? ` <span class="muted">(${escapeHtml(e.reason)})</span>` : ""}</li>`).join("");
    box.innerHTML = `<p><strong>${escapeHtml(ev.date)}:</strong> ${escapeHtml(summary)} (highlighted in pink).</p>${items ? `<ul>${items}</ul>` : ""}${changes.length > 40 ? `<p class="muted">and ${changes.length - 40} more</p>` : ""}`;
  }
}

// ---------------------------------------------------------------- start
async function start() {
  maps.run = new NetworkMap($("map-run"), $("tooltip"), (t) => state.side && current && current.base && maps.base.setTransform(t));
  maps.base = new NetworkMap($("map-base"), $("tooltip"), (t) => maps.run.setTransform(t));
  readUrl();
  let health;
  try {
    [health, { scenarios }, { levers }] = await Promise.all([get("/api/health"), get("/api/scenarios"), get("/api/levers")]);
    const { parameters: list } = await get("/api/parameters");
    parameters = new Map(list.map((p) => [p.path, p]));
  } catch (e) {
    setStatus(`Cannot reach the pcnsim server: ${e.message}`, true);
    return;
  }
  $("version").textContent = `pcnsim ${health.version}`;
  const select = $("scenario"), baseSelect = $("base");
  baseSelect.innerHTML = '<option value="self">the scenario as written (no changes)</option>'
    + '<option value="sets">the scenario with my parameters set, levers at defaults</option>';
  for (const s of scenarios) {
    select.add(new Option(s.name, s.name));
    baseSelect.add(new Option(s.name, s.name));
  }
  if (!scenarios.some((s) => s.name === state.scenario)) state.scenario = scenarios.length ? scenarios[0].name : "";
  if (!["self", "sets"].includes(state.base) && !scenarios.some((s) => s.name === state.base)) state.base = "self";
  select.value = state.scenario;
  baseSelect.value = state.base;
  const describe = () => {
    const s = scenarios.find((x) => x.name === state.scenario);
    $("scenario-description").textContent = s ? s.description : "";
  };
  describe();
  const datalist = $("parameter-paths");
  for (const p of parameters.values()) if (!["name", "description"].includes(p.path)) datalist.appendChild(new Option(p.units ? `${p.units}` : p.type, p.path));
  buildLevers();
  buildExpert();
  $("replicates").value = String(state.replicates);
  $("seed").value = state.seed;
  $("side-by-side").checked = state.side;
  $("show-relationships").checked = state.rel;

  select.addEventListener("change", () => { state.scenario = select.value; describe(); writeUrl(false); });
  baseSelect.addEventListener("change", () => { state.base = baseSelect.value; writeUrl(false); });
  $("replicates").addEventListener("change", (e) => {
    state.replicates = Math.max(1, Math.min(20, parseInt(e.target.value, 10) || 1));
    e.target.value = String(state.replicates);
    writeUrl(false);
  });
  $("seed").addEventListener("change", (e) => { state.seed = e.target.value.trim(); writeUrl(false); });
  $("expert-path").addEventListener("input", expertHelp);
  $("expert-add").addEventListener("click", addExpert);
  $("expert-value").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addExpert(); } });
  $("run-form").addEventListener("submit", (e) => { e.preventDefault(); writeUrl(true); run(); });
  $("year").addEventListener("input", () => {
    if (!current) return;
    state.year = Number(current.run.map.evaluations[Number($("year").value)].date.slice(0, 4));
    showMaps();
    writeUrl(false);
  });
  $("side-by-side").addEventListener("change", (e) => {
    state.side = e.target.checked;
    showMaps();
    if (state.side && current && current.base) maps.base.setTransform(maps.run.transform);
    writeUrl(false);
  });
  $("show-relationships").addEventListener("change", (e) => { state.rel = e.target.checked; showMaps(); writeUrl(false); });
  $("zoom-to").addEventListener("change", (e) => {
    state.zoom = e.target.value;
    const t = maps.run.zoomTo(state.zoom || null);
    if (current && current.base) maps.base.setTransform(t);
    writeUrl(false);
  });
  window.addEventListener("popstate", () => location.reload());
  writeUrl(false);
  await run();
}

window.pcnsimExplorer = { state, get current() { return current; } };
start();
void zoomIdentity;
