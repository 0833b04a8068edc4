"""NMODL LINEAR blocks: a system of linear equations in STATE variables, solved per site.

``LINEAR name { ~ a*x + b*y = c ... }`` is solved where a SOLVE names it (with no METHOD): in
INITIAL once (``finitialize``; Khaliq & Raman's resurgent Na channel starts its 13 states so), in
BREAKPOINT at every step, in ``nrn_state`` at the new V (nocmodl's generated code, checked: neither
``nrn_init`` nor ``nrn_cur`` solves it). The same in a POINT_PROCESS (its ``advance``, both the
``on_events`` and the event path: ``events.state_solve``) and in an ARTIFICIAL_CELL's INITIAL; NEURON
never calls an ARTIFICIAL_CELL's ``nrn_state`` (checked with NEURON 9.0.2: the cell is in no node's
list), so a SOLVE in its BREAKPOINT never runs, here neither (artificial.py). NEURON's rules
(nocmodl ``simultan.cpp``):

- the unknowns are the STATE variables that appear in the block's ``~`` equations (those of its
  SOLVEFOR list where it has one), a whole array where one of its elements appears; a STATE that
  appears nowhere in them is an ordinary variable there;
- the block's other statements run in order, as code: a state they read has its value from before
  the solve; each equation is a row, its unknowns' coefficients and the rest; a ``~+`` equation
  adds its terms to the row before it (nocmodl's C: no new row), so it is not counted; NEURON's
  NMODL parser reads ``~+`` as ``~`` (a NonLinEquation node), so the places of the ``~+`` ones come
  from the file's text (``Description.continued``); a block that opens with ``~+`` is refused;
- there must be as many equations as unknowns (nocmodl refuses the file otherwise), each term may
  hold one unknown at most ("more than one state in preceding term") and no unknown may be an
  argument of a function call ("states not permitted in function calls": a FUNCTION the equation
  calls reads the states as they are, like the block's code);
- the system is solved by Gaussian elimination with partial pivoting (scopmath ``simeq``).

Here each equation's residual r_i(x) = lhs - rhs is evaluated with the unknowns set to x (the
rest of the block's values as they were when the equation was reached), A = dr/dx by forward
mode and b = -r(0): exact for a linear system (``solvers.affine_root``: per site, unrolled over
the equations, so jit, vmap and grad go through it and it lowers for the GPU kernels). Refused with ``file:line`` when the file is
read (``problems``, from the AST, by nocmodl's rules): a number
of equations unlike the number of unknowns (with FROM loops: counted when traced, ``solve``), a
term with two unknowns (or a power, quotient or comparison of one), an unknown in a call; also an
equation inside ``if`` (NEURON counts it whether or not it runs), a METHOD on the SOLVE, a leading
``~+`` (nocmodl writes it before its first row). ``~+`` in a KINETIC block is refused by NEURON's
parser (a syntax error with its line; nocmodl: "equation addition can't occur in this type of
block"). Where the block is solved with
numbers (outside ``jit``), ``check`` verifies the result: the residual at a second point must be
A x1 + r(0) and the solution finite (a singular system, which NEURON's ``simeq`` stops on; under
``jit`` it gives NaN, which the engine's health check reports). It is not forced at load: running a
mechanism with numbers there cost 0.4-1.4 s of CPU for Narsg.mod (eager or compiled), where the
whole import takes 0.3 s, and the AST's check is already exact.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.expressions import EXP_CACHE
from excitable.io.nmodl.includes import located
from excitable.io.nmodl.solvers import _present, affine_root

#: The linearity check when a file is loaded: |r(x1) - (A x1 + r(0))| <= CHECK_RTOL x the row's
#: scale. Round-off in a row of k terms is ~k x 1e-16 of its scale; a term x*y or x^2 at x1 ~ 0.5
#: misses the linear prediction by ~0.1 of the scale: 1e-9 separates the two by orders of magnitude.
#: In float32 (eps 1.2e-7) round-off is ~k x 1e-7 (1.4e-8 found): there CHECK_EPS x eps, 7.6e-6.
CHECK_RTOL, CHECK_EPS = 1e-9, 64


def equations(block) -> list:
    """(equation node, inside an ``if``) of a LINEAR or NONLINEAR block, in the order of the file
    (NEURON's parser makes a ``~+`` equation of a LINEAR block a NonLinEquation node: both kinds)."""
    out = []

    def walk(statements, in_if):
        for st in statements:
            e = st.expression if st.is_expression_statement() else st
            if e.is_lin_equation() or e.is_non_lin_equation():
                out.append((e, in_if))
            elif e.is_statement_block():
                walk(e.statements, in_if)
            elif e.is_from_statement():
                walk(e.statement_block.statements, in_if)
            elif e.is_if_statement():
                walk(e.statement_block.statements, True)
                for b in e.elseifs:
                    walk(b.statement_block.statements, True)
                if e.elses is not None:
                    walk(e.elses.statement_block.statements, True)
    walk(block.statement_block.statements, False)
    return out


def unknowns(desc, name: str) -> tuple[str, ...]:
    """The block's unknowns in NEURON's order (first appearance in its equations, lhs then rhs)."""
    from excitable.io.nmodl.parse import dsl

    block = desc.linears[name]
    solvefor = {n.get_node_name() for n in block.solvefor} if block.solvefor else None
    out: list[str] = []
    for eq, _ in equations(block):
        for side in (eq.lhs, eq.rhs):
            for word in re.findall(r"\b[A-Za-z_]\w*\b", dsl().to_nmodl(side)):
                if solvefor is not None and word not in solvefor:
                    continue
                names = ([word] if word in desc.states else
                         [f"{word}[{i}]" for i in range(desc.arrays.get(word, 0)) if f"{word}[0]" in desc.states])
                out += [n for n in names if n not in out]
    return tuple(out)


def solved_in_initial(desc) -> tuple[str, ...]:
    """The LINEAR blocks a ``SOLVE name`` (no STEADYSTATE) of INITIAL names, in order."""
    out = []
    for st in desc.initial.statement_block.statements if desc.initial is not None else ():
        e = st.expression if st.is_expression_statement() else st
        if e.is_solve_block() and e.steadystate is None and e.block_name.get_node_name() in desc.linears:
            out.append(e.block_name.get_node_name())
    return tuple(out)


def _degree(e, unknown: set) -> int | None:
    """The degree of an expression in the unknowns: 0, 1, 2 (not linear), None (a call with an
    unknown in its arguments, which nocmodl refuses: "states not permitted in function calls")."""
    if e.is_paren_expression() or e.is_wrapped_expression():
        return _degree(e.expression, unknown)
    if e.is_var_name() or e.is_name():
        return 1 if e.get_node_name() in unknown else 0
    if e.is_unary_expression():
        return _degree(e.expression, unknown)
    if e.is_function_call():
        args = [_degree(a, unknown) for a in e.arguments]
        return 0 if all(a == 0 for a in args) else None
    if not e.is_binary_expression():
        return 0
    a, b, op = _degree(e.lhs, unknown), _degree(e.rhs, unknown), e.op.eval()
    if a is None or b is None:
        return None
    if op in ("+", "-"):
        return max(a, b)
    if op == "*":
        return a + b
    if op == "/":
        return a if b == 0 else 2
    return 0 if a == b == 0 else 2  # ^, comparisons, && ||


def problems(desc) -> list[tuple[int, str]]:
    """(line, what) of each LINEAR block NEURON would refuse or excitable does not run, read from
    the AST (``unsupported.find`` reports them); in a point process or artificial cell as in a
    density mechanism (the blocks run there too)."""
    found = []
    for name, block in desc.linears.items():
        head, lines = desc.linear_lines.get(name, (0, ()))
        found += continuation_problems(desc, name, lines, head)
        eqs, unk = equations(block), unknowns(desc, name)
        names = {u.split("[")[0] for u in unk}
        for k, (eq, in_if) in enumerate(eqs):
            line, degrees = lines[k] if k < len(lines) else head, (_degree(eq.lhs, names), _degree(eq.rhs, names))
            if in_if:
                found.append((line, f"an equation inside if in LINEAR {name}"))
            elif None in degrees:
                found.append((line, f"a STATE in a function call's arguments in LINEAR {name} (nocmodl refuses it too)"))
            elif max(degrees) > 1:
                found.append((line, f"an equation not linear in the unknowns ({', '.join(unk)}) of LINEAR {name}"))
        has_loop = any(st.is_from_statement() for st in block.statement_block.statements)
        rows = len(eqs) - len(desc.continued.get(name, set()) - {0})  # a `~+` adds to the row before it
        if not has_loop and rows != len(unk):  # with FROM loops: counted when traced (solve)
            found.append((head, count_message(name, rows, unk)))
    return found


def continuation_problems(desc, name: str, lines, head: int, kind: str = "LINEAR") -> list[tuple[int, str]]:
    """A ``~+`` that is the block's first equation: nocmodl compiles it into a write before its
    first row (C's ``_coef1[-1]``), which no run can mean; refused."""
    if 0 not in desc.continued.get(name, ()):
        return []
    return [(lines[0] if lines else head, f"~+ as the first equation of {kind} {name} (it adds to the equation before it)")]


def count_message(name: str, n_equations: int, unk, kind: str = "LINEAR") -> str:
    """Why a block (``kind``: LINEAR or NONLINEAR) with ``n_equations`` for ``unk`` is refused."""
    return (f"{kind} {name} with {n_equations} equation{'s' if n_equations != 1 else ''} for {len(unk)} "
            f"unknowns ({', '.join(unk) or 'none'}: the STATE variables in its equations; NEURON needs as many)")


class System:
    """The solver a LINEAR block runs with: each ``~`` equation is recorded as a row of parts (its
    place in the block, the block's values as they are there, and its two sides); a ``~+`` one
    (its place in ``continued``) is one more part of the row before it, as nocmodl adds its terms
    to that row (``_coef1[_counte]`` without ``++_counte``)."""

    def __init__(self, continued=frozenset()):
        self.rows, self.continued = [], continued

    def linear(self, scope, index, lhs, rhs):
        part = (index, scope.copy(), lhs, rhs)
        if index in self.continued and self.rows:
            self.rows[-1].append(part)
        else:
            self.rows.append([part])

    def equation(self, scope, name, rhs, guard=True):
        raise ModelError(f"an ODE ({name}') inside a LINEAR block")

    def conserve(self, scope, name, expr):
        raise ModelError(f"CONSERVE {name} inside a LINEAR block")


def compile_blocks(comp, desc, blocks=None) -> dict:
    """LINEAR block (or each of ``blocks``: name -> block) -> its compiled body (``run(scope)``),
    each equation numbered in its block."""
    out = {}
    for name, block in (desc.linears if blocks is None else blocks).items():
        comp.lin_index = 0
        out[name] = comp.block(block.statement_block)
    return out


def solve(run_block, scope, desc, name: str, unk: tuple[str, ...]) -> None:
    """Solve LINEAR ``name`` (compiled as ``run_block``) in ``scope``: the unknowns ``unk`` are set
    to the solution, per site; what the block assigns stays as it ran."""
    system, inner = System(desc.continued.get(name, frozenset())), scope.copy()
    inner.solver = system
    run_block(inner)
    scope.glob.update(inner.glob)
    head, lines = desc.linear_lines.get(name, (0, ()))
    if len(system.rows) != len(unk):
        raise ModelError(f"{located(desc.path, head)}: {count_message(name, len(system.rows), unk)} not supported")
    start = _present(scope, unk)
    shape, dtype = start[0].shape, start[0].dtype

    def residual(x):
        rows = []
        for parts in system.rows:
            total = 0.0
            for _, snap, lhs, rhs in parts:  # one part, or the equation and its `~+` continuations
                trial = snap.copy()
                trial.glob[EXP_CACHE] = dict(snap.glob.get(EXP_CACHE, {}))  # its own: no tracer leaks out
                # as locals: the equation's own names see x, a FUNCTION it calls reads the states as
                # they are (NEURON's C: only the names in the equation are the unknowns)
                trial.local.update(zip(unk, x))
                total = total + (materialize(lhs(trial)) - materialize(rhs(trial)))
            rows.append(jnp.broadcast_to(total, shape).astype(dtype))
        return tuple(rows)  # a tuple of site arrays, never stacked (solvers.site_systems: GPU kernels)

    zero = tuple(jnp.zeros(shape, dtype) for _ in unk)
    x, jac, r0 = affine_root(residual, zero)
    if not isinstance(r0[0], jax.core.Tracer):  # run with numbers (not under jit): checked
        check(residual, jac, r0, x, desc.path, name, [lines[p[0][0]] if p[0][0] < len(lines) else head for p in system.rows])
    for n, xx in zip(unk, x):
        scope.set(n, xx)


def check(residual, jac, r0, x, path, name: str, row_lines) -> None:
    """Refuse a system that is not linear in its unknowns (the residual at a second point, x1,
    must be A x1 + r(0) to CHECK_RTOL of the row's scale) or that has no unique solution."""
    n = len(row_lines)
    r0, jac = np.asarray(r0), np.asarray(jac)  # tuples of site arrays (affine_root), stacked with numbers
    x1 = tuple(jnp.full(r0.shape[1:], 0.5 + 0.37 * k / max(n, 1), r0.dtype) for k in range(n))  # generic, O(1)
    r1 = np.asarray(residual(x1))
    terms = jac * np.stack([np.asarray(a) for a in x1])[None]  # (i, k, *sites)
    predicted = r0 + terms.sum(axis=1)
    scale = np.maximum(np.abs(r0) + np.abs(terms).sum(axis=1), np.abs(r1)) + 1e-300
    off = np.abs(r1 - predicted) / scale
    rtol = max(CHECK_RTOL, CHECK_EPS * float(np.finfo(r0.dtype).eps))
    bad = np.flatnonzero(np.max(off.reshape(n, -1), axis=1) > rtol)
    if bad.size:
        raise ModelError(f"{located(path, row_lines[bad[0]])}: an equation not linear in the unknowns of LINEAR {name} "
                         f"(off its linear part by {float(np.max(off[bad[0]])):.2g} of its scale) not supported")
    if not all(np.all(np.isfinite(np.asarray(a))) for a in x):
        raise ModelError(f"{located(path, row_lines[0])}: LINEAR {name} has no unique solution (a singular system; "
                         "NEURON's simeq stops the run) not supported")
