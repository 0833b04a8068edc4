"""A point process whose BREAKPOINT rewrites what it keeps runs it twice a step, as NEURON's nrn_cur
runs it (io/nmodl/double_run.py, on point.py's plain path and artificial.py's event path): a gate
stepped in BREAKPOINT, an ASSIGNED counter and filter (tests/reference/mod/pt_bptwice.mod; with a
NET_RECEIVE and net_send, pt_bptwiceev.mod), and OpenSourceBrain IF_BG4.mod's shape, an adaptive
integrate-and-fire whose BREAKPOINT counts its reset down and changes STATE w and a spike flag
(pt_adif.mod). All were refused before ("BREAKPOINT assigning STATE x in a point process"; an
ASSIGNED "read in BREAKPOINT before it is set there in a point process"); an ELECTRODE_CURRENT's
counter ran once a step, unrefused and wrong (``ELECTRODE``); pt_ecur.mod (ModelDB 118631's
Isinunoisy.mod without its random numbers), whose BREAKPOINT sets x for its SOLVE'd PROCEDURE on
one path only, was refused (breakpoint_feeds.py) and now runs with x kept through both runs. A
STATE write in a point process without currents (no nrn_cur) is still refused.

References: NEURON 9.0.2 compiling the same files, side by side, on a 20 x 20 um hh compartment
(usetable_hh = 0, 6.3 degC, dt 0.025 ms): ``compare_mods``' current clamp (0.1 nA from 2 ms, hh
fires) and spike train, and a voltage-clamp family here. Tolerance: every trace within 1e-6 of its
range or scale (the suite's bound, issue 18): float64 on both sides and the same expressions, so only
the order of operations separates them (measured 7.7e-13 or less; the counters and flags exactly);
spike times within 0.05 ms (measured: the same). Closed forms: finitialize's nrn_cur and each step's
run BREAKPOINT twice, so the counter is exactly 2 + 2k after k steps and the IF's reset -1 - 2 dt
(k + 1) before its first spike; NEURON's slope (i1 - i2)/0.001 nA/mV from the two runs.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, class_loader
from tests.reference.nrnmech import neuron_loaded

PLAIN, EVENTS, ADIF = OWN / "pt_bptwice.mod", OWN / "pt_bptwiceev.mod", OWN / "pt_adif.mod"
DT, CELSIUS = 0.025, 6.3
RTOL = 1e-6
cls = class_loader()  # hh.mod, the neuron wheel's: NEURON's hh to round-off

# refused before: an accumulator that reaches the current (here a synapse's, whose NET_RECEIVE jumps
# linear in the weight take point.py's plain path under the spike train), and a STATE clamped in
# BREAKPOINT with the SOLVE in the else (NEURON's nrn_state runs it whatever the condition)
ACCUMULATOR = """NEURON { POINT_PROCESS pt_pacc NONSPECIFIC_CURRENT i RANGE n, tau, e }
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) n }
STATE { g (uS) }
INITIAL { n = 0  g = 0 }
BREAKPOINT {
  SOLVE d METHOD cnexp
  n = n + 1
  i = g*(v - e)*(1 + 0.001*n)
}
DERIVATIVE d { g' = -g/tau }
NET_RECEIVE (w (uS)) { g = g + w }
"""
CLAMPED = """NEURON { POINT_PROCESS pt_clampw NONSPECIFIC_CURRENT i }
PARAMETER { tau = 5 (ms) }
ASSIGNED { i (nA) v (mV) }
STATE { x }
INITIAL { x = 1 }
BREAKPOINT {
 if (x > 0.5) { x = 0.5 } else { SOLVE s METHOD cnexp }
 i = 0.001*x*(v + 80)
}
DERIVATIVE s { x' = -x/tau }
"""

# an ELECTRODE_CURRENT's nrn_cur is the same (nocmodl 9.0.2): ran before with one run a step and
# cnt not kept, 0.95 of V's range off NEURON's, unrefused
ELECTRODE = """NEURON { POINT_PROCESS pt_ecnt ELECTRODE_CURRENT i RANGE cnt, amp }
UNITS { (nA) = (nanoamp) }
PARAMETER { amp = 0.05 (nA) }
ASSIGNED { i (nA) cnt }
STATE { x }
INITIAL { cnt = 0  x = 1 }
BREAKPOINT {
  cnt = cnt + 1
  x = x + 0.002*(2 - x)
  i = amp*x + 0.00002*cnt
}
"""


@cache
def loaded(path):
    return load_mod(path)


@pytest.mark.neuron
def test_point_processes_that_keep_values_match_neuron(tmp_path):
    from excitable.workflows.neuron_compare import compare_mods

    (tmp_path / "pt_pacc.mod").write_text(ACCUMULATOR)
    (tmp_path / "pt_clampw.mod").write_text(CLAMPED)
    (tmp_path / "pt_ecnt.mod").write_text(ELECTRODE)
    result = compare_mods([PLAIN, EVENTS, ADIF, OWN / "pt_ecur.mod"]
                          + [tmp_path / f"{n}.mod" for n in ("pt_pacc", "pt_clampw", "pt_ecnt")])
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    assert {"pt_bptwice.n", "pt_bptwice.cnt", "pt_bptwice.y", "pt_bptwice.i", "pt_bptwiceev.n", "pt_bptwiceev.cnt",
            "pt_bptwiceev.y", "pt_bptwiceev.nev", "pt_bptwiceev.g", "pt_adif.w", "pt_adif.reset", "pt_adif.spike",
            "pt_adif.nspike", "pt_adif.i", "pt_pacc.n", "pt_pacc.g", "pt_clampw.x", "pt_ecnt.cnt", "pt_ecnt.x", "pt_ecur.x"} <= set(rows)
    for exact in ("pt_bptwice.cnt", "pt_bptwiceev.cnt", "pt_bptwiceev.nev", "pt_adif.nspike", "pt_adif.spike",
                  "pt_adif.reset", "pt_pacc.n", "pt_ecnt.cnt"):
        assert rows[exact] == 0.0, exact  # counts, flags and dt sums: the same operations, exactly
    assert max(rows.values()) < RTOL
    # each compartment fires (the gates, filters and the IF's branches all move)
    assert len(result.spike_sets) == 7 and all(len(theirs) >= 1 for _, _, theirs in result.spike_sets)


@pytest.mark.neuron
def test_a_chain_from_a_kept_filter_matches_neuron():
    """pt_bpfilter.mod, test_breakpoint_twice.py's nm_bpfilter in a point process: b0 kept and
    filtered twice a step, b1 = b0 after it, the current from b1. At the file's g = 1e-3 uS NEURON's
    run is round-off-determined (its header); at g = 1e-6 uS it is not. Tolerance 1e-9 of each
    trace's magnitude: float64 on both sides, the same expressions in another order (measured 4.3e-13
    or less); the second run not from the first's b0 is 0.18 of b0's magnitude off."""
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "pt_bpfilter.mod"], settings=("pt_bpfilter.g=1e-6",), tolerance=1e-9)
    assert result.agrees, result.report()
    assert {"pt_bpfilter.b0", "pt_bpfilter.i"} <= {r.trace for r in result.rows}
    ((_, ours, theirs),) = result.spike_sets
    assert len(theirs) >= 1  # hh fires under the step: v, and so b0, move over 100 mV
    np.testing.assert_array_equal(ours, theirs)


def vclamp_neuron(level: float) -> dict[str, np.ndarray]:
    """NEURON: pt_bptwice on the hh compartment, SEClamp (rs 0.01 MOhm) -65 mV 2 ms, ``level`` 5 ms,
    -65 mV 3 ms."""
    h = neuron_loaded([PLAIN], "nrnmech-point-bptwice", "pt_bptwice.mod")
    sec = h.Section(name="pt_bptwice_vc")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    pp = h.pt_bptwice(sec(0.5))
    clamp = h.SEClamp(sec(0.5))
    clamp.rs = 0.01
    (clamp.dur1, clamp.amp1), (clamp.dur2, clamp.amp2), (clamp.dur3, clamp.amp3) = (2.0, -65.0), (5.0, level), (3.0, -65.0)
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v)}
    vecs.update({k: h.Vector().record(getattr(pp, f"_ref_{k}")) for k in ("n", "cnt", "y")})
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-65.0)
    h.continuerun(10.0)
    out = {k: np.array(x) for k, x in vecs.items()}
    del clamp, pp, sec
    return out


def vclamp_ours(level: float) -> dict[str, np.ndarray]:
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    cell.place(loaded(PLAIN)(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=((2.0, -65.0), (5.0, level), (3.0, -65.0)), rs=0.01))
    sim.record("v")
    for k in ("n", "cnt", "y"):
        sim.record(f"pt_bptwice[0].{k}", label=k)
    res = sim.run(10.0)
    return {k: np.asarray(res[k], dtype=float).ravel() for k in ("v", "n", "cnt", "y")}


@pytest.mark.neuron
def test_the_voltage_clamp_family_matches_neuron():
    """Steps to -90, -40 and 0 mV: V, n, y within 1e-6 of their range over the family, cnt exactly."""
    worst = {}
    for level in (-90.0, -40.0, 0.0):
        ours, theirs = vclamp_ours(level), vclamp_neuron(level)
        np.testing.assert_array_equal(ours["cnt"], theirs["cnt"])
        for k in ("v", "n", "y"):
            worst[k] = max(worst.get(k, 0.0), float(np.max(np.abs(ours[k] - theirs[k])) / np.ptp(theirs[k])))
    assert max(worst.values()) < RTOL, worst


def test_counters_count_two_runs_a_step_on_both_paths():
    """cnt = 0 in INITIAL, +1 a run: 2 + 2k after step k on the plain and the event path; pt_adif's
    reset, -1 in INITIAL and dt less a run, is -1 - 2 dt (k + 1) at rest (no spike: V stays below
    Vtr), within float64's sums of dt (1e-12)."""
    from excitable.model.network import Network

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    cell.place(loaded(PLAIN)(), cell.soma)
    cell.place(loaded(ADIF)(), cell.soma)
    net = Network([cell])
    net.spike_train([0.5], 0, loaded(EVENTS)(), weight=0.001, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=CELSIUS, v_init=-65.0)
    names = ("pt_bptwice[0].cnt", "pt_bptwiceev[0].cnt", "pt_adif[0].reset", "pt_adif[0].nspike")
    for name in names:
        sim.record(name, label=name)
    res = sim.run(1.0)
    out = {k: np.asarray(res[k], dtype=float).ravel() for k in names}
    k = np.arange(out["pt_bptwice[0].cnt"].size)
    np.testing.assert_array_equal(out["pt_bptwice[0].cnt"], 2.0 + 2.0 * k)
    np.testing.assert_array_equal(out["pt_bptwiceev[0].cnt"], 2.0 + 2.0 * k)
    assert not out["pt_adif[0].nspike"].any()
    np.testing.assert_allclose(out["pt_adif[0].reset"], -1.0 - 2.0 * DT * (k + 1), rtol=1e-12)


def test_the_slope_is_neurons_from_the_two_runs():
    """d i / d v as the engine linearizes it (jax.jvp in V) is (i1 - i2)/0.001 nA/mV, i1 the run at
    v + 0.001 mV and i2 the second run at v from what the first left, written out here in numpy
    (closed form of pt_bptwice's BREAKPOINT; float64, a difference over 0.001 mV: 1e-8 relative)."""
    import jax

    mech = loaded(PLAIN)()
    v0, s = -55.0, {**loaded(PLAIN)().steady_state(np.float64(-65.0), CELSIUS), "n": 0.4, "y": -60.0, "cnt": 3.0}
    s = {k: np.float64(x) for k, x in s.items()}
    _, slope = jax.jvp(lambda v: mech.currents(v, s)["i"], (np.float64(v0),), (np.float64(1.0),))

    def run(v, n, y):
        ninf, ntau = 1 / (1 + np.exp(-(v + 50) / 8)), 10 + 20 / (1 + np.exp((v + 40) / 10))
        n = n + (1 - np.exp(-DT / ntau)) * (ninf - n)
        y = y + 0.01 * (v - y)
        return n, y, 0.005 * n**4 * (v + 77) + 0.0002 * (y + 60)

    n1, y1, i1 = run(v0 + 0.001, 0.4, -60.0)
    _, _, i2 = run(v0, n1, y1)
    assert float(slope) == pytest.approx((i1 - i2) / 0.001, rel=1e-8)
    assert float(mech.currents(np.float64(v0), s)["i"]) == pytest.approx(i2, rel=1e-12)  # the second run's


def _cell_sim():
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    cell.place(loaded(PLAIN)(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=1.0, duration=20.0))
    sim.record("v")
    return sim


def test_jit_and_gradient_through_the_two_runs():
    """The jitted run (``Simulation.function``) equals ``run`` (1e-12 of V's range); d mean(V) /
    d gbar by jax.grad through both runs of a firing cell equals the central difference (relative
    1e-6: float64, smooth in gbar; step 1e-6 uS, 2e-4 of gbar, where truncation and rounding are
    both near 1e-9 of the gradient, measured: central differences at 1e-5 and 1e-6 agree to 1e-9;
    the slope is NEURON's finite difference, so this checks the parameters' derivatives)."""
    import jax
    import jax.numpy as jnp

    sim = _cell_sim()
    f, base = sim.function(8.0), sim.parameters()
    v = np.asarray(sim.run(8.0)["v"]).ravel()
    assert np.ptp(v) > 50.0  # it fires: n, y move
    assert np.max(np.abs(np.asarray(f(base))[:, 0] - v)) < 1e-12 * np.ptp(v)
    mean_v = lambda g: jnp.mean(f(ex.with_param(base, "pt_bptwice.gbar", g))[:, 0])
    g, h = jnp.array([0.005]), 1e-6
    fd = float((mean_v(g + h) - mean_v(g - h)) / (2 * h))
    grad = float(jax.grad(mean_v)(g)[0])
    assert abs(grad - fd) < 1e-6 * abs(fd), (grad, fd)


def test_the_fused_kernel_refuses_point_processes():
    """The fused kernels step density mechanisms only: kernel='fused' says so in one line."""
    from excitable.engine.batch import broadcast

    sim = _cell_sim()
    with pytest.raises(ModelError, match="^kernel='fused' cannot run this model: a point mechanism$"):
        sim.run_batch(2.0, broadcast(sim.parameters(), 1), kernel="fused")


def test_a_state_write_without_currents_is_still_refused(tmp_path):
    """No nrn_cur runs it twice: NEURON runs such a BREAKPOINT in nrn_state, after the SOLVE."""
    path = tmp_path / "pt_nocur.mod"
    path.write_text(CLAMPED.replace("NONSPECIFIC_CURRENT i ", "").replace(" i = 0.001*x*(v + 80)\n", "")
                    .replace("i (nA) ", ""))
    with pytest.raises(ModelError, match=rf"^{path}:7: BREAKPOINT assigning STATE x in a point process without "
                                         r"currents not supported$"):
        load_mod(path)
