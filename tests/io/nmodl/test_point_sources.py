"""A point process's net_event as a connection's spike (``Network.connect(pp, post, ...)``, NEURON's
``h.NetCon(pp, target)``), side by side with NEURON 9.0.2 compiling the same files with nrnivmodl
(once, cached: tests/reference/nrnmech.py).

Two passive 100-pF compartments, each with watch_qif (mod_events/watch_qif.mod: Izhikevich's 2007
form, WATCH (v > vpeak) -> net_event(t), reset v = c): the first driven by a current clamp, its
point process connected to an ExpSyn (the neuron wheel's expsyn.mod) on the second with a delay off
the grid (NEURON delivers the event at the first step whose t + dt/2 reaches spike time + delay), so
the second fires too. Tolerances as tests/io/nmodl/test_watch.py: V within 1e-6 of its range
(issue 18; both sides float64 with the same formulas and event steps: what is left is round-off),
spike times within 1e-9 ms (the same step on both sides; one step off would be 0.025 ms).
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.io.nmodl.test_watch import CM, DT, OWN, T_TOL, TOL, neuron_watch, rel

TSTOP = 60.0
CLAMP = (5.0, 50.0, 0.3)  # IClamp delay (ms), duration (ms), amplitude (nA) on the first compartment
DELAY = 2.3456  # ms: off the grid, its rest 0.0206 ms past a step, so NEURON's rule places the arrival
WEIGHT = 0.02  # µS: ExpSyn's conductance jump; enough to make the second compartment fire
TAU = 2.0  # ms, ExpSyn's decay


@pytest.fixture(scope="module")
def mods():
    return load_mod([OWN / "watch_qif.mod", share() / "modfile" / "expsyn.mod", share() / "modfile" / "passive.mod"])


def neuron_pair():
    """NEURON: V of both compartments at every step and each point process's net_event times."""
    h = neuron_watch()
    secs, pps, out = [], [], {}
    for k in range(2):
        sec = h.Section(name=f"ps_{k}")
        sec.L = sec.diam = 20.0
        sec.insert("pas")
        sec.g_pas, sec.e_pas, sec.cm = 1e-5, -60.0, CM
        secs.append(sec)
        pps.append(h.watch_qif(sec(0.5)))
    stim = h.IClamp(secs[0](0.5))
    stim.delay, stim.dur, stim.amp = CLAMP
    syn = h.ExpSyn(secs[1](0.5))
    syn.tau = TAU
    nc = h.NetCon(pps[0], syn)
    nc.delay, nc.weight[0] = DELAY, WEIGHT
    counters = [h.NetCon(pp, None) for pp in pps]
    spikes = [h.Vector() for _ in pps]
    for c, s in zip(counters, spikes):
        c.record(s)
    rec = [h.Vector().record(sec(0.5)._ref_v) for sec in secs]
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    out = {f"v{k}": np.array(r) for k, r in enumerate(rec)}
    out.update({f"spikes{k}": np.array(s) for k, s in enumerate(spikes)})
    del nc, counters, stim, syn, pps, secs
    return out


def pair(mods):
    """Our side: the network, and the first point process (the source)."""
    cells = [ex.Cell.cylinder(length=20.0, diameter=20.0, cm=CM).insert(mods.pas(g=1e-5, e=-60.0)) for _ in range(2)]
    sources = [mods.watch_qif() for _ in cells]
    for cell, pp in zip(cells, sources):
        cell.place(pp, cell.soma)
    net = Network(cells)
    net.connect(sources[0], 1, mods.ExpSyn(tau=TAU), delay=DELAY, weight=WEIGHT, t_max=0.0, pulse=0.0)
    return net, sources


def ours_pair(mods):
    net, _ = pair(mods)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(net.cells[0].soma, amplitude=CLAMP[2], delay=CLAMP[0], duration=CLAMP[1]))
    sim.record("v", label="v0")
    sim.record("v", Site(1, net.cells[1].soma), label="v1")
    for k in range(2):
        for field in ("spikes", "spike_t", "events_lost"):
            sim.record(f"watch_qif[{k}].{field}", label=f"{field}{k}")
    res = sim.run(TSTOP)
    out = {k: np.asarray(res[k]).ravel() for k in res.traces}
    for k in range(2):
        out[f"spikes{k}"] = out[f"spike_t{k}"][out[f"spikes{k}"] > 0]  # net_event's time, in its step
    return out


def test_a_point_process_net_event_drives_a_connection_as_in_neuron(mods):
    ref, ours = neuron_pair(), ours_pair(mods)
    # NEURON's behaviour, as the test means it: the first fires, and through the NetCon the second
    assert len(ref["spikes0"]) >= 2 and len(ref["spikes1"]) >= 1, (ref["spikes0"], ref["spikes1"])
    assert ref["spikes1"][0] > ref["spikes0"][0] + DELAY
    for k in range(2):
        assert ours[f"events_lost{k}"].max() == 0
        assert rel(ours[f"v{k}"], ref[f"v{k}"]) < TOL, k
        assert len(ours[f"spikes{k}"]) == len(ref[f"spikes{k}"]), (ours[f"spikes{k}"], ref[f"spikes{k}"])
        assert np.max(np.abs(ours[f"spikes{k}"] - ref[f"spikes{k}"])) < T_TOL, k


def test_a_point_process_without_net_event_is_refused_as_a_source(mods):
    net, _ = pair(mods)
    syn = mods.ExpSyn()
    net.synapse(syn, 0)
    with pytest.raises(ModelError, match=r"^connect: ExpSyn sends no spikes \(its NET_RECEIVE never calls "
                                         r"net_event\); [^\n]*$"):
        net.connect(syn, 1, mods.ExpSyn())


def test_a_source_must_be_placed_in_the_network_once(mods):
    net, _ = pair(mods)
    with pytest.raises(ModelError, match=r"^connect: this watch_qif is not placed in the network; [^\n]*$"):
        net.connect(mods.watch_qif(), 1, mods.ExpSyn())


def test_the_source_keeps_its_instance_when_places_come_later(mods):
    """A receptor of the same name added after the connection comes first in ``point_mechanisms``
    and moves the source's instance number; the connection follows the instance itself."""
    net, _ = pair(mods)
    c = net.connections[-1]
    assert (c.source.name, c.source.instance) == ("watch_qif", 0)
    net.synapse(mods.watch_qif(), 1, t_max=0.0, pulse=0.0)  # receptors first, then the cells' places
    assert c.source.instance == 1
    nodes, _, _ = net.point_mechanisms()["watch_qif"]
    assert nodes[1] == net.node(Site(0, net.cells[0].soma))  # instance 1 is the first cell's


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the run of the first test, for the table in docs/nmodl.md
    (benchmarks/nmodl_table.py): the largest differences, nothing asserted."""
    ref, ours = neuron_pair(), ours_pair(mods.__wrapped__())  # the tests' fixture, called as a function
    spikes = []
    for k in range(2):
        mine, theirs = ours[f"spikes{k}"], ref[f"spikes{k}"]
        same = len(mine) == len(theirs) and len(mine)
        spikes.append(f"cell {k}: {len(mine)} vs {len(theirs)} net_events"
                      + (f", times within {np.max(np.abs(mine - theirs)):.0e} ms" if same else ""))
    return [(f"watch_qif (watch_qif.mod) as a spike source: its net_event -> ExpSyn (expsyn.mod) on a second passive "
             f"100-pF compartment with watch_qif, delay {DELAY:g} ms (off the dt grid), 6.3 °C",
             [OWN / "watch_qif.mod", share() / "modfile" / "expsyn.mod"],
             ", ".join(f"v{k} {rel(ours[f'v{k}'], ref[f'v{k}']):.1e}" for k in range(2)) + " (of each trace's range)",
             "; ".join(spikes))]
