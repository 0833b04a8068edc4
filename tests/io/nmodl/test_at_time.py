"""``at_time(t1)`` as a statement (NEURON's older examples: nacur.mod, the wheel's svclmp.mod) runs
as NEURON's fixed step runs it: the call only computes a value (1 in the step whose time reaches
t1), which a statement drops, so it changes nothing; it was refused. Its value (``x = at_time(1)``)
is refused with its line (test_refusals.py).

tests/reference/mod/nm_attime.mod (a current from t = 2 to 7 ms, switched by ``t`` in BREAKPOINT,
with three at_time statements, two on one line and one inside an if, and a parameter named
``del``, the field ``delay``) with hh beside NEURON compiling the same file: V
and hh's states within 1e-6 of each trace's largest magnitude at every step (issue 18; float64 on
both sides, the same expressions: round-off only), the same spikes within 0.05 ms; the current
fires the cell, so a current switched at the wrong step would move V by far more.
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN, leaky_compartment, mod_file, neuron_run, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron


def test_at_time_statements_run_as_neurons_fixed_step():
    stems = ("hh", "nm_attime")
    classes = {s: load_mod(mod_file(s)) for s in stems}
    _, sim = leaky_compartment([c() for c in classes.values()], load_mod(mod_file("passive")), celsius=6.3,
                               v_init=-65.0)
    for st in ("m", "h", "n"):
        sim.record(f"hh.{st}")
    ours = sim.run(12.0)
    neuron_with_mods()
    h = neuron_loaded([OWN / "nm_attime.mod"], "nrnmech-at-time", "the at_time test file")
    h.usetable_hh = 0
    theirs = neuron_run(["hh", "nm_attime"], celsius=6.3, tstop=12.0, v_init=-65.0, extra_pas=True,
                        record=[(f"hh.{st}", ("hh", st)) for st in ("m", "h", "n")])
    for k in ("v", "hh.m", "hh.h", "hh.n"):
        assert worst(ours[k], theirs[k]) <= 1e-6, k
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    assert len(ref) >= 1 and len(mine) == len(ref) and np.max(np.abs(mine - ref)) <= 0.05
    assert ref[0] > 2.0  # fired by the current that starts at del = 2 ms
    assert classes["nm_attime"]().delay == 2.0  # the file's del, under its Python name


@pytest.mark.parametrize("line, value", [
    ("    at_time (del + (j*(conv/freq)))", False),  # Miocinovic et al. 2006's train.mod: a statement
    ("if (dur1) {at_time(dur1)}", False),
    ("{ at_time(f(g(h(1)))) }", False),
    ("at_time(del)  at_time(del + (dur))", False),
    ("x = at_time((del))", True),  # its value, with parentheses too: refused
    ("if (at_time(x)) { y = 1 }", True),
])
def test_at_time_is_a_statement_whatever_parentheses_its_argument_holds(line, value):
    """A statement's argument with parentheses was taken for a use of at_time's value (a false reason
    in mod check's report and mod compare's one line)."""
    from excitable.io.nmodl.event_checks import at_time_value

    assert at_time_value(line) is value
