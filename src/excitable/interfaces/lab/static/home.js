// The home page: the questions in the tour's order, grouped by family, each a link to its page.
import {el, getJSON, pretty} from "/static/util.js";

const VIEW_NAMES = {membrane: "inside the membrane", cable: "along the axon", synapse: "at the synapse",
                    network: "network", morphology: "your own cell", ions: "instant answers"};

async function main() {
  const box = document.getElementById("home");
  try {
    const {families, experiments} = await getJSON("/api/experiments");
    box.replaceChildren();
    for (const fam of families) {
      const items = experiments.filter(x => x.family === fam.name);
      if (!items.length) continue;
      const list = el("ol");
      for (const x of items) {
        const badges = (x.views || []).map(v => el("span", {class: "badge", text: VIEW_NAMES[v] || v}));
        list.append(el("li", {"data-name": x.name},
                       el("a", {href: `/x/${x.name}`, text: pretty(x.question)}), " ",
                       el("span", {class: "muted", text: x.name}), ...badges));
      }
      box.append(el("section", {class: "family", "data-family": fam.name},
                    el("h2", {text: fam.title}), list));
    }
  } catch (e) {
    box.replaceChildren(el("p", {class: "error-box", text: `The lab did not answer: ${e.message}`}));
  }
  box.setAttribute("aria-busy", "false");
}

main();
