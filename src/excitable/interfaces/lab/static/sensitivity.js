// Which knob matters: for a headline number, the parameters ranked by the relative sensitivity
// d ln(number) / d ln(parameter) at the page's present values, by gradients through the simulation,
// beside the same by central finite differences (the server computes both: /api/sensitivity).
import {el, fmt, getJSON, pretty} from "/static/util.js";

export class Sensitivity {
  constructor(node, exp, given) {
    this.node = node;
    this.exp = exp;
    this.given = given;
    const targets = exp.sensitivity_targets || [];
    node.hidden = !targets.length;
    if (!targets.length) return;
    this.select = el("select", {id: "sens-target", "aria-label": "number to explain"},
                     ...targets.map(t => el("option", {value: t.key, text: `${t.label} (${pretty(t.unit)})`})));
    this.table = el("div", {id: "sens-table"});
    this.status = el("p", {class: "muted", role: "status"});
    node.append(el("h2", {text: "Which knob matters?"}),
                el("p", {class: "caption", text: "How much each parameter moves the number right now: the "
                         + "relative change of the number per relative change of the parameter, from gradients "
                         + "through the simulation, checked by finite differences. 1 means: 10\u00a0% more of the "
                         + "parameter, 10\u00a0% more of the number; −1: 10\u00a0% less (of a negative number such "
                         + "as a resting potential, more means further from 0 mV)."}),
                el("div", {class: "buttons"}, this.select,
                   el("button", {type: "button", id: "sens-run", text: "Rank the knobs", onclick: () => this.run()})),
                this.status, this.table);
  }

  update() { if (this.table) { this.table.replaceChildren(); this.status.textContent = ""; } }

  async run() {
    if (this.inflight) this.inflight.abort();
    const ctl = this.inflight = new AbortController();
    this.status.textContent = "computing…";
    try {
      const r = await getJSON(`/api/sensitivity/${this.exp.name}`, {
        method: "POST", signal: ctl.signal, headers: {"Content-Type": "application/json"},
        body: JSON.stringify({params: this.given(), target: this.select.value})});
      const most = Math.max(...r.rows.map(row => Math.abs(row.relative ?? 0)), 1e-12);
      this.table.replaceChildren(el("table", {class: "sens"},
        el("tr", {}, el("th", {text: "parameter"}), el("th", {text: "relative sensitivity (gradient)"}),
           el("th", {text: "finite differences"})),
        ...r.rows.map(row => el("tr", {"data-param": row.param},
          el("td", {}, el("b", {text: row.param.replace(/_/g, " ")}),
             row.label && row.label !== row.param ? el("small", {class: "help", text: pretty(row.label)}) : null),
          el("td", {}, el("span", {class: `bar${row.relative < 0 ? " neg" : ""}`,
                                   style: `width:${(80 * Math.abs(row.relative ?? 0)) / most}px`}), ` ${fmt(row.relative)}`),
          el("td", {text: fmt(row.finite_difference)})))));
      this.status.replaceChildren(`${r.label} = ${fmt(r.value)} ${pretty(r.unit)} `,
                                  el("span", {id: "sens-elapsed", text: `(computed in ${fmt(r.elapsed_ms)} ms)`}));
    } catch (e) {
      if (e.name !== "AbortError") this.status.textContent = e.message;
    }
  }
}
