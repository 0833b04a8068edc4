"""Values a point process keeps in its instance that NEURON's ``nrn_cur`` or NET_RECEIVE assign,
carried as per-instance states by ``point.py``'s jump class and ``artificial.py``'s event path.

1. A BREAKPOINT with currents runs in NEURON's ``nrn_cur``: after the step's events, at the
   step's start V and states (twice, at v + 0.001 mV and then at v; the second run's values stay).
   What it assigns to an ASSIGNED that NET_RECEIVE reads (Allen bmtk stp2syn.mod's ``Pmax = n*p0``,
   read by ``g = g + weight*Pmax``) or to a PARAMETER that INITIAL or NET_RECEIVE also assigns or
   NET_RECEIVE reads (a recorded ``x = v + 10*s``, INITIAL's ``x = 0.5*v``) stays in the instance until the next step's ``nrn_cur``: the next step's events read it, and the recording
   after the step shows it. finitialize runs ``nrn_cur`` once after INITIAL, so the first step's
   events read that run's value. ``names`` lists them; ``advance`` stores BREAKPOINT's run at the
   step's start, and INITIAL's run of BREAKPOINT stores the first value.
2. A PARAMETER that NET_RECEIVE assigns (netpyne thalamus gap_net_receive.mod's ``g = g * weight``)
   keeps its new value in NEURON's instance for every later block and step: ``event_params``.
   Each run here starts it at the field's value; NEURON keeps the last run's value into the next
   finitialize (docs/differences-to-neuron.md).

Exact where each run of BREAKPOINT assigns the value once, unconditionally, from what it read
before (then both of nrn_cur's runs leave the same value where it does not read v, and the second
run's where it does, the run ``advance`` makes). For a value NET_RECEIVE reads, a conditional
assignment (the run at v + 0.001 mV may take another branch) or one after a read of the value (its
first run's result feeds its second) is carried through both runs (``kept_twice``, ``double_run``:
an accumulator ``P = P + p0`` or ``if (g > 0.02) { P = P + p0 }``, whose second run's value is
NEURON's, mod_events/nr_pacc.mod, nr_pcond.mod); a GLOBAL one is refused with its line (``problems``)
(NEURON: the last instance's value for all). A recorded PARAMETER assigned under a condition keeps
the previous value where the branch is not taken, as NEURON's does (the if/else merge).

What NET_RECEIVE reads is read in NEURON's scopes (``block_scope``): its arguments and LOCALs are
its own, not the mechanism's variables of those names (GRANULE_Ampa_det_vi.mod's ``tzero``).
"""

from __future__ import annotations

import re

from excitable.io.nmodl.block_scope import net_receive_mentions
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.parameter_writes import Writes, _first_problem
from excitable.io.nmodl.parse import strip_comments


def _assigned_in(text: str) -> set[str]:
    return set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", text))


def names(desc: Description, mod) -> tuple[str, ...]:
    """The PARAMETERs a point process's BREAKPOINT with currents assigns that INITIAL or NET_RECEIVE
    assigns too or NET_RECEIVE reads, and the ASSIGNED variables it assigns that NET_RECEIVE reads
    (module docstring, 1), in the file's order; () for a file without currents (an ARTIFICIAL_CELL: NEURON runs no nrn_cur for it)."""
    from excitable.io.nmodl.breakpoint_feeds import _mentions, has_currents

    if not desc.point or desc.breakpoint is None or not has_currents(desc, strip_comments(mod.text)):
        return ()
    set_bp = _assigned_in(_mentions(desc, desc.breakpoint))
    read_nr = net_receive_mentions(desc, mod)  # its arguments and LOCALs hide the mechanism's names
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    skip = set(desc.currents) | ion_vars | set(SPECIAL) | set(desc.states) | {"v", "t", "celsius", "dt", "diam", "area"}
    w = Writes(desc, mod.text)
    # a PARAMETER INITIAL or NET_RECEIVE also assigns, or NET_RECEIVE reads (one BREAKPOINT alone
    # assigns is its run's scratch, as mechanism.py's set_by_currents)
    later = set(w.written("INITIAL")) | set(w.written("NET_RECEIVE")) | read_nr
    params = [p for p in desc.parameters if p in set_bp and p in later and p not in skip and "[" not in p]
    assigned = [a for a in desc.assigned if a in set_bp and a in read_nr and a not in skip and "[" not in a]
    return tuple(params + assigned)


def kept_twice(desc: Description, mod) -> tuple[str, ...]:
    """The ``names`` NET_RECEIVE reads that BREAKPOINT sets conditionally or after a read of them
    (``P = P + p0``; ``if (v > -50) { P = p0 }``): NEURON keeps what the second of nrn_cur's two runs
    leaves, from what the first left, so they run carried through both runs (``double_run.names``)
    where the value is RANGE (a GLOBAL one holds the last instance's: refused by ``problems``)."""
    kept = names(desc, mod)
    if not kept:
        return ()
    flat, read_nr = Writes(desc, mod.text).flat["BREAKPOINT"], net_receive_mentions(desc, mod)
    return tuple(x for x in kept if x in read_nr and x in desc.ranges and _first_problem(flat, x))


def event_params(desc: Description, mod) -> tuple[str, ...]:
    """The PARAMETERs NET_RECEIVE (or what it calls) assigns (module docstring, 2)."""
    if desc.suffix is None:
        return ()
    return tuple(Writes(desc, mod.text).written("NET_RECEIVE"))


def problems(mod, desc: Description) -> list[tuple[int, str]]:
    """(line, construct) of the GLOBAL ``names`` NET_RECEIVE reads (module docstring): NEURON's is
    the last instance's. A RANGE one set on a path or after a read runs (``kept_twice``)."""
    kept = names(desc, mod)
    if not kept:
        return []
    w = Writes(desc, mod.text)
    flat = w.flat["BREAKPOINT"]
    read_nr = net_receive_mentions(desc, mod)
    found = []
    named = {line for line, _ in w.problems()}  # a PARAMETER read before BREAKPOINT assigns it: named there
    for x in (x for x in kept if x in read_nr and x not in desc.ranges):  # what the events read
        if (line := _first_problem(flat, x)) and line in named:
            continue
        line = next((n for n, code, _ in flat if re.search(rf"\b{re.escape(x)}\b", code)), 0)
        found.append((line, f"GLOBAL {x} set in BREAKPOINT and read in NET_RECEIVE (NEURON: the last "
                            f"instance's value for all; declare it RANGE)"))
    return found


def check_lines(mod, desc: Description) -> list[str]:
    """``excitable mod check``'s line naming the values kept here as NEURON keeps them."""
    cur, nr = names(desc, mod), event_params(desc, mod)
    parts = ([f"{', '.join(cur)} (what BREAKPOINT's nrn_cur run leaves, read by the next step's events and "
              "recorded)"] if cur else [])
    parts += ([f"{', '.join(x for x in nr if x not in cur)} (assigned by NET_RECEIVE; each run starts it at its "
               "field's value, NEURON at the last run's)"] if set(nr) - set(cur) else [])
    return ["  kept in the instance: " + "; ".join(parts)] if parts else []
