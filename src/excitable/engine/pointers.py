"""POINTERs of imported mechanisms (io/nmodl/pointers.py): each is a field that holds V at a target
node, filled here from the V the block is given, as NEURON's generated code reads ``*_p_vgap``
when the block runs: the step's start V in the currents (``nrn_cur``; the slope in the own V
moves only the own V, never the target's), the new V in the SOLVE'd blocks (``nrn_state``), V at
``finitialize`` in INITIAL. The plan lists them (``Plan.pointers``: mechanism, field, the target
node of each site), built by ``model/pointers.py``, which refuses a POINTER left unset."""

from __future__ import annotations

import dataclasses


def with_pointers(plan, pl, chan, v):
    """``chan`` with each of its POINTER fields set to ``v`` (mV, (..., n) over the nodes) at its
    sites' targets; unchanged without POINTERs or without ``v``."""
    if v is None or not plan.pointers:
        return chan
    fields = {f: v[..., nodes] for m, f, nodes in plan.pointers if m == pl.name}
    return dataclasses.replace(chan, **fields) if fields else chan
