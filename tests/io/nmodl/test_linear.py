"""NMODL LINEAR blocks (io/nmodl/linear.py) against closed forms, under jit, vmap and grad, and the
files NEURON would refuse. The NEURON side by side runs of the two test files are in
test_neuron_side_by_side.py (CASES nm_linear_init, nm_linear_bp: every trace within 1e-6 of its
range, 1e-11 found); the refusals of a wrong count and a nonlinear term in test_refusals.py; point
processes, artificial cells and ``~+`` in test_point_linear.py.

Tolerances: both sides are float64 and the closed forms are a few operations; the LINEAR solve is
an LU factorization of a 3x3 or 4x4 system whose entries are within a factor 10^3 of each other, so
its round-off is ~1e-15 of the solution's norm (the occupancies sum to 1, so a small one, 7e-5,
carries an error of ~2e-16 absolute, 3e-12 of itself): each state within 1e-12 relative or 1e-14
absolute leaves room and still catches any wrong row or sign (that moves the solution by > 1e-3).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import mod_file

jax.config.update("jax_enable_x64", True)
RTOL, ATOL = 1e-12, 1e-14
V = jnp.array([-90.0, -65.0, -30.0, 0.0, 40.0])


def chain_equilibrium(v, a0=0.3, b0=0.08, kin=0.04, kout=0.015):
    """nm_linear_init's states at equilibrium by detailed balance along its chain C1-C2-O-I (the
    scheme has no loop, so each pair is in balance): C2/C1 = 2a/b, O/C2 = a/(2b), I/O = kin/kout."""
    a, b = a0 * jnp.exp(v / 25.0), b0 * jnp.exp(-v / 30.0)
    c1 = 1.0
    c2 = c1 * 2 * a / b
    o = c2 * a / (2 * b)
    i = o * kin / kout
    total = c1 + c2 + o + i
    return {"C1": c1 / total, "C2": c2 / total, "O": o / total, "I": i / total}


def test_initial_linear_block_is_the_exact_equilibrium():
    mech = load_mod(mod_file("nm_linear_init"))()
    ours, exact = mech.steady_state(V, 16.0), chain_equilibrium(V)
    for name, want in exact.items():
        np.testing.assert_allclose(ours[name], want, rtol=RTOL, atol=ATOL, err_msg=name)


def test_linear_block_under_jit_vmap_and_grad():
    cls = load_mod(mod_file("nm_linear_init"))

    def open_at_rest(a0):
        return cls(a0=a0).steady_state(jnp.asarray(-40.0), 16.0)["O"]

    a0s = jnp.array([0.1, 0.3, 1.0])
    batched = jax.jit(jax.vmap(open_at_rest))(a0s)
    np.testing.assert_allclose(batched, chain_equilibrium(-40.0, a0=a0s)["O"], rtol=RTOL, atol=ATOL)
    grad = jax.grad(open_at_rest)(0.3)  # through jnp.linalg.solve
    want = jax.grad(lambda a0: chain_equilibrium(-40.0, a0=a0)["O"])(0.3)  # the closed form's
    np.testing.assert_allclose(grad, want, rtol=1e-10)  # a derivative: a few more operations' round-off


def test_breakpoint_linear_block_is_solved_each_step_with_the_old_states_in_its_code():
    """nm_linear_bp: O = 1 / (1 + b/a + c/d) at the new V, with d = d0 (1 + 0.5 O) from the O before
    the solve (the block's code reads the state; only its equations hold the unknowns)."""
    mech = load_mod(mod_file("nm_linear_bp"))()
    old_o = jnp.linspace(0.0, 0.8, V.size)
    s = {"C": 1.0 - old_o, "O": old_o, "B": jnp.zeros_like(V)}
    new = mech.advance(V, s, 16.0, 0.025, {"T": 0.0})
    a, b = 0.4 * jnp.exp((V + 40) / 12), 0.4 * jnp.exp(-(V + 40) / 12)
    d = 0.5 * (1 + 0.5 * old_o)
    o = 1.0 / (1.0 + b / a + 0.2 / d)
    for name, want in {"O": o, "C": b / a * o, "B": 0.2 / d * o}.items():
        np.testing.assert_allclose(new[name], want, rtol=RTOL, atol=ATOL, err_msg=name)
    # NEURON's nrn_init does not solve it: the states start at 0 (checked side by side)
    assert all(float(jnp.max(jnp.abs(x))) == 0.0 for x in mech.steady_state(V, 16.0).values())


ARRAY = """NEURON { SUFFIX lin_array NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { x[3] }
INITIAL { SOLVE chain }
BREAKPOINT { i = g*x[2]*(v + 65) }
LINEAR chain {
  FROM k = 0 TO %s {
    ~ x[k] - 2*x[k+1] = 0
  }
  ~ x[0] + x[1] + x[2] = 1
}
"""


def test_an_array_in_a_loop_is_one_unknown_per_element(tmp_path):
    path = tmp_path / "lin_array.mod"
    path.write_text(ARRAY % "1")
    s = load_mod(path)().steady_state(V, 6.3)
    np.testing.assert_allclose([s["x[0]"][0], s["x[1]"][0], s["x[2]"][0]], np.array([4, 2, 1]) / 7, rtol=RTOL)
    path.write_text(ARRAY % "0")  # 2 equations for 3 unknowns, found when the loop is unrolled
    with pytest.raises(ModelError, match=r"lin_array\.mod:7: LINEAR chain with 2 equations for 3 unknowns"):
        load_mod(path)


def test_solvefor_names_the_unknowns(tmp_path):
    """`LINEAR lin SOLVEFOR x`: y is a value there (nocmodl's C: the rhs term 2*y), so x = 2 y."""
    path = tmp_path / "sf.mod"
    path.write_text("NEURON { SUFFIX sf NONSPECIFIC_CURRENT i }\nPARAMETER { g = 0.001 (S/cm2) }\n"
                    "ASSIGNED { v (mV) i (mA/cm2) }\nSTATE { x y }\nINITIAL { y = 3  SOLVE lin }\n"
                    "BREAKPOINT { i = g*x*(v + 65) }\nLINEAR lin SOLVEFOR x {\n  ~ x = 2*y\n}\n")
    s = load_mod(path)().steady_state(V, 6.3)
    np.testing.assert_allclose([s["x"][0], s["y"][0]], [6.0, 3.0], rtol=RTOL)


HEAD = """NEURON { SUFFIX %s NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { x y }
BREAKPOINT { SOLVE lin
  i = g*x*(v + 65) }
"""


def test_a_state_in_a_call_is_refused_as_nocmodl_does(tmp_path):
    """nocmodl: "states not permitted in function calls" (checked with the wheel's nocmodl)."""
    path = tmp_path / "call.mod"
    path.write_text(HEAD % "call" + "LINEAR lin {\n  ~ x + y = 1\n  ~ tw(x) - y = 0\n}\nFUNCTION tw(a) { tw = 2*a }\n")
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:9: a STATE in a function call's arguments in LINEAR lin")
    assert any(r.strip().startswith(f"{path}:9: a STATE in a function call") for r in check_file(path)[0])


def test_a_function_in_an_equation_reads_the_states_before_the_solve(tmp_path):
    """nocmodl's C for `~ 2*x - y = f()` calls f() as a constant term: f reads x as it was, so
    x + y = 1 and 2x - y = x_old^2 give x = (1 + x_old^2) / 3."""
    path = tmp_path / "old.mod"
    path.write_text(HEAD % "old" + "LINEAR lin {\n  ~ x + y = 1\n  ~ 2*x - y = f()\n}\nFUNCTION f() { f = x*x }\n")
    x_old = jnp.linspace(-1.0, 2.0, V.size)
    new = load_mod(path)().advance(V, {"x": x_old, "y": 0.0 * V}, 6.3, 0.025, {"T": 0.0})
    np.testing.assert_allclose(new["x"], (1 + x_old**2) / 3, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(new["y"], 1 - (1 + x_old**2) / 3, rtol=RTOL, atol=ATOL)


def test_a_singular_system_solved_with_numbers_is_refused(tmp_path):
    """NEURON's simeq stops the run on a singular matrix; solved outside jit (with numbers) the
    block is checked so (under jit the NaN it gives is the engine's health check's)."""
    path = tmp_path / "singular.mod"
    path.write_text(HEAD % "singular" + "LINEAR lin {\n  ~ x + y = 1\n  ~ 2*x + 2*y = 0\n}\n")
    mech = load_mod(path)()
    with pytest.raises(ModelError, match=rf"^{path}:8: LINEAR lin has no unique solution"):
        mech.advance(V, {"x": 0.0, "y": 0.0}, 6.3, 0.025, {"T": 0.0})


def test_the_check_with_numbers_finds_a_residual_that_is_not_affine():
    """linear.check, the safety net behind the AST's rules: x^2 = 1/4 linearized at 0 (A = 0) is
    caught at the second point, x + 1 = 0 is not."""
    from excitable.io.nmodl.linear import check
    from excitable.io.nmodl.solvers import affine_root

    zero = (jnp.zeros(3),)
    for residual, bad in ((lambda x: (x[0] * x[0] - 0.25,), True), (lambda x: (x[0] + 1.0,), False)):
        x, jac, r0 = affine_root(residual, zero)
        if bad:
            with pytest.raises(ModelError, match=r"^f\.mod:5: an equation not linear"):
                check(residual, jac, r0, x, "f.mod", "lin", [5])
        else:
            check(residual, jac, r0, x, "f.mod", "lin", [5])
            np.testing.assert_allclose(x[0], -1.0, rtol=RTOL)


def test_a_run_differentiates_through_the_linear_solve_of_each_step():
    """d(mean V)/dc of a 2-ms current step on nm_linear_bp (c enters only through the LINEAR system
    solved at every step) by reverse mode against a central difference (h = 1e-6 /ms on c = 0.2:
    truncation ~h^2 and round-off ~1e-16/h, both < 1e-8 relative; 1e-5 leaves room)."""
    import excitable as ex

    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(mod_file("nm_linear_bp"))(gbar=0.01))
    sim = ex.Simulation(cell, dt=0.025, temperature=16.0, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=0.5, duration=1.0))
    sim.record("v")
    f, base = sim.function(2.0), sim.parameters()

    def loss(c):
        return jnp.mean(f(ex.with_param(base, "nm_linear_bp.c", c))[:, 0])

    c0, h = 0.2, 1e-6
    grad = float(jax.grad(loss)(jnp.asarray(c0)))
    fd = (float(loss(jnp.asarray(c0 + h))) - float(loss(jnp.asarray(c0 - h)))) / (2 * h)
    assert abs(fd) > 1e-3  # c matters here: the test can fail
    assert grad == pytest.approx(fd, rel=1e-5)


def test_mod_check_says_where_each_linear_block_is_solved():
    lines = check_file(mod_file("nm_linear_init"))[0] + check_file(mod_file("nm_linear_bp"))[0]
    assert "  solves: scheme by sparse, seqinit (LINEAR: its equations solved in INITIAL)" in lines
    assert "  solves: equilibrium (LINEAR: its equations solved at every step)" in lines
    assert sum("supported: yes" in r for r in lines) == 2
