"""Array elements chosen by a value known only in the run (io/nmodl/runtime_index.py): refused before
("array index not known when the file is read"), as OpenSourceBrain destexhe_jcns_2009's IF_BG4.mod
(``spiketimes[nspike] = t``), GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod (``PRE[fi]`` in
NET_RECEIVE) and ModelDB 113997 ipulse3.mod (``amp[pcount]``) were.

Files: mod_events/rt_dens.mod, a density mechanism whose SOLVE'd PROCEDURE steps the STATE element
h[n] a counter names and whose current reads h[k] at a clock's k; mod_events/rt_rec.mod, a synapse
that keeps each event's time at spiketimes[nspike] (IF_BG4's shape) and reads and rewrites PRE[fi],
fi = fmod(nspike, 3) (GRANULE_Ampa_det_vi's).

References: NEURON 9.0.2 compiling the same files, side by side by ``compare_mods`` (``mod compare``'s
protocols: a voltage clamp and a current clamp for the density mechanism, a spike train on an hh
compartment for the synapse). Tolerance: every trace within 1e-9 of its range: float64 on both sides,
the same expressions in the same order but for the compiler's (measured 2.2e-11 at most, in the
clamp's V; an element read at the wrong index moves the current by 0.3 of its range or more), the
counters and the recorded elements exactly. Closed forms: NEURON's C index ``(int) x`` truncates
toward zero; the event times the array keeps are the train's (on the dt grid, delivered there).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine import counts
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod, runtime_index
from excitable.io.nmodl.check import check_file
from excitable.io.nmodl.expressions import Scope
from tests.io.nmodl.neuron_side import class_loader, hh_events_ours

HERE = Path(__file__).parent / "mod_events"
DENS, REC = HERE / "rt_dens.mod", HERE / "rt_rec.mod"
TIMES = [2.0, 6.0, 9.0, 17.5]  # ms, on the dt grid: four events fill spiketimes[4]
WEIGHT = 0.004  # uS: the second event's jump fires the hh compartment
RTOL = 1e-9
cls = class_loader()


#: Lytton's shape (a GLOBAL array a PROCEDURE fills before BREAKPOINT reads it, array_elements.py)
#: with its element chosen in the run: every element is set by this instance's call first, so the
#: shared array holds this instance's numbers where read (runs per instance, as NEURON).
GLOBAL_ARRAY = """NEURON { SUFFIX rt_glob NONSPECIFIC_CURRENT i GLOBAL w }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) w[3] k }
BREAKPOINT {
  k = fmod(floor(t), 3)
  rates(v)
  i = g*w[k]*(v - e)
}
PROCEDURE rates(v (mV)) {
  FROM j = 0 TO 2 { w[j] = 1 + j/(1 + exp(-(v + 50)/5)) }
  w[k] = w[k] + 0.5
}
"""


@pytest.mark.neuron
def test_both_files_run_as_neuron(tmp_path):
    from excitable.workflows.neuron_compare import compare_mods

    (tmp_path / "rt_glob.mod").write_text(GLOBAL_ARRAY)
    dens = compare_mods([DENS, tmp_path / "rt_glob.mod"], tolerance=RTOL)
    rec = compare_mods([REC], spikes=",".join(f"{t:g}" for t in TIMES), weight=WEIGHT, tolerance=RTOL)
    for result in (dens, rec):
        assert result.agrees, result.report()
    rows = {r.trace: r.difference for result in (dens, rec) for r in result.rows}
    elements = {f"rt_dens.h[{k}]" for k in range(3)} | {f"rt_rec.spiketimes[{k}]" for k in range(4)} \
        | {f"rt_rec.PRE[{k}]" for k in range(3)}
    assert elements | {"rt_dens.n", "rt_dens.i", "rt_glob.i", "rt_rec.nspike", "rt_rec.g", "rt_rec.i"} <= set(rows)
    for exact in ("rt_dens.n", "rt_rec.nspike", *(e for e in elements if "rt_rec" in e)):
        assert rows[exact] == 0.0, exact  # counters, event times and PRE's few products: the same operations
    assert max(rows.values()) < RTOL
    assert all(len(theirs) >= 1 for _, _, theirs in rec.spike_sets)  # the synapse fires the cell


def _rec_run(times, signals):
    return hh_events_ours(cls("hh"), load_mod(REC)(), times=times, weight=WEIGHT, signals=signals, tstop=20.0)


def test_the_array_keeps_each_event_time_at_its_count():
    """spiketimes[k] = t of the k-th event (0 before it), PRE[fi] = 0.8 PRE[fi] + 0.3 at the events
    with fi = k mod 3: PRE[0] twice (1 -> 1.1 -> 1.18), PRE[1] and PRE[2] once."""
    signals = ("nspike", *(f"spiketimes[{k}]" for k in range(4)), *(f"PRE[{k}]" for k in range(3)))
    out = _rec_run(TIMES, signals)
    assert out["nspike"][-1] == 4
    assert [out[f"spiketimes[{k}]"][-1] for k in range(4)] == TIMES
    assert out["spiketimes[3]"][int(TIMES[3] / 0.025) - 1] == 0.0  # not yet written before its event
    np.testing.assert_allclose([out[f"PRE[{k}]"][-1] for k in range(3)], [1.18, 0.78, 1.42], rtol=1e-15)


def test_the_index_is_truncated_toward_zero_and_checked_per_instance():
    """C's (int) cast: -0.5 -> 0 and 2.7 -> 2 (in range); 3, -1, NaN and inf are outside x[3]: NaN read,
    every element of that instance NaN after a write, and each counted once in OUT_OF_RANGE."""
    idx = jnp.array([0.0, 2.7, -0.5, 3.0, -1.0, jnp.nan, jnp.inf])
    scope = Scope({}, {"x[0]": jnp.full(7, 10.0), "x[1]": 11.0, "x[2]": jnp.full(7, 12.0)})
    ref = runtime_index.Element("x", 3, idx, "here")
    got = np.asarray(scope.get(ref))
    np.testing.assert_array_equal(got[:3], [10.0, 12.0, 10.0])
    assert np.isnan(got[3:]).all()
    scope.set(ref, jnp.arange(7.0))
    np.testing.assert_array_equal(np.asarray(scope.glob["x[0]"])[:3], [0.0, 10.0, 2.0])
    np.testing.assert_array_equal(np.asarray(scope.glob["x[2]"])[:3], [12.0, 1.0, 12.0])
    assert all(np.isnan(np.asarray(scope.glob[f"x[{k}]"])[3:]).all() for k in range(3))
    np.testing.assert_array_equal(np.asarray(scope.glob[runtime_index.OUT_OF_RANGE]), [0, 0, 0, 2, 2, 2, 2])


def test_an_index_past_the_array_never_gives_a_number():
    """A fifth event writes spiketimes[4] of spiketimes[4]: NEURON writes past the C array (undefined).
    Here every element becomes NaN and the mechanism carries the count (INDEX_OUT_OF_RANGE among its
    states), so the run is refused in one line after it even where no element is recorded."""
    assert counts.INDEX_OUT_OF_RANGE in load_mod(REC).states
    with pytest.raises(ModelError, match=r"^rt_rec\[0\]: 1 array access\(es\) with an index outside the array "
                                         r"\(elements chosen in the run at .*rt_rec\.mod:\d+ .*\): NEURON's C") as info:
        _rec_run([*TIMES, 19.0], ("g",))
    assert "\n" not in str(info.value)


def test_a_density_mechanism_counts_an_index_past_its_array_too(tmp_path):
    """rt_dens.mod with its counter unwrapped (n = n + 1 past h[3]): the run is refused in one line
    naming the instance, the count and the file:line of the accesses; a function of the run under
    jit, which cannot raise, returns NaN everywhere instead (counts.refusing)."""
    path = tmp_path / "rt_dens9.mod"
    path.write_text(DENS.read_text().replace("fmod(n + 1, 3)", "n + 1").replace("rt_dens", "rt_dens9"))
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(path)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.record("v")
    with pytest.raises(ModelError, match=rf"^rt_dens9\[0\]: \d+ array access\(es\) with an index outside the "
                                         rf"array \(elements chosen in the run at {path}:\d+") as info:
        sim.run(1.0)
    assert "\n" not in str(info.value)
    assert np.isnan(np.asarray(jax.jit(sim.function(1.0))(sim.parameters()))).all()


def _count_probe(mechanism="rt_rec", k=0):
    from excitable.engine.plan import Probe

    return Probe(label=f"{mechanism}[{k}]", kind="state", node=0, mechanism=mechanism,
                 field=counts.INDEX_OUT_OF_RANGE, index=k)


def test_a_count_of_accesses_outside_the_array_refuses_in_one_line():
    """Where a mechanism carries the count (a state INDEX_OUT_OF_RANGE), a run, a batch element and a
    final state are refused in one line naming the instance, the count and the file:line of the
    array access; a function under jit returns NaN instead (it cannot raise)."""
    _rec_run(TIMES, ())  # traces rt_rec: its run-time indices register their sites
    sites = counts.INDEX_SITES["rt_rec"]
    assert any(s.startswith(f"{REC}:") and "spiketimes[nspike]" in s for s in sites), sites
    plan = SimpleNamespace(probes=(), n=1)
    rec = np.zeros((5, 1))
    rec[-1, 0] = 2.0
    with pytest.raises(ModelError, match=r"^rt_rec\[0\]: 2 array access\(es\) with an index outside the array "
                                         r"\(elements chosen in the run at .*rt_rec\.mod:\d+ .*\): NEURON's C") as info:
        counts.check_counts(rec, plan, (_count_probe(),), batched=False)
    assert "\n" not in str(info.value)
    batch = np.zeros((3, 5, 1))
    batch[2, -1, 0] = 1.0
    with pytest.raises(ModelError, match=r"^batch element 2 of 3: rt_rec\[0\]: 1 array access"):
        counts.check_counts(batch, plan, (_count_probe(),), batched=True)
    with pytest.raises(ModelError, match=r"^rt_rec\[1\]: 3 array access"):
        counts.check_events({"chan": {"rt_rec": {counts.INDEX_OUT_OF_RANGE: np.array([0.0, 3.0])}}})
    counted = SimpleNamespace(probes=(_count_probe(),), n=1)
    fn = counts.refusing(lambda p: p * jnp.ones((5, 1)), plan, counted, batched=False)
    assert np.isnan(np.asarray(jax.jit(fn)(jnp.array(1.0)))).all()
    assert np.asarray(jax.jit(fn)(jnp.array(0.0))).shape == (5, 0)


def _dens_sim():
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(DENS)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=1.0, duration=3.0))
    sim.record("v")
    return sim


def test_gradient_through_elements_read_and_written_in_the_run():
    """d mean(V) / d g through h[k] read at the run's k and h[n] written at its n (the elements move
    with V, V with g) by jax.grad equals the central difference (relative 1e-6: float64, smooth in g;
    step 1e-7 S/cm2, 1e-4 of g, where truncation and rounding are both near 1e-9 of the gradient)."""
    sim = _dens_sim()
    f, base = sim.function(6.0), sim.parameters()
    v = np.asarray(sim.run(6.0)["v"]).ravel()
    assert np.max(np.abs(np.asarray(f(base))[:, 0] - v)) < 1e-12 * np.ptp(v)
    grad_is_central_difference(f, base, "rt_dens.g", 0.001, 1e-7)


def grad_is_central_difference(f, base, name: str, g: float, h: float) -> None:
    """jax.grad of mean V (column 0 of ``f``'s recordings) in parameter ``name`` at ``g`` equals the
    central difference of step ``h`` to 1e-6 relative, and is finite and nonzero."""
    mean_v = lambda x: jnp.mean(f(ex.with_param(base, name, x))[:, 0])
    x = jnp.array([g])
    fd = float((mean_v(x + h) - mean_v(x - h)) / (2 * h))
    grad = float(jax.grad(mean_v)(x)[0])
    assert np.isfinite(grad) and abs(fd) > 0
    assert abs(grad - fd) < 1e-6 * abs(fd), (grad, fd)


def test_an_equation_of_an_element_chosen_in_the_run_is_still_refused(tmp_path):
    """A DERIVATIVE's x'[k] needs the element's name (the solver's unknown): refused with its line by
    load_mod and by ``mod check`` (whose "supported: yes" it once got: load_mod's trial trace held the
    PARAMETER k as the number 1, where a run traces it)."""
    path = tmp_path / "rt_deriv.mod"
    path.write_text("NEURON { SUFFIX rt_deriv NONSPECIFIC_CURRENT i }\n"
                    "PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) k = 1 }\n"
                    "ASSIGNED { v (mV) i (mA/cm2) }\nSTATE { h[3] }\n"
                    "BREAKPOINT {\n  SOLVE s METHOD cnexp\n  i = g*h[0]*(v - e)\n}\n"
                    "DERIVATIVE s {\n  h'[k] = (1 - h[k])/5\n}\n")
    message = rf"^{path}:10: array index not known when the file is read \(h'\[k\]\) not supported$"
    with pytest.raises(ModelError, match=message):
        load_mod(path)
    report, bad = check_file(path)
    assert bad == 1 and re.match(message, report[-1].strip()), report


def test_an_element_another_block_sets_is_kept_and_read_at_the_run_s_index(tmp_path):
    """w[] set in INITIAL and read in BREAKPOINT at a PARAMETER's index (test_check_agrees.py's form,
    ipulse3.mod's amp[pcount] on a density mechanism): refused before, as nothing kept INITIAL's
    values for BREAKPOINT; now kept element by element (array_memory.py; beside NEURON:
    test_array_memory.py's am_stat.mod, whose FUNCTION reads w[k] at the run's k). An element read in
    INITIAL at a run-time index that only a later block sets (NEURON: what the previous run left) is
    still refused with its line by load_mod (whose trial trace holds k as a run does), not read as 0."""
    path = tmp_path / "rt_unkept.mod"
    path.write_text("NEURON { SUFFIX rt_unkept NONSPECIFIC_CURRENT i RANGE k }\n"
                    "PARAMETER { k = 0  g = 0.001 (S/cm2) }\nASSIGNED { v (mV) i (mA/cm2) w[3] x }\n"
                    "INITIAL { w[0] = 1  w[1] = 2  w[2] = 3 }\nBREAKPOINT {\n  i = g*w[k]*(v + 65)\n}\n")
    assert {"w[0]", "w[1]", "w[2]"} <= set(load_mod(path).states)
    path.write_text(path.read_text().replace("rt_unkept", "rt_unset")
                    .replace("INITIAL { w[0] = 1  w[1] = 2  w[2] = 3 }", "INITIAL { x = w[k] }")
                    .replace("  i = g*w[k]*(v + 65)", "  w[0] = v  w[1] = v  w[2] = v\n  i = g*x*(v + 65)"))
    with pytest.raises(ModelError, match=rf"^{path}:4: array w read at an index known only in the run while an "
                                         r"element of it is unset in this block .* not supported"):
        load_mod(path)


def test_an_array_no_block_reads_is_not_a_state_of_a_density_mechanism(tmp_path):
    """IF_BG4.mod's spiketimes[10000], only written (hoc reads it after a run): the density path keeps
    no ASSIGNED element no block reads, so runtime_index.key checks only the index of such a write
    instead of tracing 10000 selects per run of BREAKPOINT. Should that path come to keep such
    elements as states (to record them), ``key``'s skip must go with it: this test says so first."""
    path = tmp_path / "rt_wonly.mod"
    path.write_text("NEURON { SUFFIX rt_wonly NONSPECIFIC_CURRENT i RANGE n }\n"
                    "PARAMETER { g = 0.001 (S/cm2) }\nASSIGNED { v (mV) i (mA/cm2) st[3] n }\n"
                    "INITIAL { n = 0 }\nBREAKPOINT {\n  SOLVE c\n  i = g*(v + 65)\n}\n"
                    "PROCEDURE c() {\n  st[n] = v\n  n = fmod(n + 1, 3)\n}\n")
    cls_ = load_mod(path)
    assert "n" in cls_.states and not any(s.startswith("st[") for s in cls_.states)
    assert runtime_index.written_only(path, "st")
    assert not runtime_index.written_only(DENS, "h") and not runtime_index.written_only(REC, "PRE")  # a STATE; read


def test_a_write_that_leaves_elements_neuron_keeps_is_refused(tmp_path):
    """A GLOBAL array written only at the run's k, read at w[0]: NEURON's other elements are what an
    earlier call (any instance's) left, which no per-instance copy is: refused with its line, not run
    on 0s (array_memory.kept, before runtime_index.write would meet it in the run)."""
    path = tmp_path / "rt_globx.mod"
    path.write_text(GLOBAL_ARRAY.replace("rt_glob", "rt_globx").replace("g*w[k]*", "g*w[0]*")
                    .replace("  FROM j = 0 TO 2 { w[j] = 1 + j/(1 + exp(-(v + 50)/5)) }\n", "")
                    .replace("w[k] + 0.5", "1 + v/100"))
    with pytest.raises(ModelError, match=rf"^{path}:10: GLOBAL array w used before this block run sets every element "
                                         r"it may use, .*declare it RANGE\) not supported$"):
        load_mod(path)


def test_a_large_array_read_at_a_run_time_index_is_refused_before_anything_is_built(tmp_path):
    """Each use at a run-time index selects among all the elements, each kept per instance: the
    program grows as N² (HNN's APCounter2.mod, times[20000], gave no program after 13 minutes and
    5.6 GB). Above runtime_index.MAX_SELECTED elements refused in one line naming the size; an array
    only written (IF_BG4's spiketimes[10000]) loads, and MAX_SELECTED elements load."""
    text = ("NEURON {{ SUFFIX big RANGE n, last NONSPECIFIC_CURRENT i }}\nASSIGNED {{ v (mV) i (mA/cm2) n last w[{size}] }}\n"
            "INITIAL {{ n = 0 }}\nBREAKPOINT {{\n  SOLVE count\n  i = 0\n}}\n"
            "PROCEDURE count() {{\n  w[n] = t\n  {read}\n  n = n + 1\n}}\n")
    path = tmp_path / "big.mod"
    path.write_text(text.format(size=runtime_index.MAX_SELECTED + 1, read="last = w[n]"))
    with pytest.raises(ModelError, match=rf"^{path}:9: array w of {runtime_index.MAX_SELECTED + 1} elements used at an "
                                         rf"index known only in the run .*at most {runtime_index.MAX_SELECTED}\) "
                                         r"\(w\[n\]\) not supported"):
        load_mod(path)
    path.write_text(text.format(size=10000, read="last = t"))  # only written: nothing kept, nothing selected
    assert "w[0]" not in load_mod(path).states
