"""NEURON's Newton loops in point processes, and refusals per batch element (issue 18).

- tests/io/nmodl/mod_events/pp_stiff.mod: nm_stiff.mod's stiff ODE, w' = a(v) (1 - w) - k w^2, in a
  POINT_PROCESS solved by derivimplicit. After a clamp step from -80 to +40 mV NEURON's loop needs 8
  iterations at dt = 0.025 ms, more than the 6 we trace: the run is refused in one line, as for a
  density mechanism (tests/io/nmodl/test_convergence.py, which shows NEURON's count on the same
  equation). At dt = 0.001 ms it runs with NEURON's numbers, NEURON running the same file beside it.
- pp_stiffsend.mod: the same ODE in a point process with a self-event (the event path of
  io/nmodl/artificial.py): refused too.
- A batch (``run_batch``, in the scan and in the fused kernel, and ``Simulation.function``) of
  nm_stiff under a current step, one element with a stiffer k: that element alone is refused, by
  its number.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod, solvers
from tests.io.nmodl.neuron_side import DIAM_UM, L_UM
from tests.io.nmodl.test_convergence import CELSIUS, CLAMP, TSTOP
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
HERE = Path(__file__).parent / "mod_events"
FILES = [HERE / "pp_stiff.mod", HERE / "pp_stiffsend.mod"]
#: The point-process files NEURON compiles for this module and test_point_ion_style: one library.
NEURON_FILES = [*FILES, HERE / "pp_careader.mod"]


def refused(name: str) -> str:
    return (rf"^{name}\[0\]: its Newton loop \(KINETIC sparse, derivimplicit or NONLINEAR\) had not converged after its "
            r"traced iterations in \d+ step\(s\), where NEURON iterates on: reduce dt$")


#: Of each trace's largest magnitude: the same Newton iterations on both sides (the same
#: central-difference Jacobian and stop rule), so only round-off differs (the density file gives
#: 1e-13 for w, V 3e-11: the clamps' own difference); a loop stopped one iteration early or late
#: moves w by up to its last change, 1e-6 of w.
RTOL = 1e-10


@pytest.fixture(scope="module")
def mods():
    return load_mod(FILES)


def neuron_points(h):
    """``h`` with NEURON_FILES loaded (compiled once, cached), or skip."""
    neuron_loaded(NEURON_FILES, "nrnmech-point-convergence", "pp_stiff.mod, pp_careader.mod", timeout_s=600)
    return h


def neuron_point(dt: float) -> dict[str, np.ndarray]:
    """NEURON: a bare compartment (10 x 10 µm) with pp_stiff at its middle under CLAMP (SEClamp)."""
    from tests.conftest import neuron_h

    h = neuron_points(neuron_h())
    sec = h.Section(name="pp_stiff_cell")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    pp = h.pp_stiff(sec(0.5))
    h.dt, h.secondorder, h.celsius = dt, 0, CELSIUS
    clamp = h.SEClamp(sec(0.5))
    clamp.rs = 0.01
    (clamp.dur1, clamp.amp1), (clamp.dur2, clamp.amp2), (clamp.dur3, clamp.amp3) = CLAMP
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v), "w": h.Vector().record(pp._ref_w),
            "i": h.Vector().record(pp._ref_i)}
    h.finitialize(-80.0)
    h.continuerun(TSTOP)
    out = {k: np.array(x) for k, x in vecs.items()}
    vecs.clear()
    del clamp, pp, sec
    return out


def our_point(mech, dt: float):
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    cell.place(mech, cell.soma)
    sim = ex.Simulation(cell, dt=dt, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=CLAMP, rs=0.01))
    name = type(mech).__name__
    sim.record("v", label="v")
    sim.record(f"{name}[0].w", label="w")
    return sim.run(TSTOP)


@pytest.mark.parametrize("name", ["pp_stiff", "pp_stiffsend"])
def test_a_stiff_point_process_neuron_iterates_past_our_steps_is_refused(mods, name):
    assert solvers.UNCONVERGED in mods[name].states
    with pytest.raises(ModelError, match=refused(name)) as err:
        our_point(mods[name](), 0.025)
    assert "\n" not in str(err.value)


def test_at_a_small_dt_the_stiff_point_process_runs_with_neurons_numbers(mods):
    """dt = 0.001 ms: NEURON's loop stops within 4 iterations; V and w at every step."""
    theirs = neuron_point(0.001)
    res = our_point(mods.pp_stiff(), 0.001)
    for name in ("v", "w"):
        ours, ref = np.asarray(res[name]).ravel(), theirs[name]
        assert ours.shape == ref.shape, name
        diff = np.max(np.abs(ours - ref)) / np.max(np.abs(ref))
        assert diff <= RTOL, f"{name}: largest difference {diff:.3g} of the trace's scale"
    assert np.max(theirs["w"]) > 0.05  # the step drove w well away from its start: the loop had work


#: The batch: nm_stiff (density) from V = +40 mV, w = 0.001 (INITIAL), dt = 0.025 ms; k per element.
#: Its first step is the stiff one (the step onto +40 mV of test_convergence, where NEURON's loop
#: needs 8 iterations): with k = 1000 /ms it is refused alone, k = 10 and 100 /ms converge.
BATCH_K = (10.0, 1000.0, 100.0)
BATCH_REFUSED = r"^batch element 1 of 3: " + refused("nm_stiff")[1:]
BATCH_TSTOP = 1.0


def stiff_sim():
    from tests.io.nmodl.neuron_side import mod_file

    cls = load_mod(mod_file("nm_stiff"))
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls())
    sim = ex.Simulation(cell, dt=0.025, temperature=CELSIUS, v_init=40.0)
    sim.record("nm_stiff.w")
    params = ex.with_param(ex.broadcast(sim.parameters(), len(BATCH_K)), "nm_stiff.k", jnp.asarray(BATCH_K))
    return sim, cls, params


def neuron_stiff_from_40(k: float) -> np.ndarray:
    """NEURON: nm_stiff alone in the compartment, finitialize(+40 mV), w at every step of 0.025 ms."""
    from tests.io.nmodl.test_convergence import neuron

    h = neuron()
    sec = h.Section(name="stiff40")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert("nm_stiff")
    sec(0.5).nm_stiff.k = k
    h.dt, h.secondorder, h.celsius = 0.025, 0, CELSIUS
    w = h.Vector().record(sec(0.5).nm_stiff._ref_w)
    h.finitialize(40.0)
    h.continuerun(BATCH_TSTOP)
    out = np.array(w)
    del w, sec
    return out


@pytest.mark.parametrize("kernel", ["scan", "fused"])
def test_a_batch_refuses_the_element_whose_loop_neuron_iterates_on(kernel):
    """run_batch, in the scan and in the fused kernel (Pallas' interpreter here): element 1 alone
    is refused, by its number, as its own run is; the batch without it runs and gives NEURON's w
    for each element (same iterations on both sides: round-off, RTOL)."""
    sim, _, params = stiff_sim()
    with pytest.raises(ModelError, match=BATCH_REFUSED) as err:
        sim.run_batch(BATCH_TSTOP, params, kernel=kernel)
    assert "\n" not in str(err.value)
    kept = ex.with_param(ex.broadcast(sim.parameters(), 2), "nm_stiff.k", jnp.asarray(BATCH_K[::2]))
    w = np.asarray(sim.run_batch(BATCH_TSTOP, kept, kernel=kernel)["nm_stiff.w"])
    for row, k in zip(w, BATCH_K[::2]):
        theirs = neuron_stiff_from_40(k)
        assert np.max(np.abs(row - theirs)) / np.max(np.abs(theirs)) <= RTOL, k


def test_the_batch_function_refuses_or_gives_nan_for_that_element():
    """Simulation.function: called with concrete parameters it refuses as run_batch does; under
    jit (or vmap of the single function) it cannot raise, and the refused element's recordings
    are NaN, the others those of run_batch."""
    import jax

    sim, _, params = stiff_sim()
    f = sim.function(BATCH_TSTOP, batched=True)
    with pytest.raises(ModelError, match=BATCH_REFUSED):
        f(params)
    traced = np.asarray(jax.jit(f)(params))
    assert np.isnan(traced).any(axis=(1, 2)).tolist() == [False, True, False]
    mapped = np.asarray(jax.vmap(sim.function(BATCH_TSTOP))(params))
    np.testing.assert_array_equal(np.isnan(mapped), np.isnan(traced))
    kept = ex.with_param(ex.broadcast(sim.parameters(), 2), "nm_stiff.k", jnp.asarray(BATCH_K[::2]))
    np.testing.assert_allclose(traced[::2, :, 0], sim.run_batch(BATCH_TSTOP, kept)["nm_stiff.w"], rtol=0, atol=1e-14)


def test_models_without_a_counting_mechanism_run_the_plan_they_had():
    """The hidden count columns are added only where a mechanism carries the count: a model of
    built-in HH and of the wheel's hh.mod (cnexp) keeps its own plan, hence its compiled programs."""
    from excitable.engine.counts import with_counts
    from tests.io.nmodl.neuron_side import mod_file

    for mech in (ex.HH(), load_mod(mod_file("hh"))()):
        sim = ex.Simulation(ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(mech), dt=0.025)
        sim.record("v")
        spec = sim.run_spec()
        assert with_counts(spec, sim.parameters()) is spec
    sim, _, _ = stiff_sim()
    spec = sim.run_spec()
    hidden = with_counts(spec, sim.parameters()).plan.probes[len(spec.plan.probes):]
    assert [(p.mechanism, p.field, p.index) for p in hidden] == [("nm_stiff", solvers.UNCONVERGED, 0)]


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the point process run beside NEURON above, for the
    table in docs/nmodl.md (benchmarks/nmodl_table.py)."""
    theirs, res = neuron_point(0.001), our_point(load_mod(FILES[0])(), 0.001)
    diffs = {k: np.max(np.abs(np.asarray(res[k]).ravel() - theirs[k])) / np.max(np.abs(theirs[k])) for k in ("v", "w")}
    traces = ", ".join(f"{k} {d:.1e}" for k, d in diffs.items()) + " (of each trace's largest magnitude)"
    row = ("pp_stiff (pp_stiff.mod), a point process solved by derivimplicit, clamped from -80 to +40 mV, 16 °C, "
           "dt 0.001 ms (at 0.025 ms NEURON iterates past our 6 steps: refused)")
    return [(row, [FILES[0]], traces, "clamped")]
