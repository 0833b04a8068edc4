"""Ligand-gated receptors: point mechanisms driven by the transmitter concentration in the cleft.

A receptor is a ``kind = "point"`` channel: conductance in uS (gmax per instance), current in nA,
outward positive. Its states follow kinetic schemes whose rates depend on the transmitter
concentration T (mM) that the engine's cleft model provides in ``drive["T"]``. Every state x obeys
dx/dt = (x_inf - x) / tau at fixed V and T, which the engine integrates exactly per step.

Two-state scheme (Destexhe, Mainen & Sejnowski 1994, Neural Comput. 6:14):
    dr/dt = alpha T (1 - r) - beta r,   I = gmax r (V - E)
so r_inf = alpha T / (alpha T + beta) and tau = 1 / (alpha T + beta).
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.physics.channel import AbstractChannel, channel


class AbstractTwoState(AbstractChannel):
    """Shared two-state kinetics; subclasses set alpha (1/(mM ms)), beta (1/ms), e (mV), gmax (uS)."""

    kind = "point"
    states = ("r",)

    def steady_state(self, v, celsius):
        return {"r": jnp.zeros_like(jnp.asarray(v, dtype=float))}

    def rates(self, v, s, celsius, drive):
        T = jnp.broadcast_to(drive.get("T", 0.0), jnp.shape(v))
        total = self.alpha * T + self.beta
        return {"r": (self.alpha * T / total, 1.0 / total)}

    def gates(self, v, celsius):
        return self.rates(v, {}, celsius, {"T": 0.0})

    def conductances(self, s):
        return {"g": self.gmax * s["r"]}

    def currents(self, v, s):
        return {"i": self.gmax * s["r"] * (v - self.e)}


@channel
class AMPA(AbstractTwoState):
    """AMPA receptor, two-state (Destexhe; NEURON's ampa.mod): alpha 0.94 /(mM ms), beta 0.18 /ms,
    E 0 mV. With a 1-mM, 0.3-ms pulse: rise tau 0.89 ms, decay 1/beta = 5.6 ms. gmax in uS."""

    gmax: float = 0.001
    alpha: float = 0.94
    beta: float = 0.18
    e: float = 0.0

    units = {"gmax": "uS", "alpha": "1/(mM ms)", "beta": "1/ms", "e": "mV"}


@channel
class GABAa(AbstractTwoState):
    """GABA_A receptor (Cl-), two-state (Destexhe gabaa.mod): alpha 5 /(mM ms), beta 0.18 /ms,
    E -80 mV. gmax in uS."""

    gmax: float = 0.001
    alpha: float = 5.0
    beta: float = 0.18
    e: float = -80.0

    units = {"gmax": "uS", "alpha": "1/(mM ms)", "beta": "1/ms", "e": "mV"}


@channel
class Exp2Syn(AbstractChannel):
    """NEURON's Exp2Syn: an event of weight w (uS) jumps A and B by w x factor; g = B - A rises with
    tau1 and decays with tau2 (ms); the factor normalizes the peak of g to w. Not transmitter driven:
    connect it with ``t_max = 0`` (no cleft); the connection weight is the peak conductance in uS."""

    tau1: float = 0.5
    tau2: float = 2.0
    e: float = 0.0

    kind = "point"
    states = ("A", "B")
    units = {"tau1": "ms", "tau2": "ms", "e": "mV"}

    def _factor(self):
        tp = self.tau1 * self.tau2 / (self.tau2 - self.tau1) * jnp.log(self.tau2 / self.tau1)
        return 1.0 / (jnp.exp(-tp / self.tau2) - jnp.exp(-tp / self.tau1))

    def gates(self, v, celsius):
        z = jnp.zeros_like(jnp.asarray(v, dtype=float))
        return {"A": (z, self.tau1 + z), "B": (z, self.tau2 + z)}

    def on_events(self, s, weight):
        jump = weight * self._factor()
        return {"A": s["A"] + jump, "B": s["B"] + jump}

    def conductances(self, s):
        return {"g": s["B"] - s["A"]}

    def currents(self, v, s):
        return {"i": (s["B"] - s["A"]) * (v - self.e)}
