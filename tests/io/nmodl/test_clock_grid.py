"""NEURON's clock to the last bit: ``t`` grows by two sums of dt/2 a step (io/nmodl/clock.py).

A file comparing ``t`` with a time on the dt grid (``if (t < 2.5)``: Popovic et al. 2005's
EPSPClamp.mod, a 200-level ladder of such tests) takes each branch at NEURON's step only if ``t``
is rounded as NEURON rounds it: one sum of dt a step gives 2.499999999999995 after 100 steps of
0.025 ms where NEURON has 2.5000000000000018, and x turned one step late (1/7 of its range off,
V 2-3 % off). Before the fix XLA folded our two half sums into one.

Reference: NEURON 9.0.2 compiling the same files, side by side through ``compare_mods``: x (levels
0..7) must equal NEURON's exactly at every step (a step late is 1/7 off), V within the suite's
1e-6 of its scale. tests/reference/mod/nm_tgrid.mod, a density mechanism (BREAKPOINT, SOLVE'd
PROCEDURE), and tests/io/nmodl/mod_events/pp_tgrid.mod, a point process on the event path (its
deliveries add the first half step, its SOLVE the second).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.io.nmodl.neuron_side import OWN

pytestmark = pytest.mark.neuron

FILES = [OWN / "nm_tgrid.mod", Path(__file__).parent / "mod_events" / "pp_tgrid.mod"]


def test_time_tests_on_the_grid_flip_at_neurons_step():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods(FILES, dt=0.025)
    assert result.agrees, result.report()
    rows = {(r.case, r.trace): r.difference for r in result.rows}
    levels = {k: d for k, d in rows.items() if k[1] in ("tgrid.x", "TGrid.x")}
    assert {k[1] for k in levels} == {"tgrid.x", "TGrid.x"}, sorted(rows)
    assert all(d == 0.0 for d in levels.values()), levels  # integers: any late step is 1/7 off


def test_the_carried_clock_is_neurons_sum_of_half_steps():
    """The SOLVE's ``t`` at step n is NEURON's t_n + dt (engine.drive._clock: 2n sums of dt/2 in
    order, as fadvance adds them), bit for bit, over 160 steps that cross 1.0, 2.5 and 3.5 ms."""
    from excitable.engine.drive import _clock
    from excitable.io.nmodl import load_mod
    from tests.io.nmodl.neuron_side import leaky_compartment, mod_file

    _, sim = leaky_compartment([load_mod(FILES[0])()], load_mod(mod_file("passive")), celsius=6.3,
                               v_init=-65.0)
    sim.record("tgrid.x")
    out = sim.run(4.0)
    t = _clock(0.025, 160)
    expected = np.searchsorted([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5], t[1:], side="right")  # t < a: the level below
    assert np.array_equal(np.asarray(out["tgrid.x"])[1:161], expected)
    assert t[40] < 1.0 and t[100] > 2.5  # NEURON's sums miss these grid times: 0.99999..84, 2.50000..18
