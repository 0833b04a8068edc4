"""An event-driven source's spikes in one step, each a spike of its own: an artificial cell's (or a
point process's) net_events, up to ``SLOTS`` a step.

NEURON's ``net_event`` puts an event on each of the source's NetCons at the call's time, however
many calls one fixed step makes (the wheel's NetStim with noise draws intervals shorter than dt:
at 100 Hz and dt = 0.025 ms, about one interval in 400), each delivered at its own time plus the
connection's delay. An instance keeps the times of up to ``SLOTS`` net_events a step (its states
"spikes", their count, and "spike_offset", (SLOTS, instances): each one's time past the step's
start, io/nmodl/events.py); more are counted in ``SPILL`` and the run is refused after it
(``engine.counts``), never passed on as fewer spikes.

The engine sees such a source as ``SLOTS`` sub-sources, each spiking at most once a step, so the
fan-out, the delays and the arrival times (``synapses``, ``arrival_times``) are those of a source
with one spike a step. The source's j-th net_event of the run goes to sub-source j mod SLOTS (the
synapse state "turn": its net_events so far, mod SLOTS). Each connection from it is ``SLOTS``
connections of the engine, one per sub-source, adjacent, sharing the user's connection's row of
parameters and per-NetCon state (``model/train_split.engine_connections``: ``ConnGroup.row``), so
that events reaching a mechanism with events in one step arrive in lanes of their own and are
delivered one by one, earliest first (``events.deliver``). Rotating rather than slot i to
sub-source i: the events a connection brings in one step are consecutive net_events of its
source (its delay is fixed), so up to SLOTS of them take distinct lanes however they straddle the
source's steps (a spike late in one step and the next early in the following can arrive in one
step); more share a lane, which ``events.deliver`` counts in events_lost (refused).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

#: The net_events an event-driven source sends one by one per step (and the engine connections
#: each of its connections takes): small and fixed when the model is built, since every
#: connection from such a source costs this many lanes whether or not its spikes share a step.
SLOTS = 4
#: The state in which such a source counts the net_events beyond ``SLOTS`` in one step (not sent:
#: the run is refused, engine.counts).
SPILL = "spikes_over"


def initial(conn, dtype) -> dict:
    """The synapse states of sub-sources (``Connections.artificial``): each source's spike time past
    its step's start ("offsets", ms, one per source as ``synapses.detect`` orders them) and each
    artificial source's net_events so far mod ``SLOTS`` ("turn"); none without such sources."""
    if not conn.artificial:
        return {}
    return {"offsets": jnp.zeros(conn.n_sources, dtype), "turn": jnp.zeros(len(conn.artificial), dtype)}


def _by_mechanism(artificial) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """mechanism -> (positions in ``artificial``, instances, first sub-source index) of its sources."""
    out: dict[str, list] = {}
    for j, (mech, inst, k) in enumerate(artificial):
        out.setdefault(mech, []).append((j, inst, k))
    return {m: tuple(np.array(col, int) for col in zip(*rows)) for m, rows in out.items()}


def sub_sources(conn, syn: dict, chan: dict, spiked):
    """(synapse state, ``spiked`` (sources,)) with the artificial sources' sub-sources set from this
    step's net_events in ``chan`` (the mechanisms' states after the step): sub-source i of a source
    whose "turn" is r carries the step's net_event (i - r) mod SLOTS, if it made that many, at its
    offset; the turn moves on by the step's net_events (at most SLOTS: more are counted, SPILL)."""
    if not conn.artificial:
        return syn, spiked
    turn, offsets = syn["turn"], jnp.zeros(conn.n_sources, spiked.dtype)
    new_turn = turn
    slot = jnp.arange(SLOTS, dtype=turn.dtype)[:, None]
    for mech, (pos, inst, first) in _by_mechanism(conn.artificial).items():
        s = chan[mech]
        sent = jnp.minimum(s["spikes"][inst], SLOTS)  # (sources,): this step's net_events
        which = jnp.mod(slot - turn[pos], SLOTS)  # (SLOTS, sources): the step's net_event each carries
        hit = which < sent
        at = jnp.take_along_axis(s["spike_offset"][:, inst], which.astype(jnp.int32), axis=0)
        index = first[None, :] + np.arange(SLOTS)[:, None]
        spiked = spiked.at[index].set(hit.astype(spiked.dtype))
        offsets = offsets.at[index].set(jnp.where(hit, at, 0.0).astype(spiked.dtype))
        new_turn = new_turn.at[pos].set(jnp.mod(turn[pos] + sent, SLOTS))
    return {**syn, "offsets": offsets, "turn": new_turn}, spiked
