// The views an experiment declares (docs/lab-api.md "views"), each drawn from the run's own data and
// moved by the time cursor: update(payload) on a new run, at(t_ms) when the cursor moves.
import {MembraneView} from "/static/membrane.js";
import {CableView} from "/static/cable.js";
import {SynapseView} from "/static/synapse.js";
import {MorphologyView} from "/static/morphology.js";
import {IonsView} from "/static/ions.js";

const KINDS = {membrane: MembraneView, cable: CableView, synapse: SynapseView, morphology: MorphologyView,
               ions: IonsView};

export function makeViews(node, exp, lab) {
  return (exp.views || []).filter(v => KINDS[v]).map(v => new KINDS[v](node, exp, lab));
}
