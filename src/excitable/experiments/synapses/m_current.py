"""The muscarinic M1 receptor and the M-current it closes, as one point mechanism (``MuscarinicM1``).

M1 (like M3 and M5) couples to G_q: the activated G protein drives phospholipase C, which consumes the
membrane lipid PIP2 that KCNQ2/3 channels need to open; the M-type K+ channels close, slowly and for
seconds, and the cell depolarizes and fires more readily (Brown & Adams 1980, Nature 283:673; Hille,
Ion Channels of Excitable Membranes, 3rd ed., ch. 6). The channel that is closed is modelled here with
the receptor, so that a released transmitter can take conductance away: the M channel's gate follows
Yamada, Koch & Adams (1989) exactly as ``excitable.physics.channels.pospischil.KMYamada`` does, and the
cascade follows the muscarinic M2's (``excitable.physics.receptors.MuscarinicM2``), its G protein
closing instead of opening:

    i = gmax p (1 - c) (V - e),  c = G^n / (G^n + KD),  dp/dt = (p_inf(V) - p) / tau_p(V).

Without transmitter (c = 0) it is a KMYamada of total conductance ``gmax`` (µS) at the site.
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.physics.channel import channel
from excitable.physics.receptors import AbstractGProtein


@channel
class MuscarinicM1(AbstractGProtein):
    """M1 receptor -> G_q -> closure of the M-type K+ channel (KCNQ2/3) it carries.

    Cascade as MuscarinicM2 (K1 0.3 /(mM ms), K2 0.002, K3 0.1, K4 0.01 /ms, KD 1, n 4); M channel as
    KMYamada (p_inf = 1/(1 + exp(-(V+35)/10)), tau_p = tau_max / (3.3 exp((V+35)/20) + exp(-(V+35)/20)),
    Q10 2.3 from 36 degC); gmax in µS (the M conductance fully open), e = E_K in mV.
    """

    gmax: float = 0.01
    K1: float = 0.3
    K2: float = 0.002
    K3: float = 0.1
    K4: float = 0.01
    KD: float = 1.0
    n: float = 4.0
    e: float = -90.0
    tau_max: float = 608.0

    states = ("R", "G", "p")
    q10 = 2.3
    reference_celsius = 36.0

    def _m_gate(self, v, celsius):
        x = (v + 35.0) / 20.0
        p_inf = 1.0 / (1.0 + jnp.exp(-(v + 35.0) / 10.0))
        return p_inf, self.tau_max / (3.3 * jnp.exp(x) + jnp.exp(-x)) / self.rate_factor(celsius)

    def rates(self, v, s, celsius, drive):
        out = super().rates(v, s, celsius, drive)  # R and G from the cascade's kinetics
        out["p"] = self._m_gate(v, celsius)
        return out

    def kinetics(self, v, s, T):
        return super().kinetics(v, s, T)  # R and G only: p is voltage gated (rates)

    def steady_state(self, v, celsius):
        z = jnp.zeros_like(jnp.asarray(v, dtype=float))
        return {"R": z, "G": z, "p": self._m_gate(v, celsius)[0]}

    def closed_fraction(self, s):
        """Fraction of the M channels closed by the G protein (0 without transmitter)."""
        return super().open_fraction(s)

    def open_fraction(self, s):
        return s["p"] * (1.0 - self.closed_fraction(s))
