"""The knee-jerk reflex arc: the shapes of ``neuron-shapes`` at work, sensory -> interneuron -> motor.

A tap on the patellar tendon stretches the quadriceps and its muscle spindles. The stretch opens
mechanically gated cation channels in the spindle's sensory ending (the receptor potential), and the
sensory neuron, a pseudo-unipolar Ia afferent, fires: its spike runs from the ending past the soma in
the dorsal root ganglion into the spinal cord. There it takes two paths. It excites the motor neuron
of the stretched muscle (the extensor, quadriceps) directly, across one synapse (monosynaptic): the
extensor's motor neuron fires and the muscle contracts, the kick. And it excites an inhibitory
interneuron (the Ia inhibitory interneuron, a small multipolar cell), which inhibits the motor neuron of
the antagonist muscle (the flexor, hamstrings), so the knee is not held back (reciprocal inhibition).
That second path crosses two synapses (disynaptic), so the inhibition arrives one synaptic delay and the
interneuron's own time to fire later than the excitation.

Each chemical synapse takes about 0.5-1 ms from the presynaptic spike to the postsynaptic response
(Ca2+ entry, vesicle fusion, diffusion, receptor opening: the synaptic delay). Here release follows the
terminal's spike by ``RELEASE_MS`` and the receptors (AMPA, GABA_A) open within a fraction of a
millisecond more. The Ia interneuron releases glycine, which opens Cl- channels as GABA_A receptors do;
strychnine blocks them (``strychnine``), and then nothing holds the flexor back. The flexor's motor
neuron fires tonically (the muscle's tone, from a steady current
standing in for descending drive); a copy of it without the interneuron shows what the inhibition
removes.

Scale: one sensory neuron here stands for the many spindle afferents a tap fires together (each gives a
motor neuron an EPSP of about 0.1 mV: Mendell & Henneman 1971), so its synapse is that many times
stronger. The axons are a millimetre long and unmyelinated; in a person the Ia afferent and the motor
axon are each about half a metre long and myelinated (60-120 m/s), so the knee jerk's 20-25 ms latency
is mostly conduction, and the central part, the one or two synaptic delays, under 2 ms.
"""

from __future__ import annotations

import numpy as np

from excitable.model.cell import Cell
from excitable.model.network import Network, Site
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.receptors import AMPA, GABAa
from excitable.results import Result

#: The Ia inhibitory interneuron: a small multipolar cell (short dendrites, a short axon to its target).
INTERNEURON = dict(
    soma=15.0, role="Ia inhibitory interneuron: spinal cord, sensory in, inhibition out",
    sections=(("dend1", "soma", 150.0, 1.5, (-1, 1, 0)), ("dend2", "soma", 150.0, 1.5, (-1, -1, 0)),
              ("dend3", "soma", 120.0, 1.2, (0, 1, 0)), ("axon", "soma", 300.0, 1.0, (1, 0, 0))),
    input="dend1", output="axon")
#: The cells of the arc: (name, shape; a name of ``neuron_shapes.SHAPES`` or the interneuron).
CELLS = (("sensory", "pseudo-unipolar"), ("interneuron", "interneuron"), ("extensor", "multipolar"),
         ("flexor", "multipolar"), ("flexor without inhibition", "multipolar"))
STRETCH_AT_MS, STRETCH_MS = 20.0, 4.0  # the tap, a brief stretch of the spindle (after the flexor's
# tone has settled into steady firing)
STRETCH_NA = 0.3  # the receptor current it opens at the sensory ending, nA (fires a short burst)
RELEASE_MS = 0.5  # terminal spike (0 mV) -> transmitter release (Ca2+ entry and fusion)
G_IA_EXT, G_IA_INT, G_INH = 0.04, 0.02, 0.02  # µS: Ia -> extensor, Ia -> interneuron, interneuron -> flexor
E_CL = -80.0  # mV, Cl- reversal of the inhibitory synapse: glycine's in the spinal cord, whose Cl- channel
# the GABA_A receptor's kinetics stand for here (both fast, both blocked by their own antagonist)
TONE_NA = 0.25  # the flexor's steady drive (muscle tone), nA
COUNT_MS = 30.0  # spikes sent to the muscles are counted this long after the tap
ONSET_MV = 0.05  # a synaptic response starts when V moves this far from where it would be without it
CLEFT = dict(t_max=1.0, pulse=0.1, tau_clear=1.2)  # 1 mM for 0.1 ms, cleared in 1.2 ms


def spec(shape: str, shapes: dict) -> dict:
    return INTERNEURON if shape == "interneuron" else shapes[shape]


def add_cells(net: Network, make_cell, shapes: dict, blocked: float = 0.0) -> dict[str, int]:
    """The arc's cells, added to ``net`` (``make_cell(spec, name)`` builds one), and its synapses; a
    fraction ``blocked`` of the inhibitory synapse's receptors is blocked (strychnine). Returns each
    cell's index in ``net``."""
    idx = {name: net.add(make_cell(spec(shape, shapes), f"reflex {name}")) for name, shape in CELLS}
    at = {name: sites(net.cells[i], spec(dict(CELLS)[name], shapes)) for name, i in idx.items()}

    def synapse(pre, post, receptor):
        net.connect(idx[pre], idx[post], receptor, pre_at=at[pre]["output"], at=at[post]["soma"],
                    delay=RELEASE_MS, threshold=0.0, **CLEFT)

    synapse("sensory", "extensor", AMPA(gmax=G_IA_EXT))
    synapse("sensory", "interneuron", AMPA(gmax=G_IA_INT))
    synapse("interneuron", "flexor", GABAa(gmax=G_INH * (1.0 - blocked), e=E_CL))
    return idx


def sites(cell: Cell, sp: dict) -> dict[str, Location]:
    """Input tip, soma and the axon's far end of a cell built from ``sp``."""
    names = list(cell.compartments.section_names)
    return {"input": Location(names.index(sp["input"]), 1.0), "soma": Location(0, 0.5),
            "output": Location(names.index(sp["output"]), 1.0)}


def stimulate(sim: Simulation, net: Network, idx: dict, shapes: dict) -> None:
    """The stretch at the sensory ending, the flexors' tone, and V where each stage is read."""
    at = {name: sites(net.cells[i], spec(dict(CELLS)[name], shapes)) for name, i in idx.items()}
    s = idx["sensory"]
    sim.stimulate(IClamp(at["sensory"]["input"], STRETCH_NA, STRETCH_AT_MS, STRETCH_MS), cell=s)
    for name in ("flexor", "flexor without inhibition"):
        sim.stimulate(IClamp(at[name]["soma"], TONE_NA, 0.0, 1e9), cell=idx[name])
    for name, i in idx.items():
        for where in ("input", "soma", "output") if name == "sensory" else ("soma", "output"):
            sim.record("v", Site(i, at[name][where]), label=f"reflex {name} {where}")


def _crossing(t, v, after: float = 0.0) -> float | None:
    """First sample time at or above 0 mV after ``after`` ms (as NEURON's NetCon sees it)."""
    k = np.nonzero((v >= 0.0) & (t >= after))[0]
    return float(t[k[0]]) if len(k) else None


def _departure(t, v, ref, after: float) -> float | None:
    """First time after ``after`` at which V differs from ``ref`` (a trace or a number) by ONSET_MV."""
    k = np.nonzero((np.abs(v - ref) >= ONSET_MV) & (t >= after))[0]
    return float(t[k[0]]) if len(k) else None


def summarize(res: Result) -> dict:
    """Each stage's time (ms from the stretch) and the delays between them."""
    t, tr = res.t, res.traces

    def v(name, where="soma"):
        return tr[f"reflex {name} {where}"]

    k0 = int(np.searchsorted(t, STRETCH_AT_MS))
    ending = _crossing(t, v("sensory", "input"))
    terminal = _crossing(t, v("sensory", "output"))
    times = {"sensory_ending": ending, "sensory_terminal": terminal}
    for name in ("extensor", "interneuron"):
        times[f"{name}_epsp"] = _departure(t, v(name), v(name)[k0], STRETCH_AT_MS)
        times[f"{name}_spike"] = _crossing(t, v(name), STRETCH_AT_MS)
        times[f"{name}_axon_end"] = _crossing(t, v(name, "output"), STRETCH_AT_MS)
    times["flexor_ipsp"] = _departure(t, v("flexor"), v("flexor without inhibition"), STRETCH_AT_MS)
    out = {f"reflex_{k}_ms": (None if x is None else x - STRETCH_AT_MS) for k, x in times.items()}

    def diff(a, b):
        return None if times[a] is None or times[b] is None else times[a] - times[b]

    window = (t >= STRETCH_AT_MS) & (t < STRETCH_AT_MS + COUNT_MS)
    count = {name: int(np.sum((v(name, "output")[1:] >= 0) & (v(name, "output")[:-1] < 0) & window[1:]))
             for name in ("extensor", "flexor", "flexor without inhibition", "interneuron")}
    out.update(
        reflex_sensory_conduction_ms=diff("sensory_terminal", "sensory_ending"),
        reflex_synaptic_delay_extensor_ms=diff("extensor_epsp", "sensory_terminal"),
        reflex_synaptic_delay_interneuron_ms=diff("interneuron_epsp", "sensory_terminal"),
        reflex_synaptic_delay_flexor_ms=diff("flexor_ipsp", "interneuron_axon_end"),
        reflex_inhibition_after_excitation_ms=diff("flexor_ipsp", "extensor_epsp"),
        reflex_sensory_spikes=int(np.sum((v("sensory", "output")[1:] >= 0) & (v("sensory", "output")[:-1] < 0))),
        reflex_extensor_spikes=count["extensor"], reflex_interneuron_spikes=count["interneuron"],
        reflex_flexor_verdict=(
            "is not inhibited (its glycine receptors are blocked)" if times["flexor_ipsp"] is None
            else f"is inhibited {times['flexor_ipsp'] - times['extensor_epsp']:.1f} ms later and pauses"),
        reflex_flexor_spikes=count["flexor"],
        reflex_flexor_spikes_without_inhibition=count["flexor without inhibition"],
    )
    return out
