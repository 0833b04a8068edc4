"""Imported mechanisms are JAX like the built-in ones: NEURON's hh.mod gives the built-in HH's
traces (the built-in is tested against NEURON in tests/reference/test_neuron_hh.py), under jit,
vmap (a batch, in the scan and in the fused kernel) and grad (against finite differences)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, share

TSTOP = 15.0


@pytest.fixture(scope="module")
def hh_mod():
    return load_mod(share() / "modfile" / "hh.mod")


def sim_with(mech):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mech)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=2.0, duration=1.0))
    sim.record("v")
    return sim


def test_hh_mod_gives_the_builtin_hh_traces(hh_mod):
    # Same equations in float64, evaluated in another order (hh.mod's rates vs. the built-in's
    # shared exponentials): differences ~1e-13 mV; 1e-9 mV catches any wrong rate or unit.
    ours = sim_with(hh_mod()).run(TSTOP)["v"]
    builtin = sim_with(ex.HH()).run(TSTOP)["v"]
    assert ours.max() > 0  # a spike: the comparison covers the whole action potential
    np.testing.assert_allclose(ours, builtin, atol=1e-9)


def test_a_batch_runs_in_the_scan_and_the_fused_kernel_alike(hh_mod):
    sim = sim_with(hh_mod())
    params = ex.broadcast(sim.parameters(), 3)
    params = ex.with_param(params, "hh.gnabar", jnp.array([0.08, 0.12, 0.16]))
    scan = sim.run_batch(TSTOP, params, kernel="scan")["v"]
    fused = sim.run_batch(TSTOP, params, kernel="fused")["v"]
    # the same arithmetic in another loop: round-off only
    np.testing.assert_allclose(scan, fused, atol=1e-9)
    one = sim_with(hh_mod(gnabar=0.16)).run(TSTOP)["v"]
    np.testing.assert_allclose(scan[2], one, atol=1e-9)


def test_gradient_matches_finite_differences(hh_mod):
    # d(mean V)/d(gnabar) by reverse mode vs. a central difference (h = 1e-6 S/cm2: truncation
    # ~h^2 f''' ~1e-10, round-off ~1e-16/h ~1e-10 relative); 1e-5 relative leaves room for both.
    sim = sim_with(hh_mod())
    f = sim.function(6.0)  # the stimulus and the rise it starts: a short run keeps compiling cheap
    base = sim.parameters()

    def loss(g):
        return jnp.mean(f(ex.with_param(base, "hh.gnabar", g))[:, 0])

    g0, h = 0.12, 1e-6
    grad = float(jax.grad(loss)(jnp.asarray(g0)))
    fd = (float(loss(jnp.asarray(g0 + h))) - float(loss(jnp.asarray(g0 - h)))) / (2 * h)
    assert grad == pytest.approx(fd, rel=1e-5)


def test_a_kinetic_scheme_differentiates_through_its_implicit_solve():
    # sparse: Newton on backward Euler inside the step; the derivative must still be the derivative
    # (central difference, h = 1e-7 S/cm2 on gbar = 0.02: truncation and round-off both < 1e-8 relative).
    kin = load_mod(OWN / "nm_kinetic.mod")
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(kin())
    sim = ex.Simulation(cell, dt=0.025, temperature=16.0, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=0.5, duration=1.0))
    sim.record("v")
    f, base = sim.function(2.0), sim.parameters()

    def loss(g):
        return jnp.mean(f(ex.with_param(base, "nm_kinetic.gbar", g))[:, 0])

    g0, h = 0.02, 1e-7
    grad = float(jax.jacfwd(loss)(jnp.asarray(g0)))  # forward mode: reverse is tested above, and compiles slower
    fd = (float(loss(jnp.asarray(g0 + h))) - float(loss(jnp.asarray(g0 - h)))) / (2 * h)
    assert grad == pytest.approx(fd, rel=1e-5)


def test_a_rate_that_reads_a_state_differentiates_where_neuron_evaluates_it():
    # nm_kinrate's opening rate grows with the state P1 and is read at the step's start
    # (expressions.kinetic_block, as NEURON's sparse matrix). p0 drives only the P pair, which
    # carries no current: it reaches V only through P1 inside that rate, so its derivative checks
    # the rate's dependence on the state is kept. Central difference, h = 1e-4 on p0 = 0.05 /ms:
    # truncation ~ (h/p0)^2 = 4e-6 relative, round-off ~ 1e-16 * 65 mV / h against a derivative of
    # ~0.009 mV ms, < 1e-8; hence 1e-4.
    kin = load_mod(OWN / "nm_kinrate.mod")
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(kin())
    sim = ex.Simulation(cell, dt=0.025, temperature=16.0, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=0.5, duration=1.0))
    sim.record("v")
    f, base = sim.function(2.0), sim.parameters()

    def loss(p):
        return jnp.mean(f(ex.with_param(base, "nm_kinrate.p0", p))[:, 0])

    p0, h = 0.05, 1e-4
    grad = float(jax.jacfwd(loss)(jnp.asarray(p0)))
    fd = (float(loss(jnp.asarray(p0 + h))) - float(loss(jnp.asarray(p0 - h)))) / (2 * h)
    assert grad != 0.0 and grad == pytest.approx(fd, rel=1e-4)
