"""NeuroML's standard HH rate forms as JAX functions, and channel classes made from them.

The forms (NeuroML2 CoreTypes, Channels.xml), x = (V - midpoint) / scale, V in mV:

    HHExpRate / HHExpVariable              r = rate exp(x)
    HHSigmoidRate / HHSigmoidVariable      r = rate / (1 + exp(-x))
    HHExpLinearRate / HHExpLinearVariable  r = rate x / (1 - exp(-x))      (rate at x = 0)
    fixedTimeCourse                        tau = tau

The linear form is ``rate / scale * vtrap(-(V - midpoint), scale)``, the same removable singularity
handled the same way as our HH (``excitable.vtrap``), so HH written in these forms gives HH's numbers.

A gate is one of NeuroML's HH gates: ``gateHHrates`` (inf = a / (a + b), tau = 1 / (a + b)),
``gateHHratesInf`` (tau from the rates, inf given), ``gateHHratesTau`` (inf from the rates, tau given),
``gateHHtauInf`` and ``gateHHratesTauInf`` (both given; a time course or steady state defined in LEMS
may require the gate's own ``alpha`` and ``beta``, as NeuroML's LEMS definitions allow) and
``gateHHInstantaneous`` (x = inf(V) at every instant). A q10 setting
(``q10ExpTemp``: q10 ** ((T - T_exp) / 10); ``q10Fixed``) divides tau, as in NeuroML; that factor is
the gate's ``rateScale``, which forms defined in LEMS may read. A channel's ``q10ConductanceScaling``
multiplies its open fraction by q10 ** ((T - T_exp) / 10) (``channel_class``'s ``scaling``).

The slope in V by which the engine linearizes a channel's current each step is the one NEURON takes
for the .mod file jNeuroML writes for the channel (``neuron_currents``): NEURON's finite difference
(i(v + 0.001) - i(v)) / 0.001 of its BREAKPOINT, in which an instantaneous gate moves with V only
when the channel has no gate with a state (jNeuroML then calls ``rates()`` from BREAKPOINT; else
from the DERIVATIVE block alone, so the gate is fixed in BREAKPOINT at its value for the step's V).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero

from excitable.errors import ModelError
from excitable.physics.channel import AbstractChannel, channel, vtrap

RATE_FORMS = ("HHExpRate", "HHSigmoidRate", "HHExpLinearRate")
VARIABLE_FORMS = ("HHExpVariable", "HHSigmoidVariable", "HHExpLinearVariable")
TIME_FORMS = ("fixedTimeCourse",)
GATE_KINDS = ("gateHHrates", "gateHHratesInf", "gateHHratesTau", "gateHHtauInf", "gateHHratesTauInf",
              "gateHHInstantaneous")
#: NeuroML's constants (its LEMS definitions of channelDensityNernst/GHK), J/(K mol) and C/mol: with
#: them the reversal potentials and GHK currents are NeuroML's to the last digit.
R_NEUROML, F_NEUROML = 8.3144621, 96485.3
#: How an imported channel's current follows from its open fraction f (``channel_class``'s ``law``).
LAWS = ("ohmic", "nernst", "ghk", "ghk2")


@dataclass(frozen=True)
class Form:
    """One standard form: its NeuroML type and parameters (rate in 1/ms, or 1 for a variable;
    midpoint and scale in mV; tau in ms for a time course)."""

    type: str
    rate: float = 1.0
    midpoint: float = 0.0
    scale: float = 1.0
    tau: float = 0.0

    def __call__(self, v, cai=None, celsius=None, rates=None, rate_scale=None):  # a standard form: V only
        kind = self.type.replace("Variable", "Rate")
        if self.type == "fixedTimeCourse":
            return self.tau + 0.0 * v
        if kind == "HHExpRate":
            return self.rate * jnp.exp((v - self.midpoint) / self.scale)
        if kind == "HHSigmoidRate":
            return self.rate / (1.0 + jnp.exp(-(v - self.midpoint) / self.scale))
        return self.rate / self.scale * vtrap(-(v - self.midpoint), self.scale)


@dataclass(frozen=True)
class Gate:
    """A gate: its kind (``GATE_KINDS``), exponent (``instances``), the forms it uses and its q10
    (``q10``, ``q10_celsius``: factor q10 ** ((T - q10_celsius) / 10); ``fixed``: a constant factor)."""

    name: str
    kind: str
    instances: int
    forward: Form | None = None
    reverse: Form | None = None
    steady: Form | None = None
    time: Form | None = None
    q10: float = 1.0
    q10_celsius: float = 0.0
    fixed: float | None = None

    def factor(self, celsius):
        """NeuroML's ``rateScale`` of the gate at ``celsius``: its q10 factor (1 without q10Settings)."""
        return self.fixed if self.fixed is not None else self.q10 ** ((celsius - self.q10_celsius) / 10.0)

    def inf_tau(self, v, celsius, cai=None):
        """Steady state and time constant (ms) at V (mV), temperature ``celsius`` and [Ca]i ``cai``
        (mM; read by forms defined in LEMS, ``lems.LemsForm``)."""
        # a form defined in LEMS may read the gate's rateScale (its q10 factor) and, for a steady
        # state or time course, the gate's own alpha and beta (NeuroML's unscaled forward and
        # reverse rates): its Requirements resolve in the gate, which exposes all three
        reads, scale = self.reads(), self.factor(celsius)
        given = {"rate_scale": scale} if "rateScale" in reads else {}
        if self.kind == "gateHHtauInf" or (self.kind == "gateHHratesTauInf" and "rates" not in reads):
            return self.steady(v, cai, celsius, **given), self.time(v, cai, celsius, **given) / scale
        a, b = self.forward(v, cai, celsius, **given), self.reverse(v, cai, celsius, **given)
        if "rates" in reads:
            given["rates"] = (a, b)
        if self.kind == "gateHHratesTauInf":  # both given: the rates serve only the forms reading them
            return self.steady(v, cai, celsius, **given), self.time(v, cai, celsius, **given) / scale
        inf = self.steady(v, cai, celsius, **given) if self.kind == "gateHHratesInf" else a / (a + b)
        tau = self.time(v, cai, celsius, **given) if self.kind == "gateHHratesTau" else 1.0 / (a + b)
        return inf, tau / scale

    def reads(self) -> frozenset:
        """What the gate's forms read besides V: "caConc", "temperature", "rates" (the gate's
        alpha and beta), "rateScale" (the gate's q10 factor; forms defined in LEMS)."""
        forms = (self.forward, self.reverse, self.steady, self.time)
        return frozenset().union(*(getattr(f, "reads", frozenset()) for f in forms))


#: NeuroML's ion species -> our current's name (``ions``: which ion carries it).
CURRENT_OF = {"na": "ina", "k": "ik", "ca": "ica", "cl": "icl"}


def nernst_mV(ci, co, z, kelvin):
    """NeuroML's Nernst potential (mV): R T / (z F) ln(co / ci), its constants, T in kelvin."""
    return 1e3 * R_NEUROML * kelvin / (z * F_NEUROML) * jnp.log(co / ci)


def _ohmic(ch, v, s, f):
    return ch.gbar * f * (v - ch.erev)


def _nernst(ch, v, s, f):
    # channelDensityNernst: NeuroML defines it for Ca2+ (zCa = 2), E from the concentrations
    return ch.gbar * f * (v - nernst_mV(ch.ci, ch.co, 2, s["T_K"]))


def _ghk(ch, v, s, f):
    # channelDensityGHK, outward positive: P f z F (ci - co e^-x) x / (1 - e^-x), x = zFV/(RT);
    # P in cm/s and c in mM (1e-6 mol/cm3) give A/cm2 x 1e-6, i.e. uA/cm2 with no other factor
    x = 2.0 * F_NEUROML * v * 1e-3 / (R_NEUROML * s["T_K"])
    return f * ch.permeability * 2.0 * F_NEUROML * (ch.ci - ch.co * jnp.exp(-x)) * vtrap(-x, 1.0)


def _ghk2(ch, v, s, f):
    # channelDensityGHK2 (Jaffe et al. 1994): inward g f tmp (1 - ci/co e^(V/tmp)) (V/tmp)/(e^(V/tmp) - 1)
    # with tmp = 25 T / (293.15 x 2) mV; mS/cm2 x mV = uA/cm2, sign flipped to outward positive
    tmp = 25.0 * s["T_K"] / (293.15 * 2.0)
    return -ch.gbar * f * (1.0 - ch.ci / ch.co * jnp.exp(v / tmp)) * vtrap(v, tmp)


_CURRENT_LAWS = {"ohmic": _ohmic, "nernst": _nernst, "ghk": _ghk, "ghk2": _ghk2}
#: law -> its parameters and their units (besides the gates'): ohmic channelDensity, Nernst and GHK2
#: (a conductance and the inside/outside concentrations) and GHK (a permeability).
_LAW_FIELDS = {"ohmic": {"gbar": "mS/cm2", "erev": "mV"},
               "nernst": {"gbar": "mS/cm2", "ci": "mM", "co": "mM"},
               "ghk": {"permeability": "cm/s", "ci": "mM", "co": "mM"},
               "ghk2": {"gbar": "mS/cm2", "ci": "mM", "co": "mM"}}
#: A time constant no run reaches: the temperature state stays where it starts.
_CONSTANT = float("inf")


# long because it assembles the whole class namespace: fields, states, ions and the three laws
def channel_class(name: str, gates: tuple[Gate, ...], species: str | None, *, gbar: float = 0.0,
                  erev: float = 0.0, source: str = "NeuroML", law: str = "ohmic",
                  scaling: tuple[tuple[float, float], ...] = ()):
    """A channel class (``AbstractChannel``) named ``name``, current = ``law`` of its open fraction
    f = prod(x ** instances), one state per gate that is not instantaneous. ``species`` ("na", "k",
    "ca", "cl" or None: non-specific) names the current ("ina", ..., "i") and the ion it carries.

    Laws (``LAWS``): "ohmic" (channelDensity) i = gbar f (V - erev), gbar mS/cm2, erev mV; "nernst"
    (channelDensityNernst) the same with erev NeuroML's Nernst potential of ``ci``, ``co`` (mM) at the
    simulation's temperature; "ghk" (channelDensityGHK) the GHK current of ``permeability`` (cm/s);
    "ghk2" (channelDensityGHK2) Jaffe et al.'s GHK-like current of ``gbar``. The last three are
    NeuroML's Ca2+ laws (z = 2); they carry a constant state ``T_K`` (the temperature, K), since a
    current law is given V and the states only, and read ``ci``/``co`` from a dynamic calcium pool
    when the model has one.

    ``scaling``: the channel's ``q10ConductanceScaling`` elements as (q10Factor, experimentalTemp in
    degC); as NeuroML's ionChannelHH defines it, f is multiplied by the product of
    q10Factor ** ((T - experimentalTemp) / 10 K) at the simulation's temperature T, which the channel
    then carries as the constant state ``T_K`` too."""
    current = CURRENT_OF.get(species or "", "i")
    slow = tuple(g for g in gates if g.kind != "gateHHInstantaneous")
    fast = tuple(g for g in gates if g.kind == "gateHHInstantaneous")
    law_current = _CURRENT_LAWS[law]
    temperature = law != "ohmic" or bool(scaling)
    scale = _conductance_scale(scaling)
    # gates with rates defined in LEMS may read [Ca]i: the law's own ci, else a field cai (mM) that
    # the engine fills from a calcium pool (ion_fields) and the importer sets to the species' level
    calcium = any("caConc" in g.reads() for g in gates)
    conc_field = ("ci" if law != "ohmic" else "cai") if calcium else None
    for g in fast:
        if "temperature" in g.reads():
            raise ModelError(f"{source}: ionChannel {name!r} gate {g.name!r}: an instantaneous gate whose form "
                             f"reads the temperature is not supported")

    def gate_rates(self, v, celsius):
        cai = getattr(self, conc_field) if conc_field else None
        out = {g.name: g.inf_tau(v, celsius, cai) for g in slow}
        if temperature:
            kelvin = jnp.zeros_like(jnp.asarray(v, dtype=float)) + (celsius + 273.15)
            out["T_K"] = (kelvin, jnp.full_like(kelvin, _CONSTANT))
        return out

    def open_fraction(s, v, cai=None):
        out = scale(s)
        for g in slow:
            out = out * s[g.name] ** g.instances
        for g in fast:
            out = out * g.steady(v, cai) ** g.instances
        return out

    def exact_currents(self, v, s):
        cai = getattr(self, conc_field) if conc_field else None
        return {current: law_current(self, v, s, open_fraction(s, v, cai))}

    def conductances(self, s):
        if fast or law == "ghk":  # the open conductance needs V (not given here); GHK has a permeability
            return {}
        return {"g": self.gbar * open_fraction(s, None)}

    fields = dict(_LAW_FIELDS[law])
    defaults = {"gbar": float(gbar), "erev": float(erev), "permeability": 0.0, "ci": 1e-4, "co": 2.0, "cai": 5e-5}
    if law == "ohmic":
        ion_fields = {"erev": (species, "e")} if species in CURRENT_OF else {}
    else:
        ion_fields = {"ci": (species, "ci"), "co": (species, "co")}
    if conc_field == "cai":
        fields["cai"] = "mM"
        ion_fields["cai"] = ("ca", "ci")
    namespace = {
        "__annotations__": {k: float for k in fields}, **{k: defaults[k] for k in fields},
        "__doc__": f"{name}: imported from {source}. i = {law} law of f = "
                   + " ".join(f"{g.name}^{g.instances}" for g in gates) + "; "
                   + ", ".join(f"{k} {u}" for k, u in fields.items()) + ".",
        "states": tuple(g.name for g in slow) + (("T_K",) if temperature else ()), "units": dict(fields),
        "ions": {current: species} if species in CURRENT_OF else {}, "ion_fields": ion_fields,
        "gates": gate_rates, "conductances": conductances, "neuroml_exact_currents": exact_currents,
        "currents": neuron_currents(exact_currents, law, current, slow, fast, conc_field, scale),
        "neuroml_gates": gates, "neuroml_species": species, "neuroml_law": law, "neuroml_calcium": conc_field,
        "neuroml_scaling": tuple(scaling),
        # Not "excitable.*": the compiled-program store keys only on our own classes' source, and
        # this class's numbers come from a file (engine.programs._own_types).
        "__module__": "excitable_imported.neuroml",
    }
    if not name.isidentifier():
        raise ModelError(f"NeuroML ionChannel id {name!r} must be an identifier (letters, digits, _)")
    return channel(type(name, (AbstractChannel,), namespace))


def _conductance_scale(scaling):
    """states -> the product of the q10 conductance scalings ``scaling`` ((q10Factor, experimental
    degC), ...) at the temperature state ``T_K`` (1.0, and no state read, without any)."""
    if not scaling:
        return lambda s: 1.0

    def scale(s):
        out = 1.0
        for q10, celsius in scaling:  # LEMS: (temperature - experimentalTemp) / 10 K, both in kelvin
            out = out * q10 ** ((s["T_K"] - (celsius + 273.15)) / 10.0)
        return out

    return scale


#: The current laws that are linear in V at fixed gates (the rest, GHK's, are not).
_LINEAR_LAWS = ("ohmic", "nernst")
#: Where ``neuron_currents`` hands the instantaneous gates' values to the law (a key of the states
#: dict it passes on, not a state of the channel).
_HELD = "_neuroml_instantaneous"


def neuron_currents(exact, law: str, current: str, slow: tuple, fast: tuple, conc_field: str | None,
                    scale=lambda s: 1.0):
    """The channel's ``currents`` (uA/cm2): the values of ``exact(chan, v, s)``, and as derivative in
    V (mV) the slope NEURON takes for jNeuroML's .mod of the channel (``neuron_slope``, NMODL's
    finite difference, reused): where the channel has a gate with a state, its instantaneous gates
    are held at their values for V (jNeuroML computes them in ``rates()``, which only the DERIVATIVE
    block and INITIAL call); where it has none, they move with V (``rates()`` heads BREAKPOINT).
    A channel of the linear laws without instantaneous gates keeps the exact slope, which equals
    NEURON's finite difference of a linear function to rounding (tests/io/neuroml/test_slope.py).
    Derivatives in parameters and states are exact. Differentiating a run is exact too (the engine
    takes the slope by ``jax.jvp`` inside the step, and an outer derivative goes through the
    definitions below), but a current differentiated in V directly (a recorded current, a pool's
    drive) has this slope for derivative, as an imported NMODL mechanism has its finite difference.
    ``scale(s)``: the channel's conductance scaling (a factor of the states' ``T_K``, not of V)."""
    if not fast and law in _LINEAR_LAWS:
        return exact
    from excitable.io.nmodl.slope import neuron_slope

    if not fast or not slow:
        return neuron_slope(exact)

    def fast_values(chan, v):
        cai = getattr(chan, conc_field) if conc_field else None
        return tuple(g.steady(v, cai) ** g.instances for g in fast)

    held = _held_in_v(fast_values)

    def law_at(chan, v, s):  # the open fraction multiplied in open_fraction's order: the same floats
        f = scale(s)
        for g in slow:
            f = f * s[g.name] ** g.instances
        for x in s[_HELD]:
            f = f * x
        return {current: _CURRENT_LAWS[law](chan, v, s, f)}

    fd = neuron_slope(law_at)
    return lambda self, v, s: fd(self, v, {**s, _HELD: held(self, jnp.asarray(v))})


def _held_in_v(values):
    """``values(chan, v)`` whose derivative in V is zero and exact in the channel's parameters (the
    gates' midpoints, scales, ...): an instantaneous gate as NEURON's finite difference sees it in
    jNeuroML's .mod of a channel with states."""
    @jax.custom_jvp
    def held(chan, v):
        return values(chan, v)

    def _jvp(primals, tangents):
        chan, v = primals
        is_zero = lambda t: isinstance(t, SymbolicZero)
        if all(is_zero(t) for t in jax.tree.leaves(tangents[0], is_leaf=is_zero)):
            out = values(chan, v)  # the engine's step: only V has a tangent
            return out, jax.tree.map(jnp.zeros_like, out)
        dense = jax.tree.map(lambda t, p: jnp.zeros_like(p) if is_zero(t) else t, tangents[0], chan, is_leaf=is_zero)
        return jax.jvp(lambda c: values(c, v), (chan,), (dense,))

    held.defjvp(_jvp, symbolic_zeros=True)
    return held


def with_law(cls, law: str, source: str):
    """The class of the same imported channel (its gates) under another current ``law`` (for Ca2+),
    one per channel and law, so that one cell's densities share it."""
    cache = cls.__dict__.get("_neuroml_laws")
    if cache is None:
        cache = {}
        setattr(cls, "_neuroml_laws", cache)
    if law not in cache:
        cache[law] = cls if law == cls.neuroml_law else channel_class(
            cls.__name__, cls.neuroml_gates, cls.neuroml_species, source=source, law=law,
            scaling=getattr(cls, "neuroml_scaling", ()))
    return cache[law]
