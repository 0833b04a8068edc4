"""What a density mechanism's BREAKPOINT keeps between runs, run twice a step as NEURON runs it.

NEURON's ``nrn_cur`` runs BREAKPOINT (without its SOLVE) twice a step, at the step's old V: at
v + 0.001 mV for the slope, then at v, the second run from what the first left; ``finitialize``
runs it likewise after INITIAL. A file whose BREAKPOINT rewrites a value it keeps (old-style
channels that step their gates in BREAKPOINT, ``c = c + cexp*(cinf - c)`` as ModelDB 120910's
gkcadend.mod; a counter ``n = n + 1``; a filter of an ASSIGNED variable) therefore moves it twice a
step, and its current and slope come from the second and first runs:

- ``currents`` at V returns the second run's currents, with the slope (i1 - i2)/0.001 NEURON takes
  (``slope.neuron_slope``'s ``plus``: the first run at v + 0.001);
- ``advance`` takes the second run's values (from the step's start V, states and ion values, as
  ``breakpoint_feeds.start`` hands them) before the SOLVE'd blocks run;
- INITIAL's values go through the two runs of finitialize's ``nrn_cur``.

``names`` are the STATEs ``describe.rewritten_states`` finds (a second run would change them) and the
ASSIGNED variables BREAKPOINT may read before it sets them (``breakpoint_memory.memory``), carried
as states. A point process keeps no value its BREAKPOINT writes, and an ion's concentration is the
engine's ion machinery's: both are refused (unsupported.py).
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.slope import NEURON_DV


def names(mod, desc) -> tuple[str, ...]:
    """The values a density mechanism's BREAKPOINT keeps between its runs (module docstring)."""
    from excitable.io.nmodl.breakpoint_memory import memory
    from excitable.io.nmodl.describe import rewritten_states

    if desc.point:
        return ()
    ion_vars = {x for ion in desc.ions for x in ion.read + ion.write}  # the engine's ion machinery holds these
    return tuple(x for x in dict.fromkeys(rewritten_states(desc) + memory(mod, desc)) if x not in ion_vars)


def nrn_cur(run, kept: tuple[str, ...], v, s):
    """(first run's scope, second run's scope): ``run(v, s)`` runs BREAKPOINT at ``v`` from states
    ``s``; the first at v + 0.001 mV, the second at v from the ``kept`` values the first left."""
    first = run(v + NEURON_DV, s)
    zero = jnp.zeros_like(v)
    return first, run(v, {**s, **{x: materialize(first.glob[x]) + zero for x in kept}})
