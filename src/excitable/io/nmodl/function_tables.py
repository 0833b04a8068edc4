"""FUNCTION_TABLE: a function of one or two arguments given as a table after the file is loaded.

A published model declares ``FUNCTION_TABLE tau1(v(mV)) (ms)`` and fills it from hoc
(``table_tau1_SUFFIX(yvec, xvec)``); a call ``tau1(v)`` then interpolates. NEURON's semantics
(nrn/src/oc/functabl.cpp, checked side by side in tests/io/nmodl/test_function_tables.py):

- one argument: linear interpolation between the points, held at the first and last values beyond
  the ends (``numpy.interp``);
- two arguments: bilinear interpolation on a grid, each axis held at its ends;
- a constant (``table_tau1_SUFFIX(y)``): that value everywhere;
- a table never given: an error when it is called.

Here a table is given at load time, ``load_mod("x.mod", tables={"tau1": (x_mV, y_ms)})`` (two
arguments: ``(x1, x2, y)`` with ``y[i][j]`` at ``(x1[i], x2[j])``; a constant: a number), or on the
class, ``Cls.with_tables(tau1=...)``; ``excitable run model --set tables=FILE.json`` reads
``{"SUFFIX": {"tau1": {"x": [...], "y": [...]}}}``. The points ``x`` are part of the class (as the
program's shape); every value ``y`` is a field of the mechanism, ``tau1_y0``, ``tau1_y1`` ... (two
arguments: ``hinf2_y0_0`` ...), so it is a parameter like any other: per site, in
``sim.parameters()``, differentiable (``jax.grad`` of a run by a table's value). The interpolation
has NEURON's own arithmetic in the interval holding the point, in two forms with the same numbers:
one search and gather in the scan (``interp_gather``), a chain of selects over the intervals in
the fused kernels, whose rows take no gathers (``interp1``; its compile time grows with the
points, so a table for the kernels is best kept to a few hundred).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from excitable import limits
from excitable.backends import branch_free
from excitable.errors import ModelError

#: Most values in one mechanism's tables: each is a field of the class (a per-site array), and the
#: scan stacks them at every call (1950 values: 0.7 ms CPU per step of one compartment).
MAX_POINTS = 2000
#: Most bytes of a tables JSON file read (a file of MAX_POINTS numbers takes ~50 kB).
MAX_FILE_BYTES = 10 * 2**20


@dataclasses.dataclass(frozen=True)
class Declared:
    """One FUNCTION_TABLE declaration: its name, arguments ((name, unit), ...) and result unit."""

    name: str
    args: tuple[tuple[str, str], ...]
    unit: str

    def signature(self) -> str:
        args = ", ".join(f"{a} {u}".strip() for a, u in self.args)
        return f"{self.name}({args})" + (f" -> {self.unit}" if self.unit else "")


@dataclasses.dataclass(frozen=True, eq=False)
class Table:
    """A table as given: the points of each axis (strictly increasing) and the values, of shape
    (len(axis1),) or (len(axis1), len(axis2))."""

    axes: tuple[np.ndarray, ...]
    values: np.ndarray


def declared(mod) -> dict[str, Declared]:
    """The file's FUNCTION_TABLE declarations by name (``mod``: parse.ModFile)."""
    def unit(node):
        return node.unit.name.eval() if node is not None and node.unit is not None else ""

    return {b.get_node_name(): Declared(b.get_node_name(), tuple((a.get_node_name(), unit(a)) for a in b.parameters),
                                        unit(b))
            for b in mod.program.blocks if b.is_function_table_block()}


def problems(mod, point: bool, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of the FUNCTION_TABLEs excitable does not run: three or more arguments
    (NEURON takes the grid point below there, without interpolating), or one in a point
    process or artificial cell (only density mechanisms carry tables as fields)."""
    out = []
    for name, decl in declared(mod).items():
        line = next((i + 1 for i, ln in enumerate(lines) if re.search(rf"\bFUNCTION_TABLE\s+{name}\b", ln)), 0)
        if point:
            out.append((line, f"FUNCTION_TABLE {name} in a point process or artificial cell"))
        elif len(decl.args) > 2:
            out.append((line, f"FUNCTION_TABLE {name} with {len(decl.args)} arguments (one or two are run)"))
    return out


def how_to_give(suffix: str, decl: Declared) -> str:
    """The words that tell a user how to give table ``decl`` of ``suffix``."""
    shape = "(x_values, y_values)" if len(decl.args) == 1 else "(x1_values, x2_values, y_grid)"
    return (f"give it with load_mod(..., tables={{{decl.name!r}: {shape}}}) or "
            f"{suffix}.with_tables({decl.name}=...), or --set tables=FILE.json "
            f"({{\"{suffix}\": {{\"{decl.name}\": {{\"x\": ..., \"y\": ...}}}}}}); "
            f"NEURON's table_{decl.name}_{suffix}")


def checked(given, decls: dict[str, Declared], suffix: str) -> dict[str, Table]:
    """``given`` (table name -> a number, (x, y), (x1, x2, y), {"x": ..., "y": ...} or a Table)
    validated against the file's declarations: one-line ModelErrors naming the table and value."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ModelError(f"tables: expected a dict of table name -> values for {suffix}, got {type(given).__name__}")
    out = {}
    for name, spec in given.items():
        if name not in decls:
            have = ", ".join(decls) or "none"
            raise ModelError(f"tables: {suffix} has no FUNCTION_TABLE {name!r} (it declares {have})")
        out[name] = spec if isinstance(spec, Table) else _table(spec, decls[name], f"tables: {suffix}.{name}")
    total = sum(t.values.size for t in out.values())
    limits.check("grid", total, f"FUNCTION_TABLE values of {suffix}")
    if total > MAX_POINTS:
        raise ModelError(f"tables: {suffix}'s tables have {total} values, more than {MAX_POINTS} "
                         "(each is a parameter of the mechanism: resample the table coarser)")
    return out


def _table(spec, decl: Declared, where: str) -> Table:
    n = len(decl.args)
    if isinstance(spec, (int, float, np.number)) and not isinstance(spec, bool):  # NEURON's constant form
        return Table(tuple(np.zeros(1) for _ in range(n)), _array(spec, where + " value", n=0).reshape((1,) * n))
    if isinstance(spec, dict):
        if set(spec) != {"x", "y"}:
            raise ModelError(f"{where}: expected the keys 'x' and 'y', got {sorted(spec)}")
        axes = [spec["x"]] if n == 1 else spec["x"]
        if n > 1 and (not isinstance(axes, (list, tuple)) or len(axes) != n):
            raise ModelError(f"{where}: 'x' must be a list of {n} axes (one per argument of {decl.signature()})")
        spec = (*axes, spec["y"])
    if not isinstance(spec, (list, tuple)) or len(spec) != n + 1:
        shape = "(x, y)" if n == 1 else "(x1, x2, y)"
        raise ModelError(f"{where}: expected a number or {shape} for {decl.signature()}, got {_short(spec)}")
    axes = tuple(_array(a, f"{where} x{'' if n == 1 else k + 1}", n=1) for k, a in enumerate(spec[:n]))
    for k, a in enumerate(axes):
        if a.size == 0:
            raise ModelError(f"{where}: axis {decl.args[k][0]} has no points (at least 1)")
        steps = np.diff(a)
        if np.any(steps <= 0):
            i = int(np.flatnonzero(steps <= 0)[0])
            raise ModelError(f"{where}: axis {decl.args[k][0]} must be strictly increasing, "
                             f"got {a[i]:g} then {a[i + 1]:g} (points {i} and {i + 1})")
    values = _array(spec[n], where + " y", n=n)
    want = tuple(a.size for a in axes)
    if values.shape != want:
        raise ModelError(f"{where}: y has shape {values.shape}, expected {want} (one value per point)")
    return Table(axes, values)


def _array(value, where: str, n: int) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{where} must be numbers, got {_short(value)}") from None
    if a.ndim != n:
        raise ModelError(f"{where} must be {['a number', 'a list of numbers', 'a grid (list of lists)'][n]}, "
                         f"got {_short(value)}")
    if not np.all(np.isfinite(a)):
        raise ModelError(f"{where} must be finite, got {float(a[~np.isfinite(a)].flat[0]):g}")
    return a


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """The fields holding table ``name``'s values, in row order: tau1_y0 ..., or hinf2_y0_0 ..."""
    return [f"{name}_y" + "_".join(map(str, idx)) for idx in np.ndindex(*shape)]


def interp1(q, xs, ys):
    """NEURON's hoc_func_table in one argument: y at ``q`` linearly between the points ``xs``
    (static floats), held at ``ys[0]`` and ``ys[-1]`` beyond the ends. A select per interval (no
    gather, no branch on a traced value: it runs in the fused kernels); in the interval holding
    ``q`` the value is NEURON's (1 - f) y_j + f y_j+1 with f = (q - x_j) / (x_j+1 - x_j)."""
    out = ys[0]
    for k in range(len(xs) - 1):
        f = (q - xs[k]) / (xs[k + 1] - xs[k])
        out = jnp.where(q >= xs[k], (1.0 - f) * ys[k] + f * ys[k + 1], out)
    if len(xs) > 1:
        out = jnp.where(q >= xs[-1], ys[-1], out)
    return out


def interp_gather(q, xs, ys):
    """``interp1`` by one search and one gather (the scan's form: its program does not grow with
    the points, where the select chain's compile time grows faster than the points: 25 s CPU
    for 500 of them). The same arithmetic in the interval; beyond the ends f is clipped to 0 or 1,
    which gives y_0 or y_n-1 exactly (0 * y = 0 for finite y)."""
    if len(xs) == 1:
        return ys[0]
    x = jnp.asarray(np.asarray(xs), jnp.result_type(q))
    values = jnp.stack(jnp.broadcast_arrays(*ys, q)[:-1])
    j = jnp.clip(jnp.searchsorted(x, q, side="right") - 1, 0, len(xs) - 2)
    xj, xk = x[:-1][j], x[1:][j]
    f = jnp.clip((q - xj) / (xk - xj), 0.0, 1.0)

    def at(i):
        return jnp.take_along_axis(values, jnp.broadcast_to(i, jnp.shape(values)[1:])[None], axis=0)[0]
    return (1.0 - f) * at(j) + f * at(j + 1)


def evaluator(suffix: str, decl: Declared, table: Table | None):
    """``run(glob, args)``: the call ``name(args)`` with the values from the mechanism's fields in
    ``glob``; for a table never given, a one-line ModelError (the class refuses to be made first)."""
    if table is None:
        def unset(glob, args):
            raise ModelError(f"{suffix}: FUNCTION_TABLE {decl.name} was never given; {how_to_give(suffix, decl)}")
        return unset
    names = np.array(field_names(decl.name, table.values.shape), dtype=object).reshape(table.values.shape)
    axes = [tuple(float(x) for x in a) for a in table.axes]

    def run(glob, args):
        from excitable.io.nmodl.affine import materialize

        if len(args) != len(axes):
            raise ModelError(f"{suffix}: {decl.name}() takes {len(axes)} arguments, called with {len(args)}")
        raw = [materialize(a) for a in args]
        # the run's float type (a float32 run stays float32: a Python number, celsius, is weak)
        dtype = jnp.result_type(*raw, *(glob[k] for k in names.flat))
        q = [jnp.asarray(a, dtype) for a in raw]
        interp = interp1 if branch_free() else interp_gather  # a fused kernel's rows take no gathers
        if len(axes) == 1:
            return interp(q[0], axes[0], [glob[k] for k in names])
        rows = [interp(q[1], axes[1], [glob[k] for k in row]) for row in names]  # along the second axis
        return interp(q[0], axes[0], rows)  # then across rows, as NEURON does
    return run


def fields(decls: dict[str, Declared], tables: dict[str, Table]) -> dict[str, tuple[float, str]]:
    """field -> (default, unit) of the tables' values (the values as given, the result's unit)."""
    out = {}
    for name, t in tables.items():
        out.update({f: (float(v), decls[name].unit or "1")
                    for f, v in zip(field_names(name, t.values.shape), t.values.ravel())})
    return out


def key(tables) -> str | None:
    """A key of the tables as given, for the loader's class cache (other tables: another class);
    None when they are not plain numbers (not cached: ``checked`` names the bad value)."""
    def plain(o):
        if isinstance(o, Table):
            return {"axes": [a.tolist() for a in o.axes], "values": o.values.tolist()}
        if isinstance(o, (np.ndarray, np.generic)):
            return o.tolist()
        raise TypeError(type(o).__name__)

    if not tables:
        return ""
    try:
        return hashlib.sha256(json.dumps(tables, sort_keys=True, default=plain).encode()).hexdigest()
    except (TypeError, ValueError):
        return None


def prepared(desc, mod, tables, base):
    """What ``mechanism.make_class`` needs for the file's FUNCTION_TABLEs: (a compiler factory whose
    compilers interpolate the calls, the values' fields, the class's extra attributes:
    ``function_tables`` (name -> Table, or None where not given), and for a table
    not given an ``__post_init__`` refusing to make an instance, in one line)."""
    decls = declared(mod)
    tabs = checked(tables, decls, desc.suffix)
    evals = {n: evaluator(desc.suffix, d, tabs.get(n)) for n, d in decls.items()}
    table_fields = fields(decls, tabs)
    clash = sorted(set(table_fields) & (set(desc.parameters) | set(desc.assigned) | set(desc.states)))
    if clash:
        raise ModelError(f"{desc.path}: {clash[0]} names both a variable and a FUNCTION_TABLE value; rename it")

    def compiler(*args):
        comp = base(*args)
        comp.function_tables = evals
        return comp

    namespace = {}
    if decls:
        namespace["function_tables"] = {n: tabs.get(n) for n in decls}  # loader adds with_tables
        unset = [d for n, d in decls.items() if n not in tabs]
        if unset:
            message = f"{desc.suffix}: FUNCTION_TABLE {unset[0].name} was never given; {how_to_give(desc.suffix, unset[0])}"

            def __post_init__(self):
                raise ModelError(message)
            namespace["__post_init__"] = __post_init__
    return compiler, table_fields, namespace


def placeholders(cls) -> dict | None:
    """The tables of ``cls`` with a constant 1 where one was not given (loader._probe traces the
    file with them), or None when every table was given."""
    tabs = getattr(cls, "function_tables", {})
    if all(t is not None for t in tabs.values()):
        return None
    return {n: 1.0 if t is None else t for n, t in tabs.items()}


def suffix_of(text: str) -> str:
    """The SUFFIX a file's text declares ('' for none), to pick its tables before it is parsed."""
    from excitable.io.nmodl.parse import strip_comments

    found = re.search(r"\b(?:SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+(\w+)", "\n".join(strip_comments(text)))
    return found.group(1) if found else ""


def read_json(path) -> dict:
    """A tables file: ``{"SUFFIX": {"table": {"x": [...], "y": [...]} or a number}}`` (JSON only:
    nothing in it is executed); one-line errors for a missing, large or malformed file."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"tables: no such file {str(p)!r}")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise ModelError(f"tables: {str(p)!r} is {p.stat().st_size} bytes, more than {MAX_FILE_BYTES}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"tables: {str(p)!r} is not JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ModelError(f"tables: {str(p)!r} must hold {{\"SUFFIX\": {{\"table\": {{\"x\": [...], \"y\": [...]}}}}}}")
    return data
