"""Ligand-gated receptors: point mechanisms driven by the transmitter concentration in the cleft.

A receptor is a ``kind = "point"`` channel placed at a location: conductance in uS (``gmax`` per
instance), current in nA, outward positive, reversal potential ``e`` in mV. Its states follow a
kinetic scheme whose rates depend on the transmitter concentration T (mM) that the engine's cleft
model provides in ``drive["T"]``.

Every scheme is written as, for each explicit state x,

    dx/dt = gain - loss x        (gain, loss >= 0, functions of T, V and the *other* states)

so x_inf = gain / loss and tau = 1 / loss; the engine advances x exactly for fixed inputs (exponential
Euler, first order in dt overall for coupled schemes, exact for the two-state ones). One state of each
scheme is implied, 1 - (sum of the others) (``implied``), so total probability is conserved exactly;
``populations`` returns every state including the implied one.

Schemes (Destexhe, Mainen & Sejnowski 1994, Neural Comput. 6:14 and J. Comput. Neurosci. 1:195;
Destexhe & Sejnowski 1995 for GABA_B):

- two-state (AMPA, NMDA, GABA_A): C <-> O, dr/dt = alpha T (1 - r) - beta r;
  NMDA times the Mg2+ block B(V) = 1 / (1 + exp(-0.062 V) [Mg]o / 3.57) (Jahr & Stevens 1990);
- nicotinic ACh with desensitization: C <-> O (alpha T, beta), O -> D (kd), D -> C (kr);
- metabotropic cascades (GABA_B; muscarinic M2): receptor R (dR/dt = K1 T (1 - R) - K2 R) activates a
  G protein (dG/dt = K3 R - K4 G) that opens K+ channels cooperatively: g = gmax G^n / (G^n + KD).
"""

from __future__ import annotations

from typing import ClassVar

import jax.numpy as jnp

from excitable.physics.channel import AbstractChannel, channel

#: Mg2+ block constants of Jahr & Stevens (1990) as used by Destexhe et al.: 1/mV and mM.
MG_SLOPE = 0.062
MG_HALF = 3.57


def mg_block(v, mg=1.0):
    """Fraction of NMDA channels not blocked by Mg2+ at V (mV) and [Mg]o (mM):
    B(V) = 1 / (1 + exp(-0.062 V) [Mg]o / 3.57) (Jahr & Stevens 1990). 0.0445 at -70, 0.781 at 0 mV."""
    return 1.0 / (1.0 + jnp.exp(-MG_SLOPE * v) * mg / MG_HALF)


class AbstractReceptor(AbstractChannel):
    """A transmitter-gated point mechanism. Subclasses set ``states`` and ``implied`` and define
    ``kinetics`` (gain and loss of each explicit state, 1/ms) and ``open_fraction``.

    Every state starts at 0 (no transmitter at rest): the implied state holds all the probability.
    """

    kind = "point"
    implied: ClassVar[str] = ""

    def kinetics(self, v, s, T) -> dict:
        """{state: (gain, loss)} with dx/dt = gain - loss x; T in mM, rates in 1/ms."""
        raise NotImplementedError

    def open_fraction(self, s):
        """Fraction of the maximal conductance that is open (dimensionless)."""
        raise NotImplementedError

    def block(self, v):
        """Voltage-dependent factor of the current (1 unless the channel is blocked, as NMDA by Mg2+)."""
        return 1.0

    def rates(self, v, s, celsius, drive):
        T = jnp.broadcast_to(jnp.asarray(drive.get("T", 0.0), dtype=jnp.result_type(v, float)), jnp.shape(v))
        out = {}
        for k, (gain, loss) in self.kinetics(v, s, T).items():
            loss = jnp.broadcast_to(loss, jnp.shape(v))
            out[k] = (gain / loss, 1.0 / loss)
        return out

    def steady_state(self, v, celsius):
        z = jnp.zeros_like(jnp.asarray(v, dtype=jnp.result_type(v, float)))  # the run's precision
        return {k: z for k in self.states}

    def gates(self, v, celsius):
        return self.rates(v, self.steady_state(v, celsius), celsius, {"T": 0.0})

    def populations(self, s) -> dict:
        """Every state of the scheme, the implied one included (probabilities summing to 1)."""
        probs = {k: s[k] for k in self.states if k in self.probability_states}
        rest = 1.0 - sum(probs.values())
        return {self.implied: rest, **probs}

    @property
    def probability_states(self) -> tuple[str, ...]:
        """The explicit states that are occupancy probabilities (a G-protein level is not)."""
        return self.states

    def conductances(self, s):
        return {"g": self.gmax * self.open_fraction(s)}

    def currents(self, v, s):
        return {"i": self.gmax * self.open_fraction(s) * self.block(v) * (v - self.e)}


class AbstractTwoState(AbstractReceptor):
    """Two-state kinetics C <-> O: dr/dt = alpha T (1 - r) - beta r. Subclasses set alpha
    (1/(mM ms)), beta (1/ms), e (mV), gmax (uS).

    During a square pulse T = C: r(t) = r_inf + (r0 - r_inf) exp(-t / tau_r) with
    r_inf = alpha C / (alpha C + beta), tau_r = 1 / (alpha C + beta); after it r decays as exp(-beta t).
    """

    states = ("r",)
    implied = "closed"

    def kinetics(self, v, s, T):
        return {"r": (self.alpha * T, self.alpha * T + self.beta)}

    def open_fraction(self, s):
        return s["r"]


_TWO_STATE_UNITS = {"gmax": "uS", "alpha": "1/(mM ms)", "beta": "1/ms", "e": "mV"}


@channel
class AMPA(AbstractTwoState):
    """AMPA receptor, two-state (Destexhe; NEURON's ampa.mod): alpha 0.94 /(mM ms), beta 0.18 /ms,
    E 0 mV. With a 1-mM, 0.3-ms pulse: rise tau 0.89 ms, r1 = 0.240, decay 1/beta = 5.6 ms. gmax in uS."""

    gmax: float = 0.001
    alpha: float = 0.94
    beta: float = 0.18
    e: float = 0.0

    units = _TWO_STATE_UNITS


@channel
class GABAa(AbstractTwoState):
    """GABA_A receptor (Cl-), two-state (Destexhe gabaa.mod): alpha 5 /(mM ms), beta 0.18 /ms,
    E -80 mV (E_Cl; set it to the resting potential for pure shunting). r1 = 0.960 after 1 mM, 1 ms."""

    gmax: float = 0.001
    alpha: float = 5.0
    beta: float = 0.18
    e: float = -80.0

    units = _TWO_STATE_UNITS


@channel
class NMDA(AbstractTwoState):
    """NMDA receptor, two-state with Mg2+ block (Destexhe's nmda.mod; Jahr & Stevens 1990):
    alpha 0.072 /(mM ms), beta 0.0066 /ms (decay 152 ms), E 0 mV, [Mg]o ``mg`` 1 mM.

    i = gmax r B(V) (V - E) with B = ``mg_block``; the recorded "g" is the unblocked gmax r (uS).
    """

    gmax: float = 0.001
    alpha: float = 0.072
    beta: float = 0.0066
    e: float = 0.0
    mg: float = 1.0

    units = {**_TWO_STATE_UNITS, "mg": "mM"}

    def block(self, v):
        return mg_block(v, self.mg)


@channel
class Nicotinic(AbstractReceptor):
    """Nicotinic ACh receptor (cation channel, E about 0 mV) with desensitization:
    C <-> O (alpha T, beta), O -> D (kd), D -> C (kr); C = 1 - O - D is implied.

    Defaults (spec ranges: Magleby & Stevens 1972; Katz & Thesleff 1957): fast opening alpha
    10 /(mM ms); closing beta 0.7 /ms, so the endplate current decays with 1/(beta + kd) = 1.4 ms;
    desensitization kd 0.002 /ms (about 0.5 s in maintained ACh); recovery kr 0.0005 /ms (2 s).
    """

    gmax: float = 0.001
    alpha: float = 10.0
    beta: float = 0.7
    kd: float = 0.002
    kr: float = 0.0005
    e: float = 0.0

    states = ("O", "D")
    implied = "C"
    units = {"gmax": "uS", "alpha": "1/(mM ms)", "beta": "1/ms", "kd": "1/ms", "kr": "1/ms", "e": "mV"}

    def kinetics(self, v, s, T):
        # dO/dt = alpha T C - (beta + kd) O with C = 1 - O - D
        return {"O": (self.alpha * T * (1.0 - s["D"]), self.alpha * T + self.beta + self.kd),
                "D": (self.kd * s["O"], self.kr + 0.0 * T)}

    def open_fraction(self, s):
        return s["O"]


class AbstractGProtein(AbstractReceptor):
    """Metabotropic cascade (Destexhe & Sejnowski 1995 gabab.mod): transmitter T activates receptors R,
    which activate G proteins G, n of which open one K+ channel:

        dR/dt = K1 T (1 - R) - K2 R,   dG/dt = K3 R - K4 G,   g = gmax G^n / (G^n + KD).

    R is a probability (free receptors 1 - R implied); G is an amount in the units of KD^(1/n).
    The G^n cooperativity makes the response start late and grow supralinearly with bursts.
    """

    states = ("R", "G")
    implied = "R_free"
    units = {"gmax": "uS", "K1": "1/(mM ms)", "K2": "1/ms", "K3": "1/ms", "K4": "1/ms", "KD": "",
             "n": "", "e": "mV"}

    @property
    def probability_states(self):
        return ("R",)

    def kinetics(self, v, s, T):
        return {"R": (self.K1 * T, self.K1 * T + self.K2),
                "G": (self.K3 * s["R"], self.K4 + 0.0 * T)}

    def open_fraction(self, s):
        gn = jnp.maximum(s["G"], 0.0) ** self.n
        return gn / (gn + self.KD)


@channel
class GABAb(AbstractGProtein):
    """GABA_B receptor -> G protein -> GIRK K+ channel (Destexhe & Sejnowski 1995; cnmodel gabab.mod,
    fit to Otis et al. 1993): K1 0.52 /(mM ms), K2 0.0013, K3 0.098, K4 0.033 /ms, KD 100, n 4,
    E -95 mV. A 0.5-mM, 0.3-ms pulse gives an IPSC peaking about 100 ms later."""

    gmax: float = 0.001
    K1: float = 0.52
    K2: float = 0.0013
    K3: float = 0.098
    K4: float = 0.033
    KD: float = 100.0
    n: float = 4.0
    e: float = -95.0


@channel
class MuscarinicM2(AbstractGProtein):
    """Muscarinic M2 receptor -> G_i/o (beta-gamma) -> GIRK K+ channel: the GABA_B-type cascade with
    slower kinetics, so one release of ACh gives a hyperpolarization that starts after tens of ms,
    peaks after about 200 ms and lasts hundreds of ms (Hartzell 1981, Nature 291:539, slow IPSP).

    K1 0.3 /(mM ms) (binding), K2 0.002 /ms (receptor deactivation, 500 ms), K3 0.1 /ms, K4 0.01 /ms
    (G protein deactivation, 100 ms; peak at ln(K4/K2)/(K4 - K2) = 200 ms), KD 1, n 4, E_K -95 mV.
    With a neuromuscular-like ACh transient (1 mM for 0.1 ms, cleared with 0.15 ms) one release opens
    about 5 % of gmax, with 10 % of the peak reached after about 50 ms and half-width about 280 ms;
    four releases 10 ms apart open 90 % (G^4 cooperativity: 17x, not 4x).
    """

    gmax: float = 0.001
    K1: float = 0.3
    K2: float = 0.002
    K3: float = 0.1
    K4: float = 0.01
    KD: float = 1.0
    n: float = 4.0
    e: float = -95.0


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
        z = jnp.zeros_like(jnp.asarray(v, dtype=jnp.result_type(v, float)))  # the run's precision
        return {"A": (z, self.tau1 + z), "B": (z, self.tau2 + z)}

    def on_events(self, s, weight):
        jump = weight * self._factor()
        return {"A": s["A"] + jump, "B": s["B"] + jump}

    def conductances(self, s):
        return {"g": s["B"] - s["A"]}

    def currents(self, v, s):
        return {"i": (s["B"] - s["A"]) * (v - self.e)}


#: Every receptor class by name (the catalogue registers these).
RECEPTORS = {c.__name__: c for c in (AMPA, NMDA, GABAa, GABAb, Nicotinic, MuscarinicM2, Exp2Syn)}
