"""The channel API: a channel is a small frozen dataclass of parameters plus pure functions of V.

A channel declares
- its parameters as dataclass fields with defaults (units in ``units``),
- its gating states (``states``), each with a steady state and a time constant as functions of V and
  temperature (``gates``),
- the currents it carries (``currents``), outward positive, as functions of V and the states.

It knows nothing about time stepping (the engine advances the states by ``advance``: by default
exponential Euler from the rates, NEURON's ``cnexp``) or about morphology (the engine gives it arrays, one value per compartment).

Writing a new channel (the whole of it)::

    @ex.channel
    class KDelayed(ex.AbstractChannel):
        '''Delayed-rectifier K+ with one n^4 gate (HH 1952 kinetics).'''
        gK: float = 36.0     # mS/cm2
        eK: float = -77.0    # mV
        states = ("n",)
        units = {"gK": "mS/cm2", "eK": "mV"}
        q10 = 3.0
        reference_celsius = 6.3

        def gates(self, v, celsius):
            phi = self.rate_factor(celsius)
            alpha = 0.01 * ex.vtrap(-(v + 55.0), 10.0)
            beta = 0.125 * jnp.exp(-(v + 65.0) / 80.0)
            return {"n": ex.inf_tau(alpha, beta, phi)}

        def currents(self, v, s):
            return {"ik": self.gK * s["n"] ** 4 * (v - self.eK)}
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from excitable import backends  # noqa: F401  (float64 before any array is made)

Array = Any
States = dict[str, Array]


class AbstractChannel:
    """Interface of every density mechanism. Concrete channels are final frozen dataclasses.

    Class attributes a subclass sets:
        states: names of the state variables (gates, open fractions...).
        units: unit of each parameter field, for listings and docs.
        q10, reference_celsius: temperature scaling of the rates (``rate_factor``).
        kind: "density" (currents in uA/cm2, conductances in mS/cm2; inserted on regions) or
            "point" (currents in nA, conductances in uS; placed at locations: synapses, pumps of a
            terminal...).
        ions: which ions carry each current: {"ina": "na"} or, for a current carried by several
            ions, {"ipump": {"na": 3.0, "k": -2.0}} (ion current = factor x current). Used by
            concentration dynamics (``excitable.engine.ions``).
        ion_fields: parameters the engine fills from the ion concentrations when they are dynamic:
            {"eNa": ("na", "e")} (Nernst potential), {"nai": ("na", "ci")}, {"ko": ("k", "co")}.
    """

    states: ClassVar[tuple[str, ...]] = ()
    units: ClassVar[dict[str, str]] = {}
    q10: ClassVar[float] = 1.0
    reference_celsius: ClassVar[float] = 6.3
    kind: ClassVar[str] = "density"
    ions: ClassVar[dict[str, Any]] = {}
    ion_fields: ClassVar[dict[str, tuple[str, str]]] = {}

    @property
    def name(self) -> str:
        """The channel's name in parameter paths ("HH" in "HH.gNa")."""
        return type(self).__name__

    def rate_factor(self, celsius):
        """Q10 multiplier of every rate: q10 ** ((T - T_ref) / 10)."""
        return self.q10 ** ((celsius - self.reference_celsius) / 10.0)

    def gates(self, v, celsius) -> dict[str, tuple[Array, Array]]:
        """Steady state (dimensionless) and time constant (ms) of each state at V (mV)."""
        return {}

    def rates(self, v, s: States, celsius, drive: dict[str, Array]) -> dict[str, tuple[Array, Array]]:
        """Steady state and time constant (ms) of each state, allowed to depend on the states
        themselves and on external drive (``drive["T"]``: transmitter in the cleft, mM). The engine
        advances each state x by exponential Euler: x <- inf + (x - inf) exp(-dt / tau), exact for
        dx/dt = (inf - x) / tau at fixed inputs. Default: ``gates(v, celsius)``.
        """
        return self.gates(v, celsius)

    def advance(self, v, s: States, celsius, dt, drive: dict[str, Array]) -> States:
        """The states after ``dt`` ms at fixed V (mV), elementwise: the engine calls this for every
        mechanism after the voltage step. Default: exponential Euler from ``rates`` (NEURON's
        ``cnexp``), x <- x_inf + (x - x_inf) exp(-dt / tau), exact for dx/dt = (x_inf - x) / tau at
        fixed inputs; states without a rate law are kept. A mechanism with another update (an
        NMODL file's derivimplicit, a kinetic scheme's implicit solve) overrides it."""
        rates = self.rates(v, s, celsius, drive)
        new = {k: inf + (s[k] - inf) * jnp.exp(-dt / tau) for k, (inf, tau) in rates.items()}
        new.update({k: x for k, x in s.items() if k not in rates})
        return new

    def on_events(self, s: States, weight) -> States:
        """States after presynaptic events of total ``weight`` arrive this step (event-driven
        synapses such as Exp2Syn jump here); default: unchanged."""
        return s

    def currents(self, v, s: States) -> dict[str, Array]:
        """Current densities in uA/cm2, outward positive, keyed by name ("ina", "ik", ...)."""
        raise NotImplementedError

    def conductances(self, s: States) -> dict[str, Array]:
        """Open conductances in mS/cm2 (for recording and figures); optional."""
        return {}

    def steady_state(self, v, celsius) -> States:
        """Every state at its steady-state value at V (what ``finitialize`` does)."""
        return {k: inf for k, (inf, _) in self.gates(v, celsius).items()}

    def parameters(self) -> dict[str, Any]:
        """Parameter name -> value."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self.parameters().items())
        return f"{self.name}({inner})"


def signal_names(mech: AbstractChannel, celsius: float = 6.3) -> dict[str, tuple[str, ...]]:
    """Names of a mechanism's states, currents and conductances, found once per class by abstract
    evaluation (``jax.eval_shape``: no arrays are computed)."""
    key = type(mech)
    if key not in _NAMES:
        _NAMES[key] = _signal_names(mech, celsius)
    return _NAMES[key]


_NAMES: dict[type, dict[str, tuple[str, ...]]] = {}


def _signal_names(mech: AbstractChannel, celsius: float) -> dict[str, tuple[str, ...]]:
    # One site's parameters, taken in NumPy (eager jnp indexing would dispatch an XLA program each).
    first = type(mech)(**{k: np.ravel(np.asarray(v))[0] for k, v in mech.parameters().items()})

    def probe():
        s = first.steady_state(jnp.asarray(-65.0), celsius)
        return first.currents(jnp.asarray(-65.0), s), first.conductances(s)

    currents, conductances = jax.eval_shape(probe)
    return {"states": tuple(mech.states), "currents": tuple(currents), "conductances": tuple(conductances),
            "assigneds": tuple(getattr(type(mech), "recordable", ()))}  # an imported file's RANGE values


def _short(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return f"array{getattr(value, 'shape', '')}"


def channel(cls):
    """Class decorator: make ``cls`` a frozen dataclass registered as a JAX pytree.

    Every dataclass field is a leaf, so a channel with array-valued parameters can be vmapped over
    and differentiated.
    """
    cls = dataclasses.dataclass(frozen=True, repr=False)(cls)
    return register_fields(cls, [f.name for f in dataclasses.fields(cls)])


def register_fields(cls, data: list[str], meta: list[str] = ()):
    """Register the frozen dataclass ``cls`` as a JAX pytree: ``data`` fields are leaves (with
    their names as key paths), ``meta`` fields static (part of the tree's structure).

    Not ``jax.tree_util.register_dataclass``: two of its classes with the same fields give tree
    structures that compare equal though their hashes differ (JAX 0.10), so a structure-keyed cache
    (``jax.jit``'s) may hand one class the program traced for the other when their hashes meet in
    a table: HHPronase ran as HH about once in ten test runs, an imported .mod file's edited copy
    as the original. A custom node's structure compares its class too."""
    data, meta = list(data), list(meta)
    _named_parameters_only(cls)

    def unflatten(aux, children):
        return cls(**dict(zip(data, children)), **dict(zip(meta, aux)))

    jax.tree_util.register_pytree_with_keys(
        cls, lambda x: ([(jax.tree_util.GetAttrKey(n), getattr(x, n)) for n in data], tuple(getattr(x, n) for n in meta)),
        unflatten, flatten_func=lambda x: ([getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)))
    return cls


def _named_parameters_only(cls) -> None:
    """Make ``cls(name=...)`` with a name that is no field a one-line ModelError naming it and the
    fields there are (Python's TypeError named neither the mechanism's fields nor the file's)."""
    init = cls.__init__
    if getattr(init, "checks_names", False):
        return
    names = [f.name for f in dataclasses.fields(cls)]

    def checked(self, *args, **kwargs):
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            from excitable.errors import ModelError

            raise ModelError(f"{cls.__name__} has no parameter {unknown[0]!r} (given {kwargs[unknown[0]]!r}); "
                             f"it has {', '.join(names) or 'none'}")
        init(self, *args, **kwargs)
    checked.checks_names = True
    checked.__doc__, checked.__wrapped__ = init.__doc__, init
    cls.__init__ = checked


def inf_tau(alpha, beta, phi=1.0):
    """Steady state alpha/(alpha+beta) and time constant 1/(phi (alpha+beta)) (ms) from rates in 1/ms."""
    total = alpha + beta
    return alpha / total, 1.0 / (phi * total)


def vtrap(x, y, exp_u=None):
    """x / (exp(x/y) - 1), with the removable singularity at x = 0 taken exactly.

    This is NEURON's ``vtrap`` of hh.mod: below |x/y| < 1e-6 it uses the first-order expansion
    y (1 - x/y/2). Both branches are evaluated on safe inputs so gradients stay finite.

    exp_u: exp(x/y) if the caller already has it (e.g. as a product of exponentials it shares
        with other rates); then exp(x/y) - 1 is formed from it, as hh.mod does (relative error
        ~1e-16 / |x/y|, at most 1e-10 outside the expansion's range); otherwise ``expm1``.
    """
    u = x / y
    small = jnp.abs(u) < 1e-6
    u_safe = jnp.where(small, 1.0, u)
    if exp_u is not None:
        return jnp.where(small, y * (1.0 - u / 2.0), x / jnp.where(small, 1.0, exp_u - 1.0))
    return jnp.where(small, y * (1.0 - u / 2.0), x / jnp.expm1(u_safe) * (u_safe / u_safe))