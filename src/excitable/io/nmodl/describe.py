"""What a .mod file declares, read from NEURON's AST as plain data: the mechanism's name (SUFFIX),
parameters with their defaults and units, states, assigned variables, ions read and written,
currents, and the blocks the generated mechanism evaluates (BREAKPOINT, INITIAL, DERIVATIVE,
FUNCTION, PROCEDURE, LINEAR, NONLINEAR).
"""

from __future__ import annotations

import dataclasses
import re

#: NEURON's default ion values (nrn/src/nrnoc/eion.cpp and its ion registrations; checked against
#: NEURON 9.0.2 side by side in tests/io/nmodl): reversal potentials (mV), inside and outside
#: concentrations (mM), valence.
ION_DEFAULTS = {
    "na": {"e": 50.0, "i": 10.0, "o": 140.0, "z": 1},
    "k": {"e": -77.0, "i": 54.4, "o": 2.5, "z": 1},
    "ca": {"e": 132.4579341637009, "i": 5e-5, "o": 2.0, "z": 2},
}
#: What NEURON gives any other ion a file declares (``USEION h READ eh``: eion.cpp's DEF_eion,
#: DEF_ioni, DEF_iono; checked in NEURON 9.0.2: eh = 0 mV, hi = ho = 1 mM).
OTHER_ION_DEFAULTS = {"e": 0.0, "i": 1.0, "o": 1.0}


def ion_default(ion: str, kind: str) -> float:
    """NEURON's default of ion variable ``kind`` ('e', 'i', 'o'): mV or mM."""
    return ION_DEFAULTS.get(ion, OTHER_ION_DEFAULTS)[kind]


def python_name(name: str) -> str:
    """A field name Python accepts: NEURON's own spelling for IClamp's ``del`` (``delay``, as
    NEURON's Python does), a trailing underscore for another keyword."""
    import keyword

    return name if not keyword.iskeyword(name) else "delay" if name == "del" else name + "_"


#: Variables NEURON provides to every mechanism (not parameters of it).
SPECIAL = frozenset({"v", "celsius", "dt", "t", "diam", "area"})


@dataclasses.dataclass
class Ion:
    """One USEION statement: the ion, the variables read and written (ena, ina, cai ...)."""

    name: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    valence: float | None
    #: "file:line" of the USEION in another file loaded together that gave ``valence`` (valences.py:
    #: NEURON keeps one valence per ion); "" where this file declares it, or it is NEURON's
    valence_from: str = ""

    def kind(self, var: str) -> str:
        """'e' (reversal potential), 'i' / 'o' (concentration inside / outside) or 'current'."""
        if var == "e" + self.name:
            return "e"
        if var == self.name + "i":
            return "i"
        if var == self.name + "o":
            return "o"
        return "current"


@dataclasses.dataclass
class Description:
    """A mechanism as its .mod file declares it."""

    path: str
    suffix: str
    point: bool
    parameters: dict[str, tuple[float, str]]      # name -> (default, unit)
    states: tuple[str, ...]
    assigned: dict[str, str]                      # name -> unit
    ions: tuple[Ion, ...]
    nonspecific: tuple[str, ...]
    ranges: tuple[str, ...]
    globals_: tuple[str, ...]
    constants: dict[str, float]
    breakpoint: object | None
    initial: object | None
    solves: tuple[tuple[str, str], ...]           # (block, method) from BREAKPOINT
    initial_solves: tuple[tuple[str, str], ...]   # (block, STEADYSTATE method) from INITIAL
    derivatives: dict[str, object]                # DERIVATIVE (and rewritten KINETIC) blocks
    functions: dict[str, object]
    procedures: dict[str, object]
    arrays: dict[str, int] = dataclasses.field(default_factory=dict)  # STATE/ASSIGNED array -> length
    linears: dict[str, object] = dataclasses.field(default_factory=dict)  # LINEAR blocks (linear.py)
    #: LINEAR block -> (its header's line, the line of each `~` equation in the block's order)
    linear_lines: dict[str, tuple[int, tuple[int, ...]]] = dataclasses.field(default_factory=dict)
    nonlinears: dict[str, object] = dataclasses.field(default_factory=dict)  # NONLINEAR blocks (nonlinear.py)
    nonlinear_lines: dict[str, tuple[int, tuple[int, ...]]] = dataclasses.field(default_factory=dict)  # as above
    #: LINEAR/NONLINEAR block -> the places, among its equations, of the ``~+`` ones (NEURON adds each
    #: to the equation before it; NEURON's parser reads ``~+`` as ``~``: linear.py)
    continued: dict[str, frozenset[int]] = dataclasses.field(default_factory=dict)
    #: ASSIGNED variables no statement sets, made PARAMETERs of default 0 (hoc_knobs.py)
    set_by_hoc: tuple[str, ...] = ()

    @property
    def currents(self) -> tuple[str, ...]:
        """The currents the mechanism writes (mA/cm2 in the file): ion currents, then nonspecific."""
        ion = tuple(v for ion in self.ions for v in ion.write if ion.kind(v) == "current")
        return ion + self.nonspecific

    def ion_reads(self) -> dict[str, tuple[str, str]]:
        """Variable read from an ion -> (ion, 'e' | 'i' | 'o'), e.g. {'ena': ('na', 'e')}."""
        return {v: (ion.name, ion.kind(v)) for ion in self.ions for v in ion.read
                if ion.kind(v) != "current"}


def _names(nodes) -> tuple[str, ...]:
    return tuple(n.get_node_name() for n in nodes)


def _unit(node) -> str:
    return node.unit.name.eval() if node is not None and node.unit is not None else ""


def _number(node) -> float:
    """A numeric literal (Double, Integer or Float node), as a float."""
    text = node.eval() if hasattr(node, "eval") else node.value
    return float(text)


def describe(mod) -> Description:
    """The Description of a parsed file (``parse.ModFile``), its printf statements taken out of the
    blocks (printf.py: NEURON's terminal output, nothing excitable runs)."""
    from excitable.io.nmodl import printf

    printf.strip(mod)
    program = mod.program
    info = {"suffix": "", "point": False, "ions": [], "nonspecific": (), "ranges": (), "globals_": ()}
    params, states, assigned, constants, arrays = {}, [], {}, {}, {}
    blocks = {"breakpoint": None, "initial": None, "derivatives": {}, "functions": {}, "procedures": {},
              "linears": {}, "nonlinears": {}}
    for block in program.blocks:
        if block.is_neuron_block():
            _neuron_block(block, info)
        elif block.is_param_block():
            for st in block.statements:
                if st.is_param_assign():
                    value = _number(st.value) if st.value is not None else 0.0
                    # nocmodl writes every PARAMETER default into its C with printf's %g (six
                    # significant digits: 0.12499989351294442 runs as 0.125), so that is the value a
                    # NEURON model runs with unless it is set; CONSTANTs and literals keep every digit.
                    params[st.get_node_name()] = (float(f"{value:g}"), _unit(st))
        elif block.is_state_block():
            states += [n for d in block.definitions if d.is_assigned_definition() for n in _elements(d, arrays)]
        elif block.is_assigned_block():
            assigned.update({n: (d.unit.name.eval() if d.unit else "")
                             for d in block.definitions if d.is_assigned_definition() for n in _elements(d, arrays)})
        elif block.is_constant_block():
            for st in block.statements:
                if st.is_constant_statement():
                    constants[st.constant.get_node_name()] = _number(st.constant.value)
        elif block.is_breakpoint_block():
            blocks["breakpoint"] = block
        elif block.is_initial_block():
            blocks["initial"] = block
        elif block.is_derivative_block():
            blocks["derivatives"][block.get_node_name()] = block
        elif block.is_function_block():
            blocks["functions"][block.get_node_name()] = block
        elif block.is_procedure_block():
            blocks["procedures"][block.get_node_name()] = block
        elif block.is_linear_block():
            blocks["linears"][block.get_node_name()] = block
        elif block.is_non_linear_block():
            blocks["nonlinears"][block.get_node_name()] = block
        elif block.is_local_list_statement():  # file-level LOCAL: a variable of the mechanism, 0 at start
            for v in block.variables:
                if v.name.is_indexed_name():  # LOCAL x[N]: an array of the mechanism (cabpump.mod's frat)
                    arrays[v.get_node_name()] = n = int(v.name.length.eval())
                    assigned.update({f"{v.get_node_name()}[{i}]": "" for i in range(n)})
                else:
                    assigned[v.get_node_name()] = ""
    # nocmodl makes a variable named in USEION the ion's wherever it is declared ("Default 0.001 of
    # PARAMETER cai will be ignored and set by NEURON"): a PARAMETER cai, cao, eca is an ASSIGNED one
    # (Destexhe's cad.mod, ModelDB 266900, writes a PARAMETER cai from its SOLVE'd block).
    for name in [p for p in params if any(p in ion.read + ion.write for ion in info["ions"])]:
        assigned[name] = params.pop(name)[1]
    from excitable.io.nmodl.hoc_knobs import settable

    # an ASSIGNED that only hoc sets (cadyn.mod's CAF, kahp.mod's exp_n) is a PARAMETER, default 0
    return settable(Description(
        path=str(mod.path), suffix=info["suffix"], point=info["point"], parameters=params,
        states=tuple(states), assigned=assigned, ions=tuple(info["ions"]),
        nonspecific=info["nonspecific"], ranges=info["ranges"], globals_=info["globals_"],
        constants=constants, breakpoint=blocks["breakpoint"], initial=blocks["initial"],
        solves=_solves(blocks["breakpoint"], steady=False), initial_solves=_solves(blocks["initial"], steady=True),
        derivatives=blocks["derivatives"], functions=blocks["functions"], procedures=blocks["procedures"],
        arrays=arrays, linears=blocks["linears"], linear_lines=_linear_lines(mod.text, blocks["linears"]),
        nonlinears=blocks["nonlinears"], nonlinear_lines=_linear_lines(mod.text, blocks["nonlinears"], "NONLINEAR"),
        continued=_continued(mod.text, [*blocks["linears"], *blocks["nonlinears"]])), mod, SPECIAL)


def _linear_lines(text: str, names, keyword: str = "LINEAR") -> dict[str, tuple[int, tuple[int, ...]]]:
    """For each LINEAR (or ``keyword``) block: the line of its header and of each ``~`` in it, in order (NEURON's
    AST carries no line numbers to Python: the k-th equation of the block is its k-th ``~``)."""
    from excitable.io.nmodl.parse import strip_comments

    lines, out = strip_comments(text), {}
    for name in names:
        head = next((i for i, ln in enumerate(lines) if re.match(rf"\s*{keyword}\s+{re.escape(name)}\b", ln)), None)
        if head is None:
            continue
        eqs, depth = [], 0
        for i in range(head, len(lines)):
            eqs += [i + 1] * lines[i].count("~")
            depth += lines[i].count("{") - lines[i].count("}")
            if depth <= 0 and "}" in lines[i]:
                break
        out[name] = (head + 1, tuple(eqs))
    return out


def _continued(text: str, names) -> dict[str, frozenset[int]]:
    """For each LINEAR or NONLINEAR block: the places of its ``~+`` equations among its ``~`` ones."""
    from excitable.io.nmodl.parse import strip_comments

    lines, out = strip_comments(text), {}
    for name in names:
        head = next((i for i, ln in enumerate(lines) if re.match(rf"\s*(NON)?LINEAR\s+{re.escape(name)}\b", ln)), None)
        marks, depth = [], 0
        for i in range(head if head is not None else len(lines), len(lines)):
            marks += [m.group(1) for m in re.finditer(r"~(\+?)", lines[i])]
            depth += lines[i].count("{") - lines[i].count("}")
            if depth <= 0 and "}" in lines[i]:
                break
        out[name] = frozenset(k for k, plus in enumerate(marks) if plus)
    return out


def _elements(definition, arrays: dict) -> list[str]:
    """The names a STATE or ASSIGNED declaration makes: ``x``, or ``x[0]`` ... ``x[n-1]`` for an
    array ``x[n]`` (its length a number or a DEFINE'd name, which NEURON's parser resolves); each
    element is a variable of its own (NEURON's generated code indexes one contiguous block)."""
    name = definition.get_node_name()
    if definition.length is None:
        return [name]
    arrays[name] = int(definition.length.eval())
    return [f"{name}[{i}]" for i in range(arrays[name])]


def _neuron_block(block, info: dict) -> None:
    for st in _statements(block.statement_block):
        if st.is_suffix():
            info["suffix"] = st.name.get_node_name()
            info["point"] = st.type.get_node_name() == "POINT_PROCESS"
        elif st.is_useion():
            info["ions"].append(_ion(st))
        elif st.is_nonspecific():
            info["nonspecific"] += _names(st.currents)
        elif st.is_range():
            info["ranges"] += _names(st.variables)
        elif st.is_global():
            info["globals_"] += _names(st.variables)


def _ion(st) -> Ion:
    """The Ion of a USEION statement; an ion NEURON does not know, declared without VALENCE, takes
    the valence another file loaded together declares (valences.py), as NEURON gives it."""
    from excitable.io.nmodl import valences

    name, valence, where = st.name.get_node_name(), None, ""
    if st.valence is not None:
        valence = _number(st.valence.value)
    elif name not in ION_DEFAULTS and name in valences.current():
        valence, where = valences.current()[name]
    return Ion(name, _names(st.readlist), _names(st.writelist), valence, where)


def _solves(block, *, steady: bool) -> tuple[tuple[str, str], ...]:
    """(block name, method) of each SOLVE statement in ``block``, at any depth: a SOLVE inside an
    if/else (ModelDB 182134 capr.mod: ``if (cai < 0) { cai = 0 } else { SOLVE state METHOD cnexp }``)
    or a bare ``{ }`` counts as one directly in the block. That is NEURON's reading in BREAKPOINT:
    nocmodl (NEURON 9.0.2) moves every SOLVE of BREAKPOINT, whatever encloses it, into ``nrn_state``,
    run at every step, and leaves the enclosing if/else, emptied of the SOLVE, in ``nrn_cur``
    (checked in the C it writes; tests/io/nmodl/test_nested_solve.py). In INITIAL, nocmodl keeps a
    ``SOLVE ... STEADYSTATE`` where it is written, under its condition, as the compiled INITIAL
    does (``Compiler.if_statement`` passes the SOLVE handler into its branches)."""
    if block is None:
        return ()
    out = []
    for st in _statements(block.statement_block):
        st = st.expression if st.is_expression_statement() else st
        if st.is_solve_block() and (st.steadystate is not None) == steady:
            method = st.steadystate if steady else st.method
            out.append((st.block_name.get_node_name(), method.get_node_name() if method is not None else ""))
    return tuple(out)


def _statements(statement_block):
    """The statements of a block in the order written, those of nested if/else if/else branches and
    bare ``{ }`` blocks included (depth first)."""
    for st in statement_block.statements:
        yield st
        inner = st.expression if st.is_expression_statement() and st.expression.is_statement_block() else st
        if inner.is_statement_block():
            yield from _statements(inner)
        elif inner.is_if_statement():
            yield from _statements(inner.statement_block)
            for branch in inner.elseifs:
                yield from _statements(branch.statement_block)
            if inner.elses is not None:
                yield from _statements(inner.elses.statement_block)


def state_writes(desc: Description) -> tuple[str, ...]:
    """The STATEs BREAKPOINT assigns outside its SOLVE (directly or in a PROCEDURE it calls), such as
    capr.mod's guard ``if (cai < 0) { cai = 0 }``. NEURON keeps such a write in the instance's data:
    where the file writes a current, nrn_cur makes it before nrn_state's SOLVE (``mechanism.feeds``
    carries it into ``advance``); where it writes none, BREAKPOINT runs in nrn_state after the SOLVE
    (``advance`` runs it there). Checked in the C of nocmodl 9.0.2 and beside NEURON
    (tests/io/nmodl/test_nested_solve.py)."""
    from excitable.io.nmodl.parse import dsl

    if desc.breakpoint is None:
        return ()
    text, seen, todo = "", set(), [desc.breakpoint]
    while todo:
        block = todo.pop()
        part = dsl().to_nmodl(block)
        text += "\n" + part
        for name in set(re.findall(r"\b(\w+)\s*\(", part)) - seen:
            seen.add(name)
            if name in desc.procedures:
                todo.append(desc.procedures[name])
    written = {a + b for a, b in re.findall(r"\b([A-Za-z_]\w*)(\[\d+\])?\s*=(?!=)", text)}
    return tuple(x for x in desc.states if x in written or x.split("[")[0] in written and "[" in x)


def rewritten_states(desc: Description) -> tuple[str, ...]:
    """STATEs among ``state_writes`` whose write a second run of BREAKPOINT could change, where the
    file writes a current: NEURON's nrn_cur runs BREAKPOINT twice a step (at v + 0.001 mV, then v,
    for the slope), each run from what the first left (``x = x*0.99`` applies twice: 0.15 of x's
    range off when run once, checked beside NEURON 9.0.2), while ``advance`` takes one run's write.
    One run equals two where each assignment of such a STATE (at BREAKPOINT's level, outside a loop)
    reads, of the names BREAKPOINT assigns, only values this run set before it from such values
    (``flow.state_sites``: na6_gp.mod's ``ist = isot + isit + isbt`` after ``isot = iso01 + ...``),
    under conditions that read none either; a single assignment may sit under a condition on the
    STATE itself (capr.mod's ``if (cai < 0) { cai = 0 }``, a clamp ``if (x > xmax) { x = xmax }``):
    a second run then writes the same value or nothing."""
    from excitable.io.nmodl import flow
    from excitable.io.nmodl.parse import dsl

    writes = state_writes(desc)
    if not desc.currents or not writes:
        return ()
    whole = dsl().to_nmodl(desc.breakpoint)
    assigned = {m.group(1) for m in re.finditer(r"\b([A-Za-z_]\w*)(?:\[\d+\])?\s*=(?!=)", whole)}
    sites = flow.state_sites(desc, desc.breakpoint, assigned, writes)

    def same(found: list[tuple[bool, bool]]) -> bool:  # (same on a second run, under a condition on itself)
        return bool(found) and all(ok for ok, _ in found) and (len(found) == 1 or not any(own for _, own in found))
    return tuple(x for x in writes if not same(sites[x]))
