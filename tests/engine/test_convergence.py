"""Empirical order of accuracy: halving dt cuts the error ~2x (backward Euler), ~4x (Crank-Nicolson).

An HH cable (1 mm x 2 um, 51 compartments) fires an action potential that propagates; the error is
the largest |V - V_ref| over 8 ms at the middle, against the same method at dt = 0.025/64 ms.
Diffrax-style order test. Ratios measured: Euler 2.01/2.03, CN 3.97/4.00.
"""

import numpy as np
import pytest

import excitable as ex


def trace(dt, method):
    cell = ex.Cell(ex.Morphology.cylinder(length=1000, diameter=2, region="axon"), nseg=51, ra=100)
    cell.insert(ex.HH())
    sim = ex.Simulation(cell, dt=dt, temperature=6.3, v_init=-65.0, method=method)
    sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.5, delay=1.0, duration=1.0))
    sim.record("v", ex.Location(0, 0.5))
    res = sim.run(8.0)
    return res.t, res["v"]


@pytest.mark.parametrize("method, order", [("euler", 1), ("cn", 2)])
def test_error_falls_with_the_order_of_the_method(method, order):
    t_ref, v_ref = trace(0.025 / 64, method)
    errors = []
    for dt in (0.05, 0.025, 0.0125):
        t, v = trace(dt, method)
        errors.append(np.max(np.abs(v - np.interp(t, t_ref, v_ref))))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    # Asymptotic ratio 2**order; +/- 15 % covers the pre-asymptotic range seen at these dt.
    assert np.all(np.abs(ratios / 2**order - 1) < 0.15), (errors, ratios)
