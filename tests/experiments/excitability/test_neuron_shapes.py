"""neuron-shapes: four shapes, the same channels (docs/phenomena.md, row neuron-shapes).

Reference: the input resistance at the soma of each passive shape from the cable equation (Rall 1959;
e.g. Koch 1999, Biophysics of Computation, ch. 3), written out here: a process of diameter d and length L
has G_inf = pi d^1.5 / (2 sqrt(Rm Ri)) and lambda = sqrt(Rm d / (4 Ri)); sealed at its end its input
conductance is G_inf tanh(L / lambda); with a load G_L at its end, G_inf (G_L + G_inf tanh) / (G_inf +
G_L tanh). The soma's membrane (pi d^2 for a cylinder of length d) is in parallel.
"""

import numpy as np
import pytest

from excitable import experiments
from excitable.experiments.excitability.neuron_shapes import SHAPES
from tests.experiments import assert_answer_measured, assert_signals_recorded

RM, RI = 1.0 / 0.1e-3, 100.0  # ohm cm2 (leak 0.1 mS/cm2), ohm cm


def cable(d_um, length_um, load=0.0):
    """Input conductance (S) of a cylinder with a load (S) at its far end (0: sealed)."""
    d, length = d_um * 1e-4, length_um * 1e-4  # cm
    g_inf = np.pi * d**1.5 / (2.0 * np.sqrt(RM * RI))
    th = np.tanh(length / np.sqrt(RM * d / (4.0 * RI)))
    return g_inf * (load + g_inf * th) / (g_inf + load * th)


def closed_form_mohm(shape):
    spec = SHAPES[shape]
    sections = {name: (parent, length, d) for name, parent, length, d, _ in spec["sections"]}

    def conductance(name):
        children = [c for c, (parent, _, _) in sections.items() if parent == name]
        _, length, d = sections[name]
        return cable(d, length, sum(conductance(c) for c in children))

    soma = np.pi * (spec["soma"] * 1e-4) ** 2 / RM
    total = soma + sum(conductance(n) for n, (parent, _, _) in sections.items() if parent == "soma")
    return 1e-6 / total


@pytest.fixture(scope="module")
def default():
    return experiments.run("neuron-shapes")


@pytest.mark.parametrize("shape", list(SHAPES))
def test_input_resistance_is_the_cable_closed_form(default, shape):
    measured = default.summary[f"input_resistance_MOhm_{shape.replace('-', '_')}"]
    # 0.5 %: the probe has been on for 7 time constants (0.09 % short of steady state), 10-um
    # compartments on lambda >= 500 um (O((dx/lambda)^2) ~ 1e-4), the soma's own axial resistance
    # (< 0.01 MOhm) ignored by the closed form.
    assert measured == pytest.approx(closed_form_mohm(shape), rel=0.005)


def test_shape_decides_load_and_path(default):
    s = default.summary
    assert s["input_resistance_MOhm_multipolar"] < s["input_resistance_MOhm_pseudo_unipolar"] < \
        s["input_resistance_MOhm_bipolar"]  # the big dendritic tree is the largest load
    # The sensory neuron's spike starts at its ending and reaches the spinal-cord end past the soma.
    assert s["spike_starts_pseudo_unipolar"] == "input" and s["spikes_at_output_pseudo_unipolar"] >= 1
    assert s["input_to_output_ms_pseudo_unipolar"] > 0
    for shape in ("unipolar", "bipolar", "multipolar"):
        assert s[f"spikes_at_output_{shape}"] >= 1  # every shape sends spikes down its axon


def test_signals_recorded(default):
    assert_signals_recorded(default)


def test_answer_and_headline_numbers_are_measured(default):
    assert_answer_measured(default)
    from excitable.experiments.excitability.neuron_shapes_reflex import COUNT_MS

    answer = experiments.declaration("neuron-shapes").answer_for(default.summary)
    assert "reflex" in answer and f"{COUNT_MS:.0f} ms after the tap" in answer  # the window it counts in


def test_figure_draws_the_shapes_and_the_reflex_arc(default):
    import matplotlib.pyplot as plt

    fig = default.figure()
    titles = " ".join(a.get_title() for a in fig.axes)
    assert "knee jerk" in titles and "synapse" in titles and "after the tap" in titles
    plt.close(fig)


# --- the reflex arc (neuron_shapes_reflex) ---------------------------------------------------------------

def isolated_stages(p):
    """Each stage of the arc on its own, in one small network: the sensory neuron fired by a brief pulse
    at its ending (its conduction time), and each synapse driven by one presynaptic event at a known time
    onto a copy of its target (its synaptic delay), the flexor beside a copy without the synapse."""
    from excitable.model.network import Network, Site
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp

    from excitable.experiments.excitability import neuron_shapes as ns
    from excitable.experiments.excitability import neuron_shapes_reflex as rf
    from excitable.physics.receptors import AMPA, GABAa

    net = Network()
    idx = {name: net.add(ns.cell(rf.spec(shape, ns.SHAPES), p, name=name)) for name, shape in rf.CELLS}
    at = {name: rf.sites(net.cells[i], rf.spec(dict(rf.CELLS)[name], ns.SHAPES)) for name, i in idx.items()}
    event = {"extensor": 30.0, "interneuron": 30.0, "flexor": 30.0}  # ms: one presynaptic spike each
    for post, receptor in (("extensor", AMPA(gmax=rf.G_IA_EXT)), ("interneuron", AMPA(gmax=rf.G_IA_INT)),
                           ("flexor", GABAa(gmax=rf.G_INH, e=rf.E_CL))):
        net.spike_train([event[post]], idx[post], receptor, at=at[post]["soma"], delay=rf.RELEASE_MS, **rf.CLEFT)
    sim = Simulation(net, dt=p.dt, temperature=ns.TEMPERATURE, v_init="rest")
    sim.stimulate(IClamp(at["sensory"]["input"], 0.5, 5.0, 1.0), cell=idx["sensory"])  # not the stretch
    for name in ("flexor", "flexor without inhibition"):
        sim.stimulate(IClamp(at[name]["soma"], rf.TONE_NA, 0.0, 1e9), cell=idx[name])
    for name, i in idx.items():
        for where in ("input", "output") if name == "sensory" else ("soma",):
            sim.record("v", Site(i, at[name][where]), label=f"{name} {where}")
    return sim.run(45.0), event


def first_up(t, v):
    return float(t[np.nonzero(v >= 0.0)[0][0]])


def first_departure(t, v, ref, after, mv):
    return float(t[np.nonzero((np.abs(v - ref) >= mv) & (t >= after))[0][0]])


def test_reflex_arc_runs_sensory_to_motor_with_reciprocal_inhibition(default):
    s = default.summary
    times = [s[f"reflex_{k}_ms"] for k in ("sensory_ending", "sensory_terminal", "extensor_epsp",
                                            "extensor_spike", "extensor_axon_end")]
    assert all(x is not None for x in times) and times == sorted(times)  # ending -> cord -> motor axon
    assert s["reflex_interneuron_epsp_ms"] < s["reflex_interneuron_spike_ms"] < s["reflex_flexor_ipsp_ms"]
    # Two synapses and the interneuron's own time to fire: the inhibition comes after the excitation.
    assert s["reflex_flexor_ipsp_ms"] > s["reflex_extensor_epsp_ms"] + s["reflex_synaptic_delay_flexor_ms"]
    assert s["reflex_extensor_spikes"] >= 1 and s["reflex_sensory_spikes"] >= 1
    assert s["reflex_flexor_spikes"] < s["reflex_flexor_spikes_without_inhibition"]  # the flexor relaxes
    for key in ("extensor", "interneuron", "flexor"):
        # The textbook's synaptic delay, 0.5-1 ms: release 0.5 ms after the spike, then receptor opening.
        assert 0.5 <= s[f"reflex_synaptic_delay_{key}_ms"] <= 1.0


def test_strychnine_removes_the_reciprocal_inhibition(default):
    s = experiments.run("neuron-shapes", strychnine=1.0).summary
    assert s["reflex_flexor_ipsp_ms"] is None and "not inhibited" in s["reflex_flexor_verdict"]
    # The flexor now fires exactly as its copy without the interneuron; the kick itself is unchanged.
    assert s["reflex_flexor_spikes"] == s["reflex_flexor_spikes_without_inhibition"] > \
        default.summary["reflex_flexor_spikes"]
    assert s["reflex_extensor_spikes"] == default.summary["reflex_extensor_spikes"]
    assert "not inhibited" in experiments.declaration("neuron-shapes").answer_for(s)


def test_reflex_latencies_are_conduction_plus_synaptic_delays(default):
    """Each latency of the arc equals the sum of its stages, each measured here on its own."""
    from excitable.experiments.excitability import neuron_shapes_reflex as rf

    p = default.meta
    res, event = isolated_stages(experiments.declaration("neuron-shapes").resolve({}))
    t, tr = res.t, res.traces
    conduction = first_up(t, tr["sensory output"]) - first_up(t, tr["sensory input"])
    k0 = int(np.searchsorted(t, 29.0))
    delay = {name: first_departure(t, tr[f"{name} soma"], tr[f"{name} soma"][k0], 29.0, rf.ONSET_MV) - event[name]
             for name in ("extensor", "interneuron")}
    delay["flexor"] = first_departure(t, tr["flexor soma"], tr["flexor without inhibition soma"], 29.0,
                                      rf.ONSET_MV) - event["flexor"]
    s, dt = default.summary, p["dt"]
    # Conduction is the axon's, whatever fired it (a 1-ms, 0.5-nA pulse here, the 4-ms stretch in the
    # arc): the spike's start at the ending differs by a step or two, so 0.1 ms (4 steps of 0.025 ms).
    assert s["reflex_sensory_conduction_ms"] == pytest.approx(conduction, abs=0.1)
    # A synaptic delay is the same from any spike: the arc's terminal spike is seen at the end of its
    # step, as NEURON's NetCon does, and the response in the next step or the one after: 2 steps.
    for name in ("extensor", "interneuron"):
        assert s[f"reflex_synaptic_delay_{name}_ms"] == pytest.approx(delay[name], abs=2 * dt + 1e-9)
        predicted = s["reflex_sensory_ending_ms"] + conduction + delay[name]
        assert s[f"reflex_{name}_epsp_ms"] == pytest.approx(predicted, abs=0.1 + 2 * dt)
    # The flexor's delay is measured against its tonic firing (the same tone here): at the arc's IPSP
    # the cell sits at a different phase of its firing, so its driving force and onset differ a little.
    assert s["reflex_synaptic_delay_flexor_ms"] == pytest.approx(delay["flexor"], abs=0.1)
