"""Values BREAKPOINT assigns, at t = 0 and after, beside NEURON (issue 18; the form of ModelDB
105385's na6_gp.mod, whose STATEs ct, ift, isot, isit are sums of KINETIC states assigned in
BREAKPOINT: they differed from NEURON by their whole scale at the t = 0 sample).

NEURON's reading (9.0.2, checked with these files before the fix): finitialize runs INITIAL, then
nrn_cur (fcurrent) for every mechanism that writes a current, and only then records t = 0. So:
- a density mechanism with a current: a STATE its BREAKPOINT assigns is BREAKPOINT's at t = 0
  (nm_bpsum.mod: tot = c + o is 1, o2 = 2*o, where INITIAL left 0 and 5);
- a density mechanism without a current has no nrn_cur (its BREAKPOINT runs in nrn_state after the
  SOLVE): INITIAL's value stays at t = 0 (nm_bpsum_free.mod: tot = 5), the sum from step 1 on;
- a point process with a current: an ASSIGNED conductance its BREAKPOINT sets is BREAKPOINT's at
  t = 0 (mod_events/pp_bpsum.mod: g = 0.002*a, where INITIAL set 7), as exp2syn's g.

And BREAKPOINT's SOLVE of a PROCEDURE (no METHOD), which nrn_state calls once per step, with
ASSIGNED variables the PROCEDURE reads before it sets them (instance memory NEURON keeps from step
to step): in a density mechanism (nm_procmem.mod) and in point processes (mod_events/pp_procsolve.mod,
holt_alphasyn.mod's discrete filter; pp_proccount.mod, spike.mod's threshold counter reading t),
once refused in a point process ("SOLVE x METHOD (none)") and, in a density mechanism, run with
that memory reset to 0 at every step.

Tolerance: every trace within 1e-6 of its largest magnitude at every step, t = 0 included (issue
18): both sides are float64 and evaluate the same expressions (1e-11 expected, the sparse solver's
round-off), while the error fixed here was the whole scale (1.0) at t = 0. Spike times within 0.05 ms
(issue 18, two steps of 0.025 ms).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.io.nmodl.neuron_side import OWN, class_loader, leaky_compartment, neuron_run, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
SUM, FREE = "nm_bpsum", "nm_bpsum_free"
EVENTS = Path(__file__).parent / "mod_events"
PP = EVENTS / "pp_bpsum.mod"
PROC, FILTER, COUNTER = "nm_procmem", "pp_procsolve", "pp_proccount"
ICLAMP = (2.0, 20.0, 0.1)  # delay, duration (ms), nA: hh fires, V sweeps the gates' range
TSTOP = 25.0
cls = class_loader()


def _neuron():
    h = neuron_with_mods()
    files = [OWN / f"{SUM}.mod", OWN / f"{FREE}.mod", OWN / f"{PROC}.mod", PP, EVENTS / f"{FILTER}.mod",
             EVENTS / f"{COUNTER}.mod"]
    neuron_loaded(files, "nrnmech-bpstates", "nm_bpsum*.mod, nm_procmem.mod, pp_bpsum.mod, pp_proc*.mod")
    h.usetable_hh = 0
    return h


def test_states_breakpoint_assigns_match_neuron_from_t0():
    record = [(f"{SUM}.{x}", (SUM, x)) for x in ("c", "o", "tot", "o2")]
    record += [(f"{FREE}.{x}", (FREE, x)) for x in ("a", "b", "tot")]
    _, sim = leaky_compartment([cls("hh")(), cls(SUM)(), cls(FREE)()], cls("passive"), celsius=6.3,
                               v_init=-65.0, iclamp=ICLAMP)
    for name, _ in record:
        sim.record(name)
    res = sim.run(TSTOP)
    _neuron()
    theirs = neuron_run(["hh", SUM, FREE], celsius=6.3, tstop=TSTOP, v_init=-65.0, iclamp=ICLAMP,
                        record=record, extra_pas=True)
    ours = {k: np.asarray(res[k], dtype=float).ravel() for k in ["v", *(n for n, _ in record)]}
    # NEURON's own t = 0 values: BREAKPOINT's where the file writes a current, INITIAL's where not
    assert theirs[f"{SUM}.tot"][0] == pytest.approx(1.0, rel=1e-12)
    assert theirs[f"{SUM}.o2"][0] == pytest.approx(2 * theirs[f"{SUM}.o"][0], rel=1e-12)
    assert theirs[f"{FREE}.tot"][0] == 5.0
    assert theirs[f"{FREE}.tot"][1] == pytest.approx(theirs[f"{FREE}.a"][1] + theirs[f"{FREE}.b"][1], rel=1e-12)
    assert np.ptp(theirs[f"{SUM}.o2"]) > 0.3  # the sums move with V (the spikes open o)
    diffs = {name: worst(ours[name], theirs[name]) for name in ["v", *(n for n, _ in record)]}
    assert max(diffs.values()) < RTOL, diffs
    assert len(spike_times(theirs["v"])) >= 2
    assert spike_times(ours["v"]) == pytest.approx(spike_times(theirs["v"]), abs=0.05)


def test_point_process_conductance_breakpoint_sets_matches_neuron_from_t0():
    import excitable as ex
    from excitable.io.nmodl import load_mod

    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls("hh")())
    cell.place(load_mod(PP)(), cell.soma)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=ICLAMP[2], delay=ICLAMP[0], duration=ICLAMP[1]))
    sim.record("v")
    sim.record("pp_bpsum[0].g", label="g")
    sim.record("pp_bpsum[0].a", label="a")
    res = sim.run(TSTOP)
    ours = {k: np.asarray(res[k], dtype=float).ravel() for k in ("v", "g", "a")}

    h = _neuron()
    sec = h.Section(name="pp_bpsum_cell")
    sec.L = sec.diam = 10.0
    sec.insert("hh")
    pp = h.pp_bpsum(sec(0.5))
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = ICLAMP
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v), "g": h.Vector().record(pp._ref_g),
            "a": h.Vector().record(pp._ref_a)}
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    theirs = {k: np.array(v) for k, v in vecs.items()}
    del stim, pp, sec
    assert theirs["g"][0] == pytest.approx(0.002 * 0.3, rel=1e-12)  # BREAKPOINT's, not INITIAL's 7
    diffs = {k: worst(ours[k], theirs[k]) for k in ("v", "g", "a")}
    assert max(diffs.values()) < RTOL, diffs
    assert len(spike_times(theirs["v"])) >= 2


def test_solve_of_a_procedure_with_memory_matches_neuron_in_density_and_point_processes():
    """One compartment (hh, a leak, nm_procmem, the two point processes), current clamp."""
    import excitable as ex
    from excitable.io.nmodl import load_mod

    cell, sim = leaky_compartment([cls("hh")(), cls(PROC)()], cls("passive"), celsius=6.3, v_init=-65.0,
                                  iclamp=ICLAMP)
    cell.place(load_mod(EVENTS / f"{FILTER}.mod")(), cell.soma)
    cell.place(load_mod(EVENTS / f"{COUNTER}.mod")(), cell.soma)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)  # again: the points are placed now
    sim.stimulate(ex.IClamp(cell.soma, amplitude=ICLAMP[2], delay=ICLAMP[0], duration=ICLAMP[1]))
    traces = {f"{PROC}.y": None, **{f"{FILTER}.{x}": x for x in ("y", "y1", "n")},
              **{f"{COUNTER}.{x}": x for x in ("count", "last", "isi", "above")}}
    sim.record("v")
    for name, var in traces.items():
        sim.record(name if var is None else f"{name.split('.')[0]}[0].{var}", label=name)
    res = sim.run(TSTOP)
    ours = {k: np.asarray(res[k], dtype=float).ravel() for k in ["v", *traces]}

    h = _neuron()
    sec = h.Section(name="procsolve_cell")
    sec.L = sec.diam = 10.0
    for suffix in ("hh", "pas", PROC):
        sec.insert(suffix)
    sec(0.5).pas.g, sec(0.5).pas.e = 1e-4, -65.0
    points = {FILTER: h.pp_procsolve(sec(0.5)), COUNTER: h.pp_proccount(sec(0.5))}
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = ICLAMP
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v), f"{PROC}.y": h.Vector().record(sec(0.5)._ref_y_nm_procmem)}
    for name, var in traces.items():
        if var is not None:
            vecs[name] = h.Vector().record(getattr(points[name.split(".")[0]], f"_ref_{var}"))
    h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    theirs = {k: np.array(v) for k, v in vecs.items()}
    del stim, points, sec
    # the memories move: n counts the steps, the filter's pulse at step 600, two spikes counted
    assert theirs[f"{FILTER}.n"][-1] == len(theirs["v"]) - 1 and np.ptp(theirs[f"{FILTER}.y"]) > 0.5
    assert theirs[f"{COUNTER}.count"][-1] >= 2 and theirs[f"{COUNTER}.isi"][-1] > 1.0
    assert np.ptp(theirs[f"{PROC}.y"]) > 0.3
    diffs = {k: worst(ours[k], theirs[k]) for k in ["v", *traces]}
    assert max(diffs.values()) < RTOL, diffs
    assert spike_times(ours["v"]) == pytest.approx(spike_times(theirs["v"]), abs=0.05)
