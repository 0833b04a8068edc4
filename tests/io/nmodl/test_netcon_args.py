"""NET_RECEIVE's arguments beyond the weight: NEURON's per-NetCon state (issue 18), side by side with
NEURON compiling the same files (mod_events/ev_pulse.mod, ev_nmda.mod: kinetic synapses in the
style of Destexhe et al. 1994, the form of the most common published synapse files).

In NEURON ``NET_RECEIVE(weight, on, nspike, r0, t0 (ms))`` makes on, nspike, r0, t0 the NetCon's
weight[1..4]: each connection onto one synapse keeps its own, 0 at finitialize unless the INITIAL
inside NET_RECEIVE sets them (run per NetCon), and a self-event sent by ``net_send`` from an
event brings back the sender's when it arrives (``flag == nspike``: only the connection's latest
spike ends its pulse). ``state_discontinuity(x, value)`` is ``x = value`` at the fixed step.

Protocol: two connections with different weights onto one synapse, spikes within the pulse
(Cdur), so that ``on`` matters (a connection's second spike during its pulse extends it, the other
connection's spike starts a pulse of its own). Tolerance: 1e-6 of each trace's range (issue 18);
both sides run the same formulas at the same event times in float64, so what is left is round-off
(1e-12 or less). Shared arguments, a pulse ended by the wrong self-event, or a delivery a step off
miss by 1e-2 of the range or more.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import mod_file, neuron_with_mods, share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TOL = 1e-6
TSTOP = 12.0
#: (weight µS, spike times ms) of the two connections onto one ev_pulse: A's 2.5 falls in its own
#: pulse (2.0 + Cdur 1.1: extended to 3.6), B's 2.25 in A's (a pulse of its own: synon = wA + wB).
PULSE = {"A": (0.002, [2.0, 2.5, 6.0]), "B": (0.005, [2.25, 4.0, 6.05])}
PULSE_TRACES = ("v", "Ron", "Roff", "synon", "last_w")


def files():
    return [OWN / "ev_pulse.mod", OWN / "ev_nmda.mod"]


def neuron_netcon():
    """NEURON's h with ev_pulse and ev_nmda loaded (compiled once, cached), or skip."""
    return neuron_loaded(files(), "nrnmech-netcon-args", "the NetCon-argument test files")


@pytest.fixture(scope="module")
def mods():
    return load_mod([*files(), share() / "modfile" / "hh.mod", mod_file("nm_cadecay")])


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def neuron_pulse():
    """NEURON: ev_pulse on an hh compartment (20 x 20 µm, 6.3 °C), two source-less NetCons."""
    h = neuron_netcon()
    sec = h.Section(name="ev_pulse_cell")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = h.ev_pulse(sec(0.5))
    ncs = []
    for w, _ in PULSE.values():
        ncs.append(h.NetCon(None, syn))
        ncs[-1].weight[0] = w
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, (_, ts) in zip(ncs, PULSE.values()) for t in ts])
    rec = {"v": h.Vector().record(sec(0.5)._ref_v)}
    rec.update({k: h.Vector().record(getattr(syn, f"_ref_{k}")) for k in PULSE_TRACES[1:]})
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    del fih, ncs, syn, sec
    return ref


def pulse_sim(mods):
    """Ours: the same, the two connections as two spike trains onto one synapse (one instance)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(mods.ev_pulse(), 0, t_max=0.0, pulse=0.0)
    for w, times in PULSE.values():
        net.spike_train(times, 0, synapse=handle, weight=w)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in (*PULSE_TRACES[1:], "events_lost"):
        sim.record(f"ev_pulse[0].{k}", label=k)
    return sim


@pytest.fixture(scope="module")
def pulse(mods):
    """The simulation, its parameters, its jitted run function and its traces (one program)."""
    sim = pulse_sim(mods)
    res = sim.run(TSTOP)
    return sim, sim.parameters(), sim.function(TSTOP), {k: np.asarray(res[k]).ravel() for k in (*PULSE_TRACES, "events_lost")}


def test_per_netcon_arguments_match_neuron(pulse):
    ref, (_, _, _, ours) = neuron_pulse(), pulse
    wa, wb = PULSE["A"][0], PULSE["B"][0]
    # Both pulses on at once only if each connection has its own `on`: with shared arguments B's
    # spike at 2.25 ms would find on = 1 and add nothing (synon would stay wA).
    for side in (ref, ours):
        assert np.isclose(side["synon"].max(), wa + wb, rtol=1e-12), side["synon"].max()
        assert np.isclose(side["synon"][-1], 0.0, atol=1e-15)  # every pulse ended by its own self-event
    # A's second spike (2.5 ms) extends its pulse to 3.6 ms: synon = wA from B's end (3.35) to 3.6.
    t = np.arange(len(ref["synon"])) * DT
    window = (t > 3.4) & (t < 3.55)
    assert np.allclose(ours["synon"][window], wa, rtol=1e-12) and np.allclose(ref["synon"][window], wa, rtol=1e-12)
    for k in PULSE_TRACES:
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    assert ours["events_lost"].max() == 0


def test_arguments_shared_between_netcons_would_differ(mods, pulse):
    """The protocol tells shared arguments from per-connection ones: the same spikes through one
    connection carrying both trains (as if the arguments were shared) end far from NEURON's."""
    ref = neuron_pulse()
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(mods.ev_pulse(), 0, t_max=0.0, pulse=0.0)
    times = sorted(PULSE["A"][1] + PULSE["B"][1])
    net.spike_train(times, 0, synapse=handle, weight=PULSE["A"][0])
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("ev_pulse[0].Ron", label="Ron")
    shared = np.asarray(sim.run(TSTOP)["Ron"]).ravel()
    assert rel(shared, ref["Ron"]) > 1e-2


def test_jit_vmap_and_grad_through_netcon_arguments(pulse):
    """The jitted function equals the run; a vmapped batch over B's weight equals the runs one by
    one; d(mean V)/d(B's weight) by jax.grad (through the arguments, the self-events and
    state_discontinuity) equals a central difference (V below threshold is smooth in the weight:
    a step of 1e-7 µS leaves truncation ~1e-9 of the gradient, inside the 1e-6 asked)."""
    import jax
    import jax.numpy as jnp

    _sim, base, f, ours = pulse
    assert np.max(np.abs(np.asarray(f(base))[:, 0] - ours["v"])) < 1e-12 * np.ptp(ours["v"])

    def with_wb(params, wb):
        w = jnp.asarray(params["syn"]["ev_pulse"]["weight"])
        return {**params, "syn": {**params["syn"], "ev_pulse": {**params["syn"]["ev_pulse"], "weight": w.at[1].set(wb)}}}

    wbs = jnp.array([0.004, 0.005])
    many = jax.vmap(lambda wb: f(with_wb(base, wb))[:, 0])(wbs)
    for k, wb in enumerate(wbs):
        assert np.max(np.abs(np.asarray(many[k]) - np.asarray(f(with_wb(base, wb))[:, 0]))) < 1e-12 * np.ptp(ours["v"])

    def loss(wb):
        return jnp.mean(f(with_wb(base, wb))[:, 0])

    x = jnp.asarray(0.001)  # below threshold: V smooth in the weight
    grad = float(jax.grad(loss)(x))
    fd = float((loss(x + 1e-7) - loss(x - 1e-7)) / 2e-7)
    assert grad > 0 and abs(grad - fd) < 1e-6 * abs(fd), (grad, fd)


#: The NMDA-type synapse: a presynaptic hh cell's spikes (Network.connect, delay 1 ms) and a spike
#: train onto one ev_nmda on a second hh cell with a Ca pool (nm_cadecay) that integrates its ica.
NMDA_TSTOP = 20.0
NMDA_W = {"connect": 0.05, "train": 0.1}  # µS: the second cell fires once (the Mg2+ block opens)
NMDA_TRAIN = [3.0, 3.5, 9.0]
NMDA_TRACES = ("v", "Ron", "Roff", "cai")


def neuron_nmda(fca=0.1):
    """NEURON: the NMDA-type synapse's protocol above; ``fca``: the fraction of its current in ica."""
    h = neuron_with_mods()  # nm_cadecay
    h = neuron_netcon()
    secs = []
    for k in range(2):
        sec = h.Section(name=f"ev_nmda_{k}")
        sec.L = sec.diam = 20.0
        sec.insert("hh")
        secs.append(sec)
    secs[1].insert("nm_cadecay")
    h.usetable_hh = 0
    stim = h.IClamp(secs[0](0.5))
    stim.delay, stim.dur, stim.amp = 1.0, 20.0, 0.2
    syn = h.ev_nmda(secs[1](0.5))
    syn.fca = fca
    nc = h.NetCon(secs[0](0.5)._ref_v, syn, sec=secs[0])
    nc.threshold, nc.delay, nc.weight[0] = 0.0, 1.0, NMDA_W["connect"]
    train = h.NetCon(None, syn)
    train.weight[0] = NMDA_W["train"]
    fih = h.FInitializeHandler(lambda: [train.event(t) for t in NMDA_TRAIN])
    rec = {"v": h.Vector().record(secs[1](0.5)._ref_v), "Ron": h.Vector().record(syn._ref_Ron),
           "Roff": h.Vector().record(syn._ref_Roff), "cai": h.Vector().record(secs[1](0.5)._ref_cai)}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(NMDA_TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    del fih, train, nc, syn, stim, secs
    return ref


def ours_nmda(mods):
    pre = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    post = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh()).insert(mods.nm_cadecay())
    net = Network([pre, post])
    handle = net.synapse(mods.ev_nmda(), 1, t_max=0.0, pulse=0.0)
    net.connect(pre, post, synapse=handle, weight=NMDA_W["connect"], delay=1.0)
    net.spike_train(NMDA_TRAIN, 1, synapse=handle, weight=NMDA_W["train"])
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(pre.soma, amplitude=0.2, delay=1.0, duration=20.0))
    sim.record("v", Site(1, post.soma), label="v")
    sim.record("ev_nmda[0].Ron", label="Ron")
    sim.record("ev_nmda[0].Roff", label="Roff")
    sim.record("nm_cadecay.cai", Site(1, post.soma), label="cai")
    res = sim.run(NMDA_TSTOP)
    return {k: np.asarray(res[k]).ravel() for k in NMDA_TRACES}


def test_nmda_writing_ica_into_a_pool_matches_neuron(mods):
    """A point process writing ica (nA): NEURON adds it to the segment's ica as a density
    (x 100 / area µm²), which the pool integrates; ours the same. V, Ron, Roff and cai within 1e-6
    of their range."""
    ref, ours = neuron_nmda(), ours_nmda(mods)
    # The synapse's ica moves the pool: without it (fca = 0) cai is 0.76 of its range away.
    assert rel(neuron_nmda(fca=0.0)["cai"], ref["cai"]) > 0.1
    assert ref["v"].max() > 0.0  # the second cell fires
    for k in NMDA_TRACES:
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))


BAD = """NEURON {{ POINT_PROCESS ev_bad }}
STATE {{ g }}
BREAKPOINT {{ SOLVE s METHOD cnexp }}
DERIVATIVE s {{ g' = -g }}
{body}
"""


@pytest.mark.parametrize("body, line, what", ids=["initial-sets-state", "discontinuity-outside"],
                         argvalues=[  # (an INITIAL that sets the weight runs: test_weight_zero.py)
    ("NET_RECEIVE(w, n) {\n  INITIAL { g = 1 }\n  n = n + 1\n}", 6, "INITIAL inside NET_RECEIVE setting 'g'"),
    ("INITIAL { state_discontinuity(g, 1) }\nNET_RECEIVE(w, n) {\n  n = n + 1\n}", 5,
     "state_discontinuity() outside NET_RECEIVE"),
])
def test_what_netcon_arguments_cannot_do_is_refused_with_its_line(tmp_path, body, line, what):
    path = tmp_path / "ev_bad.mod"
    path.write_text(BAD.format(body=body))
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert f"{path}:{line}: {what}" in str(err.value) and "\n" not in str(err.value), str(err.value)


def comparison_rows(mods) -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of this module's NEURON comparisons, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the same runs as the tests above."""
    ref = neuron_pulse()
    res = pulse_sim(mods).run(TSTOP)
    ours = {k: np.asarray(res[k]).ravel() for k in PULSE_TRACES}
    rows = [("ev_pulse (ev_pulse.mod) on hh.mod, 6.3 °C, two NetCons (0.002 µS at 2, 2.5, 6 ms; 0.005 µS at "
             "2.25, 4, 6.05 ms)", [OWN / "ev_pulse.mod"],
             ", ".join(f"{k} {rel(ours[k], ref[k]):.1e}" for k in PULSE_TRACES) + " (of each trace's range)",
             _spikes(ours["v"], ref["v"]))]
    r, o = neuron_nmda(), ours_nmda(mods)
    rows.append(("ev_nmda (ev_nmda.mod) writing ica into nm_cadecay on hh.mod, 6.3 °C: a spiking cell's NetCon "
                 "and a spike train onto one synapse", [OWN / "ev_nmda.mod", mod_file("nm_cadecay")],
                 ", ".join(f"{k} {rel(o[k], r[k]):.1e}" for k in NMDA_TRACES) + " (of each trace's range)",
                 _spikes(o["v"], r["v"])))
    return rows


def _spikes(ours, ref) -> str:
    """'n vs m' upward 0-mV crossings (ours vs NEURON's), with the largest difference of their steps."""
    up = [np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)) for x in (ours, ref)]
    same = len(up[0]) == len(up[1]) and len(up[0])
    return f"{len(up[0])} vs {len(up[1])}" + (f", times within {DT * np.max(np.abs(up[0] - up[1])):g} ms" if same else "")
