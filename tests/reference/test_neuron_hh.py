"""HH single compartment side by side with NEURON (issue: core acceptance).

NEURON set-up (docs/design.md "Matching NEURON"): one 20 x 20 um section with hh, 6.3 degC, dt 0.025 ms,
fixed step, secondorder = 0, exact rates (usetable_hh = 0), finitialize(-65).
"""

import math

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import crossing_times
from excitable.experiments.excitability.all_or_none import bisect_threshold
from tests.conftest import neuron_h

pytestmark = pytest.mark.neuron

DT = 0.025
AREA_UM2 = math.pi * 20.0 * 20.0


def neuron_run(tstop, amp_nA=0.0, delay=0.0, dur=0.0):
    h = neuron_h()
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20.0
    soma.insert("hh")
    h.usetable_hh = 0
    stim = h.IClamp(soma(0.5))
    stim.amp, stim.delay, stim.dur = amp_nA, delay, dur
    v = h.Vector().record(soma(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = np.array(v)
    del stim, soma
    return out


def our_sim(amp_nA=0.0, delay=0.0, dur=0.0):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=amp_nA, delay=delay, duration=dur))
    sim.record("v")
    return sim


def test_resting_potential_matches_neuron_within_0p01_mV():
    ours = our_sim().run(200.0)["v"]
    ref = neuron_run(200.0)
    # Tolerance from the issue: 0.01 mV. NEURON settles to -64.974 mV (docs/design.md).
    assert abs(ours[-1] - ref[-1]) < 0.01
    assert abs(ours[-1] - (-64.974)) < 0.001


def test_one_second_step_same_spikes_within_0p05_ms():
    amp = 10.0 * AREA_UM2 * 1e-5  # 10 uA/cm2 in nA
    res = our_sim(amp, 0.0, 1000.0).run(1000.0)
    ref = neuron_run(1000.0, amp, 0.0, 1000.0)
    t = res.t
    ours = crossing_times(t, res["v"], 0.0)
    theirs = crossing_times(t, ref, 0.0)
    # 68 spikes with exact rates (PHENOMENA-SPEC section 1, NEURON 9.0.2 in-house anchor).
    assert len(ours) == len(theirs) == 68
    # Issue tolerance: every spike time within 0.05 ms (2 steps); same method, so far tighter in fact.
    assert np.max(np.abs(ours - theirs)) < 0.05


def test_one_ms_pulse_threshold_within_half_a_percent():
    sim = our_sim(AREA_UM2 * 1e-5, 5.0, 1.0)  # 1 uA/cm2 unit pulse, scaled by the gain
    base = sim.parameters()
    f = sim.function(20.0)

    def ours_peak(a):
        return float(np.max(np.asarray(f({**base, "iclamp_amp": np.array([a])}))))

    def neuron_peak(a):
        return float(np.max(neuron_run(20.0, a * AREA_UM2 * 1e-5, 5.0, 1.0)))

    ours = bisect_threshold(ours_peak, 50.0, 1e-4)
    theirs = bisect_threshold(neuron_peak, 50.0, 1e-4)
    assert abs(ours / theirs - 1) < 0.005
    # The in-house NEURON 9.0.2 anchor is 6.933 uA/cm2 (PHENOMENA-SPEC section 1, +/- 1 %).
    assert abs(theirs / 6.933 - 1) < 0.01
