"""NEURON's NMODL AST compiled into Python closures over ``jax.numpy`` (no code is generated as
text and nothing from the file is executed): each statement becomes a function of a ``Scope``.
The closures run when JAX traces a mechanism, so under ``jit`` they cost nothing at run time.

Semantics are NMODL's: LOCAL variables start at 0; FUNCTION arguments are local copies and the
function's value is the variable named after it; PROCEDUREs write the mechanism's variables;
``if`` with a condition known when the file is read (a literal argument such as ``alp(v, 0)``)
takes one branch, otherwise both branches run and each variable is chosen per site
(``jnp.where``: the result of the branch NEURON would take); ``FROM i = a TO b`` loops whose
bounds are numbers when traced (fixed PARAMETERs too: loop_bounds.py) are unrolled, as nocmodl's
C loop runs them, others run as masked trips (runtime_loops.py); an array element chosen by a value known only in the run (``x[n]``, n a counter)
is chosen per instance, as NEURON's ``x[(int) n]`` (runtime_index.py). DERIVATIVE equations
(``x' = f``) are handed to the solver of the SOLVE statement (``solvers``), which is installed in
the scope; so are a LINEAR block's equations (``~ lhs = rhs``, ``linear``).
"""

from __future__ import annotations

import re

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError
from excitable.io.nmodl.affine import SharedExp, materialize
from excitable.io.nmodl.c_math import c_float as _c_float, hoc_exp, is_number as _is_number
from excitable.io.nmodl import random_draws, return_guards, runtime_index, runtime_loops
from excitable.io.nmodl.runtime_index import Element
from excitable.io.nmodl.return_guards import is_empty_verbatim, is_final_return
from excitable.io.nmodl.loop_bounds import c_loop

#: Mathematical functions of NMODL (C's libm, NEURON's exprelr).
BUILTINS = {
    "exp": jnp.exp, "log": jnp.log, "log10": jnp.log10, "fabs": jnp.abs, "sqrt": jnp.sqrt,
    "pow": jnp.power, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "tanh": jnp.tanh,
    "sinh": jnp.sinh, "cosh": jnp.cosh, "atan": jnp.arctan, "atan2": jnp.arctan2, "asin": jnp.arcsin,
    "acos": jnp.arccos, "floor": jnp.floor, "ceil": jnp.ceil, "fmod": jnp.fmod, "fmin": jnp.minimum,
    "fmax": jnp.maximum, "expm1": jnp.expm1,
    # NEURON's exprelr(x) = x / (exp(x) - 1), 1 at x = 0
    "exprelr": lambda x: jnp.where(jnp.abs(x) < 1e-5, 1.0 - x / 2.0,
                                   x / jnp.expm1(jnp.where(jnp.abs(x) < 1e-5, 1.0, x))),
}
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": _c_float(lambda a, b: a / b), "^": _c_float(lambda a, b: a ** b),
          ">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
          "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
MAX_DEPTH = 64
#: Where a trace keeps its shared exponentials (a mechanism-level entry no NMODL name can take).
EXP_CACHE = "__exp_cache__"


class Scope:
    """Variables visible to a statement: its block's locals, then the mechanism's variables
    (``glob``: parameters, ion values, states, assigned, v, celsius, dt). ``solver``: what a
    DERIVATIVE equation does in the SOLVE being run."""

    def __init__(self, local: dict, glob: dict, solver=None, depth: int = 0):
        self.local, self.glob, self.solver, self.depth = local, glob, solver, depth

    def get(self, name):
        if isinstance(name, Element):  # an element chosen in the run (runtime_index.py)
            return runtime_index.read(self.glob, [self.get(n) for n in name.names()], name)
        if name in self.local:
            return self.local[name]
        try:
            return self.glob[name]
        except KeyError:
            raise ModelError(f"variable {name!r} is used but never declared (PARAMETER, ASSIGNED, STATE "
                             "or LOCAL)") from None

    def set(self, name, value) -> None:
        if isinstance(name, Element):
            if name.unread:  # no block reads the array: only the index is checked (runtime_index.written_only)
                return runtime_index.check(self.glob, name)
            new = runtime_index.write(self.glob, [self.get(n) for n in name.names()], name, value)
            for n, x in zip(name.names(), new):
                self.set(n, x)
            return
        (self.local if name in self.local else self.glob)[name] = value

    def copy(self) -> "Scope":
        return Scope(dict(self.local), dict(self.glob), self.solver, self.depth)


#: glob key: the states' values when a linear KINETIC scheme's SOLVE began (``kinetic_present``).
PRESENT = "__kinetic_present__"


def kinetic_block(compiler, statement_block):
    """A KINETIC scheme linear in its states (parse.kinetic_is_linear) as ``run(scope)`` whose rate
    statements, those before its first reaction, read the states at their values when the SOLVE
    began (``scope.glob[PRESENT]``, set by ``kinetic_present``), whatever values the solver tries.
    NEURON's sparse matrix for such a scheme holds the rates as numbers, evaluated once at the step's
    start (its loop stops after one step): a rate that depends on a state (Destexhe's Ca-upregulated
    Ih, iar.mod: k3p = k4*(p1/Pc)^nexp) gets no derivative in the Jacobian, as here, and the
    gradient of a run still sees the rates' dependence on the states where NEURON evaluates them.
    A rate written inside a reaction, ``~ C <-> O (a0*(1 + k*P1), b)``, is differentiated, as
    nocmodl's matrix does (checked beside NEURON). Left as before: a nonlinear scheme, whose loop
    NEURON iterates with its rates re-evaluated at each iterate but not differentiated: both stop
    within its CONVERGE of the same states, by other iterates (2.5e-8 of O's range apart in a
    scheme ~ C + P1 <-> O + P1 whose rate reads P1, checked beside NEURON).
    Without PRESENT (INITIAL's STEADYSTATE: NEURON's _ss_sparse_thread iterates that loop to its
    end, to the scheme's steady state with every rate at it, as Newton's iterations here) the
    block runs as written."""
    from excitable.io.nmodl.parse import dsl

    statements = list(statement_block.statements)
    first = next((k for k, st in enumerate(statements)
                  if st.is_conserve() or "'" in dsl().to_nmodl(st)), len(statements))
    rates = [s for s in (compiler.statement(st, None) for st in statements[:first]) if s]
    rest = [s for s in (compiler.statement(st, None) for st in statements[first:]) if s]

    def run(scope):
        present = scope.glob.get(PRESENT)
        live = {n: scope.glob[n] for n in present} if present else {}
        scope.glob.update(present or {})
        for s in rates:
            s(scope)
        scope.glob.update(live)
        for s in rest:
            s(scope)
    return run


def kinetic_present(scope, states, solve) -> None:
    """Run ``solve()`` with the states' present values kept for ``kinetic_block``'s rates."""
    scope.glob[PRESENT] = {n: scope.glob[n] for n in states if n in scope.glob}
    solve()
    scope.glob.pop(PRESENT, None)


class Compiler:
    """Compiles statements and expressions of one file. ``functions``/``procedures``: the file's
    blocks by name; ``known``: every mechanism-level variable and constant name; ``function_tables``:
    name -> ``run(glob, args)`` of the file's FUNCTION_TABLEs (set by function_tables.prepared)."""

    function_tables: dict = {}

    def __init__(self, path: str, functions: dict, procedures: dict, known: set[str]):
        self.path, self.functions, self.procedures, self.known = path, functions, procedures, known
        self._compiled: dict[str, tuple] = {}
        self.exp = SharedExp()  # exponentials of a v + b share bases (affine.py)
        self.lin_index = 0  # the next `~` equation's place in its LINEAR block (linear.compile_blocks)
        self.nesting = 0  # statements being compiled around the present one (0: a block's top level)

    def fail(self, what: str, node=None):
        """A ModelError ``file:line: <construct in words> (<its text>) not supported`` (refusal_words)."""
        from excitable.io.nmodl.refusal_words import message

        raise ModelError(message(self.path, what, node))

    # ---- statements -------------------------------------------------------------------------
    def block(self, statement_block, solve=None, procedure=False):
        """A StatementBlock as one closure ``run(scope)``. ``solve``: what a SOLVE statement does
        here (None: nothing, as in BREAKPOINT, where NEURON advances states separately);
        ``procedure``: the body of a PROCEDURE or INITIAL, whose closing ``VERBATIM return 0; ENDVERBATIM``
        does nothing (anywhere else a return would change what runs, and the file is refused; an
        early-return guard at the top level: return_guards.py)."""
        statements = [st for st in statement_block.statements if not is_empty_verbatim(st)]
        if procedure and statements and is_final_return(statements[-1]):
            statements = statements[:-1]
        outer, self.nesting = self.nesting, 0 if procedure else self.nesting  # a PROCEDURE's body: a top level
        steps = [s for s in (self.statement(st, solve) for st in statements) if s]
        self.nesting = outer  # (a refusal raised here ends the compile: nothing to restore)

        def run(scope):
            for s in steps:
                s(scope)
        return run

    def statement(self, st, solve):
        """``st`` as ``run(scope)`` (None: nothing to run). At a block's top level, after an early-return
        guard, it runs only where the guard did not return (return_guards.after_guard)."""
        if st.is_verbatim() and (is_empty_verbatim(st) or return_guards.is_ion_copy(st)):
            return None  # no C runs; a copy of a READ ion variable changes nothing (verbatim_forms.py)
        top = self.nesting == 0
        if top and return_guards.is_return_guard(st):
            return return_guards.guard(self.expr(st.condition))
        self.nesting += 1
        step = self._statement(st, solve)
        self.nesting -= 1
        return return_guards.after_guard(step) if top and step else step

    def _statement(self, st, solve):
        if st.is_expression_statement():
            return self.expression_statement(st.expression, solve)
        if st.is_local_list_statement():
            names = [v.get_node_name() for v in st.variables]
            return lambda scope: scope.local.update(dict.fromkeys(names, 0.0))
        if st.is_if_statement():
            return self.if_statement(st, solve)
        if st.is_statement_block():
            return self.block(st, solve)
        if st.is_from_statement():
            return self.from_statement(st, solve)
        if st.is_conserve():
            name, expr = st.react.get_node_name(), self.expr(st.expr)
            return lambda scope: scope.solver.conserve(scope, name, expr)
        if st.is_protect_statement():
            return self.expression_statement(st.expression, solve)
        if (st.is_table_statement() or st.is_line_comment() or st.is_block_comment() or st.is_unit_state()
                or st.is_mutex_lock() or st.is_mutex_unlock() or st.is_lon_diffuse()):
            return None  # TABLE: rates exact (NEURON's tables: speed); LONGITUDINAL_DIFFUSION: engine.diffusion
        self.fail(st.get_node_type_name(), st)

    def expression_statement(self, e, solve):
        if e.is_solve_block():
            return None if solve is None else solve(e)
        if e.is_diff_eq_expression():
            eq = e.expression
            rhs = self.expr(eq.rhs)
            target = self.target(eq.lhs, named=True)
            prime = eq.lhs.name.name if eq.lhs.is_var_name() and eq.lhs.name.is_indexed_name() else \
                (eq.lhs.name if eq.lhs.is_var_name() else None)
            if prime is not None and prime.is_prime_name() and prime.order.eval() == 1:
                # B = d rhs / d x can be 0 only where x does not appear in the right-hand side
                # (directly, or through a call): only then does cnexp need its guard.
                from excitable.io.nmodl.parse import dsl

                text, base = dsl().to_nmodl(eq.rhs), eq.lhs.get_node_name()
                appears = re.search(rf"\b{re.escape(base)}\b", text) and not re.search(r"\b[A-Za-z_]\w*\s*\(", text)
                return lambda scope: scope.solver.equation(scope, target(scope), rhs, guard=not appears)
            self.fail("higher-order or non-ODE equation", e)
        if e.is_lin_equation() or e.is_non_lin_equation():  # `~ lhs = rhs`: a row (linear.py, nonlinear.py)
            lhs, rhs, index = self.expr(e.lhs), self.expr(e.rhs), self.lin_index
            self.lin_index += 1
            return lambda scope: scope.solver.linear(scope, index, lhs, rhs)
        if e.is_binary_expression() and e.op.eval() == "=":
            if not (e.lhs.is_var_name() or e.lhs.is_name()) or (e.lhs.is_var_name() and e.lhs.index is not None):
                self.fail("assignment to", e.lhs)
            target, rhs = self.target(e.lhs), self.expr(e.rhs)
            return lambda scope: scope.set(target(scope), rhs(scope))
        if e.is_statement_block():  # a nested block (KineticBlockVisitor's unrolled FROM loops)
            return self.block(e, solve)
        if e.is_function_call():  # a statement `at_time(t1)`: its value dropped, a no-op (event_checks.at_time_value)
            call = (lambda scope: None) if e.get_node_name() == "at_time" else self.expr(e)
            return lambda scope: call(scope)
        if e.is_wrapped_expression() or e.is_paren_expression():
            return self.expression_statement(e.expression, solve)
        self.fail(e.get_node_type_name(), e)

    def if_statement(self, st, solve):
        branches = [(self.expr(st.condition), self.block(st.statement_block, solve))]
        branches += [(self.expr(b.condition), self.block(b.statement_block, solve)) for b in st.elseifs]
        otherwise = self.block(st.elses.statement_block, solve) if st.elses is not None else None

        def run(scope, k=0):
            if k == len(branches):
                if otherwise is not None:
                    otherwise(scope)
                return
            cond_fn, body = branches[k]
            cond = materialize(cond_fn(scope))
            if isinstance(cond, (bool, np.bool_)):  # known when the file is read: one branch
                return body(scope) if cond else run(scope, k + 1)
            yes, no = scope.copy(), scope.copy()
            body(yes)
            run(no, k + 1)
            return_guards.merge(scope, cond, yes, no)
        return run

    def from_statement(self, st, solve):
        name, body = st.get_node_name(), self.block(st.statement_block, solve)
        lo, hi = self.expr(st.__getattribute__("from")), self.expr(st.to)
        inc = self.expr(st.increment) if st.increment is not None else (lambda scope: 1)

        def run(scope):
            a, b, c = lo(scope), hi(scope), inc(scope)
            if not all(isinstance(x, (int, float)) for x in (a, b, c)):  # known only in the run (runtime_loops)
                return runtime_loops.from_run(self, st, scope, name, body, a, b, c)
            try:
                values = c_loop(a, b, c)  # nocmodl's C loop over (int) bounds
            except ValueError as e:
                self.fail(str(e), st)
            scope.local.setdefault(name, 0.0)
            for i in values:
                scope.local[name] = i
                body(scope)
        return run

    # ---- expressions ------------------------------------------------------------------------
    def expr(self, e):
        if e.is_double() or e.is_integer() or e.is_float():
            value = float(e.eval())
            return lambda scope: value
        if e.is_double_unit():
            return self.expr(e.value)
        if e.is_var_name() or e.is_name():
            key = self.target(e)
            return lambda scope: scope.get(key(scope))
        if e.is_paren_expression() or e.is_wrapped_expression():
            return self.expr(e.expression)
        if e.is_unary_expression():
            inner, op = self.expr(e.expression), e.op.eval()
            if op == "-":
                return lambda scope: -inner(scope)
            return lambda scope: _not(inner(scope))
        if e.is_binary_expression():
            return self.binary(e)
        if e.is_function_call():
            return self.call(e)
        self.fail(e.get_node_type_name(), e)

    def target(self, e, named=False):
        """``scope -> variable name`` of a variable reference: ``x``, or ``x[i]`` for an array
        element (STATE/ASSIGNED arrays are stored element by element as "x[0]", "x[1]", ...). An
        index that is a number when the mechanism is traced (a literal, a DEFINE, a FROM loop's
        variable) names the element; one known only in the run (a counter, a PARAMETER) gives a
        ``runtime_index.Element`` that Scope.get and Scope.set choose per instance, as NEURON's
        ``x[(int) i]``. ``named``: a place that needs the element's name (a DERIVATIVE's ``x'[i]``),
        where a run-time index is refused with its line."""
        if e.is_var_name() and e.index is not None:
            self.fail("array variables", e)
        node = e.name if e.is_var_name() else e
        if not node.is_indexed_name():
            name = e.get_node_name()
            return lambda scope: name
        return runtime_index.key(self, e, self.expr(node.length), named)

    def _solve_in(self, name):
        """A SOLVE inside a FUNCTION or PROCEDURE (cabpump.mod's ``ss()``): refused when the
        function is called (an uncalled one is harmless), never skipped."""
        def solve(node):
            def run(scope):
                self.fail(f"SOLVE inside {name}()", node)
            return run
        return solve

    def binary(self, e):
        a, b, op = self.expr(e.lhs), self.expr(e.rhs), e.op.eval()
        if op in _ARITH:
            f = _ARITH[op]
            return lambda scope: f(a(scope), b(scope))
        if op == "&&":
            return lambda scope: _and(a(scope), b(scope))
        if op == "||":
            return lambda scope: _or(a(scope), b(scope))
        self.fail(f"operator {op}", e)

    def call(self, e):
        name = e.get_node_name()
        args = [self.expr(a) for a in e.arguments]
        if name in self.functions or name in self.procedures:
            return self.user_call(name, args, e)
        if name in self.function_tables:  # FUNCTION_TABLE: interpolated from the fields (function_tables.py)
            table = self.function_tables[name]
            return lambda scope: table(scope.glob, [a(scope) for a in args])
        if name == "exp" and len(args) == 1:
            arg, shared = args[0], self.exp

            def exp(scope):
                x = arg(scope)
                return hoc_exp(x) if _is_number(x) else shared(x, scope.glob.setdefault(EXP_CACHE, {}))
            return exp
        if name in BUILTINS:
            f = BUILTINS[name]
            return lambda scope: f(*(jnp.asarray(materialize(a(scope))) for a in args))
        if name in random_draws.CALLS or name in random_draws.RANDOM_CALLS or name == "set_seed":  # random_draws.py
            return random_draws.compiled(name, args, e.arguments, self.expr, self.path)
        # cnmodel adex.mod calls its DERIVATIVE block from BREAKPOINT (nocmodl: another integration step there)
        self.fail(f"a call of {name}(), not a FUNCTION, PROCEDURE or built-in function (a DERIVATIVE, KINETIC, "
                  f"LINEAR or NONLINEAR block runs by SOLVE only)", e)

    def user_call(self, name, args, node):
        block = self.functions.get(name) or self.procedures[name]
        params = [p.get_node_name() for p in block.parameters]
        if len(params) != len(args):
            raise ModelError(f"{self.path}: {name}() takes {len(params)} arguments, called with {len(args)}")
        if name not in self._compiled:
            self._compiled[name] = None  # recursion: compiled once, looked up at call time
            self._compiled[name] = self.block(block.statement_block, solve=self._solve_in(name),
                                              procedure=name in self.procedures)
        is_function = name in self.functions

        def run(scope):
            if scope.depth > MAX_DEPTH:
                raise ModelError(f"{self.path}: {name}() recursion deeper than {MAX_DEPTH}")
            local = {p: a(scope) for p, a in zip(params, args)}
            if is_function:
                local.setdefault(name, 0.0)
            inner = Scope(local, scope.glob, scope.solver, scope.depth + 1)
            self._compiled[name](inner)
            return local[name] if is_function else 0.0
        return run


def _is_static(x) -> bool:
    return isinstance(x, (bool, np.bool_, int, float))


def _not(x):
    return (not x) if _is_static(x) else jnp.logical_not(materialize(x))


def _logic(static, traced):  # && or ||: Python's on numbers known when the file is read
    return lambda a, b: static(bool(a), bool(b)) if _is_static(a) and _is_static(b) else traced(materialize(a), materialize(b))


_and = _logic(lambda a, b: a and b, jnp.logical_and)
_or = _logic(lambda a, b: a or b, jnp.logical_or)
