"""When a spike of an event-driven source (a node's threshold crossing, an artificial cell's
net_event) arrives at a connection's target, as NEURON's fixed step delivers it, and the time
NET_RECEIVE reads then (``engine.synapses``' fan-out; external trains are timed on the host:
``engine.drive.arrival_steps``).

NEURON delivers an event of time T = spike time + delay before the step from t_n for the first n
with T <= t_n + dt/2, with ``t`` = T. A connection's delay d is split on the host
(``model.network.Network.delay_steps`` / ``delay_offset``) into the step n_d NEURON's clock gives d
and the rest f = d - t_{n_d}, in (-dt/2, dt/2] ms (a parameter: a new delay compiles nothing).
- A node's crossing is known at the start of the step after it (NEURON checks thresholds there,
  at that t): it arrives n_d steps later, f past that step's start.
- An artificial cell's net_event at o past its step's start (``detect``'s offsets) is known one
  step after it: with delay_steps n_d - 1 it arrives at the base step, o + f past its start, or
  one step later (o + f > dt/2) or earlier (o + f <= -dt/2), where NEURON's rule puts it
  (``Network.delay_steps`` refuses a delay that could arrive in the spike's own step).
Round-off at an exact tie (T = t_n + dt/2) follows NEURON's clock for d alone, not for t + d.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


def shift_and_offset(fo, gp, offsets, dt):
    """Per entry of the fan-out table ``fo.table`` ((rows + 1, width)): the steps (-1, 0 or 1) past
    ptr + delay_steps at which the spike of the row's owner arrives, and its time past that step's
    start (ms). ``offsets``: each node source's spike time past its step's start (artificial cells;
    None: nodes only, 0)."""
    table = jnp.asarray(fo.table)
    rest = jnp.append(gp["delay_offset"], 0.0)[table]
    if offsets is None:
        return None, rest
    owner = jnp.asarray(np.append(fo.owner, 0))  # the padding row's owner: any (it is never valid)
    x = offsets[owner][:, None] + rest
    shift = jnp.where(x > 0.5 * dt, 1, jnp.where(x <= -0.5 * dt, -1, 0))
    return shift, x - shift.astype(x.dtype) * dt  # in the run's precision (an int times dt is float64)


def offset_ring(g, fo, gp, ring, spiked, ptr, depth, shift, value):
    """The ring of arrival offsets (ms past the arrival step's start) after this step's fan-out: each
    firing connection's ``value`` written at its arrival slot (``shift_and_offset``). A mechanism
    with events has a lane per connection (``ConnGroup.lanes``): one arrival per slot and step;
    others ignore the time of an event."""
    n_c = len(g.source)
    table, target = jnp.asarray(fo.table), jnp.asarray(fo.target)
    owner = jnp.asarray(np.append(fo.owner, 0))
    fired = (spiked[owner] > 0)[:, None] & (table < n_c)
    arrive = ptr + jnp.append(gp["delay_steps"], 0)[table] + (0 if shift is None else shift)
    tgt = jnp.where(fired, target, ring.shape[1])
    return ring.at[(arrive % depth).ravel(), tgt.ravel()].set(value.ravel(), mode="drop")
