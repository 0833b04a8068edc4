"""A real reconstruction side by side with NEURON (issue: cables and morphologies).

turner-ca1-n120.swc (rat CA1 pyramidal cell, 156 sections) through NEURON's Import3d and through
excitable, HH everywhere, Ra 100 ohm*cm, cm 1 uF/cm2, the d_lambda = 0.1 rule in both; a 100-ms
1-nA step at soma(0.5). Criteria from the issue: the same compartment count as NEURON's nseg choice,
and every soma spike time within 0.1 ms.
"""

import math

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import crossing_times
from excitable.io.morphologies import path as shipped
from tests.conftest import neuron_h

pytestmark = pytest.mark.neuron

SWC = shipped("ca1-pyramidal")  # turner-ca1-n120.swc
RA, CM, DT, CELSIUS, TSTOP = 100.0, 1.0, 0.025, 6.3, 110.0
STIM = dict(amp=1.0, delay=5.0, dur=100.0)


class _Owner:
    def __str__(self):
        return "cell"


def neuron_soma_v():
    h = neuron_h()
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(SWC))
    cell = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(cell)
    secs = list(cell.all)
    for sec in secs:
        sec.Ra, sec.cm = RA, CM
        sec.nseg = int((sec.L / (0.1 * h.lambda_f(100, sec=sec)) + 0.9) / 2) * 2 + 1
        sec.insert("hh")
    h.usetable_hh = 0
    soma = cell.soma[0]
    stim = h.IClamp(soma(0.5))
    stim.amp, stim.delay, stim.dur = STIM["amp"], STIM["delay"], STIM["dur"]
    v = h.Vector().record(soma(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    return np.array(v), sum(sec.nseg for sec in secs)


def test_swc_cell_soma_spike_times_match_neuron_within_0p1_ms():
    cell = ex.Cell.from_swc(SWC, d_lambda=0.1, ra=RA, cm=CM).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=STIM["amp"], delay=STIM["delay"], duration=STIM["dur"]))
    sim.record("v")
    res = sim.run(TSTOP)
    v_ref, nseg_total = neuron_soma_v()
    assert int((cell.compartments.area_um2 > 0).sum()) == nseg_total
    ours = crossing_times(res.t, res["v"], 0.0)
    theirs = crossing_times(res.t, v_ref, 0.0)
    assert len(ours) == len(theirs) >= 3
    assert np.max(np.abs(ours - theirs)) < 0.1
    assert math.isclose(res["v"][0], v_ref[0])
