"""NEURON's events in imported point processes (io/nmodl/events.py, artificial.py), side by side with
NEURON compiling the same files with nrnivmodl (compiled once, cached: tests/reference/nrnmech.py):

- ``net_send`` self-events, NET_RECEIVE's ``flag`` and ``t``: mod_events/ev_twostep.mod (a refractory
  synapse whose accepted event sends itself a second jump 3.01 ms later, off the dt grid) on an
  hh compartment, driven by a source-less NetCon's events (NEURON) and ``Network.spike_train`` (ours);
- ELECTRODE_CURRENT with ``t``: the wheel's stim.mod (IClamp) and svclmp.mod (SEClamp), read from
  the installed package, against NEURON's built-in IClamp and SEClamp (compiled from those files);
- what cannot be run is refused with its line (VERBATIM in netstim.mod and pattern.mod, net_send
  outside NET_RECEIVE/INITIAL, ...); a full self-event queue grows (test_queue_growth.py).

Tolerance: 1e-6 of each trace's range (issue 18); both sides are float64 with the same formulas
and the same event times, so what is left is round-off (1e-12 or less). A jump delivered a step early
or late, or a refractory event wrongly accepted, is off by 1e-2 to 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TOL = 1e-6
#: Event times (ms, on the dt grid): 4.0 falls in the refractory period of 2.0 (3.5 ms) and is
#: ignored; the others are accepted and each sends a second jump 3.01 ms later.
TIMES = [2.0, 4.0, 6.0, 14.5]
TSTOP = 25.0  # every run of ev_twostep here: one compiled program for all (the plan and the steps)


def own_files():
    return [OWN / "ev_twostep.mod", OWN / "ev_intfire.mod", share() / "nrn" / "demo" / "release" / "invlfire.mod"]


def neuron_events():
    """NEURON's h with this module's mechanisms loaded (compiled once), or skip."""
    return neuron_loaded(own_files(), "nrnmech-events", "the event test files")


@pytest.fixture(scope="module")
def mods():
    return load_mod([*own_files(), *(share() / "modfile" / f for f in ("hh.mod", "expsyn.mod", "stim.mod")),
                     share() / "modfile" / "svclmp.mod"])


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def _twostep_sim(mods, times, **params):
    """An hh compartment (20 x 20 µm) with ev_twostep driven by a spike train, recording V, g,
    tlast and events_lost."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    net.spike_train(times, 0, mods.ev_twostep(**params), weight=0.004, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in ("g", "tlast", "events_lost"):
        sim.record(f"ev_twostep[0].{k}", label=k)
    return sim


def neuron_twostep():
    """NEURON: ev_twostep on an hh compartment, fed TIMES by a source-less NetCon."""
    h = neuron_events()
    sec = h.Section(name="ev_twostep_cell")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = h.ev_twostep(sec(0.5))
    nc = h.NetCon(None, syn)
    nc.weight[0] = 0.004
    fih = h.FInitializeHandler(lambda: [nc.event(t) for t in TIMES])
    rec = {"v": h.Vector().record(sec(0.5)._ref_v), "g": h.Vector().record(syn._ref_g),
           "tlast": h.Vector().record(syn._ref_tlast)}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    del fih, nc, syn, sec
    return ref


def ours_twostep(mods):
    res = _twostep_sim(mods, TIMES).run(TSTOP)
    return {k: np.asarray(res[k]).ravel() for k in ("v", "g", "tlast", "events_lost")}


def test_net_send_self_events_match_neuron(mods):
    ref, ours = neuron_twostep(), ours_twostep(mods)
    jumps = np.flatnonzero(np.diff(ref["g"]) > 0) + 1  # samples right after each jump
    # Jumps of w at 2, 6 and 14.5 ms, of w/2 at 5.01, 9.01 and 17.51 ms: delivered at the step
    # whose start is within dt/2 (NEURON's fixed step), so recorded one sample later.
    assert list(jumps) == [81, 201, 241, 361, 581, 701], jumps
    for k in ("v", "g"):
        assert rel(ours[k], ref[k]) < TOL, k
    # Event times: NEURON's is the event's own (2.0); ours the step's clock, the same sum of
    # half steps NEURON's t is (round-off of 1e-13 ms after 600 steps, not a step: 0.025 ms).
    assert np.max(np.abs(ours["tlast"] - ref["tlast"])) < 1e-9, np.max(np.abs(ours["tlast"] - ref["tlast"]))
    assert ours["events_lost"].max() == 0


def _clamped(h, kind: str, params: dict):
    """NEURON: an hh compartment (20 x 20 µm, 6.3 °C) with its built-in ``kind`` (IClamp or
    SEClamp, which NEURON compiles from the same stim.mod and svclmp.mod)."""
    sec = h.Section(name=f"ev_{kind}")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    stim = getattr(h, kind)(sec(0.5))
    for k, x in params.items():
        setattr(stim, k, x)
    rec = {"v": h.Vector().record(sec(0.5)._ref_v), "i": h.Vector().record(stim._ref_i)}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(20.0)
    out = {k: np.array(x) for k, x in rec.items()}
    del stim, sec
    return out


def _ours(mods, stim):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    cell.place(stim, cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", label="v")
    sim.record(f"{type(stim).__name__}[0].i", label="i")
    res = sim.run(20.0)
    return {k: np.asarray(res[k]).ravel() for k in ("v", "i")}


#: (NEURON's built-in, parameters, the wheel's file it is compiled from)
CLAMPS = [
    ("IClamp", {"dur": 5.0, "amp": 0.3}, "stim.mod"),  # + del = 1.0 ms (``delay`` in Python, as NEURON's)
    ("SEClamp", {"rs": 0.5, "dur1": 3.0, "amp1": -70.0, "dur2": 6.0, "amp2": 10.0, "dur3": 4.0, "amp3": -40.0},
     "svclmp.mod"),
]


@pytest.mark.parametrize("kind, params", [c[:2] for c in CLAMPS])
def test_electrode_currents_with_t_match_neuron(mods, kind, params):
    h = neuron_events()
    full = {**params, "delay": 1.0} if kind == "IClamp" else params
    ref = _clamped(h, kind, full)
    ours = _ours(mods, getattr(mods, kind)(**full))
    assert np.ptp(ref["v"]) > 50.0  # the cell fires (IClamp) or is stepped over 80 mV (SEClamp)
    assert rel(ours["v"], ref["v"]) < TOL
    # i: NEURON records the i of the step that ended. IClamp's is amp within [del, del + dur) at the
    # step's middle, as ours. SEClamp's is (vc - v)/rs at the step's end V (its after_cvode SOLVE),
    # ours the current the step used: the same, the implicit step's current at the new V.
    assert rel(ours["i"][1:], ref["i"][1:]) < TOL


def test_pattern_is_refused_for_its_verbatim_and_netstim_is_not(tmp_path):
    """The wheel's pattern.mod holds C code (VERBATIM) its blocks run: refused, each VERBATIM with
    its line (the lines are found in the installed files, so a new NEURON release keeps this honest).
    netstim.mod's C is only in PROCEDUREs for hoc (noiseFromRandom...), which nothing in the file
    calls: it loads (its noise beside NEURON's: test_random_draws.py)."""
    assert load_mod(share() / "modfile" / "netstim.mod").__name__ == "NetStim"
    for name in ("pattern.mod",):
        path = share() / "modfile" / name
        lines = path.read_text().splitlines()
        first = next(n for n, line in enumerate(lines, 1) if line.strip().startswith("VERBATIM"))
        with pytest.raises(ModelError) as err:
            load_mod(path)
        assert str(err.value).startswith(f"{path}:") and "\n" not in str(err.value)
        report, n = check_file(path)
        assert n >= 1 and any(r.strip().startswith(f"{path}:{first}: VERBATIM (C code) not supported")
                              for r in report), report


SYN = """NEURON {
    POINT_PROCESS ev_bad
    RANGE tau
    NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 2 (ms) }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL { g = 0 %s }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - 0)
}
DERIVATIVE state { g' = -g/tau }
PROCEDURE p() { %s }
NET_RECEIVE (%s) {
    if (flag == 0) { g = g + w }
    %s
}
"""

#: case -> (INITIAL extra, PROCEDURE body, NET_RECEIVE arguments, NET_RECEIVE extra, line, message)
REFUSED = {
    "net_send_in_procedure": ("", "net_send(1, 1)", "w", "", 15, "net_send() outside NET_RECEIVE and INITIAL"),
    "net_move_in_initial": ("net_move(1)", "", "w", "", 9, "net_move() outside NET_RECEIVE"),
    # v in NET_RECEIVE is run (the segment's V at delivery; a write resets it): test_watch.py
    # more arguments are per-NetCon state (test_netcon_args.py), so is a written weight (test_plasticity.py)
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_event_path_cannot_run_is_refused_with_its_line(case, tmp_path):
    init, proc, args, extra, line, what = REFUSED[case]
    path = tmp_path / f"{case}.mod"
    path.write_text(SYN % (init, proc, args, extra))
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:{line}: {what}") and "\n" not in str(err.value), str(err.value)


def test_an_artificial_cell_with_a_current_is_refused(tmp_path):
    path = tmp_path / "art.mod"
    path.write_text("NEURON {\n    ARTIFICIAL_CELL art\n    NONSPECIFIC_CURRENT i\n}\nASSIGNED { v i }\n"
                    "BREAKPOINT { i = 0 }\nNET_RECEIVE (w) { net_event(t) }\n")
    with pytest.raises(ModelError, match=rf"^{path}:2: ARTIFICIAL_CELL with a membrane current"):
        load_mod(path)




def test_network_rules_for_mechanisms_with_events(mods):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    crowded = Network([ex.Cell.cylinder(length=20.0, diameter=20.0)])
    # spikes sharing a step run in lanes of their own (test_train_bursts.py), up to 16 a step
    crowded.spike_train(np.linspace(0.99, 1.01, 17), 0, mods.ev_twostep(), weight=0.001, t_max=0.0, pulse=0.0)
    with pytest.raises(ModelError, match=r"17 spikes within one step \(0.025 ms, the step from 1 ms\) reach ev_twostep\[0\]"):
        ex.Simulation(crowded, dt=DT).run(2.0)
    x = net.artificial(mods.IntervalFire())
    net.connect(cell, x, weight=-0.2)  # inhibition: NEURON's weights take any sign
    net.connect(cell, x, weight=0.0)  # an event all the same (NEURON's; test_weight_zero.py)
    for bad in ({"p": 0.5}, {"U": 0.5}, {"tau_rec": 10.0}):
        with pytest.raises(ModelError, match=r"IntervalFire\[0\] takes NEURON's events: its weight delivered as is"):
            net.connect(cell, x, weight=0.1, **bad)
    with pytest.raises(ModelError, match=r"expected an imported ARTIFICIAL_CELL"):
        net.artificial(mods.ExpSyn())
    net.connect(x, cell, mods.ExpSyn(), weight=0.001, delay=0.0, t_max=0.0, pulse=0.0)
    with pytest.raises(ModelError, match=r"the delay from IntervalFire\[0\] must be at least dt"):
        ex.Simulation(net, dt=DT).run(1.0)


@pytest.fixture(scope="module")
def one_event(mods):
    """One event at 2 ms and its second jump at 5.01 ms: the simulation, its parameters, its jitted
    run function and its V (the programs are compiled once for the three tests below)."""
    sim = _twostep_sim(mods, [2.0])
    return sim, sim.parameters(), sim.function(TSTOP), np.asarray(sim.run(TSTOP)["v"]).ravel()


def test_jit_through_self_events(one_event):
    """The jitted run function (``Simulation.function``) equals the run to round-off."""
    _sim, base, f, v = one_event
    assert np.max(np.abs(np.asarray(f(base))[:, 0] - v)) < 1e-12 * np.ptp(v)


def test_vmap_through_self_events(one_event):
    """A vmapped batch over the second jump's size equals the runs one by one (round-off: 1e-12 of
    the range), and the size moves V."""
    import jax

    sim, base, _, _ = one_event
    fracs = np.array([0.0, 0.5, 1.5])
    batch = jax.tree.map(lambda x: np.stack([np.asarray(x)] * 3), base)
    many = np.asarray(sim.run_batch(TSTOP, ex.with_param(batch, "ev_twostep.frac", fracs[:, None]))["v"])
    for k, fr in enumerate(fracs):
        one = np.asarray(sim.run(TSTOP, params=ex.with_param(base, "ev_twostep.frac", np.array([fr])))["v"]).ravel()
        assert np.max(np.abs(many[k] - one)) < 1e-12 * np.ptp(one), k
    assert np.ptp(many[2] - many[0]) > 1e-3


def test_grad_through_self_events(one_event):
    """d(mean V)/d(frac) by jax.grad through the queue and the self-event's jump equals a central
    difference (V is smooth in frac below threshold: step 1e-4 leaves truncation ~1e-9 of the
    gradient, far inside 1e-6)."""
    import jax
    import jax.numpy as jnp

    _, base, f, _ = one_event

    def loss(frac):
        return jnp.mean(f(ex.with_param(base, "ev_twostep.frac", frac))[:, 0])

    x = jnp.array([0.5])
    grad = float(jax.grad(loss)(x)[0])
    fd = float((loss(x + 1e-4) - loss(x - 1e-4)) / 2e-4)
    assert grad > 0 and abs(grad - fd) < 1e-6 * abs(fd), (grad, fd)


def comparison_rows(mods) -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of this module's NEURON comparisons, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the same runs as the tests above."""
    ref, ours = neuron_twostep(), ours_twostep(mods)
    dt_max = np.max(np.abs(ours["tlast"] - ref["tlast"]))
    rows = [(f"ev_twostep (ev_twostep.mod) on hh.mod, 6.3 °C, events at {', '.join(f'{x:g}' for x in TIMES)} ms",
             [OWN / "ev_twostep.mod"], f"v {rel(ours['v'], ref['v']):.1e}, g {rel(ours['g'], ref['g']):.1e} "
             f"(of each trace's range); event times (tlast) within {dt_max:.0e} ms", "0 vs 0")]
    h = neuron_events()
    for kind, params, stem in CLAMPS:
        full = {**params, "delay": 1.0} if kind == "IClamp" else params
        r, o = _clamped(h, kind, full), _ours(mods, getattr(mods, kind)(**full))
        up = [int(np.sum((x["v"][:-1] < 0) & (x["v"][1:] >= 0))) for x in (o, r)]  # spikes: 0-mV crossings
        rows.append((f"{kind} ({stem}) on hh.mod, 6.3 °C", [share() / "modfile" / stem],
                     f"v {rel(o['v'], r['v']):.1e}, i {rel(o['i'][1:], r['i'][1:]):.1e} (of each trace's range)",
                     f"{up[0]} vs {up[1]}"))
    return rows


def test_simultaneous_events_on_one_instance_are_delivered_one_by_one(mods):
    """Two connections onto one ev_twostep deliver events at the same times (2 and 6 ms): NEURON runs
    NET_RECEIVE once per event, so the refractory synapse accepts the first and ignores the second
    (g jumps by w, not 2w); the engine keeps each connection's event in a lane of its own
    (``ConnGroup.lanes``) and delivers them one by one. V and g within 1e-6 of range."""
    h = neuron_events()
    sec = h.Section(name="ev_twostep_pair")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = h.ev_twostep(sec(0.5))
    ncs = [h.NetCon(None, syn) for _ in range(2)]
    for nc in ncs:
        nc.weight[0] = 0.004
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc in ncs for t in (2.0, 6.0)])
    rec = {"v": h.Vector().record(sec(0.5)._ref_v), "g": h.Vector().record(syn._ref_g)}
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    del fih, ncs, syn, sec

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(mods.ev_twostep(), 0, t_max=0.0, pulse=0.0)
    for _ in range(2):
        net.spike_train([2.0, 6.0], 0, synapse=handle, weight=0.004)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    sim.record("ev_twostep[0].g", label="g")
    res = sim.run(TSTOP)
    # One accepted event: g jumps by w (less its decay over the step), not 2w.
    assert 0.9 * 0.004 < np.max(np.diff(ref["g"])) < 1.1 * 0.004
    for k in ("v", "g"):
        assert rel(np.asarray(res[k]).ravel(), ref[k]) < TOL, k
