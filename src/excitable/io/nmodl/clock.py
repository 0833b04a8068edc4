"""NEURON's clock inside a step, to the last bit: ``t`` grows by two sums of dt/2 a step.

NEURON's fixed step adds ``0.5*dt`` to ``t`` before ``nrn_cur`` (BREAKPOINT sees the step's middle)
and again before ``nrn_state`` (the SOLVE'd block sees its end), so after n steps ``t`` is the
rounding of 2n half sums, not of n whole ones. At dt = 0.025 ms, 100 steps give 2.5000000000000018
there, where 100 sums of dt give 2.499999999999995: a file comparing ``t`` with a time on the grid
(``if (t < 2.5)``, Popovic et al. 2005's EPSPClamp.mod) would flip one step apart.

Written as ``(t + dt/2) + dt/2``, XLA's algebraic simplifier folds the two constant adds into one
``t + dt`` (a different rounding). ``half_step`` keeps each sum its own: its half step depends on
``t`` (``0*t``, which XLA does not simplify for floats, as ``0*inf`` is NaN), so no chain of
constants is left to fold. An ``optimization_barrier`` would do it too, but Pallas' Triton backend
has no lowering for one, and the fused kernels trace the same mechanism code.
"""

from __future__ import annotations


def half_step(t, dt):
    """``t + dt/2`` (ms) rounded on its own, as NEURON's ``t += 0.5*dt``: never folded with
    another half step into ``t + dt`` (module docstring)."""
    return t + (0.5 * dt + 0.0 * t)
