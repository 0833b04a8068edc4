"""ASSIGNED array elements kept from block to block as NEURON keeps them (io/nmodl/array_memory.py).

Before, an element set in one block and read in another at a fixed index ran on 0 in the density
and plain point paths (the kept names were compared by the array's name, "w", with the elements',
"w[0]"): mod_events/am_stat.mod's current was 1.0 of its range off and V 3.9 mV. Files, each a
shape of that: am_stat.mod (set in INITIAL; read in BREAKPOINT, in a FUNCTION it calls at an index
known only in the run, and in the DERIVATIVE), am_glob.mod (the same, GLOBAL: every instance's
INITIAL writes the same numbers), am_count.mod (a SOLVE'd PROCEDURE's counter element and a
BREAKPOINT filter element, each from its own last value), am_feed.mod (set in BREAKPOINT, read by
the DERIVATIVE), am_peak.mod (a BREAKPOINT without currents, which NEURON runs in nrn_state, keeping
a peak and a count), am_pt.mod (a point process without events), am_ptpeak.mod and am_evpeak.mod
(am_peak's BREAKPOINT in point processes, the second's NET_RECEIVE reading it), am_ev.mod (a
synapse whose NET_RECEIVE reads what INITIAL and BREAKPOINT set), am_art.mod (an artificial cell,
which kept them already).

Reference: NEURON 9.0.2 compiling the same files, side by side by ``compare_mods`` (``mod compare``'s
voltage and current clamps; a spike train for the point processes). Tolerance: every trace within
1e-9 of its range: float64 on both sides running the same expressions in the same order but for the
compilers' (measured 2.3e-11 at most, am_feed.mod's w[0]); an element read as 0 instead of kept
moves a current by 0.3 of its range or more. The recorded elements named below are exact (0.0):
copies, counts and sums of a few numbers NEURON's C computes in the same order. The out-of-range
count: test_runtime_index.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod

HERE = Path(__file__).parent / "mod_events"
DENSITY = [HERE / f"am_{n}.mod" for n in ("stat", "glob", "count", "feed", "peak")]
POINTS = [HERE / f"am_{n}.mod" for n in ("pt", "ev", "art", "ptpeak", "evpeak")]
RTOL = 1e-9


def test_the_elements_are_states_of_every_class():
    """Each file's array is carried element by element (recordable); the out-of-range count too."""
    for path, base in zip(DENSITY + POINTS, ["w", "w", "c", "w", "m", "w", "p", "w", "m", "m"]):
        states = load_mod(path).states
        assert {f"{base}[0]", f"{base}[1]", "index_out_of_range"} <= set(states), (path.name, states)


@pytest.mark.neuron
def test_density_mechanisms_read_what_an_earlier_block_left_as_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods(DENSITY, tolerance=RTOL)
    assert result.agrees and not result.notes, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    elements = ({f"am_stat.w[{k}]" for k in range(4)} | {"am_count.c[0]", "am_count.c[1]", "am_count.b[1]"}
                | {"am_peak.m[1]"})
    assert elements | {"am_stat.i", "am_glob.i", "am_count.i", "am_feed.i", "am_feed.x", "am_peak.m[0]"} <= set(rows)
    assert all(rows[e] == 0.0 for e in elements), {e: rows[e] for e in elements}
    assert max(rows.values()) < RTOL


@pytest.mark.neuron
def test_point_processes_and_events_read_what_an_earlier_block_left_as_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods(POINTS, tolerance=RTOL, spikes="2,6,9", weight=0.004)
    assert result.agrees, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    elements = {"am_pt.w[2]", "am_ev.w[1]", "am_art.w[2]", "am_ptpeak.m[1]", "am_evpeak.m[1]"}
    assert elements | {"am_pt.i", "am_ev.g", "am_ev.p[0]", "am_art.n", "am_ptpeak.m[0]", "am_evpeak.m[0]",
                       "am_evpeak.n"} <= set(rows), sorted(rows)
    assert all(rows[e] == 0.0 for e in elements)
    assert max(rows.values()) < RTOL
    # the events matter: each synapse's cell fires (am_evpeak's NET_RECEIVE moves only its n)
    assert all(len(theirs) >= 1 for name, _, theirs in result.spike_sets if "evpeak" not in name), result.spike_sets


def test_a_global_array_a_later_block_rewrites_from_its_last_value_is_refused(tmp_path):
    """GLOBAL w[0] = w[0] + 1 in a SOLVE'd PROCEDURE: NEURON's one array counts every instance's
    steps, which no per-instance copy is; it ran on 0 + 1 at every step before, now refused with the
    line and NEURON's fix (RANGE w runs: am_count.mod's c[])."""
    path = tmp_path / "am_gsolve.mod"
    path.write_text("NEURON { SUFFIX am_gsolve NONSPECIFIC_CURRENT i RANGE g, e GLOBAL w }\n"
                    "PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }\nASSIGNED { v (mV) i (mA/cm2) w[2] x }\n"
                    "INITIAL {\n  w[0] = 0\n  x = 0\n}\nBREAKPOINT {\n  SOLVE tick\n  i = g*(1 + x)*(v - e)\n}\n"
                    "PROCEDURE tick() {\n  w[0] = w[0] + 1\n  x = w[0]/100\n}\n")
    with pytest.raises(ModelError, match=rf"^{path}:13: GLOBAL array w used before this block run sets every "
                                         r"element it may use, .*declare it RANGE\) not supported$"):
        load_mod(path)
    path.write_text(path.read_text().replace("GLOBAL w", "RANGE w"))
    assert {"w[0]", "w[1]"} <= set(load_mod(path).states)
