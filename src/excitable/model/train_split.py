"""Spike trains into mechanisms with events, split into lanes when the run is built (dt known).

NEURON delivers each of a NetCon's events in time order at the start of the step that takes it,
NET_RECEIVE reading the event's own time as ``t`` (``deliver_net_events``), however many fall in
one step. The engine's lane (``engine.synapses.ConnGroup.lanes``) brings one event per step, so a
train whose arrivals (spike + delay) put m > 1 of its spikes in one step of dt into a mechanism
with events (io/nmodl/events.py) runs as m sub-trains: spike i of each step's group goes to
sub-train i, each sub-train a lane of its own, adjacent, in that order, with the train's weight
and delay. ``events.deliver`` takes a step's events earliest first and ties in lane order, the
train's order, as NEURON's queue. The user's Network, connections, parameters (one weight per
train: a split train's lanes read its row, ``ConnGroup.row``) and recordings are unchanged.

A NET_RECEIVE keeping per-NetCon state (its arguments after the weight: Tsodyks-Markram's y, z,
u, tsyn, a kinetic synapse's r0, t0; or a weight it writes: plasticity) gets one row of it per
user connection, as NEURON's one NetCon carries it from event to event: a split train's lanes all
read and write its first lane's row (``engine.netcons.ROWS``), each delivery seeing the one before.

A connection from an artificial cell or point process (net_event) is split the same way when the
run is built, whatever its spikes: ``SLOTS`` engine connections, one per sub-source of its source
(engine/spike_slots.py), adjacent lanes reading its row.

Bounded: more than ``MAX_LANES`` spikes of one train in one step is refused in one line. Built-in
receptors and mechanisms without events sum a step's arrivals (their jump is linear in the
weight): a train into them is one lane.
"""

from __future__ import annotations

import numpy as np

from excitable.engine.drive import arrival_steps
from excitable.engine.spike_slots import SLOTS
from excitable.errors import ModelError
from excitable.model.spike_sources import ArtificialCell
from excitable.model.stimuli import Site

#: The most spikes of one train in one step that a mechanism with events takes (a lane each: the
#: lanes of every instance of the mechanism grow to the most any of them needs, so the cost of a
#: step's deliveries grows with it).
MAX_LANES = 16


def _is_train(c) -> bool:
    """Whether connection ``c`` comes from an external train (its source: the train's index)."""
    return isinstance(c.source, int)


def train_lanes(net, dt: float) -> tuple[int, ...]:
    """The lanes each of ``net.trains`` needs at ``dt`` (ms): the most of its arrivals NEURON's
    fixed step delivers in one step, for a train into a mechanism with events; 1 otherwise.
    Refuses in one line a train of more than ``MAX_LANES`` in one step."""
    lanes = [1] * len(net.trains)
    for c in net.connections:
        if not _is_train(c):
            continue
        mech = net.receptors[c.receptor][c.instance][0]
        arrivals = np.asarray(net.trains[c.source], float).ravel() + c.delay  # as train_arrivals adds it
        if not hasattr(type(mech), "on_step") or arrivals.size < 2:
            continue
        steps, counts = np.unique(arrival_steps(np.sort(arrivals), dt)[0], return_counts=True)
        most = int(counts.max())
        if most < 2:
            continue
        where = (f"spike_train {c.source}: {most} spikes within one step ({dt:g} ms, the step from "
                 f"{steps[np.argmax(counts)] * dt:g} ms) reach {c.receptor}[{c.instance}]")
        if most > MAX_LANES:
            raise ModelError(f"{where}, a mechanism with events: at most {MAX_LANES} are delivered one by one; "
                             "spread the train or lower dt")
        lanes[c.source] = max(lanes[c.source], most)
    return tuple(lanes)


def split_trains(arrivals, dt: float, lanes) -> list[np.ndarray]:
    """The engine's external trains: each of ``arrivals`` (ms, ``Network.train_arrivals``) as
    ``lanes[k]`` sub-trains, adjacent (sub-train i: the i-th arrival of each step, in time order,
    ties in the train's order); a train of one lane as given."""
    out = []
    for k, (times, n) in enumerate(zip(arrivals, lanes)):
        if n == 1:
            out.append(times)
            continue
        times = np.sort(np.asarray(times, float).ravel(), kind="stable")
        steps = arrival_steps(times, dt)[0]
        rank = np.arange(times.size) - np.searchsorted(steps, steps, side="left")  # within its step
        if rank.size and rank.max() >= n:  # the plan is rebuilt when the lanes change: a guard
            raise ModelError(f"spike_train {k}: changed since the run was built ({rank.max() + 1} spikes in one "
                             f"step, {n} lanes); set the train anew (Network.trains[{k}] = times)")
        out += [times[rank == i] for i in range(n)]
    return out


def engine_connections(net, dt: float, spike_cells, stochastic: bool, lanes=None):
    """The engine's ``Connections`` of ``net`` at ``dt`` and the per-connection parameters
    ({mechanism: weight, p, ...: one row per connection as the Network holds them}, thresholds).
    ``lanes``: each train's (``train_lanes``; None: one each): a split train's connections read
    its row (``ConnGroup.row``), as do the ``SLOTS`` engine connections of a connection from an
    artificial cell or point process, one per sub-source (engine/spike_slots.py: each net_event of
    a step a spike of its own); ``spike_cells``: cells whose soma spikes are recorded."""
    from excitable.engine.synapses import Connections, ConnGroup

    lanes = lanes or (1,) * len(net.trains)
    first = np.concatenate([[0], np.cumsum(lanes)]).astype(int)  # each train's first sub-train
    nodes: dict[int, float] = {}
    for c in net.connections:
        if isinstance(c.source, Site):
            nodes.setdefault(net.node(c.source), c.threshold)
    for ci in spike_cells:
        nodes.setdefault(net.node(Site(ci, net.cells[ci].soma)), 0.0)
    arts = list(dict.fromkeys(c.source for c in net.connections if isinstance(c.source, ArtificialCell)))
    # artificial cells' spikes after the nodes, SLOTS sub-sources each (engine/spike_slots.py)
    order = {**{n: i for i, n in enumerate(nodes)}, **{a: len(nodes) + SLOTS * i for i, a in enumerate(arts)}}
    groups, params = [], {}
    for name in net.receptors:
        conns = [c for c in net.connections if c.receptor == name]
        if not conns:
            continue
        delays = np.array([net.delay_steps(c, dt) for c in conns], int)
        src, row = [], []
        for j, c in enumerate(conns):
            if _is_train(c):
                src += [len(nodes) + SLOTS * len(arts) + first[c.source] + i for i in range(lanes[c.source])]
                row += [j] * lanes[c.source]
            elif isinstance(c.source, ArtificialCell):  # one engine connection per sub-source, adjacent lanes
                src += [order[c.source] + i for i in range(SLOTS)]
                row += [j] * SLOTS
            else:
                src.append(order[net.source_key(c)])
                row.append(j)
        row = np.array(row, int)
        split = len(row) > len(conns)
        groups.append(ConnGroup(name, np.array(src, int), np.array([c.instance for c in conns], int)[row],
                                delays[row], row if split else None))
        params[name] = {k: np.array([getattr(c, k) for c in conns], float)
                        for k in ("weight", "p", "U", "tau_rec", "tau_facil")}
        params[name].update(delay_steps=delays, delay_offset=net.delay_offsets(conns, dt))
    conn = Connections(np.array([*nodes, *[-1] * (SLOTS * len(arts))], int), int(first[-1]), tuple(groups),
                       stochastic, tuple((a.name, a.instance, order[a]) for a in arts))
    return conn, (params, np.array(list(nodes.values()) + [np.inf] * (SLOTS * len(arts)), float))
