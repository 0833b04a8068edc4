"""A point process's RANGE ASSIGNED values BREAKPOINT computes are recordable, as in NEURON
(``sim.record("pp_gmg[0].g")``): an NMDA-style synapse's g = A*B, V-dependent through its Mg2+
block B, could not be recorded ("has no state, current or conductance 'g'"): only V-free
conductances in µS were. Both point paths: pp_gmg.mod (jumps only) and pp_gmgev.mod (the event
path: a self-event). NEURON 9.0.2 compiles the same files; an hh compartment, 4 events of 5 nS.

Tolerance: 1e-9 of each trace's range. Both sides compute g and B by the same closed forms from
the same V and A (V agrees to ~1e-13 of its range in the suite's other point tests), at nrn_cur's
V, the step's start; a value taken one step off would be 1e-2 of the range or more."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import hh_events_neuron, hh_events_ours, mod_file
from tests.reference.nrnmech import neuron_loaded

FILES = [Path(__file__).parent / "mod_events" / f"{n}.mod" for n in ("pp_gmg", "pp_gmgev")]
TIMES = (2.0, 5.0, 5.5, 12.0)
SIGNALS = ("g", "B", "A")


@pytest.mark.neuron
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_voltage_dependent_assigned_value_is_recorded_as_neurons(path):
    h = neuron_loaded(FILES, "nrnmech-recordables", "the recordable-value test files")
    kw = dict(times=TIMES, weight=0.005, iclamp=(8.0, 2.0, 0.3), signals=SIGNALS, tstop=25.0)
    ref = hh_events_neuron(h, path.stem, **kw)
    cls = load_mod(path)
    assert set(cls.recordable) == {"g", "B"}
    ours = hh_events_ours(load_mod(mod_file("hh")), cls(), **kw)
    assert np.ptp(ref["g"]) > 1e-3 and np.ptp(ref["B"]) > 0.5  # NEURON's: the block lifts during the spike
    for k in ("v", *SIGNALS):
        assert np.max(np.abs(ours[k] - ref[k])) <= 1e-9 * np.ptp(ref[k]), k
