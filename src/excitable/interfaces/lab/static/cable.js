// V along the axon: the profile V(x) at the cursor's instant (a moving wave when played), a space-time
// map (position against time, V as colour), and electrodes the learner places by clicking the profile,
// each recording V(t) where it stands. From the run's space_time, or, where the server sends none,
// from the traces recorded at named positions ("v@505um", "v node[1] at 1001 um (mV)").
/* global Plotly */
import {CYCLE, V_RANGE, VOLTAGE_SCALE, el, fmt, nearest} from "/static/util.js";

/** {x_um, t_ms, v_mV[t][x]} from the payload (its own, or rebuilt from traces named by position). */
export function spaceTime(payload) {
  if (payload.space_time) return payload.space_time;
  const at = [];
  for (const tr of payload.traces || []) {
    const m = /^v.*?(-?\d+(?:\.\d+)?)\s*um/i.exec(tr.label);
    if (m) at.push([Number(m[1]), tr.values]);
  }
  if (at.length < 3) return null;
  at.sort((a, b) => a[0] - b[0]);
  return {x_um: at.map(a => a[0]), t_ms: payload.t, v_mV: payload.t.map((_, i) => at.map(a => a[1][i]))};
}

const LAYOUT = {margin: {l: 60, r: 15, t: 30, b: 45}, font: {family: "system-ui, sans-serif"}, height: 300};
const CONFIG = {responsive: true, displaylogo: false};

export class CableView {
  constructor(node, exp) {
    this.exp = exp;
    this.electrodes = [];
    this.profile = el("div", {id: "cable-profile", class: "plot", role: "img",
                              "aria-label": "V along the axon at the cursor's time"});
    this.map = el("div", {id: "cable-map", class: "plot", role: "img", "aria-label": "space-time map of V"});
    this.traces = el("div", {id: "cable-electrodes", class: "plot", hidden: true});
    this.list = el("span", {id: "electrode-list"});
    const at = el("input", {type: "number", id: "electrode-at", step: "any", min: 0, style: "width:7rem"});
    const place = el("form", {class: "buttons", onsubmit: e => { e.preventDefault(); if (at.value !== "") this.addElectrode(Number(at.value)); }},
                     el("label", {for: "electrode-at", text: "place an electrode at (µm)"}), at,
                     el("button", {type: "submit", text: "place"}));
    this.card = el("section", {class: "card view", id: "cable-view", hidden: true},
                   el("h2", {text: "V along the axon"}),
                   el("p", {class: "caption", text: "Click the profile to place an electrode there: its V(t) "
                            + "appears below. Play the time cursor to watch the wave travel."}),
                   el("div", {class: "view-grid"}, this.profile, this.map), place, this.list, this.traces);
    node.append(this.card);
    this.bound = false;
  }

  update(payload) {
    this.st = spaceTime(payload);
    this.card.hidden = !this.st;
    if (!this.st) return;
    const st = this.st;
    const all = st.v_mV.flat().filter(Number.isFinite);  // the profile's axis stays put while it moves
    this.vRange = [all.reduce((a, b) => Math.min(a, b)), all.reduce((a, b) => Math.max(a, b))];
    // the figures' fixed V range, unless the run spans under 20 mV (a passive cable): then zoomed, and said
    const zoom = this.vRange[1] - this.vRange[0] < 20;
    const [zmin, zmax] = zoom ? this.vRange : V_RANGE;
    Plotly.react(this.map, [{type: "heatmap", x: st.t_ms, y: st.x_um, z: st.v_mV, transpose: true,
                             colorscale: VOLTAGE_SCALE, zmin, zmax,
                             colorbar: {title: {text: "V (mV)"}},
                             hovertemplate: "t %{x:.3g} ms, %{y:.0f} µm: %{z:.3g} mV<extra></extra>"}],
                 {...LAYOUT, title: {text: zoom ? "space-time map (colours zoomed to this run's V)" : "space-time map",
                                     font: {size: 13}}, uirevision: this.exp.name,
                  xaxis: {title: {text: "time (ms)"}}, yaxis: {title: {text: "position (µm)"}},
                  shapes: [this.line(this.t ?? st.t_ms[0])]}, CONFIG);
    this.drawProfile(this.t ?? st.t_ms[0]);
    if (!this.bound) {
      // a click anywhere over the profile's plot area: its x pixel -> position (plotly's own axis map)
      this.profile.addEventListener("click", ev => {
        const xa = this.profile._fullLayout && this.profile._fullLayout.xaxis;
        if (!xa) return;
        const px = ev.clientX - this.profile.getBoundingClientRect().left - xa._offset;
        if (px >= 0 && px <= xa._length) this.addElectrode(xa.p2l(px));
      });
      this.map.on("plotly_click", ev => ev.points.length && this.addElectrode(Number(ev.points[0].y)));
      this.bound = true;
    }
    this.drawElectrodes();
  }

  line(t) {
    return {type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1, line: {color: "#E69F00", width: 2}};
  }

  drawProfile(t) {
    const st = this.st;
    const i = nearest(st.t_ms, t);
    const [lo, hi] = this.vRange;
    const marks = this.electrodes.map((x, j) => ({type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
                                                  line: {color: CYCLE[j % CYCLE.length], dash: "dot"}}));
    Plotly.react(this.profile, [{x: st.x_um, y: st.v_mV[i], type: "scatter", mode: "lines+markers",
                                 marker: {size: 4}, line: {color: "#000"}, name: "V",
                                 hovertemplate: "%{x:.0f} µm: %{y:.3g} mV<extra></extra>"}],
                 {...LAYOUT, title: {text: `V along the axon at t = ${fmt(st.t_ms[i])} ms`, font: {size: 13}},
                  hovermode: "x",  // a click anywhere above a position places the electrode there
                  xaxis: {title: {text: "position (µm)"}}, yaxis: {title: {text: "V (mV)"}, range: [lo - 5, hi + 5]},
                  shapes: marks}, CONFIG);
    this.profile.dataset.t = String(st.t_ms[i]);
  }

  addElectrode(x) {
    const st = this.st;
    const j = nearest(st.x_um, x);
    const at = st.x_um[j];
    if (!this.electrodes.includes(at)) this.electrodes.push(at);
    if (this.electrodes.length > 6) this.electrodes.shift();
    this.drawElectrodes();
    this.drawProfile(this.t ?? st.t_ms[0]);
  }

  drawElectrodes() {
    const st = this.st;
    this.list.replaceChildren(...this.electrodes.map((x, j) => el("span", {class: "chip"},
      `electrode ${j + 1} at ${fmt(x)} µm`,
      el("button", {type: "button", text: "×", "aria-label": `remove electrode ${j + 1}`,
                    onclick: () => { this.electrodes.splice(j, 1); this.drawElectrodes(); }}))));
    this.traces.hidden = !this.electrodes.length;
    if (!this.electrodes.length) return;
    const data = this.electrodes.map((x, j) => {
      const k = nearest(st.x_um, x);
      return {x: st.t_ms, y: st.v_mV.map(row => row[k]), type: "scatter", mode: "lines",
              name: `electrode ${j + 1} (${fmt(x)} µm)`, line: {color: CYCLE[j % CYCLE.length]}};
    });
    Plotly.react(this.traces, data, {...LAYOUT, height: 240, xaxis: {title: {text: "time (ms)"}},
                                     yaxis: {title: {text: "V (mV)"}}, shapes: [this.line(this.t ?? st.t_ms[0])],
                                     legend: {orientation: "h"}}, CONFIG);
  }

  at(t) {
    this.t = t;
    if (this.card.hidden || !this.st) return;
    this.drawProfile(t);
    Plotly.relayout(this.map, {"shapes[0].x0": t, "shapes[0].x1": t});
    if (this.electrodes.length) Plotly.relayout(this.traces, {"shapes[0].x0": t, "shapes[0].x1": t});
  }
}
