"""A network changed after a run is simulated as changed (model/structure.py): before, the first
run's compiled plan was kept, so a gap junction, connection, spike train or mechanism added later
was silently ignored. Each case is checked against a Simulation built from scratch with the change
already made: the same traces to the last bit (the same compiled program on the same numbers)."""

from __future__ import annotations

import numpy as np

import excitable as ex
from excitable.channels import Leak


def _two_cells():
    a = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    b = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    return a, b, ex.Network([a, b])


def _sim(net, a):
    sim = ex.Simulation(net, dt=0.025)
    sim.stimulate(ex.IClamp(a.soma, amplitude=0.5, delay=1.0, duration=5.0))
    sim.record("v")
    return sim


def _v(sim):
    return np.asarray(sim.run(10.0)["v"])


CHANGES = {
    "gap junction": lambda a, b, net: net.gap_junction(a, b, 50.0),
    "inserted mechanism": lambda a, b, net: b.insert(Leak(g=1.0)),
    "spike train": lambda a, b, net: net.spike_train([2.0, 4.0], 1, ex.receptors.AMPA(), weight=0.05),
    "connection": lambda a, b, net: net.connect(a, b, ex.receptors.AMPA(), weight=0.05, delay=1.0),
}


def test_changes_after_a_run_are_simulated():
    for name, change in CHANGES.items():
        a, b, net = _two_cells()
        sim = _sim(net, a)
        before = _v(sim)
        change(a, b, net)
        after = _v(sim)
        fa, fb, fresh_net = _two_cells()
        change(fa, fb, fresh_net)
        fresh = _v(_sim(fresh_net, fa))
        assert np.array_equal(after, fresh), name
        assert not np.array_equal(after, before), name  # the change matters to these traces


def test_an_unchanged_network_keeps_its_plan():
    a, b, net = _two_cells()
    sim = _sim(net, a)
    first = sim.plan
    _v(sim)
    a.set("HH.gNa", 60.0)  # a value, not the structure: read afresh by parameters()
    assert sim.plan is first
    net.gap_junction(a, b, 1.0)
    assert sim.plan is not first
