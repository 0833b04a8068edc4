"""NEURON's events inside a mechanism: ``net_send`` self-events, ``net_event`` spikes, ``net_move``,
the ``flag`` of NET_RECEIVE and the time ``t``, with NEURON's fixed-step semantics.

NEURON (fixed step) delivers, at the start of each step that begins at t, every queued event whose
time is <= t + dt/2, in time order, with ``t`` set to the event's own time inside NET_RECEIVE
(``deliver_net_events``); then BREAKPOINT runs at t + dt/2 and the SOLVE at t + dt. An instance here
carries the same: its clock ``t`` (the same two half-step sums as NEURON's), and a queue of at most
``size`` pending self-events (time, flag, weight: NEURON's SelfEvent keeps the weight of the event
that sent it; 0 for one sent by INITIAL): ``QUEUE`` unless the file was loaded with ``queue=``, and
grown by ``queue_growth`` where a run needs more (NEURON's queue has no bound; event_queue.py
keeps it in arrays of shape (size, instances)). Each step (``deliver``, called by the engine's
``receive_events`` before the membrane currents) takes the step's incoming event (flag 0, its
weight, at t, or at t + the offset the engine carries from an artificial cell's spike time) and the
due self-events, earliest first, one NET_RECEIVE each. The engine keeps each connection onto such
an instance in a lane of its own (``engine.synapses.ConnGroup.lanes``), so events arriving in one
step are delivered one by one (a ``spike_train`` whose spikes share a step is split into adjacent
lanes: model/train_split.py; a connection from an artificial cell takes ``SPIKE_SLOTS`` lanes).
``net_event`` sends a spike at its argument's time: each call of a step a spike of its own, up to
``SPIKE_SLOTS`` a step (states ``spikes``, the step's count; ``spike_t``, the last one's time, ms;
``spike_offset``, (SPIKE_SLOTS, instances), each one's time past the step's start, which the engine's
fan-out carries to the targets: engine/spike_slots.py), as NEURON puts each on every NetCon of the
source.
NET_RECEIVE's arguments after the weight are NEURON's per-NetCon state (the NetCon's weight[1],
weight[2], ...): states ``NETCON`` + name of shape (K, instances), one row per lane
(``engine.synapses.netcon_states``; a split train's lanes share their connection's row:
``engine.netcons``); each delivery reads and writes its connection's row, and a
self-event carries the connection that sent it (``queue_c``), as NEURON's SelfEvent carries the
sender's weight vector. The weight itself joins them where the file assigns it (``writes_weight``:
STDP, depression): the row starts at the connection's weight, and every event of that connection,
and every self-event it sent, reads the row as it is then (NEURON's SelfEvent holds a pointer to
the NetCon's weights, not a copy). ``state_discontinuity(x, value)`` is ``x = value`` (NEURON's fixed step).

Bounded by construction: a full queue drops the event and counts it in the state ``queue_full``
(``FULL``: a run can be run again with a deeper queue, ``queue_growth``); a ``net_move`` with no
pending self-event, which NEURON refuses, a self-event still due after the step's ``delivery_rounds``
deliveries (K: connections; at most ``QUEUE`` + K self-events a step, whatever the queue's size, so
a deeper queue costs no more rounds), and a lane's second arrival in one step (more net_events of
one source reaching a connection in a step than its SPIKE_SLOTS lanes), which would be delivered with
the first, are counted in ``events_lost``; net_events beyond ``SPIKE_SLOTS`` in one step in ``SPILL``
(a source's state); a run whose final state has any > 0 is refused after it (``engine.counts``:
plain runs, batches and functions alike), never reported as if nothing happened.

The calls are compiled by ``EventCompiler`` into assignments of hidden variables (``__net_send0_on``,
its arguments ...) that the if/else merge of ``expressions`` resolves per instance as any variable
(both branches run; each instance keeps the branch NEURON takes), and are applied in the order of the
file after the block, which is their order of execution (no loops: FROM with events is refused).
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp

from excitable.engine.noise import RNG, fold
from excitable.engine.spike_slots import SLOTS as SPIKE_SLOTS, SPILL
from excitable.errors import ModelError
from excitable.io.nmodl import for_netcons, pointers
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.block_bodies import statements
from excitable.io.nmodl.block_scope import net_receive, net_receive_mentions
from excitable.io.nmodl.clock import half_step
from excitable.io.nmodl.describe import SPECIAL, Description
from excitable.io.nmodl.event_queue import (EMPTY, FULL, LAST, LOST, QUEUE, SLOTS,  # noqa: F401 (events.QUEUE ...)
                                            delivery_rounds, empty_queue, insert, move, queue_states, slot_of)
from excitable.io.nmodl.expressions import Compiler

#: The calls this module runs, with their number of arguments.
CALLS = {"net_send": 2, "net_event": 1, "net_move": 1}
#: The state names the queue and the clock add (a file variable of the same name is refused).
SPIKE_T, SPIKES, OFFSET = "spike_t", "spikes", "spike_offset"
#: The prefix of the per-connection states of NET_RECEIVE's extra arguments ("netcon_on": (K, instances)).
NETCON = "netcon_"


class EventCompiler(Compiler):
    """``expressions.Compiler`` that also compiles net_send, net_event, net_move (into hidden
    variables, see the module docstring); an ``at_time(t1)`` statement is a no-op
    (``Compiler.expression_statement``)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.sites: list[tuple[str, str]] = []  # (call, hidden prefix), in the order of the file

    def expression_statement(self, e, solve):
        if e.is_for_netcon():  # NEURON's loop over the instance's NetCons (for_netcons.py)
            return for_netcons.compile_loop(self, e)
        return super().expression_statement(e, solve)

    def call(self, e):
        name = e.get_node_name()
        if name == "at_time":  # as a statement a no-op (Compiler.expression_statement); its value is not run
            self.fail("at_time() used for its value", e)
        if name == "state_discontinuity":
            return self._discontinuity(e)
        if name not in CALLS:
            return super().call(e)
        args = [self.expr(a) for a in e.arguments]
        if len(args) != CALLS[name]:
            self.fail(f"{name}() with {len(args)} arguments", e)
        prefix = f"__{name}{len(self.sites)}"
        self.sites.append((name, prefix))

        def run(scope):
            scope.glob[prefix + "_on"] = 1.0
            for j, a in enumerate(args):
                scope.glob[f"{prefix}_{j}"] = materialize(a(scope))
            return 0.0
        return run

    def _discontinuity(self, e):
        """NEURON's ``state_discontinuity(x, value)`` in NET_RECEIVE: at the fixed step, x = value
        (nocmodl's adjustment to t + dt/2 is off unless ``nrn_netrec_state_adjust`` is set)."""
        args = list(e.arguments)
        if len(args) != 2 or not (args[0].is_var_name() or args[0].is_name()):
            self.fail("state_discontinuity() of other than (a variable, a value)", e)
        target, value = self.target(args[0]), self.expr(args[1])

        def run(scope):
            scope.set(target(scope), value(scope))
            return 0.0
        return run

    def hidden(self) -> dict[str, float]:
        """Every hidden variable at 0 (set before a block runs: the merge reads 0 for 'not called')."""
        out = {}
        for name, prefix in self.sites:
            out[prefix + "_on"] = 0.0
            out.update({f"{prefix}_{j}": 0.0 for j in range(CALLS[name])})
        return out


def apply_calls(comp: EventCompiler, glob: dict, s: dict, mask, now, weight, size: int, conn=-1.0) -> dict:
    """The queue and spike states after the calls a block made (read from ``glob``), for the
    instances where ``mask`` holds; ``now``: the time the block ran at (ms); ``conn``: the
    connection whose event ran it (a self-event carries it back to NET_RECEIVE; -1: none)."""
    s = dict(s)
    for name, prefix in comp.sites:
        on = mask & (jnp.asarray(glob[prefix + "_on"]) > 0.5)
        if name == "net_send":
            s = insert(s, on, now + glob[prefix + "_0"], glob[prefix + "_1"], weight, size, conn)
        elif name == "net_event":  # its time in the step's next slot (``deliver`` makes it an offset)
            slot = jnp.arange(SPIKE_SLOTS).reshape(-1, *([1] * jnp.ndim(s[SPIKES]))) == s[SPIKES]
            s[OFFSET] = jnp.where(on & slot, glob[prefix + "_0"], s[OFFSET])
            s[SPIKES] = s[SPIKES] + on
            s[SPIKE_T] = jnp.where(on, glob[prefix + "_0"], s[SPIKE_T])
        else:
            s = move(s, on, glob[prefix + "_0"], now, size)
    return s


def deliver(s: dict, amount, dt, size: int, receive, offset=None, check=None, rounds: int = 0):
    """The states after this step's deliveries (module docstring): ``receive(s, mask, t, flag, w, c)``
    runs NET_RECEIVE where ``mask`` holds, for the event of connection ``c`` (lane rank; a
    self-event's is the connection that sent it, -1 for one sent by INITIAL). ``amount``: (K, instances) the weight each of an
    instance's K connections brings in this step (``engine.synapses``' lanes; None: no connections),
    or (weights, arrivals) as the engine gives it: an arrival (> 0) is an event whatever its weight
    (NEURON runs NET_RECEIVE for a weight-0 NetCon's event too); a bare array: nonzero is an event. Each comes at t + ``offset`` (ms, (K, instances); an artificial cell's spike time
    within its step, carried by the engine; None: 0); simultaneous ones in the order of the
    connections. Returns the states with ``t`` = t + dt/2, the time BREAKPOINT sees, and
    ``spike_offset``: this step's net_event times past t, (SPIKE_SLOTS, instances) (the engine's fan-out). ``check(s, now)``
    (watch.py: NEURON's check_thresh, which delivers what it finds) runs once per instance, before its
    first event later than t (a connection's at t + 0: NEURON's carry 1e-10 ms more) or after its
    last, and what its deliveries send is delivered in the ``rounds`` more rounds it asks for."""
    t0 = s["t"]
    due_by = half_step(t0, dt)  # NEURON's first half sum (clock.py)
    # arrivals per lane: more than one is a lane's second event of the step (more net_events of one
    # source than its lanes, engine/spike_slots.py), which would be delivered with the first: counted
    crowded = jnp.sum(jnp.maximum(jnp.reshape(amount[1], (-1, *jnp.shape(t0))) - 1.0, 0.0), axis=0) \
        if isinstance(amount, tuple) and amount[1] is not None else 0.0
    amount, arrived = amount if isinstance(amount, tuple) else (amount, amount)
    # no connections: an empty stack of the run's precision (its weight sum keeps float32 float32)
    amount = (jnp.zeros((0, *jnp.shape(t0)), jnp.result_type(t0)) if amount is None
              else jnp.reshape(amount, (-1, *jnp.shape(t0))))
    lanes = amount.shape[0]
    incoming = jnp.zeros(amount.shape, bool) if arrived is None else jnp.reshape(arrived, amount.shape) != 0
    t_in = t0 + (0.0 if offset is None else jnp.reshape(offset, amount.shape))
    s = {**s, SPIKES: jnp.zeros_like(s[SPIKES])}

    lane = jnp.arange(lanes).reshape(-1, *([1] * jnp.ndim(t0)))

    def one(round_, carry):
        s, incoming, checked = carry
        if RNG in s:  # each round's NET_RECEIVE draws its own numbers (engine.noise)
            s = {**s, RNG: fold(s[RNG], round_)}
        queued = s["queue_t"] if size else jnp.full((1, *jnp.shape(t0)), EMPTY)
        times = jnp.concatenate([jnp.where(incoming, t_in, EMPTY), queued])
        k, when = jnp.argmin(times, axis=0), jnp.min(times, axis=0)
        due = when <= due_by  # ties: the connections' events first, in their order, then the slots'
        slot = slot_of(size, k - lanes, jnp.shape(t0)) if size else None  # the self-event's slot, if one

        def pick(name):  # the chosen self-event's value (0 where a connection's event is chosen)
            return jnp.sum(jnp.where(slot, s[name], 0.0), axis=0) if size else 0.0
        flag = pick("queue_flag")
        weight = jnp.sum(jnp.where(k == lane, amount, 0.0), axis=0) + pick("queue_w")
        conn = jnp.where(k < lanes, k, pick("queue_c"))
        incoming = incoming & ~(due & (k == lane))
        if size:
            s = {**s, "queue_t": jnp.where(due & slot, EMPTY, s["queue_t"])}
        if check is not None:  # NEURON: self-events up to t at the end of the step before, then check_thresh
            # a connection's event due by t: its time a spike's + a delay, NEURON's 1e-10 ms past t
            # (threshold's teps) when the delay is on the grid: phase 1 only if clearly before t
            now = ~checked & ~(due & (when <= t0 - jnp.where(k < lanes, 1e-9, 0.0)))
            s, checked = check(s, now), checked | now
        return receive(s, due, jnp.where(due, when, t0), flag, weight, conn), incoming, checked

    if receive is not None:  # one delivery per round, traced once (a loop, not unrolled)
        s, incoming, checked = jax.lax.fori_loop(0, delivery_rounds(size, lanes) + rounds, one,
                                                 (s, incoming, jnp.zeros(jnp.shape(t0), bool)))
        s = s if check is None else check(s, ~checked)  # self-events up to t in every round: check after
    late = jnp.any(incoming, axis=0) | (jnp.any(s["queue_t"] <= due_by, axis=0) if size else False)
    # Each net_event of the step a spike of its own, up to SPIKE_SLOTS (engine/spike_slots.py): their times
    # past t, which the engine's fan-out carries; more are counted (SPILL), never passed on as fewer.
    sent = jnp.arange(SPIKE_SLOTS).reshape(-1, *([1] * jnp.ndim(t0))) < s[SPIKES]
    spill = {SPILL: s[SPILL] + jnp.maximum(s[SPIKES] - SPIKE_SLOTS, 0.0)} if SPILL in s else {}
    return {**s, LOST: s[LOST] + late + crowded, "t": due_by, OFFSET: jnp.where(sent, s[OFFSET] - t0, 0.0), **spill}


def uses(mod, desc, lines: list[str]) -> bool:
    """Whether a point process or artificial cell needs the event path (this module): it is an
    ARTIFICIAL_CELL, has an ELECTRODE_CURRENT, calls net_send/net_event/net_move or
    state_discontinuity, reads ``t``, tests NET_RECEIVE's ``flag``, has NET_RECEIVE arguments
    beyond the weight (NEURON's per-NetCon state) or a NET_RECEIVE that is more than jumps
    ``x = x + f(weight)`` of STATEs (an if, a LOCAL, a jump by a state: 139421's
    MyExp2SynNMDABB.mod; ``point.jump_problems``), which the event path runs statement by statement."""
    code = "\n".join(line for line in lines if not re.match(r"\s*INDEPENDENT\b", line))
    nr = net_receive(mod)
    return bool(re.search(r"\b(ARTIFICIAL_CELL|ELECTRODE_CURRENT)\b", code)
                or (nr is not None and desc.point and len(nr.parameters) >= 1 and jump_problems(desc, nr, lines))
                or (nr is not None and len(nr.parameters) > 1)  # per-connection arguments (their states)
                or writes_weight(nr)  # the NetCon's weight as per-connection state (plasticity, FOR_NETCONS)
                or re.search(r"\b(net_send|net_event|net_move|state_discontinuity)\s*\(|\bFOR_NETCONS\b", code)
                or re.search(r"\bt\b", code) or re.search(r"\bflag\b", code) or re.search(r"\bWATCH\b", code))


def has_events(mod, lines: list[str]) -> bool:
    """Whether a file takes NEURON's events (NET_RECEIVE, net_send/net_event/net_move, WATCH,
    ``flag``) or is an ARTIFICIAL_CELL: narrower than ``uses``, which also counts a read of ``t``
    and an ELECTRODE_CURRENT (the event path's clock, not events; ModelDB 114047 gap.mod's
    ``if (t > del)``). A POINTER runs in a point process without them (pointers.py)."""
    code = "\n".join(lines)
    return (net_receive(mod) is not None or bool(re.search(r"\b(ARTIFICIAL_CELL|WATCH)\b", code))
            or bool(re.search(r"\b(net_send|net_event|net_move)\s*\(", code)))


def writes_weight(nr) -> bool:
    """Whether NET_RECEIVE (or the INITIAL inside it) assigns its first argument, the NetCon's
    weight[0]: NEURON keeps the new value in the NetCon (plasticity rules), so the weight becomes
    per-connection state (``NETCON`` + its name) exactly when the file writes it, or when a
    FOR_NETCONS reads or writes its first argument (every NetCon's weight: for_netcons.py)."""
    if nr is None or not len(nr.parameters):
        return False
    if for_netcons.reads_weight(nr):
        return True
    from excitable.io.nmodl.parse import dsl

    name = re.escape(nr.parameters[0].get_node_name())
    return bool(re.search(rf"(?m)^\s*{name}\s*=(?!=)", dsl().to_nmodl(nr.statement_block)))


def carried_extra(desc: Description, mod) -> tuple[str, ...]:
    """Variables INITIAL sets that later blocks read: ASSIGNED read by NET_RECEIVE, and PARAMETERs
    INITIAL overwrites (NEURON keeps both in the instance's data after finitialize)."""
    from excitable.io.nmodl.parse import dsl

    init_text = dsl().to_nmodl(desc.initial) if desc.initial is not None else ""
    read = net_receive_mentions(desc, mod)  # its arguments and LOCALs hide the mechanism's names (block_scope)
    # diam, area, dt are fields (point_fields), the same in every block: not carried
    assigned = tuple(a for a in desc.assigned if a in read and a not in desc.states and a not in SPECIAL)
    written = tuple(p for p in desc.parameters if re.search(rf"\b{re.escape(p)}\s*=(?!=)", init_text))
    return assigned + written


def point_fields(desc: Description, mod) -> dict[str, tuple[float, str]]:
    """The class's fields (mechanism.fields), none named as the channel API's attributes, plus
    NEURON's ``diam`` (µm) and ``area`` (µm²) of the segment the instance sits in, where the file
    declares them (filled per instance from the cell's compartments: ``model.cell.with_geometry``),
    and ``dt`` (ms) where BREAKPOINT, INITIAL or NET_RECEIVE reads it (the engine gives those
    blocks no dt; the Simulation fills the run's: ``model.cell.with_run_dt``)."""
    from excitable.io.nmodl import mechanism

    spec = mechanism.fields(desc)
    for k in spec:
        if k in mechanism.RESERVED:
            raise ModelError(f"{desc.path}: parameter {k!r} has a name excitable's channels reserve; rename it")
    spec.update({k: mechanism.GEOMETRY_DEFAULTS[k] for k in geometry_fields(desc)})
    spec.update(pointers.fields(mod))  # a POINTER: V elsewhere, filled by the engine (pointers.py)
    if reads_dt(desc, mod):
        spec["dt"] = mechanism.RUN_DT
    return spec


def geometry_fields(desc: Description) -> dict[str, str]:
    """field -> the compartments' array it comes from, for a POINT_PROCESS that declares ``diam``
    or ``area`` (an ARTIFICIAL_CELL has no segment: refused in ``event_checks.problems``)."""
    from excitable.io.nmodl import mechanism

    return {k: mechanism.GEOMETRY_SOURCES[k] for k in mechanism.geometry(desc)} if desc.point else {}


def reads_dt(desc: Description, mod) -> bool:
    """Whether BREAKPOINT, INITIAL or NET_RECEIVE (or what they call, or a LINEAR or NONLINEAR block
    INITIAL solves) reads ``dt``: the blocks the engine calls without the step (``advance``, the
    SOLVE'd block, is given it)."""
    from excitable.io.nmodl import linear, nonlinear
    from excitable.io.nmodl.mechanism import _mentions

    blocks = [b for b in (desc.breakpoint, desc.initial, net_receive(mod)) if b is not None]
    blocks += [desc.linears[n] for n in linear.solved_in_initial(desc)]  # NEURON's dt there too
    blocks += [desc.nonlinears[n] for n in nonlinear.solved_in_initial(desc)]
    return any(re.search(r"\bdt\b", _mentions(desc, b)) for b in blocks)


def state_solve(gen, block: str, method: str, scope) -> None:
    """One SOLVE of BREAKPOINT as NEURON's ``nrn_state`` runs it at the new V, in a point process
    or artificial cell (``gen``: its ``mechanism.Generated``): a LINEAR or NONLINEAR block solved
    (linear.py, nonlinear.py, as in a density mechanism), a DERIVATIVE or KINETIC block advanced by
    its METHOD (a linear KINETIC scheme's rates at the step's start)."""
    from excitable.io.nmodl import solvers
    from excitable.io.nmodl.expressions import kinetic_present

    if block in gen.procedure_solves:  # a PROCEDURE (no METHOD): called once, as in a density mechanism
        gen.procedure_solves[block](scope)
    elif block in gen.linears:
        gen.solve_linear(block, scope)
    elif block in gen.nonlinears:
        gen.solve_nonlinear(block, scope)
    else:
        kinetic_present(scope, gen.eq_states[block], lambda: solvers.solve(
            method, gen.derivatives[block], scope, gen.eq_states[block], linear=gen.linear.get(block, False)))


def time_step(chan):
    """The ``dt`` field of a point process that reads it (ms), else 0 (NEURON's dt is never read)."""
    return getattr(chan, "dt", 0.0)


#: A NET_RECEIVE statement that is an event-time jump of a variable: x = x + expr, x = x - expr.
_JUMP = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*\1\s*([+-])(.+)$")


def jump_problems(desc: Description, block, lines: list[str]) -> list[tuple[int, str]]:
    """(line, statement) of NET_RECEIVE's statements that are not jumps ``x = x + f(weight)`` of a
    STATE, f reading no state, v or t: what ``on_events`` (a sum of jumps) cannot run. A file with
    any takes the event path instead (``events.uses``), which runs NET_RECEIVE as NEURON does."""
    args = [a.get_node_name() for a in block.parameters]
    weight = args[0] if args else "weight"
    forbidden = set(desc.states) | {"v", "t"}
    found = []
    for n, text in statements(lines, "NET_RECEIVE"):
        m = _JUMP.match(text)
        used = set(re.findall(r"\b[A-Za-z_]\w*\b", m.group(3))) if m else set()
        if m is None or m.group(1) not in desc.states or used & forbidden or weight not in used:
            found.append((n, text))
    return found
