// The network map of one run (the /api/runs/{id}/map answer): practices at their
// British National Grid locations (km; equal-area, so a linear projection with y
// up), one area per network (the union of its practices' Voronoi cells, each cell
// limited to its commissioner's practices' convex hull plus a buffer), colours
// that differ between neighbouring networks, membership replayed per evaluation.
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import { Delaunay } from "d3-delaunay";
import { polygonHull } from "d3-polygon";
import { escapeHtml, num, patients } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d"];
const WIDTH = 800;
const BUFFER_KM = 2;
const CHANGES = new Set(["exit", "join", "switch", "merge", "split", "dissolution"]);

/** Sutherland-Hodgman: a polygon clipped to a convex polygon (both as [[x, y], ...], unclosed). */
function clip(subject, convex, sign) {
  let output = subject;
  for (let i = 0; i < convex.length && output.length; i++) {
    const a = convex[i], b = convex[(i + 1) % convex.length];
    const side = (p) => sign * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j], q = input[(j + 1) % input.length];
      const sp = side(p), sq = side(q);
      if (sp >= 0) output.push(p);
      if ((sp >= 0) !== (sq >= 0)) {
        const t = sp / (sp - sq);
        output.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return output;
}

function signedArea(poly) {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i], b = poly[(i + 1) % poly.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

const key = (p) => `${Math.round(p[0] * 1000)},${Math.round(p[1] * 1000)}`;
const fmt = (v) => Math.round(v * 100) / 100;

export class NetworkMap {
  /** container: a <figure>; tooltip: the shared tooltip element; onZoom(transform) when the user zooms. */
  constructor(container, tooltip, onZoom) {
    this.container = container;
    this.tooltip = tooltip;
    this.onZoom = onZoom;
    this.caption = container.querySelector("figcaption");
    this.svg = select(container).append("svg").attr("role", "img").attr("aria-label", "Map of practices and networks");
    this.root = this.svg.append("g");
    this.layers = {};
    for (const name of ["hulls", "areas", "outlines", "relationships", "practices", "labels"]) {
      this.layers[name] = this.root.append("g").attr("class", `layer-${name}`);
    }
    this.legend = select(container).append("div").attr("class", "legend");
    this.transform = zoomIdentity;
    this.zoomBehavior = zoom().scaleExtent([1, 80]).on("zoom", (event) => {
      this.applyTransform(event.transform);
      if (event.sourceEvent && this.onZoom) this.onZoom(event.transform);
    });
    this.svg.call(this.zoomBehavior);
  }

  setData(data, title) {
    this.data = data;
    this.title = title;
    const P = data.practices;
    const n = P.code.length;
    const xs = P.x_km, ys = P.y_km;
    let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const pad = Math.max(BUFFER_KM + 0.5, 0.03 * Math.max(x1 - x0, y1 - y0));
    x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
    this.scale = WIDTH / (x1 - x0);
    this.height = Math.round((y1 - y0) * this.scale);
    const s = this.scale;
    this.px = xs.map((x) => (x - x0) * s);
    this.py = ys.map((y) => (y1 - y) * s);
    this.svg.attr("viewBox", `0 0 ${WIDTH} ${this.height}`);
    this.zoomBehavior.translateExtent([[-WIDTH * 0.2, -this.height * 0.2], [WIDTH * 1.2, this.height * 1.2]]);
    this.baseRadius = Math.max(1.4, Math.min(7, 0.45 * Math.sqrt((WIDTH * this.height) / n) / 3));
    this.codeIndex = new Map(P.code.map((c, i) => [c, i]));

    // Distinct points for the Voronoi diagram: practices sharing a site are spread on a tiny circle.
    const seen = new Map();
    this.vx = new Float64Array(n);
    this.vy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = `${Math.round(this.px[i] * 100)},${Math.round(this.py[i] * 100)}`;
      const m = seen.get(k) || 0;
      seen.set(k, m + 1);
      const r = m ? 0.15 * s : 0, angle = m * 2.39996;
      this.vx[i] = this.px[i] + r * Math.cos(angle);
      this.vy[i] = this.py[i] + r * Math.sin(angle);
    }

    // Each commissioner's region: the convex hull of its practices, buffered.
    const byCommissioner = new Map();
    P.commissioner.forEach((c, i) => (byCommissioner.has(c) ? byCommissioner.get(c).push(i) : byCommissioner.set(c, [i])));
    this.commissioners = byCommissioner;
    this.hulls = new Map();
    const r = BUFFER_KM * s;
    for (const [c, members] of byCommissioner) {
      const points = [];
      for (const i of members) for (let a = 0; a < 16; a++) points.push([this.px[i] + r * Math.cos((a * Math.PI) / 8), this.py[i] + r * Math.sin((a * Math.PI) / 8)]);
      const hull = polygonHull(points);
      this.hulls.set(c, { hull, sign: Math.sign(signedArea(hull)) || 1 });
    }
    this.layers.hulls.selectAll("path").data([...this.hulls.entries()]).join("path")
      .attr("class", "commissioner-hull").attr("d", ([, h]) => `M${h.hull.map((p) => p.map(fmt).join(",")).join("L")}Z`);

    this.geometry = data.evaluations.map((ev) => this.evaluationGeometry(ev));
    this.colours = this.colourNetworks();
    this.evaluation = -1;
    this.applyTransform(this.transform);
  }

  /** One evaluation's open practices, Delaunay triangulation, networks' members and
   * neighbouring networks (for the colours, over every evaluation); its cells and
   * areas are made when it is first shown (`areas`), so the first map appears
   * without drawing every year's geometry first. */
  evaluationGeometry(ev) {
    const P = this.data.practices;
    const open = [];
    for (let i = 0; i < P.code.length; i++) if (ev.list_size[i] > 0) open.push(i);
    const delaunay = Delaunay.from(open, (i) => this.vx[i], (i) => this.vy[i]);
    const members = new Map();
    open.forEach((i) => {
      const net = ev.network[i];
      if (net < 0) return;
      if (!members.has(net)) members.set(net, []);
      members.get(net).push(i);
    });
    // Neighbouring networks (for colours): Delaunay edges between practices of different networks.
    const adjacency = [];
    const { halfedges, triangles } = delaunay;
    for (let e = 0; e < halfedges.length; e++) {
      if (e < halfedges[e]) {
        const a = ev.network[open[triangles[e]]];
        const b = ev.network[open[triangles[e % 3 === 2 ? e - 2 : e + 1]]];
        if (a >= 0 && b >= 0 && a !== b) adjacency.push([a, b]);
      }
    }
    let areas = null;
    const map = this;
    return {
      adjacency, members,
      get areas() {
        if (!areas) areas = map.evaluationAreas(open, delaunay, members);
        return areas;
      },
    };
  }

  /** Cells (Voronoi, clipped to the commissioner's region) and each network's area and outline. */
  evaluationAreas(open, delaunay, members) {
    const P = this.data.practices;
    const margin = 50;
    const voronoi = delaunay.voronoi([-margin, -margin, WIDTH + margin, this.height + margin]);
    const cells = new Map();
    open.forEach((i, k) => {
      const polygon = voronoi.cellPolygon(k);
      if (!polygon) return;
      const h = this.hulls.get(P.commissioner[i]);
      const clipped = clip(polygon.slice(0, -1), h.hull, h.sign);
      if (clipped.length >= 3) cells.set(i, clipped);
    });
    const areas = [];
    for (const [net, list] of members) {
      const rings = [];
      const edges = new Map();
      for (const i of list) {
        const cell = cells.get(i);
        if (!cell) continue;
        rings.push(`M${cell.map((p) => `${fmt(p[0])},${fmt(p[1])}`).join("L")}Z`);
        for (let j = 0; j < cell.length; j++) {
          const a = cell[j], b = cell[(j + 1) % cell.length];
          const ka = key(a), kb = key(b);
          if (ka === kb) continue;
          const k = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
          const e = edges.get(k);
          if (e) e.count++;
          else edges.set(k, { a, b, count: 1 });
        }
      }
      if (!rings.length) {
        // No cell survived (a degenerate site): a small disc around each member keeps the network visible.
        const rr = Math.max(1.5, 0.6 * this.scale);
        for (const i of list) rings.push(`M${fmt(this.px[i] - rr)},${fmt(this.py[i])}a${rr},${rr} 0 1,0 ${2 * rr},0a${rr},${rr} 0 1,0 ${-2 * rr},0Z`);
      }
      let outline = "";
      for (const e of edges.values()) if (e.count === 1) outline += `M${fmt(e.a[0])},${fmt(e.a[1])}L${fmt(e.b[0])},${fmt(e.b[1])}`;
      areas.push({ network: net, members: list, d: rings.join(""), outline: outline || rings.join("") });
    }
    areas.sort((a, b) => a.network - b.network);
    return areas;
  }

  /** Greedy colouring of the networks over every evaluation, so neighbours differ and a network keeps its colour. */
  colourNetworks() {
    const neighbours = new Map();
    const add = (a, b) => {
      if (!neighbours.has(a)) neighbours.set(a, new Set());
      neighbours.get(a).add(b);
    };
    for (const g of this.geometry) {
      for (const a of g.members.keys()) if (!neighbours.has(a)) neighbours.set(a, new Set());
      for (const [a, b] of g.adjacency) { add(a, b); add(b, a); }
    }
    const order = [...neighbours.keys()].sort((a, b) => neighbours.get(b).size - neighbours.get(a).size || a - b);
    const colour = new Map();
    for (const net of order) {
      const used = new Set([...neighbours.get(net)].map((m) => colour.get(m)).filter((c) => c !== undefined));
      let c = 0;
      while (used.has(c) && c < PALETTE.length) c++;
      colour.set(net, c % PALETTE.length);
    }
    return colour;
  }

  networkColour(net) {
    return PALETTE[this.colours.get(net) ?? net % PALETTE.length];
  }

  /** Draws evaluation `index` (rows of /practices/network); relationships: draw the affinity graph. */
  show(index, relationships) {
    if (!this.data) return;
    this.evaluation = index;
    const ev = this.data.evaluations[index];
    const geo = this.geometry[index];
    const changes = this.data.events.filter((e) => e.date === ev.date && CHANGES.has(e.kind));
    const hotNetworks = new Set(), hotPractices = new Set();
    for (const e of changes) {
      if (e.network >= 0) hotNetworks.add(e.network);
      if (e.other_network >= 0) hotNetworks.add(e.other_network);
      if (e.practice && this.codeIndex.has(e.practice)) hotPractices.add(this.codeIndex.get(e.practice));
    }
    this.layers.areas.selectAll("path").data(geo.areas, (a) => a.network).join("path")
      .attr("class", "network-area").attr("data-network", (a) => a.network)
      .attr("d", (a) => a.d).attr("fill", (a) => this.networkColour(a.network))
      .on("mousemove", (event, a) => this.showTooltip(event, this.networkHtml(a.network, index)))
      .on("mouseleave", () => this.hideTooltip());
    this.layers.outlines.selectAll("path").data(geo.areas, (a) => a.network).join("path")
      .attr("class", (a) => `network-outline${hotNetworks.has(a.network) ? " event" : ""}`).attr("d", (a) => a.outline);
    const P = this.data.practices;
    const open = [];
    for (let i = 0; i < P.code.length; i++) if (ev.list_size[i] > 0) open.push(i);
    this.layers.practices.selectAll("circle").data(open, (i) => i).join("circle")
      .attr("class", (i) => `practice${ev.network[i] < 0 ? " none" : ""}${hotPractices.has(i) ? " event" : ""}`)
      .attr("cx", (i) => fmt(this.px[i])).attr("cy", (i) => fmt(this.py[i]))
      .attr("fill", (i) => (ev.network[i] < 0 ? "#fff" : this.networkColour(ev.network[i])))
      .on("mousemove", (event, i) => this.showTooltip(event, this.practiceHtml(i, index)))
      .on("mouseleave", () => this.hideTooltip());
    this.drawRelationships(relationships && this.data.relationships, open, ev);
    const plural = (k, word) => `${k} ${word}${k === 1 ? "" : "s"}`;
    this.caption.textContent = `${this.title}: ${plural(geo.areas.length, "network")}, ${plural(open.length, "practice")} (${ev.date})`;
    this.legend.text(`Colours: networks (neighbours differ). White dots: practices in no network. Pink: changed at this evaluation (${changes.length} change${changes.length === 1 ? "" : "s"}). Dashed: commissioner regions.`);
    this.applyTransform(this.transform);
    return changes;
  }

  drawRelationships(rel, open, ev) {
    const openSet = new Set(open);
    const edges = rel ? rel.source.map((s, k) => ({ s, t: rel.target[k], a: rel.affinity[k], k })).filter((e) => openSet.has(e.s) && openSet.has(e.t)) : [];
    this.layers.relationships.selectAll("line").data(edges, (e) => e.k).join("line")
      .attr("class", "relationship")
      .attr("x1", (e) => fmt(this.px[e.s])).attr("y1", (e) => fmt(this.py[e.s]))
      .attr("x2", (e) => fmt(this.px[e.t])).attr("y2", (e) => fmt(this.py[e.t]))
      .attr("stroke", (e) => (e.a >= 0 ? "#1f5fa8" : "#c0392b"))
      .attr("stroke-dasharray", (e) => (e.a >= 0 ? null : "6 3"))
      .attr("stroke-opacity", 0.75);
    this.layers.labels.selectAll("text").data(edges, (e) => e.k).join("text")
      .attr("class", "relationship-label")
      .attr("x", (e) => fmt((this.px[e.s] + this.px[e.t]) / 2)).attr("y", (e) => fmt((this.py[e.s] + this.py[e.t]) / 2))
      .text((e) => e.a.toFixed(2));
    this.relationshipEdges = edges;
  }

  applyTransform(t) {
    this.transform = t;
    this.root.attr("transform", t.toString());
    const k = t.k;
    const screen = Math.min(7, this.baseRadius * Math.pow(k, 0.5));
    this.layers.practices.selectAll("circle").attr("r", screen / k);
    this.layers.relationships.selectAll("line").attr("stroke-width", (e) => (0.8 + 1.6 * Math.abs(e.a)) / k);
    this.layers.labels.selectAll("text").style("font-size", `${11 / k}px`).style("stroke-width", `${3 / k}px`);
  }

  /** Follows another map's zoom (side-by-side view). */
  setTransform(t) {
    this.svg.call(this.zoomBehavior.transform, t);
  }

  /** Zooms to one commissioner's practices (null: everything). */
  zoomTo(commissioner) {
    if (!this.data) return zoomIdentity;
    let t = zoomIdentity;
    const members = commissioner && this.commissioners.get(commissioner);
    if (members) {
      const xs = members.map((i) => this.px[i]), ys = members.map((i) => this.py[i]);
      const pad = BUFFER_KM * this.scale * 1.5;
      const bx0 = Math.min(...xs) - pad, bx1 = Math.max(...xs) + pad, by0 = Math.min(...ys) - pad, by1 = Math.max(...ys) + pad;
      const k = Math.max(1, Math.min(80, 0.95 * Math.min(WIDTH / (bx1 - bx0), this.height / (by1 - by0))));
      t = zoomIdentity.translate(WIDTH / 2, this.height / 2).scale(k).translate(-(bx0 + bx1) / 2, -(by0 + by1) / 2);
    }
    this.setTransform(t);
    return t;
  }

  practiceHtml(i, index) {
    const P = this.data.practices;
    const ev = this.data.evaluations[index];
    const net = ev.network[i];
    return `<h3>Practice ${escapeHtml(P.code[i])}</h3><table>
      <tr><td>list size</td><td>${patients(ev.list_size[i])} patients</td></tr>
      <tr><td>network</td><td>${net < 0 ? "none" : net}</td></tr>
      <tr><td>commissioner</td><td>${escapeHtml(P.commissioner[i])}</td></tr>
      <tr><td>location</td><td>${P.x_km[i].toFixed(1)}, ${P.y_km[i].toFixed(1)} km (OS grid)</td></tr></table>`;
  }

  networkHtml(net, index) {
    const N = this.data.networks;
    const row = N.id.indexOf(net);
    const ev = this.data.evaluations[index];
    const state = this.data.network_state[index];
    const members = this.geometry[index].members.get(net) || [];
    const list = members.reduce((s, i) => s + ev.list_size[i], 0);
    let roles = "";
    if (state && state.arrs_wte_by_role[row]) {
      const byRole = state.arrs_wte_by_role[row].map((w, r) => [this.data.roles[r], w]).filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]);
      roles = byRole.slice(0, 8).map(([r, w]) => `<tr><td>&nbsp;&nbsp;${escapeHtml(r.replace(/_/g, " "))}</td><td>${num(w)} WTE</td></tr>`).join("");
    }
    const ended = N.ended_time[row] ? `<tr><td>ended</td><td>${escapeHtml(N.ended_time[row])}: ${escapeHtml(N.end_reason[row])}</td></tr>` : "";
    const parent = N.parent[row] >= 0 ? `<tr><td>split from</td><td>network ${N.parent[row]}</td></tr>` : "";
    return `<h3>Network ${net}</h3><table>
      <tr><td>commissioner</td><td>${escapeHtml(N.commissioner[row])}</td></tr>
      <tr><td>members</td><td>${members.length} practices, ${patients(list)} patients</td></tr>
      <tr><td>hosting model</td><td>${escapeHtml(N.hosting_model[row].replace(/_/g, " "))}</td></tr>
      <tr><td>ARRS employer</td><td>${escapeHtml(N.employer[row].replace(/_/g, " "))}</td></tr>
      <tr><td>CD strain</td><td>${state ? num(state.cd_strain[row]) : "–"}</td></tr>
      <tr><td>ARRS staff</td><td>${state ? num(state.arrs_wte[row]) : "–"} WTE</td></tr>${roles}
      <tr><td>formed</td><td>${escapeHtml(N.formed_time[row])}</td></tr>${parent}${ended}</table>`;
  }

  showTooltip(event, html) {
    const tip = this.tooltip;
    tip.innerHTML = html;
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let x = event.clientX + 14, y = event.clientY + 14;
    if (x + w > window.innerWidth - 4) x = event.clientX - w - 14;
    if (y + h > window.innerHeight - 4) y = Math.max(4, event.clientY - h - 14);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }
}

/** The text of one network event. */
export function describeEvent(e) {
  const other = e.other_network >= 0 ? e.other_network : null;
  switch (e.kind) {
    case "exit": return `practice ${e.practice} left network ${e.network}`;
    case "join": return `practice ${e.practice} joined network ${e.network}${other !== null ? ` (from network ${other})` : ""}`;
    case "switch": return `practice ${e.practice} switched from network ${e.network} to network ${other}`;
    case "merge": return `network ${e.network} merged into network ${other}`;
    case "split": return `network ${other} split off from network ${e.network}${e.practice ? ` (${e.practice})` : ""}`;
    case "dissolution": return `network ${e.network} dissolved`;
    case "approval": return `network ${e.network} approved under the size threshold`;
    case "conflict": return `conflict in network ${e.network}${e.practice ? ` (${e.practice})` : ""}`;
    default: return `${e.kind}: network ${e.network}`;
  }
}
