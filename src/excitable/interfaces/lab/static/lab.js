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
const CHANGED = "changed"; // the permalink's list of the parameters the learner set
const MAX_PINS = 4;

/** When a run did not measure what the answer quotes (TTX: no spike; pronase: the spike never ends),
 *  the run's own one-line reason (a summary key "no_...") says why, in place of the answer. */
function whyNot(summary) {
  const reason = Object.entries(summary || {}).find(([k, v]) => k.startsWith("no_") && typeof v === "string" && v);
  return reason ? reason[1][0].toUpperCase() + reason[1].slice(1) + "." : "";
}

class Lab {
  constructor(exp) {
    this.exp = exp;
    this.params = Object.fromEntries(exp.params.map(p => [p.name, p]));
    this.given = {};        // what the learner set (marked changed); the rest follow the defaults
    this.fromUrl = {};      // the other values a permalink holds, sent as they are until a control moves
    this.pinned = [];       // [{label, payload}]
    this.payload = null;
    this.timer = null;
    this.inflight = null;
    this.listeners = [];    // called with (name, value) while a control moves, before any run
  }

  /** Reads ?k=v (the permalink): the keys named in ``changed`` (or all of them, in a link written by
   *  hand or before every value was kept) are what the learner set, the others the run's resolved
   *  values; unknown keys are left for the server to refuse. */
  readQuery() {
    const q = new URLSearchParams(location.search);
    const changed = q.has(CHANGED) ? new Set(q.get(CHANGED).split(",").filter(Boolean)) : null;
    for (const [k, v] of q) {
      if (k === CHANGED) continue;
      const value = this.params[k] ? typed(this.params[k], v) : v;
      if (!changed || changed.has(k) || !this.params[k]) this.given[k] = value; else this.fromUrl[k] = value;
    }
  }

  /** What a run is asked for: the permalink's values, then the learner's. */
  request() { return {...this.fromUrl, ...this.given}; }

  /** The URL holds every parameter: the last run's resolved values (those the run chose itself, such
   *  as "about 2x threshold", as it reported them) under what the learner set, which ``changed`` lists;
   *  and the cursor's time. ``resolved`` false (a control moved, its run not back yet): a default
   *  the run resolves is left out until the run says what it is. */
  writeQuery(resolved = true) {
    const q = new URLSearchParams();
    const shown = {...this.defaults(), ...(resolved && this.payload ? this.resolved(this.payload) : {}),
                   ...this.request()};
    for (const p of this.exp.params) {
      const v = shown[p.name];
      if (v !== null && v !== undefined) q.set(p.name, Array.isArray(v) ? v.join(",") : String(v));
    }
    q.set(CHANGED, this.exp.params.map(p => p.name).filter(k => k in this.given).join(","));
    const query = q.toString();
    const hash = this.cursor && this.cursor.time() !== null ? `#t=${fmt(this.cursor.time()).replace("−", "-")}` : "";
    history.replaceState(null, "", `${location.pathname}${query ? "?" + query : ""}${hash}`);
  }

  set(name, value) {
    const p = this.params[name];
    if (p && value === p.default) delete this.given[name]; else this.given[name] = value;
  }

  /** A control moved: from now on the values the learner did not set follow the defaults again (a
   *  new model brings its own temperature and stimulus), so the permalink's are dropped. */
  change(name, value) {
    this.fromUrl = {};
    this.set(name, value);
    this.listeners.forEach(f => f(name, value));
    this.afterChange();
  }

  apply(changes, on = true) {
    this.fromUrl = {};
    for (const [k, v] of Object.entries(changes)) {
      if (on) this.set(k, v); else delete this.given[k];
    }
    this.controls.set({...this.defaults(), ...this.given}, this.given);
    this.listeners.forEach(f => f(null, null));
    this.afterChange();
  }

  afterChange() {
    this.writeQuery(false);
    this.refreshInterventions();
    clearTimeout(this.timer);
    document.getElementById("status").dataset.state = "waiting";
    this.waiting = true;
    this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  defaults() { return Object.fromEntries(this.exp.params.map(p => [p.name, p.default])); }

  /** The values the page shows now: the last run's resolved ones, then what the learner set. */
  values() { return {...this.defaults(), ...(this.payload ? this.resolved(this.payload) : {}), ...this.request()}; }

  async run() {
    this.waiting = false;
    if (this.inflight) this.inflight.abort();
    const ctl = new AbortController();
    this.inflight = ctl;
    const status = document.getElementById("status");
    status.classList.add("busy");
    status.dataset.state = "running";
    const t0 = performance.now();
    const asked = this.request(), given = {...this.given};
    try {
      const payload = await getJSON(`/api/run/${this.exp.name}`, {
        method: "POST", signal: ctl.signal, headers: {"Content-Type": "application/json"},
        body: JSON.stringify({params: asked})});
      const wall = performance.now() - t0;
      this.controls.clearErrors();
      document.getElementById("error").hidden = true;
      this.runGiven = given;  // what the learner had set for this run (a pinned run's label)
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
    document.getElementById("answer").textContent = pretty(payload.answer || whyNot(payload.summary));
    this.renderHeadline(payload);
    this.plots.draw(payload, this.pinned);
    this.views.forEach(v => v.update(payload));
    this.cursor.setRun(payload);  // after the views have the run: it draws them at its time
    this.writeQuery();            // now with every value this run resolved
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
                    text: pretty(iv.label),
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
    this.sensitivity = new Sensitivity(document.getElementById("sensitivity"), exp, () => this.request());
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
      this.pinned.push({label: this.describe(this.runGiven || {}), payload: this.payload});
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
  lab.controls.set({...lab.defaults(), ...lab.request()}, lab.given);
  lab.refreshInterventions();
  const hashT = /[#&]t=(-?[\d.]+)/.exec(location.hash);
  if (hashT) lab.cursor.pending = Number(hashT[1]);
  await lab.run();
}

main();
