"""action_potential_summary on a real HH action potential against PHENOMENA-SPEC section 1 anchors.

The trace is integrated here, independently of excitable's engine, with SciPy's solve_ivp (RK45,
rtol = atol = 1e-9): HH 1952 modern convention (NEURON hh.mod), 6.3 degC, gNa 120, gK 36, gL 0.3
mS/cm2, ENa 50, EK -77, EL -54.3 mV, Cm 1 uF/cm2; V = -65 mV with every gate at steady state there
(NEURON's finitialize(-65)), 30 ms to settle to rest, then a 1-ms pulse of 2 x 6.9 uA/cm2. The pulse
edges are integration boundaries so the solver never steps across the discontinuity. Samples every
0.005 ms (dense output).

Tolerances are the spec's: voltages +/- 0.5 mV, times +/- 0.05 ms; the rates, given to 3 figures
in the spec, +/- 1 %.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from excitable.analysis import action_potential_summary, spike_times, step_times

ONSET, WIDTH, AMP, TSTOP, DT = 30.0, 1.0, 2 * 6.9, 45.0, 0.005  # ms, ms, uA/cm2, ms, ms


def _vtrap(x, y):
    """x / (exp(x/y) - 1), with its limit y at x = 0 (NEURON hh.mod)."""
    return y * (1 - x / y / 2) if abs(x / y) < 1e-6 else x / math.expm1(x / y)


def _rates(v):
    return (0.1 * _vtrap(-(v + 40), 10), 4 * math.exp(-(v + 65) / 18),
            0.07 * math.exp(-(v + 65) / 20), 1 / (1 + math.exp(-(v + 35) / 10)),
            0.01 * _vtrap(-(v + 55), 10), 0.125 * math.exp(-(v + 65) / 80))


def _rhs(t, y, i_stim):
    v, m, h, n = y
    am, bm, ah, bh, an, bn = _rates(v)
    i_ion = 120 * m**3 * h * (v - 50) + 36 * n**4 * (v + 77) + 0.3 * (v + 54.3)
    return [i_stim - i_ion, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]


@pytest.fixture(scope="module")
def hh_trace():
    am, bm, ah, bh, an, bn = _rates(-65.0)
    y = [-65.0, am / (am + bm), ah / (ah + bh), an / (an + bn)]
    ts, vs = [], []
    for a, b, i_stim in [(0.0, ONSET, 0.0), (ONSET, ONSET + WIDTH, AMP), (ONSET + WIDTH, TSTOP, 0.0)]:
        t_eval = np.arange(round((b - a) / DT) + 1) * DT + a
        sol = solve_ivp(_rhs, (a, b), y, args=(i_stim,), t_eval=t_eval, rtol=1e-9, atol=1e-9)
        assert sol.success
        last = b == TSTOP
        ts.append(sol.t if last else sol.t[:-1])  # the boundary sample belongs to the next piece
        vs.append(sol.y[0] if last else sol.y[0][:-1])
        y = sol.y[:, -1]
    return np.concatenate(ts), np.concatenate(vs)


def test_hh_summary_matches_spec_anchors(hh_trace):
    t, v = hh_trace
    s = action_potential_summary(t, v, stimulus_onset_ms=ONSET)
    assert s["rest_mV"] == pytest.approx(-64.974, abs=0.005)  # spec: -64.974 mV (3 decimals)
    assert s["n_spikes"] == 1
    assert s["peak_mV"] == pytest.approx(39.90, abs=0.5)
    assert s["peak_time_ms"] - ONSET == pytest.approx(1.92, abs=0.05)
    assert s["half_width_ms"] == pytest.approx(1.46, abs=0.05)
    assert s["undershoot_mV"] == pytest.approx(-76.18, abs=0.5)
    assert s["undershoot_time_ms"] - ONSET == pytest.approx(4.77, abs=0.05)
    assert s["threshold_mV"] == pytest.approx(-51.1, abs=0.5)  # dV/dt = 10 mV/ms criterion
    assert s["max_rise_mV_ms"] == pytest.approx(305.0, rel=0.01)
    assert s["max_fall_mV_ms"] == pytest.approx(-68.8, rel=0.01)


def test_hh_threshold_at_20_mV_per_ms(hh_trace):
    t, v = hh_trace
    s = action_potential_summary(t, v, stimulus_onset_ms=ONSET, dvdt=20.0)
    assert s["threshold_mV"] == pytest.approx(-49.1, abs=0.5)  # spec: -49.1 mV at 20 mV/ms


def test_hh_step_time_within_one_step_of_interpolated_crossing(hh_trace):
    # NEURON's APCount time (first sample >= 0 mV) versus the interpolated crossing: 0 < diff <= dt.
    t, v = hh_trace
    (s,), (st,) = spike_times(t, v), step_times(t, v)
    assert 0.0 <= st - s < DT


@pytest.mark.neuron
def test_neuron_trace_summary_and_apcount():
    # The same protocol in NEURON (hh.mod with exact rates, usetable_hh = 0; fixed dt 0.025 ms; one
    # compartment, so the density 13.8 uA/cm2 becomes amp = 13.8e-5 nA/um2 x area). Checks that the
    # summary reads NEURON's trace like the spec's NEURON column (peak +39.43, half-width 1.475 ms,
    # undershoot -76.16 mV; tolerances as above) and that step_times is APCount's time exactly.
    neuron = pytest.importorskip("neuron")
    h = neuron.h
    h.load_file("stdrun.hoc")
    saved = (h.celsius, h.dt, h.usetable_hh if hasattr(h, "usetable_hh") else None)
    sec = h.Section(name="analysis_hh_soma")
    try:
        sec.L = sec.diam = 10.0
        sec.insert("hh")
        h.usetable_hh = 0
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = ONSET, WIDTH, AMP * 1e-5 * sec(0.5).area()
        apc = h.APCount(sec(0.5))
        apc.thresh = 0.0
        apc_times = h.Vector()
        apc.record(apc_times)
        v_rec = h.Vector().record(sec(0.5)._ref_v)
        t_rec = h.Vector().record(h._ref_t)
        h.celsius, h.dt = 6.3, 0.025
        h.finitialize(-65.0)
        h.continuerun(TSTOP)
        t, v = np.array(t_rec), np.array(v_rec)
    finally:
        h.celsius, h.dt = saved[0], saved[1]
        if saved[2] is not None:
            h.usetable_hh = saved[2]
        del sec
    s = action_potential_summary(t, v, stimulus_onset_ms=ONSET)
    assert s["rest_mV"] == pytest.approx(-64.974, abs=0.005)
    assert s["peak_mV"] == pytest.approx(39.43, abs=0.5)
    assert s["half_width_ms"] == pytest.approx(1.475, abs=0.05)
    assert s["undershoot_mV"] == pytest.approx(-76.16, abs=0.5)
    np.testing.assert_allclose(step_times(t, v), np.array(apc_times), atol=1e-9)
