"""NEURON's WATCH statement in imported point processes, with NEURON's fixed-step semantics
(checked against NEURON 9.0.2, and read in its netcvode.cpp and fadvance.cpp):

- ``WATCH (a > b) flag`` (or ``a < b``; several, comma-separated) inside NET_RECEIVE arms a
  condition whose value is ``a - b`` (``b - a`` for ``<``), as nocmodl's ``_watchN_cond``. The
  first WATCH a NET_RECEIVE call runs removes all the instance's watches, and their events still
  pending (``_nrn_watch_activate`` with r = 0); each WATCH run then (re-)arms its own, remembering
  whether the value is > 0 then (``WatchCondition::activate``): a condition already true when armed
  gives no event until it has been false again.
- At each step boundary t (NEURON 9.0.2's fixed step): first every event due by t + dt/2 is
  delivered (``nrn_deliver_events`` at the end of the step before), then each armed condition is
  tested at the V and states those deliveries left (``check_thresh`` at the step's start): a change
  from not > 0 to > 0 sends an event of its flag at t (no offset), delivered at once with what it
  sends itself in that window: NET_RECEIVE runs with that ``flag``, ``t`` = the step's start and no
  weight (0 here; NEURON's is a null pointer that a file must not read). A watch stays armed: it
  fires again at the next rise. Several rising at once come in the order they were armed.
- NET_RECEIVE reads the V of its segment (nocmodl: ``v = NODEV(node)``) and, where it assigns
  ``v`` (an integrate-and-fire reset), writes it back at its end (``NODEV(node) = v``): the step
  then starts from the new V.

Here all happens at the start of the step, in ``events.deliver``: the events due by t, then the
test of each instance (``check``) and its watches' events, then the later events due by t + dt/2.
A connection's event counts as due by t only when it is clearly before t (a delay off the grid):
one at t itself comes after the test, as NEURON's NetCon events carry the threshold's 1e-10 ms; a
spike train's time T exactly on a step does too, where NEURON's t, a sum of half steps, may fall
either side of T by round-off (the one order not followed). States per watch j
(1, 2, ... in the order of the file, as nocmodl numbers them): ``watch_on<j>`` (armed) and
``watch_above<j>`` (NEURON's flag_). The engine gives ``on_step`` the V at the instances' sites
(``engine.stepping.receive_events``) and, for a file that writes ``v``, sets the V the last
delivery wrote (``engine.netcons.written_v``; states ``v_node`` and ``v_wrote``).

Everything is ``jnp.where`` on the instances (jit, vmap, grad through the states; the conditions'
crossings are discrete, as NEURON's). Refused with ``file:line`` (``problems``): WATCH outside
NET_RECEIVE or in the INITIAL inside it, a condition other than one ``>`` or ``<`` (nocmodl's
grammar) and a flag that is not a number, both of which NEURON itself refuses, and WATCH in an
ARTIFICIAL_CELL, on which NEURON 9.0.2 crashes.
"""

from __future__ import annotations

import re

import jax.numpy as jnp

from excitable.io.nmodl import events
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.block_bodies import nested

#: The connection of a watch's event (none: NET_RECEIVE reads no connection's arguments).
WATCH_CONN = -2.0
#: The V an instance's NET_RECEIVE sees and leaves (mV), and whether a delivery of this step wrote it.
V_NODE, V_WROTE = "v_node", "v_wrote"
#: The hidden variable "a WATCH ran in this NET_RECEIVE call" (all earlier watches are removed).
_RM = "__watch_rm"
#: ... and the state that keeps it after the call (``check``: the watch events still to deliver are void).
RM = "watch_rm"


def state_names(comp) -> tuple[str, ...]:
    """The states of a compiler's watches: ``watch_on<j>``, ``watch_above<j>`` for each, and
    ``watch_rm`` (1 where the instance's last NET_RECEIVE ran a WATCH: its other events are void)."""
    n = len(getattr(comp, "watches", ()))
    return tuple(f"watch_{k}{j}" for j in range(1, n + 1) for k in ("on", "above")) + ((RM,) if n else ())


def voltage_states(mod, desc) -> tuple[str, ...]:
    """``(V_NODE,)`` where NET_RECEIVE, or a FUNCTION or PROCEDURE it calls, reads ``v`` (a WATCH of
    v included), plus ``V_WROTE`` where it assigns ``v``; () otherwise."""
    from excitable.io.nmodl.mechanism import _mentions

    nr = events.net_receive(mod)
    if nr is None or not re.search(r"\bv\b", _mentions(desc, nr)):
        return ()
    return (V_NODE, V_WROTE) if writes_v(mod) else (V_NODE,)


def writes_v(mod) -> bool:
    """Whether NET_RECEIVE assigns the membrane potential ``v`` (a reset)."""
    return bool(re.search(r"(?m)^\s*v\s*=(?!=)", _net_receive_text(mod)))


def _net_receive_text(mod) -> str:
    from excitable.io.nmodl.parse import dsl

    nr = events.net_receive(mod)
    return dsl().to_nmodl(nr.statement_block) if nr is not None else ""


class WatchCompiler(events.EventCompiler):
    """``events.EventCompiler`` that also compiles WATCH statements: running one sets hidden
    variables (armed, and the condition's value then), merged per instance by the if/else of
    ``expressions`` as any variable, and applied after the block (``after_receive``)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.watches: list[tuple[float, object]] = []  # (flag, value(scope)), watch j = index + 1

    def statement(self, st, solve):
        if st.is_watch_statement():
            return self._watch(st)
        return super().statement(st, solve)

    def _watch(self, st):
        armed = []
        for w in st.statements:
            value = self.condition(w.expression, w)
            if not w.value.is_double() and not w.value.is_integer():
                self.fail("WATCH with a flag that is not a number", w)
            self.watches.append((float(w.value.eval()), value))
            armed.append((len(self.watches), value))

        def run(scope):
            scope.glob[_RM] = 1.0
            for j, value in armed:
                scope.glob[f"__watch{j}_on"] = 1.0
                scope.glob[f"__watch{j}_val"] = materialize(value(scope))
            return 0.0
        return run

    def condition(self, e, node):
        """``a > b`` as the closure of a - b, ``a < b`` as b - a (nocmodl's ``_watchN_cond``)."""
        while e.is_paren_expression() or e.is_wrapped_expression():
            e = e.expression
        if not e.is_binary_expression() or e.op.eval() not in (">", "<"):
            self.fail("WATCH condition other than (a > b) or (a < b)", node)
        lhs, rhs = self.expr(e.lhs), self.expr(e.rhs)
        if e.op.eval() == ">":
            return lambda scope: materialize(lhs(scope)) - materialize(rhs(scope))
        return lambda scope: materialize(rhs(scope)) - materialize(lhs(scope))

    def hidden(self) -> dict[str, float]:
        out = super().hidden()
        for j in range(1, len(self.watches) + 1):
            out.update({f"__watch{j}_on": 0.0, f"__watch{j}_val": 0.0})
        return {**out, _RM: 0.0} if self.watches else out


def initial(comp, s: dict, v, names: tuple[str, ...]) -> dict:
    """The watch and voltage states at finitialize: nothing armed (a WATCH runs only in
    NET_RECEIVE), ``v_node`` the initial V (``names``: ``voltage_states``)."""
    like = jnp.zeros_like(jnp.asarray(s[events.LOST], dtype=jnp.result_type(s[events.LOST], float)))
    out = {**s, **dict.fromkeys(state_names(comp), like)}
    if V_NODE in names:
        out[V_NODE] = like + v
    if V_WROTE in names:
        out[V_WROTE] = like
    return out


def begin(s: dict, v, names: tuple[str, ...]) -> dict:
    """The states at the start of a step's deliveries: ``v_node`` the V at the sites (the engine's,
    at the step's start), nothing written yet."""
    if V_NODE in names and v is not None:
        s = {**s, V_NODE: jnp.zeros_like(s[V_NODE]) + v}
    if V_WROTE in names:
        s = {**s, V_WROTE: jnp.zeros_like(s[V_WROTE])}
    return s


def v_of(s: dict, like):
    """The V a NET_RECEIVE delivery reads (mV): the site's, as an earlier delivery left it."""
    return s[V_NODE] + jnp.zeros_like(like) if V_NODE in s else jnp.zeros_like(like)


def after_receive(comp, sc, s: dict, mask) -> dict:
    """The states after one NET_RECEIVE run (where ``mask`` holds): watches removed and re-armed
    as the WATCH statements it ran say, and the V it left."""
    s = dict(s)
    if V_WROTE in s:
        s[V_NODE] = jnp.where(mask, materialize(sc.glob["v"]) + jnp.zeros_like(s[V_NODE]), s[V_NODE])
        s[V_WROTE] = jnp.where(mask, 1.0, s[V_WROTE])
    if not getattr(comp, "watches", None):
        return s
    removed = mask & (jnp.asarray(sc.glob[_RM]) > 0.5)
    s[RM] = jnp.where(mask, jnp.where(removed, 1.0, 0.0), s[RM])
    for j in range(1, len(comp.watches) + 1):
        ran = mask & (jnp.asarray(sc.glob[f"__watch{j}_on"]) > 0.5)
        s[f"watch_on{j}"] = jnp.where(removed, jnp.where(ran, 1.0, 0.0), s[f"watch_on{j}"])
        s[f"watch_above{j}"] = jnp.where(ran, jnp.where(sc.glob[f"__watch{j}_val"] > 0, 1.0, 0.0),
                                         s[f"watch_above{j}"])
    return s


def checker(blocks, chan, receive) -> tuple:
    """(``check(s, now)``, extra delivery rounds) for ``events.deliver``, for an instance of the
    file ``blocks`` (artificial.Blocks) compiled, whose NET_RECEIVE is ``receive`` (``events.deliver``'s
    contract); (None, 0) without WATCH. The rounds: one per net_send(0) a watch's event may send."""
    comp = blocks.comp
    if not getattr(comp, "watches", None):
        return None, 0

    def run(s, now):
        sc = blocks.scope(chan, v_of(s, s["t"]), s, s.get("celsius", 0.0), s["t"])
        return check(comp, sc, s, now, receive)
    return run, len(comp.watches)


def check(comp, sc, s: dict, now, receive) -> dict:
    """NEURON's check_thresh for the instances where ``now`` holds (``sc``: the scope of their V and
    states at the step's start t, ``s["t"]``): every armed watch whose value rose above 0 sends an
    event of its flag at t, in the order they were armed (the file's here), delivered at once
    (``receive``) unless a NET_RECEIVE before it ran a WATCH, which voids it (NEURON removes it)."""
    s = dict(s)
    fired = []
    for j, (flag, value) in enumerate(comp.watches, 1):
        up = materialize(value(sc)) > 0
        on = now & (s[f"watch_on{j}"] > 0.5)
        fired.append((flag, on & up & (s[f"watch_above{j}"] < 0.5)))
        s[f"watch_above{j}"] = jnp.where(on, jnp.where(up, 1.0, 0.0), s[f"watch_above{j}"])
    void = jnp.zeros_like(now)
    for flag, fire in fired:
        go = fire & ~void
        like = jnp.zeros_like(s[RM])
        s = receive(s, go, s["t"] + like, flag + like, like, WATCH_CONN + like)
        void = void | (go & (s[RM] > 0.5))
    return s


def problems(lines: list[str], blocks: dict[int, str], artificial: bool) -> list[tuple[int, str]]:
    """(line, construct) of the WATCH statements of a point process or artificial cell not run:
    outside NET_RECEIVE (``blocks``: line -> its top-level block), in the INITIAL inside it, not in
    nocmodl's form ``WATCH (a > b) 2, (c < d) 3``, or in an ARTIFICIAL_CELL: NEURON 9.0.2 crashes
    there (its condition function reads the node's v, and an artificial cell has no node: checked)."""
    found = []
    initial = {n for n, _ in nested(lines, "NET_RECEIVE", "INITIAL")}  # its brace on any line (block_bodies.py)
    form = re.compile(r"^\s*\(([^()<>=&|!]|\([^()]*\))*[<>]([^()<>=&|!]|\([^()]*\))*\)\s*[0-9.eE+]+\s*$")
    for n, line in enumerate(lines, 1):
        m = re.search(r"\bWATCH\b(.*)", line)
        if m is None:
            continue
        if artificial:
            found.append((n, "WATCH in an ARTIFICIAL_CELL (NEURON crashes on it: it has no node for the v "
                             "the condition reads)"))
        elif blocks.get(n) != "NET_RECEIVE":
            found.append((n, "WATCH outside the NET_RECEIVE of a POINT_PROCESS"))
        elif n in initial:
            found.append((n, "WATCH in the INITIAL inside NET_RECEIVE"))
        elif any(not form.match(part) for part in _split(m.group(1).split("}")[0])):
            found.append((n, "WATCH other than (a > b) flag or (a < b) flag, flag a number (nocmodl's form)"))
    return found


def check_lines(mod, lines: list[str]) -> list[str]:
    """``excitable mod check``'s line on the file's WATCH statements (condition -> flag), and
    whether NET_RECEIVE writes v."""
    found = [" ".join(part.split()) for line in lines for m in [re.search(r"\bWATCH\b(.*)", line)] if m
             for part in _split(m.group(1).split("}")[0])]
    if not found:
        return []
    shown = ", ".join(re.sub(r"^\((.*)\)\s*(\S+)$", r"\1 -> flag \2", w) for w in found)
    reset = "; NET_RECEIVE writes v (a reset)" if writes_v(mod) else ""
    return [f"  watches: {shown} (tested at each step's start, NEURON's order){reset}"]


def _split(text: str) -> list[str]:
    """A WATCH statement's watches: split at the commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]
