"""A gate that is 0/0 at the cell's initial potential is named when the cell is read.

A rate defined in LEMS may write the linear form out, ``x / (1 - exp(-x))`` with x = (V - vHalf) /
slope (pyNeuroML's L23-example NaTg.channel.nml), which is 0/0 at V = vHalf exactly: NaN there, as
jLEMS evaluates it too, though finite on either side (a removable point; the built-in
``HHExpLinearRate`` takes its limit, ``excitable.vtrap``). A cell whose ``initMembPotential`` sits
there starts with NaN gates, and the run stops after its first step as numerically unstable. The
expression is the file's and is run as written (nothing guesses a limit for an arbitrary
expression); this names the channel, the gate and the voltage in a warning when the cell is read,
so that the user starts elsewhere (``Simulation(v_init=...)``).
"""

from __future__ import annotations

import warnings

import numpy as np

#: How far either side of the initial potential a gate must be finite for the point to be a
#: removable 0/0 (mV): small beside any rate's scale, far above float64's spacing at -66 mV (1.4e-14).
NUDGE_MV = 1e-6
#: The temperature the gates are evaluated at (degC): a 0/0 in V does not depend on it.
_CELSIUS = 6.3


def warn_removable(cell, v_init_mV: float | None, where: str) -> list[tuple[str, str]]:
    """Warn for each imported NeuroML channel of ``cell`` with a gate whose steady state or time
    constant is NaN at ``v_init_mV`` but finite ``NUDGE_MV`` either side; ``where`` ("file:line:
    cell 'id'", the initMembPotential's) starts the message. Returns the (channel, gate) pairs named."""
    if v_init_mV is None:
        return []
    found = []
    for name, mech in cell.mechanisms.items():
        if not hasattr(type(mech), "neuroml_exact_currents"):  # not a NeuroML channel (a pool, a .mod)
            continue
        at = {dv: mech.gates(np.float64(v_init_mV + dv), _CELSIUS) for dv in (-NUDGE_MV, 0.0, NUDGE_MV)}
        for gate, values in at[0.0].items():
            here = np.all(np.isfinite(np.asarray(values, dtype=float)))
            sides = all(np.all(np.isfinite(np.asarray(at[dv][gate], dtype=float))) for dv in (-NUDGE_MV, NUDGE_MV))
            if not here and sides:
                found.append((name, gate))
    for name, gate in found:
        warnings.warn(f"NeuroML: {where}: initMembPotential {v_init_mV:g} mV: ionChannel {name!r} gate {gate!r} is NaN "
                      f"there and finite {NUDGE_MV:g} mV either side (a 0/0 such as a rate x / (1 - exp(-x)) written "
                      f"out): a run "
                      f"started at {v_init_mV:g} mV gets NaN from its first step, as jLEMS would; start at "
                      f"another V (Simulation(v_init=...))", stacklevel=5)  # the caller of read()
    return found
