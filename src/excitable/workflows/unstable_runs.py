"""``mod compare`` where a run left physiology or became numerically unstable: whether NEURON's did
too (then a note says why nothing is compared there) or only excitable's (then excitable differs).
The notes name what went first and when; ``neuron_compare`` turns "excitable differs" into a row of
infinite difference."""

from __future__ import annotations

import numpy as np

from excitable.errors import ModelError
from excitable.workflows import neuron_side

RUNAWAY_MV = neuron_side.RUNAWAY_MV  # mV: past physiology (the reason is beside its definition)


def ran_away(v) -> bool:
    """Whether a V trace left physiology: non-finite somewhere, or beyond RUNAWAY_MV. Two such runs
    are not compared step by step: a pool emptied by such a current meets NEURON's +-1e6 mV Nernst
    rule (physics/ions.nernst) and jumps between its branches, which turns round-off into 1e-1
    differences (nm_cadecay with bs_cahva: 6745 mV on both sides, one step apart)."""
    v = np.asarray(v, dtype=float)
    return bool(not np.isfinite(v).all() or np.max(np.abs(v)) > RUNAWAY_MV)


def unstable_clamp(case: str, step: float, error, theirs: dict, notes: list[str],
                   dt: float | None = None) -> bool:
    """One mechanism under the voltage clamp, where excitable's run became numerically unstable
    (``SimulationError``; the family's later steps are not run). Where NEURON's traces are not all
    finite either (ModelDB 84589 kc.mod with its parameters at their defaults, 0: a division by 0 in
    C too), a note naming the first that went and when (``dt``, ms; neuron_side.first_nonfinite):
    nothing there to compare. Otherwise excitable differs: True (a row of infinite difference)."""
    first, peak = str(error).split(";")[0], peak_v(theirs)[0]
    if peak > RUNAWAY_MV:  # NEURON ran away too (a BREAKPOINT's slope past -C/dt: nm_bpfilter.mod's header)
        notes.append(f"{case} (step to {step:g} mV): not compared: {first} here, and NEURON's V reached "
                     f"{peak:.4g} mV: the model runs away under this clamp in both")
        return False
    gone = neuron_side.first_nonfinite(theirs, dt)
    if gone:
        notes.append(f"{case} (step to {step:g} mV): not compared: {first} here, and NEURON's traces are "
                     f"not finite either ({gone[0]}): give the file's parameters values (--set {gone[1]}.NAME=VALUE)")
        return False
    notes.append(f"{case} (step to {step:g} mV): {first} here, while NEURON's traces stayed finite")
    return True


def peak_v(theirs: dict) -> tuple[float, np.ndarray, np.ndarray]:
    """(largest |V| of NEURON's run up to its first NaN, mV; that part of V; all of V)."""
    v = np.asarray(theirs["v"], dtype=float)
    finite = v if np.isfinite(v).all() else v[:int(np.argmin(np.isfinite(v)))]
    return (float(np.max(np.abs(finite))) if finite.size else 0.0), finite, v


def something_compared(rows: list, notes: list[str]) -> None:
    """A one-line ModelError, the notes saying why, where no trace could be compared (every run unstable
    on both sides, every file skipped): "same as NEURON" over nothing would be a verdict without evidence."""
    if not rows:
        why = [n for n in notes if ": not compared: " in n] or notes[-2:]
        raise ModelError("mod compare: nothing could be compared: " + " | ".join(why))


def unstable_together(error, theirs: dict, amplitude_nA: float, notes: list[str],
                      dt: float | None = None) -> bool:
    """The current clamp of every mechanism together, where excitable's run became numerically
    unstable (``SimulationError``). Where NEURON's V ran away too (beyond RUNAWAY_MV before any NaN),
    these mechanisms do not hold V under this current (no K+ current beside a Ca2+ channel): a note,
    the clamps' rows stand. Where a trace of NEURON's is not finite, V in range, the file's numbers
    are (0/0 at its defaults, ModelDB 93326 shunt.mod): a note naming what went first, when (``dt``
    ms). Where all stayed finite and V in range, excitable differs: True (a row of infinite difference)."""
    peak, finite, v = peak_v(theirs)
    first = str(error).split(";")[0]
    head = f"together, current clamp of {amplitude_nA:g} nA: not compared: {first} here, and NEURON's "
    if peak > RUNAWAY_MV:
        notes.append(f"{head}V reached {peak:.4g} mV: these mechanisms alone do not hold V under this "
                     f"current (try a smaller --amplitude, or add a K+ current's file)")
        return False
    gone = neuron_side.first_nonfinite(theirs, dt)
    if finite.size < v.size:  # NaN where V was in range: no current drove it there, the numbers did
        notes.append(f"{head}V is not finite either ({gone[0]}): give the file's parameters values "
                     f"(--set {gone[1]}.NAME=VALUE)")
        return False
    bad = [name for name, x in theirs.items() if not np.isfinite(np.asarray(x, dtype=float)).all()]
    if bad:  # NEURON's own state went NaN too (cadspine.mod's 0/0, ModelDB 116096): nothing to compare
        notes.append(f"{head}{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not finite either (give the file's parameters values: "
                     "--set SUFFIX.NAME=VALUE)")
        return False
    notes.append(f"together, current clamp of {amplitude_nA:g} nA: {first} here, while NEURON's V "
                 f"stayed within {peak:.4g} mV")
    return True


#: The relative change of the current step (of 1 pA at least) that tells whether NEURON's own run is
#: decided by round-off: a few units in the last place of the amplitude.
NUDGE = 1e-12


def nudged(stim: tuple[float, float, float]) -> tuple[float, float, float]:
    """The current step (delay ms, duration ms, nA) with its amplitude changed by ``NUDGE`` of itself."""
    delay, duration, amplitude = stim
    return delay, duration, amplitude + max(abs(amplitude), 1e-3) * NUDGE


def round_off_notes(nudged_run: dict, theirs: dict, tolerance: float) -> list[str]:
    """Where excitable's run differs from NEURON's: a note if NEURON's own V moves by more than
    ``tolerance`` of its scale when only the step is ``nudged`` (a BREAKPOINT whose slope (i1 - i2)/0.001
    passes -C/dt multiplies each step's round-off ~200-fold: nm_bpfilter.mod, 11 times V's scale in
    NEURON alone), so that no simulator can give NEURON's numbers step by step; none where NEURON holds."""
    a, b = (np.asarray(r["v"], dtype=float) for r in (nudged_run, theirs))
    scale = float(np.max(np.abs(b))) if np.isfinite(b).all() and b.size else 0.0
    moved = float(np.max(np.abs(a - b))) / scale if scale and np.isfinite(a).all() else float("inf")
    if moved <= tolerance:
        return []
    return [f"together, current clamp: NEURON's own V moves by {moved:.3g} of its scale when the current step "
            f"changes by {NUDGE:g} of itself: this model's run is decided by round-off there, so no simulator "
            f"gives NEURON's numbers step by step (compare it at other parameters)"]

