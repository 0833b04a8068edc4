// Ions without waiting: the Nernst potential of each ion and the Goldman-Hodgkin-Katz resting potential
// computed in the page while a slider moves, shown as the formula with this moment's numbers put in,
// and checked against the server's /api/ions (the same closed forms; they agree to 0.01 mV). On the
// resting-potential page the panel follows the page's own controls; elsewhere it has its own.
import {el, getJSON} from "/static/util.js";
import {buildControls} from "/static/controls.js";

const R = 8.314462618, F = 96485.33212, ZERO_CELSIUS = 273.15; // J/(mol K), C/mol, K: excitable.units
const IONS = [["k", "K⁺", 1], ["na", "Na⁺", 1], ["cl", "Cl⁻", -1]];
const KEYS = ["ki", "ko", "nai", "nao", "cli", "clo", "pk", "pna", "pcl", "temperature"];
const conc = (name, dflt, help) => ({name, default: dflt, unit: "mM", help, kind: "float", widget: "slider",
                                     choices: [], minimum: 0, maximum: null, range: {low: 0.1, high: 1000, log: true}});
const perm = (name, dflt, help) => ({name, default: dflt, unit: "", help, kind: "float", widget: "slider",
                                     choices: [], minimum: 0, maximum: null, range: {low: 0, high: 2, step: 0.01}});
/** The calculator's own controls where the page has none (a mammalian neuron's textbook values). */
const OWN = [conc("ki", 140, "[K⁺] inside"), conc("ko", 5, "[K⁺] outside"), conc("nai", 12, "[Na⁺] inside"),
             conc("nao", 145, "[Na⁺] outside"), conc("cli", 10, "[Cl⁻] inside"), conc("clo", 110, "[Cl⁻] outside"),
             perm("pk", 1, "relative K⁺ permeability"), perm("pna", 0.04, "relative Na⁺ permeability"),
             perm("pcl", 0.45, "relative Cl⁻ permeability"),
             {name: "temperature", default: 37, unit: "degC", help: "temperature", kind: "float", widget: "slider",
              choices: [], minimum: -10, maximum: 60, range: {low: 0, high: 42, step: 0.5}}];

const mv = x => `${x.toFixed(2).replace(/^-/, "−")} mV`;
const num = x => String(Number(x.toPrecision(6)));

/** {nernst: {k, na, cl}, ghk, formulas} in mV for concentrations (mM), relative permeabilities, °C. */
export function closedForms(p) {
  const T = ZERO_CELSIUS + p.temperature;
  const rtf = 1e3 * R * T / F; // mV
  const nernst = {}, formulas = {};
  for (const [ion, name, z] of IONS) {
    const ci = p[`${ion}i`], co = p[`${ion}o`];
    nernst[ion] = rtf / z * Math.log(co / ci);
    formulas[ion] = `E_${ion === "na" ? "Na" : ion === "k" ? "K" : "Cl"} = (RT/zF) ln([${name}]o/[${name}]i) = (${num(R)} × ${num(T)} / (${z} × ${num(F)}))`
                    + ` × ln(${num(co)} / ${num(ci)}) = ${mv(nernst[ion])}`;
  }
  const top = p.pk * p.ko + p.pna * p.nao + p.pcl * p.cli;
  const bottom = p.pk * p.ki + p.pna * p.nai + p.pcl * p.clo;
  const ghk = rtf * Math.log(top / bottom);
  formulas.ghk = `V = (RT/F) ln((P_K[K⁺]o + P_Na[Na⁺]o + P_Cl[Cl⁻]i) / (P_K[K⁺]i + P_Na[Na⁺]i + P_Cl[Cl⁻]o))`
                 + ` = (${num(R)} × ${num(T)} / ${num(F)}) × ln((${num(p.pk)}×${num(p.ko)} + ${num(p.pna)}×${num(p.nao)}`
                 + ` + ${num(p.pcl)}×${num(p.cli)}) / (${num(p.pk)}×${num(p.ki)} + ${num(p.pna)}×${num(p.nai)}`
                 + ` + ${num(p.pcl)}×${num(p.clo)})) = ${mv(ghk)}`;
  return {nernst, ghk, formulas};
}

export class IonsView {
  constructor(node, exp, lab) {
    this.lab = lab;
    this.linked = KEYS.every(k => exp.params.some(p => p.name === k));
    this.own = Object.fromEntries(OWN.map(p => [p.name, p.default]));
    this.out = el("div", {id: "ions-formulas", "aria-live": "polite"});
    this.check = el("p", {class: "muted", id: "ions-check"});
    this.card = el("section", {class: "card view", id: "ions-view"},
                   el("h2", {text: "Reversal and resting potentials, as you move the sliders"}));
    if (!this.linked) {
      const form = el("form", {id: "ions-controls", class: "view-grid", onsubmit: e => e.preventDefault()});
      this.card.append(el("p", {class: "caption", text: "A calculator beside this experiment: set the "
                                + "concentrations and permeabilities and read E and V at once."}), form);
      buildControls(form, {params: OWN}, (k, v) => { this.own[k] = v; this.compute(); })
        .set(this.own, {});
    }
    this.card.append(this.out, this.check);
    node.append(this.card);
    lab.listeners.push(() => this.compute());
    this.compute();
  }

  values() {
    if (!this.linked) return {...this.own};
    const v = this.lab.values();
    return Object.fromEntries(KEYS.map(k => [k, Number(v[k])]));
  }

  compute() {
    const p = this.values();
    if (KEYS.some(k => !Number.isFinite(p[k]))) return;
    const r = closedForms(p);
    this.out.replaceChildren(
      ...IONS.map(([ion, name]) => el("p", {class: "formula", "data-ion": ion}, el("b", {text: `${name}: `}),
                                        r.formulas[ion])),
      el("p", {class: "formula", "data-ion": "ghk"}, el("b", {text: "Resting potential (GHK): "}), r.formulas.ghk));
    this.card.dataset.ghk = String(r.ghk);
    Object.entries(r.nernst).forEach(([k, x]) => { this.card.dataset[`e${k}`] = String(x); });
    this.ask(p, r);
  }

  /** The server's answer for the same values (debounced; an older question is aborted). */
  ask(p, r) {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      if (this.inflight) this.inflight.abort();
      const ctl = this.inflight = new AbortController();
      try {
        const body = {temperature: p.temperature, inside: {k: p.ki, na: p.nai, cl: p.cli},
                      outside: {k: p.ko, na: p.nao, cl: p.clo}, permeability: {k: p.pk, na: p.pna, cl: p.pcl}};
        const s = await getJSON("/api/ions", {method: "POST", signal: ctl.signal,
                                              headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
        const diff = Math.abs(s.ghk_mV - r.ghk);
        this.card.dataset.serverGhk = String(s.ghk_mV);
        this.check.textContent = `The server's closed forms give ${mv(s.ghk_mV)} for the resting potential `
          + `(${diff <= 0.01 ? "the same to 0.01 mV" : `${diff.toFixed(3)} mV apart`}).`;
      } catch (e) {
        if (e.name !== "AbortError") this.check.textContent = `The server's check: ${e.message}`;
      }
    }, 150);
  }

  update() { this.compute(); }
  at() {}
}
