// Keep it, take it further: the run's traces and summary as CSV and JSON, the figure as PNG or SVG
// (plotly.js draws it), a print-friendly page (lab.css @media print), and the path to code: the CLI
// line and the short Python script that reproduce exactly this run (from the run's payload).
/* global Plotly */
import {download, el} from "/static/util.js";

/** The traces as CSV: "t (ms)", then one column per trace ("label (unit)"). */
export function csvText(payload) {
  const traces = payload.traces || [];
  const head = ["t (ms)", ...traces.map(tr => (tr.unit ? `${tr.label} (${tr.unit})` : tr.label))];
  const quote = s => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = payload.t.map((t, i) => [t, ...traces.map(tr => tr.values[i] ?? "")].join(","));
  return [head.map(quote).join(","), ...rows].join("\n") + "\n";
}

export class ExportPanel {
  constructor(node, exp, plotNode) {
    this.exp = exp;
    this.plotNode = plotNode;
    const b = (id, text, onclick) => el("button", {type: "button", id, text, onclick});
    this.cli = el("code", {class: "cli", id: "cli-line"});
    this.script = el("pre", {class: "script", id: "script"});
    node.append(
      el("div", {class: "buttons"},
         b("export-csv", "Traces (CSV)", () => download(`${exp.name}.csv`, csvText(this.payload), "text/csv")),
         b("export-json", "Traces and numbers (JSON)", () => download(`${exp.name}.json`, this.json(), "application/json")),
         b("export-png", "Figure (PNG)", () => this.image("png")),
         b("export-svg", "Figure (SVG)", () => this.image("svg")),
         b("export-script", "Python script", () => download(`${exp.name.replace(/-/g, "_")}.py`, this.payload.script)),
         b("export-print", "Print this page", () => window.print())),
      el("p", {text: "The same run from a terminal:"}), this.cli,
      el("p", {text: "…or in Python (it prints the same numbers as this page):"}), this.script);
  }

  update(payload) {
    this.payload = payload;
    this.cli.textContent = payload.cli || "";
    this.script.textContent = payload.script || "";
  }

  json() {
    const p = this.payload;
    return JSON.stringify({name: p.name, params: p.params, changed: p.changed, summary: p.summary,
                           headline: p.headline, t: p.t, traces: p.traces}, null, 1);
  }

  /** The figure as the page draws it (its width and height, so no panel is squeezed), a PNG at twice
   *  its pixels so that it stays sharp on a printed worksheet. */
  image(format) {
    const node = this.plotNode(), box = node.getBoundingClientRect();
    Plotly.downloadImage(node, {format, filename: this.exp.name, width: Math.round(box.width),
                                height: Math.round(box.height), scale: format === "png" ? 2 : 1});
  }
}
