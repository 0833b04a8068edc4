"""A density mechanism whose BREAKPOINT rewrites what it keeps runs twice a step, as NEURON's
nrn_cur runs it (io/nmodl/double_run.py): old-style channels stepping a gate in BREAKPOINT (ModelDB
120910 gkcadend.mod's ``c = c + cexp*(cinf - c)``), counters and filters of ASSIGNED variables.
Refused before ("so that a second run changes it"; an ASSIGNED "read in BREAKPOINT before it is
set there"), as one run a step would be wrong: ``cnt`` would count half, and bpm_clamp.mod ran 1.0
of its current's range off.

References: NEURON 9.0.2 compiling the same files, side by side through ``compare_mods`` (every
trace within the suite's 1e-6 of its scale, float64 on both sides: round-off only; spikes within
0.05 ms); and a closed form: finitialize's nrn_cur and each step's run BREAKPOINT twice, so the
counter is exactly 2 + 2k after k steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, mod_file

TWICE = OWN / "nm_bptwice.mod"
# an ASSIGNED clamped in BREAKPOINT (INITIAL's 5 held at xmax: both runs write xmax) and a max tracker
# whose condition guards nothing else but whose value reaches the current
CLAMP = """NEURON { SUFFIX bpm_clamp NONSPECIFIC_CURRENT i RANGE x, g, xmax }
PARAMETER { g = 0.0001 (S/cm2) xmax = 2 }
ASSIGNED { v (mV) i (mA/cm2) x }
INITIAL { x = 5 }
BREAKPOINT {
  if (x > xmax) { x = xmax }
  i = g*x*(v + 65)
}
"""
GUARDED = """NEURON { SUFFIX bpm_guard NONSPECIFIC_CURRENT i RANGE vmax, g }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) vmax (mV) }
INITIAL { vmax = -70 }
BREAKPOINT {
  if (v > vmax) {
    vmax = v
  }
  i = g*(v - vmax)
}
"""
# x*0.99 a run above 0.3 (twice a step), the SOLVE below it (nrn_state, whatever the condition):
# test_nested_solve.py's WRITES, whose one run was 0.15 of x's range off NEURON's
IFRW = """NEURON { SUFFIX nm_ifrw NONSPECIFIC_CURRENT i RANGE g, x0 }
PARAMETER { g = 0.0002 (S/cm2) x0 = 0.9 }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { x }
INITIAL { x = x0 }
BREAKPOINT {
 if (x > 0.3) { x = x*0.99 } else { SOLVE s METHOD cnexp }
 i = g*x*(v + 70)
}
DERIVATIVE s { x' = (1/(1 + exp(-(v + 40)/5)) - x)/5 }
"""


@pytest.mark.neuron
def test_breakpoints_that_keep_values_run_twice_a_step_beside_neuron(tmp_path):
    from excitable.workflows.neuron_compare import compare_mods

    (tmp_path / "bpm_clamp.mod").write_text(CLAMP)
    (tmp_path / "bpm_guard.mod").write_text(GUARDED)
    (tmp_path / "nm_ifrw.mod").write_text(IFRW)
    files = [TWICE] + [tmp_path / f"{n}.mod" for n in ("bpm_clamp", "bpm_guard", "nm_ifrw")] + [mod_file("hh")]
    result = compare_mods(files)
    assert result.agrees, result.report()
    traces = {r.trace for r in result.rows}
    assert {"nm_bptwice.n", "nm_bptwice.cnt", "nm_bptwice.y", "bpm_clamp.x", "bpm_guard.vmax",
            "nm_ifrw.x"} <= traces
    assert all(r.difference == 0.0 for r in result.rows if r.trace == "nm_bptwice.cnt")  # counts: exact
    assert len(result.spikes_neuron) >= 1  # hh fires under the current clamp: V, n and y move


@pytest.mark.neuron
def test_a_chain_from_a_kept_filter_beside_neuron():
    """nm_bpfilter.mod: b0 = 0.9*b0 + 0.1*(v + 65) kept, then b1 = b0 and the current from b1, as
    NEURON's two runs a step leave them (b0 and the current compared; the current reads b1). At the
    file's g = 1e-3 S/cm2 NEURON's run is round-off-determined (the file's header: NEURON with g
    changed by 1e-15 of itself is 11 times V's magnitude off itself, as excitable is): at
    g = 1e-6 S/cm2 it is not (NEURON's own run moves 4.5e-13 of V's magnitude under that change).
    Tolerance 1e-9 of each trace's magnitude: float64 on both sides, the same expressions in
    another order (a last bit of v + 65, where (v + 0.001) + 65 cancels to 0.001, is 1e-12 of b0
    at the first step); measured 1.4e-11 or less. The second run not from the first's b0, or b1
    and the current from the first run, are 0.33 of b0's magnitude off under the clamp."""
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "nm_bpfilter.mod", mod_file("hh")], settings=("nm_bpfilter.g=1e-6",),
                          tolerance=1e-9)
    assert result.agrees, result.report()
    assert {"nm_bpfilter.b0", "nm_bpfilter.i"} <= {r.trace for r in result.rows}
    assert len(result.spikes_neuron) >= 1  # hh fires: v, and so b0, move over 100 mV
    np.testing.assert_array_equal(result.spikes_ours, result.spikes_neuron)


def test_the_counter_counts_two_runs_a_step_and_two_at_finitialize():
    """cnt = 0 in INITIAL, +1 a run: 2 at t = 0 (finitialize's nrn_cur), 2 + 2k after step k, in
    every float64 sample (exact)."""
    import excitable as ex

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(load_mod(TWICE)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-40.0)
    sim.record("nm_bptwice.cnt").record("nm_bptwice.n")
    out = sim.run(1.0)
    cnt = np.asarray(out["nm_bptwice.cnt"])
    assert np.array_equal(cnt, 2.0 + 2.0 * np.arange(cnt.size))


def test_fused_kernel_batch_and_gradient():
    """The fused single-compartment kernel (Pallas' interpreter on the CPU: the V the mechanism
    keeps in its state stands for the step's start) gives the scan's numbers exactly; d mean(V) /
    d gbar by jax.grad through both runs equals the central difference of two runs (relative 1e-6:
    float64, smooth in gbar; the slope (i1 - i2)/0.001 is NEURON's, not the exact one, so this
    checks the parameters' derivatives only)."""
    import jax
    import jax.numpy as jnp

    import excitable as ex
    from excitable.engine.batch import broadcast

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH()).insert(load_mod(TWICE)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=1.0, duration=20.0))
    sim.record("v").record("nm_bptwice.n").record("nm_bptwice.cnt")
    params = broadcast(sim.parameters(), 1)
    fused, scan = sim.run_batch(8.0, params, kernel="fused"), sim.run_batch(8.0, params, kernel="scan")
    for name in scan.traces:
        np.testing.assert_array_equal(np.asarray(fused[name]), np.asarray(scan[name]), err_msg=name)
    assert np.ptp(np.asarray(scan["v"])) > 50.0  # it fires: n moves
    f, base = sim.function(8.0), sim.parameters()
    mean_v = lambda g: jnp.mean(f(ex.with_param(base, "nm_bptwice.gbar", g))[:, 0])
    g, h = 5e-4, 1e-9
    fd = (mean_v(g + h) - mean_v(g - h)) / (2 * h)
    assert abs(float(jax.grad(mean_v)(g)) - float(fd)) < 1e-6 * abs(float(fd))
