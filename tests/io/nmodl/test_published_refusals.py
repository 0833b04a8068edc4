"""Constructs of published .mod files that excitable used to refuse wrongly (a third sweep of
ModelDB models), each in a test file of our own beside NEURON 9 running the same file:

- a POINTER in a point process that reads ``t`` but takes no events (ModelDB 114047 gap.mod,
  3343 gabab.mod): mod_events/pt_gapramp.mod;
- STATEs BREAKPOINT sums from other sums it set just before (105385 na6_gp.mod's
  ``ist = isot + isit + isbt``): reference/mod/nm_bpchain.mod;
- a PARAMETER assigned and then read inside one if-branch of BREAKPOINT (105385 iramp.mod's
  ``t_eff``): mod_events/pp_branchparam.mod;
- printf (113997 ipulse3.mod, 83319 if3.mod): reference/mod/nm_printf.mod.

Set-up as docs/design.md "Matching NEURON": hh with exact rates (usetable_hh = 0), dt 0.025 ms,
secondorder 0, 6.3 °C, finitialize(-65). Tolerance: every trace within 1e-6 of its range at every
step (issue 18): float64 on both sides running the same statements, so what is left is round-off
(measured per test below); spike times (0 mV upward crossings, interpolated the same way on both
sides) within 0.05 ms (issue 18).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import crossing_times
from excitable.io.nmodl import load_mod
from excitable.model.network import Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

DT = 0.025
TOL = 1e-6
SPIKE_TOL_MS = 0.05
EVENTS = Path(__file__).parent / "mod_events"
OWN = Path(__file__).parents[2] / "reference" / "mod"
GAPRAMP = EVENTS / "pt_gapramp.mod"
BPCHAIN = OWN / "nm_bpchain.mod"
BRANCHPARAM = EVENTS / "pp_branchparam.mod"
PRINTF = OWN / "nm_printf.mod"
FILES = [GAPRAMP, BPCHAIN, BRANCHPARAM, PRINTF]


def neuron():
    """NEURON's h with every test file of this module loaded (one library for the module)."""
    return neuron_loaded(FILES, "published-refusals", "the published-refusal test files")


@cache
def mods():
    return load_mod([*FILES, share() / "modfile" / "hh.mod"])


def relative(ours, ref) -> float:
    return float(np.max(np.abs(np.asarray(ours) - np.asarray(ref))) / np.ptp(ref))


def spikes(v):
    return crossing_times(np.arange(len(v)) * DT, v, 0.0)


# 1. A POINTER in a point process reading t (no events): the gap half of gap.mod, ramped.

def ramp_pair():
    """NEURON's and our two hh cells joined by pt_gapramp halves (test_pointer's pair, the file's
    own r): V of both and the second half's vf."""
    from tests.io.nmodl.test_pointer import neuron_pair, pair

    def couple(net, a, b):
        halves = [mods().pt_gapramp(), mods().pt_gapramp()]
        for k, (cell, other) in enumerate(((a, b), (b, a))):
            cell.place(halves[k], cell.soma)
            net.pointer(halves[k], "vgap", Site(1 - k, other.soma))
    return (neuron_pair(neuron(), "pt_gapramp", None, ("vf",)),
            pair(mods(), couple, ("pt_gapramp[1].vf",)))


def test_pointer_in_a_point_process_reading_t_matches_neuron():
    """V of both cells and the second half's vf (its SOLVE reads the partner's V after the update)
    within 1e-6 of their ranges at every step (measured 1.7e-13, 2.3e-13, 6.7e-14); the second
    cell fires through the ramped junction, its spikes at NEURON's times."""
    ref, ours = ramp_pair()
    assert ours.shape == ref.shape
    diffs = [relative(ours[k], ref[k]) for k in range(3)]
    assert max(diffs) < TOL, diffs
    s_ref, s_ours = spikes(ref[1]), spikes(ours[1])
    assert len(s_ref) >= 1  # the coupling is in play: the second cell fires through it
    assert len(s_ours) == len(s_ref) and np.max(np.abs(s_ours - s_ref)) < SPIKE_TOL_MS


# 2. and 3. One compartment with hh and the test mechanism, a current step or the file's own ramp.

def one_compartment_neuron(insert, record, tstop, amp_na=0.0):
    """NEURON's traces (V first, then ``record``'s: names of the section's mechanism variables)
    of a 20 x 20 µm hh compartment; ``insert(h, sec)`` adds the test mechanism (and keeps it)."""
    h = neuron()
    sec = h.Section(name="published")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    kept = insert(h, sec)
    h.usetable_hh = 0
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = 5.0, 20.0, amp_na
    rec = [h.Vector().record(sec(0.5)._ref_v)] + [h.Vector().record(getattr(sec(0.5), f"_ref_{r}")) for r in record]
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = np.array([np.array(r) for r in rec])
    del stim, sec, kept
    return out


def one_compartment_ours(insert, record, tstop, amp_na=0.0):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods().hh())
    insert(cell)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0)
    if amp_na:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp_na, delay=5.0, duration=20.0))
    sim.record("v", label="v")
    for r in record:
        sim.record(r, label=r)
    res = sim.run(tstop)
    return np.array([np.asarray(res[k]).ravel() for k in ("v", *record)])


CHAIN_STATES = ("a", "s1", "s2", "s3")


def test_breakpoint_sums_of_sums_match_neuron():
    """nm_bpchain (na6_gp.mod's form): V and the STATEs BREAKPOINT sums (s1, then s2 from s1, s3
    from either by an if/else on s1) within 1e-6 of their ranges at every step, the branch taken
    both ways in the run (measured 1.2e-13 to 1.8e-13), spike times within 0.05 ms."""
    def theirs(h, sec):
        sec.insert("nm_bpchain")
    ref = one_compartment_neuron(theirs, [f"{x}_nm_bpchain" for x in CHAIN_STATES], 40.0, amp_na=0.25)
    ours = one_compartment_ours(lambda cell: cell.insert(mods().nm_bpchain()),
                                [f"nm_bpchain.{x}" for x in CHAIN_STATES], 40.0, amp_na=0.25)
    assert ours.shape == ref.shape
    diffs = [relative(ours[k], ref[k]) for k in range(len(ref))]
    assert max(diffs) < TOL, diffs
    assert np.min(ref[2]) < 1.0 < np.max(ref[2])  # s1 crosses 1: both branches of the if/else run
    s_ref, s_ours = spikes(ref[0]), spikes(ours[0])
    assert len(s_ref) >= 1 and len(s_ours) == len(s_ref) and np.max(np.abs(s_ours - s_ref)) < SPIKE_TOL_MS


def test_a_parameter_assigned_then_read_in_one_branch_matches_neuron():
    """pp_branchparam (iramp.mod's form): its own ramp drives the hh compartment; V within 1e-6 of
    its range at every step (measured 3.4e-13), spike times within 0.05 ms."""
    def theirs(h, sec):
        return h.pp_branchparam(sec(0.5))
    ref = one_compartment_neuron(theirs, [], 40.0)
    ours = one_compartment_ours(lambda cell: cell.place(mods().pp_branchparam(), cell.soma), [], 40.0)
    assert ours.shape == ref.shape
    assert relative(ours[0], ref[0]) < TOL, relative(ours[0], ref[0])
    s_ref, s_ours = spikes(ref[0]), spikes(ours[0])
    assert len(s_ref) >= 2 and len(s_ours) == len(s_ref) and np.max(np.abs(s_ours - s_ref)) < SPIKE_TOL_MS


def test_printf_runs_as_nothing_beside_neuron(capfd):
    """nm_printf: NEURON prints (INITIAL's line, and the branch's during spikes: checked, so the
    printf statements did run there), excitable prints nothing and runs the rest; V and m within
    1e-6 of their ranges at every step (measured 1.4e-13, 5.9e-14), spike times within 0.05 ms."""
    def theirs(h, sec):
        sec.insert("nm_printf")
    ref = one_compartment_neuron(theirs, ["m_nm_printf"], 40.0, amp_na=0.25)
    printed = capfd.readouterr().out
    assert "nm_printf: m starts at" in printed and "nm_printf: m = " in printed
    ours = one_compartment_ours(lambda cell: cell.insert(mods().nm_printf()), ["nm_printf.m"], 40.0, amp_na=0.25)
    assert "nm_printf" not in capfd.readouterr().out
    diffs = [relative(ours[k], ref[k]) for k in range(2)]
    assert max(diffs) < TOL, diffs
    s_ref, s_ours = spikes(ref[0]), spikes(ours[0])
    assert len(s_ref) >= 1 and len(s_ours) == len(s_ref) and np.max(np.abs(s_ours - s_ref)) < SPIKE_TOL_MS


def test_mod_check_says_printf_is_not_printed():
    from excitable.io.nmodl.check import check_file

    lines, bad = check_file(PRINTF)
    assert bad == 0
    assert any(line.startswith("  printf: not printed (lines 19, 24: NEURON's terminal output only") for line in lines)


# What stays refused, each with its line: the forms one run of excitable cannot give.

def _variant(tmp_path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new))
    return path


def _refusal(path: Path) -> str:
    from excitable.errors import ModelError

    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert "\n" not in str(err.value)
    return str(err.value)


def _line(path: Path, text: str) -> int:
    """The last line holding ``text`` (BREAKPOINT's, after INITIAL's)."""
    return 1 + max(k for k, line in enumerate(path.read_text().splitlines()) if text in line)


def test_a_sum_read_before_breakpoint_sets_it_runs_twice_a_step(tmp_path):
    """s2 from s1 before s1 is set: a second run reads the first run's s1, not the step's, so
    BREAKPOINT runs twice a step as NEURON's nrn_cur runs it (double_run.py; refused before)."""
    from excitable.io.nmodl.describe import rewritten_states

    path = _variant(tmp_path, BPCHAIN, "    s1 = a + 2*b\n    s2 = s1*c + a\n    if (s1 > 1) {\n",
                    "    s2 = s1*c + a\n    s1 = a + 2*b\n    if (s1 > 1) {\n")
    cls = load_mod(path)
    assert "s2" in rewritten_states(cls.description) and "s2" in cls.states


def test_a_parameter_read_in_a_branch_that_does_not_assign_it_is_still_refused(tmp_path):
    """teff read in the else-branch, where this run has not set it: NEURON reads the last step's."""
    path = _variant(tmp_path, BRANCHPARAM, "        i = 0\n", "        i = amp0*teff\n")
    assert _refusal(path).startswith(f"{path}:{_line(path, 'i = amp0*teff')}: PARAMETER teff read in BREAKPOINT "
                                     "before it is assigned there")


@pytest.mark.parametrize("call, what", [
    ("bump()", "printf() calling PROCEDURE bump"),
    ("count(v)", "printf() calling FUNCTION count, which assigns e"),
])
def test_printf_whose_arguments_assign_is_refused(tmp_path, call, what):
    """A printf that is not only output: the call in its arguments would run in NEURON only."""
    path = _variant(tmp_path, PRINTF, "m, v)\n", f"m, {call})\n")
    path.write_text(path.read_text() + "PROCEDURE bump() { e = e + 1 }\nFUNCTION count(x) { e = e + 1  count = x }\n")
    assert _refusal(path).startswith(f"{path}:{_line(path, 'nm_printf: m = ')}: {what}")


def test_printf_inside_an_expression_is_refused(tmp_path):
    """printf's count used as a value: not output only."""
    path = _variant(tmp_path, PRINTF, "    m = minf(v)\n", "    m = minf(v) + 0*printf(\"m\")\n")
    assert _refusal(path).startswith(f"{path}:{_line(path, '0*printf')}: printf() inside an expression not supported")


#: BREAKPOINT (beside a current and a SOLVE of x) -> run twice a step (True: a second run changes x,
#: refused before; double_run.py) or once (False): x must read, of what BREAKPOINT assigns, only
#: values this run set before from such values (flow.state_sites).
#: A LOCAL is such a name; a FUNCTION's reads count at its call.
STATE_FLOWS = {
    "q = x\n x = q*0.99": True,                 # its own previous value, through a LOCAL
    "x = f()": True,                            # ... through a FUNCTION
    "x = y\n y = a*2": True,                    # a value set later in the run (the previous run's)
    "FROM k = 0 TO 1 { y = a }\n x = y": True,  # set in a loop only
    "q = a\n x = q*2": False,                   # a LOCAL set before, from a PARAMETER
    "y = a*2\n x = g(y)": False,                # a FUNCTION of a value set before
}


@pytest.mark.parametrize("body", sorted(STATE_FLOWS))
def test_which_state_writes_a_second_run_would_change(tmp_path, body):
    from excitable.io.nmodl.describe import rewritten_states

    path = tmp_path / "flows.mod"
    path.write_text("NEURON { SUFFIX flows NONSPECIFIC_CURRENT i }\nPARAMETER { a = 1 }\nASSIGNED { i y }\n"
                    "LOCAL k\nSTATE { x }\nBREAKPOINT {\n LOCAL q\n SOLVE s METHOD cnexp\n " + body + "\n i = 0\n}\n"
                    "DERIVATIVE s { x' = -x }\nFUNCTION f() { f = x*0.99 }\nFUNCTION g(z) { g = z*2 }\n")
    cls = load_mod(path)  # refused before where a second run changes x; NEURON's two runs now (double_run.py)
    assert cls.description.solves == (("s", "cnexp"),)
    assert ("x" in rewritten_states(cls.description)) == STATE_FLOWS[body]


#: BREAKPOINT of a point process -> the line (text) of the read refused, or None: a PARAMETER p read
#: where this run may not have set it yet (flow.unset_reads).
PARAMETER_FLOWS = {
    "if (t > 1) { p = t }\n i = p": "i = p",                       # set on one path only
    "if (p > 1) { p = t } else { p = 0 }\n i = p": "if (p > 1)",   # read by the condition first
    "if (t > 1) { p = t } else { p = 0 }\n i = p": None,           # set on every path
    "if (t > 1) { p = t  i = p } else { i = 0 }": None,            # read in the branch that set it
    "p = p + t\n i = p": "p = p + t",                              # its own previous value
}


@pytest.mark.parametrize("body", sorted(PARAMETER_FLOWS))
def test_which_parameter_reads_see_the_previous_step(tmp_path, body):
    path = tmp_path / "pflows.mod"
    path.write_text("NEURON { POINT_PROCESS pflows NONSPECIFIC_CURRENT i }\nPARAMETER { p = 1 }\n"
                    "ASSIGNED { i (nA) }\nBREAKPOINT {\n " + body + "\n}\n")
    if PARAMETER_FLOWS[body] is None:
        load_mod(path)
        return
    line = _line(path, PARAMETER_FLOWS[body])
    assert _refusal(path).startswith(f"{path}:{line}: PARAMETER p read in BREAKPOINT before it is assigned there")


def test_a_derivative_block_called_from_breakpoint_is_refused_saying_why(tmp_path):
    """cnmodel's adex.mod calls its DERIVATIVE block ``states()`` from BREAKPOINT besides SOLVE'ing
    it (nocmodl: one more integration step in nrn_cur); the refusal said only "states() (states())"."""
    path = tmp_path / "dcall.mod"
    path.write_text("NEURON { SUFFIX dcall NONSPECIFIC_CURRENT i }\nPARAMETER { g = 0.001 (S/cm2) }\n"
                    "ASSIGNED { v (mV) i (mA/cm2) }\nSTATE { w }\nBREAKPOINT {\n SOLVE states METHOD cnexp\n"
                    " if (w < 0.5) { states() }\n i = g*w*(v + 65)\n}\nDERIVATIVE states { w' = (1 - w)/10 }\n")
    assert _refusal(path) == (f"{path}:{_line(path, 'states()')}: a call of states(), not a FUNCTION, PROCEDURE or "
                              "built-in function (a DERIVATIVE, KINETIC, LINEAR or NONLINEAR block runs by SOLVE only) "
                              "(states()) not supported")
