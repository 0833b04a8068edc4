"""Synaptic transmission in the time loop: spike detection, delays, release, cleft, plasticity.

Per step (NEURON's order: events are delivered at the start of a step):

1. events arrive: a ring buffer holds, for each presynaptic source, whether it spiked at the end of
   each of the last D steps; connection c reads the column ``delay_c`` steps back;
2. release: Tsodyks-Markram resources x (recovering to 1 with tau_rec) and utilization u (decaying to
   0 with tau_facil, jumping by U (1 - u) at a spike); the released fraction u x, scaled by the
   connection weight and by the release probability p (its mean, or a Bernoulli draw from a seeded
   key in stochastic mode);
3. cleft: each receptor instance sums what its connections release this step; its transmitter
   concentration T (mM) is ``t_max x amount`` for ``pulse`` ms after a release and then decays with
   the clearance time constant ``tau_clear`` (0: a square pulse, Destexhe et al. 1994);
4. after the voltage step, sources whose V crossed the threshold upward are written into the buffer.

Sources are nodes (a presynaptic terminal) or external spike trains given in the drive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True, eq=False)
class ConnGroup:
    """Connections onto the instances of one receptor mechanism."""

    mechanism: str
    source: np.ndarray       # (n_c,) index into sources: nodes first, then external trains
    target: np.ndarray       # (n_c,) instance (position in the mechanism's site list)
    delay_steps: np.ndarray  # (n_c,) >= 0


@dataclass(frozen=True, eq=False)
class Connections:
    source_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    n_external: int = 0
    groups: tuple[ConnGroup, ...] = ()
    stochastic: bool = False

    @property
    def n_sources(self) -> int:
        return len(self.source_nodes) + self.n_external

    @property
    def depth(self) -> int:
        """Ring-buffer length: the longest delay + 1 steps."""
        d = max((int(g.delay_steps.max()) for g in self.groups if len(g.delay_steps)), default=0)
        return d + 1

    def key(self) -> tuple:
        return (self.source_nodes.tobytes(), self.n_external, self.stochastic,
                tuple((g.mechanism, g.source.tobytes(), g.target.tobytes(), g.delay_steps.tobytes())
                      for g in self.groups))


def group_params(n: int, *, weight=1.0, p=1.0, U=1.0, tau_rec=0.0, tau_facil=0.0) -> dict:
    """Per-connection parameters: weight (amount per release; 1 = one full pulse of t_max),
    release probability p, Tsodyks-Markram U, tau_rec and tau_facil (ms; 0 = none)."""
    f = lambda x: jnp.broadcast_to(jnp.asarray(x, dtype=float), (n,))  # noqa: E731
    return {"weight": f(weight), "p": f(p), "U": f(U), "tau_rec": f(tau_rec), "tau_facil": f(tau_facil)}


def cleft_params(n: int, *, t_max=1.0, pulse=1.0, tau_clear=0.0) -> dict:
    """Per receptor instance: transmitter peak t_max (mM), pulse duration (ms), clearance (ms)."""
    f = lambda x: jnp.broadcast_to(jnp.asarray(x, dtype=float), (n,))  # noqa: E731
    return {"t_max": f(t_max), "pulse": f(pulse), "tau_clear": f(tau_clear)}


def initial_synapses(conn: Connections, n_sites: dict[str, int], seed) -> dict:
    st = {"buffer": jnp.zeros((conn.n_sources, conn.depth)), "ptr": jnp.asarray(0),
          "key": jax.random.PRNGKey(seed) if conn.stochastic else jnp.zeros(2, jnp.uint32)}
    for g in conn.groups:
        n_c, n_s = len(g.source), n_sites[g.mechanism]
        st[g.mechanism] = {"x": jnp.ones(n_c), "u": jnp.zeros(n_c), "T": jnp.zeros(n_s),
                           "level": jnp.zeros(n_s), "timer": jnp.zeros(n_s)}
    return st


def deliver(conn: Connections, params, syn, dt):
    """Steps 1-3: returns (new synapse state, {mechanism: transmitter T (n_sites,)},
    {mechanism: event amount (n_sites,)})."""
    new = dict(syn)
    depth = conn.depth
    key = syn["key"]
    transmitter, amounts = {}, {}
    for g in conn.groups:
        gp = params["syn"][g.mechanism]
        cp = params["cleft"][g.mechanism]
        st = syn[g.mechanism]
        col = (syn["ptr"] - 1 - jnp.asarray(g.delay_steps)) % depth
        arrived = syn["buffer"][jnp.asarray(g.source), col]
        # Tsodyks-Markram: continuous recovery, then the jump at an arriving spike.
        x = 1.0 - (1.0 - st["x"]) * jnp.exp(-dt / gp["tau_rec"])
        u = st["u"] * jnp.exp(-dt / gp["tau_facil"])
        u_spk = u + gp["U"] * (1.0 - u)
        frac = u_spk * x
        if conn.stochastic:
            key, sub = jax.random.split(key)
            released = (jax.random.uniform(sub, gp["p"].shape) < gp["p"]).astype(float)
        else:
            released = gp["p"]
        q = arrived * gp["weight"] * frac * released
        x = jnp.where(arrived > 0, x - arrived * frac, x)
        u = jnp.where(arrived > 0, u_spk, u)
        amount = jnp.zeros_like(st["T"]).at[jnp.asarray(g.target)].add(q)
        got = amount > 0
        level = jnp.where(got, cp["t_max"] * amount, st["level"])
        timer = jnp.where(got, cp["pulse"], st["timer"])
        on = timer > 0.5 * dt  # the pulse covers whole steps
        T = jnp.where(on, level, st["T"] * jnp.exp(-dt / cp["tau_clear"]))
        new[g.mechanism] = {"x": x, "u": u, "T": T, "level": level, "timer": timer - dt}
        transmitter[g.mechanism] = T
        amounts[g.mechanism] = amount
    new["key"] = key
    return new, transmitter, amounts


def detect(conn: Connections, params, syn, v_old, v_new, external):
    """Step 4: write this step's spikes (upward threshold crossings, external trains) into the buffer."""
    nodes = jnp.asarray(conn.source_nodes)
    theta = params["syn_threshold"]
    spiked = ((v_old[nodes] < theta) & (v_new[nodes] >= theta)).astype(float)
    if conn.n_external:
        spiked = jnp.concatenate([spiked, external])
    buf = jax.lax.dynamic_update_slice(syn["buffer"], spiked[:, None], (0, syn["ptr"] % conn.depth))
    return {**syn, "buffer": buf, "ptr": syn["ptr"] + 1}, spiked
