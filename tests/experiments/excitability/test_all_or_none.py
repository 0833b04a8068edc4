"""all-or-none: threshold by bisection and the flat peak above it (PHENOMENA-SPEC row 7)."""

import numpy as np

from excitable import experiments
from tests.experiments import assert_signals_recorded


def test_hh_threshold_and_all_or_none_curve():
    res = experiments.run("all-or-none", model="hh")  # the default is the textbook neuron
    assert_signals_recorded(res)
    s = res.summary
    # NEURON 9.0.2 anchor 6.933 uA/cm2 (exact rates, dt 0.025); spec: thresholds +/- 1 %.
    assert abs(s["threshold_amplitude_uA_cm2"] / 6.933 - 1) < 0.01
    # Spec: peak within +/- 5 mV for 1.2x to 5x threshold (a 10-mV range at most).
    assert s["suprathreshold_peak_range_mV"] < 10.0
    # Below threshold: no overshoot above -40 mV.
    assert s["subthreshold_max_peak_mV"] < -40.0
    amps = np.array(s["amplitudes_uA_cm2"])
    peaks = np.array(s["peaks_mV"])
    sub = amps < 0.9 * s["threshold_amplitude_uA_cm2"]
    # Graded below threshold: the response grows with the stimulus.
    assert np.all(np.diff(peaks[sub]) > 0)
