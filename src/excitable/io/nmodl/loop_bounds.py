"""NMODL ``FROM i = a TO b BY c`` loops, and the PARAMETERs that bound them (ModelDB 84589
kahp.mod's ``FROM i = 1 TO gexp`` inside ``FUNCTION do_exp(var, gexp)``).

NEURON's nocmodl writes such a loop as C with an ``int`` loop variable and each bound cast to
``int`` (truncated toward zero), whatever the bounds' values (checked with the wheel's nocmodl,
NEURON 9.0.2)::

    {int _li; for (_li = ((int) a); _li <= ((int) b); _li += ((int) c)) { ... }}

so a bound of 2.7 runs to 2, -0.5 to 0, a loop whose end is below its start runs no time, and a
step that is 0 or negative never ends where start <= end (``c_loop``).

excitable unrolls a loop when the mechanism is traced, so its bounds must be numbers then. A
PARAMETER that bounds a loop, directly or as the argument of a FUNCTION/PROCEDURE whose loop it
bounds, and that no block assigns, is a *fixed* field (``bound_parameters``): it stays a field of
the class (``Cls(n=4)``, ``cell.set("mech.n", 4)``, ``mod compare --set mech.n=4`` set it), but
it is static in the class's pytree (JAX meta data), so a run is traced with its value as a number
and a new value is a new trace. Its value must be one number for all the mechanism's compartments
and cannot be batched, traced or differentiated (``fixed_channel``'s checks, one-line ModelErrors);
every other field keeps jit, vmap and grad.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import numpy as np

from excitable.errors import ModelError
from excitable.physics.channel import register_fields

#: Most iterations one loop is unrolled to (each is traced: a loop this long is a file error or a
#: bound given in the wrong unit rather than a model).
MAX_ITERATIONS = 10000


def c_loop(a, b, c=1.0) -> list[float]:
    """The loop variable's values of nocmodl's ``for (i = (int) a; i <= (int) b; i += (int) c)``,
    as floats (the body reads ``(double) i``). Raises ValueError with the reason where C's loop would
    be undefined (a bound that is not finite) or never end (step <= 0 with start <= end), or where it
    runs more than MAX_ITERATIONS times."""
    if not all(math.isfinite(float(x)) for x in (a, b, c)):
        raise ValueError(f"FROM loop with a bound that is not finite ({a:g} TO {b:g} BY {c:g})")
    start, end, step = int(a), int(b), int(c)  # C's (int) cast: toward zero, as Python's int()
    if start > end:
        return []
    if step <= 0:
        raise ValueError(f"FROM loop that never ends (BY {c:g}, as C's int {step}, from {start} to {end})")
    count = (end - start) // step + 1
    if count > MAX_ITERATIONS:
        raise ValueError(f"FROM loop of {count} iterations (more than {MAX_ITERATIONS} are not unrolled)")
    return [float(i) for i in range(start, end + 1, step)]


def bound_parameters(desc, mod, assigned=()) -> dict[str, str]:
    """PARAMETER -> the FROM loop it bounds (its NMODL text's first line), for the PARAMETERs that
    are fields (``desc.parameters``, not ``assigned``: those a block writes, carried as states) and
    that a loop's bound names directly or through the arguments of the FUNCTIONs and PROCEDUREs
    whose loops they bound (followed through calls of calls)."""
    bounds = _bound_names(desc, mod)
    return {p: bounds[p] for p in desc.parameters if p in bounds and p not in assigned}


def loop_bound_names(desc, mod) -> tuple[str, ...]:
    """Every name a FROM loop's bounds read, directly or through FUNCTION/PROCEDURE arguments."""
    return tuple(_bound_names(desc, mod))


def _bound_names(desc, mod) -> dict[str, str]:
    """Every name a FROM loop's bounds read, directly or through FUNCTION/PROCEDURE arguments ->
    the loop's first line."""
    from neuron.nmodl import ast, visitor

    from excitable.io.nmodl.parse import dsl

    lookup = visitor.AstLookupVisitor().lookup
    names = lambda node: {n.get_node_name() for n in lookup(node, ast.AstNodeType.NAME)} | (
        {node.get_node_name()} if node.is_name() or node.is_var_name() else set())
    loops = lookup(mod.program, ast.AstNodeType.FROM_STATEMENT)
    if not loops:
        return {}
    bounds = {}  # name -> the loop it bounds
    for loop in loops:
        text = dsl().to_nmodl(loop).strip().splitlines()[0]
        for part in (getattr(loop, "from"), loop.to, loop.increment):
            if part is not None:
                for n in names(part):
                    bounds.setdefault(n, text)
    blocks = {**desc.functions, **desc.procedures}
    args = {b: [p.get_node_name() for p in block.parameters] for b, block in blocks.items()}
    calls = lookup(mod.program, ast.AstNodeType.FUNCTION_CALL)
    for _ in range(len(blocks) + 1):  # an argument's name feeds the next caller's: to a fixed point
        grown = False
        for call in calls:
            callee = call.get_node_name()
            for k, arg_name in enumerate(args.get(callee, ())):
                if arg_name in bounds and k < len(call.arguments):
                    for n in names(call.arguments[k]) - set(bounds):
                        bounds[n], grown = bounds[arg_name], True
        if not grown:
            break
    return bounds


def fixed_channel(cls, fixed: dict[str, str], path: str):
    """``cls`` as a frozen dataclass registered as a JAX pytree (as physics.channel.channel), its
    ``fixed`` fields (name -> the FROM loop they bound) static: meta data, normalized to one float."""
    suffix = cls.__name__

    def __post_init__(self):
        for name, loop in fixed.items():
            object.__setattr__(self, name, _one_number(suffix, name, getattr(self, name), loop, path))

    cls.__post_init__ = __post_init__
    cls.fixed_fields = tuple(fixed)
    cls = dataclasses.dataclass(frozen=True, repr=False)(cls)
    data = [f.name for f in dataclasses.fields(cls) if f.name not in fixed]
    return register_fields(cls, data, list(fixed))


def _one_number(suffix, name, value, loop, path) -> float:
    """A fixed field's value as one float, or a one-line ModelError saying why it cannot be."""
    if type(value) is float and math.isfinite(value):  # every pytree unflatten passes here: the common case first
        return value
    why = f"{suffix}.{name} bounds a FROM loop ({_where(path, loop)}), which excitable unrolls when a run is built:"
    if isinstance(value, jax.core.Tracer):
        raise ModelError(f"{why} it cannot be batched, traced or differentiated; build one run per value")
    try:
        values = np.unique(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise ModelError(f"{why} expected a number, got {value!r}") from None
    if values.size != 1:
        shown = " and ".join(f"{v:g}" for v in values[:2]) if values.size else "no value"
        raise ModelError(f"{why} it takes one value for all compartments, instances and batch elements, got {shown}")
    if not math.isfinite(values[0]):
        raise ModelError(f"{why} expected a finite number, got {values[0]:g}")
    return float(values[0])


def _where(path, loop: str) -> str:
    from excitable.io.nmodl.source_lines import line_of

    line = line_of(path, loop)
    return f"{path}:{line}" if line else str(path)
