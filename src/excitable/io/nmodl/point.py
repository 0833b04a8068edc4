"""Point processes (POINT_PROCESS) with NET_RECEIVE: synapses imported from .mod files.

A POINT_PROCESS file becomes a ``kind = "point"`` mechanism (currents in nA and conductances in µS,
as in the file: NEURON's point-process units are the engine's), placed and driven like the
built-in Exp2Syn (``physics/receptors.py``)::

    ExpSyn = ex.load_mod(".../expsyn.mod")
    net.connect(pre, post, ExpSyn(tau=2.0, e=0.0), weight=0.01, delay=1.0, t_max=0.0, pulse=0.0)
    net.spike_train([5.0, 10.0], post, ExpSyn(tau=2.0), weight=0.01, t_max=0.0, pulse=0.0)

NET_RECEIVE becomes ``on_events(s, weight)``: the engine hands it the total weight that arrives at
each instance in a step (0 in a step without events), so only what is exact under that contract is
imported: every statement is a jump ``x = x + expr`` (or ``- expr``) of a STATE, ``expr`` linear in
the event's weight and free of states, V and t (expsyn's ``g = g + weight``, exp2syn's
``A = A + weight*factor``). Then two events in one step give the jump of their summed weight, and
a step without events changes nothing. A file with ``net_send``, ``flag``, ``t``,
``state_discontinuity``, NET_RECEIVE arguments beyond the weight (NEURON's per-NetCon state) or
a write of the weight (plasticity: ``events.writes_weight``) takes the event path
(``artificial.make_event_class``); anything else (conditions on the state) is refused with
``file:line``.

NEURON semantics kept: INITIAL runs once at ``finitialize``, and what it computes persists. An
ASSIGNED variable NET_RECEIVE reads (exp2syn's ``factor``) and a PARAMETER INITIAL writes
(exp2syn's guard ``tau1 = 0.9999*tau2`` when tau1 >= tau2) are carried as extra states, set by
INITIAL (``steady_state``) and read by every later block, as NEURON's instance data are.
What a BREAKPOINT with currents assigns to such a variable (stp2syn.mod's ``Pmax = n*p0``) is
what NEURON's nrn_cur left at the step's start: ``advance`` stores BREAKPOINT's run there, and
``steady_state`` finitialize's run after INITIAL (io/nmodl/nrn_cur_values.py).

A value BREAKPOINT sets that the SOLVE'd block reads (ModelDB 93326 shunt.mod's ``mmax = 1/(1 +
exp((v + Bm)/Cm))``) is what NEURON's nrn_cur left: ``advance`` runs BREAKPOINT at the step's start
for it, the engine's ``drive["start"]`` or the V kept in ``v_nrn_cur`` (io/nmodl/breakpoint_feeds.py).

A BREAKPOINT that rewrites what it keeps (a STATE stepped there, an ASSIGNED counter or filter)
runs twice a step, as NEURON's nrn_cur runs a point process's too (at v + 0.001 mV, then v;
io/nmodl/double_run.py): ``currents`` gives the second run's currents with NEURON's slope
(i1 - i2)/0.001 nA/mV, ``advance`` and ``steady_state`` keep the second run's values.

NEURON's ``diam`` (µm) and ``area`` (µm²) of the segment an instance sits in, and the run's ``dt``
where BREAKPOINT, INITIAL or NET_RECEIVE reads it, are fields (``events.point_fields``) that the cell
and the Simulation fill per instance (as for density mechanisms: ``model.cell.with_geometry``,
``with_run_dt``).

Recording: the STATEs, the currents (nA) and the RANGE ASSIGNED conductances (µS) BREAKPOINT sets
without reading V (exp2syn's ``g = B - A``), e.g. ``sim.record("Exp2Syn[0].g")``.
"""

from __future__ import annotations

import re

from excitable.errors import ModelError
from excitable.io.nmodl import array_memory, runtime_index
from excitable.io.nmodl.describe import Description
from excitable.io.nmodl.events import carried_extra as _carried_extra
from excitable.io.nmodl.events import net_receive
from excitable.io.nmodl.events import point_fields as _fields
from excitable.io.nmodl.includes import located
from excitable.io.nmodl.parse import strip_comments

def problems(mod, desc: Description) -> list[tuple[int, str]]:
    """(line, construct) of what a point process uses that ``on_events`` cannot run exactly."""
    from excitable.io.nmodl import artificial, event_checks, events, nrn_cur_values

    lines = strip_comments(mod.text)
    kept = nrn_cur_values.problems(mod, desc) + _states_without_equations(desc, lines)
    if (desc.point or artificial.is_artificial(mod)) and events.uses(mod, desc, lines):
        return event_checks.problems(mod, desc, lines) + kept  # net_send, flag, t, ARTIFICIAL_CELL, ELECTRODE_CURRENT
    found = event_checks.density_problems(mod, desc, lines) + kept
    block = net_receive(mod)
    if block is None:
        return found
    header = next((i + 1 for i, line in enumerate(lines) if re.search(r"\bNET_RECEIVE\b", line)), 0)
    if not desc.point:
        return found + [(header, "NET_RECEIVE outside a POINT_PROCESS")]
    args = [a.get_node_name() for a in block.parameters]
    if len(args) != 1:
        found.append((header, f"NET_RECEIVE with {len(args)} arguments (only the weight is delivered)"))
    # (with a weight argument such statements take the event path: events.uses)
    return found + [(n, f"NET_RECEIVE statement '{text[:40]}' (not a jump x = x + f(weight) of a STATE)")
                    for n, text in events.jump_problems(desc, block, lines)]


def _states_without_equations(desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of each STATE NET_RECEIVE assigns that no differential equation (``x'``) or
    reaction (``~``) names: nocmodl 9.0.2 stops there ("x not really a STATE; Ie. No differential
    equation for it"; NeuroML-exported izhikevich2007Cell files' ``vI = 0``), so such a file is not
    one NEURON runs; a STATE without one that NET_RECEIVE leaves alone compiles, and so does a file
    with a LINEAR or NONLINEAR block (checked with nrnivmodl: a cnexp DERIVATIVE, a sparse KINETIC
    or no SOLVE, each refused; a LINEAR block, compiled)."""
    from excitable.io.nmodl.block_bodies import top_level

    if desc.linears or desc.nonlinears:
        return []
    where = {n: b.name for b in top_level(lines) for n in b.lines}
    text = "\n".join(lines)
    found = []
    for x in dict.fromkeys(s.split("[")[0] for s in desc.states):
        if re.search(rf"\b{re.escape(x)}\s*'", text) or re.search(rf"(?m)~.*\b{re.escape(x)}\b", text):
            continue
        assigned = [n for n, line in enumerate(lines, 1) if where.get(n) == "NET_RECEIVE"
                    and re.search(rf"(?<![\w.]){re.escape(x)}\s*(\[[^]]*\])?\s*=(?!=)", line)]
        if assigned:
            found.append((assigned[0], f"STATE {x} assigned in NET_RECEIVE without a differential equation "
                                       f"(nocmodl refuses it too: \"{x} not really a STATE\"; declare it ASSIGNED)"))
    return found


def _compile_net_receive(desc: Description, mod, gen):
    """(NET_RECEIVE as a closure over a scope, or None; the name of its weight argument)."""
    from excitable.io.nmodl.expressions import Compiler

    nr = net_receive(mod)
    weight_name = nr.parameters[0].get_node_name() if nr is not None else "weight"
    known = set(desc.parameters) | set(desc.assigned) | set(desc.states) | set(gen.constants) | {weight_name}
    comp = Compiler(desc.path, desc.functions, desc.procedures, known)
    comp.exp = gen.comp_exp  # one set of shared exponential bases per mechanism (affine.py)
    return (comp.block(nr.statement_block) if nr is not None else None), weight_name


def make_point_class(desc: Description, mod, queue: int | None = None):
    """The ``kind = "point"`` class of a POINT_PROCESS file (after ``problems`` found nothing);
    one with events or ``t``, or an ARTIFICIAL_CELL, from ``artificial.make_event_class`` (with
    ``queue`` self-event slots, default ``events.QUEUE``)."""
    from excitable.io.nmodl import artificial, event_checks, events

    lines = strip_comments(mod.text)
    if events.uses(mod, desc, lines):
        return artificial.make_event_class(desc, mod, queue)
    cls = _make_jump_class(desc, mod)
    if cls is not None:
        return cls
    # jumps not linear in the weight (g = g + w*w): two events in a step are not one of their summed
    # weight, so NET_RECEIVE runs event by event on the event path, as NEURON runs it
    found = event_checks.problems(mod, desc, lines)
    if found:
        line, what = found[0]
        raise ModelError(f"{located(desc.path, line)}: {what} not supported")
    return artificial.make_event_class(desc, mod, queue)


# long because its methods are closures over one file's compiled blocks and names (as
# mechanism.make_class's): split, each would take a dozen arguments
def _make_jump_class(desc: Description, mod):
    """A point process whose NET_RECEIVE is jumps linear in the weight (``on_events``), or None
    where they are not linear in it."""
    import jax.numpy as jnp

    from excitable.io.nmodl import (
        breakpoint_feeds,
        concentrations,
        double_run,
        events,
        loop_bounds,
        mechanism,
        nonlinear,
        nrn_cur_values,
        pointers,
        procedure_solves,
        random_draws,
        solvers,
    )
    from excitable.engine.noise import RNG
    from excitable.io.nmodl.affine import materialize
    from excitable.io.nmodl.comments import strip_comments
    from excitable.io.nmodl.units import factors
    from excitable.physics.channel import AbstractChannel, channel

    gen = pointers.uncarried(mechanism.Generated(desc, factors(mod), mod.linear), mod)  # POINTERs: fields
    spec = {**_fields(desc, mod), **pointers.fields(mod)}  # a POINTER: V elsewhere (pointers.py)
    dt_of = events.time_step  # the run's dt (a field) where BREAKPOINT, INITIAL or NET_RECEIVE reads it
    # and what INITIAL sets for the SOLVE'd blocks (gen.kept: rates a LINEAR block reads)
    carried = gen.carried + tuple(x for x in gen.kept if x not in gen.carried)
    carried += tuple(x for x in procedure_solves.memory(desc, mod.text) if x not in carried)  # a SOLVE'd PROCEDURE's n = n + 1
    kept = desc.states + carried + tuple(x for x in _carried_extra(desc, mod)
                                         if x not in carried and x not in pointers.declared(mod))
    # what nrn_cur leaves for the next step's events and the recording (nrn_cur_values: stp2syn's Pmax)
    after_cur = nrn_cur_values.names(desc, mod)
    kept += tuple(x for x in after_cur if x not in kept)
    # what BREAKPOINT rewrites and keeps (a counter, a STATE stepped there): nrn_cur's two runs (double_run.py)
    arrays = array_memory.kept(desc, mod.text)  # w[1] set in INITIAL, read in BREAKPOINT: per element
    bp_arrays = array_memory.breakpoint_written(desc, mod.text, arrays)  # nrn_cur's (twice) or nrn_state's
    with_currents = breakpoint_feeds.has_currents(desc, strip_comments(mod.text))
    twice = double_run.names(mod, desc) + (bp_arrays if with_currents else ())
    kept += tuple(x for x in dict.fromkeys(arrays + twice) if x not in kept)
    stored = mechanism.stored_recordable(desc, kept, twice)  # beside kept values: nrn_cur's, not rerun
    after_cur, kept = after_cur + stored, kept + stored
    kept += (runtime_index.OUT_OF_RANGE,) if desc.arrays else ()  # accesses past an array (runtime_index.py)
    from_cur = tuple(dict.fromkeys(gen.feeds + after_cur + twice))  # what advance takes from nrn_cur's run
    # a derivimplicit, nonlinear sparse or NONLINEAR SOLVE counts where NEURON's loop would iterate on (as mechanism.py)
    flag = (solvers.UNCONVERGED,) if solvers.flagged(desc, gen.linear) or nonlinear.flagged(desc) else ()
    # values BREAKPOINT computes from v, ions or POINTERs for the SOLVE (shunt.mod's mmax): NEURON's
    # nrn_state reads them as nrn_cur left them, at the step's start (breakpoint_feeds)
    stale = breakpoint_feeds.stale(desc, pointers.names(mod))
    at_start = bool(stale or after_cur or twice)  # advance reruns nrn_cur at the step's start V (breakpoint_feeds.start)
    v_cur = (breakpoint_feeds.V_CUR,) if at_start else ()  # the V they were computed at, where the engine gives none
    states = kept + (("celsius",) if gen.needs_celsius else ()) + flag + v_cur
    jump, weight_name = _compile_net_receive(desc, mod, gen)
    currents = desc.currents
    ions = {c: ion.name for ion in desc.ions for c in ion.write if ion.kind(c) == "current"}
    ion_fields = {var: (ion, "e" if kind == "e" else "c" + kind) for var, (ion, kind) in desc.ion_reads().items()}

    def out(scope, like, celsius):
        zero = jnp.zeros_like(like)
        res = {k: materialize(scope.glob[k]) + zero for k in kept}
        if gen.needs_celsius:
            res["celsius"] = celsius + zero
        if flag:  # the count so far (the scope starts from it) plus what this block's loops added
            res[solvers.UNCONVERGED] = scope.glob.get(solvers.UNCONVERGED, 0.0) + zero
        if at_start:  # carried through NET_RECEIVE's jumps; advance and INITIAL set it
            res[breakpoint_feeds.V_CUR] = scope.glob.get(breakpoint_feeds.V_CUR, 0.0) + zero
        return res

    def advance(self, v, s, celsius, dt, drive):
        scope = gen.scope(self, v, s, celsius, dt)
        if from_cur:  # what nrn_cur left: BREAKPOINT at the start-of-step states, V, ions (breakpoint_feeds)
            at_v, at = breakpoint_feeds.start(self, v, s, drive) if at_start else (v, self)
            scope.glob.update(breakpoint_values(at, at_v, s, from_cur))  # arrays: another V than scope's
        random_draws.start(scope.glob, random_draws.SOLVE)  # draws of its own, not BREAKPOINT's
        for block, method in desc.solves:  # NEURON's nrn_state, at the new V
            events.state_solve(gen, block, method, scope)
        if bp_arrays and not with_currents:  # no nrn_cur: NEURON runs BREAKPOINT in nrn_state, after the SOLVE
            gen.breakpoint(scope)
        res = out(scope, v, celsius)
        if at_start:  # the next step's nrn_cur runs at this V (breakpoint_feeds.start)
            res[breakpoint_feeds.V_CUR] = v + jnp.zeros_like(v)
        return res

    def steady_state(self, v, celsius, keys=None):  # keys: INITIAL's random draws (engine.noise)
        drawn = {} if keys is None else {RNG: keys}
        scope = gen.scope(self, v, {**dict.fromkeys(desc.states, 0.0), **drawn}, celsius, dt_of(self))
        random_draws.start(scope.glob, random_draws.INITIAL)
        gen.initial(scope)
        res = out(scope, v, celsius)
        if after_cur or twice:  # finitialize's nrn_cur after INITIAL: what the first step's events read
            res.update(breakpoint_values(self, v, res, tuple(dict.fromkeys(after_cur + twice))))
        if at_start:  # the first step's nrn_cur runs at V init
            res[breakpoint_feeds.V_CUR] = v + jnp.zeros_like(v)
        return res

    def breakpoint_values(chan, v, s, names, first=False):
        def run(vv, ss):  # nrn_cur's run: twice where BREAKPOINT keeps values (double_run.last_run)
            scope = gen.scope(chan, vv, ss, s["celsius"] if gen.needs_celsius else 0.0, dt_of(chan))
            gen.breakpoint(scope)
            return scope
        scope = double_run.last_run(run, twice, v, s, first)
        return {k: materialize(scope.glob[k]) + jnp.zeros_like(v) for k in names}

    def raw_currents(chan, v, s, first=False):
        return breakpoint_values(chan, v, s, currents, first)  # nA, as the file's

    conductance_names: list[str] = []  # filled by _conductances once the class exists

    def conductances(self, s):
        first = next(iter(s.values()), 0.0)  # s is empty without STATEs; else its precision is the run's
        like = jnp.zeros_like(jnp.asarray(first, dtype=jnp.result_type(first, float)))
        return breakpoint_values(self, like, s, conductance_names) if conductance_names else {}

    def on_events(self, s, weight):
        if jump is None:
            return s
        like = jnp.zeros_like(jnp.asarray(weight, dtype=jnp.result_type(weight, float)))  # the run's precision
        celsius = s.get("celsius", 0.0)
        scope = gen.scope(self, like, s, celsius, dt_of(self))
        scope.local[weight_name] = weight
        jump(scope)
        return out(scope, like, celsius)

    namespace = {
        "__annotations__": {k: float for k in spec},
        **{k: default for k, (default, _) in spec.items()},
        "__doc__": f"{desc.suffix}: point process imported from {desc.path} (NMODL); currents in nA.",
        "__module__": "nmodl_generated",  # not ours: the program store keys programs by our source
        "kind": "point", "states": states, "units": {k: unit for k, (_, unit) in spec.items()},
        "ions": ions, "ion_fields": ion_fields,
        # ions whose concentrations it reads: NEURON's ion style where it sits (engine/ion_style.py)
        "ion_constants": concentrations.ion_constants(desc),
        # NEURON's segment geometry and the run's dt, filled by the cell and the Simulation
        "geometry_fields": events.geometry_fields(desc), "time_fields": ("dt",) if "dt" in spec else (),
        "currents": double_run.slope_currents(raw_currents, twice), "advance": advance, "steady_state": steady_state,
        "on_events": on_events, "conductances": conductances, "gates": lambda self, v, celsius: {}, "source": desc.path,
        "description": desc, "shared_exp": gen.comp_exp, "pointers": pointers.names(mod),
        "start_of_step": at_start,  # advance reads drive["start"] (engine/stepping.advance_states)
        "random": tuple(random_draws.called(strip_comments(mod.text))),  # what it draws with; any: keys (engine.noise)
    }
    # RANGE ASSIGNED values BREAKPOINT computes (an NMDA synapse's g from V): nrn_cur's, recordable
    recordable = mechanism.breakpoint_recordable(desc, states, ion_fields)
    namespace["recordable"] = recordable
    namespace["breakpoint_values"] = lambda self, v, s: breakpoint_values(self, v, s, recordable)
    # PARAMETERs bounding FROM loops, no block assigning them: static fields, one value for all instances
    fixed = {k: v for k, v in loop_bounds.bound_parameters(desc, mod, kept).items() if k in spec}
    made = type(desc.suffix, (AbstractChannel,), namespace)
    cls = loop_bounds.fixed_channel(made, fixed, desc.path) if fixed else channel(made)
    if not _linear(cls, desc, mod):
        return None
    conductance_names += _conductances(cls, desc, breakpoint_values)
    return cls


def _conductances(cls, desc: Description, breakpoint_values) -> list[str]:
    """The RANGE ASSIGNED variables in µS that BREAKPOINT sets without reading V (exp2syn's
    ``g = B - A``): recordable as conductances (``"Exp2Syn[0].g"``; the engine gives
    ``conductances`` no V). Found by evaluating BREAKPOINT once at V = NaN, at the file's defaults:
    what stays finite does not depend on V."""
    import numpy as np

    from excitable.io.nmodl.mechanism import _mentions

    text = _mentions(desc, desc.breakpoint) if desc.breakpoint is not None else ""
    names = [a for a, unit in desc.assigned.items() if a in desc.ranges and unit.replace(" ", "") in ("uS", "umho")
             and a not in desc.currents and re.search(rf"\b{re.escape(a)}\s*=(?!=)", text)]
    if not names:
        return []
    mech = cls()
    s = mech.steady_state(np.asarray(-65.0), 6.3)
    values = breakpoint_values(mech, np.asarray(np.nan), s, names)
    return [k for k in names if np.isfinite(float(values[k]))]


def _linear(cls, desc: Description, mod) -> bool:
    """Whether the jumps are linear in the weight (two events in a step = one of their summed
    weight): checked once at load, at the file's defaults, weights 1 and 2 from INITIAL's states at
    -65 mV."""
    import numpy as np

    if net_receive(mod) is None:
        return True
    from excitable.io.nmodl import random_draws
    from excitable.io.nmodl.mechanism import _mentions

    if random_draws.uses(_mentions(desc, net_receive(mod)).splitlines()):  # each event its own draws
        return False
    mech = cls()
    s = mech.steady_state(np.asarray(-65.0), 6.3)
    jumps = [{k: float(mech.on_events(s, np.asarray(w))[k]) - float(s[k]) for k in desc.states} for w in (1.0, 2.0)]
    return all(np.isclose(jumps[1][k], 2.0 * jumps[0][k], rtol=1e-12, atol=1e-300) for k in desc.states)
