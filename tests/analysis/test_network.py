"""Network measures: rates, population rate, raster, Golomb's chi, bursts (closed forms and exact counts)."""

import numpy as np
import pytest

from excitable.analysis import network as na
from excitable.errors import ModelError


def test_rates_count_spikes_in_the_window_and_silent_cells():
    spikes = {0: [10.0, 20.0, 999.0, 1000.0], 1: [], 2: [500.0]}
    # Window [0, 1000): 3 + 0 + 1 spikes over 3 cells and 1 s.
    assert na.mean_rate(spikes, 0.0, 1000.0) == pytest.approx(4 / 3)
    np.testing.assert_allclose(na.rates(spikes, 0.0, 1000.0), [3.0, 0.0, 1.0])
    t, r = na.population_rate(spikes, 0.0, 1000.0, bin_ms=100.0)
    np.testing.assert_allclose(t, np.arange(50.0, 1000.0, 100.0))
    # Bin 0 has 2 spikes: 2 / 3 cells / 0.1 s.
    assert r[0] == pytest.approx(2 / 3 / 0.1)
    assert r.sum() * 0.1 * 3 == pytest.approx(4.0)  # every spike in the window counted once


def test_raster_rows_follow_the_requested_order():
    t, row = na.raster({3: [1.0, 2.0], 5: [0.5]}, cells=[5, 3])
    np.testing.assert_array_equal(t, [0.5, 1.0, 2.0])
    np.testing.assert_array_equal(row, [0, 1, 1])
    with pytest.raises(ModelError, match="cell 4"):
        na.raster({3: [1.0]}, cells=[4])


def test_chi_is_one_for_identical_signals_and_the_closed_form_for_mixtures():
    rng = np.random.default_rng(0)
    common = rng.normal(size=20000)
    same = np.repeat(common[:, None], 10, axis=1)
    assert na.synchrony_chi(same) == pytest.approx(1.0, abs=1e-12)
    # V_i = a*common + sqrt(1-a^2)*own_i with unit variances: chi^2 = a^2 + (1 - a^2)/N.
    a, n = 0.6, 50
    x = a * common[:, None] + np.sqrt(1 - a**2) * rng.normal(size=(20000, n))
    expected = np.sqrt(a**2 + (1 - a**2) / n)
    # Sampling error of a variance from 20000 samples is ~1 %: 3 % on chi.
    assert na.synchrony_chi(x) == pytest.approx(expected, rel=0.03)


def test_chi_of_independent_cells_is_one_over_root_n():
    rng = np.random.default_rng(1)
    for n in (16, 100, 400):
        chi = na.synchrony_chi(rng.normal(size=(20000, n)))
        # E[chi^2] = 1/N; the estimate's sd is about sqrt(2/20000) / ... : 10 % is 4 sd even for N = 400.
        assert chi == pytest.approx(1 / np.sqrt(n), rel=0.1)
        assert 0.0 <= chi <= 1.0


def test_chi_rejects_what_it_cannot_measure():
    with pytest.raises(ModelError, match="no cell varies"):
        na.synchrony_chi(np.ones((10, 3)))
    with pytest.raises(ModelError, match="shape"):
        na.synchrony_chi(np.ones(10))


def test_filtered_trains_are_exponential_kernels():
    f = na.filtered_trains({0: [10.0], 1: []}, 0.0, 100.0, dt=0.5, tau_ms=5.0)
    assert f.shape == (200, 2) and not f[:, 1].any()
    k = 20  # the bin of t = 10 ms
    np.testing.assert_allclose(f[k:k + 40, 0], np.exp(-0.5 * np.arange(40) / 5.0), rtol=1e-12)
    assert not f[:k, 0].any()


def test_population_bursts_merge_close_episodes():
    t = np.arange(0.0, 100.0, 5.0)
    r = np.zeros_like(t)
    r[[2, 3, 5, 12]] = [50.0, 80.0, 40.0, 60.0]  # 10-15 ms, 25 ms (merged across the dip), 60 ms
    bursts = na.population_bursts(t, r, threshold_hz=20.0, min_gap_ms=12.0)
    assert bursts == [(10.0, 25.0, 80.0), (60.0, 60.0, 60.0)]
    assert na.population_bursts(t, r, threshold_hz=100.0) == []
