"""Variables BREAKPOINT sets that the SOLVE'd blocks read (io/nmodl/breakpoint_feeds.py): NEURON's
nrn_state sees the value nrn_cur left, computed at the step's old V, old states and old ion values,
which ``advance`` recomputes from the step's start (the engine's V and ions, or the V it kept).
Both sides of the line:

- run, side by side with NEURON: tests/reference/mod/nm_feedrate.mod (ours; the forms of ModelDB
  267599 kcasimple.mod and 266797 NapIn.mod): oinf from cai and minf/mtau from v (rates(v)), which
  the DERIVATIVE block sets itself before reading them (BREAKPOINT's value never reaches nrn_state),
  and a temperature factor free of both; beside hh, the wheel's cachan1.mod and our nm_cadecay pool
  (cai moves every step) under a current clamp that fires (V moves every step). The values the
  SOLVE reads before it sets them (ModelDB 84589 kahp.mod, 115356 NaIn.mod, 267140 ican.mod) run
  too: tests/io/nmodl/test_breakpoint_feeds.py compares them with NEURON;
- refused with their line: such a value BREAKPOINT sets from v or cai after a read of it or not on
  every path (an if without else, a TABLE not listing it: NEURON's is what an earlier run left),
  a GLOBAL one (NEURON's is the last instance's); a point process's: test_point_feeds.py.

Tolerance: every trace within 1e-6 of its largest magnitude at every step (issue 18), as in
test_pools: both sides are float64 and evaluate the same expressions, so only the order of operations
differs (1e-12..1e-9 expected; measured 1.2e-13). Spike times within 0.05 ms (issue 18).
"""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, class_loader, leaky_compartment, neuron_run, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
FEED = "nm_feedrate"
cls = class_loader()


def test_rates_set_in_solve_or_free_of_v_match_neuron():
    stems = ("hh", "cachan1", "nm_cadecay", FEED)
    args = {"celsius": 6.3, "v_init": -65.0, "iclamp": (2.0, 30.0, 0.1)}
    _, sim = leaky_compartment([cls(s)() for s in stems], cls("passive"), **args)
    record = [("cai", "cai")]  # the pool's state is the ion's cai in NEURON
    for s in stems:
        for st in cls(s).description.states:
            sim.record(f"{cls(s).__name__}.{st}")
            if st != "cai":
                record.append((f"{cls(s).__name__}.{st}", (cls(s).__name__, st)))
    ours = sim.run(35.0)
    h = neuron_with_mods()
    neuron_loaded([OWN / f"{FEED}.mod"], "nrnmech-solve-feeds", "nm_feedrate.mod")
    h.usetable_hh = 0
    theirs = neuron_run([cls(s).__name__ for s in stems], tstop=35.0, record=record, extra_pas=True, **args)
    diffs = {"v": worst(ours["v"], theirs["v"]), "cai": worst(ours["nm_cadecay.cai"], theirs["cai"])}
    diffs.update({name: worst(ours[name], theirs[name]) for name, _ in record[1:]})
    assert len(spike_times(theirs["v"])) >= 2 and theirs["cai"].max() > 2 * theirs["cai"][0]
    assert max(diffs.values()) < RTOL, diffs
    assert spike_times(ours["v"]) == pytest.approx(spike_times(theirs["v"]), abs=0.05)


HEAD = """NEURON { SUFFIX feed NONSPECIFIC_CURRENT i USEION ca READ cai }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) cai (mM) minf mtau (ms) x }
STATE { m }
"""
RATES = ("PROCEDURE rates(v (mV)) {\n minf = 1/(1 + exp(-v/8))\n mtau = 2\n}\n"
         "PROCEDURE tabled(v (mV)) {\n TABLE minf, mtau FROM -100 TO 100 WITH 200\n rates(v)\n}\n"
         "PROCEDURE tabled1(v (mV)) {\n TABLE minf FROM -100 TO 100 WITH 200\n rates(v)\n}\n")
#: case -> (BREAKPOINT after its SOLVE, DERIVATIVE's body, the start of the refusal or None where it runs)
CASES = {
    "read_only_in_solve": ("rates(v)", "m' = (minf - m)/mtau", None),  # kahp.mod, NaIn.mod
    "set_after_read": ("rates(v)", "m' = (minf - m)/mtau\n rates(v)", None),
    "set_in_if": ("rates(v)", "if (m > 0.5) { rates(v) }\n m' = (minf - m)/mtau", None),
    "set_in_if_else": ("rates(v)", "if (m > 0.5) { rates(v) } else { minf = 0\n mtau = 1 }\n m' = (minf - m)/mtau", None),
    "read_in_else": ("rates(v)", "if (m > 0.5) { rates(v) } else { mtau = minf }\n m' = (minf - m)/mtau", None),
    "if_on_it": ("rates(v)", "if (minf > 0.5) { rates(v) } else { rates(v) }\n m' = (minf - m)/mtau", None),
    "through_local": ("x = v*2\n minf = x/100\n mtau = 2", "m' = (minf - m)/mtau", None),
    "partly_set": ("rates(v)", "mtau = 2\n m' = (minf - m)/mtau", None),
    "set_first": ("rates(v)", "rates(v)\n m' = (minf - m)/mtau", None),  # NapIn.mod
    "table_lists_both": ("tabled(v)", "tabled(v)\n m' = (minf - m)/mtau", None),
    # a TABLE not listing mtau: NEURON's lookup (usetable 1) skips the body that sets it, in both blocks
    # (mtau = 2 in the body: no seed, so no "from v")
    "table_lists_one": ("tabled1(v)", "tabled1(v)\n m' = (minf - m)/mtau",
                        "BREAKPOINT setting mtau for the SOLVE'd block after a read of it or not on every path"),
    "free_of_v": ("minf = 0.3\n mtau = 2*g", "m' = (minf - m)/mtau", None),  # a temperature factor
    "from_cai": ("minf = cai/(cai + 1e-4)\n mtau = 2", "m' = (minf - m)/mtau", None),  # kcasimple.mod's oinf, not set in DERIVATIVE
    "cai_set_first": ("minf = cai/(cai + 1e-4)", "minf = cai/(cai + 1e-4)\n m' = (minf - m)/mtau", None),  # kcasimple.mod
    "set_first_directly": ("minf = v/100", "minf = 0.2\n m' = (minf - m)/mtau\n mtau = 3", None),
    # BREAKPOINT's own value unset on a path, or read before it is set: NEURON keeps an earlier run's
    "bp_if_without_else": ("if (v > 0) { minf = 1 }\n mtau = 2", "m' = (minf - m)/mtau",
                           "BREAKPOINT setting minf from v for the SOLVE'd block after a read of it or not on every path"),
    "bp_reads_itself": ("minf = minf/2 + cai\n mtau = 2", "m' = (minf - m)/mtau",
                        "BREAKPOINT setting minf from cai for the SOLVE'd block after a read of it or not on every path"),
}


def _write(path, head, case):
    after, derivative, _ = CASES[case]
    path.write_text(head + f"BREAKPOINT {{\n SOLVE d METHOD cnexp\n {after}\n i = g*m*(v + 65)\n}}\n"
                    + f"DERIVATIVE d {{\n {derivative}\n}}\n" + RATES)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_breakpoint_value_for_the_solve_runs_or_is_refused_with_its_line(case, tmp_path):
    path = _write(tmp_path / f"{case}.mod", HEAD, case)
    refused = CASES[case][2]
    if refused is None:
        assert load_mod(path).states[0] == "m"
        return
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:5: {refused} (NEURON's value is then what an earlier run"), str(err.value)


def test_a_global_value_from_v_for_the_solve_is_refused(tmp_path):
    """NEURON keeps one GLOBAL for all instances: nrn_state reads the last instance's nrn_cur value."""
    path = _write(tmp_path / "global.mod", HEAD.replace("READ cai }", "READ cai GLOBAL minf }"), "read_only_in_solve")
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value) == (f"{path}:5: GLOBAL minf set in BREAKPOINT from v for the SOLVE'd block (NEURON: one value "
                              f"for all instances, the last one's; declare it RANGE) not supported")


def test_a_value_for_the_solve_without_currents_is_refused(tmp_path):
    """No nrn_cur: NEURON runs such a BREAKPOINT after the SOLVE, which reads the previous step's value."""
    path = tmp_path / "nocurrent.mod"
    path.write_text(HEAD.replace("NONSPECIFIC_CURRENT i ", "") + "BREAKPOINT {\n SOLVE d METHOD cnexp\n rates(v)\n}\n"
                    + "DERIVATIVE d {\n m' = (minf - m)/mtau\n}\n" + RATES)
    with pytest.raises(ModelError) as err:
        load_mod(path)
    # rates' mtau = 2 comes from no seed (the INITIAL-less constant has the message after this one)
    assert str(err.value).startswith(f"{path}:5: BREAKPOINT setting minf from v for the SOLVE'd block of a "
                                     f"mechanism without currents")


def test_a_point_process_value_for_the_solve_runs(tmp_path):
    """A point process takes it at the step's start too (point.py; beside NEURON and its refusals:
    tests/io/nmodl/test_point_feeds.py); where the SOLVE sets them first it needs no start."""
    head = HEAD.replace("SUFFIX feed", "POINT_PROCESS feed").replace("(S/cm2)", "(uS)").replace("(mA/cm2)", "(nA)")
    assert load_mod(_write(tmp_path / "point.mod", head, "read_only_in_solve")).start_of_step
    assert not load_mod(_write(tmp_path / "point_set_first.mod", head, "set_first")).start_of_step
