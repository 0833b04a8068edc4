"""NEURON's ``FOR_NETCONS(w, a1, ...) { ... }`` inside NET_RECEIVE: a loop over every NetCon that
targets this instance, its arguments bound, by position, to that NetCon's weight vector (weight[0],
weight[1], ...), so one event can update every connection's per-NetCon state (STDP: at a
postsynaptic spike, potentiate every input by its own presynaptic time).

NEURON (checked with NEURON 9.0.2 beside tests/io/nmodl/test_for_netcons.py, and in an
ARTIFICIAL_CELL beside test_for_netcons_artificial.py: the same rules there): the loop visits every
NetCon onto the instance, a source-less one (driven by ``NetCon.event``), the one whose event runs the
block, weight-0 ones and negative-weight markers included, in a self-event's NET_RECEIVE too; its
arguments are the NetCons' memory, so what the loop writes into the event's own NetCon is what
NET_RECEIVE's own arguments read after it, and what the block wrote into them before the loop is
what the loop reads for that NetCon.

Here the set of connections into each instance is fixed when the run is built, as the rows of the
per-NetCon states ``netcon_<name>`` ((K, instances), engine/netcons.py); the state ``LIVE`` marks the
rows that are a user connection (not padding, nor a split train's later lanes). The loop is one
masked update of all rows at once (traced: jit, vmap and grad go through it): the body runs once
with each argument bound to its (K, instances) rows, reads of the instance's variables see the
instance (broadcast over the rows), and each row keeps what the body wrote where ``LIVE`` holds.
That equals NEURON's loop, whatever its order, because the body may write only its own arguments
and its own LOCALs (``problems`` refuses anything else with its line: a write of an instance
variable or of NET_RECEIVE's LOCALs, an event call, a PROCEDURE call, a nested FOR_NETCONS), so
no iteration reads what another wrote.

How the event path uses it (io/nmodl/artificial.py's NET_RECEIVE): ``bind`` puts the rows into the
block's scope before it runs; the compiled loop (``compile_loop``, from ``events.EventCompiler``)
updates them there (an if/else around it merges them per instance as any variable); ``rows_after``
gives the states after the block, the event's own row as NET_RECEIVE's arguments leave it.
"""

from __future__ import annotations

import re

import jax.numpy as jnp

from excitable.engine.netcons import LIVE, PREFIX
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.expressions import Scope

#: Hidden locals of NET_RECEIVE's scope (no NMODL name can take them): the rows of argument ``name``
#: (ROW + name), the event's own row (ONE: (K, instances) bool), the user connections (LIVE_ROWS) and
#: NET_RECEIVE's argument names in order (NAMES: FOR_NETCONS binds its own names by position).
ROW, ONE, LIVE_ROWS, NAMES = "__for_netcons_row:", "__for_netcons_one", "__for_netcons_live", "__for_netcons_names"
#: Calls the body may not make: they would act once per NetCon on the instance (events.CALLS and
#: state_discontinuity), which the masked update does not run.
EVENT_CALLS = ("net_send", "net_event", "net_move", "state_discontinuity")


def loops(node) -> list:
    """The FOR_NETCONS nodes under ``node`` (an AST node: the program or NET_RECEIVE)."""
    from neuron.nmodl import ast, visitor

    return list(visitor.AstLookupVisitor().lookup(node, ast.AstNodeType.FOR_NETCON))


def reads_weight(nr) -> bool:
    """Whether a FOR_NETCONS in NET_RECEIVE ``nr`` reads or writes its first argument, each NetCon's
    weight[0]: then the weight is per-connection state (``events.writes_weight``), as the loop reads
    every connection's, not only the event's."""
    from neuron.nmodl import ast, visitor

    lookup = visitor.AstLookupVisitor().lookup
    for loop in loops(nr) if nr is not None else []:
        params = [p.get_node_name() for p in loop.parameters]
        names = {n.get_node_name() for n in lookup(loop.statement_block, ast.AstNodeType.NAME)}
        if params and params[0] in names:
            return True
    return False


def compile_loop(comp, e):
    """The FOR_NETCONS node ``e`` as ``run(scope)`` for ``comp`` (an ``events.EventCompiler``): the
    masked update of the module docstring. Without rows bound (no per-NetCon state: the class's
    abstract trace without connections) it does nothing."""
    params = [p.get_node_name() for p in e.parameters]
    body = comp.block(e.statement_block)

    def run(scope):
        if ONE not in scope.local:
            return 0.0
        one, live, names = scope.local[ONE], scope.local[LIVE_ROWS], scope.local[NAMES]
        pairs = [(p, names[i]) for i, p in enumerate(params) if i < len(names) and ROW + names[i] in scope.local]
        for _, a in pairs:  # the event's own NetCon as the block has it now: NEURON's arguments are its memory
            scope.local[ROW + a] = jnp.where(one, materialize(scope.local[a]), scope.local[ROW + a])
        inner = Scope({**scope.local, **{p: scope.local[ROW + a] for p, a in pairs}}, scope.glob, scope.solver,
                      scope.depth)
        body(inner)
        for p, a in pairs:  # each user connection's row keeps what the body left in it
            rows = scope.local[ROW + a]
            scope.local[ROW + a] = jnp.where(live > 0.5, materialize(inner.local[p]) + jnp.zeros_like(rows), rows)
        hit = jnp.any(one, axis=0)
        for _, a in pairs:  # NET_RECEIVE's own arguments read the event's row as the loop left it
            scope.local[a] = jnp.where(hit, jnp.sum(jnp.where(one, scope.local[ROW + a], 0.0), axis=0), scope.local[a])
        return 0.0
    return run


def bind(sc, s: dict, names: tuple[str, ...], keys: list[str], one) -> None:
    """Put into NET_RECEIVE's scope ``sc`` what ``compile_loop`` reads: the rows of each per-NetCon
    state in ``keys`` (``PREFIX`` + name, (K, instances)), the event's row ``one``, the user
    connections (``LIVE``; every row where the engine did not add it) and NET_RECEIVE's argument
    ``names`` in order. Nothing where no state is kept per connection."""
    if not keys:
        return
    sc.local.update({ROW + k[len(PREFIX):]: s[k] for k in keys})
    sc.local.update({ONE: one, LIVE_ROWS: s.get(LIVE, jnp.ones_like(s[keys[0]])), NAMES: tuple(names)})


def rows_after(sc, s: dict, keys: list[str], one, mask, like) -> dict:
    """The per-NetCon states after NET_RECEIVE ran in ``sc`` where ``mask`` holds: every row as a
    FOR_NETCONS left it (``bind``'s rows), the event's own row (``one``) as the block's arguments
    left it; ``like``: an (instances,) array of the run's precision."""
    out = {}
    for k in keys:
        a = k[len(PREFIX):]
        rows = sc.local.get(ROW + a, s[k])
        mine = jnp.where(one, materialize(sc.local[a]) + jnp.zeros_like(like), rows)
        out[k] = jnp.where(mask, mine, s[k])
    return out


def problems(mod, desc, lines: list[str], blocks: dict[int, str], artificial: bool) -> list[tuple[int, str]]:
    """(line, construct) of the FOR_NETCONS this module does not run: outside the NET_RECEIVE of a
    POINT_PROCESS or an ARTIFICIAL_CELL (``artificial``; both run by artificial.py's on_step), nested,
    with more arguments than NET_RECEIVE, or whose body writes other than its arguments and LOCALs or
    calls an event function or a PROCEDURE (module docstring). ``blocks``: line -> its top-level block."""
    found = []
    where = [n for n, line in enumerate(lines, 1) if re.search(r"\bFOR_NETCONS\b", line)]
    for n in where:
        if blocks.get(n) != "NET_RECEIVE" or not (desc.point or artificial):
            found.append((n, "FOR_NETCONS outside the NET_RECEIVE of a POINT_PROCESS or ARTIFICIAL_CELL"))
    if found:
        return found
    from excitable.io.nmodl.block_scope import net_receive

    nr = net_receive(mod)
    if nr is None:
        return found
    width = len(nr.parameters)
    for k, loop in enumerate(loops(nr)):
        n = where[k] if k < len(where) else 0
        found += [(_line(lines, n, node), p) for node, p in _body_problems(desc, loop, width)]
    return found


def _line(lines: list[str], start: int, node) -> int:
    """The first line from ``start`` (the loop's) holding ``node``'s NMODL text, spaces ignored (the
    framework prints ``x = x+a1`` where the file may have ``x = x + a1``); else ``start``."""
    from excitable.io.nmodl.parse import dsl

    if node is None or not start:
        return start
    want = re.sub(r"\s+", "", dsl().to_nmodl(node).strip().splitlines()[0])
    return next((n for n, line in enumerate(lines[start - 1:], start) if want in re.sub(r"\s+", "", line)), start)


def _draws(desc, name: str) -> bool:
    """Whether calling ``name`` draws a random number (random_draws.py): directly, or a FUNCTION of
    the file whose text calls a draw."""
    from excitable.io.nmodl import random_draws
    from excitable.io.nmodl.parse import dsl

    if name in random_draws.CALLS or name in random_draws.RANDOM_CALLS:
        return True
    draws = "|".join([*random_draws.CALLS, *random_draws.RANDOM_CALLS])
    return name in desc.functions and bool(re.search(rf"\b({draws})\s*\(", dsl().to_nmodl(desc.functions[name])))


def _body_problems(desc, loop, width: int) -> list[tuple[object, str]]:
    """(node or None, in words) of what one FOR_NETCONS's body does that the masked update does not run."""
    from neuron.nmodl import ast, visitor

    lookup = visitor.AstLookupVisitor().lookup
    params = [p.get_node_name() for p in loop.parameters]
    if len(params) > width:
        return [(None, f"FOR_NETCONS with {len(params)} arguments (NET_RECEIVE has {width})")]
    if inner := loops(loop.statement_block):
        return [(inner[0], "FOR_NETCONS nested in FOR_NETCONS")]
    out = []
    own = set(params) | {v.get_node_name() for st in lookup(loop.statement_block, ast.AstNodeType.LOCAL_LIST_STATEMENT)
                         for v in st.variables}
    for e in lookup(loop.statement_block, ast.AstNodeType.BINARY_EXPRESSION):
        if e.op.eval() == "=" and e.lhs.get_node_name() not in own:
            out.append((e, f"FOR_NETCONS assigning {e.lhs.get_node_name()!r} (its body may write only its arguments "
                           "and its own LOCALs)"))
    for call in lookup(loop.statement_block, ast.AstNodeType.FUNCTION_CALL):
        name = call.get_node_name()
        if name in EVENT_CALLS or name in desc.procedures:
            out.append((call, f"FOR_NETCONS calling {name}() (it would act once per NetCon)"))
        elif _draws(desc, name):  # one draw per NetCon in NEURON; the masked update would share one
            out.append((call, f"FOR_NETCONS calling {name}() (a random draw per NetCon)"))
    out += [(w, "WATCH inside FOR_NETCONS") for w in lookup(loop.statement_block, ast.AstNodeType.WATCH_STATEMENT)]
    return out
