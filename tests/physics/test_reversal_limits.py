"""Reversal potentials where a side is empty: NEURON's rule (nrn_nernst, nrn/src/nrnoc/eion.cpp):
+1e6 mV when c_in <= 0, else -1e6 mV when c_out <= 0, 0 mV for z = 0, whatever the valence, so a
pool that starts empty (ModelDB 182134 capr.mod: INITIAL cai = -phi*ica/beta = 0) runs on with
finite numbers instead of eca = inf and V = NaN.

References: the rule in closed form; NEURON's own h.nernst and h.ghk evaluated in the test
(rtol 1e-10: the same formula in double precision; excitable's gas constant is CODATA 2018's
8.314462618, NEURON's its exact 8.31446261815324, 1.8e-11 apart; the rule's constants must be exact); and the empty pool beside NEURON by ``mod compare``
(tests/reference/mod/nm_zero_pool.mod with nm_zero_leak.mod: every trace within 1e-6 of its scale,
the issue's bound). Gradients must stay finite (jnp.where on safe operands: 0 where the constant holds).
"""

from __future__ import annotations

import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from excitable.physics.ions import ghk_current, nernst

MOD = Path(__file__).parents[1] / "reference" / "mod"
RTOL = 1e-12  # closed forms with excitable's own constants: a few ulps
NEURON_RTOL = 1e-10  # NEURON's gas constant has more digits (module docstring)


@pytest.mark.parametrize("ci, co, z, expected", [
    (0.0, 2.0, 2, 1e6), (-1e-3, 2.0, 2, 1e6), (0.0, 0.0, 1, 1e6),  # c_in <= 0 first, as NEURON tests it
    (5e-5, 0.0, 2, -1e6), (5e-5, -1.0, -1, -1e6), (1.0, 1.0, 0, 0.0), (0.0, 1.0, 0, 0.0),
])
def test_empty_side_follows_neurons_rule(ci, co, z, expected):
    assert float(nernst(ci, co, z, 6.3)) == expected


def test_positive_concentrations_keep_the_closed_form():
    rt_f = 1e3 * 8.314462618 * (273.15 + 37.0) / 96485.33212  # CODATA 2018, as NEURON's units
    assert math.isclose(float(nernst(140.0, 5.0, 1, 37.0)), rt_f * math.log(5.0 / 140.0), rel_tol=RTOL)
    got = np.asarray(nernst(jnp.array([1e-4, 0.0, 2.0]), jnp.array([2.0, 2.0, 0.0]), 2, 37.0))
    assert np.allclose(got, [rt_f / 2 * math.log(2e4), 1e6, -1e6], rtol=RTOL, atol=0)


def test_gradient_is_finite_at_an_empty_side():
    g = jax.grad(lambda c: nernst(c, 2.0, 2, 37.0))
    assert float(g(0.0)) == 0.0 and float(g(-1.0)) == 0.0
    assert math.isclose(float(g(1e-4)), -1e3 * 8.314462618 * 310.15 / 96485.33212 / 2 / 1e-4, rel_tol=1e-9)
    assert np.isfinite(float(jax.grad(lambda c: nernst(1e-4, c, 2, 37.0))(0.0)))


@pytest.mark.neuron
def test_nernst_and_ghk_are_neurons():
    h = pytest.importorskip("neuron").h
    for celsius in (6.3, 37.0):
        h.celsius = celsius
        for ci, co, z in [(0.0, 2.0, 2), (5e-5, 0.0, 2), (0.0, 0.0, -1), (12.0, 145.0, 1), (10.0, 110.0, -1), (3.0, 3.0, 0)]:
            assert math.isclose(float(nernst(ci, co, z, celsius)), h.nernst(ci, co, z), rel_tol=NEURON_RTOL, abs_tol=0)
        # GHK current with an empty side is finite and linear in the other: NEURON's nrn_ghk is
        # mA/cm² per cm/s of permeability, ours µA/cm² for p (cm/s); rtol 1e-8: NEURON's efun is
        # 1 - x/2 for |x| < 1e-4 (off by x²/12 < 1e-9), ours expm1's exact value
        for v, ci, co, z in [(-20.0, 0.0, 2.0, 2), (30.0, 5e-5, 0.0, 2), (0.0, 0.0, 2.0, 2), (-65.0, 0.0, 0.0, 1)]:
            ours = float(ghk_current(v, 1.0, ci, co, z, celsius)) / 1e3
            assert math.isclose(ours, h.ghk(v, ci, co, z), rel_tol=1e-8, abs_tol=1e-15), (v, ci, co, z)


@pytest.mark.neuron
def test_an_empty_pool_runs_beside_neuron(capsys):
    from excitable.interfaces.cli.main import main

    pytest.importorskip("neuron")
    code = main(["mod", "compare", str(MOD / "nm_zero_pool.mod"), str(MOD / "nm_zero_leak.mod")])
    out, err = capsys.readouterr()
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out + err
    assert "same as NEURON" in out and "together, current clamp  v" in out


def test_float32_concentrations_give_a_float32_potential():
    # A float32 run (the GPU's type) carries float32 pools: a float64 reversal potential would make
    # the scan's carry mixed (refused by lax.scan). Reference: the closed form in float64, to
    # float32's relative accuracy (6e-8, with the log's rounding: 1e-6).
    e32 = nernst(jnp.float32(1e-4), jnp.float32(2.0), 2, jnp.float32(6.3))
    assert e32.dtype == jnp.float32
    exact = 1e3 * 8.314462618 * (273.15 + 6.3) / (2 * 96485.33212) * math.log(2.0 / 1e-4)
    assert math.isclose(float(e32), exact, rel_tol=1e-6)
    assert float(nernst(jnp.float32(0.0), jnp.float32(2.0), 2, 6.3)) == 1e6
