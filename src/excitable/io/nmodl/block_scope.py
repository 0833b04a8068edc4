"""The mechanism's variables a block mentions, as NEURON's C scopes them: NET_RECEIVE's arguments
(per-NetCon values, ``_args[i]`` in nocmodl's C), a FUNCTION's or PROCEDURE's arguments and a block's
LOCALs hide the mechanism's variables of the same names inside that block.

OSB GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod declares ASSIGNED ``tzero`` (scratch of the
FUNCTION its BREAKPOINT calls) and ``NET_RECEIVE(weight, on, nspike, tzero (ms), ...)``: every
``tzero`` inside NET_RECEIVE is the connection's argument, never the ASSIGNED. Reading the block's
text word by word would take it for a read of the ASSIGNED (``nrn_cur_values``'s false refusal).

``mentioned`` is the one reader for such questions: the block's own statements less its hidden
names, plus what the FUNCTIONs and PROCEDUREs it calls mention (each with its own arguments and
LOCALs hidden: there the mechanism's variable is visible again).
"""

from __future__ import annotations

import re

from excitable.io.nmodl.describe import Description

_WORD = re.compile(r"\b([A-Za-z_]\w*)\b")
#: a LOCAL statement's names, up to the line's end or a closing brace (NMODL text, one per line)
_LOCAL = re.compile(r"\bLOCAL\b([^}\n]*)")


def hidden(block) -> set[str]:
    """The names ``block`` (a NET_RECEIVE, FUNCTION or PROCEDURE node; any block with a statement
    block) declares for itself: its arguments and the LOCALs anywhere in its body."""
    from excitable.io.nmodl.parse import dsl

    names = {a.get_node_name() for a in getattr(block, "parameters", None) or ()}
    body = dsl().to_nmodl(block.statement_block) if getattr(block, "statement_block", None) else ""
    return names | {n for decl in _LOCAL.findall(body) for n in _WORD.findall(decl)}


def mentioned(desc: Description, block, seen: frozenset[str] = frozenset()) -> set[str]:
    """Identifiers ``block``'s statements mention that name the mechanism's variables (its own
    arguments and LOCALs taken out), with those of the FUNCTIONs and PROCEDUREs it calls,
    transitively; keywords and called names come along and are harmless to a caller that
    intersects the result with declared names."""
    from excitable.io.nmodl.parse import dsl

    if block is None:
        return set()
    body = dsl().to_nmodl(block.statement_block) if getattr(block, "statement_block", None) else dsl().to_nmodl(block)
    words = set(_WORD.findall(body)) - hidden(block)
    for name in set(re.findall(r"\b(\w+)\s*\(", body)) - seen:
        sub = desc.functions.get(name) or desc.procedures.get(name)
        if sub is not None:
            words |= mentioned(desc, sub, seen | {name})
    return words


def net_receive(mod):
    """The NET_RECEIVE block of a parsed file, or None (``events.net_receive``: here, so that
    events can ask ``net_receive_mentions`` without importing itself back)."""
    return next((b for b in mod.program.blocks if b.is_net_receive_block()), None)


def net_receive_mentions(desc: Description, mod) -> set[str]:
    """``mentioned`` for the file's NET_RECEIVE (set() without one): the mechanism's variables the
    events read or write, the connection's arguments excluded."""
    return mentioned(desc, net_receive(mod))
