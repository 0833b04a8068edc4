"""FROM loops bounded by PARAMETERs (ModelDB 84589 kahp.mod's ``FROM i = 1 TO gexp``): nm_fromparam.mod
beside NEURON at its defaults and at other bounds set as a user sets parameters, nocmodl's C loop
in closed form (int bounds truncated toward zero, an empty loop), and what cannot be run so, refused
in one line (io/nmodl/loop_bounds.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast, with_param
from excitable.errors import ModelError
from excitable.io.nmodl.loop_bounds import MAX_ITERATIONS, c_loop
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, class_loader, mod_file
from tests.reference.nrnmech import neuron_loaded

cls = class_loader()
FILE, HOC = mod_file("nm_fromparam"), mod_file("nm_fromparam_hoc")
#: (file stem, our values -> the same on NEURON's side): nm_fromparam's defaults; a power 2 set by
#: Cell.set and n = 2.7, lo = -1.5 given to the instance (C's (int): the sum -1 + 0 + 1 + 2); both
#: loops empty (p = 0.5 is int 0 < 1; n = 0 < lo = 1): a constant conductance, s relaxing to 0. Then
#: nm_fromparam_hoc (kahp.mod's ASSIGNED GLOBAL power, a PARAMETER here): 0, NEURON's start, and 3
#: (NEURON: pw_nm_fromparam_hoc = 3, as the model's hoc sets exp_n_kahp).
CASES = (("nm_fromparam", {}), ("nm_fromparam", {"p": 2.0, "n": 2.7, "lo": -1.5}),
         ("nm_fromparam", {"p": 0.5, "n": 0.0}), ("nm_fromparam_hoc", {}), ("nm_fromparam_hoc", {"pw": 3.0}))
#: 1e-6 of each trace's range, as the other side-by-side tests (test_neuron_side_by_side.py): the same
#: formulas in another order differ by round-off (1e-12..1e-9); a wrong loop count changes m^p or s by
#: far more (one term of the sum is >= 1/10 of it, one factor of m^p is m < 0.9 at these V).
RTOL = 1e-6
CLAMP = ((3.0, -80.0), (10.0, -20.0), (3.0, -80.0))


def ours(stem, values):
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    given = {k: v for k, v in values.items() if k != "p"}
    cell.insert(cls(stem)(**given))
    if "p" in values:
        cell.set(f"{stem}.p", values["p"])
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-80.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=CLAMP, rs=0.01))
    for name in ("v", *(f"{stem}.{k}" for k in cls(stem).states)):
        sim.record(name)
    res = sim.run(sum(d for d, _ in CLAMP))
    states = {k: res[f"{stem}.{k}"] for k in cls(stem).states}
    ik = np.asarray(cls(stem)(**values).currents(np.asarray(res["v"]), states)["ik"]) / 1000.0  # mA/cm2
    return {"v": np.asarray(res["v"]), **states, "ik": ik}


def neurons(stem, values):
    h = neuron_loaded([FILE, HOC], "nrnmech-nmodl-fromparam", "nm_fromparam*.mod")
    sec = h.Section(name="fromparam")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert(stem)
    for k, v in values.items():  # RANGE per segment, GLOBAL as NAME_SUFFIX (as a model's hoc)
        setattr(*((h, f"{k}_{stem}") if k == "pw" else (getattr(sec(0.5), stem), k)), v)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    stim = h.SEClamp(sec(0.5))
    stim.rs = 0.01
    (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = CLAMP
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v), "ik": h.Vector().record(sec(0.5)._ref_ik)}
    vecs.update({k: h.Vector().record(getattr(getattr(sec(0.5), stem), f"_ref_{k}")) for k in cls(stem).states})
    h.finitialize(-80.0)
    h.continuerun(sum(d for d, _ in CLAMP))
    out = {k: np.array(v) for k, v in vecs.items()}
    if "pw" in values:
        h.pw_nm_fromparam_hoc = 0.0  # a GLOBAL outlives the section: back to the file's start
    del stim, sec
    return out


@pytest.mark.neuron
@pytest.mark.parametrize("stem, values", CASES, ids=["defaults", "set", "empty", "hoc-default", "hoc-set"])
def test_loops_bounded_by_parameters_match_neuron(stem, values):
    """V, the states at every step and ik (NEURON's sample k+1, computed by nrn_cur from the states
    of sample k, against our currents at sample k: test_neuron_side_by_side.py) within RTOL of each
    trace's range."""
    mine, theirs = ours(stem, values), neurons(stem, values)
    assert len(mine["v"]) == len(theirs["v"])
    for k in mine:
        a, b = (mine[k][:-1], theirs[k][1:]) if k == "ik" else (mine[k], theirs[k])
        scale = np.ptp(b) or max(np.max(np.abs(b)), 1e-300)  # s stays 0 with its loop empty
        assert np.max(np.abs(a - b)) <= RTOL * scale, f"{stem} {values} {k}: {np.max(np.abs(a - b)) / scale:.3g}"
    if values.get("n") == 0.0:
        assert not np.any(theirs["s"])  # the empty loop: nothing to relax to on either side


def test_the_loop_runs_as_nocmodls_c_loop():
    """``for (i = (int) a; i <= (int) b; i += (int) c)`` (nocmodl's C, checked with the wheel's
    nocmodl): values exact, in closed form."""
    assert c_loop(1, 3) == [1.0, 2.0, 3.0]
    assert c_loop(1, 2.7) == [1.0, 2.0]            # (int) 2.7 = 2
    assert c_loop(-1.5, 0.5) == [-1.0, 0.0]        # toward zero: -1 and 0
    assert c_loop(1, 0) == [] and c_loop(3, 1, -1) == []  # end below start: no iteration, whatever the step
    assert c_loop(1, 6, 2) == [1.0, 3.0, 5.0]
    with pytest.raises(ValueError, match=r"^FROM loop that never ends \(BY 0.5, as C's int 0, from 1 to 3\)$"):
        c_loop(1, 3, 0.5)
    with pytest.raises(ValueError, match=r"^FROM loop with a bound that is not finite \(1 TO nan BY 1\)$"):
        c_loop(1, float("nan"))
    with pytest.raises(ValueError, match=rf"^FROM loop of {MAX_ITERATIONS + 1} iterations"):
        c_loop(0, MAX_ITERATIONS)


def test_the_mechanism_unrolls_the_bounds_it_is_given():
    """At V = -40 mV minf = 1/2: ik = gbar m^int(p) (v - ek) and, INITIAL's m = minf, the sum's
    closed form n(n+1)/2 - (lo-1)lo/2 read from ds/dt = (total m - s)/tau at s = 0; under jit and with
    the gradient in gbar kept (the bounds are static, the other fields traced)."""
    C, v = cls("nm_fromparam"), jnp.asarray(-40.0)
    assert C.fixed_fields == ("p", "n", "lo")
    for p, power in ((3.0, 3), (2.7, 2), (0.0, 0), (-2.0, 0)):
        mech = C(p=p)
        ik = jax.jit(lambda m: m.currents(v, m.steady_state(v, 6.3))["ik"])(mech)
        assert float(ik) == pytest.approx(1000.0 * 0.01 * 0.5 ** power * (-40.0 + 77.0), rel=1e-12)
        grad = jax.grad(lambda m: m.currents(v, m.steady_state(v, 6.3))["ik"])(mech)
        assert float(grad.gbar) == pytest.approx(1000.0 * 0.5 ** power * 37.0, rel=1e-12)
    for n, lo, total in ((4.0, 1.0, 10.0), (2.7, -1.5, 2.0), (0.0, 1.0, 0.0)):
        mech = C(n=n, lo=lo, tau=1.0)
        s0 = mech.steady_state(v, 6.3)
        after = mech.advance(v, s0, 6.3, 1e-6, {})["s"]  # s(dt) = total m (1 - exp(-dt/tau)) ~ total m dt
        assert float(after) == pytest.approx(total * 0.5 * 1e-6, rel=1e-5)


def test_an_assigned_only_hoc_sets_is_a_parameter(tmp_path):
    """kahp.mod's form: the ASSIGNED GLOBAL pw, which no statement assigns, is a fixed PARAMETER of
    default 0 (`mod check` lists it, `mod compare --set` takes it); at V = -40 mV ik = gbar 0.5^pw
    (v - ek); one a block assigns stays ASSIGNED and its loop refused."""
    C, v = cls("nm_fromparam_hoc"), jnp.asarray(-40.0)
    assert C.description.parameters["pw"] == (0.0, "") and "pw" not in C.description.assigned
    assert C.fixed_fields == ("pw",)
    for pw in (0.0, 2.0):
        mech = C(pw=pw)
        assert float(mech.currents(v, mech.steady_state(v, 6.3))["ik"]) == pytest.approx(
            1000.0 * 0.01 * 0.5 ** pw * 37.0, rel=1e-12)
    path = tmp_path / "nm_fromparam_hoc_set.mod"
    path.write_text(HOC.read_text().replace("    m = minf\n", "    m = minf\n    pw = 2\n"))
    with pytest.raises(ModelError, match=rf"^{path}:56: FROM loop with bounds known only in the run where its "
                                         r"variable indexes no array in the body \(no bound on its trips\) "
                                         r"\(FROM i = 1 TO k \{\) not supported$"):
        ex.load_mod(path)


def _two_compartments():
    b = ex.Morphology.builder()
    b.add("soma", length=10.0, diameter=10.0)
    b.add("dend", length=50.0, diameter=1.0, parent="soma", x=1.0)
    return ex.Cell(b.build(), nseg=1).insert(cls("nm_fromparam")())


def test_a_bound_that_cannot_be_one_number_is_refused_in_one_line():
    """Per compartment, batched (vmapped) or given as no number: one line naming the field and the
    loop's line; the same value everywhere runs (the class is traced again for it)."""
    where = f"{FILE}:60"
    why = rf"^nm_fromparam\.n bounds a FROM loop \({where}\), which excitable unrolls when a run is built: "
    cell = _two_compartments().set("nm_fromparam.n", 2.0, where="soma")
    with pytest.raises(ModelError, match=why + "it takes one value for all compartments, instances and batch elements, got 2 and 4$"):
        ex.Simulation(cell, dt=DT).run(0.1)
    sim = ex.Simulation(_two_compartments().set("nm_fromparam.n", 2.0), dt=DT)
    sim.record("nm_fromparam.s")
    assert np.all(np.isfinite(sim.run(0.1)["nm_fromparam.s"]))
    params = broadcast(sim.parameters(), 2)
    with pytest.raises(ModelError, match=why + "it takes one value for all compartments, instances and batch elements, got 2 and 3$"):
        with_param(params, "nm_fromparam.n", np.array([2.0, 3.0]))
    with pytest.raises(ModelError) as traced:
        jax.vmap(lambda x: with_param(params, "nm_fromparam.n", x))(jnp.asarray([2.0, 3.0]))
    assert str(traced.value) == (why[1:].replace("\\", "") + "it cannot be batched, traced or differentiated; "
                                 "build one run per value")  # (JAX adds a note on its traceback, not to the message)
    with pytest.raises(ModelError, match=why + "expected a number, got 'four'$"):
        cls("nm_fromparam")(n="four")


def test_other_parameters_still_batch_with_fixed_bounds():
    """A batch over gbar (vmapped) with p fixed: each element the run of its gbar alone (round-off
    only), and at t = 0 ik = gbar minf(-40)^2 (v - ek) in closed form."""
    def sim_of(gbar):
        cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls("nm_fromparam")(p=2.0, gbar=gbar))
        sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-40.0)
        sim.record("nm_fromparam.ik")
        return sim

    sim = sim_of(0.01)
    params = with_param(broadcast(sim.parameters(), 2), "nm_fromparam.gbar", np.array([0.01, 0.02]))
    ik = np.asarray(sim.run_batch(0.1, params)["nm_fromparam.ik"])
    np.testing.assert_allclose(ik[1], sim_of(0.02).run(0.1)["nm_fromparam.ik"], rtol=1e-12)
    np.testing.assert_allclose(ik[:, 0], 1000.0 * np.array([0.01, 0.02]) * 0.25 * 37.0, rtol=1e-12)


def _written(tmp_path, body):
    text = FILE.read_text().replace("INITIAL {\n", "INITIAL {\n" + body + "\n", 1)
    path = tmp_path / "nm_fromparam_written.mod"
    path.write_text(text)
    return path


def test_a_bound_a_block_assigns_is_still_refused(tmp_path):
    """A PARAMETER INITIAL assigns is a state of the run (parameter_writes.py), not known when traced:
    the loop is refused at its line, as before; a step of 0 would never end in C: refused too."""
    path = _written(tmp_path, "    n = 5")
    with pytest.raises(ModelError, match=rf"^{path}:61: FROM loop with bounds known only in the run where its "
                                         r"variable indexes no array in the body \(no bound on its trips\) "
                                         r"\(FROM i = lo TO n \{\) not supported$"):
        ex.load_mod(path)
    path = tmp_path / "nm_fromparam_by.mod"
    path.write_text(FILE.read_text().replace("FROM i = lo TO n {", "FROM i = lo TO n BY lo {"))
    with pytest.raises(ModelError, match=rf"^{path}:60: FROM loop that never ends \(BY 0, as C's int 0, from 0 to 4\) "
                                         r"\(FROM i = lo TO n BY lo \{\) not supported$"):
        ex.load_mod(path)(lo=0.0).steady_state(jnp.asarray(-40.0), 6.3)


def test_the_fused_kernel_runs_fixed_bounds():
    """The fused GPU kernel (Pallas' interpreter, as tests/engine/kernels/test_imported.py) with
    p = 2, n = 2.7 fixed: the scan's numbers (1e-9 of mV and of the states: the same arithmetic in
    another loop), one cell firing, one not; and it lowers for CUDA."""
    from excitable.engine.kernels.single import run_fused

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH()).insert(cls("nm_fromparam")(p=2.0, n=2.7))
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(15.0, cell.soma), delay=0.5, duration=5.0))
    for trace in ("v", "nm_fromparam.m", "nm_fromparam.s"):
        sim.record(trace)
    params = with_param(broadcast(sim.parameters(), 2), "HH.gNa", np.array([20.0, 120.0]))
    fused, scan = (sim.run_batch(6.0, params, kernel=k) for k in ("fused", "scan"))
    for trace in scan.traces:
        np.testing.assert_allclose(fused[trace], scan[trace], rtol=0, atol=1e-9, err_msg=trace)
    assert np.max(scan["v"][1]) > 0.0 > np.max(scan["v"][0])
    lowered = jax.jit(lambda p, d: run_fused(sim.plan, p, d, dt=sim.dt, block=4, interpret=False)).trace(
        broadcast(sim.parameters(), 4), sim.drive(1.0)).lower(lowering_platforms=("cuda",))
    assert "xla.gpu.triton" in lowered.as_text()
