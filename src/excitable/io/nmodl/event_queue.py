"""The self-event queue of an imported point process or artificial cell (``events``): where
``net_send`` keeps its events until they are due, and what ``net_move`` moves.

The queue is four arrays of shape (size, instances) (``SLOTS``: times, flags, weights, sending
connections), so its work per step grows with the size in elements, not in operations: a queue of 64
compiles as one of 4 (the first form, a state per slot, grew superlinearly: on an hh compartment
with pt_cdur.mod, 32 slots compiled in 44 s and ran 120 times slower than 4; 64 had not compiled
after 12 min; this form compiles in 3-5 s at 4 to 64 slots and runs 64 at about twice the time
of 4, 40 000 steps). ``QUEUE`` slots
unless the file is loaded with ``queue=``; a run that needs more is run again with a deeper one
(``queue_growth``), as NEURON's queue has no bound.
"""

from __future__ import annotations

import jax.numpy as jnp

#: Pending self-events an instance holds unless loaded with ``queue=`` (one net_send per pending
#: event; invlfire.mod needs 1), and the self-events delivered per step beyond one per connection
#: (``delivery_rounds``).
QUEUE = 4
#: A self-event slot that is empty (its time).
EMPTY = jnp.inf
#: The state counting events that could not be kept for another reason than a full queue (a
#: net_move with none pending, too many due in one step, more spikes of one source reaching a
#: connection in one step than its lanes: ``events``).
LOST = "events_lost"
#: The state counting the self-events a full queue could not keep (engine.counts.FULL: a run is
#: run again with a deeper queue, ``queue_growth``).
FULL = "queue_full"
#: The slot sent last (per instance; -1: none), the one net_move moves.
LAST = "queue_last"
#: The queue's arrays, (size, instances) each: times (ms, EMPTY: a free slot), flags, weights, and
#: the sending connection (its lane rank among the instance's connections, -1: none).
SLOTS = ("queue_t", "queue_flag", "queue_w", "queue_c")


def queue_states(size: int) -> tuple[str, ...]:
    """The states of a queue of ``size`` self-events: ``SLOTS`` and ``LAST``."""
    return (*SLOTS, LAST) if size else ()


def empty_queue(size: int, like) -> dict:
    """The queue of ``size`` free slots for instances shaped as ``like`` (nothing pending)."""
    zero = jnp.zeros((size, *jnp.shape(like)), jnp.result_type(like, float))
    return {"queue_t": zero + EMPTY, "queue_flag": zero, "queue_w": zero, "queue_c": zero - 1.0, LAST: like - 1.0}


def delivery_rounds(size: int, lanes: int) -> int:
    """Deliveries per step of an instance with a queue of ``size`` and ``lanes`` connections: one
    per connection, up to ``QUEUE`` + ``lanes`` self-events (never more than the queue holds) and
    one more (a self-event sent with delay 0). A deeper queue adds no rounds: the self-events due in
    one step are those sent a delay earlier, by at most as many events; a step with more due counts
    them in ``LOST`` (refused, never dropped silently)."""
    return lanes + min(size, QUEUE + lanes) + 1


def slot_of(size: int, index, shape):
    """(size, *shape) booleans: True in slot ``index`` (per instance) of a queue of ``size``."""
    return jnp.arange(size).reshape(-1, *([1] * len(shape))) == index


def insert(s: dict, on, when, flag, weight, size: int, conn) -> dict:
    """The states with a self-event (time ``when`` ms, ``flag``, ``weight``, sender ``conn``) in
    the first free slot of each instance where ``on`` holds; counted in ``FULL`` where none is free."""
    free = jnp.isinf(s["queue_t"])
    placed = on & jnp.any(free, axis=0)
    first = jnp.argmax(free, axis=0)
    here = slot_of(size, first, jnp.shape(placed)) & placed
    for k, x in zip(SLOTS, (when, flag, weight, conn)):
        s[k] = jnp.where(here, x, s[k])
    s[LAST] = jnp.where(placed, first, s[LAST])
    s[FULL] = s[FULL] + (on & ~placed)
    return s


def move(s: dict, on, when, now, size: int) -> dict:
    """NEURON's net_move: the self-event sent last moves to ``when`` (ms); without one pending (or
    to a time before ``now``, which NEURON refuses) the call is counted in ``LOST``."""
    last = slot_of(size, s[LAST], jnp.shape(s[LAST])) & ~jnp.isinf(s["queue_t"])
    moved = on & jnp.any(last, axis=0) & (when >= now)
    s["queue_t"] = jnp.where(last & moved, when, s["queue_t"])
    s[LOST] = s[LOST] + (on & ~moved)
    return s
