"""Gate rates that a NeuroML file defines itself, as LEMS ``ComponentType``s, compiled to JAX.

NeuroML's standard rate forms (``rates``) cover the textbook channels; the others, above all the
Ca2+-dependent K+ channels of the NeuroML2 examples and OSB models, define their rates in LEMS::

    <ComponentType name="kcaAlpha" extends="baseVoltageConcDepRate">
        <Constant name="TIME_SCALE" dimension="time" value="1 ms"/>
        <Dynamics>
            <DerivedVariable name="ca" dimension="none" value="caConc / CONC_SCALE"/>
            <DerivedVariable name="r" exposure="r" dimension="per_time" value="..."/>
        </Dynamics>
    </ComponentType>
    ...
    <forwardRate type="kcaAlpha"/>

The subset run here: a ComponentType extending one of NeuroML's six bases for a gate's rate (exposes
``r``, per_time), variable (``x``, none) or time course (``t``, time), with ``Constant``s (a value
and a unit), ``DerivedVariable``s and ``ConditionalDerivedVariable``s (``Case``s, the first true
condition wins, a case without condition is the default) over the requirements ``v`` (the membrane
potential), ``caConc`` ([Ca2+]i, of the bases with "Conc") and ``temperature``, and in a steady state
or time course of a gate with rates, the gate's ``alpha`` and ``beta``. Expressions are in
SI units, as LEMS evaluates them (V in volts, [Ca2+] in mol/m3 = mM, T in kelvin, rates in 1/s,
times in s); the result is converted to 1/ms or ms.

An expression is read by Python's ``ast`` parser (after LEMS's ``^`` and ``.gt.``-style operators are
spelled the Python way) and walked over a whitelist: numbers, the names above, + - * / ^, unary -,
the functions in ``FUNCTIONS`` and, in a Case's condition only, comparisons joined by .and./.or.;
the walk builds closures over ``jax.numpy``. Nothing is evaluated by Python: anything else
(Parameters, state variables, ``log``, whose base LEMS tools disagree on, ``random``, attribute
access, calls of other names ...) is refused with one line naming the file, its line, the
ComponentType and the element.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Callable

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.io.neuroml.lems_kept import FORMS, check, check_use
from excitable.io.neuroml.units import _QUANTITY

#: base ComponentType -> (the variable it exposes, its dimension, the factor from SI to ours).
BASES = {"baseVoltageDepRate": ("r", "per_time", 1e-3), "baseVoltageConcDepRate": ("r", "per_time", 1e-3),
         "baseVoltageDepVariable": ("x", "none", 1.0), "baseVoltageConcDepVariable": ("x", "none", 1.0),
         "baseVoltageDepTime": ("t", "time", 1e3), "baseVoltageConcDepTime": ("t", "time", 1e3)}
#: the role of a form in a gate -> the bases that may fill it.
ROLES = {"rate": ("baseVoltageDepRate", "baseVoltageConcDepRate"),
         "variable": ("baseVoltageDepVariable", "baseVoltageConcDepVariable"),
         "time": ("baseVoltageDepTime", "baseVoltageConcDepTime")}
#: LEMS's functions -> the name of the same function in NumPy and jax.numpy (``ln`` is ``log``).
FUNCTIONS = {"exp": "exp", "ln": "log", "sqrt": "sqrt", "abs": "abs", "sin": "sin", "cos": "cos", "tan": "tan",
             "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "ceil": "ceil", "floor": "floor"}
#: Units a Constant may carry -> factor to SI (NeuroMLCoreDimensions' names).
SI = {"": 1.0, "V": 1.0, "mV": 1e-3, "s": 1.0, "ms": 1e-3, "us": 1e-6, "per_s": 1.0, "per_ms": 1e3, "Hz": 1.0,
      "mM": 1.0, "mol_per_m3": 1.0, "uM": 1e-3, "nM": 1e-6, "M": 1e3, "mol_per_cm3": 1e6, "K": 1.0,
      "C_per_mol": 1.0, "J_per_K_per_mol": 1.0, "per_V": 1.0, "per_mV": 1e3, "m": 1.0, "um": 1e-6}
_OPERATORS = {"gt": ">", "lt": "<", "geq": ">=", "leq": "<=", "eq": "==", "neq": "!=", "and": "and", "or": "or"}
# operators by their name in NumPy and jax.numpy, so that one walk serves both (``compile_expression``'s xp)
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide", ast.Pow: "power"}
_COMPARE = {ast.Gt: "greater", ast.Lt: "less", ast.GtE: "greater_equal", ast.LtE: "less_equal", ast.Eq: "equal",
            ast.NotEq: "not_equal"}
MAX_CHARS, MAX_DEPTH = 2000, 64


@dataclass(frozen=True)
class LemsForm:
    """A gate's rate, variable or time course defined by a ComponentType: ``type`` its name,
    ``reads`` the requirements it uses besides v ("caConc", "temperature", "rates": the gate's alpha
    and beta, "rateScale": the gate's q10 factor). Called with V (mV), [Ca]i (mM), the temperature
    (degC), the gate's rates (1/ms) and rateScale (a number), it gives 1/ms, a number or ms.
    ``element`` is the libNeuroML ComponentType (export writes it back)."""

    type: str
    reads: frozenset
    fn: Callable = field(compare=False, repr=False)
    factor: float = 1.0
    element: object = field(default=None, compare=False, repr=False)
    #: the ComponentType's Parameters as the using element's attributes set them: (name, SI value), ...
    parameters: tuple = ()

    @property
    def unwritable(self) -> str | None:
        """Why export cannot write the form back (libNeuroML's elements carry no such attributes), or None."""
        if self.parameters:
            return (f"its type {self.type!r} takes Parameters set by the element's attributes "
                    f"({', '.join(n for n, _ in self.parameters)}), which libNeuroML cannot write; not written")
        return None

    def __call__(self, v, cai=None, celsius=None, rates=None, rate_scale=None):
        env = {"v": jnp.asarray(v, dtype=float) * 1e-3}
        if "caConc" in self.reads:
            env["caConc"] = cai  # mM = mol/m3: already SI
        if "temperature" in self.reads:
            env["temperature"] = celsius + 273.15
        if "rates" in self.reads:  # the gate's alpha and beta (``rates``, 1/ms) in LEMS's 1/s
            env["alpha"], env["beta"] = rates[0] * 1e3, rates[1] * 1e3
        if "rateScale" in self.reads:  # dimensionless: the same number in SI
            env["rateScale"] = rate_scale
        return self.fn(env) * self.factor


def component_types(docs) -> dict[str, tuple[object, str]]:
    """ComponentType name -> (its libNeuroML element, the file's name), over every document read."""
    out = {}
    for p, doc in docs:
        for ct in getattr(doc, "ComponentType", None) or []:
            if ct.name in out:
                raise ModelError(f"NeuroML: {_at(p.name, ct)}: ComponentType {ct.name!r} is defined twice")
            out[ct.name] = (ct, p.name)
    return out


def _at(source: str, element) -> str:
    """'file:line' of a libNeuroML element (its XML node's line, when libNeuroML kept it)."""
    line = getattr(getattr(element, "gds_elementtree_node_", None), "sourceline", None)
    return f"{source}:{line}" if line else source


def lems_form(name: str, role: str, types: dict, where: str, gate_rates: bool = False,
              rate_scale: bool = False, element=None) -> LemsForm:
    """The LemsForm of ComponentType ``name`` used as a gate's ``role`` ("rate", "variable", "time");
    ``where`` names the use in errors. ``gate_rates``: the gate has a forward and a reverse rate,
    whose ``alpha`` and ``beta`` a steady state or time course may then require (as Hay et al.'s
    Nap_Et2 time course on OpenSourceBrain does: its Requirements resolve in the gate, in LEMS).
    ``rate_scale``: the gate exposes ``rateScale`` (NeuroML's gates with a state do: the product of
    their q10 factors), which the form may then require (Hemond et al. 2008's na3 floors its time
    constants at a multiple of it). ``element``: the element naming the type, whose attributes set the
    type's Parameters, as LEMS sets a component's (korngreen's ``<timeCourse type="cah_m_tau"
    shift="-4.49601"/>``; libNeuroML drops them, so they are read from its XML node)."""
    if name not in types:
        raise ModelError(f"{where}: type {name!r} is neither a standard form nor a ComponentType of the files read")
    ct, source = types[name]
    field_ = f"NeuroML: {_at(source, ct)}: ComponentType {name!r}"
    if ct.extends not in ROLES[role]:
        raise ModelError(f"{field_} extends {ct.extends!r}; as a gate's {role} it must extend "
                         f"{' or '.join(ROLES[role])} (used by {where})")
    exposed, dimension, factor = BASES[ct.extends]
    params = parameters(ct, source, element, where)
    fn, reads = _compile_type(ct, source, field_, exposed, dimension, "Conc" in ct.extends,
                              gate_rates and role != "rate", rate_scale, params)
    check(ct, source, FORMS)  # last: the reader's own refusals above keep their words
    if element is not None:
        check_use(element, ct, where)
    return LemsForm(name, frozenset(reads), fn, factor, ct, tuple(sorted(params.items())))


#: A Parameter's dimension -> the units its value may carry (factor to SI: ``SI``). A temperature in
#: degC is not among them: LEMS's conversion of it is an offset, not a factor.
DIMENSION_UNITS = {"none": ("",), "voltage": ("V", "mV"), "time": ("s", "ms", "us"), "per_time": ("per_s", "per_ms", "Hz"),
                   "concentration": ("mM", "mol_per_m3", "uM", "nM", "M", "mol_per_cm3"), "temperature": ("K",),
                   "per_voltage": ("per_V", "per_mV"), "length": ("m", "um")}


def parameters(ct, source: str, element, where: str) -> dict[str, float]:
    """Each Parameter of ComponentType ``ct`` -> its SI value from the attribute of that name on
    ``element`` (the libNeuroML element using the type: its XML node, or an lxml element), its unit
    one of its dimension's (``DIMENSION_UNITS``); a missing or malformed one is refused at ``where``."""
    declared = getattr(ct, "Parameter", None) or []
    if not declared:
        return {}
    node = getattr(element, "gds_elementtree_node_", element)
    attrs = dict(getattr(node, "attrib", None) or {})
    out = {}
    for p in declared:
        units = DIMENSION_UNITS.get(p.dimension or "none")
        if units is None:
            raise ModelError(f"NeuroML: {_at(source, p)}: ComponentType {ct.name!r} Parameter {p.name!r}: dimension "
                             f"{p.dimension!r} is not read here ({', '.join(DIMENSION_UNITS)})")
        text = attrs.get(p.name)
        if text is None:
            raise ModelError(f"{where}: type {ct.name!r} needs its Parameter {p.name!r} set (an attribute "
                             f"{p.name}=\"...\" of dimension {p.dimension or 'none'})")
        m = _QUANTITY.match(text)
        if m is None or (m.group(2) or "") not in units or not math.isfinite(float(m.group(1))):
            raise ModelError(f"{where}: {p.name}={text!r} is not a number in a unit of dimension "
                             f"{p.dimension or 'none'} ({', '.join(u or '(no unit)' for u in units)})")
        out[p.name] = float(m.group(1)) * SI[m.group(2) or ""]
    return out


# long because each construct the subset leaves out is refused here in its own one-line message
def _compile_type(ct, source, field_, exposed, dimension, conc: bool, gate_rates: bool = False,
                  rate_scale: bool = False, params: dict | None = None):
    for attr, label in (("DerivedParameter", "DerivedParameter"), ("Property", "Property"),
                        ("InstanceRequirement", "InstanceRequirement")):
        for el in getattr(ct, attr, None) or []:
            raise ModelError(f"NeuroML: {_at(source, el)}: ComponentType {ct.name!r} {label} {el.name!r} is not "
                             f"supported (Parameters, Constants, DerivedVariables and ConditionalDerivedVariables "
                             f"only)")
    allowed = ({"v", "temperature"} | ({"caConc"} if conc else set()) | ({"alpha", "beta"} if gate_rates else set())
               | ({"rateScale"} if rate_scale else set()))
    for req in getattr(ct, "Requirement", None) or []:
        if req.name not in allowed:
            raise ModelError(f"NeuroML: {_at(source, req)}: ComponentType {ct.name!r} Requirement {req.name!r} is "
                             f"not supported ({', '.join(sorted(allowed))})")
    dynamics = ct.Dynamics or []
    if len(dynamics) != 1:
        raise ModelError(f"{field_}: needs one <Dynamics>, got {len(dynamics)}")
    dyn = dynamics[0]
    for attr in ("StateVariable", "TimeDerivative", "OnStart", "OnCondition", "OnEvent", "Regime"):
        if getattr(dyn, attr, None):
            first = getattr(dyn, attr)
            first = first[0] if isinstance(first, list) else first  # libNeuroML keeps one OnStart, not a list
            raise ModelError(f"NeuroML: {_at(source, first)}: ComponentType {ct.name!r} {attr} is "
                             f"not supported (a gate's {exposed} is a function of v"
                             f"{', caConc' if conc else ''} and temperature)")
    values = {**(params or {}), **{c.name: _constant(c, source, ct.name) for c in getattr(ct, "Constant", None) or []}}
    known = set(values) | allowed
    derived: dict[str, tuple] = {}
    for dv in dyn.DerivedVariable or []:
        where = f"NeuroML: {_at(source, dv)}: ComponentType {ct.name!r} DerivedVariable {dv.name!r}"
        if getattr(dv, "select", None) or dv.value is None:
            raise ModelError(f"{where}: needs a value expression (select/reduce is not supported)")
        derived[dv.name] = (dv, where, dv.value)
    for cdv in getattr(dyn, "ConditionalDerivedVariable", None) or []:
        derived[cdv.name] = (cdv, f"NeuroML: {_at(source, cdv)}: ComponentType {ct.name!r} "
                                  f"ConditionalDerivedVariable {cdv.name!r}", None)
    known |= set(derived)
    if exposed not in derived or (derived[exposed][0].dimension or "none") != dimension:
        raise ModelError(f"{field_}: needs a DerivedVariable {exposed!r} of dimension {dimension!r}, what "
                         f"its base {ct.extends!r} exposes")
    compiled = {name: _derived(el, where, text, known) for name, (el, where, text) in derived.items()}
    order = _order(compiled, field_)
    # a derived variable of the type's own may share a requirement's name (Hemond's alpha): not read
    reads = {r for fn, names in compiled.values() for r in names & {"caConc", "temperature", "rateScale"}}
    reads -= set(derived)
    required = {req.name for req in getattr(ct, "Requirement", None) or []}
    if gate_rates and required & {"alpha", "beta"}:
        reads.add("rates")

    def fn(env):
        env = {**values, **env}
        for name in order:
            env[name] = compiled[name][0](env)
        return env[exposed]

    return fn, reads


def _constant(c, source, type_name, factors=None) -> float:
    """A Constant's value in SI; ``factors``: unit -> SI factor (default ``SI``)."""
    factors = SI if factors is None else factors
    m = _QUANTITY.match(str(c.value)) if c.value is not None else None
    if m is None or (m.group(2) or "") not in factors or not math.isfinite(float(m.group(1))):
        raise ModelError(f"NeuroML: {_at(source, c)}: ComponentType {type_name!r} Constant {c.name!r}: {c.value!r} "
                         f"is not a number with a unit read here ({', '.join(u or '(none)' for u in factors)})")
    return float(m.group(1)) * factors[m.group(2) or ""]


def _derived(el, where, text, known):
    """(closure of env, the names it reads) of a DerivedVariable (``text``) or a ConditionalDerivedVariable."""
    if text is not None:
        return compile_expression(text, known, where)
    cases = [(k.condition, compile_expression(k.value, known, f"{where} Case")) for k in el.Case or []]
    if not cases:
        raise ModelError(f"{where}: has no Case")
    tests = [(compile_expression(c, known, f"{where} Case condition", condition=True) if c else None, v)
             for c, v in cases]
    names = set().union(*(v[1] for _, v in tests), *(t[1] for t, _ in tests if t is not None))

    def fn(env):
        out = jnp.nan  # no case holds: LEMS leaves it undefined; NaN makes the run's health check say so
        for test, (value, _) in reversed(tests):
            out = value(env) if test is None else jnp.where(test[0](env), value(env), out)
        return out

    return fn, names


def _order(compiled: dict, field_: str) -> list[str]:
    """The derived variables in an order that computes each after those it reads (LEMS sorts them)."""
    order, state = [], {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            raise ModelError(f"{field_}: derived variables depend on each other in a cycle: {' -> '.join(path)}")
        state[name] = "open"
        for dep in sorted(compiled[name][1] & set(compiled)):
            visit(dep, (*path, dep))
        state[name] = "done"
        order.append(name)

    for name in compiled:
        visit(name, (name,))
    return order


def compile_expression(text: str, known: set[str], where: str, *, condition: bool = False, xp=jnp,
                       functions: dict | None = None):
    """(closure env -> value, the names it reads) of a LEMS expression; ``condition``: a Case's
    test (comparisons and .and./.or. allowed); ``xp``: the array namespace it computes with (jax.numpy,
    or NumPy for values fixed when the file is read); ``functions``: name -> function, beside LEMS's.
    One-line ModelError for anything outside the subset."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHARS:
        raise ModelError(f"{where}: expression {str(text)[:80]!r} is empty or over {MAX_CHARS} characters")
    shown = repr(text if len(text) <= 120 else text[:117] + "...")  # the error names it, in one short line
    if "**" in text:
        raise ModelError(f"{where}: {shown}: LEMS writes powers with ^, not **")
    source = re.sub(r"\.(gt|lt|geq|leq|eq|neq|and|or)\.", lambda m: f" {_OPERATORS[m.group(1).lower()]} ", text,
                    flags=re.IGNORECASE).replace("^", "**")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise ModelError(f"{where}: {shown} is not an expression read here") from None
    names: set[str] = set()
    table = {k: getattr(xp, v) for k, v in FUNCTIONS.items()} | (functions or {})
    fn = _walk(tree.body, _Walk(known, names, f"{where}: {shown}", xp, table), condition, 0)
    return fn, names


@dataclass(frozen=True)
class _Walk:
    """What ``_walk`` carries down the tree: the names allowed, those read (filled as it goes), the
    error's start, the array namespace and the functions."""

    known: set
    names: set
    where: str
    xp: object
    functions: dict


# long because it is the whole whitelist: one branch per kind of node allowed
def _walk(node, w: _Walk, condition, depth):
    if depth > MAX_DEPTH:
        raise ModelError(f"{w.where}: nested deeper than {MAX_DEPTH}")

    def sub(n, cond=False):
        return _walk(n, w, cond, depth + 1)

    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = float(node.value)
        return lambda env: value
    if isinstance(node, ast.Name):
        if node.id not in w.known:
            raise ModelError(f"{w.where}: unknown name {node.id!r}; known: {', '.join(sorted(w.known))}")
        w.names.add(node.id)
        key = node.id
        return lambda env: env[key]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, a, b = getattr(w.xp, _BINARY[type(node.op)]), sub(node.left), sub(node.right)
        return lambda env: op(a(env), b(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        a, sign = sub(node.operand), -1.0 if isinstance(node.op, ast.USub) else 1.0
        return lambda env: sign * a(env)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in w.functions \
            and len(node.args) == 1 and not node.keywords:
        f, a = w.functions[node.func.id], sub(node.args[0])
        return lambda env: f(a(env))
    if condition and isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        op, a, b = getattr(w.xp, _COMPARE[type(node.ops[0])]), sub(node.left), sub(node.comparators[0])
        return lambda env: op(a(env), b(env))
    if condition and isinstance(node, ast.BoolOp):
        join = w.xp.logical_and if isinstance(node.op, ast.And) else w.xp.logical_or
        parts = [sub(v, True) for v in node.values]

        def both(env):
            out = parts[0](env)
            for p in parts[1:]:
                out = join(out, p(env))
            return out
        return both
    what = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else type(node).__name__
    raise ModelError(f"{w.where}: {what!r} is not supported (numbers, names, + - * / ^, "
                     f"{', '.join(w.functions)}{'; comparisons with .and./.or.' if condition else ''})")
