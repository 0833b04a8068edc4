"""NEURON's per-NetCon state in the engine: NET_RECEIVE's arguments after the weight (and the
weight itself where the file writes it), kept per connection as the mechanism's states
``netcon_<name>`` of shape (K, instances), one row per lane (``synapses.ConnGroup.lanes``): set at
the start (``netcon_states``), read back after a run (``netcon_values``, ``netcon_table``: what
``Result.netcon`` answers).

A spike train split into lanes (model/train_split.py: several of its spikes in one step) is one
NetCon of the user's, and NEURON's one NetCon carries its state from event to event: its lanes
share one row, its first lane's. The state ``ROWS`` ((K, instances), only where a train is split)
says which row each lane reads and writes (``row_of``, called by the mechanism's NET_RECEIVE for
each delivery, io/nmodl/artificial.py), so the train's deliveries within a step, taken in time
order (``events.deliver``: lane order is the train's time order), each see the one before.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from excitable.errors import ModelError

#: The prefix of the per-connection states (io/nmodl/events.NETCON; the engine does not import io).
PREFIX = "netcon_"
#: The state saying which row each lane uses (not an NMODL name: no file variable can take it).
ROWS = "netcon:rows"
#: The state marking, (K, instances), the rows that are a user connection (1; 0: a lane without one,
#: or a split train's later lanes): the NetCons a FOR_NETCONS visits (io/nmodl/for_netcons.py).
LIVE = "netcon:live"


def own(group, gp: dict) -> dict:
    """The per-connection parameters ``gp`` (params["syn"][mechanism]: a row per connection as the
    Network holds them) per connection of ``group`` (``synapses.ConnGroup``): a spike train split
    into lanes (model/train_split.py) is one connection of the user's, and each lane reads its row
    (``ConnGroup.row``), so a weight set or batched in the parameters reaches all its lanes."""
    return gp if group.row is None else {k: v[group.row] for k, v in gp.items()}


def lane_rows(group, n: int) -> np.ndarray | None:
    """(K, instances) the row (lane rank) whose per-NetCon state each lane of ``group`` (a
    ``synapses.ConnGroup`` onto ``n`` instances) reads and writes: its own, but every lane of a split
    train its first lane's (``first_lanes``); lanes without a connection their own. None where no
    train is split (each lane its own row: the state ``ROWS`` is not added)."""
    if group.row is None:
        return None
    lane, k = group.lanes()
    rows = np.tile(np.arange(k)[:, None], (1, n))
    rank, instance = lane % k, lane // k
    rows[rank, instance] = rank[first_lanes(group)[group.row]]
    return rows


def first_lanes(group) -> np.ndarray:
    """Each user connection's first engine connection in ``group`` (the first lane of a split
    train, whose row the train keeps), in the order the Network added them."""
    if group.row is None:
        return np.arange(len(group.target))
    return np.unique(group.row, return_index=True)[1]


def row_of(s: dict, conn):
    """The row of the per-NetCon states that a delivery for lane rank ``conn`` reads and writes
    (``ROWS``, where a train is split; else ``conn``); a negative ``conn`` (no connection: INITIAL's
    or a WATCH's self-event) as it is."""
    if ROWS not in s:
        return conn
    one = jnp.arange(s[ROWS].shape[0]).reshape(-1, *([1] * jnp.ndim(conn))) == conn
    return jnp.where(conn >= 0, jnp.sum(jnp.where(one, s[ROWS], 0.0), axis=0), conn)


def netcon_states(conn, params, chan: dict, n_sites: dict[str, int]) -> dict:
    """The mechanisms' states with NEURON's per-NetCon state added: a mechanism whose NET_RECEIVE
    has arguments beyond the weight (``netcon_initial``, io/nmodl/artificial.py) gets them per
    connection, (K, instances) as its lanes (``ConnGroup.lanes``), set by its INITIAL inside
    NET_RECEIVE from each connection's weight (0 in lanes without a connection). A split train's
    lanes share its first lane's row (``ROWS``): that row's INITIAL is the one per user connection,
    as NEURON's per NetCon; the other lanes' rows are never read (INITIAL inside NET_RECEIVE writes
    only its arguments: io/nmodl/event_checks.py refuses any other write or call there). ``LIVE``
    marks each user connection's row (what a FOR_NETCONS visits)."""
    chan = dict(chan)
    for g in conn.groups:
        mech = params["channels"][g.mechanism]
        if not getattr(type(mech), "netcon_args", ()):
            continue
        lane, k = g.lanes()
        n = n_sites[g.mechanism]
        weight = jnp.asarray(own(g, params["syn"][g.mechanism])["weight"])
        w = jnp.zeros(n * k, weight.dtype).at[jnp.asarray(lane)].set(weight)  # the run's precision
        s = mech.netcon_initial(chan[g.mechanism], w.reshape(n, k).T)
        live = np.zeros(n * k)
        live[lane[first_lanes(g)]] = 1.0  # each user connection once, at the row it keeps
        s = {**s, LIVE: jnp.asarray(live.reshape(n, k).T, weight.dtype)}
        rows = lane_rows(g, n)
        if rows is not None:  # a float state as the others (indices up to MAX_LANES: exact in float32)
            s = {**s, ROWS: jnp.asarray(rows, weight.dtype)}
        chan[g.mechanism] = s
    return chan


def netcon_values(conn, chan: dict, mechanism: str, name: str) -> np.ndarray:
    """Each connection's value of NEURON's per-NetCon state ``name`` onto ``mechanism`` (a
    NET_RECEIVE argument, or the weight where the file writes it: NEURON's ``NetCon.weight[0]``
    after the run), read from a run's mechanism states ``chan`` (the final state's "chan"), in the
    order of the mechanism's connections (as the Network added them: a split train is one). (n_c,) array."""
    group = next((g for g in conn.groups if g.mechanism == mechanism), None)
    key = PREFIX + name
    if group is None or key not in chan.get(mechanism, {}):
        raise ModelError(f"netcon_values: {mechanism!r} keeps no per-connection {name!r}")
    lane = group.lanes()[0][first_lanes(group)]  # a split train: its first lane's row, which it keeps
    return jnp.asarray(chan[mechanism][key]).T.reshape(-1)[jnp.asarray(lane)]  # traceable: jax.grad of it


def netcon_table(conn, chan: dict) -> dict[str, dict[str, np.ndarray]]:
    """Every per-NetCon value after a run: mechanism -> name (``"weight"`` where the file writes
    it, then NET_RECEIVE's other arguments) -> (n_c,) array in the order the Network added that
    mechanism's connections (``netcon_values``), from the final state's ``chan``."""
    out = {}
    for g in conn.groups:
        names = [k[len(PREFIX):] for k in chan.get(g.mechanism, {}) if k.startswith(PREFIX)]
        if names:
            out[g.mechanism] = {n: np.asarray(netcon_values(conn, chan, g.mechanism, n)) for n in names}
    return out


def written_v(plan, params, chan: dict, v):
    """V (mV, (..., n)) after this step's deliveries where a point process's NET_RECEIVE assigned
    ``v`` (``writes_v``: an integrate-and-fire reset, io/nmodl/watch.py): NEURON writes it into the
    node at the end of NET_RECEIVE, and the step starts from it. The states ``v_node`` (the V the
    instance's last delivery left) and ``v_wrote`` (1 where one did) say where; two such instances
    on one node: the later placement's write wins, as NEURON's later NET_RECEIVE would."""
    for pl in plan.placements:
        if not getattr(type(params["channels"][pl.name]), "writes_v", False):
            continue
        s = chan[pl.name]
        sites = np.asarray(pl.sites)
        v = v.at[..., sites].set(jnp.where(s["v_wrote"] > 0.5, s["v_node"], v[..., sites]))
    return v
