"""How many segments each section gets: NEURON's nseg rules, and the compartment count checked first.

- a given ``nseg`` (one for all sections, or one per section);
- ``dx_um``: the smallest odd nseg whose segments are at most dx_um long (`nseg_dx`);
- ``d_lambda``: NEURON's d_lambda rule (`nseg_d_lambda`) with the AC length constant `lambda_f_um` at
  a frequency (100 Hz by default), from the 3-D points, Ra and cm.

The number of nodes the rule would make is estimated from the lengths alone and refused
(``excitable.limits``, "compartments") before anything per compartment is allocated, so a typo such as
``dx_um=1e-9`` costs a one-line ModelError, not the machine's memory.

Units: um, ohm*cm, uF/cm2, Hz.
"""

from __future__ import annotations

import math

import numpy as np

from excitable import limits
from excitable.errors import ModelError, check_number
from excitable.model.morphology import Morphology
from excitable.model.segment_geometry import SectionPoints


def segment_counts(morph: Morphology, points: SectionPoints, ra: np.ndarray, cm: np.ndarray, *, nseg,
                   dx_um: float | None, d_lambda: float | None, frequency_hz: float) -> np.ndarray:
    """nseg of every section (int64) by the one rule given (``nseg`` if neither ``dx_um`` nor
    ``d_lambda``; default 1), each argument checked with a one-line ModelError; ``ra`` and ``cm`` per
    section (d_lambda's length constants need them)."""
    off, arc, d = points.offsets, points.arc_um, points.diam_um
    lambdas = None
    if dx_um is not None:
        dx_um = check_number("dx_um", dx_um, positive=True)
    elif d_lambda is not None:
        d_lambda = check_number("d_lambda", d_lambda, positive=True)
        f = check_number("frequency_hz", frequency_hz, positive=True)
        lambdas = [lambda_f_um(arc[off[i]:off[i + 1]], d[off[i]:off[i + 1]], f, ra[i], cm[i])
                   for i in range(len(morph.sections))]
    return _checked_counts(morph, points.lengths_um, lambdas, nseg, dx_um, d_lambda)


def _checked_counts(morph: Morphology, lengths: np.ndarray, lambdas, nseg, dx_um, d_lambda) -> np.ndarray:
    """nseg of every section by the chosen rule, refused (`excitable.limits`, "compartments") before
    anything per compartment is allocated if the nodes they make would be too many."""
    ns = len(morph.sections)
    if dx_um is not None:
        rule, estimate = f"dx_um={dx_um:g}", float(np.sum(lengths / dx_um))
    elif d_lambda is not None:
        rule, estimate = f"d_lambda={d_lambda:g}", float(np.sum(lengths / (d_lambda * np.array(lambdas))))
    else:
        given = per_section("nseg", 1 if nseg is None else nseg, ns, integer=True)
        rule = f"nseg={given[0]}" if np.ndim(nseg) == 0 else "nseg per section"
        estimate = float(sum(given))
    what = f"{morph.source or 'the morphology'} ({ns} sections) discretized with {rule}"
    # nodes: nseg per section (within 2 of the estimate), a 1-end node each and the root's 0-end
    limits.check("compartments", estimate + 3 * ns + 1, what)
    if not estimate < 2.0**62:  # limits off: still no machine could hold it, nor an int64 count it
        raise ModelError(f"{what} needs {estimate:.3g} compartments, more than any machine holds")
    if dx_um is not None:
        counts = [nseg_dx(L, dx_um) for L in lengths.tolist()]
    elif d_lambda is not None:
        counts = [nseg_d_lambda(L, lam, d_lambda) for L, lam in zip(lengths, lambdas)]
    else:
        counts = given
    limits.check("compartments", float(sum(counts)) + ns + 1, what)
    return np.array(counts, dtype=np.int64)


def lambda_f_um(arc: np.ndarray, d: np.ndarray, frequency_hz: float, ra_ohm_cm: float,
                cm_uF_cm2: float) -> float:
    """AC length constant (um) at ``frequency_hz`` from the 3-D points, as NEURON's stdlib ``lambda_f``:
    L / sum(dl / sqrt(d1 + d2)) / (sqrt(2) 1e-5 sqrt(4 pi f Ra cm))."""
    if cm_uF_cm2 == 0:
        return 1e10
    lam = 0.0
    for k in range(1, len(arc)):  # sequential, in NEURON's order, so nseg matches at the rounding edge
        lam += (arc[k] - arc[k - 1]) / math.sqrt(d[k - 1] + d[k])
    lam *= math.sqrt(2) * 1e-5 * math.sqrt(4 * math.pi * frequency_hz * ra_ohm_cm * cm_uF_cm2)
    return float(arc[-1]) / lam


def nseg_d_lambda(length_um: float, lambda_um: float, d_lambda: float) -> int:
    """NEURON's d_lambda rule: int((L / (d_lambda * lambda_f) + 0.9) / 2) * 2 + 1 (odd)."""
    return int((length_um / (d_lambda * lambda_um) + 0.9) / 2) * 2 + 1


def nseg_dx(length_um: float, dx_um: float) -> int:
    """Smallest odd nseg whose segments are at most ``dx_um`` long: n = ceil(L/dx), +1 if even."""
    n = max(1, math.ceil(length_um / dx_um - 1e-9))
    return n + 1 if n % 2 == 0 else n


def per_section(name: str, value, n: int, *, integer: bool = False, positive: bool = True):
    """``value`` (one number, or one per section) checked and repeated for the ``n`` sections: a float
    array, or a list of Python ints (``integer``; not an array until their sum is checked)."""
    scalar = np.ndim(value) == 0
    if scalar:
        vals = [value]  # checked once, then repeated: a tree has up to 1e5 sections
    else:
        vals = list(value)
        if len(vals) != n:
            raise ModelError(f"{name} must be a number or one value per section ({n}), got {len(vals)}")
    out = []
    for i, v in enumerate(vals):
        field = name if scalar else f"{name}[{i}]"
        if integer:
            x = check_number(field, v)
            if isinstance(v, bool) or not x.is_integer() or x < 1:
                raise ModelError(f"{field} must be an integer >= 1, got {v!r}")
            out.append(int(v) if isinstance(v, (int, np.integer)) else int(x))
        else:
            out.append(check_number(field, v, positive=positive, nonnegative=not positive))
    if scalar:
        out = out * n
    return out if integer else np.array(out, dtype=float)
