"""RANGE values an imported file's BREAKPOINT computes (hh.mod's ``gna``, ``gk``) are recordable as in
NEURON (``sim.record("hh.gna")``, NEURON's ``seg.hh._ref_gna``), in the file's units; they were not
("hh has no state, current or conductance 'gna'"). NEURON's value after a step is the one its
``nrn_cur`` left, computed at the step's starting V and states; so is excitable's.

Beside NEURON, one compartment firing under a current clamp: the wheel's hh.mod (gna, gk from
states) and tests/reference/mod/nm_bpvalues.mod (``g`` from a state, ``drive = v - e`` from V): every
value within 1e-6 of its largest magnitude at every sample (issue 18; round-off, 1e-13 seen), where
``drive`` taken at the step's end V instead is 0.064 off. A RANGE value only INITIAL sets
(nm_initonly.mod's ``frac``, as cdp5.mod's ``BTC_ca``) is recordable too: INITIAL's, all run long.
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import DT, OWN, mod_file, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
VALUES = {"hh": ("gna", "gk"), "nm_bpvalues": ("g", "drive"), "nm_initonly": ("frac", "gnow")}


def test_breakpoint_range_values_are_recorded_as_neuron_records_them():
    classes = {s: load_mod(mod_file(s)) for s in VALUES}
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0)
    for c in classes.values():
        cell.insert(c())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=2.0, duration=20.0))
    sim.record("v")
    for s, names in VALUES.items():
        for n in names:
            sim.record(f"{s}.{n}")
    assert {"hh.gna", "hh.gk", "nm_bpvalues.g", "nm_bpvalues.drive"} <= set(sim.signals())
    ours = sim.run(30.0)

    neuron_with_mods()
    h = neuron_loaded([OWN / "nm_bpvalues.mod", OWN / "nm_initonly.mod"], "nrnmech-bpvalues",
                      "the BREAKPOINT values test files")
    h.usetable_hh = 0
    sec = h.Section(name="bpvalues")
    sec.L = sec.diam = 10.0
    for s in VALUES:
        sec.insert(s)
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = 2.0, 20.0, 0.1
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v)}
    for s, names in VALUES.items():
        for n in names:
            vecs[f"{s}.{n}"] = h.Vector().record(getattr(getattr(sec(0.5), s), f"_ref_{n}"))
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(30.0)
    theirs = {k: np.array(x) for k, x in vecs.items()}
    del stim, sec

    assert len(spike_times(theirs["v"])) >= 2
    for k, ref in theirs.items():
        assert worst(ours[k], ref) <= 1e-6, k
    assert np.ptp(theirs["nm_bpvalues.drive"]) > 50.0  # V moves it through the spikes
    # nm_initonly's frac: INITIAL's value (from V init), kept for the whole run, as NEURON keeps it
    assert np.ptp(theirs["nm_initonly.frac"]) == 0.0 and theirs["nm_initonly.frac"][0] == pytest.approx(0.2 - 0.065)
