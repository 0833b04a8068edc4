"""excitable.analysis.propagation against travelling waves and decays with known velocity and lambda."""

import math

import numpy as np
import pytest

from excitable.analysis import arrival_times, conduction_velocity, length_constant, linearity_r2
from excitable.errors import ModelError

REST, AMP, SIGMA = -65.0, 105.0, 0.3  # Gaussian spike shape: mV, mV, ms


def travelling_wave(t, x_um, velocity_m_s, t0=2.0):
    """V(t, x) = Gaussian spike arriving at position x at t0 + x / c; rows are time, columns positions."""
    c = velocity_m_s * 1e3  # um/ms
    lag = t[:, None] - (t0 + x_um[None, :] / c)
    return REST + AMP * np.exp(-(lag**2) / (2 * SIGMA**2))


def test_linear_arrival_ramp_gives_exact_velocity():
    x = np.linspace(0, 20000, 11)  # um
    v_true = 12.17  # m/s = 12170 um/ms
    arrivals = 3.0 + x / (v_true * 1e3)
    assert conduction_velocity(x, arrivals) == pytest.approx(v_true, rel=1e-12)
    assert conduction_velocity(x[::-1], arrivals) == pytest.approx(-v_true, rel=1e-12)  # toward smaller x


def test_velocity_ignores_positions_never_reached():
    x = np.array([0.0, 500.0, 1000.0, 1500.0, 2000.0])
    arrivals = np.array([1.0, 1.5, 2.0, np.nan, np.nan])  # conduction block after 1000 um
    assert conduction_velocity(x, arrivals) == pytest.approx(1.0, rel=1e-12)  # 1000 um/ms = 1 m/s


def test_velocity_least_squares_with_timing_noise():
    # Unbiased with zero-mean timing noise: the fitted slope's standard error here is ~0.1 % of 1/v.
    rng = np.random.default_rng(4)
    x = np.linspace(0, 20000, 201)
    arrivals = 1.0 + x / 18200.0 + rng.normal(0, 0.005, x.size)
    assert conduction_velocity(x, arrivals) == pytest.approx(18.2, rel=5e-3)


@pytest.mark.parametrize("time_axis", [0, 1])
def test_arrival_times_of_travelling_wave(time_axis):
    t = np.arange(0, 5.0001, 0.005)
    x = np.linspace(0, 20000, 21)
    c = 18.2
    m = travelling_wave(t, x, c)
    got = arrival_times(t, m if time_axis == 0 else m.T, 0.0, time_axis=time_axis)
    # Closed-form 0-mV crossing of the Gaussian; interpolation error < 1e-4 ms at dt = 0.005 ms.
    expected = 2.0 + x / (c * 1e3) - SIGMA * math.sqrt(2 * math.log(AMP / (0.0 - REST)))
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # Every position sees the same interpolation error (same shape, shifted): velocity to 1e-3.
    assert conduction_velocity(x, got) == pytest.approx(c, rel=1e-3)


def test_arrival_times_nan_where_never_crossed():
    t = np.arange(0, 5.0001, 0.01)
    x = np.array([0.0, 1000.0])
    m = travelling_wave(t, x, 1.0)  # reaches x = 1000 um at 3 ms
    m[:, 1] = REST  # ... but not at the second position
    got = arrival_times(t, m)
    assert np.isfinite(got[0]) and np.isnan(got[1])


def test_arrival_times_checks_shape():
    t = np.linspace(0, 1, 11)
    with pytest.raises(ModelError, match="v_matrix must have len"):
        arrival_times(t, np.zeros((10, 3)))
    with pytest.raises(ModelError, match="v_matrix must be 2-D"):
        arrival_times(t, np.zeros(11))
    with pytest.raises(ModelError, match="v_matrix must be finite"):
        arrival_times(t, np.full((11, 2), np.nan))


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["depolarizing", "hyperpolarizing"])
def test_length_constant_of_exponential_decay(sign):
    lam = 1000.0  # um: sqrt(Rm d / (4 Ri)) for Rm 20 kohm cm2, d 2 um, Ri 100 ohm cm (spec row 6)
    x = np.linspace(0, 3000, 31)
    v = -65.0 + sign * 12.0 * np.exp(-x / lam)
    assert length_constant(x, v, v_rest=-65.0) == pytest.approx(lam, rel=1e-10)
    assert length_constant(x, v + 65.0) == pytest.approx(lam, rel=1e-10)  # default: a deflection


def test_length_constant_sealed_cable_far_from_end():
    # Sealed cable of length L = 10 lambda: V ~ cosh((L - x)/lambda); within 3 lambda of the source the
    # departure from a pure exponential is ~exp(-2 (L - x)/lambda) < 1e-6.
    lam, length = 1000.0, 10000.0
    x = np.linspace(0, 3000, 31)
    v = 10.0 * np.cosh((length - x) / lam) / np.cosh(length / lam)
    assert length_constant(x, v) == pytest.approx(lam, rel=1e-5)


def test_length_constant_rejects_sign_change():
    with pytest.raises(ModelError, match="one sign"):
        length_constant([0, 1, 2], [1.0, 0.0, -1.0])


def test_linearity_r2():
    x = np.arange(10.0)
    assert linearity_r2(x, 3 * x - 2) == pytest.approx(1.0, abs=1e-15)
    # y = x^2 on x symmetric about 0: covariance 0, so the best line is flat and R^2 = 0 exactly.
    xs = np.linspace(-1, 1, 21)
    assert linearity_r2(xs, xs**2) == pytest.approx(0.0, abs=1e-12)
    # For a straight-line fit with intercept, R^2 equals the squared Pearson correlation.
    y = np.array([0.3, 1.1, 1.9, 3.4, 3.8, 5.6, 5.9, 7.4, 8.1, 8.8])
    assert linearity_r2(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-12)
    assert linearity_r2(x, np.full(10, 2.0)) == 1.0


def test_velocity_needs_two_positions():
    with pytest.raises(ModelError, match="at >= 2 distinct positions"):
        conduction_velocity([0.0, 100.0], [1.0, np.nan])
    with pytest.raises(ModelError, match="arrival_times_ms must have the same length as positions_um"):
        conduction_velocity([0.0, 100.0, 200.0], [1.0, 2.0])
    with pytest.raises(ModelError, match="infinite"):
        conduction_velocity([0.0, 100.0], [1.0, 1.0])
