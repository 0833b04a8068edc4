"""undershoot-recovery: h recovers during the undershoot (docs/phenomena.md, row undershoot-recovery).

References: HH's (1952) closed forms of h's rates (docs/design.md), written out here independently of
the package: h_inf = a / (a + b), tau_h = 1 / ((a + b) phi), phi = 3 ** ((T - 6.3) / 10). With V held
constant by the clamp, h relaxes exactly as h_inf - (h_inf - h0) exp(-t / tau_h) (the gates are advanced
by exponential Euler, exact at constant V).
"""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded


def hh_h(v, celsius=6.3):
    a = 0.07 * np.exp(-(v + 65.0) / 20.0)
    b = 1.0 / (1.0 + np.exp(-(v + 35.0) / 10.0))
    phi = 3.0 ** ((celsius - 6.3) / 10.0)
    return a / (a + b), 1.0 / ((a + b) * phi)


@pytest.fixture(scope="module")
def default():
    return experiments.run("undershoot-recovery")


def test_tau_h_is_the_closed_form_at_rest_and_in_the_undershoot(default):
    s = default.summary
    for where, v in (("rest", s["rest_mV"]), ("undershoot", s["undershoot_mV"])):
        h_inf, tau = hh_h(v)
        assert s[f"h_inf_{where}"] == pytest.approx(h_inf, rel=1e-9)
        assert s[f"tau_h_{where}_ms"] == pytest.approx(tau, rel=1e-9)
    # The undershoot (11 mV below rest in HH) is where h recovers faster and further.
    assert s["undershoot_below_rest_mV"] > 8.0
    assert s["tau_h_undershoot_ms"] < s["tau_h_rest_ms"] and s["h_inf_undershoot"] > s["h_inf_rest"] + 0.2


def test_clamped_h_follows_the_closed_form(default):
    t, s, m = default.t, default.summary, default.meta
    h = default["h clamped no test"]
    k0 = int(np.searchsorted(t, m["clamp_from_ms"])) + 2  # V held at rest from here on
    h_inf, tau = hh_h(s["rest_mV"])
    expected = h_inf - (h_inf - h[k0]) * np.exp(-(t[k0:] - t[k0]) / tau)
    # 1e-4: the clamp holds V within microvolts of the command (series resistance 0.01 MOhm).
    assert np.max(np.abs(h[k0:] - expected)) < 1e-4


def test_the_undershoot_speeds_the_next_spike(default):
    s = default.summary
    assert s["h_later_control"] > s["h_later_clamped"] + 0.1
    assert s["recovered_from_ms_control"] < s["recovered_from_ms_clamped"]
    # At every interval tried, h at the test pulse is at least as high with the undershoot.
    assert np.all(np.array(s["h_at_test_control"]) >= np.array(s["h_at_test_clamped"]) - 1e-3)


def test_signals_recorded(default):
    assert_signals_recorded(default)
