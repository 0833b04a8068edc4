"""Values BREAKPOINT and the SOLVE'd blocks share through FUNCTIONs, and point processes whose only
current is an ELECTRODE_CURRENT (io/nmodl/breakpoint_feeds.py), side by side with NEURON 9.

- tests/reference/mod/nm_tcorr.mod, nm_tcorr2.mod: ModelDB 112685's Golgi_Na/KV.mod pattern (Solinas
  2007): every rate FUNCTION sets ``tcorr = Q10^((celsius - 20)/10)`` and reads it at once, called
  from BREAKPOINT after the SOLVE (``alpha_n = alp_n(v)``) and from the SOLVE'd block (in an
  expression; through a TABLE'd rate PROCEDURE, derivimplicit; one FUNCTION with its own LOCAL
  tcorr). Nothing carries over, so no value is fed (they were refused: "setting tcorr from v ...
  after a read of it"). nm_tcorr3.mod: the SOLVE reads tcorr before it sets it, BREAKPOINT sets it
  in alp_m(v): fed, from celsius only (not "from v": the V passed reaches only alp_m's value).
  All three with hh, the wheel's passive.mod (0.1 mS/cm2, -65 mV) in one 10 x 10 um compartment at
  16 degC (tcorr != 1), dt 0.025 ms, under a current clamp that fires (usetable_* = 0 in NEURON).
- pt_ecur2.mod: an ELECTRODE_CURRENT point process (inward positive, nA) whose BREAKPOINT sets
  ``target`` from v for the SOLVE'd PROCEDURE (it was refused as one "without currents"). nocmodl
  9.0.2 generates nrn_cur for an ELECTRODE_CURRENT: BREAKPOINT runs at the step's old V before
  nrn_state's SOLVE, as for any current. On a 20 x 20 um hh compartment (6.3 degC) it drives spikes.

Tolerance: every state and current within 1e-6 of its trace's range (max - min) at every step
(issue 18's 1e-6): both sides are float64 and evaluate the same expressions, only the order of
operations differs (1e-12..1e-9 expected; measured: the tcorr files 1.2e-12 (hh.m), nm_tcorr.i
1.1e-12, V 7.7e-13, the same 4 spikes; pt_ecur2 V 2.8e-13, x and i 2.4e-14, the same 2 spikes).
Density currents: NEURON's sample k+1 (nrn_cur of the step from t_k) against ours at sample k, as
in test_breakpoint_feeds; the point process's recorded i is x as the last SOLVE left it on both
sides, unshifted. Spike times within 0.05 ms (issue 18). That the point process's difference is
real: target read from the step's new V (recomputed at the top of the SOLVE'd PROCEDURE) is off
NEURON's by far more (measured 1.0e-2 of x's range), asserted above 1e-4.

Refused with their exact one-line messages (``REFUSED``): pt_ecur.mod (ModelDB 118631's
Isinunoisy.mod without random numbers: x set in BREAKPOINT only when tau <= 0), a point process
without currents, and tcorr left unset on a path, read first in alp_m, or set only in a LOCAL.
"""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import breakpoint_feeds, load_mod
from tests.io.nmodl.neuron_side import OWN, class_loader, hh_events_neuron, leaky_both
from tests.io.nmodl.test_neuron_side_by_side import spike_times
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
TCORR = ("nm_tcorr", "nm_tcorr2", "nm_tcorr3")
CELSIUS = 16.0
ICLAMP = (2.0, 20.0, 0.1)  # delay, duration (ms), amplitude (nA): about 32 uA/cm2 on 10 x 10 um, hh fires
cls = class_loader()


def tcorr_neuron():
    return neuron_loaded([OWN / f"{s}.mod" for s in TCORR], "nrnmech-tcorr", "the nm_tcorr*.mod files")


def test_tcorr_functions_feed_nothing_or_what_neuron_reads():
    """nm_tcorr and nm_tcorr2 feed nothing (no start-of-step V kept); nm_tcorr3 feeds tcorr and
    alpha_m, only alpha_m from v."""
    for stem in ("nm_tcorr", "nm_tcorr2"):
        assert breakpoint_feeds.unset_first(cls(stem).description) == ()
        assert breakpoint_feeds.V_CUR not in cls(stem).states
    desc = cls("nm_tcorr3").description
    assert breakpoint_feeds.unset_first(desc) == ("alpha_m", "tcorr")
    assert breakpoint_feeds.stale(desc) == ("alpha_m",)


def test_tcorr_functions_match_neuron():
    stems = ("hh", *TCORR)
    currents = [(f"{s}.i", (s, "i")) for s in TCORR]
    ours, theirs = leaky_both([cls(s) for s in stems] + [cls("passive")], tcorr_neuron, record=currents,
                              celsius=CELSIUS, tstop=25.0, v_init=-65.0, iclamp=ICLAMP)
    v = np.asarray(ours["v"]).ravel()
    diffs = {}
    for name, theirs_trace in theirs.items():
        stem, _, var = name.rpartition(".")
        if var == "i" and stem in TCORR:  # ours at sample k from its V and states: NEURON's k+1
            states = {x: np.asarray(ours[f"{stem}.{x}"]).ravel() for x in cls(stem).states if x != "celsius"}
            mine = np.asarray(cls(stem)().currents(v, {**states, "celsius": CELSIUS})["i"]) / 1000.0
            a, b = mine[:-1], theirs_trace[1:]  # uA/cm2 -> mA/cm2
        else:
            a, b = np.asarray(ours[name]).ravel(), theirs_trace
        diffs[name] = float(np.max(np.abs(a - b)) / np.ptp(b))
    assert len(spike_times(theirs["v"])) >= 2 and np.ptp(theirs["nm_tcorr.n"]) > 0.2  # V fires, the gates move
    assert max(diffs.values()) < RTOL, diffs
    assert spike_times(v) == pytest.approx(spike_times(theirs["v"]), abs=0.05)


PT_CELSIUS, PT_TSTOP = 6.3, 30.0
PT_SIGNALS = ("x", "target")


def ecur_neuron() -> dict[str, np.ndarray]:
    h = neuron_loaded([OWN / "pt_ecur2.mod"], "nrnmech-ecur", "pt_ecur2.mod")
    return hh_events_neuron(h, "pt_ecur2", signals=("i", *PT_SIGNALS), tstop=PT_TSTOP, celsius=PT_CELSIUS)


def ecur_ours(klass) -> dict[str, np.ndarray]:
    """hh_events_neuron's run here: ``klass`` (pt_ecur2.mod's class or a variant's) placed on the
    soma, its x, target and current i (the current at sample k from the V and states there)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(cls("hh")())
    cell.place(klass(), cell.soma)
    sim = ex.Simulation(cell, dt=0.025, temperature=PT_CELSIUS, v_init=-65.0)
    sim.record("v")
    for k in ("i", "x"):
        sim.record(f"pt_ecur2[0].{k}", label=k)
    res = sim.run(PT_TSTOP)
    return {k: np.asarray(res[k], dtype=float).ravel() for k in ("v", "i", "x")}


@pytest.fixture(scope="module")
def ecur_theirs():
    return ecur_neuron()


def ecur_off(ours, theirs) -> dict[str, float]:
    """max |ours - theirs| / the range of NEURON's trace, per trace (i unshifted: module docstring)."""
    return {k: float(np.max(np.abs(ours[k] - theirs[k])) / np.ptp(theirs[k])) for k in ("v", "x", "i")}


def test_electrode_current_point_process_matches_neuron(ecur_theirs):
    ours = ecur_ours(cls("pt_ecur2"))
    assert cls("pt_ecur2").electrode == ("i",) and cls("pt_ecur2").start_of_step  # target from the old V
    assert len(spike_times(ecur_theirs["v"])) >= 2 and np.ptp(ecur_theirs["x"]) > 0.1  # it drives spikes
    diffs = ecur_off(ours, ecur_theirs)
    assert max(diffs.values()) < RTOL, diffs
    assert spike_times(ours["v"]) == pytest.approx(spike_times(ecur_theirs["v"]), abs=0.05)


def test_target_from_the_new_v_would_differ(ecur_theirs, tmp_path):
    path = tmp_path / "pt_ecur2.mod"
    path.write_text((OWN / "pt_ecur2.mod").read_text().replace(
        "PROCEDURE oup() {", "PROCEDURE oup() {\n  target = amp + gv*(v + 65)"))
    moved = load_mod(path)
    assert breakpoint_feeds.V_CUR not in moved.states  # the SOLVE sets target itself now
    assert ecur_off(ecur_ours(moved), ecur_theirs)["x"] > 100 * RTOL


AFTER = ("after a read of it or not on every path (NEURON's value is then what an earlier run of BREAKPOINT, "
         "the SOLVE or INITIAL left) not supported")
#: case -> (file, [(old, new) text replacements], the refusal after "file:line: ")
REFUSED = {
    # (pt_ecur.mod, x set in BREAKPOINT only when tau <= 0, Isinunoisy's form, was refused here: it runs twice a
    # step as NEURON's nrn_cur runs it, beside NEURON in test_point_breakpoint_twice.py)
    # no current at all: no nrn_cur, NEURON runs BREAKPOINT after the SOLVE (the first step reads INITIAL's 0)
    "no_current": ("pt_ecur2", [("ELECTRODE_CURRENT i", "")],
                   "BREAKPOINT setting target for the SOLVE'd block of a point process without currents (NEURON "
                   "runs that BREAKPOINT after the SOLVE: the SOLVE reads the previous step's value, INITIAL's at "
                   "the first) not supported"),
    # alp_m only on a path that hangs on v: alpha_m and tcorr from v there
    "function_on_a_path": ("nm_tcorr3", [("  alpha_m = alp_m(v)\n  i =", "  if (v > -50) { alpha_m = alp_m(v) }\n  i =")],
                           f"BREAKPOINT setting alpha_m, tcorr from v for the SOLVE'd block {AFTER}"),
    # alp_m reads tcorr before it sets it: the second run of nrn_cur reads the first's (from celsius: no
    # seed); BREAKPOINT itself runs twice a step (double_run.py), the SOLVE's feed is refused
    "function_reads_first": ("nm_tcorr3", [("  alp_m = tcorr*0.02/(1 + exp(-(v + 40)/5))\n", ""),
                                           ("tcorr = Q10^((celsius - 22)/10)\n",
                                            "alp_m = tcorr*0.02/(1 + exp(-(v + 40)/5))\n  tcorr = Q10^((celsius - 22)/10)\n")],
                             f"BREAKPOINT setting tcorr for the SOLVE'd block {AFTER}"),
    # alp_m's tcorr a LOCAL of its own: BREAKPOINT never sets the mechanism's, which the SOLVE reads
    "function_local": ("nm_tcorr3", [("FUNCTION alp_m(v (mV)) (/ms) {", "FUNCTION alp_m(v (mV)) (/ms) {\n  LOCAL tcorr")],
                       f"BREAKPOINT setting tcorr for the SOLVE'd block {AFTER}"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_cannot_run_as_neuron_is_refused_with_its_line(case, tmp_path):
    stem, edits, refusal = REFUSED[case]
    text = (OWN / f"{stem}.mod").read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{stem}.mod"
    path.write_text(text)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("BREAKPOINT"))
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value) == f"{path}:{line}: {refusal}".replace("{path}", str(path))
