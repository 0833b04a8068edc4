"""FOR_NETCONS in NET_RECEIVE (io/nmodl/for_netcons.py), side by side with NEURON compiling the same
file (mod_events/ev_fnc.mod: an STDP-style synapse whose postsynaptic event, a NetCon of negative
weight, potentiates every input NetCon by its own last spike time tpre, in weight[0] and in its
extra conductance A, and counts the postsynaptic spikes in every NetCon's k, the marker's and a
weight-0 input's included; after the loop the marker's own k gains 100, read through NET_RECEIVE's
argument: the loop's write into the event's own NetCon must be seen there), then sends a self-event
0.3 ms later whose NET_RECEIVE (flag 1) adds 1000 to every NetCon's k in a FOR_NETCONS of its own.

Three inputs (one of weight 0, potentiated by the loop and then conducting) and the marker onto one
instance, each a spike train (NEURON: one source-less NetCon each, driven by ``NetCon.event``;
NEURON 9.0.2 visits those in FOR_NETCONS too, checked). Tolerances: each NetCon's weight vector after
the run equals NEURON's weight[k] within 1e-12 relative (both sides run the same few float64
operations at the same event times: round-off only); traces within 1e-9 of their range (the same
formulas stepped 560 times; a loop that missed a NetCon, or wrote the marker's k before the loop,
misses by far more: the weight-0 input conducts only if the loop reaches it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.engine.integrate import compiled_runner
from excitable.engine.synapses import netcon_values
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.io.nmodl.test_plasticity import neuron_trains
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TSTOP = 14.0
#: (weight µS, spike times ms) per NetCon, in the order they are made: Z has weight 0 (the loop
#: potentiates it at 5 ms, so its 7 and 12 ms spikes conduct); P (weight -1) marks postsynaptic spikes.
TRAINS = {"A": (0.003, [1.0, 6.0, 11.0]), "Z": (0.0, [2.0, 7.0, 12.0]), "C": (0.002, [3.0, 8.5]),
          "P": (-1.0, [5.0, 10.0])}
#: The same with C's first spike doubled within one step (3.0 and 3.01 ms): its train split into two
#: lanes that share one NetCon's row (engine/netcons.py), which the loop visits once, as NEURON's one NetCon.
SPLIT = {**TRAINS, "C": (0.002, [3.0, 3.01, 8.5])}
TRACES = ("v", "g", "npost")
NAMES = ("w", "A", "tpre", "k")  # NET_RECEIVE's arguments: NEURON's weight[0..3]


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def neuron_run(trains=TRAINS):
    """NEURON: ev_fnc on an hh compartment (20 x 20 µm, 6.3 °C); traces and each NetCon's weight vector."""
    h = neuron_loaded([OWN / "ev_fnc.mod"], "nrnmech-for-netcons", "the FOR_NETCONS test file")
    return neuron_trains(h, "ev_fnc", trains, TRACES, TSTOP)


@pytest.fixture(scope="module")
def mods():
    return load_mod([OWN / "ev_fnc.mod", share() / "modfile" / "hh.mod"])


def our_sim(mods, trains=TRAINS):
    """Ours: the same, each train a spike train onto one synapse (one instance, a lane each)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(mods.ev_fnc(), 0, t_max=0.0, pulse=0.0)
    for w, times in trains.values():
        net.spike_train(times, 0, synapse=handle, weight=w)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in TRACES[1:]:
        sim.record(f"ev_fnc[0].{k}", label=k)
    return sim


def our_run(sim):
    """(jitted runner, drive, traces, each NetCon's values (NetCons, NAMES), events_lost) of one run."""
    run, drive = compiled_runner(sim.plan, dt=DT), sim.drive(TSTOP)
    rec, _, final = run(sim.parameters(), drive)
    traces = {k: np.asarray(rec[:, j]) for j, k in enumerate(TRACES)}
    table = np.array([np.asarray(netcon_values(sim.plan.connections, final["chan"], "ev_fnc", n)) for n in NAMES]).T
    lost = float(np.max(np.asarray(final["chan"]["ev_fnc"]["events_lost"])))
    return run, drive, traces, table, lost


@pytest.fixture(scope="module")
def ours(mods):
    """The simulation, its jitted runner and drive, and one run's traces and per-NetCon values."""
    sim = our_sim(mods)
    return (sim, *our_run(sim))


def test_for_netcons_updates_every_netcon_as_neuron(ours):
    ref, ref_w = neuron_run()
    _, _, _, traces, table, lost = ours
    # NEURON itself: every NetCon visited (k = 1 + 2 after two postsynaptic spikes, + 1000 from each
    # self-event's loop; the marker's + 100 after each loop, read through its own argument), the
    # weight-0 input potentiated
    assert np.array_equal(ref_w[:, 3], [2003.0, 2003.0, 2003.0, 2203.0]), ref_w
    assert ref_w[1, 0] > 0 and ref_w[1, 1] > 0, ref_w
    assert np.allclose(table, ref_w, rtol=1e-12, atol=0), (table, ref_w)
    for k in TRACES:
        assert rel(traces[k], ref[k]) < 1e-9, (k, rel(traces[k], ref[k]))
    assert lost == 0


def test_a_split_train_is_one_netcon_to_the_loop(mods):
    """C's two spikes in one step (two lanes, one row): every NetCon's values and the traces as
    NEURON's, C's k counted once per loop (tolerances as above)."""
    ref, ref_w = neuron_run(SPLIT)
    sim = our_sim(mods, SPLIT)
    assert sim.plan.connections.groups[0].row is not None  # the train was split into lanes
    _, _, traces, table, lost = our_run(sim)
    assert np.array_equal(ref_w[:, 3], [2003.0, 2003.0, 2003.0, 2203.0]), ref_w
    assert np.allclose(table, ref_w, rtol=1e-12, atol=0), (table, ref_w)
    for k in TRACES:
        assert rel(traces[k], ref[k]) < 1e-9, (k, rel(traces[k], ref[k]))
    assert lost == 0


#: Two instances: (instance, weight µS, spike times ms) per NetCon; instance 1 has fewer NetCons
#: (padding rows) and its own marker: a loop runs over its own instance's NetCons only.
TWO = [(0, 0.003, [1.0, 6.0]), (0, 0.0, [2.0]), (1, 0.002, [3.0, 8.0]), (0, -1.0, [5.0]), (1, -1.0, [4.0, 9.0])]


def test_each_instance_loops_over_its_own_netcons(mods):
    """Two ev_fnc instances on one compartment: every NetCon's values as NEURON's (1e-12 relative):
    k counts the marker spikes of its own instance only (1001 after one, 2003 after two)."""
    h = neuron_loaded([OWN / "ev_fnc.mod"], "nrnmech-for-netcons", "the FOR_NETCONS test file")
    sec = h.Section(name="fnc_two")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syns = [h.ev_fnc(sec(0.5)) for _ in range(2)]
    ncs = [h.NetCon(None, syns[i]) for i, _, _ in TWO]
    for nc, (_, w, _) in zip(ncs, TWO):
        nc.weight[0] = w
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, (_, _, ts) in zip(ncs, TWO) for t in ts])
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    ref_w = np.array([[nc.weight[j] for j in range(int(nc.wcnt()))] for nc in ncs])
    del fih, syns, sec
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handles = [net.synapse(mods.ev_fnc(), 0, t_max=0.0, pulse=0.0) for _ in range(2)]
    for i, w, times in TWO:
        net.spike_train(times, 0, synapse=handles[i], weight=w)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    res = sim.run(TSTOP)
    table = np.array([np.asarray(res.netcon("ev_fnc", n)) for n in NAMES]).T
    assert np.array_equal(ref_w[:, 3], [1001.0, 1001.0, 2003.0, 1101.0, 2203.0]), ref_w
    assert np.allclose(table, ref_w, rtol=1e-12, atol=0), (table, ref_w)


def test_public_result_reads_the_loops_writes(ours):
    """``Simulation.run(...).netcon`` (the public path) gives the same per-NetCon values."""
    sim, _, _, _, table, _ = ours
    res = sim.run(TSTOP)
    for j, n in enumerate(NAMES):
        assert np.array_equal(np.asarray(res.netcon("ev_fnc", n)), table[:, j]), n


def test_batch_and_grad_through_the_loop(ours):
    """A vmapped batch over A's weight equals the runs one by one (1e-12 of V's range: one program's
    round-off); d(mean V)/d(A's weight) by jax.grad equals a central difference (V stays below
    threshold and is smooth in the weight: a step of 1e-7 µS leaves truncation ~1e-9 of the
    derivative, inside the 1e-6 asked), and is not 0."""
    import jax
    import jax.numpy as jnp

    sim, run, drive, traces, _, _ = ours
    base = sim.parameters()

    def with_wa(params, wa):
        w = jnp.asarray(params["syn"]["ev_fnc"]["weight"])
        return {**params, "syn": {**params["syn"], "ev_fnc": {**params["syn"]["ev_fnc"], "weight": w.at[0].set(wa)}}}

    def mean_v(wa):
        return jnp.mean(run(with_wa(base, wa), drive)[0][:, 0])

    was = jnp.array([TRAINS["A"][0], TRAINS["A"][0] * 0.5])
    many = jax.vmap(lambda wa: run(with_wa(base, wa), drive)[0][:, 0])(was)
    one = [np.asarray(run(with_wa(base, wa), drive)[0][:, 0]) for wa in was]
    assert rel(one[1], one[0]) > 1e-3  # half the weight: another run
    for k in range(2):
        assert rel(np.asarray(many[k]), one[k]) < 1e-12, k
    assert rel(one[0], traces["v"]) < 1e-12
    g = float(jax.grad(mean_v)(was[0]))
    step = 1e-7
    fd = (float(mean_v(was[0] + step)) - float(mean_v(was[0] - step))) / (2 * step)
    assert g != 0 and abs(g - fd) < 1e-6 * abs(fd), (g, fd)


HEAD = """NEURON {{ {kind} fx RANGE x }}
ASSIGNED {{ x }}
NET_RECEIVE(w, a) {{
{body}
}}
"""
LOOP = "    FOR_NETCONS(w1, a1) {\n        %s\n    }"


@pytest.mark.parametrize("kind, body, line, what", [
    ("ARTIFICIAL_CELL", LOOP % "x = x + a1", 5, "FOR_NETCONS assigning 'x'"),  # its loop runs, within the same limits
    ("ARTIFICIAL_CELL", LOOP % "net_event(t)", 5, "FOR_NETCONS calling net_event()"),
    ("POINT_PROCESS", LOOP % "x = x + a1", 5, "FOR_NETCONS assigning 'x'"),
    ("POINT_PROCESS", LOOP % "FOR_NETCONS(w2, a2) { a2 = 1 }", 5, "FOR_NETCONS nested in FOR_NETCONS"),
    ("POINT_PROCESS", LOOP % "net_send(1, 1)", 5, "FOR_NETCONS calling net_send()"),
    ("POINT_PROCESS", "    FOR_NETCONS(w1, a1, b1) { a1 = 1 }", 4, "FOR_NETCONS with 3 arguments"),
    ("POINT_PROCESS", LOOP % "a1 = a1 + normrand(0, 1)", 5, "FOR_NETCONS calling normrand"),
])
def test_what_the_masked_update_does_not_run_is_refused_with_its_line(tmp_path, kind, body, line, what):
    path = tmp_path / "fx.mod"
    path.write_text(HEAD.format(kind=kind, body=body))
    with pytest.raises(ModelError, match=rf"^{path}:{line}: {what}.* not supported"):
        load_mod([path])
