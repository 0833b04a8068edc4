"""NMODL NONLINEAR blocks: a system of equations in STATE variables, solved per site by NEURON's
own Newton loop.

``NONLINEAR name [SOLVEFOR x, y] { ~ f(x, y) = g(x, y) ... }`` is solved where a ``SOLVE name``
(no METHOD, or METHOD newton) stands: in INITIAL where the statement is (``finitialize``), in
BREAKPOINT at every step in ``nrn_state`` at the new V (nocmodl 9.0.2's generated code, read:
``nrn_cur`` does not solve it); the same in a POINT_PROCESS and in an ARTIFICIAL_CELL's INITIAL
(whose BREAKPOINT NEURON never runs: linear.py). What nocmodl generates (checked on
tests/reference/mod/nm_nonlinear_*.mod, tests/io/nmodl/mod_events/pp_nonlinear.mod):

- a C function running the whole block, which stores each equation's residual ``rhs - lhs`` in
  order; scopmath's ``newton`` (newton.hpp, the loop derivimplicit's newton_thread.hpp also runs:
  Jacobian by central differences rebuilt after a large step, stop once the relative change is
  <= 1e-6 and every residual <= 1e-8, at most 50 iterations, else ``abort_run``) calls it with the
  unknowns themselves (the STATE storage) set to each trial x, starting from their present values
  (the last step's solution; in INITIAL what the statements before the SOLVE left, 0 by default);
- the unknowns are the STATEs that appear in the equations (those of SOLVEFOR where it is given: a
  SOLVEFOR name that is no STATE is not counted), a whole array where one element appears, in the
  order of nocmodl's symbol list (names sorted as C's strcmp sorts them, array elements in order);
- a ``~+`` equation adds its residual to the one before it (``_dlist1[_counte] +=``: linear.py);
- there must be as many equations as unknowns (nocmodl refuses the file otherwise); unlike LINEAR,
  a state may appear anywhere, in products, powers or function calls; ``METHOD derivimplicit`` and
  the others are refused ("can't be used with Block").

Here ``solve`` evaluates the block with the unknowns set to x (so a FUNCTION reading a state sees
x, as in NEURON's C), residuals ``rhs - lhs`` recorded by ``System`` as tuples of site arrays, and
runs ``solvers.newton_loop`` (derivimplicit's loop, NEURON's to round-off): IMPLICIT_ITERATIONS
traced in BREAKPOINT, all of MAXITERS as a loop in INITIAL; a site where NEURON would iterate on is
counted in ``UNCONVERGED`` and engine.run refuses the run in one line (NEURON aborts it). Refused
with ``file:line`` when the file is read (``problems``): a count of equations unlike the unknowns',
an equation inside ``if`` (its residual would be stale where the branch is not taken), a METHOD
other than newton, STEADYSTATE on it, a leading ``~+``.

The block's code runs at every evaluation of the Newton loop in NEURON (its C function is the
residual), here at every evaluation from the scope's values: the same for a LOCAL or a variable set
from others (``T = T0*exp(...)``), not for one the block sets from a value it read before
(``x = x + 1`` moves on at each of NEURON's evaluations): refused with its line (``_rerun_problems``).
"""

from __future__ import annotations

import re

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.io.nmodl import linear
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.expressions import EXP_CACHE
from excitable.io.nmodl.includes import located
from excitable.io.nmodl.solvers import INITIAL_MARK, MAXITERS, _count, _present, newton_loop

#: The METHODs nocmodl accepts on a SOLVE of a NONLINEAR block ("": none given).
METHODS = ("", "newton")


def equations(block) -> list:
    """(NonLinEquation node, inside an ``if``) of a NONLINEAR block, in the order of the file."""
    return linear.equations(block)


def unknowns(desc, name: str) -> tuple[str, ...]:
    """The block's unknowns in nocmodl's order: the STATEs in its equations (of SOLVEFOR where
    given), sorted by name as C's strcmp sorts them (ASCII: "Mid" before "alpha"), arrays whole."""
    from excitable.io.nmodl.parse import dsl

    block = desc.nonlinears[name]
    solvefor = {n.get_node_name() for n in block.solvefor} if block.solvefor else None
    bases: set[str] = set()
    for eq, _ in equations(block):
        for side in (eq.lhs, eq.rhs):
            for word in re.findall(r"\b[A-Za-z_]\w*\b", dsl().to_nmodl(side)):
                if solvefor is None or word in solvefor:
                    if word in desc.states or f"{word}[0]" in desc.states:
                        bases.add(word)
    out: list[str] = []
    for word in sorted(bases):
        out += [word] if word in desc.states else [f"{word}[{i}]" for i in range(desc.arrays.get(word, 0))]
    return tuple(out)


def _initial_solves(desc):
    """The SOLVE statements directly in INITIAL that name a NONLINEAR block."""
    out = []
    for st in desc.initial.statement_block.statements if desc.initial is not None else ():
        e = st.expression if st.is_expression_statement() else st
        if e.is_solve_block() and e.block_name.get_node_name() in desc.nonlinears:
            out.append(e)
    return out


def solved_in_initial(desc) -> tuple[str, ...]:
    """The NONLINEAR blocks a ``SOLVE name`` (no STEADYSTATE) of INITIAL names, in order."""
    return tuple(e.block_name.get_node_name() for e in _initial_solves(desc) if e.steadystate is None)


def flagged(desc) -> bool:
    """Whether a mechanism solves a NONLINEAR block (so carries the UNCONVERGED count)."""
    return any(b in desc.nonlinears for b, _ in desc.solves) or bool(solved_in_initial(desc))


def count_message(name: str, n_equations: int, unk) -> str:
    return linear.count_message(name, n_equations, unk, "NONLINEAR")


def problems(desc, lines) -> list[tuple[int, str]]:
    """(line, what) of each NONLINEAR block or SOLVE of one that NEURON refuses or excitable does
    not run (``unsupported.find`` reports them); ``lines``: the file's code, comments blanked. The
    same in a point process or artificial cell: the blocks run there too."""
    found = []
    for name, block in desc.nonlinears.items():
        head, eq_lines = desc.nonlinear_lines.get(name, (0, ()))
        found += linear.continuation_problems(desc, name, eq_lines, head, "NONLINEAR")
        found += _rerun_problems(name, lines, head)
        eqs, unk = equations(block), unknowns(desc, name)
        for k, (_, in_if) in enumerate(eqs):
            if in_if:
                found.append((eq_lines[k] if k < len(eq_lines) else head, f"an equation inside if in NONLINEAR {name}"))
        has_loop = any(st.is_from_statement() for st in block.statement_block.statements)
        rows = len(eqs) - len(desc.continued.get(name, set()) - {0})  # a `~+` adds to the residual before it
        if not has_loop and rows != len(unk):  # with FROM loops: counted when traced (solve)
            found.append((head, count_message(name, rows, unk)))
    solve_line = {}
    for i, text in enumerate(lines):
        for m in re.finditer(r"\bSOLVE\s+(\w+)", text):
            solve_line.setdefault(m.group(1), i + 1)
    for block, method in desc.solves:
        if block in desc.nonlinears and method not in METHODS:
            found.append((solve_line.get(block, 0), f"SOLVE {block} METHOD {method} (a NONLINEAR block: NEURON takes newton only)"))
    for e in _initial_solves(desc):
        name = e.block_name.get_node_name()
        if e.steadystate is not None:
            found.append((solve_line.get(name, 0), f"SOLVE {name} STEADYSTATE (a NONLINEAR block)"))
        elif e.method is not None and e.method.get_node_name() not in METHODS:
            found.append((solve_line.get(name, 0), f"SOLVE {name} METHOD {e.method.get_node_name()} (a NONLINEAR block: NEURON takes newton only)"))
    return found


def _rerun_problems(name: str, lines, head: int) -> list[tuple[int, str]]:
    """(line, what) of each statement of NONLINEAR ``name`` (``head``: its header's line in
    ``lines``) setting a variable that is not LOCAL (nor set by the block before any read of it)
    from a value the block read before (or reads there): NEURON re-runs the block's code at every
    Newton evaluation, so it would move on at each."""
    found, seen, local, depth = [], "", set(), 0
    for i in range(head - 1, len(lines) if head else 0):
        text = lines[i].split("{", 1)[1] if i == head - 1 and "{" in lines[i] else lines[i]
        depth += lines[i].count("{") - lines[i].count("}")
        m = re.match(r"\s*LOCAL\s+(.*)", text)
        if m:
            local |= set(re.findall(r"[A-Za-z_]\w*", m.group(1)))
        elif "~" not in text:
            for x in re.finditer(r"(?<!FROM )\b([A-Za-z_]\w*)\s*=(?!=)", text):
                word = rf"\b{re.escape(x.group(1))}\b"
                read = re.search(word, text[x.end():]) or re.search(word, seen)
                if x.group(1) not in local and read:
                    found.append((i + 1, (f"NONLINEAR {name} setting {x.group(1)} from its own earlier value "
                                          "(NEURON re-runs the block at each Newton evaluation)")))
                elif not read:  # set before any read: the same at every evaluation, like a LOCAL
                    local.add(x.group(1))
        seen += "\n" + text
        if depth <= 0 and i >= head - 1 and "}" in lines[i]:
            break
    return found


class System:
    """The solver a NONLINEAR block runs with: each ``~ lhs = rhs`` records its residual, rhs - lhs
    as nocmodl's generated ``_dlist`` holds it, at the block's values where it is reached; a ``~+``
    one (its place in ``continued``) adds its own to the residual before it (nocmodl's
    ``_dlist1[_counte] += -(lhs) + rhs``)."""

    def __init__(self, continued=frozenset()):
        self.rows, self.continued = [], continued

    def linear(self, scope, index, lhs, rhs):
        residual = materialize(rhs(scope)) - materialize(lhs(scope))
        if index in self.continued and self.rows:
            self.rows[-1] = self.rows[-1] + residual
        else:
            self.rows.append(residual)

    def equation(self, scope, name, rhs, guard=True):
        raise ModelError(f"an ODE ({name}') inside a NONLINEAR block")

    def conserve(self, scope, name, expr):
        raise ModelError(f"CONSERVE {name} inside a NONLINEAR block")


def compile_blocks(comp, desc) -> dict:
    """NONLINEAR block -> its compiled body (``run(scope)``)."""
    return linear.compile_blocks(comp, desc, desc.nonlinears)


def solve(run_block, scope, desc, name: str, unk: tuple[str, ...], initial: bool = False) -> None:
    """Solve NONLINEAR ``name`` (compiled as ``run_block``) in ``scope`` by NEURON's Newton loop
    from the unknowns' present values: the unknowns are set to the solution, what the block assigns
    as it ran there last; where NEURON would iterate on, counted (``INITIAL_MARK`` in INITIAL)."""
    start = _present(scope, unk)
    shape, dtype = start[0].shape, start[0].dtype
    head = desc.nonlinear_lines.get(name, (0, ()))[0]

    def evaluate(x, sc):
        trial = sc.copy()
        trial.glob[EXP_CACHE] = dict(sc.glob.get(EXP_CACHE, {}))  # its own: no tracer leaks out
        for n, xx in zip(unk, x):  # the states themselves (NEURON's newton moves their storage)
            trial.set(n, xx)
        trial.solver = system = System(desc.continued.get(name, frozenset()))
        run_block(trial)
        if len(system.rows) != len(unk):
            raise ModelError(f"{located(desc.path, head)}: {count_message(name, len(system.rows), unk)} not supported")
        return tuple(jnp.broadcast_to(r, shape).astype(dtype) for r in system.rows), trial

    # INITIAL runs once: all of NEURON's MAXITERS, as a loop; a step: IMPLICIT_ITERATIONS unrolled
    loop = (MAXITERS, True) if initial else ()
    x, running = newton_loop(lambda y, sc=scope: evaluate(y, sc)[0], scope, start, *loop)
    _, final = evaluate(x, scope)
    final.glob.pop(EXP_CACHE, None)  # the scope keeps its own cache
    scope.glob.update(final.glob)
    _count(scope, running, INITIAL_MARK if initial else 1.0)
