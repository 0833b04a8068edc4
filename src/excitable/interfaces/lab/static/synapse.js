// The synapse at the cursor's instant, from the run's own traces: the terminal's V (release while the
// transmitter rises), transmitter in the cleft (dots in proportion to its concentration), receptors
// open in proportion to the open fraction, the postsynaptic potential and the synaptic current.
import {COLORS, EXCITATORY, TRANSMITTER, el, findTrace, fmt, nearest, svg, voltageColor} from "/static/util.js";

const W = 640, H = 300, N_RECEPTORS = 8, N_DOTS = 40;

function traces(payload) {
  const t = re => findTrace(payload, re);
  return {pre: t(/terminal|v_pre/i), cleft: t(/transmitter|cleft/i), open: t(/open/i), post: t(/v_post|post/i),
          isyn: t(/i_syn|isyn/i)};
}

export class SynapseView {
  constructor(node) {
    this.card = el("section", {class: "card view", id: "synapse-view", hidden: true},
                   el("h2", {text: "At the synapse at this instant"}));
    this.root = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", id: "synapse-svg",
                            "aria-label": "the synapse at the cursor's time"});
    this.card.append(this.root, el("p", {class: "caption", text:
      `Dots in the cleft in proportion to the transmitter's concentration (${N_DOTS} at its peak); of `
      + `${N_RECEPTORS} receptors, the open fraction is drawn open; the cells coloured by their V.`}));
    node.append(this.card);
    this.build();
  }

  build() {
    const r = this.root;
    this.preShape = svg("path", {d: `M120,0 L520,0 L520,90 Q320,150 120,90 Z`, stroke: "#333"});
    this.postShape = svg("path", {d: `M60,300 L580,300 L580,200 Q320,170 60,200 Z`, stroke: "#333"});
    r.append(this.preShape, this.postShape,
             svg("text", {x: 130, y: 22, "font-size": 13, text: "presynaptic terminal"}),
             svg("text", {x: 70, y: 290, "font-size": 13, text: "postsynaptic cell"}),
             svg("text", {x: 20, y: 150, "font-size": 12, fill: "#555", text: "cleft"}));
    this.vesicles = [200, 260, 320, 380, 440].map((x, j) =>
      svg("circle", {cx: x, cy: 60 + 12 * (j % 2), r: 14, fill: "#fff", stroke: TRANSMITTER, "stroke-width": 3}));
    this.vesicles.forEach(v => r.append(v));
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    this.dots = Array.from({length: N_DOTS}, () =>
      svg("circle", {cx: 140 + 360 * rand(), cy: 128 + 52 * rand(), r: 3.5, fill: TRANSMITTER}));
    this.dots.forEach(d => r.append(d));
    this.receptors = Array.from({length: N_RECEPTORS}, (_, j) => {
      const x = 150 + j * 46;
      const g = svg("g", {});
      const a = svg("rect", {x: x - 9, y: 178, width: 8, height: 30, rx: 3, fill: EXCITATORY});
      const b = svg("rect", {x: x + 1, y: 178, width: 8, height: 30, rx: 3, fill: EXCITATORY});
      g.append(a, b);
      r.append(g);
      return {g, a, b};
    });
    this.release = svg("text", {x: 530, y: 120, "font-size": 14, "font-weight": 700, fill: TRANSMITTER});
    this.preText = svg("text", {x: 510, y: 22, "font-size": 13, "text-anchor": "end"});
    this.postText = svg("text", {x: 570, y: 240, "font-size": 16, "font-weight": 700, "text-anchor": "end"});
    this.openText = svg("text", {x: 570, y: 262, "font-size": 13, "text-anchor": "end"});
    r.append(this.release, this.preText, this.postText, this.openText);
  }

  update(payload) {
    this.payload = payload;
    this.tr = traces(payload);
    this.card.hidden = !(this.tr.cleft && this.tr.post);
    if (this.card.hidden) return;
    this.cMax = Math.max(...this.tr.cleft.values.map(x => x ?? 0), 1e-12);
  }

  at(t) {
    if (this.card.hidden || !this.payload) return;
    const i = nearest(this.payload.t, t);
    const val = tr => (tr ? tr.values[i] ?? 0 : null);
    const c = val(this.tr.cleft), cPrev = this.tr.cleft.values[Math.max(0, i - 1)] ?? 0;
    const open = val(this.tr.open) ?? 0, post = val(this.tr.post), pre = val(this.tr.pre);
    const shown = Math.round(N_DOTS * Math.max(0, c) / this.cMax);
    this.dots.forEach((d, j) => d.setAttribute("visibility", j < shown ? "visible" : "hidden"));
    const releasing = c > cPrev && c > 0.01 * this.cMax;
    this.vesicles.forEach((v, j) => v.setAttribute("cy", releasing && j % 2 === 0 ? 88 : 60 + 12 * (j % 2)));
    this.release.textContent = releasing ? "release!" : "";
    const nOpen = Math.round(N_RECEPTORS * Math.min(1, Math.max(0, open)));
    this.receptors.forEach((rc, j) => {
      const g = j < nOpen ? 5 : 0;
      rc.a.setAttribute("transform", `translate(${-g},0)`);
      rc.b.setAttribute("transform", `translate(${g},0)`);
      rc.g.setAttribute("opacity", j < nOpen ? 1 : 0.45);
    });
    if (pre !== null) this.preShape.setAttribute("fill", voltageColor(pre));
    this.postShape.setAttribute("fill", voltageColor(post));
    this.preText.textContent = pre !== null ? `V terminal = ${fmt(pre)} mV` : "";
    this.postText.textContent = `V post = ${fmt(post)} mV`;
    const isyn = val(this.tr.isyn);
    this.openText.textContent = `receptors open ${fmt(open)}${isyn !== null ? ` · I_syn ${fmt(isyn)}` : ""} · `
                                + `transmitter ${fmt(c)}`;
    Object.assign(this.root.dataset, {t: String(t), dots: String(shown), open: String(nOpen)});
    this.preShape.setAttribute("stroke", COLORS.v);
  }
}
