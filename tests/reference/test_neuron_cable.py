"""Cables side by side with NEURON: the HH squid giant axon's conduction velocity (issue: cables).

Set-up (PHENOMENA-SPEC section 0/1): radius 238 um, Ra 35.4 ohm*cm, 18.5 degC, 10-um compartments
(nseg 2000 over 2 cm), stimulus at one end, velocity between 25 % and 75 % of the length.
NEURON 9.0.2 in-house anchor: 18.22 m/s.
"""

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import arrival_times, conduction_velocity
from tests.conftest import neuron_h

pytestmark = pytest.mark.neuron

L, DIAM, NSEG, RA, CELSIUS, DT = 20000.0, 476.0, 2000, 35.4, 18.5, 0.025
SITES = np.linspace(0.25, 0.75, 11)
STIM = dict(amp=20000.0, delay=0.5, dur=0.2)  # nA, ms


def ours():
    cell = ex.Cell(ex.Morphology.cylinder(length=L, diameter=DIAM, region="axon"), nseg=NSEG, ra=RA)
    cell.insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=STIM["amp"], delay=STIM["delay"],
                            duration=STIM["dur"]))
    for x in SITES:
        sim.record("v", ex.Location(0, x), label=f"{x:.3f}")
    res = sim.run(3.0)
    return res.t, np.stack([res[f"{x:.3f}"] for x in SITES], axis=1)


def neuron():
    h = neuron_h()
    axon = h.Section(name="axon")
    axon.L, axon.diam, axon.Ra, axon.nseg = L, DIAM, RA, NSEG
    axon.insert("hh")
    h.usetable_hh = 0
    stim = h.IClamp(axon(0))
    stim.amp, stim.delay, stim.dur = STIM["amp"], STIM["delay"], STIM["dur"]
    vecs = [h.Vector().record(axon(x)._ref_v) for x in SITES]
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-65.0)
    h.continuerun(3.0)
    return np.stack([np.array(v) for v in vecs], axis=1)


def test_squid_axon_velocity_matches_neuron_within_1_percent():
    t, v_ours = ours()
    v_ref = neuron()
    x_um = SITES * L
    ours_v = conduction_velocity(x_um, arrival_times(t, v_ours))
    ref_v = conduction_velocity(x_um, arrival_times(t, v_ref))
    assert abs(ours_v / ref_v - 1) < 0.01  # the criterion
    assert abs(ref_v - 18.22) < 0.4  # PHENOMENA-SPEC: 18.2 +/- 0.4 m/s for a fine grid
    # Same discretization and method: the traces agree far better than the criterion needs.
    assert np.max(np.abs(v_ours - v_ref)) < 1e-6
