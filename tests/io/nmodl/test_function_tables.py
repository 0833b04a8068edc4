"""FUNCTION_TABLE (io/nmodl/function_tables.py): tables given at load time, interpolated as NEURON's
hoc_func_table does, side by side with NEURON running tests/reference/mod/nm_functable.mod (an hh
whose m time constant is a table of v and whose h steady state is a table of v and celsius) with
the same tables given through h.table_tau1_nm_functable and h.table_hinf2_nm_functable; the
gradient by a table's value; the one-line refusals."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import function_tables, load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, OWN

FILE = OWN / "nm_functable.mod"
#: tau1's points stop inside the clamp family's range (hold -80 mV is below the first, the +40 mV
#: step and spike peaks above the last), so both held ends are compared.
X_TAU = np.arange(-75.0, 26.0, 10.0)
#: hinf2's grid: v from -100 to 30 mV (the +40 mV step beyond it), celsius 0, 10, 20 degC (6.3
#: inside, 25 beyond).
X_V, X_C = np.arange(-100.0, 31.0, 10.0), np.array([0.0, 10.0, 20.0])


def hh_mtau(v):
    """hh.mod's m time constant at 6.3 degC (ms): the measured table the file stands in for."""
    a = 0.1 * -(v + 40) / np.expm1(-(v + 40) / 10)
    return 1.0 / (a + 4.0 * np.exp(-(v + 65) / 18))


def shifted_hinf(v, celsius):
    """hh's h steady state moved 0.5 mV per degC (a grid in two arguments that is not separable)."""
    v = v - 0.5 * (celsius - 6.3)
    a = 0.07 * np.exp(-(v + 65) / 20)
    return a / (a + 1.0 / (np.exp(-(v + 35) / 10) + 1))


TABLES = {"tau1": (X_TAU, hh_mtau(X_TAU)), "hinf2": (X_V, X_C, shifted_hinf(X_V[:, None], X_C[None, :]))}


@pytest.fixture(scope="module")
def cls():
    return load_mod(FILE, tables=TABLES)


# ---- NEURON side by side ------------------------------------------------------------------------
_KEEP = []  # NEURON's tables point into these vectors' memory: they must outlive every run


def neuron_h():
    from tests.reference.nrnmech import neuron_loaded

    h = neuron_loaded([FILE], "nrnmech-functable", "nm_functable.mod")
    if not _KEEP:
        x, y = h.Vector(TABLES["tau1"][0]), h.Vector(TABLES["tau1"][1])
        h.table_tau1_nm_functable(y, x)  # the Vector form: (values, points)
        xv, xc, z = h.Vector(X_V), h.Vector(X_C), h.Vector(TABLES["hinf2"][2].ravel())  # row order
        h.table_hinf2_nm_functable(z._ref_x[0], len(X_V), xv._ref_x[0], len(X_C), xc._ref_x[0])
        _KEEP.extend([x, y, xv, xc, z])
    return h


def neuron_trace(celsius, tstop, v_init, clamp=None, iclamp=None):
    h = neuron_h()
    sec = h.Section(name="ft")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert("nm_functable")
    h.dt, h.secondorder, h.celsius = DT, 0, celsius
    if clamp is not None:
        stim = h.SEClamp(sec(0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp
    else:
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = iclamp
    seg = sec(0.5)
    refs = {"v": seg._ref_v, "ina": seg._ref_ina, "ik": seg._ref_ik,
            **{s: getattr(seg.nm_functable, f"_ref_{s}") for s in ("m", "h", "n")}}
    vecs = {k: h.Vector().record(r) for k, r in refs.items()}
    h.finitialize(v_init)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, sec
    return out


def our_trace(cls, celsius, tstop, v_init, clamp=None, iclamp=None):
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls())
    sim = ex.Simulation(cell, dt=DT, temperature=celsius, v_init=v_init)
    if clamp is not None:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp, rs=0.01))
    else:
        delay, dur, amp = iclamp
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
    for k in ("v", "nm_functable.m", "nm_functable.h", "nm_functable.n"):
        sim.record(k)
    res = sim.run(tstop)
    out = {k.split(".")[-1]: np.asarray(res[k]) for k in ("v", "nm_functable.m", "nm_functable.h", "nm_functable.n")}
    cur = cls().currents(out["v"], {s: out[s] for s in ("m", "h", "n")})
    out.update({k: np.asarray(cur[k]) / 1000.0 for k in ("ina", "ik")})  # mA/cm2, NEURON's unit
    return out


def worst(ours, theirs, name) -> float:
    """Largest difference of a trace, of its scale; a current of NEURON's step k+1 is the one
    BREAKPOINT computed from the states of our sample k (tests/io/nmodl/test_neuron_side_by_side.py)."""
    if name in ("ina", "ik"):
        ours, theirs = ours[:-1], theirs[1:]
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


# 1e-6 of each trace's scale, issue 18's tolerance: both sides interpolate in float64 with the same
# arithmetic in the interval (NEURON's (1 - f) y_j + f y_j+1), so differences are round-off
# (~1e-12); a wrong interval, end rule or axis order moves the traces by > 1e-3.
RTOL = 1e-6
#: The runs of the tests below (also the table's rows, comparison_rows): the voltage-clamp family's
#: steps (mV, from -80), the current clamp (delay ms, duration ms, nA) and its temperatures.
STEPS_MV = (-60.0, -20.0, 20.0, 40.0)
ICLAMP = (2.0, 20.0, 0.1)
ICLAMP_CELSIUS = (6.3, 25.0)  # inside and beyond hinf2's celsius axis


def family_clamp(step):
    return ((5.0, -80.0), (15.0, step), (5.0, -80.0))


@pytest.mark.neuron
def test_voltage_clamp_family_matches_neuron_beyond_the_tables_ends(cls):
    for step in STEPS_MV:
        clamp = family_clamp(step)
        ours, theirs = our_trace(cls, 6.3, 25.0, -80.0, clamp=clamp), neuron_trace(6.3, 25.0, -80.0, clamp=clamp)
        for name in theirs:
            assert worst(ours[name], theirs[name], name) <= RTOL, f"step {step} mV, {name}"


@pytest.mark.neuron
@pytest.mark.parametrize("celsius", ICLAMP_CELSIUS)
def test_current_clamp_matches_neuron_with_its_spike_times(cls, celsius):
    stim = ICLAMP
    ours, theirs = our_trace(cls, celsius, 30.0, -65.0, iclamp=stim), neuron_trace(celsius, 30.0, -65.0, iclamp=stim)
    for name in theirs:
        assert worst(ours[name], theirs[name], name) <= RTOL, name
    spikes = [DT * np.flatnonzero((v[1:] >= 0) & (v[:-1] < 0)) for v in (ours["v"], theirs["v"])]
    assert len(spikes[0]) >= 2 and len(spikes[0]) == len(spikes[1])
    np.testing.assert_allclose(spikes[0], spikes[1], atol=0.05)  # ms (issue 18)
    assert ours["v"].max() > X_TAU[-1]  # the spikes take tau1 beyond its last point


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs of the tests above, for the table in
    docs/nmodl.md (benchmarks/nmodl_table.py): the largest differences, nothing asserted."""
    from tests.io.nmodl.test_neuron_side_by_side import spike_times

    c, family = cls.__wrapped__(), {}  # the tests' fixture, called as a function
    for step in STEPS_MV:
        clamp = family_clamp(step)
        ours, theirs = our_trace(c, 6.3, 25.0, -80.0, clamp=clamp), neuron_trace(6.3, 25.0, -80.0, clamp=clamp)
        for name in theirs:
            family[name] = max(worst(ours[name], theirs[name], name), family.get(name, 0.0))
    runs, spikes = {}, []
    for celsius in ICLAMP_CELSIUS:
        ours = our_trace(c, celsius, 30.0, -65.0, iclamp=ICLAMP)
        theirs = neuron_trace(celsius, 30.0, -65.0, iclamp=ICLAMP)
        runs[celsius] = {name: worst(ours[name], theirs[name], name) for name in theirs}
        mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
        same = len(mine) == len(ref) and len(ref)
        spikes.append(f"{celsius:g} °C: {len(mine)} vs {len(ref)}"
                      + (f", times within {np.max(np.abs(mine - ref)):.0e} ms" if same else ""))
    traces = "; ".join(f"{k} {family[k]:.1e} / " + " / ".join(f"{runs[deg][k]:.1e}" for deg in ICLAMP_CELSIUS)
                       for k in family)
    return [("nm_functable (nm_functable.mod: hh with FUNCTION_TABLE tau1(v) and hinf2(v, celsius), tables given to "
             "both sides, compared beyond their ends): voltage-clamp family at 6.3 °C / current clamp at "
             + " / ".join(f"{deg:g}" for deg in ICLAMP_CELSIUS) + " °C",
             [FILE], traces + " (of each trace's largest magnitude)", "; ".join(spikes))]


# ---- the interpolation itself ---------------------------------------------------------------------
def test_one_argument_is_numpys_interp_and_two_are_bilinear_held_at_the_ends():
    # Closed forms: numpy.interp (linear, held at the ends: NEURON's rule, checked beside NEURON
    # above) and bilinear interpolation of the clipped point; float64 round-off only (1e-13).
    # Both forms: the scan's search and gather, the kernels' select chain.
    from scipy.interpolate import RegularGridInterpolator

    q = np.concatenate([np.linspace(-120.0, 60.0, 181), X_TAU])  # the points themselves too
    x, y = TABLES["tau1"]
    z = TABLES["hinf2"][2]
    qc = np.array([-3.0, 0.0, 6.3, 14.0, 20.0, 31.0])
    vv, cc = np.meshgrid(q, qc, indexing="ij")
    ref = RegularGridInterpolator((X_V, X_C), z)(np.stack([np.clip(vv, X_V[0], X_V[-1]),
                                                            np.clip(cc, X_C[0], X_C[-1])], axis=-1))
    for interp in (function_tables.interp1, function_tables.interp_gather):
        one = jax.jit(lambda q, y: interp(q, tuple(x), list(y)))  # one program, not an op at a time
        np.testing.assert_allclose(one(q, y), np.interp(q, x, y), rtol=1e-13)
        two = jax.jit(lambda v, c, z: interp(v, tuple(X_V), [interp(c, tuple(X_C), list(row)) for row in z]))
        np.testing.assert_allclose(two(vv, cc, z), ref, rtol=1e-13, atol=1e-15)
        assert float(interp(jnp.asarray(3.0), (1.0,), [jnp.asarray(7.0)])) == 7.0  # one point: a constant


@pytest.mark.parametrize("nseg", [1, 3])  # the single-compartment kernel, and a tree kernel
def test_the_fused_kernel_gives_the_scans_numbers(cls, nseg):
    # The kernel's select chain and the scan's gather do the same arithmetic in the interval, which
    # XLA may contract differently (fused multiply-adds): round-off, grown over a spike to 2e-11 mV
    # (measured, both kernels); 1e-9 mV as tests/io/nmodl/test_jax.py. The second tau1 value moves
    # V by > 0.1 mV. Pallas' interpreter on the CPU: the kernels' own code, not their GPU build.
    cell = (ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM) if nseg == 1
            else ex.Cell.cylinder(length=200.0, diameter=2.0, nseg=nseg)).insert(cls())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1 if nseg == 1 else 0.05, delay=1.0, duration=5.0))
    sim.record("v")
    k = int(np.flatnonzero(X_TAU == -45.0)[0])
    params = ex.with_param(ex.broadcast(sim.parameters(), 2), f"nm_functable.tau1_y{k}", jnp.array([0.2, 0.4]))
    scan = np.asarray(sim.run_batch(6.0, params, kernel="scan")["v"])
    fused = np.asarray(sim.run_batch(6.0, params, kernel="fused")["v"])
    np.testing.assert_allclose(fused, scan, rtol=0, atol=1e-9)
    assert scan.max() > 0 and np.max(np.abs(scan[0] - scan[1])) > 0.1


def test_gradient_by_a_table_value_matches_finite_differences(cls):
    # d(mean V over a spike's rise)/d(tau1 at -45 mV) by reverse mode vs. a central difference
    # (h = 1e-6 ms: truncation ~h^2 f''' and round-off ~1e-16/h, both ~1e-10 relative); 1e-5
    # relative leaves room for both, and a derivative missing the table (0) or the wrong entry fails.
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=1.0, duration=2.0))
    sim.record("v")
    f, base = sim.function(4.0), sim.parameters()
    k = int(np.flatnonzero(X_TAU == -45.0)[0])
    field = f"nm_functable.tau1_y{k}"

    def loss(y):
        return jnp.mean(f(ex.with_param(base, field, y))[:, 0])

    y0, h = float(TABLES["tau1"][1][k]), 1e-6
    grad = float(jax.grad(loss)(jnp.asarray(y0)))
    fd = (float(loss(jnp.asarray(y0 + h))) - float(loss(jnp.asarray(y0 - h)))) / (2 * h)
    assert grad != 0.0 and grad == pytest.approx(fd, rel=1e-5)


def test_with_tables_gives_a_class_and_a_constant_table_is_constant(cls):
    # NEURON's constant form, table_tau1_SUFFIX(y): y at every V (the closed form: that number)
    const = cls.with_tables(tau1=0.5)
    assert const.function_tables["tau1"].values.tolist() == [0.5]
    assert const.function_tables["hinf2"] is cls.function_tables["hinf2"]
    mech = const()
    s = mech.steady_state(jnp.asarray(-65.0), 6.3)
    out = mech.advance(jnp.asarray(-65.0), s, 6.3, 0.025, {})
    m_inf = float(s["m"])
    # at rest m stays at minf whatever tau: the step must keep it (round-off)
    assert float(out["m"]) == pytest.approx(m_inf, rel=1e-12)
    assert load_mod(FILE, tables=TABLES) is cls  # the same tables, the same class (trace cache)


def test_a_float32_mechanism_stays_float32(cls):
    # A float32 run keeps its type through the tables (celsius, a Python number, must not promote
    # hinf2 to float64), and its values are the float64 ones to float32's rounding (1.2e-7 x a few
    # operations: 1e-5 relative is generous and still catches a wrong interval).
    v = jnp.asarray([-90.0, -65.0, -47.5, 40.0])
    wide = cls()
    narrow = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), wide)
    @jax.jit  # one program per type, not an operation at a time
    def start_and_step(mech, x):
        s = mech.steady_state(x, 6.3)
        return s, mech.advance(x, s, 6.3, 0.025, {})

    for mech, x in ((narrow, v.astype(jnp.float32)), (wide, v)):
        s, out = start_and_step(mech, x)
        if mech is narrow:
            assert all(a.dtype == jnp.float32 for a in (*s.values(), *out.values()))
            single = out
    for k in out:
        np.testing.assert_allclose(single[k], out[k], rtol=1e-5)


# ---- refusals -------------------------------------------------------------------------------------
BAD = {
    "not increasing": ({"tau1": ([0.0, 1.0, 1.0], [1.0, 2.0, 3.0])}, "tau1: axis v must be strictly increasing, got 1 then 1"),
    "lengths": ({"tau1": ([0.0, 1.0], [1.0, 2.0, 3.0])}, "tau1: y has shape (3,), expected (2,)"),
    "nan": ({"tau1": ([0.0, 1.0], [1.0, float("nan")])}, "tau1 y must be finite, got nan"),
    "empty": ({"tau1": ([], [])}, "tau1: axis v has no points"),
    "unknown": ({"tau9": ([0.0], [1.0])}, "nm_functable has no FUNCTION_TABLE 'tau9' (it declares tau1, hinf2)"),
    "grid shape": ({"hinf2": ([0.0, 1.0], [0.0], [1.0, 2.0])}, "hinf2 y must be a grid"),
    "too many": ({"tau1": (np.arange(3000.0), np.ones(3000))}, "more than 2000"),
    "text": ({"tau1": (["a"], [1.0])}, "tau1 x must be numbers"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_tables_are_one_line_errors_naming_the_table(case):
    tables, words = BAD[case]
    with pytest.raises(ModelError) as err:
        load_mod(FILE, tables=tables)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_table_never_given_refuses_an_instance_naming_how_to_give_it():
    partial = load_mod(FILE, tables={"tau1": TABLES["tau1"]})  # loading is fine, as in NEURON
    with pytest.raises(ModelError) as err:
        partial()
    message = str(err.value)
    assert "FUNCTION_TABLE hinf2 was never given" in message and "tables=" in message and "\n" not in message


def test_three_arguments_and_point_processes_are_refused_with_their_line(tmp_path):
    three = tmp_path / "three.mod"
    three.write_text("NEURON { SUFFIX three }\nFUNCTION_TABLE f(a, b, c)\nBREAKPOINT { }\n")
    with pytest.raises(ModelError, match=r"three.mod:2: FUNCTION_TABLE f with 3 arguments"):
        load_mod(three)
    pp = tmp_path / "pp.mod"
    pp.write_text("NEURON { POINT_PROCESS pp\n NONSPECIFIC_CURRENT i }\nASSIGNED { i (nA) v (mV) }\n"
                  "FUNCTION_TABLE g(v(mV))\nBREAKPOINT { i = g(v) }\n")
    report, n = check_file(pp)
    assert n == 1 and any(":4: FUNCTION_TABLE g in a point process" in r for r in report)


def test_mod_check_lists_the_tables_a_file_needs():
    report, n = check_file(FILE)
    assert n == 0
    text = "\n".join(report)
    assert "function table tau1(v mV) -> ms" in text and "function table hinf2(v mV, celsius degC)" in text


def test_run_model_takes_a_tables_file_and_refuses_without_one_in_one_line(tmp_path, capsys):
    from types import SimpleNamespace

    from excitable.experiments.cables.model import mechanisms
    from excitable.interfaces.cli.main import main

    folder = tmp_path / "mods"
    folder.mkdir()
    (folder / FILE.name).write_text(FILE.read_text())
    params = tmp_path / "p.json"
    params.write_text(json.dumps([{"section": "all", "name": "gnabar_nm_functable", "value": 0.12,
                                   "mechanism": "nm_functable"}]))
    out = tmp_path / "out"
    base = ["run", "model", "--set", f"mechanisms={folder}", "--set", f"parameters={params}", "--out", str(out)]
    assert main(base) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("excitable: error:") and "FUNCTION_TABLE tau1 was never given" in line and "\n" not in line
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nm_functable": {"tau1": {"x": [1, 0], "y": [1, 2]}}}))
    assert main(base + ["--set", f"tables={bad}"]) == 2
    line = capsys.readouterr().err.strip()
    assert "tau1: axis v must be strictly increasing" in line and "\n" not in line and not out.exists()
    good = tmp_path / "tables.json"
    good.write_text(json.dumps({"nm_functable": {"tau1": {"x": X_TAU.tolist(), "y": TABLES["tau1"][1].tolist()},
                                                 "hinf2": {"x": [X_V.tolist(), X_C.tolist()],
                                                           "y": TABLES["hinf2"][2].tolist()}}}))
    loaded = mechanisms(SimpleNamespace(mechanisms=str(folder), tables=str(good)))["nm_functable"]
    assert loaded.function_tables["hinf2"].values.tolist() == TABLES["hinf2"][2].tolist()
    loaded()  # every table given: an instance is made
