"""NET_RECEIVE blocks that write their weight (issue 18): NEURON's plasticity rules, side by side
with NEURON compiling the same files (mod_events/ev_depress.mod: each spike scales its NetCon's
weight by fdep and sends a self-event that releases the weight again; ev_stdp.mod: pair-based STDP
with a per-NetCon presynaptic time, postsynaptic spikes as events of a negative-weight NetCon).

In NEURON the weight is the NetCon's weight[0]: a write persists for that NetCon (its later events,
and the self-events it sent, read the new value) and ``NetCon.weight[0]`` reads it after the run;
ours keeps it as per-connection state (``netcon_weight``, read back by ``Result.netcon`` after
``Simulation.run``, and by ``engine.netcons.netcon_values`` from a traced run's final state).
Two connections with different weights onto one synapse, several spikes each. Tolerance: 1e-6 of each trace's range (issue 18); both sides run the same formulas at
the same event times in float64, so what is left is round-off (1e-12 or less). Final weights: 1e-12
relative (a few float64 multiplications). A weight shared between the connections, or not kept
from one event to the next, misses by 1e-2 of the range or more (tested below).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.engine.integrate import compiled_runner
from excitable.engine.synapses import netcon_values
from excitable.io.nmodl import load_mod
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
DT = 0.025
TOL = 1e-6
#: (weight µS, spike times ms) per NetCon. ev_depress: A's 2.4 ms spike comes before the self-event
#: of its 2.0 ms spike (late = 0.7 ms), which then reads the twice-depressed weight.
DEPRESS = {"A": (0.004, [2.0, 2.4, 6.0]), "B": (0.006, [2.2, 5.0, 5.3])}
#: ev_stdp: P (weight -1) marks the postsynaptic spikes at 5 and 12 ms; A's spike at 8 ms and B's at
#: 9.5 ms are potentiated (their 2 and 3 ms spikes came 3 and 2 ms before 5 ms) then depressed.
STDP = {"A": (0.003, [2.0, 8.0, 14.0]), "B": (0.005, [3.0, 9.5, 15.0]), "P": (-1.0, [5.0, 12.0])}
CASES = {"ev_depress": (DEPRESS, ("v", "g"), 10.0), "ev_stdp": (STDP, ("v", "g", "wlast"), 18.0)}



#: One NEURON library for this module and test_weight_zero.py (NEURON loads a SUFFIX once per process).
PLASTIC_FILES = [OWN / f"{n}.mod" for n in ("ev_depress", "ev_stdp", "ev_count", "ev_winit")]


def neuron_plastic():
    """NEURON's h with ev_depress, ev_stdp, ev_count and ev_winit loaded (compiled once, cached), or skip."""
    return neuron_loaded(PLASTIC_FILES, "nrnmech-plasticity", "the plasticity test files")


@pytest.fixture(scope="module")
def mods():
    return load_mod([OWN / "ev_depress.mod", OWN / "ev_stdp.mod", share() / "modfile" / "hh.mod"])


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


def neuron_run(name: str):
    """NEURON: ``name`` on an hh compartment under its case's trains (``neuron_trains``)."""
    trains, traces, tstop = CASES[name]
    return neuron_trains(neuron_plastic(), name, trains, traces, tstop)


def neuron_trains(h, name: str, trains: dict, traces, tstop: float):
    """NEURON: point process ``name`` on an hh compartment (20 x 20 µm, 6.3 °C, exact rates), one
    source-less NetCon per train ({label: (weight, times ms)}); the traces (``traces[1:]`` of the
    synapse, and "v") and each NetCon's weight vector after the run (weight[0], then NET_RECEIVE's
    other arguments), (NetCons, arguments)."""
    sec = h.Section(name=f"{name}_cell")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = getattr(h, name)(sec(0.5))
    ncs = []
    for w, _ in trains.values():
        ncs.append(h.NetCon(None, syn))
        ncs[-1].weight[0] = w
    fih = h.FInitializeHandler(lambda: [nc.event(t) for nc, (_, ts) in zip(ncs, trains.values()) for t in ts])
    rec = {"v": h.Vector().record(sec(0.5)._ref_v)}
    rec.update({k: h.Vector().record(getattr(syn, f"_ref_{k}")) for k in traces[1:]})
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    ref = {k: np.array(x) for k, x in rec.items()}
    weights = np.array([[nc.weight[j] for j in range(int(nc.wcnt()))] for nc in ncs])
    del fih, syn, sec  # NEURON objects go with the run (the NetCons with the handler)
    return ref, weights


def our_sim(mods, name: str, trains=None):
    """Ours: the same, each train a spike train onto one synapse (one instance, a lane each)."""
    trains = trains or CASES[name][0]
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    handle = net.synapse(getattr(mods, name)(), 0, t_max=0.0, pulse=0.0)
    for w, times in trains.values():
        net.spike_train(times, 0, synapse=handle, weight=w)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in CASES[name][1][1:]:
        sim.record(f"{name}[0].{k}", label=k)
    return sim


def our_run(sim, name: str, params=None):
    """(traces, each connection's weight after the run, events_lost) from one jitted run."""
    run = compiled_runner(sim.plan, dt=DT)
    rec, _, final = run(sim.parameters() if params is None else params, sim.drive(CASES[name][2]))
    traces = {k: np.asarray(rec[:, j]) for j, k in enumerate(CASES[name][1])}
    lost = float(np.max(np.asarray(final["chan"][name]["events_lost"])))
    return traces, np.asarray(netcon_values(sim.plan.connections, final["chan"], name, "weight")), lost


@pytest.fixture(scope="module")
def runs(mods):
    sims = {name: our_sim(mods, name) for name in CASES}
    return {name: (sim, *our_run(sim, name)) for name, sim in sims.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_weight_writes_match_neuron(runs, name):
    ref, ref_w = neuron_run(name)
    _, ours, ours_w, lost = runs[name]
    for k in CASES[name][1]:
        assert rel(ours[k], ref[k]) < TOL, (name, k, rel(ours[k], ref[k]))
    assert np.allclose(ours_w, ref_w[:, 0], rtol=1e-12, atol=0), (ours_w, ref_w)
    assert lost == 0


def test_netcon_values_from_the_public_result(runs, monkeypatch):
    """``Simulation.run(...).netcon(mechanism, name)`` (the public path) reads each NetCon's final
    weight and any other argument, in the order the connections were added: ev_stdp's weights equal
    NEURON's NetCon.weight[0] after the run (1e-12 relative, as above) and its tpre, each NetCon's
    last spike time (NEURON's weight[1]; -1e9 from INITIAL for the marker P, which never reaches
    that branch), exactly as NEURON's. A mechanism or name with no per-connection state: one line.
    Run in chunks of 256 steps (a long run's path: each chunk resumes from the last one's final
    state; test_weight_zero.py reads them from a run in one piece)."""
    sim, _, ours_w, _ = runs["ev_stdp"]
    _, ref_w = neuron_run("ev_stdp")
    monkeypatch.setattr("excitable.engine.run.CHUNK_STEPS", 256)  # 720 steps: 3 chunks
    res = sim.run(CASES["ev_stdp"][2])
    assert np.array_equal(ref_w[:, 1], [STDP["A"][1][-1], STDP["B"][1][-1], -1e9]), ref_w
    assert np.allclose(res.netcon("ev_stdp", "weight"), ref_w[:, 0], rtol=1e-12, atol=0), (res.netcons, ref_w)
    assert np.allclose(res.netcon("ev_stdp", "tpre"), ref_w[:, 1], rtol=1e-12, atol=0), (res.netcons, ref_w)
    assert np.allclose(res.netcon("ev_stdp"), ours_w, rtol=1e-12, atol=0)  # the engine's netcon_values
    for mech, name in (("ev_stdp", "tpost"), ("hh", "weight")):
        with pytest.raises(ModelError, match=rf"^netcon: '{mech}' keeps no per-connection '{name}' .*kept: "
                                             r"ev_stdp: (weight, tpre|tpre, weight)$"):
            res.netcon(mech, name)


def test_depression_persists_per_netcon(runs):
    """ev_depress's final weights are each NetCon's own weight x fdep per spike (closed form), in
    NEURON and ours: a weight not kept from one event to the next would end at its start, one
    shared by both NetCons at the same value for both."""
    _, ref_w = neuron_run("ev_depress")
    _, _, ours_w, _ = runs["ev_depress"]
    expected = np.array([w * 0.6 ** len(ts) for w, ts in DEPRESS.values()])
    assert np.allclose(ref_w[:, 0], expected, rtol=1e-12) and np.allclose(ours_w, expected, rtol=1e-12)


def test_stdp_changes_each_netcon_by_its_own_pairs(runs):
    """ev_stdp: both weights potentiated past their start (each by its own pre-post interval) and
    different from each other; NEURON's equal ours (test above)."""
    w = neuron_run("ev_stdp")[1][:, 0]
    assert w[0] > STDP["A"][0] and w[1] > STDP["B"][0] and w[2] == -1.0
    assert abs(w[0] / STDP["A"][0] - w[1] / STDP["B"][0]) > 1e-2


def test_shared_or_unkept_weights_would_differ(mods):
    """The protocol tells a per-connection weight from a shared one, and a kept one from one
    forgotten after the event: ev_depress with both trains through one connection (one weight
    shared by all spikes), and with each spike a connection of its own at its train's weight (no
    write kept to a later event), both end far from NEURON's."""
    ref, _ = neuron_run("ev_depress")
    times = sorted(DEPRESS["A"][1] + DEPRESS["B"][1])
    shared = our_sim(mods, "ev_depress", {"A": (DEPRESS["A"][0], times)})
    assert rel(our_run(shared, "ev_depress")[0]["g"], ref["g"]) > 1e-2
    # Not kept: each spike a connection of its own, so each sees its NetCon's starting weight.
    fresh = {f"{k}{j}": (w, [t]) for k, (w, ts) in DEPRESS.items() for j, t in enumerate(ts)}
    unkept = our_sim(mods, "ev_depress", fresh)
    assert rel(our_run(unkept, "ev_depress")[0]["g"], ref["g"]) > 1e-2


def test_grad_through_the_plasticity(runs):
    """Reverse-mode derivatives (jax.jacrev: jax.grad of two outputs in one program) of B's final
    weight and of mean V with respect to B's initial weight, through the rule: ev_depress's
    d(final wB)/d(wB) is fdep**3 (closed form, 1e-12); the others equal central differences (the
    cell fires once and twice in the two protocols, and a nearby weight moves those spikes smoothly
    without adding one: mean V is smooth there; a step of 1e-7 µS leaves truncation ~1e-9 of the
    derivative, inside the 1e-6 asked). A vmapped batch of initial weights: each its own rule."""
    import jax
    import jax.numpy as jnp

    for name, (sim, ours, _, _) in runs.items():
        base = sim.parameters()
        run = compiled_runner(sim.plan, dt=DT)
        drive = sim.drive(CASES[name][2])

        def with_wb(wb):
            syn = base["syn"][name]
            return {**base, "syn": {**base["syn"], name: {**syn, "weight": jnp.asarray(syn["weight"]).at[1].set(wb)}}}

        def both(wb):  # (B's final weight µS, mean V mV)
            rec, _, final = run(with_wb(wb), drive)
            return jnp.stack([netcon_values(sim.plan.connections, final["chan"], name, "weight")[1],
                              jnp.mean(rec[:, 0])])

        wb = jnp.asarray(CASES[name][0]["B"][0])
        assert np.max(np.abs(np.asarray(run(with_wb(wb), drive)[0][:, 0]) - ours["v"])) == 0.0
        d = np.asarray(jax.jacrev(both)(wb))
        fd = np.asarray((both(wb + 1e-7) - both(wb - 1e-7)) / 2e-7)
        assert d[1] > 0 and np.all(np.abs(d - fd) < 1e-6 * np.abs(fd)), (name, d, fd)
        if name == "ev_depress":
            assert abs(d[0] - 0.6 ** 3) < 1e-12
            many = np.asarray(jax.vmap(both)(jnp.array([0.002, 0.006])))[:, 0]
            assert np.allclose(many, np.array([0.002, 0.006]) * 0.6 ** 3, rtol=1e-12, atol=0), many


def test_a_weight_write_alone_takes_the_event_path(tmp_path):
    """A NET_RECEIVE whose only non-jump is the weight write (no flag, t or net_send) is no longer
    refused by the jump path: the weight is per-connection state (the rule ev_depress runs above)."""
    path = tmp_path / "ev_halve.mod"
    path.write_text("NEURON { POINT_PROCESS ev_halve }\nSTATE { g }\nBREAKPOINT { SOLVE s METHOD cnexp }\n"
                    "DERIVATIVE s { g' = -g }\nNET_RECEIVE(w) {\n  g = g + w\n  w = w*0.5\n}\n")
    cls = load_mod(path)  # one file: its class
    assert cls.netcon_args == ("w",) and hasattr(cls, "on_step")


def test_mod_check_says_the_weight_is_written():
    from excitable.io.nmodl.check import check_file

    lines, _ = check_file(OWN / "ev_depress.mod")
    assert any(line.startswith("  weight: weight is written (plasticity)") for line in lines), lines
    assert not any(line.startswith("  weight:") for line in check_file(OWN / "ev_pulse.mod")[0])


def comparison_rows(mods) -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of this module's NEURON comparisons, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the same runs as the tests above."""
    from tests.io.nmodl.test_netcon_args import _spikes

    labels = {"ev_depress": "ev_depress (ev_depress.mod: weight x 0.6 per spike, a self-event 0.7 ms later "
                            "reading it) on hh.mod, 6.3 °C, two NetCons (0.004 µS at 2, 2.4, 6 ms; 0.006 µS at "
                            "2.2, 5, 5.3 ms)",
              "ev_stdp": "ev_stdp (ev_stdp.mod: pair-based STDP, per-NetCon tpre) on hh.mod, 6.3 °C, two NetCons "
                         "(0.003 µS at 2, 8, 14 ms; 0.005 µS at 3, 9.5, 15 ms) and postsynaptic markers (weight -1 "
                         "at 5, 12 ms)"}
    rows = []
    for name, label in labels.items():
        ref, ref_w = neuron_run(name)
        ours, ours_w, _ = our_run(our_sim(mods, name), name)
        diff = np.max(np.abs(ours_w - ref_w[:, 0]) / np.abs(ref_w[:, 0]))
        rows.append((label, [OWN / f"{name}.mod"],
                     ", ".join(f"{k} {rel(ours[k], ref[k]):.1e}" for k in CASES[name][1])
                     + f" (of each trace's range); final NetCon.weight[0] {diff:.1e} (relative)",
                     _spikes(ours["v"], ref["v"])))
    from tests.io.nmodl.test_weight_zero import comparison_rows as weight_zero_rows  # its NEURON library is ours

    return rows + weight_zero_rows()
