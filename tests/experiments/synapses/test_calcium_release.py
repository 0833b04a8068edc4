"""calcium-release: Ca2+ entry triggers release (docs/phenomena.md, row calcium-release).

References: Dodge & Rahamimoff (1967, J. Physiol. 193:419): at low [Ca2+]o the endplate potential grows
as [Ca2+]o^n with n about 4 (3.8 in their fit); the Goldman-Hodgkin-Katz flux equation: with
[Ca2+]i << [Ca2+]o the Ca2+ current at a given V is proportional to [Ca2+]o.
"""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def default():
    return experiments.run("calcium-release")


def test_release_grows_as_the_fourth_power_of_external_calcium(default):
    s = default.summary
    # Fitted over 0.25-0.5 mM. At most the sensor's 4 (far from saturation: [Ca]i <= 4 uM against
    # K_d = 40 uM, a 1e-4 correction); below it by the 0.1-uM resting [Ca2+]i that the spike's entry
    # adds to (the peak doubles 1.95x, not 2x, when [Ca2+]o doubles: 4 log2(1.95) = 3.85). The
    # published 3.8 lies inside the band 3.6-4.0.
    assert 3.6 <= s["log_log_slope"] <= 4.0
    assert s["release_ratio_half_ca"] > 8.0  # halving [Ca2+]o cuts release by far more than half


def test_calcium_entry_is_proportional_to_external_calcium(default):
    s = default.summary
    per_mM = np.asarray(s["peak_ica_uA_cm2_by_cao"]) / np.asarray(s["cao_mM"])
    # GHK: exactly proportional at a fixed spike. The Ca2+ current itself depolarizes the terminal a
    # little more the larger it is (lowering the GHK driving force), so the current per mM falls as
    # [Ca2+]o rises: 1.6 % from 0.25 to 1 mM (12 uA/cm2 against the spike's Na+ and K+ currents of
    # hundreds), 8 % up to 4 mM; bounds 2 % and 10 %.
    assert np.ptp(per_mM[:5]) / per_mM[0] < 0.02
    assert np.ptp(per_mM) / per_mM[0] < 0.10


def test_calcium_rises_and_cadmium_abolishes_release(default):
    s = default.summary
    assert s["terminal_peak_mV"] > 20.0  # the spike reaches the terminal in every case
    assert s["peak_cai_uM"] > 5.0 and 0 < s["cai_rise_after_spike_ms"] < 2.0
    assert 0.5 < s["epsp_mV"] < 10.0
    assert s["quantal_content_cd_block"] < 1e-5 and abs(s["epsp_cd_block_mV"]) < 1e-4


def test_the_suggestions_say_what_the_runs_show(default):
    from excitable.experiments.synapses.calcium_release import CA_REST_MM

    # Half the Ca2+ channels blocked: entry halves and release falls about as its fourth power, 1/16;
    # the 0.1-uM resting [Ca2+]i under the entry and the sensor's approach to K_d move it a little
    # (measured 1/14.5): between 1/20 and 1/10.
    half = experiments.run("calcium-release", cd_block=0.5).summary
    assert 1 / 20 < half["quantal_content_control"] / default.summary["quantal_content_control"] < 1 / 10
    # A one-ion sensor: at the resting [Ca2+]i c (no entry at all in the Cd2+-blocked terminal) each site
    # releases at the constant rate k_max c / (c + K_d), so P = 1 - exp(-rate T), T the run's length
    # (the release integral sums every sample, len(t) x dt). Closed form to rounding (1e-9).
    one = experiments.run("calcium-release", cooperativity=1.0)
    p, s = one.meta, one.summary
    c = CA_REST_MM * 1e3  # uM
    rate = p["k_max"] * c / (c + p["k_d"])
    p_rest = 1.0 - np.exp(-rate * len(one.t) * p["dt"])
    assert s["quantal_content_cd_block"] == pytest.approx(p["n_sites"] * p_rest, rel=1e-9)
    assert p_rest > 0.5 and s["release_probability"] > 0.99  # spike or no spike, the sites empty
    assert s["log_log_slope"] < 0.5  # and release no longer depends on [Ca2+]o


def test_signals_recorded(default):
    assert_signals_recorded(default)
