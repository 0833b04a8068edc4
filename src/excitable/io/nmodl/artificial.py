"""Point processes and artificial cells that need NEURON's event machinery or its time ``t``
(``events``): ``net_send`` self-events, ``flag``, ``net_event``/``net_move``, ARTIFICIAL_CELL
(``invlfire.mod``), ELECTRODE_CURRENT with ``t`` (``stim.mod`` = IClamp, ``svclmp.mod`` = SEClamp).

The class is a ``kind = "point"`` mechanism like ``point.make_point_class``'s, with three more
things the engine uses:

- ``on_step(s, amount, dt, offset)``: called by the engine before every step's membrane currents
  (``stepping.receive_events``): the step's incoming events, (weights, arrivals) per lane (a
  weight-0 event is one, as NEURON's), at the step's start + ``offset`` ms,
  and due self-events, one NET_RECEIVE each, earliest first (``events.deliver``), and the clock
  ``t`` moved to the step's middle, the time NEURON's BREAKPOINT sees;
- ``electrode``: the ELECTRODE_CURRENT names: injected current, positive inward (the engine
  subtracts it from the membrane current); recorded as the file's ``i`` (nA);
- ``netcon_args``, ``netcon_initial(s, weight)``: NET_RECEIVE's arguments after the weight (and
  the weight itself where the file assigns it: ``events.writes_weight``), per connection (``events.NETCON``; the engine adds them at the start: ``synapses.netcon_states``),
  0, then the INITIAL inside NET_RECEIVE run for each connection with its weight;
- ``artificial``: an ARTIFICIAL_CELL (no current, no compartment of its own: the Network keeps it
  beside a cell's node, which it never touches) whose ``net_event`` spikes the engine sends through
  its connections (the states ``spikes``, its net_events in this step, ``spike_t``, the last one's
  time, ms, -1 before the first, and ``spike_offset``, (SLOTS, instances), each one's time past the
  step's start, which the engine carries to the targets, each a spike of its own:
  engine/spike_slots.py; ``spikes_over``, the net_events beyond SLOTS in a step, refused).

States: the STATEs, every ASSIGNED that BREAKPOINT does not set (NEURON keeps them in the instance
between blocks: invlfire's ``m``, ``t0``, ``minf``), PARAMETERs INITIAL or NET_RECEIVE overwrites and
what a BREAKPOINT with currents leaves for the events (``nrn_cur_values``) or keeps between
nrn_cur's two runs (a counter, a STATE stepped there: ``double_run``), the clock ``t``
(ms), the queue (``events.queue_states``), ``events_lost``, ``queue_full``, ``spikes``, ``spike_t``,
``spike_offset``, and ``celsius`` where the file reads it.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp

from excitable.engine.netcons import row_of
from excitable.engine.noise import RNG
from excitable.io.nmodl import (array_memory, breakpoint_feeds, concentrations, double_run, events, nonlinear, nrn_cur_values,
                                 pointers, random_draws, runtime_index, solvers, watch)
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.clock import half_step
from excitable.io.nmodl.describe import Description, python_name
from excitable.io.nmodl.includes import located
from excitable.io.nmodl.parse import strip_comments


def is_artificial(mod) -> bool:
    """Whether the file declares an ARTIFICIAL_CELL (NEURON block)."""
    for block in mod.program.blocks:
        if block.is_neuron_block():
            return any(st.is_suffix() and st.type.get_node_name() == "ARTIFICIAL_CELL"
                       for st in block.statement_block.statements)
    return False


def electrode_currents(mod) -> tuple[str, ...]:
    """The names of the file's ELECTRODE_CURRENT statement(s)."""
    out: tuple[str, ...] = ()
    for block in mod.program.blocks:
        if block.is_neuron_block():
            for st in block.statement_block.statements:
                if st.is_electrode_current():
                    out += tuple(c.get_node_name() for c in st.currents)
    return out


def event_state_names(size: int, sends: bool = False) -> tuple[str, ...]:
    """The states the event path adds to a file's own: the clock t, the self-event queue of
    ``size`` slots, and the spike bookkeeping (the module docstring); ``sends``: it calls net_event,
    and counts those beyond the step's slots (``events.SPILL``)."""
    return ("t", *events.queue_states(size), events.LOST, events.FULL, events.SPIKES, events.SPIKE_T, events.OFFSET,
            *((events.SPILL,) if sends else ()))


def queue_size(lines: list[str], queue: int | None = None) -> int:
    """Self-event slots per instance where the file calls net_send (or WATCHes): ``queue``, or
    ``events.QUEUE``; else 0."""
    return (queue or events.QUEUE) if queue_line(lines) else 0


def queue_line(lines: list[str]) -> int:
    """The line of the file's first net_send or WATCH (what fills its queue), 0 if none."""
    return next((n for n, line in enumerate(lines, 1) if re.search(r"\b(net_send\s*\(|WATCH\b)", line)), 0)


def _kept(desc: Description, mod, electrode: tuple[str, ...]) -> tuple[str, ...]:
    """STATEs, ASSIGNED variables BREAKPOINT does not set, PARAMETERs INITIAL overwrites."""
    from excitable.io.nmodl.mechanism import _mentions

    bp = _mentions(desc, desc.breakpoint) if desc.breakpoint is not None else ""
    set_bp = set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", bp))
    ion_vars = {v for ion in desc.ions for v in ion.read + ion.write}
    skip = set(desc.currents) | set(electrode) | ion_vars | {"v", "t", "celsius", "dt", "diam", "area"}  # fields
    skip |= set(pointers.declared(mod))  # only an unread one gets here (pointers.py): no state
    assigned = tuple(a for a in desc.assigned if a not in skip and a not in set_bp and a not in desc.states)
    extra = tuple(p for p in events.carried_extra(desc, mod) if p not in assigned and p not in desc.assigned)
    return desc.states + assigned + extra


class Blocks:
    """The compiled blocks of one file with events, and what each engine call runs (shared by all
    its instances; ``chan`` is the instance whose fields the blocks read)."""

    def __init__(self, desc: Description, mod, queue: int | None = None):
        from excitable.io.nmodl import mechanism
        from excitable.io.nmodl.units import factors

        self.desc = desc
        self.gen = gen = mechanism.Generated(desc, factors(mod), mod.linear, compiler=watch.WatchCompiler)
        self.comp = comp = gen.compiler
        nr = events.net_receive(mod)
        names = [a.get_node_name() for a in nr.parameters] if nr is not None else []
        self.weight_name = names[0] if names else "w"
        self.args = tuple(names[1:])  # per-connection (NEURON: the NetCon's weight[1], weight[2], ...)
        # the per-connection states: the weight too where the file writes it (NEURON's NetCon keeps it)
        self.writes_weight = events.writes_weight(nr)
        self.stored = ((self.weight_name,) if self.writes_weight else ()) + self.args
        body, init = _split_initial(nr)
        self.receive_block = _compile(comp, body) if nr is not None else None
        self.args_initial = _compile(comp, init) if init else None
        self.procs = {b: comp.block(desc.procedures[b].statement_block) for b, m in desc.solves if m == "after_cvode"}
        lines = strip_comments(mod.text)
        self.size = queue_size(lines, queue)
        self.queue_site = located(desc.path, queue_line(lines)) if self.size else ""
        self.electrode = electrode_currents(mod)
        self.kept = _kept(desc, mod, self.electrode)
        # NEURON keeps in the instance what NET_RECEIVE assigns to a PARAMETER (Gap_NR's g = g * weight)
        # and what nrn_cur leaves for the next step's events (stp2syn's Pmax): nrn_cur_values
        self.after_cur = nrn_cur_values.names(desc, mod)
        self.kept += tuple(x for x in self.after_cur + nrn_cur_values.event_params(desc, mod) if x not in self.kept)
        self.needs_celsius = bool(re.search(r"\bcelsius\b", "\n".join(lines)))
        # a derivimplicit, nonlinear sparse or NONLINEAR SOLVE counts where NEURON's loop would iterate on
        self.flag = (solvers.UNCONVERGED,) if solvers.flagged(desc, gen.linear) or nonlinear.flagged(desc) else ()
        # NEURON calls neither nrn_cur nor nrn_state of an ARTIFICIAL_CELL (it is in no node's list:
        # checked with NEURON 9.0.2): its BREAKPOINT's SOLVEs never run, only INITIAL and NET_RECEIVE
        self.artificial = is_artificial(mod)
        self.vstates = watch.voltage_states(mod, desc)  # V read or written by NET_RECEIVE (watch.py)
        # values BREAKPOINT computes that the SOLVE reads first: what nrn_cur left (breakpoint_feeds);
        # those from v, an ion or a POINTER at the step's start V, kept in V_CUR where no start is given
        self.feeds = () if self.artificial else gen.feeds
        self.stale = breakpoint_feeds.stale(desc, pointers.names(mod)) if self.feeds else ()
        # what BREAKPOINT rewrites and keeps (a counter, a STATE stepped there): nrn_cur's two runs (double_run.py)
        # an array element BREAKPOINT writes that a block reads before it sets it (array_memory.py: p[0] = v
        # read by NET_RECEIVE) goes through nrn_cur's two runs, or without currents through nrn_state's one
        bp_arrays = () if self.artificial else array_memory.breakpoint_written(
            desc, mod.text, array_memory.kept(desc, mod.text))
        with_currents = breakpoint_feeds.has_currents(desc, lines)
        self.breakpoint_in_state = bool(bp_arrays) and not with_currents  # run after the SOLVE, as NEURON's nrn_state
        self.twice = () if self.artificial else double_run.names(mod, desc) + (bp_arrays if with_currents else ())
        self.kept += tuple(x for x in self.twice if x not in self.kept)
        stored = mechanism.stored_recordable(desc, self.kept, self.twice)  # beside kept values: nrn_cur's, not rerun
        self.after_cur, self.kept = self.after_cur + stored, self.kept + stored
        self.kept += (runtime_index.OUT_OF_RANGE,) if desc.arrays else ()  # accesses past an array (runtime_index.py)
        self.at_start = bool(self.stale or self.after_cur or self.twice)  # advance reruns nrn_cur at the step's start V
        self.sends = any(call == "net_event" for call, _ in comp.sites)  # a spike source (engine/spike_slots.py)
        self.states = (self.kept + event_state_names(self.size, self.sends) + watch.state_names(comp) + self.vstates
                       + (("celsius",) if self.needs_celsius else ()) + self.flag
                       + ((breakpoint_feeds.V_CUR,) if self.at_start else ()))
        self.currents = desc.currents + self.electrode
        spec = events.point_fields(desc, mod)
        self.renamed = {k: python_name(k) for k in spec if python_name(k) != k}  # stim.mod's del -> delay
        self.spec = {self.renamed.get(k, k): x for k, x in spec.items()}

    def scope(self, chan, v, s, celsius, t, dt=None):
        # dt: the step's in advance; elsewhere the run's dt field where a block reads it (events.time_step)
        sc = self.gen.scope(chan, v, s, celsius, events.time_step(chan) if dt is None else dt)
        sc.glob.update({k: getattr(chan, py) for k, py in self.renamed.items()})
        sc.glob.update(self.comp.hidden())
        sc.glob["t"] = t
        return sc

    def out(self, sc, like, celsius):
        zero = jnp.zeros_like(like)
        res = {k: materialize(sc.glob[k]) + zero for k in self.kept}
        res["t"] = sc.glob["t"] + zero
        if self.needs_celsius:
            res["celsius"] = celsius + zero
        if self.flag:  # the count so far (the scope starts from it) plus what this block's loops added
            res[solvers.UNCONVERGED] = sc.glob.get(solvers.UNCONVERGED, 0.0) + zero
        return res

    def nrn_cur(self, chan, v, s, celsius, t, dt=None, first=False):
        """BREAKPOINT's scope as nrn_cur leaves it at ``v``, time ``t``: its run, or where it keeps
        values the second of its two (``first``: the one at v + 0.001 mV; double_run.py)."""
        def run(vv, ss):
            sc = self.scope(chan, vv, ss, celsius, t, dt)
            self.gen.breakpoint(sc)
            return sc
        return double_run.last_run(run, self.twice, v, s, first)

    def raw_currents(self, chan, v, s, first=False):
        sc = self.nrn_cur(chan, v, s, s.get("celsius", 0.0), s["t"], first=first)  # t: the step's middle (on_step)
        return {c: materialize(sc.glob[c]) + jnp.zeros_like(v) for c in self.currents}  # nA, as the file's

    def breakpoint_values(self, chan, v, s, names):
        sc = self.nrn_cur(chan, v, s, s.get("celsius", 0.0), s["t"])  # as raw_currents
        return {k: materialize(sc.glob[k]) + jnp.zeros_like(v) for k in names}

    def advance(self, chan, v, s, celsius, dt, drive):
        gen = self.gen
        sc = self.scope(chan, v, s, celsius, half_step(s["t"], dt), dt)  # nrn_state: t + dt (clock.py)
        if self.feeds or self.after_cur or self.twice:  # nrn_cur: the step's start V, the states after its events, t its middle
            at_v, at = breakpoint_feeds.start(chan, v, s, drive) if self.at_start else (v, chan)
            pre = self.nrn_cur(at, at_v, s, celsius, s["t"], dt)
            sc.glob.update({k: materialize(pre.glob[k]) for k in self.feeds + self.after_cur + self.twice})
        for block, method in () if self.artificial else self.desc.solves:
            if method == "after_cvode":  # a PROCEDURE run after the step (svclmp's icur)
                self.procs[block](sc)
            else:
                events.state_solve(gen, block, method, sc)
        if self.breakpoint_in_state:
            gen.breakpoint(sc)
        out = self.out(sc, v, celsius)
        if self.at_start:  # the next step's nrn_cur runs at this V (breakpoint_feeds.start)
            out[breakpoint_feeds.V_CUR] = v + jnp.zeros_like(v)
        return {**s, **out}

    def steady_state(self, chan, v, celsius, keys=None):  # keys: INITIAL's random draws (engine.noise)
        drawn = {} if keys is None else {RNG: keys}
        sc = self.scope(chan, v, {**dict.fromkeys(self.desc.states, 0.0), **drawn}, celsius, 0.0)  # finitialize: t = 0
        random_draws.start(sc.glob, random_draws.INITIAL)
        self.gen.initial(sc)
        like = jnp.zeros_like(jnp.asarray(v, dtype=jnp.result_type(v, float)))  # the run's precision
        s = {**self.out(sc, like, celsius), events.LOST: like, events.FULL: like, events.SPIKES: like,
             events.SPIKE_T: like - 1.0, events.OFFSET: jnp.zeros((events.SPIKE_SLOTS, *like.shape), like.dtype)}
        s.update({events.SPILL: like} if self.sends else {})
        s.update(events.empty_queue(self.size, like) if self.size else {})
        s = events.apply_calls(self.comp, sc.glob, s, jnp.ones(like.shape, bool), like, like, self.size)
        if self.after_cur or self.twice:  # finitialize's nrn_cur after INITIAL: what the first step's events read
            pre = self.nrn_cur(chan, v, s, celsius, 0.0)
            s.update({k: materialize(pre.glob[k]) + like for k in self.after_cur + self.twice})
        if self.at_start:  # the first step's nrn_cur runs at V init
            s[breakpoint_feeds.V_CUR] = v + like
        return watch.initial(self.comp, s, v, self.vstates)

    def netcon_initial(self, chan, s, weight):
        """The states with NET_RECEIVE's extra arguments per connection (``events.NETCON`` + name,
        (K, instances) as the engine's lanes; ``weight``: each lane's NetCon weight): 0, then the
        INITIAL block inside NET_RECEIVE run for each connection, as NEURON's finitialize does; the
        weight itself, where the file writes it, starts as the connection's (or as INITIAL sets it)."""
        like = jnp.zeros_like(jnp.asarray(weight, dtype=jnp.result_type(weight, float)))
        sc = self.scope(chan, like, s, s.get("celsius", 0.0), 0.0)  # finitialize: t = 0
        sc.local.update({self.weight_name: weight, **dict.fromkeys(self.args, like)})
        if self.args_initial is not None:
            self.args_initial(sc)
        return {**s, **{events.NETCON + a: materialize(sc.local[a]) + like for a in self.stored}}

    def on_step(self, chan, s, amount, dt, offset=None, v=None):
        from excitable.io.nmodl import for_netcons

        s = watch.begin(s, v, self.vstates)  # v: the sites' V at the step's start (or None)

        def receive(s, mask, when, flag, w, conn):
            conn = row_of(s, conn)  # a split train's lanes: its one NetCon's row (engine.netcons)
            sc = self.scope(chan, watch.v_of(s, when), s, s.get("celsius", 0.0), when)
            random_draws.start(sc.glob, random_draws.NET_RECEIVE)  # each round's keys: events.deliver
            sc.local.update({self.weight_name: w, "flag": flag})
            # The event's connection's arguments (a self-event's: the sender's); 0 without one
            keys = [events.NETCON + a for a in self.stored if events.NETCON + a in s]
            one = (jnp.arange(s[keys[0]].shape[0]).reshape(-1, *([1] * jnp.ndim(conn))) == conn) if keys else None
            sc.local.update({a: jnp.sum(jnp.where(one, s[events.NETCON + a], 0.0), axis=0) if keys
                             else jnp.zeros_like(when) for a in self.args})
            if self.writes_weight and keys:  # the connection's weight as it is now; w: INITIAL's self-event
                sc.local[self.weight_name] = jnp.where(conn >= 0, jnp.sum(jnp.where(
                    one, s[events.NETCON + self.weight_name], 0.0), axis=0), w)
            for_netcons.bind(sc, s, (self.weight_name,) + self.args, keys, one)  # every row, for a FOR_NETCONS
            self.receive_block(sc)
            new = {k: jnp.where(mask, materialize(sc.glob[k]) + jnp.zeros_like(when), s[k]) for k in self.kept}
            new.update(for_netcons.rows_after(sc, s, keys, one, mask, when))  # the event's row, and a FOR_NETCONS's
            s = events.apply_calls(self.comp, sc.glob, {**s, **new}, mask, when, w, self.size, conn)
            return watch.after_receive(self.comp, sc, s, mask)
        return events.deliver(s, amount, dt, self.size, receive if self.receive_block is not None else None, offset,
                              *watch.checker(self, chan, receive))  # the WATCHes: NEURON's check_thresh


def _split_initial(nr) -> tuple[list, list]:
    """NET_RECEIVE's statements without, and those of, the INITIAL block inside it (run per
    connection at finitialize)."""
    if nr is None:
        return [], []
    body, init = [], []
    for st in nr.statement_block.statements:
        if st.is_expression_statement() and st.expression.is_initial_block():
            init += list(st.expression.statement_block.statements)
        else:
            body.append(st)
    return body, init


def _compile(comp, statements):
    """A list of statements as one closure ``run(scope)`` (``expressions.Compiler.block``'s)."""
    steps = [f for f in (comp.statement(st, None) for st in statements) if f]

    def run(scope):
        for f in steps:
            f(scope)
    return run


def make_event_class(desc: Description, mod, queue: int | None = None):
    """The ``kind = "point"`` class of a point process or artificial cell that uses events or ``t``
    (after ``problems`` found nothing); ``queue``: its self-event slots (default ``events.QUEUE``)."""
    from excitable.physics.channel import AbstractChannel, channel

    b = Blocks(desc, mod, queue)
    namespace = {
        "__annotations__": {k: float for k in b.spec},
        **{k: default for k, (default, _) in b.spec.items()},
        "__doc__": f"{desc.suffix}: {'artificial cell' if is_artificial(mod) else 'point process'} imported "
                   f"from {desc.path} (NMODL, with events); currents in nA.",
        "__module__": "nmodl_generated",  # not ours: the program store keys programs by our source
        "kind": "point", "states": b.states, "units": {k: unit for k, (_, unit) in b.spec.items()},
        "ions": {c: ion.name for ion in desc.ions for c in ion.write if ion.kind(c) == "current"},
        "geometry_fields": events.geometry_fields(desc), "time_fields": ("dt",) if "dt" in b.spec else (),
        "ion_fields": {var: (ion, "e" if kind == "e" else "c" + kind) for var, (ion, kind) in desc.ion_reads().items()},
        # ions whose concentrations it reads: NEURON's ion style where it sits (engine/ion_style.py)
        "ion_constants": concentrations.ion_constants(desc),
        "currents": double_run.slope_currents(b.raw_currents, b.twice),  # NEURON's slope from nrn_cur's runs
        "advance": lambda self, v, s, celsius, dt, drive: b.advance(self, v, s, celsius, dt, drive),
        "start_of_step": b.at_start,  # advance reads drive["start"] (engine/stepping.advance_states)
        "steady_state": lambda self, v, celsius, keys=None: b.steady_state(self, v, celsius, keys),
        "random": tuple(random_draws.called(strip_comments(mod.text))),  # what it draws with; any: keys (engine.noise)
        "on_step": lambda self, s, amount, dt, offset=None, v=None: b.on_step(self, s, amount, dt, offset, v),
        "reads_v": bool(b.vstates), "writes_v": watch.V_WROTE in b.vstates,  # engine: V in, V out
        "netcon_args": b.stored, "netcon_initial": lambda self, s, weight: b.netcon_initial(self, s, weight),
        "electrode": b.electrode, "artificial": is_artificial(mod), "queue_size": b.size,
        "queue_site": b.queue_site,  # file:line of what fills the queue (io/nmodl/queue_growth.py's refusal)
        # a spike source for connections (NEURON's NetCon(pp, target)): NET_RECEIVE calls net_event
        "sends_spikes": b.sends,
        "conductances": lambda self, s: {}, "gates": lambda self, v, celsius: {}, "source": desc.path,
        "description": desc, "shared_exp": b.gen.comp_exp, "pointers": pointers.names(mod),  # V elsewhere: t only
    }
    # RANGE ASSIGNED values BREAKPOINT computes, as nrn_cur leaves them (an artificial cell's never runs)
    from excitable.io.nmodl.mechanism import breakpoint_recordable

    recordable = () if is_artificial(mod) else breakpoint_recordable(desc, b.states, namespace["ion_fields"])
    namespace["recordable"] = recordable
    namespace["breakpoint_values"] = lambda self, v, s: b.breakpoint_values(self, v, s, recordable)
    cls = channel(type(desc.suffix, (AbstractChannel,), namespace))
    _probe(cls)
    return cls


def _probe(cls) -> None:
    """Trace ``on_step`` once, abstractly (the loader traces the other blocks)."""
    mech = cls()

    def run():
        s = mech.steady_state(jnp.zeros(2), 6.3)
        if cls.netcon_args:  # two connections per instance
            s = mech.netcon_initial(s, jnp.ones((2, 2)))
        return mech.on_step(s, jnp.ones((2, 2)) if cls.netcon_args else jnp.ones(2), 0.025)

    jax.eval_shape(run)
