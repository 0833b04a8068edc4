"""What shapes and roles do neurons have? Four shapes, the same channels, the same kind of input.

Neurons are named by how many processes leave the cell body (soma). A unipolar neuron (most neurons of
insects and snails) has one process that splits into a receiving branch and an axon; the soma hangs
off to the side of the signal's path. A bipolar neuron has a dendrite at one pole and an axon at the
other, and the signal passes through the soma: the retina's bipolar cells and the smell receptor
neurons. A pseudo-unipolar neuron, the sensory neuron of touch, pain and body position, starts as a
bipolar cell whose two processes fuse near the soma: one stem that divides in a T into a peripheral
axon, whose ending in the skin or muscle is the receptor, and a central axon into the spinal cord.
The spike starts at the peripheral ending and runs past the T straight on to the spinal cord; the
soma, on its side branch, is not needed to pass it. A multipolar neuron has many dendrites and one
axon: motor neurons and most neurons of the brain and spinal cord (interneurons, pyramidal cells,
Purkinje cells).

By role: sensory neurons carry signals from receptors to the central nervous system (pseudo-unipolar
and bipolar), motor neurons carry commands to muscles (multipolar, large, with a long axon),
interneurons connect neurons to each other (multipolar, mostly small). In a reflex arc a sensory
neuron excites an interneuron or directly a motor neuron in the spinal cord. How each type fires is
the subject of ``neuron-types``; here the point is the shape.

The shape decides where input arrives, how much current it takes to excite the cell (a big tree of
dendrites is a large load: a low input resistance) and which way the spike travels. The experiment
builds the four shapes with the same channels (the textbook neuron's Na+, K+ and leak as first tuned,
at 36 degC: ``pospischil.textbook_spike_channels_36``, see ``cell``; dendrites with a tenth of the Na+
and K+ density, as in most neurons, so spikes start where the axon begins), gives each a 50-ms current
step where its input naturally arrives (a dendrite's tip, the peripheral ending) and records V at the input, the soma and the axon's far end. Passive copies
(leak only) measure each shape's input resistance at the soma, which the cable equation gives in
closed form (Rall): the soma's membrane in parallel with each process, a finite cable whose input
conductance depends on its diameter, length and what hangs at its end.

By role, the same shapes make the knee-jerk reflex arc (``neuron_shapes_reflex``). A tap on the tendon
stretches the muscle's spindles; the stretch depolarizes the sensory ending and the pseudo-unipolar
sensory neuron fires. Its spike runs past its soma into the spinal cord, where it excites the motor
neuron of the same (extensor) muscle directly, across one synapse, so the muscle contracts; and an
inhibitory interneuron, which inhibits the motor neuron of the opposing (flexor) muscle, so that one
relaxes (reciprocal inhibition). Every chemical synapse adds a delay of about half a millisecond to a
millisecond (Ca2+ entry, release, diffusion, receptors opening), so the inhibition, two synapses away,
arrives after the excitation. The flexor's motor neuron fires steadily before the tap (the muscle's
tone) and falls silent after it; a copy without the interneuron keeps firing. The latency of each stage
is measured: the spike's travel from the ending to the cord, each synaptic delay, the motor spike at the
axon's far end. Here the axons are a millimetre long and unmyelinated; a person's are half a metre and
myelinated, so the knee jerk takes 20-25 ms, mostly conduction, and its synapses under 2 ms of it.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.base import Values
from excitable.experiments.excitability import neuron_shapes_reflex as reflex
from excitable.experiments.excitability.more_declarations import NEURON_SHAPES as EXPERIMENT
from excitable.experiments.excitability.neuron_shapes_figure import plot_neuron_shapes
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.pospischil import FIRST_TUNING_CELSIUS, textbook_spike_channels_36
from excitable.results import Result

#: Each shape: its sections (name, parent, length um, diameter um, direction), where input arrives,
#: where the signal leaves (the axon's far end) and the role it plays. The soma is the first section.
SHAPES = {
    "unipolar": dict(
        soma=15.0, role="invertebrate neuron: input and output on one process, the soma aside",
        sections=(("neurite", "soma", 60.0, 2.0, (0, 1, 0)), ("dend", "neurite", 200.0, 1.5, (-1, 0.3, 0)),
                  ("axon", "neurite", 800.0, 1.0, (1, 0.1, 0))),
        input="dend", output="axon"),
    "bipolar": dict(
        soma=12.0, role="retinal bipolar or smell receptor neuron: in at one pole, out at the other",
        sections=(("dend", "soma", 200.0, 1.5, (-1, 0, 0)), ("axon", "soma", 800.0, 1.0, (1, 0, 0))),
        input="dend", output="axon"),
    "pseudo-unipolar": dict(
        soma=30.0, role="sensory neuron (touch, pain): from the skin past the soma to the spinal cord",
        sections=(("axon_stem", "soma", 80.0, 2.0, (0, -1, 0)), ("axon_peripheral", "axon_stem", 800.0, 1.5,
                                                                 (-1, 0, 0)),
                  ("axon_central", "axon_stem", 800.0, 1.5, (1, 0, 0))),
        input="axon_peripheral", output="axon_central"),
    "multipolar": dict(
        soma=40.0, role="motor neuron: many dendrites gather input, one long axon to the muscle",
        sections=(("dend1", "soma", 400.0, 3.0, (-1, 1, 0)), ("dend2", "soma", 400.0, 3.0, (-1, -1, 0)),
                  ("dend3", "soma", 300.0, 2.5, (0, 1, 0)), ("dend4", "soma", 300.0, 2.5, (0, -1, 0)),
                  ("axon", "soma", 800.0, 2.0, (1, 0, 0))),
        input="dend1", output="axon"),
}
STEP_MS, STEP_DELAY_MS = 50.0, 5.0
TSTOP_MS = STEP_DELAY_MS + STEP_MS + 20.0  # the probe steps last to the end: 7 membrane time constants
PROBE_NA = -0.01  # the small step into each passive copy's soma: its input resistance
RA = 100.0  # ohm cm
DX_UM = 10.0  # compartment length: dx / lambda < 0.05 on the thinnest process
TEMPERATURE = FIRST_TUNING_CELSIUS  # degC: the first tuning's (see ``cell``)


def morphology(shape: str | dict) -> Morphology:
    """The sections of ``shape`` (a name of ``SHAPES``, or such a dict), a soma cylinder of length =
    diameter first."""
    spec = SHAPES[shape] if isinstance(shape, str) else shape
    b = Morphology.builder()
    b.add("soma", length=spec["soma"], diameter=spec["soma"])
    for name, parent, length, diameter, direction in spec["sections"]:
        x = 0.5 if parent == "soma" else 1.0  # processes leave the soma's middle, as Import3d attaches them
        region = "basal" if name.startswith("dend") else "axon"  # the stem of a unipolar cell conducts too
        b.add(name, length=length, diameter=diameter, parent=parent, x=x, direction=direction, region=region)
    return b.build()


def cell(shape: str | dict, p: Values, passive: bool = False, name: str | None = None) -> Cell:
    """``shape`` (as ``morphology``) with leak everywhere and, unless passive, Na+ and K+ (dendrites at
    ``dend_fraction``): the textbook neuron's first tuning."""
    name = name or f"{shape}{' passive' if passive else ''}"
    c = Cell(morphology(shape), dx_um=DX_UM, ra=RA, name=name)
    leak, na, kd = textbook_spike_channels_36()
    c.insert(leak)
    if not passive:
        # The first tuning (36 degC), kept here: with the retuned 37-degC cell a motor neuron starts firing
        # at about 350 Hz from a long latency and one IPSP silences it for good (bistable near its
        # threshold), so the flexor's steady tone and its pause after the tap could not show.
        c.insert(na).insert(kd)
        if "basal" in set(c.compartments.region):
            c.set("NaTraub.gNa", na.gNa * p.dend_fraction, where="basal")
            c.set("KdTraub.gKd", kd.gKd * p.dend_fraction, where="basal")
    return c


def sites(shape: str) -> dict[str, Location]:
    """Where each shape is recorded: its input site (the tip), the soma, and the axon's far end."""
    spec = SHAPES[shape]
    names = ["soma"] + [s[0] for s in spec["sections"]]
    return {"input": Location(names.index(spec["input"]), 1.0), "soma": Location(0, 0.5),
            "output": Location(names.index(spec["output"]), 1.0)}


def build(p: Values) -> Simulation:
    """Each shape twice (active, then passive), then the reflex arc, one network (one compiled
    program): steps at the inputs, probes at the somas, the stretch at the sensory ending."""
    net = Network()
    for passive in (False, True):
        for shape in SHAPES:
            net.add(cell(shape, p, passive))
    arc = reflex.add_cells(net, lambda spec, name: cell(spec, p, name=name), SHAPES, blocked=p.strychnine)
    sim = Simulation(net, dt=p.dt, temperature=TEMPERATURE, v_init="rest")
    reflex.stimulate(sim, net, arc, SHAPES)
    for i, c in enumerate(net.cells[:2 * len(SHAPES)]):
        shape, passive = list(SHAPES)[i % len(SHAPES)], i >= len(SHAPES)
        at = sites(shape)
        if passive:
            sim.stimulate(IClamp(at["soma"], PROBE_NA, STEP_DELAY_MS, TSTOP_MS), cell=i)
            sim.record("v", Site(i, at["soma"]), label=f"passive {shape} soma")
            continue
        sim.stimulate(IClamp(at["input"], p.amplitude, STEP_DELAY_MS, STEP_MS), cell=i)
        for where, loc in at.items():
            sim.record("v", Site(i, loc), label=f"{shape} {where}")
    return sim


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    res = build(p).run(TSTOP_MS)
    res.name = EXPERIMENT.name
    res.meta.update(p, step=(STEP_DELAY_MS, STEP_MS), probe_nA=PROBE_NA, shapes=SHAPES,
                    morphologies={s: morphology(s) for s in SHAPES})
    res.summary = {**summarize(res, p), **reflex.summarize(res)}
    res.plotter = plot_neuron_shapes
    return res


def _first_crossing(t, v, level=0.0) -> float | None:
    k = np.nonzero(v >= level)[0]
    return float(t[k[0]]) if len(k) else None


def summarize(res: Result, p: Values) -> dict:
    t, tr = res.t, res.traces
    k0 = int(np.searchsorted(t, STEP_DELAY_MS))
    out = {"step_nA": p.amplitude}
    for shape in SHAPES:
        key = shape.replace("-", "_")
        v_soma = tr[f"passive {shape} soma"]
        # At the end of the run the probe has been on for 7 time constants: within 0.1 % of steady.
        out[f"input_resistance_MOhm_{key}"] = float((v_soma[-1] - v_soma[k0]) / PROBE_NA)
        v_out = tr[f"{shape} output"]
        ups = np.nonzero((v_out[1:] >= 0.0) & (v_out[:-1] < 0.0))[0]
        out[f"spikes_at_output_{key}"] = int(len(ups))
        times = {w: _first_crossing(t, tr[f"{shape} {w}"]) for w in ("input", "soma", "output")}
        fired = {w: x for w, x in times.items() if x is not None}
        out[f"spike_starts_{key}"] = min(fired, key=fired.get) if fired else None
        out[f"soma_peak_mV_{key}"] = float(tr[f"{shape} soma"].max())
        out[f"input_to_output_ms_{key}"] = (None if times["output"] is None or times["input"] is None
                                            else times["output"] - times["input"])
    return out
