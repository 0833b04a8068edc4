"""neuron-types: firing patterns of six cell types (PHENOMENA-SPEC row 41, spec thresholds).

At 2x each cell's rheobase: FS > 100 spikes/s without adaptation; RS adapting (last/first ISI > 1.5);
IB bursting (>= 3 spikes with ISI < 10 ms); sensory neuron: rate rising monotonically over >= 1 decade
of stimulus. Motor neuron: regular (no adaptation) with an afterhyperpolarization below rest. Steps of
500 ms instead of the experiment's 1 s keep the test short; the patterns are set up within 500 ms.
"""

import pytest

from excitable import experiments
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def types():
    return experiments.run("neuron-types", duration=500.0)


def _by_name(s, key):
    return dict(zip(s["cells"], s[key]))


def test_distinct_patterns(types):
    s = types.summary
    rate, adapt = _by_name(s, "rate_hz"), _by_name(s, "adaptation_ratio")
    bursts, kind = _by_name(s, "bursts"), _by_name(s, "classified_as")
    assert rate["fast spiking (FS)"] > 100 and adapt["fast spiking (FS)"] < 1.1
    assert adapt["regular spiking (RS)"] > 1.5
    assert bursts["intrinsically bursting (IB)"] >= 1
    assert s["lts_demo_bursts"] >= 1  # the LTS cell bursts under the authors' 0.3-nA step
    assert adapt["motor neuron"] < 1.2 and _by_name(s, "ahp_below_rest_mV")["motor neuron"] > 2.0
    assert len(set(kind.values())) >= 4


def test_sensory_rate_code(types):
    s = types.summary
    assert s["sensory_monotonic_decades"] >= 1.0
    assert all(b > a for a, b in zip(s["sensory_rate_hz"], s["sensory_rate_hz"][1:]))


def test_fi_curves(types):
    s = types.summary
    for name, rates in s["fi_rate_hz"].items():
        assert rates[0] == 0.0, name  # 0.5x rheobase: silent
        assert all(b >= a for a, b in zip(rates, rates[1:])), name
    assert s["fi_rate_hz"]["fast spiking (FS)"][-1] > 2 * s["fi_rate_hz"]["regular spiking (RS)"][-1]


def test_the_declared_signals_are_recorded(types):
    assert_signals_recorded(types)
    assert_answer_measured(types)
