"""Nernst, GHK voltage and GHK current against closed forms (PHENOMENA-SPEC section 0, rows 1, 2, 37).

Expected values are computed here with ``math.log`` from R, F and T, independently of excitable, and also
checked against the spec's printed numbers (rounded to 0.01 mV, so those compare to 0.006 mV).
"""

import math

import jax
import jax.numpy as jnp
import pytest

from excitable.physics import ions

R, F = 8.314462618, 96485.33212  # J/(mol K), C/mol (CODATA 2018, as the spec)
K_IN, K_OUT, NA_IN, NA_OUT, CL_IN, CL_OUT = 140.0, 5.0, 12.0, 145.0, 10.0, 110.0  # mM
P_REST = (1.0, 0.04, 0.45)  # PK : PNa : PCl (Hodgkin & Katz 1949)


def rt_f(celsius):
    """RT/F in mV."""
    return 1e3 * R * (273.15 + celsius) / F


def ghk_ref(pk, pna, pcl, celsius=37.0, k_out=K_OUT):
    num = pk * k_out + pna * NA_OUT + pcl * CL_IN
    den = pk * K_IN + pna * NA_IN + pcl * CL_OUT
    return rt_f(celsius) * math.log(num / den)


def ghk_v(p, celsius=37.0, k_out=K_OUT):
    return float(ions.ghk_voltage(p, [K_IN, NA_IN, CL_IN], [k_out, NA_OUT, CL_OUT], [1, 1, -1], celsius))


def test_thermal_voltage_matches_spec():
    for celsius, expected in ((37.0, 26.727), (20.0, 25.262), (6.3, 24.081)):
        assert float(ions.thermal_voltage(celsius)) == pytest.approx(rt_f(celsius), abs=1e-9)
        assert float(ions.thermal_voltage(celsius)) == pytest.approx(expected, abs=6e-4)


@pytest.mark.parametrize("celsius", [6.3, 20.0, 37.0])
@pytest.mark.parametrize("c_in, c_out, z", [(K_IN, K_OUT, 1), (NA_IN, NA_OUT, 1), (CL_IN, CL_OUT, -1),
                                             (1e-4, 2.0, 2)])
def test_nernst_closed_form(c_in, c_out, z, celsius):
    expected = rt_f(celsius) / z * math.log(c_out / c_in)
    assert float(ions.nernst(c_in, c_out, z, celsius)) == pytest.approx(expected, abs=1e-9)


def test_nernst_spec_values_at_37():
    """Row 1: EK -89.06, ENa +66.60, ECl -64.09 mV to 0.01 mV."""
    assert float(ions.nernst(K_IN, K_OUT, 1, 37.0)) == pytest.approx(-89.06, abs=0.006)
    assert float(ions.nernst(NA_IN, NA_OUT, 1, 37.0)) == pytest.approx(66.60, abs=0.006)
    assert float(ions.nernst(CL_IN, CL_OUT, -1, 37.0)) == pytest.approx(-64.09, abs=0.006)


@pytest.mark.parametrize("celsius, slope", [(37.0, 61.54), (20.0, 58.17)])
def test_nernst_slope_per_decade(celsius, slope):
    """Row 2 / section 4: 61.5 mV/decade at 37 degC, 58.2 at 20 degC (RT/F ln 10)."""
    e1 = float(ions.nernst(K_IN, 10.0, 1, celsius))
    e10 = float(ions.nernst(K_IN, 100.0, 1, celsius))
    assert e10 - e1 == pytest.approx(rt_f(celsius) * math.log(10.0), abs=1e-9)
    assert e10 - e1 == pytest.approx(slope, abs=0.006)


@pytest.mark.parametrize("celsius, expected", [(37.0, -67.33), (20.0, -63.64), (6.3, -60.66)])
def test_ghk_resting_potential(celsius, expected):
    """Row 1: V_GHK with PK:PNa:PCl = 1:0.04:0.45, to 0.01 mV."""
    v = ghk_v(P_REST, celsius)
    assert v == pytest.approx(ghk_ref(*P_REST, celsius), abs=1e-9)
    assert v == pytest.approx(expected, abs=0.006)


@pytest.mark.parametrize("k_out, expected, ek", [(2.5, -72.09, -107.58), (5.0, -67.33, -89.06),
                                                  (10.0, -59.77, -70.53), (20.0, -49.06, -52.01),
                                                  (50.0, -30.67, -27.52), (100.0, -14.53, -8.99)])
def test_ghk_k_out_series(k_out, expected, ek):
    """Row 2: V_GHK vs [K]o at 37 degC (Na, Cl fixed); EK from -107.6 to -9.0 mV."""
    v = ghk_v(P_REST, 37.0, k_out)
    assert v == pytest.approx(ghk_ref(*P_REST, 37.0, k_out), abs=1e-9)
    assert v == pytest.approx(expected, abs=0.006)
    assert float(ions.nernst(K_IN, k_out, 1, 37.0)) == pytest.approx(ek, abs=0.006)


def test_ghk_k_out_position_relative_to_ek_and_slope():
    """Row 2: the slope per decade rises toward Nernst's 61.5 mV only at high [K]o.

    The spec's "V stays above EK" holds up to 20 mM only: at 50 and 100 mM the Cl- permeability
    (ECl -64 mV) pulls V_GHK below EK (-30.67 < -27.52, -14.53 < -8.99 mV).
    """
    k = [2.5, 5.0, 10.0, 20.0, 50.0, 100.0]
    v = [ghk_v(P_REST, 37.0, ko) for ko in k]
    ek = [float(ions.nernst(K_IN, ko, 1, 37.0)) for ko in k]
    assert [vi > e for vi, e in zip(v, ek)] == [True, True, True, True, False, False]
    slopes = [(v[i + 1] - v[i]) / math.log10(k[i + 1] / k[i]) for i in range(len(k) - 1)]
    assert all(s1 < s2 for s1, s2 in zip(slopes, slopes[1:]))
    assert slopes[0] < 40.0 < slopes[-1] < rt_f(37.0) * math.log(10.0)


@pytest.mark.parametrize("p, expected", [
    ((2.0, 0.08, 0.9), -67.33),   # all three x2: only ratios matter
    ((5.0, 0.2, 2.25), -67.33),   # all three x5
    ((2.0, 0.08, 0.45), -67.85),  # PNa and PK x2, PCl fixed
    ((1.0, 0.08, 0.45), -58.80),  # PNa alone x2
    ((1.0, 0.2, 0.45), -42.93),   # PNa alone x5
    ((1.0, 20.0, 0.45), 51.13),   # PNa/PK = 20 (AP peak ratio)
])
def test_ghk_permeability_cases(p, expected):
    """Row 37 (a), to 0.01 mV (spec prints -58.8, -42.9, +51.1 to 0.1 mV)."""
    v = ghk_v(p)
    assert v == pytest.approx(ghk_ref(*p), abs=1e-9)
    assert v == pytest.approx(expected, abs=0.006)


def ghk_current_ref(v, p, c_in, c_out, z, celsius):
    """GHK current in uA/cm2 (p in cm/s, c in mM), written out with math."""
    u = z * v / rt_f(celsius)
    return p * z * F * u * (c_in - c_out * math.exp(-u)) / (1.0 - math.exp(-u))


@pytest.mark.parametrize("v", [-100.0, -30.0, -1e-3, 1e-3, 20.0, 60.0])
@pytest.mark.parametrize("c_in, c_out, z", [(K_IN, K_OUT, 1), (NA_IN, NA_OUT, 1), (CL_IN, CL_OUT, -1), (1e-4, 2.0, 2)])
def test_ghk_current_closed_form(v, c_in, c_out, z):
    got = float(ions.ghk_current(v, 1e-6, c_in, c_out, z, 37.0))
    assert got == pytest.approx(ghk_current_ref(v, 1e-6, c_in, c_out, z, 37.0), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("c_in, c_out, z", [(K_IN, K_OUT, 1), (NA_IN, NA_OUT, 1), (CL_IN, CL_OUT, -1), (1e-4, 2.0, 2)])
def test_ghk_current_zero_at_nernst_potential(c_in, c_out, z):
    """A single ion's GHK current reverses at its Nernst (= its own GHK) potential."""
    e = rt_f(37.0) / z * math.log(c_out / c_in)
    scale = abs(float(ions.ghk_current(e + 10.0, 1e-6, c_in, c_out, z, 37.0)))
    assert abs(float(ions.ghk_current(e, 1e-6, c_in, c_out, z, 37.0))) < 1e-9 * scale


@pytest.mark.parametrize("c_in, c_out, z", [(K_IN, K_OUT, 1), (CL_IN, CL_OUT, -1), (1e-4, 2.0, 2)])
def test_ghk_current_at_zero_voltage(c_in, c_out, z):
    """V -> 0 limit: I = P z F (c_in - c_out), and continuous across 0 (the singularity is removable)."""
    p = 1e-6
    limit = p * z * F * (c_in - c_out)
    assert float(ions.ghk_current(0.0, p, c_in, c_out, z, 37.0)) == pytest.approx(limit, rel=1e-12)
    for dv in (1e-7, 1e-5):
        assert float(ions.ghk_current(dv, p, c_in, c_out, z, 37.0)) == pytest.approx(limit, rel=1e-3)
        assert float(ions.ghk_current(-dv, p, c_in, c_out, z, 37.0)) == pytest.approx(limit, rel=1e-3)


def test_ghk_current_sign_convention():
    """Outward positive: K+ flows out above EK, Na+ flows in below ENa, Cl- (an anion flowing in) is
    an outward current above ECl."""
    assert float(ions.ghk_current(-70.0, 1e-6, K_IN, K_OUT, 1, 37.0)) > 0
    assert float(ions.ghk_current(-100.0, 1e-6, K_IN, K_OUT, 1, 37.0)) < 0
    assert float(ions.ghk_current(-70.0, 1e-6, NA_IN, NA_OUT, 1, 37.0)) < 0
    assert float(ions.ghk_current(80.0, 1e-6, NA_IN, NA_OUT, 1, 37.0)) > 0
    assert float(ions.ghk_current(-50.0, 1e-6, CL_IN, CL_OUT, -1, 37.0)) > 0
    assert float(ions.ghk_current(-80.0, 1e-6, CL_IN, CL_OUT, -1, 37.0)) < 0


@pytest.mark.parametrize("c_in, c_out, z", [(K_IN, K_OUT, 1), (CL_IN, CL_OUT, -1), (1e-4, 2.0, 2)])
def test_ghk_current_gradient_finite_at_zero(c_in, c_out, z):
    """jax.grad at exactly V = 0 is finite and equals the slope from a central difference (closed form)."""
    g = float(jax.grad(lambda v: ions.ghk_current(v, 1e-6, c_in, c_out, z, 37.0))(0.0))
    h = 1e-3
    fd = (ghk_current_ref(h, 1e-6, c_in, c_out, z, 37.0) - ghk_current_ref(-h, 1e-6, c_in, c_out, z, 37.0)) / (2 * h)
    assert math.isfinite(g)
    assert g == pytest.approx(fd, rel=1e-6)
    grads = jax.vmap(jax.grad(lambda v: ions.ghk_current(v, 1e-6, c_in, c_out, z, 37.0)))(jnp.array([-1e-6, 0.0, 1e-6]))
    assert bool(jnp.all(jnp.isfinite(grads)))


def test_q10_factor():
    assert float(ions.q10_factor(6.3, 3.0, 6.3)) == 1.0
    assert float(ions.q10_factor(16.3, 3.0, 6.3)) == pytest.approx(3.0, rel=1e-12)
    assert float(ions.q10_factor(18.5, 3.0, 6.3)) == pytest.approx(3.0 ** 1.22, rel=1e-12)
    assert float(ions.q10_factor(18.5, 3.0, 6.3)) == pytest.approx(3.82, abs=0.005)
    assert float(ions.q10_factor(26.0, 2.3, 36.0)) == pytest.approx(1 / 2.3, rel=1e-12)
