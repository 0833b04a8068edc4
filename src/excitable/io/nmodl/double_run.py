"""What a BREAKPOINT keeps between runs, run twice a step as NEURON runs it.

NEURON's ``nrn_cur`` runs BREAKPOINT (without its SOLVE) twice a step, at the step's old V: at
v + 0.001 mV for the slope, then at v, the second run from what the first left; ``finitialize``
runs it likewise after INITIAL. A file whose BREAKPOINT rewrites a value it keeps (old-style
channels that step their gates in BREAKPOINT, ``c = c + cexp*(cinf - c)`` as ModelDB 120910's
gkcadend.mod; a counter ``n = n + 1``; a filter of an ASSIGNED variable; IF_BG4.mod's adaptation
``w = w + b`` and spike flag) therefore moves it twice a step, and its current and slope come from
the second and first runs:

- ``currents`` at V returns the second run's currents, with the slope (i1 - i2)/0.001 NEURON takes
  (``slope.neuron_slope``'s ``plus``: the first run at v + 0.001; a point process's in nA/mV,
  scaled to its node as its current is);
- ``advance`` takes the second run's values (from the step's start V, states and ion values, as
  ``breakpoint_feeds.start`` hands them; on the event path from the states after the step's events,
  at t its middle) before the SOLVE'd blocks run;
- INITIAL's values go through the two runs of finitialize's ``nrn_cur``.

nocmodl 9.0.2's C for a POINT_PROCESS is the same as for a density mechanism (nrn_cur at v + 0.001
and v, nrn_state reading what it left), so mechanism.py, point.py and artificial.py all run them so.

``names`` are the STATEs ``describe.rewritten_states`` finds (a second run would change them) and the
ASSIGNED variables BREAKPOINT may read before it sets them (``breakpoint_memory.memory``), carried
as states; in a point process every STATE BREAKPOINT writes (``describe.state_writes``: a clamp
``if (x > 0.5) { x = 0.5 }`` too, whose two runs give one run's value), as its class has no other
path for them; an ELECTRODE_CURRENT counts as a current (nocmodl 9.0.2 generates the same nrn_cur
for it). An ion's concentration is the engine's ion machinery's: refused (unsupported.py), as is a
point process's STATE write without currents (no nrn_cur: NEURON runs that BREAKPOINT in nrn_state,
after the SOLVE).
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.slope import NEURON_DV, neuron_slope


def names(mod, desc) -> tuple[str, ...]:
    """The values a BREAKPOINT with currents keeps between its runs (module docstring)."""
    from excitable.io.nmodl.breakpoint_feeds import has_currents
    from excitable.io.nmodl.breakpoint_memory import memory
    from excitable.io.nmodl.describe import rewritten_states, state_writes
    from excitable.io.nmodl.nrn_cur_values import kept_twice
    from excitable.io.nmodl.parse import strip_comments

    if desc.point:  # with an ELECTRODE_CURRENT too: nocmodl 9.0.2 gives it the same nrn_cur
        states = state_writes(desc) if has_currents(desc, strip_comments(mod.text)) else ()
        states += kept_twice(desc, mod)  # what NET_RECEIVE reads of BREAKPOINT's conditional or accumulated values
    else:
        states = rewritten_states(desc)
    ion_vars = {x for ion in desc.ions for x in ion.read + ion.write}  # the engine's ion machinery holds these
    return tuple(x for x in dict.fromkeys(states + memory(mod, desc)) if x not in ion_vars)


def nrn_cur(run, kept: tuple[str, ...], v, s):
    """(first run's scope, second run's scope): ``run(v, s)`` runs BREAKPOINT at ``v`` from states
    ``s``; the first at v + 0.001 mV, the second at v from the ``kept`` values the first left."""
    first = run(v + NEURON_DV, s)
    zero = jnp.zeros_like(v)
    return first, run(v, {**s, **{x: materialize(first.glob[x]) + zero for x in kept}})


def last_run(run, kept: tuple[str, ...], v, s, first: bool = False):
    """The scope ``nrn_cur`` leaves: ``run(v, s)`` where nothing is ``kept``, else the second of its
    two runs (``first``: the one at v + 0.001 mV)."""
    if not kept:
        return run(v, s)
    return nrn_cur(run, kept, v, s)[0 if first else 1]


def slope_currents(raw, kept: tuple[str, ...]):
    """``slope.neuron_slope`` of ``raw(chan, v, s, first=False)`` (currents from ``last_run``): with
    values ``kept``, NEURON's slope (i1 - i2)/0.001 from the first run and the second."""
    return neuron_slope(raw, (lambda chan, v, s: raw(chan, v, s, True)) if kept else None)
