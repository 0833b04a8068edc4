// The membrane at the cursor's instant, drawn from the run's own state: of N Na+ channels, N·m³h are
// drawn open and N·(1−h) inactivated (the ball in the pore); of N K+ channels N·n⁴ are open; the
// arrows' widths are in proportion to I_Na and I_K (and the pump's current where the model has one);
// the ± signs on the two faces are in proportion to V (the membrane's charge Q = C·V).
import {COLORS, el, findTrace, fmt, nearest, svg} from "/static/util.js";

const N = 6;            // channels of each kind drawn
const MV_PER_SIGN = 5;  // one pair of charges per 5 mV
const W = 640, H = 320, TOP = 118, BOTTOM = 182;

function traces(payload) {
  const t = re => findTrace(payload, re);
  return {v: t(/^v$/) || t(/^v\b|^v_/i), m: t(/(^|\.)m$/), h: t(/(^|\.)h$/), n: t(/(^|\.)n$/),
          ina: t(/(^|\.)ina$/), ik: t(/(^|\.)ik$/), pump: t(/pump/i)};
}

function channel(x, color) {
  const g = svg("g", {class: "channel"});
  const left = svg("rect", {x: x - 12, y: TOP - 4, width: 10, height: BOTTOM - TOP + 8, rx: 4, fill: color});
  const right = svg("rect", {x: x + 2, y: TOP - 4, width: 10, height: BOTTOM - TOP + 8, rx: 4, fill: color});
  g.append(left, right);
  return {g, left, right, x};
}

function arrow(color) {
  const g = svg("g", {fill: color, stroke: color});
  const line = svg("line", {"stroke-linecap": "butt"});
  const head = svg("path", {stroke: "none"});
  const label = svg("text", {"font-size": 13, fill: color, stroke: "none"});
  g.append(line, head, label);
  return {g, line, head, label};
}

/** Draws an arrow at x from y0 to y1 with width w (px); w = 0 hides it. */
function setArrow(a, x, y0, y1, w, text) {
  a.g.setAttribute("visibility", w > 0.4 ? "visible" : "hidden");
  const dir = Math.sign(y1 - y0) || 1, headLen = 10 + w;
  a.line.setAttribute("x1", x); a.line.setAttribute("x2", x);
  a.line.setAttribute("y1", y0); a.line.setAttribute("y2", y1 - dir * headLen);
  a.line.setAttribute("stroke-width", w);
  const hw = w / 2 + 6;
  a.head.setAttribute("d", `M${x - hw},${y1 - dir * headLen} L${x + hw},${y1 - dir * headLen} L${x},${y1} Z`);
  a.label.setAttribute("x", x + 10); a.label.setAttribute("y", (y0 + y1) / 2 + (dir > 0 ? 40 : -40));
  a.label.textContent = text;
}

export class MembraneView {
  constructor(node) {
    this.card = el("section", {class: "card view", id: "membrane-view", hidden: true},
                   el("h2", {text: "Inside the membrane at this instant"}));
    node.append(this.card);
    this.root = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", id: "membrane-svg",
                            "aria-label": "the membrane with its channels at the cursor's time"});
    this.card.append(this.root, el("p", {class: "caption", text:
      `Of ${N} Na⁺ channels, N·m³h are drawn open and N·(1−h) inactivated (the ball in the pore); of ${N} K⁺ `
      + `channels, N·n⁴ are open. The arrows' widths are in proportion to the Na⁺ and K⁺ currents (and the `
      + `pump's), the ± signs to V: one pair per ${MV_PER_SIGN} mV (the membrane's charge is C·V).`}));
    this.build();
  }

  build() {
    const r = this.root;
    r.append(svg("rect", {x: 0, y: 0, width: W, height: TOP, fill: "#eef6fb"}),
             svg("rect", {x: 0, y: BOTTOM, width: W, height: H - BOTTOM, fill: "#fdf3ec"}),
             svg("text", {x: 8, y: 18, "font-size": 13, fill: "#333", text: "outside"}),
             svg("text", {x: 8, y: H - 8, "font-size": 13, fill: "#333", text: "inside"}));
    for (let x = 6; x < W; x += 12) {  // the lipid bilayer: heads and tails
      r.append(svg("circle", {cx: x, cy: TOP + 5, r: 5, fill: "#c9c9c9"}),
               svg("circle", {cx: x, cy: BOTTOM - 5, r: 5, fill: "#c9c9c9"}),
               svg("line", {x1: x, x2: x, y1: TOP + 10, y2: BOTTOM - 10, stroke: "#dedede", "stroke-width": 2}));
    }
    this.signsOut = svg("g", {"font-size": 16, "text-anchor": "middle"});
    this.signsIn = svg("g", {"font-size": 16, "text-anchor": "middle"});
    r.append(this.signsOut, this.signsIn);
    this.na = Array.from({length: N}, (_, i) => channel(70 + 34 * i, COLORS.na));
    this.k = Array.from({length: N}, (_, i) => channel(330 + 34 * i, COLORS.k));
    this.balls = this.na.map(c => svg("circle", {r: 6, fill: COLORS.na, stroke: "#fff"}));
    this.chains = this.na.map(() => svg("line", {stroke: COLORS.na, "stroke-width": 1.5}));
    [...this.na, ...this.k].forEach(c => r.append(c.g));
    this.chains.forEach(c => r.append(c));
    this.balls.forEach(b => r.append(b));
    this.pump = svg("g", {});
    this.pump.append(svg("rect", {x: 560, y: TOP - 10, width: 40, height: BOTTOM - TOP + 20, rx: 12,
                                  fill: COLORS.ion}),
                     svg("text", {x: 580, y: TOP - 16, "font-size": 12, "text-anchor": "middle", text: "pump"}));
    r.append(this.pump);
    this.naArrow = arrow(COLORS.na); this.kArrow = arrow(COLORS.k); this.pumpArrow = arrow(COLORS.ion);
    r.append(this.naArrow.g, this.kArrow.g, this.pumpArrow.g);
    this.vText = svg("text", {x: W - 8, y: 22, "font-size": 20, "font-weight": 700, "text-anchor": "end"});
    this.gateText = svg("text", {x: W - 8, y: 44, "font-size": 13, "text-anchor": "end", fill: "#333"});
    this.noPump = svg("text", {x: W - 8, y: H - 8, "font-size": 12, "text-anchor": "end", fill: "#555",
                               text: "this model has no Na⁺/K⁺ pump"});
    r.append(this.vText, this.gateText, this.noPump);
  }

  update(payload) {
    this.payload = payload;
    this.tr = traces(payload);
    const ok = this.tr.v && this.tr.m && this.tr.h && this.tr.n;
    this.card.hidden = !ok;
    if (!ok) return;
    const maxAbs = tr => (tr ? Math.max(...tr.values.map(x => Math.abs(x ?? 0))) : 0);
    this.iMax = Math.max(maxAbs(this.tr.ina), maxAbs(this.tr.ik), maxAbs(this.tr.pump), 1e-9);
    this.pump.setAttribute("visibility", this.tr.pump ? "visible" : "hidden");
    this.noPump.setAttribute("visibility", this.tr.pump ? "hidden" : "visible");
  }

  /** Draws the state at ``t`` ms. */
  at(t) {
    if (this.card.hidden || !this.payload) return;
    const i = nearest(this.payload.t, t);
    const val = tr => (tr ? tr.values[i] ?? 0 : 0);
    const v = val(this.tr.v), m = val(this.tr.m), h = val(this.tr.h), n = val(this.tr.n);
    const naOpen = m ** 3 * h, kOpen = n ** 4;
    const nOpen = Math.round(N * naOpen), nInact = Math.min(N - nOpen, Math.round(N * (1 - h)));
    this.na.forEach((c, j) => {
      const open = j < nOpen || (j >= nOpen && j < nOpen + nInact && m ** 3 > 0.5);
      this.gap(c, open);
      const plugged = j >= nOpen && j < nOpen + nInact;
      const [bx, by] = plugged ? [c.x, BOTTOM + 6] : [c.x + 16, BOTTOM + 26];
      this.balls[j].setAttribute("cx", bx); this.balls[j].setAttribute("cy", by);
      this.chains[j].setAttribute("x1", c.x + 10); this.chains[j].setAttribute("y1", BOTTOM + 2);
      this.chains[j].setAttribute("x2", bx); this.chains[j].setAttribute("y2", by);
    });
    const nk = Math.round(N * kOpen);
    this.k.forEach((c, j) => this.gap(c, j < nk));
    const ina = val(this.tr.ina), ik = val(this.tr.ik), ip = val(this.tr.pump);
    const width = x => 22 * Math.abs(x) / this.iMax;
    const unit = this.tr.ina && this.tr.ina.unit ? this.tr.ina.unit.replace("uA/cm2", "µA/cm²") : "µA/cm²";
    setArrow(this.naArrow, 270, ina < 0 ? 50 : 270, ina < 0 ? 270 : 50, width(ina),
             `I_Na ${fmt(ina)} ${unit}`);
    setArrow(this.kArrow, 530, ik > 0 ? 270 : 50, ik > 0 ? 50 : 270, width(ik), `I_K ${fmt(ik)} ${unit}`);
    if (this.tr.pump) setArrow(this.pumpArrow, 615, 270, 50, width(ip), `${fmt(ip)}`);
    this.charges(v);
    this.vText.textContent = `V = ${fmt(v)} mV`;
    this.gateText.textContent = `Na⁺ open m³h = ${fmt(naOpen)} · K⁺ open n⁴ = ${fmt(kOpen)} · t = ${fmt(t)} ms`;
    Object.assign(this.root.dataset, {t: String(t), v: String(v), naOpen: String(naOpen), kOpen: String(kOpen),
                                       naChannelsOpen: String(nOpen), kChannelsOpen: String(nk)});
  }

  gap(c, open) {
    const g = open ? 7 : 0;
    c.left.setAttribute("transform", `translate(${-g},0)`);
    c.right.setAttribute("transform", `translate(${g},0)`);
    c.g.setAttribute("opacity", open ? 1 : 0.55);
  }

  /** One + outside and one − inside per MV_PER_SIGN mV of negative V; the other way round when V > 0. */
  charges(v) {
    const count = Math.min(40, Math.round(Math.abs(v) / MV_PER_SIGN));
    const [outSign, inSign] = v < 0 ? ["+", "−"] : ["−", "+"];
    const row = (g, sign, y, color) => {
      g.replaceChildren(...Array.from({length: count}, (_, j) =>
        svg("text", {x: 20 + (j + 0.5) * (W - 40) / count, y, fill: color, text: sign})));
    };
    row(this.signsOut, outSign, TOP - 22, outSign === "+" ? COLORS.na : COLORS.k);
    row(this.signsIn, inSign, BOTTOM + 48, inSign === "+" ? COLORS.na : COLORS.k);
  }
}
