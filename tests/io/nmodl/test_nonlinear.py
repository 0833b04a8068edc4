"""NMODL NONLINEAR blocks (io/nmodl/nonlinear.py): side by side with NEURON compiling the two test
files (tests/reference/mod/nm_nonlinear_bp.mod, solved in BREAKPOINT at every step, and
nm_nonlinear_init.mod, solved in INITIAL), against closed forms, under jit, vmap and grad, and the
files NEURON refuses.

Tolerances:
- against NEURON: 1e-6 of each trace's largest magnitude (issue 18, as test_neuron_side_by_side.py):
  both sides run scopmath's Newton loop (the same Jacobian by central differences, the same stop),
  so they differ by round-off of the order of operations (1e-12..1e-9 expected); a wrong equation,
  sign or starting point moves the traces by > 1e-4.
- against the closed forms (the positive roots of the quadratics): 1e-6 relative. NEURON's loop
  stops once its last step changed x by <= 1e-6 relative (and the residuals are <= 1e-8); it reuses
  its Jacobian while the steps are small, so it converges linearly there (each step shrinks the
  error by a factor < 1), and the error left is below that last step: <= ~1e-6 (2e-9 found). That
  is NEURON's own answer's error too (the side-by-side test compares to 1e-6 of the scale, 1e-12
  found); a wrong row, sign or coefficient moves the root by > 1e-3.
"""

from __future__ import annotations

import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl import test_neuron_side_by_side as side
from tests.io.nmodl.neuron_side import mod_file, neuron_with_mods, share
from tests.reference.nrnmech import neuron_loaded

jax.config.update("jax_enable_x64", True)
RTOL = 1e-6
V = jnp.array([-90.0, -65.0, -40.0, 0.0, 40.0])
#: case -> (file stems, SUFFIXes, currents {our name: NEURON's ref}, celsius), as side.CASES
CASES = {
    "nm_nonlinear_bp": (("nm_nonlinear_bp",), ("nm_nonlinear_bp",), {"i": ("nm_nonlinear_bp", "i")}, 16.0),
    "nm_nonlinear_init": (("nm_nonlinear_init",), ("nm_nonlinear_init",), {"ik": "ik"}, 16.0),
}


def bound_ligand(v, kd=0.5, btot=2.0):
    """nm_nonlinear_bp's LB: free + LB = T(v), Kd LB = free (Btot - LB), so LB^2 - (T + Btot + Kd) LB
    + T Btot = 0, whose smaller root is the one with free, LB >= 0."""
    total = 1 + 0.5 * (1 + jnp.tanh((v + 40) / 20))
    s = total + btot + kd
    return (s - jnp.sqrt(s * s - 4 * total * btot)) / 2, total


def dimer_steady(v, a0=0.2, b0=0.3):
    """nm_nonlinear_init's x at rest: a (1 - x) = b x^2, the positive root."""
    a, b = a0 * jnp.exp((v + 50) / 15), b0 * jnp.exp(-(v + 50) / 30)
    return (-a + jnp.sqrt(a * a + 4 * a * b)) / (2 * b)


def test_breakpoint_block_is_the_equilibrium_at_the_new_v():
    mech = load_mod(mod_file("nm_nonlinear_bp"))()
    start = mech.steady_state(V, 16.0)  # INITIAL sets free = 1, LB = 0.5: NEURON's nrn_init solves nothing
    np.testing.assert_array_equal(start["free"], 1.0)
    new = mech.advance(V, start, 16.0, 0.025, {"T": 0.0})
    lb, total = bound_ligand(V)
    np.testing.assert_allclose(new["LB"], lb, rtol=RTOL)
    np.testing.assert_allclose(new["free"], total - lb, rtol=RTOL)
    np.testing.assert_allclose(new["bound"], lb / total, rtol=RTOL)  # the block's last run, at the root
    assert float(jnp.max(new["newton_unconverged"])) == 0.0


def test_initial_block_is_the_steady_state():
    mech = load_mod(mod_file("nm_nonlinear_init"))()
    np.testing.assert_allclose(mech.steady_state(V, 16.0)["x"], dimer_steady(V), rtol=RTOL)
    # a float32 run computes INITIAL in float64 (NEURON's stop rule is float64's) and rounds it:
    # within float32's rounding (6e-8) of the closed form
    single = mech.steady_state(V.astype(jnp.float32), 16.0)["x"]
    assert single.dtype == jnp.float32
    np.testing.assert_allclose(single, dimer_steady(V), rtol=1e-7)


def test_under_jit_vmap_and_grad():
    """x at rest and d x / d a0 through INITIAL's Newton loop (a lax.fori_loop) equal the closed
    form's: the residual is quadratic, so the central-difference Jacobian is exact, and the
    iterations' derivative converges as the iterate does (1e-6 relative, as RTOL; 8e-10 found)."""
    cls = load_mod(mod_file("nm_nonlinear_init"))

    def at_rest(a0):
        return cls(a0=a0).steady_state(jnp.asarray(-40.0), 16.0)["x"]

    a0s = jnp.array([0.05, 0.2, 1.0])
    np.testing.assert_allclose(jax.jit(jax.vmap(at_rest))(a0s), dimer_steady(-40.0, a0=a0s), rtol=RTOL)
    want = jax.grad(lambda a0: dimer_steady(-40.0, a0=a0))(0.2)
    np.testing.assert_allclose(jax.grad(at_rest)(0.2), want, rtol=RTOL)


def test_mod_check_lists_the_blocks():
    bp = "\n".join(check_file(mod_file("nm_nonlinear_bp"))[0])
    assert "solves: equilibrium (NONLINEAR: its equations solved by Newton's method at every step)" in bp
    init = "\n".join(check_file(mod_file("nm_nonlinear_init"))[0])
    assert "steady (NONLINEAR: its equations solved by Newton's method in INITIAL)" in init
    assert "supported: yes" in bp and "supported: yes" in init


HEAD = """NEURON { SUFFIX %s NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) w }
STATE { x y }
BREAKPOINT { SOLVE eq%s
  i = g*x*(v + 65) }
"""


def nocmodl_accepts(path) -> bool | None:
    """Whether the neuron wheel's nocmodl translates the file (None: the wheel has none)."""
    exe = share().parent / "bin" / "nocmodl"
    if not exe.exists():
        return None
    return subprocess.run([str(exe), path.name], cwd=path.parent, capture_output=True, timeout=120).returncode == 0


@pytest.mark.parametrize("name, method, body, line, what, neuron_refuses", [
    # nocmodl: "Number of equations, 1, does not equal number, 2of states used"
    ("few", "", "NONLINEAR eq {\n  ~ x + y = 1\n}\n", 7, "NONLINEAR eq with 1 equation for 2 unknowns (x, y", True),
    # SOLVEFOR of an ASSIGNED: nocmodl counts the STATEs only (1 for 2 equations)
    ("sf", "", "NONLINEAR eq SOLVEFOR x, w {\n  ~ x + w = 1\n  ~ x*w = 0.2\n}\n", 7,
     "NONLINEAR eq with 2 equations for 1 unknowns (x", True),
    # nocmodl: "Method derivimplicit can't be used with Block eq"
    ("di", " METHOD derivimplicit", "NONLINEAR eq {\n  ~ x + y = 1\n  ~ x*y = 0.2\n}\n", 5,
     "SOLVE eq METHOD derivimplicit (a NONLINEAR block: NEURON takes newton only)", True),
    # nocmodl accepts it, but the row is stale where the branch is not taken: refused here only
    ("iff", "", "NONLINEAR eq {\n  ~ x + y = 1\n  if (v > 0) {\n    ~ x*y = 0.2\n  }\n}\n", 10,
     "an equation inside if in NONLINEAR eq", False),
])
def test_what_neuron_refuses_is_refused_with_its_line(tmp_path, name, method, body, line, what, neuron_refuses):
    path = tmp_path / f"{name}.mod"
    path.write_text(HEAD % (name, method) + body)
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:{line}: {what}")
    assert any(r.strip().startswith(f"{path}:{line}: {what}") for r in check_file(path)[0])
    assert nocmodl_accepts(path) in (None, not neuron_refuses)  # NEURON's translator, side by side


@pytest.mark.parametrize("where", ["BREAKPOINT", "INITIAL"])
def test_a_site_neuron_would_still_iterate_on_refuses_the_run(tmp_path, where):
    """x^2 = c(v) has no real root below -50 mV: NEURON's newton gives up (abort_run, in a step or
    in finitialize); the run is refused in one line, no numbers reported."""
    path = tmp_path / f"noroot{where}.mod"
    body = "NONLINEAR eq {\n  ~ x*x = (v + 50)/10\n  ~ y = 2*x\n}\n"
    if where == "BREAKPOINT":
        path.write_text(HEAD % (path.stem, "") + body + "INITIAL { x = 1 }\n")
    else:
        path.write_text((HEAD % (path.stem, "")).replace("SOLVE eq", "") + body + "INITIAL { x = 1  SOLVE eq }\n")
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(path)())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    with pytest.raises(ModelError, match=rf"^{path.stem}\[0\]: .*had not converged") as err:
        sim.run(0.5)
    assert "\n" not in str(err.value)


@pytest.fixture(scope="module")
def neuron_cases():
    """NEURON with the two files compiled (a library of their own beside the shared one), and the
    side-by-side machinery's CASES holding them for these tests."""
    neuron_with_mods()
    neuron_loaded([mod_file(n) for n in CASES], "nrnmech-nmodl-nonlinear", "the NONLINEAR test files")
    added = [k for k in CASES if k not in side.CASES]
    side.CASES.update(CASES)
    yield
    for k in added:
        side.CASES.pop(k)


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_neuron(neuron_cases, case):
    """Voltage-clamp family and current clamp: V, every state, the current, within 1e-6."""
    for trace, diff in side.clamp_family(case).items():
        assert diff <= side.RTOL, f"{case} vclamp {trace}: largest difference {diff:.3g} of the trace's scale"
    diffs, ours, theirs = side.current_clamp(case)
    for trace, diff in diffs.items():
        assert diff <= side.RTOL, f"{case} iclamp {trace}: largest difference {diff:.3g} of the trace's scale"
    assert len(ours) == len(theirs)


def comparison_rows() -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the runs above, for docs/nmodl.md's table
    (benchmarks/nmodl_table.py)."""
    gen = neuron_cases.__wrapped__()
    next(gen)
    rows = []
    for case in sorted(CASES):
        stems, suffixes, _, celsius = CASES[case]
        vc = side.clamp_family(case)
        ic, ours, theirs = side.current_clamp(case)
        traces = "; ".join(f"{k} {vc[k]:.1e} / {ic.get(k, 0.0):.1e}" for k in vc)
        rows.append((f"{suffixes[0]} ({mod_file(stems[0]).name}), {celsius:g} °C", [mod_file(s) for s in stems],
                     traces, f"{len(ours)} vs {len(theirs)}"))
    next(gen, None)
    return rows
