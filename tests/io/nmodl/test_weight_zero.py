"""Events that carry no weight, and an INITIAL inside NET_RECEIVE that sets the weight (issue 18),
side by side with NEURON compiling the same files (one library with test_plasticity.py's).

NEURON delivers a NetCon's event whatever its weight: NET_RECEIVE runs with flag 0 and weight 0
(published STDP files signal the postsynaptic cell's spikes so; counters and ``tlast`` see them).
mod_events/ev_count.mod counts every event and takes a weight-0 one as a postsynaptic spike; it is
driven by a spiking cell's NetCon of weight 0 (delay 1 ms), a weight-0 spike train and a train of
0.002 µS onto one instance. An ExpSyn (expsyn.mod: the summed-weight path, a jump g += weight)
on the same cell gets the spiking cell's events at weight 0: nothing changes and nothing is refused.

mod_events/ev_winit.mod: its NET_RECEIVE's INITIAL keeps each NetCon's weight in w0 (weight[1])
and sets the weight to wscale x w0; each event opens g by the weight, then moves it halfway back to
w0. NEURON runs that INITIAL at finitialize on the NetCon's weight[0] as it is then, so a second
finitialize without setting weight[0] again starts from the first run's final weight (shown below
on NEURON's side); a Simulation run starts from each connection's ``weight``, as NEURON's first
finitialize after ``NetCon.weight[0] = weight``.

Tolerances: traces within 1e-6 of their range (issue 18; the same formulas at the same event times
in float64 leave round-off, 1e-12 or less); counts exact; event times (tlast, tpost) within 1e-9 ms
(ours sums the clock by half steps as NEURON's does, NEURON's event time is the given one: 1e-13 ms
apart); final weights 1e-12 relative (a few float64 operations), and equal to the closed form
w0 (1 + (wscale - 1) back^n) after n events.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.io.nmodl.test_plasticity import neuron_plastic

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TSTOP = 16.0
TOL = 1e-6
#: µS and ms. ev_count: weight-0 train and a 0.002-µS train; the spiking cell's NetCon at weight 0.
ZERO_TRAIN, W_TRAIN, W = [2.0, 4.0, 7.5], [3.0, 9.0], 0.002
#: ev_winit: two NetCons (weight µS, spike times ms).
WINIT = {"A": (0.003, [2.0, 5.0, 5.5]), "B": (0.001, [4.0])}
WSCALE, BACK = 2.5, 0.5
TRACES = ("v", "g", "nev", "tlast", "tpost", "npost", "expsyn_g", "winit_g")
IC = (1.0, 20.0, 0.3)  # the spiking cell's IClamp: delay, duration (ms), amplitude (nA)


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def neuron_run(finitializes: int = 1):
    """NEURON: two hh cells (20 x 20 µm, 6.3 °C), the protocol above; the post cell's traces and
    ev_winit's NetCons' weight vectors after the last of ``finitializes`` runs (weight[0] not set
    again in between)."""
    h = neuron_plastic()
    secs = []
    for k in range(2):
        sec = h.Section(name=f"wz_{k}")
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        secs.append(sec)
    h.usetable_hh = 0
    stim = h.IClamp(secs[0](0.5))
    stim.delay, stim.dur, stim.amp = IC
    count, expsyn, winit = h.ev_count(secs[1](0.5)), h.ExpSyn(secs[1](0.5)), h.ev_winit(secs[1](0.5))
    ncs = []
    for target in (count, expsyn):
        ncs.append(h.NetCon(secs[0](0.5)._ref_v, target, sec=secs[0]))
        ncs[-1].threshold, ncs[-1].delay, ncs[-1].weight[0] = 0.0, 1.0, 0.0
    trains = [(h.NetCon(None, count), 0.0, ZERO_TRAIN), (h.NetCon(None, count), W, W_TRAIN)]
    trains += [(h.NetCon(None, winit), w, ts) for w, ts in WINIT.values()]
    for nc, w, _ in trains:
        nc.weight[0] = w
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, _, ts in trains for t in ts])
    rec = {"v": h.Vector().record(secs[1](0.5)._ref_v), "expsyn_g": h.Vector().record(expsyn._ref_g),
           "winit_g": h.Vector().record(winit._ref_g)}
    rec.update({k: h.Vector().record(getattr(count, f"_ref_{k}")) for k in TRACES[1:6]})
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    for _ in range(finitializes):
        h.finitialize(-65.0)
        h.continuerun(TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    weights = np.array([[nc.weight[0], nc.weight[1]] for nc, _, _ in trains[2:]])
    del fih, trains, ncs, count, expsyn, winit, stim, secs
    return ref, weights


@pytest.fixture(scope="module")
def model():
    """Ours: the same network (the Simulation)."""
    mods = load_mod([OWN / "ev_count.mod", OWN / "ev_winit.mod", share() / "modfile" / "expsyn.mod",
                     share() / "modfile" / "hh.mod"])
    pre, post = (ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh()) for _ in range(2))
    net = Network([pre, post])
    count = net.synapse(mods.ev_count(), 1, t_max=0.0, pulse=0.0)
    winit = net.synapse(mods.ev_winit(), 1, t_max=0.0, pulse=0.0)
    net.connect(pre, post, synapse=count, weight=0.0, delay=1.0)
    net.connect(pre, post, mods.ExpSyn(), weight=0.0, delay=1.0, t_max=0.0, pulse=0.0)
    net.spike_train(ZERO_TRAIN, 1, synapse=count, weight=0.0)
    net.spike_train(W_TRAIN, 1, synapse=count, weight=W)
    for w, ts in WINIT.values():
        net.spike_train(ts, 1, synapse=winit, weight=w)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(pre.soma, delay=IC[0], duration=IC[1], amplitude=IC[2]))
    sim.record("v", Site(1, post.soma), label="v")
    sim.record("v", Site(0, pre.soma), label="v_pre")
    for k in TRACES[1:6]:
        sim.record(f"ev_count[0].{k}", label=k)
    sim.record("ExpSyn[0].g", label="expsyn_g")
    sim.record("ev_winit[0].g", label="winit_g")
    return sim


@pytest.fixture(scope="module")
def ours(model):
    """The network run once through the public path (``Simulation.run``)."""
    return model.run(TSTOP)


def test_weight_zero_events_are_delivered_as_neurons(ours):
    """ev_count: every event counted at NEURON's times, the weight-0 ones (the spiking cell's and
    the train's) as postsynaptic spikes; V and g within 1e-6 of their range."""
    ref, _ = neuron_run()
    pre_spikes = int(np.sum((ours["v_pre"][:-1] < 0) & (ours["v_pre"][1:] >= 0)))
    assert pre_spikes >= 1  # the weight-0 NetCon from the spiking cell brings events
    npost = len(ZERO_TRAIN) + pre_spikes
    assert ref["npost"][-1] == ours["npost"][-1] == npost, (ref["npost"][-1], ours["npost"][-1], npost)
    assert ref["nev"][-1] == ours["nev"][-1] == npost + len(W_TRAIN)
    for k in ("nev", "npost"):
        assert np.array_equal(ours[k], ref[k]), k  # the same counts at every step
    for k in ("tlast", "tpost"):
        assert np.max(np.abs(ours[k] - ref[k])) < 1e-9, (k, np.max(np.abs(ours[k] - ref[k])))
    for k in ("v", "g", "winit_g"):
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))


def test_weight_zero_on_the_summed_path_changes_nothing(ours):
    """expsyn.mod's jump g += weight at weight 0: g stays 0, in NEURON and ours."""
    ref, _ = neuron_run()
    assert np.all(ref["expsyn_g"] == 0.0) and np.all(ours["expsyn_g"] == 0.0)


def test_initial_inside_net_receive_sets_the_weight(ours):
    """ev_winit: each NetCon's final weight (NEURON's NetCon.weight[0]) and its w0 (weight[1])
    equal NEURON's after its first finitialize, and the closed form; read from the public
    ``Result.netcon``. NEURON's INITIAL acts on weight[0] as it is: a second finitialize without
    setting it again starts from the first run's final weight x wscale (what our docs say)."""
    _, ref_w = neuron_run()
    w0 = np.array([w for w, _ in WINIT.values()])
    n = np.array([len(ts) for _, ts in WINIT.values()])
    closed = w0 * (1.0 + (WSCALE - 1.0) * BACK ** n)
    assert np.allclose(ref_w[:, 0], closed, rtol=1e-12, atol=0), (ref_w, closed)
    assert np.allclose(ours.netcon("ev_winit", "weight"), ref_w[:, 0], rtol=1e-12, atol=0), ours.netcons
    assert np.allclose(ours.netcon("ev_winit", "w0"), ref_w[:, 1], rtol=1e-12, atol=0), ours.netcons
    _, again = neuron_run(finitializes=2)
    assert np.allclose(again[:, 1], closed, rtol=1e-12, atol=0)  # w0: the first run's final weight


def test_a_weight_set_to_zero_in_the_parameters_still_delivers(model, ours):
    """The arrival is not the weight: the 0.002-µS train's weight set to 0 in the parameters (under
    ``jax.vmap``, one program for both) still brings its 2 events, now counted as postsynaptic
    spikes (the count: 7 events of weight 0), and opens nothing (g stays 0); at 0.002 µS the run is
    the one above (1e-12 of g's range: the same program, batched)."""
    import jax
    import jax.numpy as jnp

    f, base = model.function(TSTOP), model.parameters()
    syn = base["syn"]["ev_count"]

    def with_w(w):  # the count's connections: the spiking cell's, the weight-0 train, the W train
        return {**base, "syn": {**base["syn"], "ev_count": {**syn, "weight": jnp.asarray(syn["weight"]).at[2].set(w)}}}

    rec = np.asarray(jax.vmap(lambda w: f(with_w(w)))(jnp.array([0.0, W])))  # (2, samples, probes)
    col = {k: j for j, k in enumerate(("v", "v_pre", *TRACES[1:6]))}
    nev = ours["nev"][-1]
    assert list(rec[:, -1, col["nev"]]) == [nev, nev]
    assert list(rec[:, -1, col["npost"]]) == [nev, ours["npost"][-1]] and nev > ours["npost"][-1]
    assert np.all(rec[0, :, col["g"]] == 0.0)
    assert np.max(np.abs(rec[1, :, col["g"]] - ours["g"])) < 1e-12 * np.ptp(ours["g"])


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of this module's NEURON comparison, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py, through test_plasticity.comparison_rows)."""
    from tests.io.nmodl.test_netcon_args import _spikes

    ours, (ref, ref_w) = model.__wrapped__().run(TSTOP), neuron_run()
    times = max(np.max(np.abs(ours[k] - ref[k])) for k in ("tlast", "tpost"))
    counts = "equal" if all(np.array_equal(ours[k], ref[k]) for k in ("nev", "npost")) else "DIFFER"
    w = np.max(np.abs(ours.netcon("ev_winit") - ref_w[:, 0]) / ref_w[:, 0])
    return [("ev_count (ev_count.mod: counts every event, a weight-0 one as a postsynaptic spike) on hh.mod, "
             "6.3 °C: a spiking cell's NetCon of weight 0, a weight-0 train (2, 4, 7.5 ms), 0.002 µS at 3, 9 ms",
             [OWN / "ev_count.mod"], f"v {rel(ours['v'], ref['v']):.1e}, g {rel(ours['g'], ref['g']):.1e} (of each "
             f"trace's range); counts {counts} at every step, tlast/tpost within {times:.0e} ms",
             _spikes(ours["v"], ref["v"])),
            ("ev_winit (ev_winit.mod: an INITIAL inside NET_RECEIVE sets the weight) on the same cell, two NetCons "
             "(0.003 µS at 2, 5, 5.5 ms; 0.001 µS at 4 ms)", [OWN / "ev_winit.mod"],
             f"g {rel(ours['winit_g'], ref['winit_g']):.1e} (of its range); final NetCon.weight[0] {w:.1e} "
             "(relative)", _spikes(ours["v"], ref["v"]))]
