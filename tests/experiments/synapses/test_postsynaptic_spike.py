"""postsynaptic-spike: EPSPs sum until the cell fires (docs/phenomena.md, row postsynaptic-spike).

Reference: the textbook cell's point of no return for a brief input, from its instantaneous I-V relation
(Traub-Miles rates of Pospischil et al. 2008, written out here independently of the package): Na+
activation m at its steady state for each V, h, n and the M-current's p frozen at rest; the threshold is
where the total ionic current turns inward above rest (e.g. Koch 1999, Biophysics of Computation, ch. 6).
"""

import numpy as np
import pytest

from excitable import experiments
from tests.experiments import assert_signals_recorded

VT, VTK, GNA, GK, GM, GL, ENA, EK, EL = -69.6, -57.6, 30.8, 22.5, 0.075, 0.1, 50.0, -90.0, -69.65  # pospischil.textbook()


def _inf(a, b):
    return a / (a + b)


def instant_iv_threshold(rest):
    v = np.arange(rest + 0.05, -40.0, 0.001)
    v = v[np.abs(v - VT - 13.0) > 1e-6]  # m's rate has a removable singularity at V - VT = 13
    x = v - VT
    m = _inf(0.32 * (13 - x) / (np.exp((13 - x) / 4) - 1), 0.28 * (x - 40) / (np.exp((x - 40) / 5) - 1))
    r = rest - VT
    h0 = _inf(0.128 * np.exp((17 - r) / 18), 4 / (1 + np.exp((40 - r) / 5)))
    rk = rest - VTK  # the K+ channel's own threshold shift
    n0 = _inf(0.032 * (15 - rk) / (np.exp((15 - rk) / 5) - 1), 0.5 * np.exp((10 - rk) / 40))
    p0 = 1 / (1 + np.exp(-(rest + 35) / 10))  # Yamada M-current steady state
    i = GL * (v - EL) + GNA * m**3 * h0 * (v - ENA) + GK * n0**4 * (v - EK) + GM * p0 * (v - EK)
    return float(v[np.nonzero(i < 0)[0][0]])


@pytest.fixture(scope="module")
def default():
    return experiments.run("postsynaptic-spike")


def test_point_of_no_return_is_the_instantaneous_iv_threshold(default):
    s = default.summary
    reference = instant_iv_threshold(s["rest_mV"])
    assert s["instant_threshold_mV"] == pytest.approx(reference, abs=0.01)  # the reference's 1-uV grid
    # The cell behaves so: the largest summed EPSP that did not fire stayed below it.
    assert s["largest_subthreshold_mV"] < reference


def test_inputs_needed_match_the_distance_to_threshold(default):
    s = default.summary
    assert s["unitary_epsp_mV"] < 2.0 and s["needed_together"] > 1  # one input alone does not fire it
    # (threshold - rest) / one EPSP assumes linear summation; near threshold the Na+ channels add to
    # the sum and the shrinking driving force takes from it (the 5-input sum is 10 % above 5 EPSPs),
    # less than one EPSP's worth: within one input.
    assert abs(s["needed_together"] - s["predicted_needed"]) <= 1.0
    assert s["needed_spread"] > s["needed_together"]  # part of the early inputs has leaked away
    assert s["needed_inhibited"] > s["needed_together"]


def test_signals_recorded(default):
    assert_signals_recorded(default)
