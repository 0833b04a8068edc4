// One experiment page: reads the experiment's name from the path (/x/NAME) and its parameters from the
// query string (the permalink), builds the controls from the declaration, runs the experiment on the
// server (debounced 150 ms; a newer request aborts the older one) and hands each run to the plot, the
// time cursor, the views (membrane, cable, synapse, morphology, ions) and the export panel.
import {el, fmt, getJSON, keyUnit, pretty} from "/static/util.js";
import {buildControls, typed} from "/static/controls.js";
import {Plots} from "/static/plots.js";
import {Cursor} from "/static/cursor.js";
import {makeViews} from "/static/views.js";
import {ExportPanel} from "/static/export.js";
import {Sensitivity} from "/static/sensitivity.js";

const DEBOUNCE_MS = 150;
const MAX_PINS = 4;

class Lab {
  constructor(exp) {
    this.exp = exp;
    this.params = Object.fromEntries(exp.params.map(p => [p.name, p]));
    this.given = {};        // what the learner set (the permalink); the rest are the declared defaults
    this.pinned = [];       // [{label, payload}]
    this.payload = null;
    this.timer = null;
    this.inflight = null;
    this.listeners = [];    // called with (name, value) while a control moves, before any run
  }

  /** Reads ?k=v (the permalink) into ``given``; unknown keys are left for the server to refuse. */
  readQuery() {
    for (const [k, v] of new URLSearchParams(location.search)) {
      this.given[k] = this.params[k] ? typed(this.params[k], v) : v;
    }
  }

  /** The URL holds every parameter the learner set (the rest are the defaults), and the cursor's time. */
  writeQuery() {
    const q = new URLSearchParams();
    for (const p of this.exp.params) if (p.name in this.given) q.set(p.name, String(this.given[p.name]));
    const query = q.toString();
    const hash = this.cursor && this.cursor.time() !== null ? `#t=${fmt(this.cursor.time()).replace("−", "-")}` : "";
    history.replaceState(null, "", `${location.pathname}${query ? "?" + query : ""}${hash}`);
  }

  set(name, value) {
    const p = this.params[name];
    if (p && value === p.default) delete this.given[name]; else this.given[name] = value;
  }

  change(name, value) {
    this.set(name, value);
    this.listeners.forEach(f => f(name, value));
    this.afterChange();
  }

  apply(changes, on = true) {
    for (const [k, v] of Object.entries(changes)) {
      if (on) this.set(k, v); else delete this.given[k];
    }
    this.controls.set({...this.defaults(), ...this.given}, this.given);
    this.listeners.forEach(f => f(null, null));
    this.afterChange();
  }

  afterChange() {
    this.writeQuery();
    this.refreshInterventions();
    clearTimeout(this.timer);
    document.getElementById("status").dataset.state = "waiting";
    this.waiting = true;
    this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  defaults() { return Object.fromEntries(this.exp.params.map(p => [p.name, p.default])); }

  /** The values the page shows now: the last run's resolved ones, then what the learner set. */
  values() { return {...this.defaults(), ...(this.payload ? this.resolved(this.payload) : {}), ...this.given}; }

  async run() {
    this.waiting = false;
    if (this.inflight) this.inflight.abort();
    const ctl = new AbortController();
    this.inflight = ctl;
    const status = document.getElementById("status");
    status.classList.add("busy");
    status.dataset.state = "running";
    const t0 = performance.now();
    try {
      const payload = await getJSON(`/api/run/${this.exp.name}`, {
        method: "POST", signal: ctl.signal, headers: {"Content-Type": "application/json"},
        body: JSON.stringify({params: this.given})});
      const wall = performance.now() - t0;
      this.controls.clearErrors();
      document.getElementById("error").hidden = true;
      this.render(payload);
      status.textContent = `ran in ${fmt(wall)} ms (the simulation ${fmt(payload.elapsed_ms)} ms` +
                           `${payload.cached ? ", answered from the cache" : ""})`;
      status.dataset.runs = String(Number(status.dataset.runs || 0) + 1);
    } catch (e) {
      if (e.name === "AbortError") return;
      this.showError(e);
      status.textContent = "";
      status.dataset.errors = String(Number(status.dataset.errors || 0) + 1);
    } finally {
      if (this.inflight === ctl) {  // the last request: the page shows what its controls say
        this.inflight = null;
        status.classList.remove("busy");
        if (!this.waiting) status.dataset.state = "idle";
      }
    }
  }

  showError(e) {
    this.controls.clearErrors();
    const box = document.getElementById("error");
    if (e.field && this.controls.showError(e.field, e.message)) { box.hidden = true; return; }
    box.textContent = e.message;
    box.hidden = false;
  }

  /** The run's parameters, those the run chose itself (default null: "about 2x threshold", "the
   *  model's own") read from the summary where it reports them ("amplitude_uA_cm2", "temperature_degC"). */
  resolved(payload) {
    const out = {...payload.params};
    for (const [k, v] of Object.entries(out)) {
      if (v !== null) continue;
      const key = Object.keys(payload.summary || {}).find(s => s === k || s.startsWith(`${k}_`));
      if (key && typeof payload.summary[key] === "number") out[k] = payload.summary[key];
    }
    return out;
  }

  render(payload) {
    this.payload = payload;
    this.controls.set({...this.defaults(), ...this.resolved(payload)}, this.given);
    document.getElementById("answer").textContent = pretty(payload.answer || "");
    this.renderHeadline(payload);
    this.plots.draw(payload, this.pinned);
    this.views.forEach(v => v.update(payload));
    this.cursor.setRun(payload);  // after the views have the run: it draws them at its time
    this.exporter.update(payload);
    this.sensitivity.update(payload);
    document.getElementById("lab").setAttribute("aria-busy", "false");
  }

  renderHeadline(payload) {
    const dl = document.getElementById("headline");
    let rows = (payload.headline || []).map(h => [h.label, h.value, pretty(h.unit), h.key]);
    if (!rows.length) {  // a page that declares no headline: the summary's numbers, by their key's unit
      rows = Object.entries(payload.summary || {})
        .filter(([, v]) => typeof v === "number" || typeof v === "boolean")
        .slice(0, 8).map(([k, v]) => [keyUnit(k)[0], v, keyUnit(k)[1], k]);
    }
    dl.replaceChildren(...rows.map(([label, v, unit, key]) =>
      el("div", {"data-key": key}, el("dt", {text: pretty(label)}),
         el("dd", {text: v === null || v === undefined ? "not measured" : `${fmt(v)}${unit ? " " + unit : ""}`}))));
  }

  refreshInterventions() {
    for (const b of document.querySelectorAll("#interventions button")) {
      const iv = this.exp.interventions[Number(b.dataset.index)];
      const on = Object.entries(iv.changes).every(([k, v]) => k in this.given && String(this.given[k]) === String(v));
      b.setAttribute("aria-pressed", String(on));
    }
  }

  buildPage() {
    const exp = this.exp;
    document.title = `${exp.question} · excitable lab`;
    document.getElementById("question").textContent = pretty(exp.question);
    document.getElementById("exp-name").textContent = `experiment: ${exp.name}`;
    this.controls = buildControls(document.getElementById("params"), exp, (k, v) => this.change(k, v));
    const ivBox = document.getElementById("interventions");
    exp.interventions.forEach((iv, i) => ivBox.append(
      el("button", {type: "button", "data-index": i, "aria-pressed": "false", title: pretty(iv.help),
                    text: iv.label,
                    onclick: e => this.apply(iv.changes, e.currentTarget.getAttribute("aria-pressed") !== "true")})));
    document.getElementById("reset").addEventListener("click", () => { this.given = {}; this.apply({}); });
    const mech = document.getElementById("mechanism-text");
    mech.replaceChildren(...(exp.mechanism || []).map(p => el("p", {text: pretty(p)})));
    document.getElementById("model-note").textContent = pretty(exp.model_note || "");
    this.buildSuggestions();
    this.buildCompare();
    this.plots = new Plots(document.getElementById("plot"), exp, t => this.cursor.set(t));
    this.views = makeViews(document.getElementById("views"), exp, this);
    this.cursor = new Cursor(document.getElementById("cursor"), t => {
      this.plots.cursorAt(t);
      this.views.forEach(v => v.at(t));
    }, () => this.writeQuery());
    this.exporter = new ExportPanel(document.getElementById("export"), exp, () => this.plots.node);
    this.sensitivity = new Sensitivity(document.getElementById("sensitivity"), exp, () => this.given);
  }

  buildSuggestions() {
    const list = document.getElementById("try-list");
    for (const s of this.exp.suggestions || []) {
      list.append(el("li", {}, el("button", {type: "button", text: pretty(s.text), title: s.cli,
                                             onclick: () => this.apply(s.changes)})));
    }
    document.getElementById("try").hidden = !(this.exp.suggestions || []).length;
  }

  buildCompare() {
    const pins = document.getElementById("pins");
    const unpin = document.getElementById("unpin");
    const redraw = () => {
      pins.replaceChildren(...this.pinned.map((p, i) => el("span", {class: "chip", "data-pin": i},
        `pinned ${i + 1}: ${p.label}`,
        el("button", {type: "button", "aria-label": `unpin ${i + 1}`, text: "×",
                      onclick: () => { this.pinned.splice(i, 1); redraw(); }}))));
      unpin.disabled = !this.pinned.length;
      if (this.payload) this.plots.draw(this.payload, this.pinned);
    };
    document.getElementById("pin").addEventListener("click", () => {
      if (!this.payload) return;
      if (this.pinned.length >= MAX_PINS) this.pinned.shift();
      this.pinned.push({label: this.describe(this.payload.changed || {}), payload: this.payload});
      redraw();
    });
    unpin.addEventListener("click", () => { this.pinned = []; redraw(); });
  }

  /** A run's changes in a few words: an intervention's label where one matches, else k=v. */
  describe(changed) {
    const left = {...changed};
    const words = [];
    for (const iv of this.exp.interventions) {
      const keys = Object.keys(iv.changes);
      if (keys.every(k => k in left && String(left[k]) === String(iv.changes[k]))) {
        words.push(iv.label);
        keys.forEach(k => delete left[k]);
      }
    }
    words.push(...Object.entries(left).map(([k, v]) => `${k}=${fmt(v)}`));
    return words.length ? words.join(", ") : "defaults";
  }
}

async function main() {
  const name = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  let exp;
  try {
    exp = await getJSON(`/api/experiments/${encodeURIComponent(name)}`);
  } catch (e) {
    document.getElementById("question").textContent = "No such experiment";
    const box = document.getElementById("error");
    box.textContent = e.message;
    box.hidden = false;
    document.getElementById("lab").setAttribute("aria-busy", "false");
    return;
  }
  const lab = new Lab(exp);
  window.excitableLab = lab; // for a curious learner's console, and the browser tests
  lab.buildPage();
  lab.readQuery();
  lab.controls.set({...lab.defaults(), ...lab.given}, lab.given);
  lab.refreshInterventions();
  const hashT = /[#&]t=(-?[\d.]+)/.exec(location.hash);
  if (hashT) lab.cursor.pending = Number(hashT[1]);
  await lab.run();
}

main();
