"""NMODL ``FROM i = a TO b BY c`` loops whose bounds a or b are known only in the run (a STATE, an
ASSIGNED, a PARAMETER a block assigns): OSB GranCellSolinasEtAl10's GRANULE_Ampa_det_vi.mod sums its
releases ``FROM i = cntc TO numpulses`` over ``PRE[fmod(i, 100)]``.

NEURON's nocmodl writes every FROM loop as C over an ``int`` of its own, whatever the bounds (checked
with NEURON 9.0.2's nocmodl, a LOCAL of the loop's name declared or not)::

    {int _li; for (_li = ((int) a); _li <= ((int) b); _li += c) { ... }}

so per instance the loop runs ``floor((trunc(b) - trunc(a)) / c) + 1`` times where trunc(b) >=
trunc(a), no time otherwise, the body reading ``(double) i``; after the loop a LOCAL of that name is
its value from before (the int shadows it).

A traced run needs a number of trips known when it is built. Here it is the size N of an array the
loop variable indexes in the body, directly (``x[i - 1]``) or through a LOCAL the body sets from it
(GRANULE's ``fi = fmod(i, 100)``): a loop that keeps such an index of step 1 or more in range runs at
most N times. The body then runs N times in a ``lax.fori_loop`` (jit, vmap and grad: a scan of fixed
length), trip k only where k is below the instance's own count (a mask per instance), the variables
it writes carried between trips. An instance whose loop would need more than N trips, or whose bound
is not finite (C's ``(int)`` of it is undefined), is counted in runtime_index.OUT_OF_RANGE (its
excess trips index past the array for ``x[i + c]``) and every variable the loop writes is NaN there,
as runtime_index does for an index past the array: never a plausible number. A mechanism that carries
the count where the loop runs (a SOLVE'd block's) has its run refused after it in one line
(engine/counts.index_message, naming this loop's file:line); in a density mechanism's BREAKPOINT, whose
count is not carried, the NaN stops the run at that step (engine/health.py's one line). A loop whose
variable indexes no array has no such bound and is refused with its line, as are a BY known only in
the run, a BY of 0 or less (C's loop never ends where its start is not past its end), and a body that
solves, draws or sends events (what a masked trip cannot hold).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.runtime_index import OUT_OF_RANGE, _count, array_size, site

#: Calls a masked trip cannot repeat (events sent, numbers drawn: their order and count are NEURON's).
_NOT_IN_BODY = {"net_send", "net_event", "net_move", "state_discontinuity", "set_seed"}
#: Statements that hand equations to a solver, not values a trip can carry.
_SOLVING = ("DIFF_EQ_EXPRESSION", "LIN_EQUATION", "NON_LIN_EQUATION", "SOLVE_BLOCK", "CONSERVE",
            "REACTION_STATEMENT", "FOR_NETCON")


def trip_bound(compiler, st) -> tuple[int | None, str]:
    """(the most trips a run-time FROM loop ``st`` can make in range: the largest array its variable
    indexes in the body, directly or through LOCALs the body sets from it; None with the reason where
    no bound exists or the body cannot run as masked trips)."""
    from neuron.nmodl import ast, visitor

    from excitable.io.nmodl import random_draws

    lookup = visitor.AstLookupVisitor().lookup
    body = st.statement_block
    for kind in _SOLVING:
        if hasattr(ast.AstNodeType, kind) and lookup(body, getattr(ast.AstNodeType, kind)):
            return None, "its body solves equations"
    called = _calls(compiler, body, lookup, ast)
    barred = _NOT_IN_BODY | set(random_draws.CALLS) | set(random_draws.RANDOM_CALLS)
    if called & barred:
        return None, f"its body calls {min(called & barred)}()"
    names = lambda node: {n.get_node_name() for n in lookup(node, ast.AstNodeType.NAME)} | (
        {node.get_node_name()} if node.is_name() or node.is_var_name() else set())
    derived = {st.get_node_name()}
    sets = [(e.lhs.get_node_name(), names(e.rhs)) for e in lookup(body, ast.AstNodeType.BINARY_EXPRESSION)
            if e.op.eval() == "=" and (e.lhs.is_var_name() or e.lhs.is_name())]
    grown = True
    while grown:  # a LOCAL set from the variable, or from one set from it, indexes as the variable does
        grown = False
        for lhs, rhs in sets:
            if lhs not in derived and rhs & derived:
                derived.add(lhs)
                grown = True
    sizes = [array_size(x.get_node_name(), compiler.known) for x in lookup(body, ast.AstNodeType.INDEXED_NAME)
             if names(x.length) & derived]
    sizes = [n for n in sizes if n]
    if not sizes:
        return None, "its variable indexes no array in the body (no bound on its trips)"
    return max(sizes), ""


def _calls(compiler, node, lookup, ast) -> set[str]:
    """Every function called in ``node`` and in the FUNCTIONs and PROCEDUREs it calls."""
    seen, todo = set(), [node]
    while todo:
        for call in lookup(todo.pop(), ast.AstNodeType.FUNCTION_CALL):
            name = call.get_node_name()
            if name not in seen:
                seen.add(name)
                block = compiler.functions.get(name) or compiler.procedures.get(name)
                if block is not None:
                    todo.append(block.statement_block)
    return seen


def from_run(compiler, st, scope, name: str, body, a, b, c) -> None:
    """Run the FROM loop ``st`` (``body`` compiled) at bounds ``a``, ``b`` of which one is known only
    in the run, or refuse it with its line (``compiler.fail``) saying which bound is missing."""
    if not isinstance(c, (int, float)):
        compiler.fail("FROM loop whose BY is known only in the run", st)
    if int(c) <= 0:  # C's int step: a loop whose start is not past its end would never end
        compiler.fail(f"FROM loop with bounds known only in the run and BY {c:g} (as C's int {int(c)}): it never "
                      "ends where its start is not past its end", st)
    bound, why = trip_bound(compiler, st)
    if bound is None:
        compiler.fail(f"FROM loop with bounds known only in the run where {why}", st)
    run(scope, name, body, a, b, int(c), bound, site(compiler.path, st))


def run(scope, name: str, body, a, b, step: int, bound: int, where) -> None:
    """``FROM name = a TO b BY step`` with ``a`` or ``b`` per instance: ``bound`` masked trips of
    ``body`` (a compiled block), the variables it writes carried; an instance needing more trips, or
    with a bound that is not finite, counted in OUT_OF_RANGE (``where``: the loop's runtime_index.Site)."""
    a = jnp.trunc(jnp.asarray(materialize(a), dtype=float))  # C's (int): toward zero
    b = jnp.trunc(jnp.asarray(materialize(b), dtype=float))
    finite = jnp.isfinite(a) & jnp.isfinite(b)
    start, end = jnp.where(finite, a, 0.0), jnp.where(finite, b, -1.0)
    need = jnp.where(end >= start, jnp.floor((end - start) / step) + 1.0, 0.0)
    str(where)  # registers the loop's file:line for the refusal (counts.INDEX_SITES)
    _count(scope.glob, ~finite | (need > bound))
    before = scope.local.get(name)

    def trip(values, i):
        inner = scope.copy()
        for key, value in values.items():
            (inner.local if key in local_keys else inner.glob)[key] = value
        for key, value in inner.glob.items():  # the shared exponentials: a trip's own, not carried out
            if isinstance(value, dict):
                inner.glob[key] = dict(value)
        inner.local[name] = i
        body(inner)
        return inner

    local_keys, values = set(scope.local), {}
    for _ in range(3):  # which variables a trip writes, at which shape (a carried value may widen them)
        probe = trip(values, start)
        written = {k for part, old in ((probe.local, scope.local), (probe.glob, scope.glob)) for k, x in part.items()
                   if k != name and not isinstance(x, dict) and (k not in old or x is not old[k])}
        local_keys = set(scope.local) | {k for k in written if k in probe.local}
        shapes = {k: (jnp.shape(need), jnp.shape(materialize(probe.get(k))),
                      jnp.shape(materialize(values.get(k, _start(scope, k))))) for k in written}
        widened = {k: jnp.broadcast_to(jnp.asarray(materialize(values.get(k, _start(scope, k))), dtype=float),
                                       jnp.broadcast_shapes(*s)) for k, s in shapes.items()}
        if set(widened) == set(values) and all(widened[k].shape == values[k].shape for k in values):
            break
        values = widened

    def one(k, carried):
        inner = trip(carried, start + k * step)
        live = k < need
        return {key: jnp.broadcast_to(jnp.where(live, materialize(inner.get(key)), old), old.shape).astype(old.dtype)
                for key, old in carried.items()}

    out = jax.lax.fori_loop(0, bound, one, values)
    bad = ~finite | (need > bound)
    for key, value in out.items():  # an instance whose trips were cut short: NaN, never a plausible number
        value = value if key == OUT_OF_RANGE else jnp.where(bad, jnp.nan, value)
        (scope.local if key in local_keys else scope.glob)[key] = value
    if before is None:
        scope.local.pop(name, None)
    else:
        scope.local[name] = before


def _start(scope, key):
    """A variable's value before the loop: a LOCAL or ASSIGNED the body introduces starts at 0."""
    return scope.local.get(key, scope.glob.get(key, 0.0))
