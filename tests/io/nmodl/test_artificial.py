"""Artificial cells (ARTIFICIAL_CELL) in a Network, side by side with NEURON's NetCons: the neuron
wheel's demo/release/invlfire.mod (IntervalFire: net_send, net_move, net_event; read from the
installed package) and mod_events/ev_intfire.mod (our IntFire1-style cell with a refractory
self-event), compiled by nrnivmodl once (tests/io/nmodl/test_events.py's helper).

The network: an hh cell A under a current step drives IntervalFire X (threshold 0 mV, delay 1 ms),
X drives ev_intfire Y (delay 1.5 ms: an artificial cell driving another, whose NET_RECEIVE sees the
exact spike time + delay, carried off the step grid), and both drive ExpSyn on an hh cell B (delay
2 ms). Spike times (net_event's t,
NEURON's ``NetCon.record``) and B's V are compared. NEURON and excitable deliver every event at the
step whose start is within dt/2 of its time, with NET_RECEIVE's ``t`` the event's own time. The
times differ only because NEURON's threshold-detected spike times carry 1e-10 ms more than the step's
t (A's spike, seen here: 15.425000000099658 ms), which IntervalFire's exponential and logarithm carry
into its next spike times (1e-10 to 1e-9 ms measured); spike times are asserted within 1e-8 ms (the
issue asks 0.05 ms: a step late or early is 0.025 ms, and a missed or extra spike fails the count)
and V within 1e-6 of its range (2e-13 measured).
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.model.network import Network, Site
from tests.io.nmodl.test_events import DT, mods, neuron_events, rel  # noqa: F401 (the fixture)

TSTOP = 60.0
W_A_X, W_X_Y, W_X_B, W_Y_B = 0.3, 0.7, 0.004, 0.003


def neuron_network():
    h = neuron_events()
    secs = []
    for k in range(2):
        sec = h.Section(name=f"art_{k}")
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        secs.append(sec)
    h.usetable_hh = 0
    stim = h.IClamp(secs[0](0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 50.0, 0.2
    x, y = h.IntervalFire(), h.ev_intfire()
    x.tau, x.invl, y.tau, y.refrac = 5.0, 10.0, 30.0, 2.0
    syn = h.ExpSyn(secs[1](0.5))
    syn.tau = 2.0
    ncs = [h.NetCon(secs[0](0.5)._ref_v, x, sec=secs[0]), h.NetCon(x, y), h.NetCon(x, syn), h.NetCon(y, syn)]
    for nc, (delay, w) in zip(ncs, [(1.0, W_A_X), (1.5, W_X_Y), (2.0, W_X_B), (2.0, W_Y_B)]):
        nc.threshold, nc.delay, nc.weight[0] = 0.0, delay, w
    tx, ty = h.Vector(), h.Vector()
    ncs[2].record(tx)
    ncs[3].record(ty)
    vb = h.Vector().record(secs[1](0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    out = {"x": np.array(tx), "y": np.array(ty), "b": np.array(vb)}
    del ncs, x, y, syn, stim, secs
    return out


def our_network(mods):
    a = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    b = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([a, b])
    x = net.artificial(mods.IntervalFire(tau=5.0, invl=10.0))
    y = net.artificial(mods.ev_intfire(tau=30.0, refrac=2.0))
    net.connect(a, x, weight=W_A_X, delay=1.0)
    net.connect(x, y, weight=W_X_Y, delay=1.5)
    syn = net.synapse(mods.ExpSyn(tau=2.0), b, t_max=0.0, pulse=0.0)
    net.connect(x, b, synapse=syn, weight=W_X_B, delay=2.0)
    net.connect(y, b, synapse=syn, weight=W_Y_B, delay=2.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(a.soma, amplitude=0.2, delay=1.0, duration=50.0))
    sim.record("v", Site(1, b.soma), label="b")
    sim.record("IntervalFire[0].spike_t", label="x")
    sim.record("ev_intfire[0].spike_t", label="y")
    return sim


def spike_times(trace):
    """The distinct net_event times in a recorded ``spike_t`` (-1 before the first)."""
    trace = np.asarray(trace).ravel()
    return trace[1:][np.diff(trace) != 0]


@pytest.fixture(scope="module")
def both(mods):
    sim = our_network(mods)
    res = sim.run(TSTOP)
    return neuron_network(), {k: np.asarray(res[k]).ravel() for k in ("b", "x", "y")}


def test_artificial_cells_spike_as_neuron(both):
    ref, ours = both
    assert len(ref["x"]) >= 4 and len(ref["y"]) >= 2, ref  # both fire, driven and (x) on their own
    for k in ("x", "y"):
        got = spike_times(ours[k])
        assert len(got) == len(ref[k]), (k, got, ref[k])
        assert np.max(np.abs(got - ref[k])) < 1e-8, (k, got, ref[k])


def test_artificial_cells_drive_a_cell_as_neuron(both):
    ref, ours = both
    assert ref["b"].max() > 0.0  # B fires from the artificial cells' input
    assert rel(ours["b"], ref["b"]) < 1e-6


def test_mod_check_names_an_artificial_cell_and_its_events():
    from excitable.io.nmodl.check import check_file
    from tests.io.nmodl.neuron_side import share

    report, n = check_file(share() / "nrn" / "demo" / "release" / "invlfire.mod")
    assert n == 0 and report[0].endswith("IntervalFire (artificial cell)"), report
    assert any(line.strip().startswith("events: net_send, net_event, net_move, flag") for line in report), report


def comparison_rows(mods) -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) for the table in docs/nmodl.md (benchmarks/nmodl_table.py)."""
    from tests.io.nmodl.neuron_side import share
    from tests.io.nmodl.test_events import OWN

    ref = neuron_network()
    res = our_network(mods).run(TSTOP)
    spikes = []
    for k, name in (("x", "IntervalFire"), ("y", "ev_intfire")):
        got = spike_times(np.asarray(res[k]))
        within = f", within {np.max(np.abs(got - ref[k])):.0e} ms" if len(got) == len(ref[k]) else ""
        spikes.append(f"{name} {len(got)} vs {len(ref[k])}{within}")
    return [("IntervalFire (invlfire.mod) + ev_intfire (ev_intfire.mod) in a network: an hh cell drives "
             "IntervalFire, which drives ev_intfire (delay 1.5 ms); both drive a second hh cell through ExpSyn",
             [share() / "nrn" / "demo" / "release" / "invlfire.mod", OWN / "ev_intfire.mod"],
             f"driven cell's v {rel(np.asarray(res['b']).ravel(), ref['b']):.1e} (of its range)", "; ".join(spikes))]


def test_mod_compare_reads_two_net_events_of_one_step_and_refuses_three(tmp_path, capsys):
    """``mod compare`` of an artificial cell takes its net_event times from each step's count, last
    time and first offset: two in one step (ev_burst.mod, 0.01 ms apart) are both compared with
    NEURON's (recorded by a NetCon to None), the same count and times as the report prints them
    (0.001 ms; NEURON's and ours differ by round-off of t + gap); three in one step leave the middle one unrecorded and are refused in one line."""
    import re
    import shutil
    from pathlib import Path

    from excitable.interfaces.cli.main import main

    shutil.copy(Path(__file__).parent / "mod_events" / "ev_burst.mod", tmp_path)
    code = main(["mod", "compare", str(tmp_path), "--tstop", "8"])
    out, err = capsys.readouterr()
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out + err
    line = next(ln for ln in out.splitlines() if ln.startswith("spikes (ev_burst output)"))
    ours, theirs = (np.array([float(x) for x in re.findall(r"-?\d+\.\d+", part)])
                    for part in line.split("NEURON"))
    assert len(ours) == len(theirs) >= 8 and np.array_equal(ours, theirs), line
    assert np.allclose(ours[:4], [1.0, 1.01, 3.01, 3.02], rtol=0, atol=1e-9)  # pairs inside one step
    code = main(["mod", "compare", str(tmp_path), "--tstop", "8", "--set", "ev_burst.nburst=3"])
    _, err = capsys.readouterr()
    assert code == 2 and re.fullmatch(r"excitable: error: mod compare: ev_burst sent 3 net_events in the step "
                                      r"at t = [\d.]+ ms; only two a step are compared \(reduce dt\)\n", err), err
