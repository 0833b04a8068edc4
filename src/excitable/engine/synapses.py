"""Synaptic transmission in the time loop: spike detection, delays, release, cleft, plasticity.

Per step (NEURON's order: events are delivered at the start of a step):

1. fan-out, event-driven: a presynaptic node (a soma or terminal) that spiked at the end of the last
   step releases on each of its connections c the amount that arrives ``delay_c`` later, and that
   amount is added to a per-receptor ring of pending arrivals (slot: now + delay_c). The work is
   proportional to spikes x fan-out, not to the number of connections (NEURON's NetCon queue does the
   same); a step with no spike costs a few operations on the source vector;
2. release: Tsodyks-Markram resources x (recovering to 1 with tau_rec) and utilization u (decaying to
   0 with tau_facil, jumping by U (1 - u) at a spike). Between two arrivals at a connection both
   relax exponentially, so they are advanced in one jump over the interval (exact; the interval
   between arrivals equals the interval between the presynaptic spikes, as the delay is fixed). The
   released amount u x, scaled by the weight and by the release probability p (its mean, or a
   Bernoulli draw from a seeded key in stochastic mode);
3. external spike trains: the drive's arrivals per step (spike time + delay on NEURON's step,
   ``engine.drive.arrival_steps``; their time past the step's start beside), read every step,
   connection by connection (they are few and often busy);
4. cleft: each receptor instance sums what arrives this step; a release raises its transmitter
   concentration T (mM) by ``t_max x amount`` on top of what is still there, T stays at that level
   for ``pulse`` ms (at least the release step) and then decays with the clearance time constant
   ``tau_clear`` (0: a square pulse, Destexhe et al. 1994);
5. after the voltage step, the sources whose V crossed the threshold upward are kept for the next
   step.

Sources are nodes (a presynaptic terminal) or external spike trains given in the drive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import jax
import jax.numpy as jnp
import numpy as np

from excitable.backends import host_array
from excitable.engine import spike_slots
from excitable.engine.arrival_times import offset_ring, shift_and_offset
from excitable.engine.netcons import netcon_states, netcon_table, netcon_values  # noqa: F401 (their home before)
from excitable.engine.netcons import own, written_v


@dataclass(frozen=True, eq=False)
class ConnGroup:
    """Connections onto the instances of one receptor mechanism."""

    mechanism: str
    source: np.ndarray       # (n_c,) index into sources: nodes first, then external trains
    target: np.ndarray       # (n_c,) instance (position in the mechanism's site list)
    delay_steps: np.ndarray  # (n_c,) >= 0: the defaults of params["syn"][mechanism]["delay_steps"]
    row: np.ndarray | None = None  # (n_c,) each one's row of params["syn"][mechanism] (netcons.own); None: its own

    def fan_out(self, n_nodes: int, lanes: bool = False) -> FanOut:
        """The static tables of the event-driven path (cached); ``lanes``: targets are ``lanes()``."""
        cache = self.__dict__.setdefault("_fan_out", {})
        if (n_nodes, lanes) not in cache:
            cache[n_nodes, lanes] = FanOut.build(self, n_nodes, self.lanes()[0] if lanes else self.target)
        return cache[n_nodes, lanes]

    def lanes(self) -> tuple[np.ndarray, int]:
        """(lane of each connection, lanes per instance K): for a mechanism with events (``on_step``,
        io/nmodl/events.py) each connection onto an instance arrives in a lane of its own,
        instance x K + its rank among the instance's connections, so that events arriving in one
        step stay apart and are delivered one by one, as NEURON does."""
        rank, seen = np.zeros(len(self.target), int), {}
        for c, t in enumerate(self.target.tolist()):
            rank[c], seen[t] = seen.get(t, 0), seen.get(t, 0) + 1
        k = max(seen.values(), default=1)
        return self.target * k + rank, k


@dataclass(frozen=True, eq=False)
class FanOut:
    """Connections from node sources as rows of at most ``width`` connections, one source per row.

    events: (n_ev,) connections whose source is a node (event-driven); external: the others.
    owner: (n_rows,) source of each row. table, target: (n_rows + 1, width) connection index
    (padded with n_c) and its receptor instance; the last row is all padding. (Delays are parameters,
    read through ``table`` at run time, so changing them does not compile again.)
    per_round: spiking rows handled together (about 256 connections).
    """

    events: np.ndarray
    external: np.ndarray
    owner: np.ndarray
    table: np.ndarray
    target: np.ndarray
    per_round: int

    @classmethod
    def build(cls, g: ConnGroup, n_nodes: int, targets: np.ndarray) -> FanOut:
        n_c = len(g.source)
        is_ev = g.source < n_nodes
        events, external = np.nonzero(is_ev)[0], np.nonzero(~is_ev)[0]
        order = events[np.argsort(g.source[events], kind="stable")]
        counts = np.bincount(g.source[order], minlength=n_nodes)
        busy = counts[counts > 0]
        # A row as wide as the usual fan-out; a source with many more targets gets several rows.
        width = int(min(busy.max(), max(8, np.ceil(2 * busy.mean())))) if len(busy) else 1
        owner, rows = [], []
        start = 0
        for s in np.nonzero(counts)[0]:
            conns = order[start:start + counts[s]]
            start += counts[s]
            for k in range(0, len(conns), width):
                owner.append(s)
                rows.append(np.pad(conns[k:k + width], (0, width - len(conns[k:k + width])),
                                   constant_values=n_c))
        rows.append(np.full(width, n_c))
        table = np.array(rows, int).reshape(-1, width)
        pad = lambda a: np.append(a, 0)[table]  # noqa: E731
        return cls(events, external, np.array(owner, int), table, pad(targets),
                   int(np.clip(256 // width, 1, 16)))


@dataclass(frozen=True, eq=False)
class Connections:
    source_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    n_external: int = 0
    groups: tuple[ConnGroup, ...] = ()
    stochastic: bool = False
    #: (mechanism, instance, first source index) of sources that are an artificial cell's net_events
    #: (io/nmodl/artificial.py: its states "spikes", "spike_offset"), not a threshold crossing: each
    #: ``spike_slots.SLOTS`` sources (spike_slots.py); their source_nodes entries are placeholders (-1).
    artificial: tuple[tuple[str, int, int], ...] = ()

    @property
    def n_sources(self) -> int:
        return len(self.source_nodes) + self.n_external

    @cached_property
    def depth(self) -> int:
        """Ring-buffer length in steps: the power of two above the longest delay, so that delays (which
        are parameters) can change within it without compiling again."""
        d = max((int(g.delay_steps.max()) for g in self.groups if len(g.delay_steps)), default=0)
        return 1 << int(d + bool(self.artificial)).bit_length()  # an artificial cell's: one step later at most

    def key(self) -> tuple:
        return (self.source_nodes.tobytes(), self.n_external, self.stochastic, self.depth,
                tuple((g.mechanism, g.source.tobytes(), g.target.tobytes(), g.row is None or g.row.tobytes())
                      for g in self.groups), self.artificial)


def group_params(n: int, *, weight=1.0, p=1.0, U=1.0, tau_rec=0.0, tau_facil=0.0, delay_steps=0,
                 delay_offset=0.0) -> dict:
    """Per-connection parameters: weight (amount per release; 1 = one full pulse of t_max),
    release probability p, Tsodyks-Markram U, tau_rec and tau_facil (ms; 0 = none), and the delay in
    steps (it must stay below the plan's ring-buffer ``depth``) and the rest in ms (``arrival_times``)."""
    f = lambda x: host_array(x, shape=(n,))  # noqa: E731
    return {"weight": f(weight), "p": f(p), "U": f(U), "tau_rec": f(tau_rec), "tau_facil": f(tau_facil),
            "delay_steps": host_array(delay_steps, dtype=np.int32, shape=(n,)), "delay_offset": f(delay_offset)}


def cleft_params(n: int, *, t_max=1.0, pulse=1.0, tau_clear=0.0) -> dict:
    """Per receptor instance: transmitter peak t_max (mM), pulse duration (ms), clearance (ms)."""
    f = lambda x: host_array(x, shape=(n,))  # noqa: E731
    return {"t_max": f(t_max), "pulse": f(pulse), "tau_clear": f(tau_clear)}


def initial_synapses(conn: Connections, n_sites: dict[str, int], seed, lanes: frozenset = frozenset(),
                     dtype=None) -> dict:
    """The synapses' state; ``lanes``: the mechanisms with events, whose rings hold a lane per
    connection of an instance (``ConnGroup.lanes``); ``dtype``: the run's precision (the state's V:
    a float32 run keeps its rings float32, else their sums would promote V to float64)."""
    dtype = jnp.result_type(float) if dtype is None else dtype
    zeros = lambda shape: jnp.zeros(shape, dtype)  # noqa: E731
    st = {"spiked": zeros(conn.n_sources),
          "ptr": jnp.asarray(0),
          "key": jax.random.PRNGKey(seed) if conn.stochastic else jnp.zeros(2, jnp.uint32)}
    for g in conn.groups:
        k = g.lanes()[1] if g.mechanism in lanes else 1
        n_c, n_s = len(g.source), n_sites[g.mechanism] * k
        n_ext = len(g.fan_out(len(conn.source_nodes)).external)
        tm = jnp.stack([jnp.ones(n_c, dtype), zeros(n_c), jnp.full(n_c, -jnp.inf, dtype)], axis=1)  # x, u, last
        st[g.mechanism] = {"tm": tm,
                           "xe": jnp.ones(n_ext, dtype), "ue": zeros(n_ext),
                           "pending": zeros((conn.depth, n_s)), "read": zeros(n_s),
                           "T": zeros(n_s), "level": zeros(n_s), "timer": zeros(n_s)}
        if conn.artificial or g.mechanism in lanes:  # each arrival's time past its step's start (arrival_times)
            st[g.mechanism].update(offset=zeros((conn.depth, n_s)), arrival_offset=zeros(n_s))
        if k > 1 or g.mechanism in lanes:  # lanes: (K, instances), as events.deliver takes them
            st[g.mechanism]["arrival_offset"] = zeros((k, n_s // k))
        if g.mechanism in lanes:  # arrivals counted apart from the weight: a weight-0 event is one
            st[g.mechanism].update(hits=zeros((conn.depth, n_s)), hits_read=zeros(n_s))
    return {**st, **spike_slots.initial(conn, dtype)}


def _decay(elapsed, tau):
    """exp(-elapsed / tau), and 0 where tau = 0 (no memory)."""
    pos = tau > 0
    return jnp.where(pos, jnp.exp(-elapsed / jnp.where(pos, tau, 1.0)), 0.0)


def _release(gp, c, x, u, elapsed):
    """Tsodyks-Markram at an arrival: (released fraction u x, x after, u after) for connections c."""
    x = 1.0 - (1.0 - x) * _decay(elapsed, gp["tau_rec"][c])
    u = u * _decay(elapsed, gp["tau_facil"][c])
    u_spk = u + gp["U"][c] * (1.0 - u)
    frac = u_spk * x
    return frac, x - frac, u_spk


def _draw(stochastic: bool, key, p):
    """Release per arrival: p (mean mode) or a Bernoulli(p) draw; returns (released, key)."""
    if not stochastic:
        return p, key
    key, sub = jax.random.split(key)
    return (jax.random.uniform(sub, p.shape) < p).astype(p.dtype), key


def _fan_out(g: ConnGroup, fo: FanOut, gp, st, spiked, ptr, dt, depth, key, stochastic, shift=None):
    """Steps 1-2 for the node sources that spiked at the end of the last step.

    Returns (pending, tm, key, hits); tm holds x, u and the step of the last arrival of each connection.
    A small network (at most ``per_round`` rows) is processed whole every step, masked (no control
    flow: jit, vmap and grad as usual). A larger one takes the spiking rows ``per_round`` at a time
    in a ``while_loop`` that makes no round in a step without spikes (reverse-mode gradients do not
    go through it; forward mode does). The ring and the states are never operands of a ``cond``:
    XLA copies those, megabytes per step here. ``hits`` (``st["hits"]``, lanes only; None
    otherwise): the ring of arrivals, 1 per event whatever its weight (NEURON delivers a weight-0
    event: NET_RECEIVE runs). ``shift``: steps past the delay per table entry (``arrival_times``).
    """
    n_c = len(g.source)
    n_rows = len(fo.owner)
    table, target = jnp.asarray(fo.table), jnp.asarray(fo.target)
    delay = jnp.append(gp["delay_steps"], 0)[table]  # (n_rows + 1, width), padding 0
    active = spiked[jnp.asarray(fo.owner)] > 0

    def process(rows, mask, carry):
        pending, tm, key, hits = carry
        valid = (mask[:, None] & (table[rows] < n_c)).ravel()
        c = jnp.where(valid, table[rows].ravel(), 0)
        arrive = ptr + delay[rows].ravel() + (0 if shift is None else shift[rows].ravel())
        old = tm[c]  # x, u, last arrival: one gather, and the scatter below depends on it
        frac, x_after, u_after = _release(gp, c, old[:, 0], old[:, 1], (arrive - old[:, 2]) * dt)
        released, key = _draw(stochastic, key, gp["p"][c])
        q = jnp.where(valid, gp["weight"][c] * frac * released, 0.0)
        tgt = jnp.where(valid, target[rows].ravel(), pending.shape[1])
        new = jnp.stack([x_after, u_after, arrive.astype(tm.dtype)], axis=1)
        if hits is not None:
            hits = hits.at[arrive % depth, tgt].add(valid.astype(hits.dtype), mode="drop")
        return (pending.at[arrive % depth, tgt].add(q, mode="drop"),
                tm.at[jnp.where(valid, c, n_c)].set(new, mode="drop"), key, hits)

    carry = (st["pending"], st["tm"], key, st.get("hits"))
    k = fo.per_round
    if n_rows <= k:
        return process(jnp.arange(n_rows), active, carry)

    def pick(left):
        """The first ``k`` spiking rows (padding: n_rows)."""
        if k > 4:
            return jnp.nonzero(left, size=k, fill_value=n_rows)[0]
        rows = []
        for _ in range(k):  # a few argmax passes beat nonzero's prefix sum on CPU
            r = jnp.argmax(left)
            rows.append(jnp.where(left[r], r, n_rows))
            left = left.at[r].set(False)
        return jnp.stack(rows)

    def round_(loop):
        left, carry = loop
        rows = pick(left)
        return left.at[rows].set(False, mode="drop"), process(rows, rows < n_rows, carry)

    return jax.lax.while_loop(lambda loop: jnp.any(loop[0]), round_, (active, carry))[1]


def _external(g: ConnGroup, fo: FanOut, gp, st, external, n_nodes, dt, key, stochastic):
    """Step 3: connections from external trains (``external``: this step's arrivals per train).
    Returns (amount per connection, st, key, arrivals per connection: events even of weight 0)."""
    e = fo.external
    every = len(e) == len(g.source)
    pick = (lambda a: a) if every else (lambda a: a[jnp.asarray(e)])  # noqa: E731
    ge = {k: pick(v) for k, v in gp.items()}
    arrived = external[jnp.asarray(g.source[e] - n_nodes)]
    idx = jnp.arange(len(e))
    frac, _x_after, u_after = _release(ge, idx, st["xe"], st["ue"], dt)
    # Between arrivals only the relaxation applies (the elapsed time is one step).
    x_idle = 1.0 - (1.0 - st["xe"]) * _decay(dt, ge["tau_rec"])
    u_idle = st["ue"] * _decay(dt, ge["tau_facil"])
    released, key = _draw(stochastic, key, ge["p"])
    q = arrived * ge["weight"] * frac * released
    hit = arrived > 0
    st = {**st, "xe": jnp.where(hit, x_idle - arrived * frac, x_idle),
          "ue": jnp.where(hit, u_after, u_idle)}
    return q, st, key, arrived


def deliver(conn: Connections, params, syn, dt, drive=None):
    """Steps 1-4: returns (new synapse state, {mechanism: transmitter T (n_sites,)},
    {mechanism: event amount (n_sites,); for a mechanism with events (lanes), (weights, arrivals),
    each (K, instances): an arrival is an event even of weight 0, as NEURON's}). ``drive``: this
    step's row (``engine.drive.sample_drive``: "spikes", "spike_offsets"), with external trains."""
    new = dict(syn)
    depth = conn.depth
    key = syn["key"]
    ptr = syn["ptr"]
    n_nodes = len(conn.source_nodes)
    spiked = syn["spiked"][:n_nodes]  # detected at the end of the last step
    if conn.n_external:  # the time past the step's start (the first step's negative: finitialize's, at 0)
        external, off = drive["spikes"], drive["spike_offsets"]
        ext_offset = jnp.where(ptr == 0, jnp.maximum(off, 0.0), off)
    slot = ptr % depth
    transmitter, amounts = {}, {}
    for g in conn.groups:
        lanes = hasattr(type(params["channels"][g.mechanism]), "on_step")  # a mechanism with events
        fo = g.fan_out(n_nodes, lanes)
        gp = own(g, params["syn"][g.mechanism])
        cp = params["cleft"][g.mechanism]
        st = syn[g.mechanism]
        # The slot read last step is emptied now, by subtracting what was read (exactly 0): emptying
        # it right after the read would make XLA copy the whole ring every step.
        pending = st["pending"].at[(ptr - 1) % depth].add(-st["read"])
        hits = st["hits"].at[(ptr - 1) % depth].add(-st["hits_read"]) if lanes else None
        if len(fo.events):
            shift, value = shift_and_offset(fo, gp, syn["offsets"][:n_nodes] if conn.artificial else None, dt)
            pending, tm, key, hits = _fan_out(g, fo, gp, {**st, "pending": pending, "hits": hits}, spiked, ptr,
                                              dt, depth, key, conn.stochastic, shift)
            st = {**st, "tm": tm}
            if "offset" in st:
                ring = offset_ring(g, fo, gp, st["offset"], spiked, ptr, depth, shift, value)
                st = {**st, "offset": ring}
        # Read as a row of its own (the barrier keeps XLA from fusing the dynamic slice into every
        # use below): 5-10 % faster on benchmarks/bench_network.py.
        amount = jax.lax.optimization_barrier(pending[slot])
        st = {**st, "pending": pending, "read": amount}
        if lanes:
            arrived = hits[slot]
            st = {**st, "hits": hits, "hits_read": arrived}
        offset = st["offset"][slot] if "offset" in st else None
        if len(fo.external):
            q, st, key, came = _external(g, fo, gp, st, external, n_nodes, dt, key, conn.stochastic)
            at = jnp.asarray((g.lanes()[0] if lanes else g.target)[fo.external])
            amount = amount.at[at].add(q)
            if lanes:
                arrived = arrived.at[at].add(came)
                # NEURON hands NET_RECEIVE the event's own time: the arrival's offset in its lane
                offset = jnp.zeros(arrived.shape, arrived.dtype) if offset is None else offset
                offset = offset.at[at].set(ext_offset[jnp.asarray(g.source[fo.external] - n_nodes)])
        if lanes:  # (K, instances): each connection's event (weight, arrival) apart, its offset beside it; no cleft
            k = g.lanes()[1]
            if offset is not None:
                st = {**st, "arrival_offset": offset.reshape(-1, k).T}
            new[g.mechanism], amounts[g.mechanism] = st, (amount.reshape(-1, k).T, arrived.reshape(-1, k).T)
            transmitter[g.mechanism] = jnp.zeros(amount.shape[0] // k, amount.dtype)
            continue
        got = amount > 0
        # A release adds to what is still in the cleft; the pulse lasts at least its own step.
        level = jnp.where(got, st["T"] + cp["t_max"] * amount, st["level"])
        timer = jnp.where(got, cp["pulse"], st["timer"])
        on = got | (timer > 0.5 * dt)  # the pulse covers whole steps
        T = jnp.where(on, level, st["T"] * _decay(dt, cp["tau_clear"]))
        new[g.mechanism] = {**st, "T": T, "level": level, "timer": timer - dt}
        transmitter[g.mechanism] = T
        amounts[g.mechanism] = amount
    new["key"] = key
    return new, transmitter, amounts


def detect(conn: Connections, params, syn, v_old, v_new, external, chan=None):
    """Step 5: this step's spikes (upward threshold crossings, an artificial cell's net_events in
    ``chan``, the mechanisms' states, each one a sub-source's: spike_slots.py, then the external
    trains), kept for the next step's ``deliver``; returns (synapse state, spikes (n_sources,))."""
    nodes = jnp.asarray(conn.source_nodes)
    theta = params["syn_threshold"]
    spiked = ((v_old[nodes] < theta) & (v_new[nodes] >= theta)).astype(v_new.dtype)  # the run's precision
    syn, spiked = spike_slots.sub_sources(conn, syn, chan, spiked)  # each net_event of the step a spike of its own
    if conn.n_external:
        spiked = jnp.concatenate([spiked, external])
    return {**syn, "spiked": spiked, "ptr": syn["ptr"] + 1}, spiked


def at_finitialize(plan, params, state, drive, receive):
    """The state NEURON records at t = 0: finitialize delivers the events of time T <= 0 (counted in
    ``drive``'s first row: ``engine.drive.sample_drive``) after INITIAL, before it records, at t = 0
    (``receive``: ``stepping.receive_events``, dt 0: nothing later is due). Only the first sample
    shows it: the run steps from ``state``, its first step delivering them before the membrane
    currents, as NEURON's first step sees them (the same trajectory)."""
    conn = plan.connections
    trains = bool(conn.n_external and conn.groups)
    if not trains and not any(hasattr(type(params["channels"][pl.name]), "on_step") for pl in plan.placements):
        return state  # nothing is due at t = 0 (self-events of INITIAL's net_send(0, ...) are: on_step)
    amounts = {}
    if trains:
        # in the run's precision: ``drive`` is the host's (float64) before the scan casts it
        count = jnp.maximum(-jnp.asarray(drive["spike_offsets"], state["v"].dtype)[0], 0.0)
        row = {"spikes": count, "spike_offsets": jnp.zeros_like(count)}
        amounts = deliver(conn, params, state["syn"], 0.0, row)[2]
    chan = receive(plan, params, state["chan"], amounts, 0.0, {})
    # a NET_RECEIVE that assigns v (izhi2007b.mod's `v = vr` at INITIAL's net_send(0, 1)): NEURON
    # writes it into the node there, so its t = 0 sample and nrn_cur show it
    return {**state, "chan": chan, "v": written_v(plan, params, chan, state["v"])}
