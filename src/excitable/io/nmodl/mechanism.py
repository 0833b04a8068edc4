"""A density mechanism class generated from a .mod file: a frozen dataclass registered as a JAX
pytree, inserted like the built-in channels (``cell.insert(Hh(gnabar=0.12))``), named by the file's
SUFFIX (``sim.record("hh.m")``, ``cell.set("hh.gnabar", ...)``).

Fields: the file's PARAMETERs with their defaults and units, and the ion variables it READs
(``ena``, ``cai`` ...: NEURON's defaults, filled from excitable's dynamic ion pools when a cell
has them). States: the file's STATEs, then the ASSIGNED variables BREAKPOINT reads but does not set
(``carried``), then ``celsius`` where BREAKPOINT needs the temperature (the engine gives currents no
temperature; the state carries the run's, set at INITIAL and at every step).

Units: currents are the file's mA/cm2 x 1000 = uA/cm2, the engine's unit for densities; parameters
keep the file's units (``gnabar`` in S/cm2, as in NEURON).

What each engine call runs, as NEURON's generated code does:
- ``currents(v, s)``: BREAKPOINT without its SOLVE (NEURON's ``nrn_cur``);
- ``advance(v, s, celsius, dt, drive)``: the SOLVE of BREAKPOINT at the new V (``nrn_state``), with
  what BREAKPOINT left for it at the step's start (``breakpoint_feeds``);
- ``steady_state(v, celsius)``: INITIAL, including ``SOLVE ... STEADYSTATE`` (``finitialize``).
"""

from __future__ import annotations

import dataclasses
import keyword
import re

import jax
import jax.numpy as jnp

from excitable.engine.noise import RNG
from excitable.errors import ModelError
from excitable.io.nmodl import (
    array_memory,
    breakpoint_feeds,
    concentrations,
    function_tables,
    longitudinal,
    loop_bounds,
    parameter_writes,
    pointers,
    procedure_solves,
    random_draws,
    runtime_index,
    solvers,
)
from excitable.io.nmodl import linear as linear_blocks
from excitable.io.nmodl import nonlinear as nonlinear_blocks
from excitable.io.nmodl.affine import Affine, materialize
from excitable.io.nmodl.breakpoint_feeds import _mentions, feeds, solved_text  # what BREAKPOINT feeds the SOLVE
from excitable.io.nmodl.clock import half_step
from excitable.io.nmodl.double_run import names as kept_between_runs, nrn_cur
from excitable.io.nmodl.comments import strip_comments
from excitable.io.nmodl.describe import SPECIAL, Description, python_name, state_writes
from excitable.io.nmodl.expressions import (
    EXP_CACHE,
    Compiler,
    Scope,
    kinetic_block,
    kinetic_present,
)
from excitable.io.nmodl.parameter_writes import carried, kept  # what NEURON keeps between blocks
from excitable.io.nmodl.mechanism_fields import (  # the class's fields; mechanism.X for the other classes
    GEOMETRY_DEFAULTS as GEOMETRY_DEFAULTS,
    GEOMETRY_SOURCES,
    RUN_DT,
    fields,
    geometry,
    ion_reads,
)
from excitable.io.nmodl.slope import neuron_slope
from excitable.io.nmodl.units import factors
from excitable.physics.channel import AbstractChannel, channel

MA_TO_UA = 1000.0  # mA/cm2 (NMODL) -> uA/cm2 (the engine)


def equation_states(desc: Description, block_name: str) -> tuple[str, ...]:
    """The states with an equation (x' = ...) or a CONSERVE law in a DERIVATIVE block, in order."""
    from excitable.io.nmodl.parse import dsl

    text = dsl().to_nmodl(desc.derivatives[block_name])
    named = {a + b for a, b in re.findall(r"\b(\w+)'(\[\d+\])?\s*=", text)}
    return tuple(s for s in desc.states if s in named)


def _narrowed(steady_state, mech, v, celsius, keys=None):
    """``steady_state`` computed in float64 from a float32 ``mech`` and ``v``, rounded to float32."""
    wide = lambda a: jnp.asarray(a, jnp.float64) if jnp.issubdtype(jnp.result_type(a), jnp.floating) else a

    out = steady_state(jax.tree_util.tree_map(wide, mech), wide(v), wide(celsius), keys)
    return jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), out)


class Generated:
    """The compiled blocks of one mechanism (shared by all its instances)."""

    def __init__(self, desc: Description, unit_factors: dict[str, float], linear: dict[str, bool],
                 compiler=Compiler):
        # compiler: a subclass that also knows NEURON's event calls (events.EventCompiler: net_send ...)
        self.desc, self.linear = desc, linear
        known = set(desc.parameters) | set(desc.assigned) | set(desc.states) | set(unit_factors)
        comp = self.compiler = compiler(desc.path, desc.functions, desc.procedures, known)
        self.comp_exp = comp.exp
        self.constants = {**unit_factors, **desc.constants}
        self.breakpoint = comp.block(desc.breakpoint.statement_block) if desc.breakpoint else (lambda s: None)
        self.derivatives = {n: kinetic_block(comp, b.statement_block) if linear.get(n) else comp.block(b.statement_block)
                            for n, b in desc.derivatives.items()}
        self.eq_states = {n: equation_states(desc, n) for n in desc.derivatives}
        # SOLVE of a PROCEDURE (no METHOD): NEURON's nrn_state calls it once per step; its own
        # assignments advance the states (Migliore's `m = m + mexp*(minf - m)`, with dt)
        self.procedure_solves = {b: comp.block(desc.procedures[b].statement_block, procedure=True)
                                 for b, m in desc.solves if not m and b in desc.procedures}
        # LINEAR blocks, solved where a SOLVE names them (INITIAL or BREAKPOINT's nrn_state: linear.py)
        self.linears = linear_blocks.compile_blocks(comp, desc)
        self.unknowns = {n: linear_blocks.unknowns(desc, n) for n in desc.linears}
        # NONLINEAR blocks, likewise, by NEURON's Newton loop (nonlinear.py)
        self.nonlinears = nonlinear_blocks.compile_blocks(comp, desc)
        self.nonlinear_unknowns = {n: nonlinear_blocks.unknowns(desc, n) for n in desc.nonlinears}
        self.initial = (comp.block(desc.initial.statement_block, solve=self._steady, procedure=True)
                        if desc.initial else (lambda s: None))
        text = _mentions(desc, desc.breakpoint) if desc.breakpoint else ""
        self.needs_celsius = bool(re.search(r"\bcelsius\b", text))
        self.carried = carried(desc, text)
        solved = solved_text(desc)
        init = _mentions(desc, desc.initial) if desc.initial else ""
        init += "".join("\n" + _mentions(desc, desc.linears[n]) for n in linear_blocks.solved_in_initial(desc))
        init += "".join("\n" + _mentions(desc, desc.nonlinears[n]) for n in nonlinear_blocks.solved_in_initial(desc))
        self.kept = tuple(k for k in kept(desc, text, solved, init) if k not in self.carried)
        self.feeds = feeds(desc, text, solved)
        # NEURON's t in nrn_state: the step's end; in BREAKPOINT (nrn_cur): the step's middle
        self.time_in_breakpoint = tuple(n for n in ("t", "dt") if re.search(rf"\b{n}\b", text))
        self.needs_t = bool(re.search(r"\bt\b", solved)) or "t" in self.time_in_breakpoint
        # The run's dt as a field (Simulation fills it) where BREAKPOINT or INITIAL reads t or dt:
        # the engine gives neither block a dt.
        self.dt_field = bool(self.time_in_breakpoint) or bool(re.search(r"\bdt\b", init))
        self.renamed: dict[str, str] = {}  # file name -> field name where a Python keyword (make_class)

    def _steady(self, solve_node):
        name = solve_node.block_name.get_node_name()
        if solve_node.steadystate is None and name in self.linears:  # SOLVE of a LINEAR block (no METHOD)
            return lambda scope: self.solve_linear(name, scope)
        if solve_node.steadystate is None and name in self.nonlinears:  # NONLINEAR: Newton, as NEURON
            return lambda scope: self.solve_nonlinear(name, scope, initial=True)
        if solve_node.steadystate is None:
            self.compiler.fail(f"SOLVE {name} in INITIAL without STEADYSTATE", solve_node)
        method = solve_node.steadystate.get_node_name()

        def run(scope):
            solvers.solve(method, self.derivatives[name], scope, self.eq_states[name], steady=True,
                          linear=self.linear.get(name, True))
        return run

    def solve_linear(self, name, scope) -> None:
        linear_blocks.solve(self.linears[name], scope, self.desc, name, self.unknowns[name])

    def solve_nonlinear(self, name, scope, initial=False) -> None:
        nonlinear_blocks.solve(self.nonlinears[name], scope, self.desc, name, self.nonlinear_unknowns[name], initial)

    def scope(self, chan, v, s, celsius, dt=0.0) -> Scope:
        glob = dict.fromkeys(self.desc.assigned, 0.0)
        glob.update(self.constants)
        glob.update({f.name: getattr(chan, f.name) for f in dataclasses.fields(chan)})
        glob.update({k: getattr(chan, py) for k, py in self.renamed.items()})
        glob.update({k: x for k, x in s.items()})
        glob.update(v=Affine(1.0, 0.0, jnp.asarray(v)), celsius=celsius, dt=dt, t=s.get("t", 0.0))  # exp sharing: affine.py
        glob[EXP_CACHE] = {}
        random_draws.start(glob, random_draws.BREAKPOINT)  # before any if's copies: they share the count
        glob.setdefault(runtime_index.OUT_OF_RANGE, 0.0)  # s's count where it carries one (runtime_index.py)
        return Scope({}, glob)


def initial_only(desc: Description) -> tuple[str, ...]:
    """The RANGE ASSIGNED variables INITIAL sets and no later block does (ModelDB 267355 cdp5.mod's
    ``BTC_ca``, a buffer's fraction from parameters): NEURON's instance keeps INITIAL's value for the
    whole run, so they are carried as states (unchanged by ``advance``) and recordable."""
    pattern = re.compile(r"\b(\w+)\s*(?:\[[^\]]*\])?\s*=(?!=)")
    if desc.initial is None:
        return ()
    later = set(pattern.findall(solved_text(desc)))
    later |= set(pattern.findall(_mentions(desc, desc.breakpoint))) if desc.breakpoint is not None else set()
    return tuple(a for a in dict.fromkeys(pattern.findall(_mentions(desc, desc.initial)))
                 if a in desc.assigned and a in desc.ranges and a not in later and a not in desc.currents
                 and a not in SPECIAL and a not in desc.ion_reads())


#: Names the channel API uses: a parameter of the file with one of them cannot become a field.
RESERVED = frozenset({"name", "states", "units", "kind", "ions", "ion_fields", "parameters", "currents",
                      "advance", "steady_state", "gates", "rates", "conductances", "on_events",
                      "source", "description", "rate_factor", "reference_celsius"})


# long because the class's methods are closures over one mechanism's compiled blocks and names
# (currents, advance, steady_state share them): split, each would take a dozen arguments
def make_class(desc: Description, mod, tables=None):
    """The channel class of a described .mod file (``mod``: the parsed file, for its UNITS;
    ``tables``: its FUNCTION_TABLEs' values, name -> values: function_tables.py)."""
    compiler, table_fields, table_namespace = function_tables.prepared(desc, mod, tables, Compiler)
    gen = pointers.uncarried(Generated(desc, factors(mod), mod.linear, compiler), mod)  # POINTERs: fields
    spec = {**fields(desc), **table_fields, **pointers.fields(mod)}  # a POINTER: V elsewhere (pointers.py)
    if gen.dt_field:
        spec["dt"] = RUN_DT
    geometry_fields = {k: GEOMETRY_SOURCES[k] for k in geometry(desc)}
    if mod.diffusion:  # LONGITUDINAL_DIFFUSION: each site's compartment length, for engine.diffusion
        longitudinal.check_field_name(desc, spec)
        spec[longitudinal.DX_FIELD], geometry_fields[longitudinal.DX_FIELD] = (0.0, "um"), longitudinal.DX_SOURCE
    # a Python keyword (nacur.mod's del) is a field under another name (IClamp's delay), the file's in scope
    gen.renamed = {k: python_name(k) for k in spec if python_name(k) != k}
    spec = {gen.renamed.get(k, k): x for k, x in spec.items()}
    for k in spec:
        if k in RESERVED or keyword.iskeyword(k):
            raise ModelError(f"{desc.path}: parameter {k!r} has a name excitable's channels reserve; rename it")
    currents = desc.currents
    writes = parameter_writes.Writes(desc, mod.text)  # PARAMETERs INITIAL or a step assigns: states too
    carried_all = gen.carried + gen.kept + (written_e := tuple(concentrations.reversal_writes(desc))) + writes.carried()
    carried_all += tuple(a for a in procedure_solves.memory(desc, mod.text) if a not in carried_all)  # n = n + 1
    carried_all += tuple(a for a in initial_only(desc) if a not in carried_all)  # cdp5's BTC_ca: recordable
    # what BREAKPOINT rewrites and keeps (gkcadend's c = c + ...): nrn_cur's two runs a step (double_run.py)
    arrays = array_memory.kept(desc, mod.text)  # w[1] set in INITIAL, read in BREAKPOINT: per element
    bp_arrays = array_memory.breakpoint_written(desc, mod.text, arrays)  # nrn_cur's (twice) or nrn_state's
    twice = kept_between_runs(mod, desc) + (bp_arrays if currents else ())
    carried_all += tuple(a for a in dict.fromkeys(arrays + twice) if a not in carried_all and a not in desc.states)
    # a nonlinear sparse or a derivimplicit SOLVE counts where NEURON's loop would iterate on (solvers.UNCONVERGED)
    flag = (solvers.UNCONVERGED,) if solvers.flagged(desc, gen.linear) or nonlinear_blocks.flagged(desc) else ()
    # values BREAKPOINT computes from v, ions or POINTERs for the SOLVE: NEURON's are the step's start's
    stale = breakpoint_feeds.stale(desc, pointers.names(mod))
    after_cur = writes.set_by_currents()  # PARAMETERs nrn_cur leaves (cal_mig's ggk): its run at the step's start
    stored = stored_recordable(desc, desc.states + carried_all, twice)  # beside kept values: nrn_cur's, not rerun
    after_cur, carried_all = after_cur + stored, carried_all + stored
    at_start = bool(stale or twice or after_cur)  # advance reruns nrn_cur at the step's start V (breakpoint_feeds.start)
    v_cur = (breakpoint_feeds.V_CUR,) if at_start else ()  # the V they were computed at, where the engine gives none
    counted = (runtime_index.OUT_OF_RANGE,) if desc.arrays else ()  # accesses past an array (runtime_index.py)
    states = (desc.states + carried_all + (("t",) if gen.needs_t else ()) + (("celsius",) if gen.needs_celsius else ())
              + flag + counted + v_cur)
    ions = {c: ion.name for ion in desc.ions for c in ion.write if ion.kind(c) == "current"}
    ion_vars = {x for ion in desc.ions for x in ion.read + ion.write}
    ion_fields = {var: (ion, "e" if kind == "e" else "c" + kind) for var, (ion, kind) in ion_reads(desc).items()}
    ion_fields.update(concentrations.current_reads(desc))

    def breakpoint_scope(chan, v, s, celsius):
        """BREAKPOINT's variables as NEURON's nrn_cur sees them: dt the run's, t mid-step."""
        scope = gen.scope(chan, v, s, celsius, chan.dt if gen.dt_field else 0.0)
        if "t" in gen.time_in_breakpoint:
            scope.glob["t"] = half_step(s["t"], chan.dt)
        gen.breakpoint(scope)
        return scope

    def nrn_cur_scope(chan, v, s, celsius, first=False):
        """BREAKPOINT as nrn_cur leaves it: its run at v, or, where it rewrites what it keeps, the
        second of its two runs (``first``: the one at v + 0.001 mV)."""
        if not twice:
            return breakpoint_scope(chan, v, s, celsius)
        return nrn_cur(lambda vv, ss: breakpoint_scope(chan, vv, ss, celsius), twice, v, s)[0 if first else 1]

    def raw_currents(chan, v, s, first=False):
        scope = nrn_cur_scope(chan, v, s, s["celsius"] if gen.needs_celsius else 0.0, first)
        zero = jnp.zeros_like(v)
        return {c: MA_TO_UA * materialize(scope.glob[c]) + zero for c in currents}

    # NEURON's slope: (i1 - i2)/0.001 from its two runs (a BREAKPOINT that keeps values: double_run.py)
    currents_fn = neuron_slope(raw_currents, (lambda chan, v, s: raw_currents(chan, v, s, True)) if twice else None)

    # read once per class, not at every trace of advance (state_writes parses the file's text)
    breakpoint_after_solve = bool(written_e or writes.breakpoint_in_state or not currents and (state_writes(desc) or bp_arrays))

    def advance(self, v, s, celsius, dt, drive):
        scope = gen.scope(self, v, s, celsius, dt)
        if gen.feeds or twice or after_cur:  # what nrn_cur left: BREAKPOINT at the start-of-step states, V, ions (breakpoint_feeds)
            at_v, at = breakpoint_feeds.start(self, v, s, drive) if at_start else (v, self)
            pre = nrn_cur_scope(at, at_v, s, celsius)
            scope.glob.update({k: materialize(pre.glob[k]) for k in gen.feeds + twice + after_cur})  # arrays: another V than scope's
        if gen.needs_t:  # NEURON advances t by two half steps before nrn_state: the same sums
            scope.glob["t"] = half_step(half_step(s["t"], dt), dt)
        random_draws.start(scope.glob, random_draws.SOLVE)  # draws of its own, not BREAKPOINT's
        scope.glob[solvers.UNCONVERGED] = 0.0  # this step's, added to the count below
        for block, method in desc.solves:
            if block in gen.procedure_solves:
                gen.procedure_solves[block](scope)
                continue
            if block in gen.linears:  # NEURON's nrn_state solves it at the new V
                gen.solve_linear(block, scope)
                continue
            if block in gen.nonlinears:  # likewise, by NEURON's Newton loop
                gen.solve_nonlinear(block, scope)
                continue
            kinetic_present(scope, gen.eq_states[block], lambda b=block, m=method: solvers.solve(
                m, gen.derivatives[b], scope, gen.eq_states[b], linear=gen.linear.get(b, False)))
        if breakpoint_after_solve:  # no currents: NEURON runs the rest of BREAKPOINT in nrn_state, after the SOLVE
            gen.breakpoint(scope)
        out = _states_out(scope, v, celsius)
        if flag:
            out[solvers.UNCONVERGED] = s[solvers.UNCONVERGED] + scope.glob[solvers.UNCONVERGED] + jnp.zeros_like(v)
        if at_start:  # the next step's nrn_cur runs at this V (breakpoint_feeds.start)
            out[breakpoint_feeds.V_CUR] = v + jnp.zeros_like(v)
        return out

    def steady_state(self, v, celsius, keys=None):  # keys: INITIAL's random draws (engine.noise)
        if wide_initial and jnp.result_type(v) == jnp.float32 and jax.config.jax_enable_x64:
            return _narrowed(steady_state, self, v, celsius, keys)
        seeds = concentrations.initial_states(desc)
        # NEURON starts a STATE x (each element of an array x) at x0 where the file has it (capmpr's pump0), else 0; not an
        # ion's concentration, which nrn_init copies from the ion whatever cai0 is (ModelDB 231862's Cabuffer2.mod)
        seeds.update({k: getattr(self, b + "0") for k in desc.states
                      if (b := k.split("[")[0]) + "0" in spec and b not in ion_vars})
        drawn = {} if keys is None else {RNG: keys}
        scope = gen.scope(self, v, {**seeds, **drawn}, celsius, self.dt if gen.dt_field else 0.0)  # t = 0
        random_draws.start(scope.glob, random_draws.INITIAL)
        gen.initial(scope)
        out = _states_out(scope, v, celsius)
        if flag:
            out[solvers.UNCONVERGED] = scope.glob.get(solvers.UNCONVERGED, 0.0) + jnp.zeros_like(v)  # its STEADYSTATE's
        if initial_writes or twice:  # finitialize's nrn_cur (fcurrent) after INITIAL, at t = 0: its writes are t = 0's
            def run(vv, ss):
                sc = gen.scope(self, vv, ss, celsius, self.dt if gen.dt_field else 0.0)
                gen.breakpoint(sc)
                return sc
            after = nrn_cur(run, twice, v, {**out, **drawn})[1] if twice else run(v, {**out, **drawn})
            out.update({k: materialize(after.glob[k]) + jnp.zeros_like(v) for k in initial_writes + twice})
        if at_start:  # the first step's nrn_cur runs at V init
            out[breakpoint_feeds.V_CUR] = v + jnp.zeros_like(v)
        return out

    # NEURON's finitialize runs nrn_cur after INITIAL, before recording t = 0 (checked beside NEURON
    # 9.0.2: nm_bpsum's `tot = a + b`); a file without currents has no nrn_cur, so INITIAL's values stay.
    initial_writes = state_writes(desc) + after_cur if currents else ()

    # A STEADYSTATE solve takes NEURON's one backward Euler step of 1e9 ms: float32 round-off
    # (1.2e-7) times 1e9 swamps the states (nm_steady's start 7 % off), so in a float32 run
    # INITIAL is computed in float64 and its result rounded to float32 (runs once).
    wide_initial = bool(desc.initial_solves) or bool(nonlinear_blocks.solved_in_initial(desc))  # likewise NONLINEAR's stop rule

    def _states_out(scope, v, celsius):
        zero = jnp.zeros_like(v)
        out = {k: materialize(scope.glob[k]) + zero for k in desc.states + carried_all + counted}
        if gen.needs_t:
            out["t"] = scope.glob["t"] + zero
        if gen.needs_celsius:
            out["celsius"] = celsius + zero
        return out

    namespace = {
        "__annotations__": {k: float for k in spec},
        **{k: default for k, (default, _) in spec.items()},
        "__doc__": f"{desc.suffix}: density mechanism imported from {desc.path} (NMODL).",
        # Not a module of this package: the program store (engine/programs.py) keys programs by our
        # source, not by the .mod file, so a generated class must take the plain jit path.
        "__module__": "nmodl_generated",
        "states": states, "units": {k: unit for k, (_, unit) in spec.items()},
        "ions": ions, "ion_fields": ion_fields,
        "geometry_fields": geometry_fields,
        "time_fields": ("dt",) if gen.dt_field else (),
        **concentrations.engine_attributes(desc, ion_fields),  # what the engine does with the ions (its docstring)
        "currents": currents_fn, "advance": advance, "steady_state": steady_state,
        "gates": lambda self, v, celsius: {}, "source": desc.path, "description": desc,
        "shared_exp": gen.comp_exp, **table_namespace, "pointers": pointers.names(mod),
        "start_of_step": at_start,  # advance reads drive["start"] (engine/stepping.advance_states)
        "breakpoint_reads_t": "t" in gen.time_in_breakpoint,  # t = 0's record: finitialize's t (integrate.first_extras)
        "random": tuple(random_draws.called(strip_comments(mod.text))),  # what it draws with; any: keys (engine.noise)
    }
    namespace["recordable"] = breakpoint_recordable(desc, states, ion_fields)
    def breakpoint_values(self, v, s):  # nrn_cur's (last) run gives them all
        glob = nrn_cur_scope(self, v, s, s["celsius"] if gen.needs_celsius else 0.0).glob
        return {a: materialize(glob[a]) + jnp.zeros_like(v) for a in self.recordable}
    namespace["breakpoint_values"] = breakpoint_values
    if mod.diffusion:  # the diffusing elements and their rates and volumes (longitudinal.py, engine/diffusion.py)
        run_terms = longitudinal.terms(gen, mod.diffusion, states)
        namespace["longitudinal"] = tuple(e for d in mod.diffusion for e, _ in longitudinal.elements(d, states))
        namespace["diffusion_terms"] = lambda self, v, s, celsius: run_terms(self, v, s, celsius)
    cls = type(desc.suffix, (AbstractChannel,), namespace)
    cls.__doc__ += _geometry_note(desc)
    # PARAMETERs bounding FROM loops, no block assigning them: static fields, the loops unrolled when traced
    fixed = {k: v for k, v in loop_bounds.bound_parameters(desc, mod, carried_all).items() if k in spec}
    return loop_bounds.fixed_channel(cls, fixed, desc.path) if fixed else channel(cls)


def breakpoint_recordable(desc: Description, states, ion_fields) -> tuple[str, ...]:
    """The RANGE ASSIGNED values BREAKPOINT computes that are not states, currents or ion variables
    (hh.mod's gna, an NMDA synapse's V-dependent g): recordable as NEURON's, in the file's units,
    from nrn_cur's run at the step's start (``integrate.probe_value``'s "assigned")."""
    set_in_bp = set(re.findall(r"\b(\w+)\s*=(?!=)", _mentions(desc, desc.breakpoint))) if desc.breakpoint else set()
    return tuple(a for a in desc.assigned if a in desc.ranges and a in set_in_bp
                 and a not in states and a not in desc.currents and a not in ion_fields)


def stored_recordable(desc: Description, kept, twice) -> tuple[str, ...]:
    """The RANGE values BREAKPOINT computes (``breakpoint_recordable``) of a file whose BREAKPOINT
    also keeps values (``twice``: a filter ``b0 = 0.9*b0 + ...``, then ``b1 = b0``): computed again
    at record time they would start from kept values nrn_cur had already moved (t = 0:
    finitialize's two runs made four), so they are carried as states, stored from nrn_cur's run
    as the kept ones are; () where nothing is kept (a rerun gives nrn_cur's values)."""
    if not twice:
        return ()
    ion_vars = {x for ion in desc.ions for x in ion.read + ion.write}
    return breakpoint_recordable(desc, kept, ion_vars)


def _geometry_note(desc: Description) -> str:
    names = geometry(desc)
    return (f" Its {' and '.join(names)} follow each compartment's geometry (NEURON's segment values)."
            if names else "")
