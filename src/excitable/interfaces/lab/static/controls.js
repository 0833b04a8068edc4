// The controls of an experiment page, generated from its declared parameters (Experiment.as_dict):
// a slider (with a number box for an exact value) for a bounded number, a select for choices, a
// switch for a boolean, a number box or a text box otherwise. Each reports a change through
// onChange(name, value) and shows the server's one-line error next to itself.
import {el, fmt, pretty} from "/static/util.js";

const LOG_STEPS = 1000; // positions of a log slider

function sliderPosition(range, value) {
  if (!range.log) return value;
  const f = Math.log(value / range.low) / Math.log(range.high / range.low);
  return Math.round(Math.min(1, Math.max(0, f)) * LOG_STEPS);
}

function sliderValue(range, position) {
  if (!range.log) return Number(position);
  const v = range.low * Math.pow(range.high / range.low, Number(position) / LOG_STEPS);
  return Number(v.toPrecision(3));
}

/** A value from the URL or a form, typed as the parameter declares (the server coerces it again). */
export function typed(param, raw) {
  if (raw === null || raw === undefined) return raw;
  if (param.kind === "bool") return raw === true || raw === "true" || raw === "1" || raw === "on";
  if ((param.kind === "float" || param.kind === "int") && param.widget !== "text") {
    const x = Number(raw);
    return raw === "" || Number.isNaN(x) ? raw : x;
  }
  return String(raw);
}

function labelFor(p, id) {
  // "diameter_um" reads "diameter (µm)": the unit is said once, after the name
  const name = p.unit ? p.name.replace(/_(um|nA|uA_cm2|mS_cm2|ms|s|mV|hz|Hz|uS|nS|mM|degC)$/, "") : p.name;
  return el("label", {for: id}, name.replace(/_/g, " "), " ",
            p.unit ? el("span", {class: "unit", text: `(${pretty(p.unit)})`}) : null);
}

function sliderControl(p, id, emit) {
  const r = p.range;
  const attrs = r.log ? {min: 0, max: LOG_STEPS, step: 1} : {min: r.low, max: r.high, step: r.step ?? "any"};
  const slider = el("input", {type: "range", id, ...attrs, name: p.name, "aria-describedby": `${id}-help`});
  const box = el("input", {type: "number", step: "any", "aria-label": `${p.name} (exact value)`,
                           name: `${p.name}-value`});
  if (p.minimum !== null) box.min = p.minimum;
  if (p.maximum !== null) box.max = p.maximum;
  slider.addEventListener("input", () => {
    const v = sliderValue(r, slider.value);
    box.value = v;
    slider.setAttribute("aria-valuetext", `${fmt(v)} ${pretty(p.unit)}`);
    emit(v, "input");
  });
  box.addEventListener("change", () => {
    const v = box.value === "" ? "" : Number(box.value);
    if (typeof v === "number") slider.value = sliderPosition(r, v);
    emit(v, "change");
  });
  const set = v => {
    if (v === null || v === undefined) { box.value = ""; box.placeholder = "default"; return; }
    box.value = v;
    if (typeof v === "number") slider.value = sliderPosition(r, v);
    slider.setAttribute("aria-valuetext", `${fmt(v)} ${pretty(p.unit)}`);
  };
  return {input: slider, row: el("div", {class: "row"}, slider, box), set};
}

function simpleControl(p, id, emit) {
  let input;
  if (p.widget === "select") {
    input = el("select", {id, name: p.name, "aria-describedby": `${id}-help`},
               ...p.choices.map(c => el("option", {value: c, text: c})));
    input.addEventListener("change", () => emit(input.value, "change"));
    return {input, row: input, set: v => { if (v !== null && v !== undefined) input.value = v; }};
  }
  if (p.widget === "switch") {
    input = el("input", {type: "checkbox", role: "switch", id, name: p.name, "aria-describedby": `${id}-help`});
    input.addEventListener("change", () => emit(input.checked, "change"));
    return {input, row: el("div", {class: "row"}, input, el("span", {class: "muted", text: "on"})),
            set: v => { input.checked = v === true || v === "true"; }};
  }
  const number = p.widget === "number";
  input = el("input", {type: number ? "number" : "text", step: number ? "any" : null, id, name: p.name,
                       "aria-describedby": `${id}-help`, autocomplete: "off"});
  input.addEventListener("change", () => emit(number && input.value !== "" ? Number(input.value) : input.value,
                                              "change"));
  const set = v => {
    if (v === null || v === undefined) { input.value = ""; input.placeholder = "default"; return; }
    input.value = Array.isArray(v) ? v.join(",") : v;
  };
  return {input, row: input, set};
}

/** Builds every control into ``form``; returns {set(values), showError(field, msg), clearErrors()}. */
export function buildControls(form, exp, onChange) {
  const controls = {};
  for (const p of exp.params) {
    const id = `param-${p.name}`;
    const emit = (v, how) => onChange(p.name, v, how);
    const c = p.widget === "slider" && p.range ? sliderControl(p, id, emit) : simpleControl(p, id, emit);
    const help = [pretty(p.help), p.default_note ? `default: ${pretty(p.default_note)}` : ""].filter(Boolean);
    const error = el("div", {class: "field-error", id: `${id}-error`, role: "alert", hidden: true});
    const box = el("div", {class: "control", "data-param": p.name}, labelFor(p, id), c.row,
                   el("small", {class: "help", id: `${id}-help`, text: help.join(" · ")}), error);
    form.append(box);
    controls[p.name] = {...c, box, error};
  }
  return {
    /** Shows ``values`` (the run's resolved parameters), marking those in ``given`` as changed. */
    set(values, given) {
      for (const [k, c] of Object.entries(controls)) {
        if (k in values && document.activeElement !== c.input) c.set(values[k]);
        c.box.classList.toggle("changed", k in given);
      }
    },
    showError(field, msg) {
      const c = controls[field];
      if (!c) return false;
      c.error.textContent = msg;
      c.error.hidden = false;
      c.input.setAttribute("aria-invalid", "true");
      return true;
    },
    clearErrors() {
      for (const c of Object.values(controls)) {
        c.error.hidden = true;
        c.input.removeAttribute("aria-invalid");
      }
    },
  };
}
