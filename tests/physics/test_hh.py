"""HH 1952 rates and gates against the formulas of docs/design.md / PHENOMENA-SPEC section 0, computed with math."""

import math

import jax
import jax.numpy as jnp
import pytest

from excitable.physics.channels.hh import HH, Leak, hh_rates

VOLTAGES = [-100.0, -80.0, -65.0, -55.0, -40.0, -30.0, 0.0, 30.0, -40.0 + 1e-7, -55.0 - 1e-7]


def ref_rates(v):
    """The six rates (1/ms, 6.3 degC), with the limits 1.0 and 0.1 at the removable singularities.

    1 - exp(-x) is written -expm1(-x) so that the reference keeps its digits 1e-7 mV from the singularity.
    """
    am = 1.0 if v == -40.0 else 0.1 * (v + 40.0) / -math.expm1(-(v + 40.0) / 10.0)
    an = 0.1 if v == -55.0 else 0.01 * (v + 55.0) / -math.expm1(-(v + 55.0) / 10.0)
    return {
        "m": (am, 4.0 * math.exp(-(v + 65.0) / 18.0)),
        "h": (0.07 * math.exp(-(v + 65.0) / 20.0), 1.0 / (1.0 + math.exp(-(v + 35.0) / 10.0))),
        "n": (an, 0.125 * math.exp(-(v + 65.0) / 80.0)),
    }


@pytest.mark.parametrize("v", VOLTAGES)
def test_rates_match_formulas(v):
    got, ref = hh_rates(jnp.float64(v)), ref_rates(v)
    for gate in "mhn":
        for x, y in zip(got[gate], ref[gate]):
            assert float(x) == pytest.approx(y, rel=1e-9)


def test_removable_singularities_exact():
    r40, r55 = hh_rates(jnp.float64(-40.0)), hh_rates(jnp.float64(-55.0))
    assert float(r40["m"][0]) == pytest.approx(1.0, rel=1e-12)
    assert float(r55["n"][0]) == pytest.approx(0.1, rel=1e-12)


@pytest.mark.parametrize("v", [-40.0, -55.0, -65.0, 0.0])
def test_gate_gradients_finite_at_singularities(v):
    """d/dV of every rate, steady state and time constant is finite, also exactly at -40 and -55 mV,
    and the derivative of alpha_m at -40 equals the analytic limit 0.1 * 1/2 = 0.05 per ms per mV."""
    chan = HH()
    for gate in "mhn":
        for k in range(2):
            g_rate = jax.grad(lambda x: hh_rates(x)[gate][k])(jnp.float64(v))
            g_gate = jax.grad(lambda x: chan.gates(x, 6.3)[gate][k])(jnp.float64(v))
            assert math.isfinite(float(g_rate)) and math.isfinite(float(g_gate))
    if v == -40.0:
        assert float(jax.grad(lambda x: hh_rates(x)["m"][0])(jnp.float64(v))) == pytest.approx(0.05, rel=1e-6)
    if v == -55.0:
        assert float(jax.grad(lambda x: hh_rates(x)["n"][0])(jnp.float64(v))) == pytest.approx(0.005, rel=1e-6)


def test_steady_states_at_rest():
    """m 0.0529, h 0.5961, n 0.3177 at -65 mV (4 decimals) and equal to alpha / (alpha + beta)."""
    s = HH().steady_state(jnp.float64(-65.0), 6.3)
    for gate, expected in (("m", 0.0529), ("h", 0.5961), ("n", 0.3177)):
        a, b = ref_rates(-65.0)[gate]
        assert float(s[gate]) == pytest.approx(a / (a + b), rel=1e-12)
        assert float(s[gate]) == pytest.approx(expected, abs=5e-5)


def test_time_constant_tau_h_at_zero():
    a, b = ref_rates(0.0)["h"]
    _, tau = HH().gates(jnp.float64(0.0), 6.3)["h"]
    assert float(tau) == pytest.approx(1.0 / (a + b), rel=1e-12)


def test_temperature_scaling():
    """phi = 3^((T - 6.3)/10): 3.82 at 18.5 degC (3 digits); every tau divides by it, steady states do not."""
    chan = HH()
    assert float(chan.rate_factor(6.3)) == 1.0
    assert float(chan.rate_factor(18.5)) == pytest.approx(3.0 ** 1.22, rel=1e-12)
    assert round(float(chan.rate_factor(18.5)), 2) == 3.82
    cold, warm = chan.gates(jnp.float64(-50.0), 6.3), chan.gates(jnp.float64(-50.0), 18.5)
    for gate in "mhn":
        assert float(warm[gate][0]) == pytest.approx(float(cold[gate][0]), rel=1e-12)
        assert float(cold[gate][1] / warm[gate][1]) == pytest.approx(3.0 ** 1.22, rel=1e-12)


def test_currents_outward_positive_and_resting_balance():
    """At -65 mV with gates at steady state: INa inward, IK outward, and with eL = -54.3 the net current
    vanishes at NEURON's rest -64.974 mV (to 1e-3 uA/cm2, from the spec's 3-decimal rest)."""
    chan = HH()
    s = chan.steady_state(jnp.float64(-65.0), 6.3)
    i = chan.currents(jnp.float64(-65.0), s)
    assert float(i["ina"]) < 0 < float(i["ik"])
    v = jnp.float64(-64.974)
    total = sum(chan.currents(v, chan.steady_state(v, 6.3)).values())
    assert abs(float(total)) < 1e-3
    assert float(Leak(g=0.1, e=-70.0).currents(jnp.float64(-60.0), {})["i"]) == pytest.approx(1.0)
