// The run's traces against time with plotly.js (zoom, hover values, legend toggles), one panel per kind
// of quantity (V, currents, conductances, gates, ...) sharing the time axis; pinned runs overlaid as
// dashed lines; the time cursor a vertical line across every panel (click a plot to move it there).
/* global Plotly */
import {COLORS, CYCLE, EXCITATORY, INHIBITORY, TRANSMITTER, ionColor, pretty} from "/static/util.js";

const KINDS = {  // kind -> [axis title, order]
  voltage: ["V", 0], current: ["current", 1], conductance: ["conductance", 2], gate: ["gate / open fraction", 3],
  concentration: ["concentration", 4], transmitter: ["transmitter", 5], stimulus: ["stimulus", 6], other: ["value", 7],
};
const MANY = 6; // a panel with more traces shows this many, evenly spread (the rest: click the legend)

const BY_UNIT = [[/^mv$/, "voltage"], [/a\/cm(2|²)$|^(n|p|µ|u)a$/, "current"],
                 [/s\/cm(2|²)$|^(n|µ|u)s$/, "conductance"], [/^(m|µ|u)m$/, "concentration"]];

/** The kind of a trace: from its unit where the server gives one, else from its label, else from its
 *  values (a trace that sits near -70 mV with no unit of its own is a membrane potential). */
export function kindOf(tr) {
  const label = tr.label.toLowerCase(), unit = (tr.unit || "").toLowerCase();
  const last = label.split(".").pop();
  if (/stim/.test(label)) return "stimulus";
  if (/transmitter|cleft/.test(label)) return "transmitter";
  for (const [re, kind] of BY_UNIT) if (re.test(unit)) return kind;
  if ((/^[a-fh-z]$/.test(last) && last !== "i" && label.includes(".")) || ["m", "h", "n"].includes(last)
      || /open|fraction|gate/.test(label)) return "gate";
  if (/^v\b|^v[@_ (]|^v$|\(mv\)|^e(na|k|cl)$/.test(label)) return "voltage";
  if (/^(ci|co|c[io]):|conc/.test(label)) return "concentration";
  const values = (tr.values || []).filter(Number.isFinite).sort((a, b) => a - b);
  const median = values[values.length >> 1];
  if (values.length && median < -30 && values[0] > -150 && values[values.length - 1] < 100) return "voltage";
  if (/^g|\.g/.test(last)) return "conductance";
  if (/^i|\.i|ipump/.test(last)) return "current";
  return "other";
}

function colorOf(tr, kind, i, single) {
  const last = tr.label.toLowerCase().split(".").pop();
  if (kind === "gate") return last === "n" ? COLORS.k : last === "m" || last === "h" ? COLORS.na : TRANSMITTER;
  if (kind === "current" || kind === "conductance") {
    if (/cap/.test(last)) return COLORS.cap;
    if (/ion|syn/.test(last)) return /inh|gaba/.test(last) ? INHIBITORY : COLORS.v;
    return ionColor(tr.label);
  }
  if (kind === "stimulus") return COLORS.stim;
  if (kind === "transmitter") return TRANSMITTER;
  if (kind === "voltage" && (tr.label === "v" || single)) return COLORS.v;  // V is black, as in every figure
  return CYCLE[i % CYCLE.length];
}

function groups(payload) {
  const out = {};
  for (const tr of payload.traces || []) (out[kindOf(tr)] ||= []).push(tr);
  return Object.entries(out).sort((a, b) => KINDS[a[0]][1] - KINDS[b[0]][1]);
}

function shown(n, i) {
  if (n <= MANY) return true;
  const every = (n - 1) / (MANY - 1);
  return Array.from({length: MANY}, (_, j) => Math.round(j * every)).includes(i);
}

export class Plots {
  constructor(node, exp, onCursor) {
    this.node = node;
    this.exp = exp;
    this.onCursor = onCursor;
    this.t = null;
    this.bound = false;
  }

  /** Draws ``payload`` with the ``pinned`` runs ([{label, payload}]) dashed beneath it. */
  draw(payload, pinned) {
    const gs = groups(payload);
    const data = [], axes = {};
    const weights = gs.map(([kind]) => (kind === "voltage" ? 2 : 1));
    const total = weights.reduce((a, b) => a + b, 0) + (payload.raster ? 1.5 : 0);
    let top = 1;
    const gap = 0.06;
    gs.forEach(([kind, traces], g) => {
      const h = weights[g] / total;
      const axis = g === 0 ? "y" : `y${g + 1}`;
      const units = [...new Set(traces.map(tr => pretty(tr.unit)).filter(Boolean))];
      axes[`yaxis${g === 0 ? "" : g + 1}`] = {
        domain: [Math.max(0, top - h + gap / 2), top], anchor: "x", zeroline: false,
        title: {text: `${KINDS[kind][0]}${units.length === 1 ? `<br>(${units[0]})` : ""}`, font: {size: 12}}};
      top -= h;
      let rank = 0;  // the shown traces of a crowded panel take the cycle's colours in turn
      traces.forEach((tr, i) => {
        const visible = shown(traces.length, i) ? true : "legendonly";
        const color = colorOf(tr, kind, visible === true ? rank++ : i, traces.length === 1);
        data.push({x: payload.t, y: tr.values, name: pretty(tr.label), yaxis: axis, type: "scatter",
                   mode: "lines", line: {color, width: kind === "voltage" ? 2 : 1.5,
                                         dash: tr.label.toLowerCase().endsWith(".h") ? "dot" : "solid"},
                   visible, legendgroup: "now", hovertemplate: `%{y:.4g} ${pretty(tr.unit)}<extra>%{fullData.name}</extra>`});
        pinned.forEach((pin, p) => {
          const old = (pin.payload.traces || []).find(o => o.label === tr.label);
          if (!old) return;
          data.push({x: pin.payload.t, y: old.values, name: `pinned ${p + 1} (${pin.label}): ${pretty(tr.label)}`,
                     yaxis: axis, type: "scatter", mode: "lines", visible, opacity: 0.6,
                     line: {color, width: 1.5, dash: ["dash", "dashdot", "longdash", "dot"][p % 4]},
                     legendgroup: `pin${p}`, hovertemplate: `%{y:.4g} ${pretty(tr.unit)}<extra>pinned ${p + 1}</extra>`});
        });
      });
    });
    if (payload.raster) this.raster(payload.raster, data, axes, gs.length + 1, top);
    const n = gs.length + (payload.raster ? 1 : 0);
    const bottom = n <= 1 ? "y" : `y${n}`;  // the time axis under the lowest panel
    const narrow = this.node.clientWidth < 700;  // a phone: the legend below the plot, not beside it
    const layout = {
      uirevision: this.exp.name, height: Math.max(320, 170 * total), margin: {l: 70, r: 20, t: 10, b: 45},
      xaxis: {title: {text: "time (ms)"}, anchor: bottom}, ...axes, hovermode: "x unified",
      legend: narrow ? {orientation: "h", y: -0.15, font: {size: 11}} : {font: {size: 11}},
      font: {family: "system-ui, sans-serif"},
      shapes: [this.cursorShape(this.t ?? (payload.t || [0])[0])],
    };
    const config = {responsive: true, displaylogo: false,
                    toImageButtonOptions: {filename: this.exp.name, scale: 2}};
    Plotly.react(this.node, data, layout, config);
    this.node.dataset.traces = String(data.length);
    this.node.dataset.pinned = String(data.filter(d => d.legendgroup && d.legendgroup.startsWith("pin")).length);
    if (!this.bound) {
      this.node.on("plotly_click", ev => ev.points.length && this.onCursor(Number(ev.points[0].x)));
      this.bound = true;
    }
  }

  raster(raster, data, axes, g, top) {
    const axis = `y${g}`;
    axes[`yaxis${g}`] = {domain: [0, Math.max(0.05, top - 0.04)], anchor: "x", title: {text: "cell"}};
    const kind = Object.fromEntries(raster.cells.map(c => [c.id, c.kind]));
    for (const [k, color] of [["excitatory", EXCITATORY], ["inhibitory", INHIBITORY]]) {
      const spikes = raster.spikes.filter(s => kind[s[0]] === k);
      data.push({x: spikes.map(s => s[1]), y: spikes.map(s => s[0]), yaxis: axis, type: "scatter",
                 mode: "markers", marker: {size: 3, color}, name: `${k} spikes`, legendgroup: "now"});
    }
  }

  cursorShape(t) {
    return {type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
            line: {color: "#E69F00", width: 2}};
  }

  /** Moves the cursor line to ``t`` (ms). */
  cursorAt(t) {
    this.t = t;
    if (this.node.layout) Plotly.relayout(this.node, {"shapes[0].x0": t, "shapes[0].x1": t});
  }
}
