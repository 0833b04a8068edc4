// Small helpers every page module shares: units as a student reads them, numbers, DOM building, the
// palette of excitable/experiments/common/figures.py (kept equal by tests/interfaces/lab/test_browser.py).

/** The figures' fixed colours (figures.py COLORS: one per ion and per role, Okabe & Ito's palette). */
export const COLORS = {
  v: "#000000", na: "#D55E00", k: "#0072B2", cl: "#009E73", ca: "#CC79A7", leak: "#999933", ion: "#44AA99",
  cap: "#997700", stim: "#56B4E9", stimulus: "#56B4E9", excitatory: "#882255", inhibitory: "#332288",
  transmitter: "#E69F00",
};
/** figures.py CYCLE, for traces with no ion of their own. */
export const CYCLE = ["#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
/** figures.py TRANSMITTER, EXCITATORY, INHIBITORY. */
export const TRANSMITTER = COLORS.transmitter, EXCITATORY = COLORS.excitatory, INHIBITORY = COLORS.inhibitory;
/** figures.py VOLTAGE_CMAP (matplotlib's cividis, sampled at nine stops) over VOLTAGE_RANGE (mV): the same
 *  colour is the same voltage here as in every figure of the tour. */
export const VOLTAGE_SCALE = [[0, "#00224e"], [0.125, "#1a386f"], [0.25, "#434e6c"], [0.375, "#61656f"],
                              [0.5, "#7d7c78"], [0.625, "#9b9476"], [0.75, "#bcae6c"], [0.875, "#dec958"],
                              [1, "#fee838"]];
export const V_RANGE = [-80, 40];

/** Colour of a trace by its ion, as figures.ion_color ("HH.ina" -> Na+). */
export function ionColor(label) {
  const n = label.toLowerCase().split(".").pop();
  if (n.includes("na")) return COLORS.na;
  if (n.includes("ca")) return COLORS.ca;
  if (n.includes("cl")) return COLORS.cl;
  if (n.includes("k") || n === "gm" || n === "im") return COLORS.k;
  if (["il", "i", "g", "ileak", "gl"].includes(n)) return COLORS.leak;
  return COLORS.ion;
}

/** The colour of V (mV) on VOLTAGE_SCALE over ``range`` (V_RANGE unless zoomed), as a CSS rgb() string. */
export function voltageColor(v, range = V_RANGE) {
  const [lo, hi] = range;
  const f = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
  for (let i = 1; i < VOLTAGE_SCALE.length; i++) {
    const [f1, c1] = VOLTAGE_SCALE[i];
    if (f <= f1) {
      const [f0, c0] = VOLTAGE_SCALE[i - 1];
      const a = (f - f0) / (f1 - f0 || 1);
      const rgb = [1, 3, 5].map(j => Math.round(parseInt(c0.slice(j, j + 2), 16) * (1 - a)
                                               + parseInt(c1.slice(j, j + 2), 16) * a));
      return `rgb(${rgb.join(",")})`;
    }
  }
  return VOLTAGE_SCALE[VOLTAGE_SCALE.length - 1][1];
}

/** A unit or a help text as a student reads it: "uA/cm2" -> "µA/cm²", "degC" -> "°C", "um" -> "µm". */
export function pretty(text) {
  if (!text) return "";
  return String(text)
    .replace(/\bdeg ?C\b/g, "°C")
    .replace(/\bu(A|S|F|m|M|V|L)(?![a-z])/g, "µ$1").replace(/^us$/, "µs").replace(/MOhm\b/g, "MΩ")
    .replace(/(\d)um\b/g, "$1 µm")
    .replace(/\bcm2\b/g, "cm²").replace(/\bum2\b/g, "µm²").replace(/\bcm3\b/g, "cm³")
    .replace(/\bohm\b/gi, "Ω").replace(/Ω\*/g, "Ω·")
    .replace(/(µm|cm)2(?!\d)/g, "$1²").replace(/(µm|cm)3(?!\d)/g, "$1³")
    .replace(/``([^`]*)``/g, "$1")
    .replace(/ -> /g, " → ").replace(/->/g, "→")
    .replace(/(^|[\s(=])-(?=\d)/g, "$1−")  // "rest (-70 mV)": a minus sign, not a hyphen (not in "2-40 ms")
    .replace(/\bK\+/g, "K⁺").replace(/\bNa\+/g, "Na⁺").replace(/\bCl-/g, "Cl⁻").replace(/\bCa2\+/g, "Ca²⁺");
}

/** A summary key's unit from its suffix (rest_mV -> mV, velocity_m_s -> m/s), for pages that declare no
 *  headline: [label, unit]. */
export function keyUnit(key) {
  const units = [["_uA_cm2", "µA/cm²"], ["_mS_cm2", "mS/cm²"], ["_m_s", "m/s"], ["_mV_ms", "mV/ms"],
                 ["_mV", "mV"], ["_ms", "ms"], ["_hz", "Hz"], ["_Hz", "Hz"], ["_nA", "nA"], ["_uS", "µS"],
                 ["_um", "µm"], ["_mM", "mM"], ["_MOhm", "MΩ"], ["_s", "s"], ["_degC", "°C"], ["_pct", "%"]];
  for (const [suffix, unit] of units) {
    if (key.endsWith(suffix)) return [key.slice(0, -suffix.length).replace(/_/g, " "), unit];
  }
  return [key.replace(/_/g, " "), ""];
}

/** A number for a person: 4 significant digits, a true minus sign; lists shortened. */
export function fmt(x) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "boolean") return x ? "yes" : "no";
  if (Array.isArray(x)) return x.length > 6 ? `${x.slice(0, 6).map(fmt).join(", ")}, … (${x.length})`
                                            : x.map(fmt).join(", ");
  if (typeof x !== "number") return String(x);
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  const s = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
  return s.replace(/^-/, "−");
}

/** An element: el("p", {class: "x", text: "hi"}, child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

export const SVG_NS = "http://www.w3.org/2000/svg";
/** An SVG element with attributes. */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  return node;
}

/** The JSON of a response; an Error whose .field and .status say what the server refused. */
export async function getJSON(url, options = {}) {
  const r = await fetch(url, options);
  let body = null;
  try { body = await r.json(); } catch { body = null; }
  if (!r.ok) {
    const e = new Error((body && body.error) || `${r.status} ${r.statusText}`);
    e.field = body ? body.field : null;
    e.status = r.status;
    throw e;
  }
  return body;
}

/** A file the browser saves (no server round trip). */
export function download(name, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = el("a", {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Index of the sample of sorted ``ts`` nearest to ``t``. */
export function nearest(ts, t) {
  let lo = 0, hi = ts.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid; else hi = mid;
  }
  return Math.abs(ts[hi] - t) < Math.abs(ts[lo] - t) ? hi : lo;
}

/** The trace whose label matches ``re`` (first), or null. */
export function findTrace(payload, re) {
  return (payload.traces || []).find(tr => re.test(tr.label)) || null;
}
