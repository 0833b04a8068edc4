"""float32 runs of networks with synapses (the GPU's fast type: ``engine.grad.astype``), against the
same runs in float64.

Each network runs in float32 (a float64 constant anywhere in the synaptic path, the rings, the
arrival offsets, a receptor's initial states, an imported point process's event jumps, promoted
the state and the scan refused the batch with a raw TypeError), keeps every state and every
recorded trace in float32, and gives the float64 run's trajectory within float32's accuracy:

- every V crosses 0 mV upward at the same steps (a spike a step late would move V by tens of mV);
- every trace within 1e-4 of its scale (max |x| + range) of the float64 trace. float32's unit
  round-off is 6e-8; over 800 steps the rounding of V (65 mV x 6e-8 per step) accumulates to
  ~1e-3 mV, and the upstroke of a spike (100 mV/ms) magnifies it: 9e-6 of the scale is the largest
  difference found (v of the imported network's second cell). A float64 constant lost to float32, an
  event a step off or a dropped connection would be 1e-3 to 1 of the scale.

Networks (20 ms, dt 0.025 ms): built-in receptors (AMPA with its cleft, Exp2Syn) driven by a spiking
hh cell and GABA_A by a spike train; the neuron wheel's expsyn.mod and exp2syn.mod and a
an artificial cell (ev_intfire.mod: net_send's refractory self-event, net_event) driven by a train
and driving an ExpSyn, and watch_qif.mod (WATCH, a reset of v, net_event) on a passive cell driving
another: from a cell, from trains, from an artificial cell and from a point process.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast
from excitable.engine.grad import astype
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from excitable.physics.receptors import AMPA, Exp2Syn, GABAa
from tests.io.nmodl.neuron_side import share

EVENTS = Path(__file__).parents[1] / "io" / "nmodl" / "mod_events"
DT = 0.025
TSTOP = 20.0
TOL = 1e-4  # of each trace's scale (module docstring)
CM = 100.0 / (np.pi * 20.0 * 20.0 * 1e-2)  # µF/cm²: 100 pF on 20 x 20 µm, watch_qif's (test_watch.py)


@pytest.fixture(scope="module")
def mods():
    return load_mod([share() / "modfile" / "expsyn.mod", share() / "modfile" / "exp2syn.mod",
                     share() / "modfile" / "passive.mod", EVENTS / "ev_intfire.mod",
                     EVENTS / "watch_qif.mod", EVENTS / "pp_stiff.mod"])


def hh():
    return ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())


def simulation(net, stimulated=0, amp_nA=0.3):
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(net.cells[stimulated].soma, amplitude=amp_nA, delay=1.0, duration=20.0),
                  cell=stimulated)
    sim.record("v", label="v0")
    sim.record("v", Site(1, net.cells[1].soma), label="v1")
    return sim


def builtin(mods):
    net = Network([hh(), hh()])
    net.connect(0, 1, AMPA(gmax=0.01), delay=1.3, t_max=1.0, pulse=1.0)
    net.connect(0, 1, Exp2Syn(tau1=0.5, tau2=2.0), delay=0.7, weight=0.005, t_max=0.0, pulse=0.0)
    net.spike_train([3.0, 9.0], 1, GABAa(gmax=0.002), delay=0.51, t_max=1.0, pulse=1.0)
    sim = simulation(net)
    for probe, label in (("AMPA[0].r", "r"), ("AMPA[0].T", "T"), ("Exp2Syn[0].g", "g2"), ("GABAa[0].r", "r_gaba")):
        sim.record(probe, label=label)
    return sim


def imported(mods):
    """Imported point processes driven from a spiking cell, trains, an artificial cell and a WATCH
    point process's net_event (one network: each compilation is most of the test's time)."""
    qif = ex.Cell.cylinder(length=20.0, diameter=20.0, cm=CM).insert(mods.pas(g=1e-5, e=-60.0))
    izh = mods.watch_qif()
    qif.place(izh, qif.soma)
    net = Network([hh(), hh(), qif])
    net.connect(izh, 1, mods.ExpSyn(tau=2.0), delay=1.7, weight=0.01, t_max=0.0, pulse=0.0)  # its net_event
    net.connect(0, 1, mods.ExpSyn(tau=2.0), delay=1.3, weight=0.01, t_max=0.0, pulse=0.0)
    net.spike_train([2.0, 6.0], 1, mods.Exp2Syn(tau1=0.5, tau2=3.0), delay=0.51, weight=0.005, t_max=0.0, pulse=0.0)
    a = net.artificial(mods.ev_intfire(tau=10.0))
    # m > 1 at the 3rd input: fires at 2.8 and 7.3 ms (2 ms refractory). No input at the refractory
    # self-event's time: float32's clock would decide that tie by round-off
    net.spike_train(np.arange(1.0, 9.0, 0.9), a, weight=0.4)
    net.connect(a, 1, mods.ExpSyn(tau=2.0), delay=1.1, weight=0.01, t_max=0.0, pulse=0.0)
    sim = simulation(net)
    sim.stimulate(ex.IClamp(qif.soma, amplitude=0.3, delay=1.0, duration=20.0), cell=2)
    sim.record("v", Site(2, qif.soma), label="v2")
    for probe, label in (("ExpSyn[0].g", "g1"), ("ExpSyn[1].g", "g_izh"), ("ExpSyn[2].g", "g_art"), ("Exp2Syn[0].g", "g2"),
                         ("watch_qif[0].u", "u"), ("ev_intfire[0].m", "m"),
                         ("watch_qif[0].count", "count")):
        sim.record(probe, label=label)
    return sim


NETWORKS = {"builtin": builtin, "imported": imported}


def up_crossings(v):
    """The steps at which V (mV) crosses 0 upward."""
    v = np.asarray(v).ravel()
    return np.flatnonzero((v[:-1] < 0.0) & (v[1:] >= 0.0))


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_a_network_with_synapses_runs_in_float32(mods, name):
    from excitable.engine.integrate import initial_state

    sim = NETWORKS[name](mods)
    params = broadcast(sim.parameters(), 1)
    single_params = astype(params, np.float32)
    # every floating state in float32 from the start (the scan's carry keeps it so)
    start = jax.eval_shape(lambda p: initial_state(sim.run_spec().plan, p), astype(sim.parameters(), np.float32))
    wide = [jax.tree_util.keystr(k) for k, x in jax.tree_util.tree_leaves_with_path(start)
            if np.issubdtype(x.dtype, np.floating) and x.dtype != np.float32]
    assert not wide, wide
    double = sim.run_batch(TSTOP, params)
    single = sim.run_batch(TSTOP, single_params)
    for trace in double.traces:
        a, b = np.asarray(double[trace]), np.asarray(single[trace])
        assert b.dtype == np.float32, trace
        scale = np.max(np.abs(a)) + np.ptp(a)
        np.testing.assert_allclose(b, a, rtol=0, atol=TOL * scale, err_msg=f"{name} {trace}")
    cells = [v for v in double.traces if v.startswith("v")]
    spikes = [up_crossings(double[v]) for v in cells]
    assert all(len(s) for s in spikes), spikes  # every cell fires: the synapses are exercised
    for v, steps in zip(cells, spikes):
        np.testing.assert_array_equal(up_crossings(single[v]), steps)


def test_a_derivimplicit_synapse_in_float32_is_refused_in_one_line(mods):
    """pp_stiff (derivimplicit) driven by a spike train at dt = 0.001 ms, where in float64 NEURON's
    Newton loop converges within our traced iterations and runs with NEURON's numbers
    (tests/io/nmodl/test_point_convergence.py): in float32 its stop rules (float64's tolerances) may
    never be met, and the run is refused in one line saying so (engine/counts.py), not reported."""
    net = Network([hh()])
    net.spike_train([0.5], 0, mods.pp_stiff(), weight=0.1, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.001, temperature=6.3, v_init=-65.0)
    sim.record("pp_stiff[0].w", label="w")
    with pytest.raises(ModelError, match=r"^batch element 0 of 1: pp_stiff\[0\]: .*float32 round-off may never "
                                         r"meet them; run this model in float64$"):
        sim.run_batch(1.0, astype(broadcast(sim.parameters(), 1), np.float32))
