"""Event timing as NEURON's fixed step (issue 18), side by side with NEURON 9.

NEURON delivers an event of time T (a spike time, plus a NetCon's delay) before the step from t_n
for the first n where T <= t_n + dt/2 (t_n: its clock, two sums of dt/2 per step, so a T exactly
halfway falls as the round-off decides); T = 0 in finitialize, after INITIAL and before the first
sample; NET_RECEIVE sees ``t`` = T. The engine's trains follow the same rule
(``engine.drive.arrival_steps``), carry T - t_n to NET_RECEIVE, and show the arrivals at T = 0 in
the first sample (``engine.synapses.at_finitialize``).

- Times in and around the first step (0, dt/3, dt/2 - eps, dt/2, dt/2 + eps, 2dt/3), off the grid
  later (k dt + dt/3, halfway at 3 dt + dt/2 and 40 dt + dt/2), each alone onto a synapse of its
  own, with no delay and with a delay of 1.01 ms: NEURON's built-in ExpSyn against the neuron
  wheel's expsyn.mod imported, and NEURON's Exp2Syn against ours.
- Files that read ``t`` in NET_RECEIVE, with off-grid times: ev_twostep.mod (``tlast = t``,
  ``net_send(3.01, 1)`` from t) and ev_stdp.mod (``exp(-(t - tpost)/tauminus)``, ``tpre = t``).

NEURON side: source-less NetCons, ``nc.event(T)`` for every arrival, queued from an
FInitializeHandler. ``NetCon.event`` takes the delivery time itself (a NetCon's delay is not added
to it: checked), so a train with delay d is fed ``t + d``, the same float64 sum NEURON's NetCon
forms for a spike of its source (``PreSyn::send``: tt + delay).

Tolerance: 1e-6 of each trace's range at every sample, the first included (issue 18); both sides
run the same formulas in float64 at the same times, so what is left is round-off (1e-12 or less).
An event one step early or late moves a synapse's g by about w (dt/tau of its range, 1e-2 or more),
one delivered at the step's start instead of at T moves ``tlast`` by up to dt/2 and the STDP weight
by about 1e-3 of its range: each far outside 1e-6. Spike times: 0.05 ms (issue 18); the same step.
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import crossing_times
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from excitable.physics.receptors import Exp2Syn
from tests.conftest import neuron_h
from tests.io.nmodl.neuron_side import share
from tests.io.nmodl.test_events import OWN, neuron_events
from tests.io.nmodl.test_plasticity import neuron_plastic

pytestmark = pytest.mark.neuron

DT = 0.025
TOL = 1e-6
EPS = 1e-9  # ms: just before or after dt/2, far from round-off (1e-18 ms) and from the grid
#: Spike times, ms (module docstring); each drives a synapse of its own.
TIMES = (0.0, DT / 3, DT / 2 - EPS, DT / 2, DT / 2 + EPS, 2 * DT / 3, 3 * DT + DT / 3, 3 * DT + DT / 2,
         7 * DT + 2 * DT / 3, 40 * DT + DT / 2)
DELAYS = (0.0, 1.01)
WEIGHT = 0.0004  # µS per ExpSyn event: 20 events (10 times x 2 delays) make the compartment fire
TSTOP = 12.0


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b))


def _neuron_cell(h, name: str):
    sec = h.Section(name=name)
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    return sec


def _neuron_run(h, sec, recs: dict, events, tstop: float):
    """Run NEURON with ``events`` [(NetCon, T), ...] queued at finitialize; the recorded traces."""
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, t in events])
    vecs = {k: h.Vector().record(ref) for k, ref in recs.items()}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    del fih
    return {k: np.array(v) for k, v in vecs.items()}


def neuron_synapses():
    """NEURON: ExpSyn (tau 2 ms) and Exp2Syn (0.5, 2 ms) on one hh compartment, one instance per
    (time, delay), each fed its one arrival t + d."""
    h = neuron_h()  # NEURON's built-ins only
    sec = _neuron_cell(h, "timing_cell")
    syns, events, recs = [], [], {"v": sec(0.5)._ref_v}
    for kind in ("ExpSyn", "Exp2Syn"):
        for d in DELAYS:
            for j, t in enumerate(TIMES):
                syn = getattr(h, kind)(sec(0.5))
                if kind == "Exp2Syn":
                    syn.tau1, syn.tau2 = 0.5, 2.0
                else:
                    syn.tau = 2.0
                nc = h.NetCon(None, syn)
                nc.weight[0] = WEIGHT
                syns.append((syn, nc))
                events.append((nc, t + d))
                recs[f"{kind}{d}_{j}"] = syn._ref_g
    out = _neuron_run(h, sec, recs, events, TSTOP)
    del syns, sec
    return out


@pytest.fixture(scope="module")
def mods():
    return load_mod([share() / "modfile" / "hh.mod", share() / "modfile" / "expsyn.mod",
                     OWN / "ev_twostep.mod", OWN / "ev_stdp.mod", OWN / "ev_intfire.mod"])


def our_synapses(mods):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    sim_labels = []
    for kind, make in (("ExpSyn", lambda: mods.ExpSyn(tau=2.0)), ("Exp2Syn", lambda: Exp2Syn(tau1=0.5, tau2=2.0))):
        for d in DELAYS:
            for j, t in enumerate(TIMES):
                net.spike_train([t], 0, make(), delay=d, weight=WEIGHT, t_max=0.0, pulse=0.0)
                sim_labels.append((kind, f"{kind}{d}_{j}"))
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    count = {"ExpSyn": 0, "Exp2Syn": 0}
    for kind, label in sim_labels:
        sim.record(f"{kind}[{count[kind]}].g", label=label)
        count[kind] += 1
    res = sim.run(TSTOP)
    return {k: np.asarray(res[k]).ravel() for k in ["v", *(lab for _, lab in sim_labels)]}


def test_train_arrivals_on_neurons_steps(mods):
    ref, ours = neuron_synapses(), our_synapses(mods)
    assert set(ref) == set(ours)
    # The arrival at T = 0 is in NEURON's first sample (finitialize), the others one sample after
    # their step: dt/2 (and 3 dt + dt/2 at NEURON's clock) ends the first (fourth) step's window.
    first = {k: int(np.flatnonzero(ref[k])[0]) for k in ref if k.startswith("ExpSyn0.0")}
    assert [first[f"ExpSyn0.0_{j}"] for j in range(len(TIMES))] == [0, 1, 1, 1, 2, 2, 4, 5, 9, 42], first
    for k in ref:
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    t = np.arange(len(ref["v"])) * DT
    spikes = [crossing_times(t, x, 0.0) for x in (ours["v"], ref["v"])]
    assert len(spikes[1]) >= 1 and len(spikes[0]) == len(spikes[1])
    assert np.max(np.abs(np.asarray(spikes[0]) - spikes[1])) < 0.05


#: Files reading ``t`` in NET_RECEIVE: {file: ({train: (weight, times ms, delay ms)}, traces, tstop)}.
#: ev_twostep (refractory 3.5 ms, second jump 3.01 ms after an accepted event): 0 in finitialize,
#: 2.0 + 2dt/3 refused as refractory, 6.0 + dt/2 exactly halfway (NEURON's clock puts it in the
#: step from 6.0), 10.0 + 2dt/3 and 14.5 + 0.4 dt (tstop as test_events.py's: one program for
#: both). ev_stdp: presynaptic trains A (delay 1.01 ms) and B, postsynaptic marks P (weight -1).
READERS = {
    "ev_twostep": ({"A": (0.004, [0.0, 2.0 + 2 * DT / 3, 6.0 + DT / 2, 10.0 + 2 * DT / 3, 14.5 + 0.4 * DT], 0.0)},
                   ("v", "g", "tlast"), 25.0),
    "ev_stdp": ({"A": (0.003, [2.0 + DT / 3, 8.0 + 2 * DT / 3, 14.0 + 0.3 * DT], 1.01),
                 "B": (0.005, [3.0 + 0.45 * DT, 9.5 + DT / 7, 15.0 + 0.6 * DT], 0.0),
                 "P": (-1.0, [5.0 + 0.2 * DT, 12.0 + 0.55 * DT], 0.0)}, ("v", "g", "wlast", "tpost"), 20.0),
}


def neuron_reader(name: str):
    trains, traces, tstop = READERS[name]
    h = neuron_events() if name == "ev_twostep" else neuron_plastic()
    sec = _neuron_cell(h, f"{name}_timing")
    syn = getattr(h, name)(sec(0.5))
    ncs, events = [], []
    for w, times, d in trains.values():
        ncs.append(h.NetCon(None, syn))
        ncs[-1].weight[0] = w
        events += [(ncs[-1], t + d) for t in times]
    recs = {"v": sec(0.5)._ref_v, **{k: getattr(syn, f"_ref_{k}") for k in traces[1:]}}
    out = _neuron_run(h, sec, recs, events, tstop)
    del ncs, syn, sec
    return out


def our_reader(mods, name: str):
    trains, traces, tstop = READERS[name]
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(getattr(mods, name)(), 0, t_max=0.0, pulse=0.0)
    for w, times, d in trains.values():
        net.spike_train(times, 0, synapse=handle, weight=w, delay=d)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in (*traces[1:], "events_lost"):
        sim.record(f"{name}[0].{k}", label=k)
    res = sim.run(tstop)
    return {k: np.asarray(res[k]).ravel() for k in (*traces, "events_lost")}


@pytest.mark.parametrize("name", list(READERS))
def test_net_receive_reads_the_events_own_time(mods, name):
    ref, ours = neuron_reader(name), our_reader(mods, name)
    assert ours["events_lost"].max() == 0
    for k in ("v", "g", "wlast"):
        if k in ref:
            assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    # Times read in NET_RECEIVE (from -1e9 at INITIAL): NEURON's T itself against ours, t_n + (T - t_n):
    # round-off of 1e-15 ms; the step's start would be off by up to dt/2 (0.0125 ms).
    for k in ("tlast", "tpost"):
        if k in ref:
            assert np.max(np.abs(ours[k] - ref[k])) < 1e-9, (k, np.max(np.abs(ours[k] - ref[k])))
    assert len(np.unique(ref[traces_key(name)])) > 2  # the times were read (events accepted)


def traces_key(name: str) -> str:
    return "tlast" if name == "ev_twostep" else "tpost"


#: Event sources with delays off the grid: X (ev_intfire, firing at each input: net_event at the
#: input's own time) fed off-grid times (dt/3, 2dt/3, 0.45 dt, 0.15 dt past a step); X -> ExpSyn on
#: B with 1.01 ms (0.4 dt past 40 steps: X's first, third and fourth spikes arrive a step later than
#: the spike's step + 40) and X -> ev_twostep on B with 0.99 ms (-0.4 dt: the second a step
#: earlier); an hh cell A's threshold crossings -> a second ev_twostep on B with 1.01 ms.
X_TIMES = [1.0 + DT / 3, 5.0 + 2 * DT / 3, 9.0 + 0.45 * DT, 13.0 + 0.15 * DT]
SOURCES_TSTOP = 30.0


def neuron_sources():
    h = neuron_events()
    a, b = _neuron_cell(h, "src_a"), _neuron_cell(h, "src_b")
    stim = h.IClamp(a(0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 50.0, 0.2
    x, syn, ts1, ts2 = h.ev_intfire(), h.ExpSyn(b(0.5)), h.ev_twostep(b(0.5)), h.ev_twostep(b(0.5))
    x.tau, x.refrac, syn.tau = 30.0, 2.0, 2.0
    feed = h.NetCon(None, x)
    feed.weight[0] = 1.2
    ncs = [h.NetCon(x, syn), h.NetCon(x, ts1), h.NetCon(a(0.5)._ref_v, ts2, sec=a)]
    for nc, (delay, w) in zip(ncs, [(1.01, 0.002), (0.99, 0.004), (1.01, 0.004)]):
        nc.threshold, nc.delay, nc.weight[0] = 0.0, delay, w
    recs = {"v": b(0.5)._ref_v, "g": syn._ref_g, "g1": ts1._ref_g, "tlast1": ts1._ref_tlast,
            "g2": ts2._ref_g, "tlast2": ts2._ref_tlast}
    out = _neuron_run(h, b, recs, [(feed, t) for t in X_TIMES], SOURCES_TSTOP)
    del ncs, feed, x, syn, ts1, ts2, stim, a, b
    return out


def our_sources(mods):
    a = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    b = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([a, b])
    x = net.artificial(mods.ev_intfire(tau=30.0, refrac=2.0))
    net.spike_train(X_TIMES, x, weight=1.2)
    net.connect(x, b, mods.ExpSyn(tau=2.0), weight=0.002, delay=1.01, t_max=0.0, pulse=0.0)
    net.connect(x, b, mods.ev_twostep(), weight=0.004, delay=0.99, t_max=0.0, pulse=0.0)
    net.connect(a, b, mods.ev_twostep(), weight=0.004, delay=1.01, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(a.soma, amplitude=0.2, delay=1.0, duration=50.0))
    sim.record("v", Site(1, b.soma), label="v")
    sim.record("ExpSyn[0].g", label="g")
    for k in (1, 2):
        sim.record(f"ev_twostep[{k - 1}].g", label=f"g{k}")
        sim.record(f"ev_twostep[{k - 1}].tlast", label=f"tlast{k}")
    res = sim.run(SOURCES_TSTOP)
    return {k: np.asarray(res[k]).ravel() for k in ("v", "g", "g1", "tlast1", "g2", "tlast2")}


def test_event_sources_with_delays_off_the_grid(mods):
    ref, ours = neuron_sources(), our_sources(mods)
    assert len(np.unique(ref["tlast2"])) > 2  # A fired and its events were accepted
    for k in ("v", "g", "g1", "g2"):
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    # NEURON's threshold-detected spike time carries 1e-10 ms past the step's t (test_artificial.py):
    # 1e-8 ms; an event read at its step's start would be 0.01 ms off.
    for k in ("tlast1", "tlast2"):
        assert np.max(np.abs(ours[k] - ref[k])) < 1e-8, (k, np.max(np.abs(ours[k] - ref[k])))


def test_initials_self_event_at_zero_is_in_the_first_sample():
    """watch_detect's INITIAL sends net_send(0, 1), whose NET_RECEIVE arms the WATCH (tarm = t):
    NEURON delivers it in finitialize, so its first sample shows tarm = 0; ours too
    (``synapses.at_finitialize``), every field equal at t = 0 (-1 there before: a whole unit off)."""
    from tests.io.nmodl.test_watch import DETECT_FIELDS, FILES, neuron_run, ours_run

    args = ("watch_detect", {"thresh": -20.0}, DETECT_FIELDS, "hh", (1.0, 20.0, 0.3), 25.0)  # test_watch.py's program
    ref = neuron_run(*args)
    ours = ours_run(load_mod([*FILES, share() / "modfile" / "hh.mod"]), *args)
    assert ref["tarm"][0] == 0.0
    for k in DETECT_FIELDS:
        assert ours[k][0] == ref[k][0], (k, ours[k][0], ref[k][0])


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest differences, nothing asserted."""
    m = mods.__wrapped__()  # the tests' fixture, called as a function

    def spikes(ours, ref):  # V's 0-mV crossings (crossing_times, as the first test)
        t = np.arange(len(ref["v"])) * DT
        mine, theirs = (np.asarray(crossing_times(t, x["v"], 0.0)) for x in (ours, ref))
        same = len(mine) == len(theirs) and len(mine)
        return f"{len(mine)} vs {len(theirs)}" + (f", times within {np.max(np.abs(mine - theirs)):.0e} ms" if same else "")

    def text(ours, ref, ranged, timed):
        out = ", ".join(f"{k} {rel(ours[k], ref[k]):.1e}" for k in ranged) + " (of each trace's range)"
        return out + "".join(f"; {k} within {np.max(np.abs(ours[k] - ref[k])):.0e} ms" for k in timed)

    ref, ours = neuron_synapses(), our_synapses(m)
    g = {kind: max(rel(ours[k], ref[k]) for k in ref if k.startswith(kind)) for kind in ("ExpSyn", "Exp2Syn")}
    rows = [(f"ExpSyn (expsyn.mod) and Exp2Syn (ours) against NEURON's, on hh.mod, 6.3 °C: one synapse per arrival, "
             f"{len(TIMES)} times on and off the dt grid (0, dt/3, dt/2 and dt/2 ± 1e-9 ms, 3.5 dt, 40.5 dt, ...) "
             f"x delays {' and '.join(f'{d:g}' for d in DELAYS)} ms", [share() / "modfile" / "expsyn.mod"],
             f"v {rel(ours['v'], ref['v']):.1e}, ExpSyn g {g['ExpSyn']:.1e}, Exp2Syn g {g['Exp2Syn']:.1e} "
             f"(largest over the {len(TIMES) * len(DELAYS)} synapses of each; of each trace's range)", spikes(ours, ref))]
    for name, (trains, traces, _) in READERS.items():
        ref, ours = neuron_reader(name), our_reader(m, name)
        rows.append((f"{name} ({name}.mod, reads t in NET_RECEIVE) on hh.mod, 6.3 °C, {len(trains)} train{'s' * (len(trains) > 1)} off the "
                     "dt grid", [OWN / f"{name}.mod"],
                     text(ours, ref, [k for k in traces if k != traces_key(name)], [traces_key(name)]), spikes(ours, ref)))
    ref, ours = neuron_sources(), our_sources(m)
    rows.append(("ev_intfire (ev_intfire.mod, an ARTIFICIAL_CELL fed off-grid times) into ExpSyn (delay 1.01 ms) and "
                 "ev_twostep (0.99 ms) on an hh cell, an hh cell's crossings into ev_twostep (1.01 ms), 6.3 °C",
                 [OWN / "ev_intfire.mod", share() / "modfile" / "expsyn.mod", OWN / "ev_twostep.mod"],
                 text(ours, ref, ("v", "g", "g1", "g2"), ("tlast1", "tlast2")), spikes(ours, ref)))
    return rows
