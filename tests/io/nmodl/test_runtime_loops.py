"""FROM loops whose bounds are known only in the run (io/nmodl/runtime_loops.py): refused before ("FROM
loop with bounds not known when the file is read"), as OSB GranCellSolinasEtAl10's
GRANULE_Ampa_det_vi.mod's ``FROM i = cntc TO numpulses`` over ``PRE[fmod(i, 100)]`` was.

Files: mod_events/rl_sum.mod, a density mechanism summing x[j] (j + 1) FROM j = lo TO hi, lo set by
INITIAL from a PARAMETER, hi following V (0 to 6 trips, clamped to x[6] by the file);
mod_events/rl_pre.mod, a synapse in GRANULE's shape: NET_RECEIVE keeps releases and times at
fmod(n, 4), BREAKPOINT's FUNCTION sums FROM j = imax(n - 3, 0) TO n - 1 over them.

References: NEURON 9.0.2 compiling the same files, side by side by ``compare_mods`` (a voltage-clamp
family and a current clamp for the density mechanism, a spike train on an hh compartment for the
synapse); nocmodl's C ``for (_lj = (int) lo; _lj <= (int) hi; _lj++)`` in closed form. Tolerance:
every trace within 1e-9 of its range (float64 on both sides, the same operations but for the
compilers' order: measured 2.7e-11 at most, in rl_sum's clamped current; a trip more or less adds or
drops a whole term x[j] (j + 1) of the sum, orders of magnitude more), the counter and the recorded
elements exactly, the same spikes.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast, with_param
from excitable.errors import ModelError, SimulationError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.test_runtime_index import grad_is_central_difference

HERE = Path(__file__).parent / "mod_events"
SUM, PRE = HERE / "rl_sum.mod", HERE / "rl_pre.mod"
TIMES = "2,6,9,12.5,17.5"  # ms: five events, so fmod(n, 4) wraps and the sum's start moves past 0
WEIGHT = 0.004  # uS: fires the hh compartment
RTOL = 1e-9


@pytest.mark.neuron
def test_both_files_run_as_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    dens = compare_mods([SUM], tolerance=RTOL)
    rec = compare_mods([PRE], spikes=TIMES, weight=WEIGHT, tolerance=RTOL)
    for result in (dens, rec):
        assert result.agrees, result.report()
    rows = {r.trace: r.difference for result in (dens, rec) for r in result.rows}
    exact = {"rl_pre.n", *(f"rl_pre.{a}[{k}]" for a in ("PRE", "tsp") for k in range(4))}
    assert exact | {"rl_sum.i", "rl_pre.i", "v"} <= set(rows)
    for name in exact:
        assert rows[name] == 0.0, name  # a counter, event times and products of the weight: the same operations
    assert max(rows.values()) < RTOL
    assert all(len(theirs) >= 1 for _, _, theirs in rec.spike_sets)  # the synapse fires the cell


def _sum_closed(first, span, v):
    """nocmodl's loop in closed form: j over (int) lo .. (int) hi, C's (int) truncating toward zero."""
    x = [1.0 / (1.0 + np.exp(-(v + 60.0 - 8.0 * k) / 6.0)) for k in range(6)]
    hi = min(first + span + np.floor((v + 70.0) / 15.0), 5.0)
    return sum(x[j] * (j + 1) for j in range(int(first), int(hi) + 1))


def test_each_instance_runs_its_own_trips():
    """Six instances at once (a vector of V and of first): 0 to 6 trips each, a bound -0.5 truncated to
    0 (one trip, where floor would give none); s equals the closed form to 1e-13 relative (the same
    terms in the same order: round-off only)."""
    first = np.array([0.0, 0.0, 1.7, 3.0, 4.2, 2.0])
    v = np.array([-80.0, -65.0, -40.0, 10.0, -50.0, -90.0])  # hi: -0.5, 0.5, 3.2, 5, 5, 0.5
    mech = load_mod(SUM)(first=jnp.asarray(first), span=0.5)
    s = np.asarray(mech.currents(jnp.asarray(v), mech.steady_state(jnp.asarray(v), 6.3))["i"]) / (
        1000.0 * 0.0005 * (v + 70.0))  # currents in uA/cm2, g (v - e) in mA/cm2
    want = [_sum_closed(f, 0.5, u) for f, u in zip(first, v)]
    assert want[5] == 0.0 and want[0] > 0.0  # no trip; the -0.5 truncated to 0: one
    np.testing.assert_allclose(s, want, rtol=1e-13, atol=0.0)


def _sum_sim(**values):
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(SUM)(**values))
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=0.5, duration=2.0))
    sim.record("v")
    return sim


def test_batch_and_gradient():
    """A batch over first (vmapped: 2 and 0, their own trips) gives each run alone (1e-12 relative);
    d mean(V) / d g through the masked trips by jax.grad equals the central difference (relative 1e-6:
    float64, smooth in g; step 1e-4 of g, where truncation and rounding are both near 1e-9)."""
    sim = _sum_sim()
    params = with_param(broadcast(sim.parameters(), 2), "rl_sum.first", np.array([2.0, 0.0]))
    batch = np.asarray(sim.run_batch(3.0, params)["v"])
    for k, first in enumerate((2.0, 0.0)):
        alone = _sum_sim(first=first)
        np.testing.assert_allclose(batch[k].ravel(), np.asarray(alone.run(3.0)["v"]).ravel(), rtol=1e-12)
    assert np.ptp(batch[0] - batch[1]) > 0.1  # mV: the trips differ between the elements
    f, base = sim.function(3.0), sim.parameters()
    grad_is_central_difference(f, base, "rl_sum.g", 0.0005, 5e-8)


def _variant(tmp_path, name, *replacements):
    text = SUM.read_text().replace("rl_sum", name)
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"{name}.mod"
    path.write_text(text)
    return path


def _line(path, text):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


#: rl_sum's loop in a SOLVE'd PROCEDURE (whose counts the mechanism carries between steps), hi not
#: clamped and x[fi], fi = fmod(j, 6) (GRANULE's index): every index in range, but 10 trips for 6 elements.
MANY = """NEURON { SUFFIX rl_many NONSPECIFIC_CURRENT i RANGE g, e, s }
PARAMETER { g = 0.0005 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) s x[6] lo hi }
INITIAL { lo = 0  hi = 9 }
BREAKPOINT {
  SOLVE sums
  i = g*s*(v - e)
}
PROCEDURE sums() { LOCAL j, fi
  FROM k = 0 TO 5 { x[k] = 1/(1 + exp(-(v + 60 - 8*k)/6)) }
  s = 0
  FROM j = lo TO hi { fi = fmod(j, 6)  s = s + x[fi] }
}
"""


def _run_of(path):
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(path)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.record("v")
    return sim


def test_more_trips_than_the_bound_are_refused_after_the_run(tmp_path):
    """A loop needing more trips than the array it indexes has elements (lo = 0 and hi = 9 set by
    INITIAL: 10 trips over x[6]) is not run silently
    short: the run is refused in one line naming the loop; in BREAKPOINT, whose counts a density
    mechanism does not carry, the values it writes are NaN: V too, and the run stops at its first step
    (health.py's one line), never a plausible number."""
    path = tmp_path / "rl_many.mod"
    path.write_text(MANY)
    line = _line(path, "FROM j = lo TO hi")
    with pytest.raises(ModelError, match=rf"^rl_many\[0\]: \d+ array access\(es\) with an index outside the array "
                                         rf"\(elements chosen in the run at .*{path}:{line} \(FROM j = lo TO hi") as info:
        _run_of(path).run(0.1)
    assert "\n" not in str(info.value)
    in_breakpoint = _variant(tmp_path, "rl_cut", ("  if (hi > 5) { hi = 5 }\n", ""), ("LOCAL j", "LOCAL j, fi"),
                             ("s = s + x[j]*", "fi = fmod(j, 6)  s = s + x[fi]*"), ("span = 0.5", "span = 8"))
    with pytest.raises(SimulationError, match=r"^the run became numerically unstable by t = 0.025 ms: V reached nan"):
        _run_of(in_breakpoint).run(0.1)


def test_a_loop_without_a_bound_is_refused_with_its_line(tmp_path):
    """A loop whose variable indexes no array (s = s + j): no bound on its trips, refused with its line
    when the file is loaded (its blocks are traced once then); so are a BY known only in the run and a BY of 0."""
    cases = (("rl_free", ("x[j]*(j + 1)", "j"), "its variable indexes no array in the body \\(no bound on its trips\\)"),
             ("rl_by", ("TO hi {", "TO hi BY lo {"), "FROM loop whose BY is known only in the run"),
             ("rl_by0", ("TO hi {", "TO hi BY 0 {"), "BY 0 \\(as C's int 0\\): it never ends"))
    for name, change, why in cases:
        path = _variant(tmp_path, name, change)
        line = _line(path, "FROM j = lo TO hi")
        with pytest.raises(ModelError, match=rf"^{path}:{line}: .*{why}.* \(FROM j = lo TO hi.*\) not supported$"):
            load_mod(path)
