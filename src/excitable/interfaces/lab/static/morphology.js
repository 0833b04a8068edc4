// A reconstructed cell drawn in 2-D (x, y of its SWC points; thickness from the diameters), each
// segment coloured by its V at the cursor's instant on the figures' voltage colour map; and the form
// that uploads the learner's own SWC file (/api/swc: the CLI's parser, its one-line errors) and runs it.
import {V_RANGE, el, fmt, getJSON, nearest, svg, voltageColor} from "/static/util.js";

export class MorphologyView {
  constructor(node, exp, lab) {
    this.lab = lab;
    this.range = V_RANGE;
    this.root = svg("svg", {id: "morphology-svg", role: "img", "aria-label": "the cell, coloured by V"});
    this.file = el("input", {type: "file", id: "swc-file", accept: ".swc,.SWC,text/plain", name: "file"});
    this.error = el("div", {class: "field-error", id: "swc-error", role: "alert", hidden: true});
    const form = el("form", {id: "upload", onsubmit: e => { e.preventDefault(); this.upload(); }},
                    el("label", {for: "swc-file", text: "Bring a cell: an SWC file (at most 2 MB) "}), this.file,
                    " ", el("button", {type: "submit", text: "Upload and run"}), this.error);
    this.legend = el("p", {class: "caption", text: `Colour: V from ${V_RANGE[0]} mV (dark blue) to `
                           + `+${V_RANGE[1]} mV (yellow), the same scale as every figure's.`});
    this.card = el("section", {class: "card view", id: "morphology-view"},
                   el("h2", {text: "The cell, coloured by V at this instant"}), this.root, this.legend, form);
    node.append(this.card);
  }

  async upload() {
    const f = this.file.files[0];
    this.error.hidden = true;
    if (!f) { this.showError("choose an SWC file first"); return; }
    const body = new FormData();
    body.append("file", f);
    try {
      const r = await getJSON("/api/swc", {method: "POST", body});
      this.draw({segments: r.segments, t_ms: [0], v_mV: [r.segments.map(() => null)]});
      this.lab.apply({swc: r.id});
    } catch (e) {
      this.showError(e.message);
    }
  }

  showError(msg) { this.error.textContent = msg; this.error.hidden = false; }

  draw(m) {
    this.m = m;
    const segs = m.segments;
    const xs = segs.flatMap(s => [s[0], s[3]]), ys = segs.flatMap(s => [s[1], s[4]]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const pad = 0.04 * Math.max(x1 - x0, y1 - y0, 1);
    this.root.setAttribute("viewBox", `${x0 - pad} ${-y1 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
    const minWidth = 0.004 * Math.max(x1 - x0, y1 - y0, 1); // a thin dendrite stays visible
    this.lines = segs.map(s => svg("line", {x1: s[0], y1: -s[1], x2: s[3], y2: -s[4], "stroke-linecap": "round",
                                            "stroke-width": Math.max(minWidth, s[6]), stroke: "#888"}));
    this.root.replaceChildren(...this.lines);
  }

  update(payload) {
    this.card.hidden = false;
    if (payload.morphology) {
      this.draw(payload.morphology);
      // the figures' fixed range, unless the whole run spans under 20 mV (a passive cell): then zoomed, and said
      const all = payload.morphology.v_mV.flat().filter(Number.isFinite);
      const lo = all.reduce((a, b) => Math.min(a, b), Infinity), hi = all.reduce((a, b) => Math.max(a, b), -Infinity);
      this.range = hi - lo < 20 && hi > lo ? [lo, hi] : V_RANGE;
      this.legend.textContent = `Colour: V from ${fmt(this.range[0])} mV (dark blue) to ${fmt(this.range[1])} mV `
        + (this.range === V_RANGE ? "(yellow), the same scale as every figure's."
                                  : "(yellow): zoomed to this run's range, which is narrower than the figures' −80 to +40 mV.");
    }
    if (this.t !== undefined) this.at(this.t);
  }

  at(t) {
    this.t = t;
    if (!this.m || !this.lines) return;
    const i = nearest(this.m.t_ms, t);
    const v = this.m.v_mV[i] || [];
    this.lines.forEach((line, j) => line.setAttribute("stroke", v[j] === null || v[j] === undefined ? "#888"
                                                                                                     : voltageColor(v[j], this.range)));
    this.root.dataset.t = String(this.m.t_ms[i]);
    this.root.dataset.vMax = String(fmt(Math.max(...v.filter(x => x !== null))));
  }
}
