"""NeuroML 2 kinetic-scheme channels: ``ionChannelKS`` with ``gateKS`` gates -> channel classes.

A gateKS is a set of states (``closedState``, ``openState``) whose occupancies x follow the linear
scheme dx/dt = Q(V) x of its transitions, NeuroML's LEMS definitions: a ``forwardTransition`` (rate
rf from -> to) and a ``reverseTransition`` (rate rr to -> from), each with one of the standard HH
rate forms or a ComponentType of the files read (``lems``: a rate of V, [Ca2+]i and the
temperature; a scheme reading [Ca2+]i gets a field ``cai``, moved by the calcium pool), a
``tauInfTransition`` (rf = inf/tau, rr = (1 - inf)/tau, its steady state and time course in the
standard forms) and a ``vHalfTransition`` (``vhalf``: read from the XML, which libNeuroML drops).
A scheme whose states are not all joined by transitions is refused (its steady state is 0/0). The
gate's conductance is (the open states' occupancy)^instances, the channel's current
gbar prod(gates) (V - erev), as for ``rates.channel_class``'s ohmic law.

Time stepping is backward Euler on the scheme, (I - dt Q(V)) x' = x at the step's new V, what
NEURON's ``KINETIC`` block with ``METHOD sparse`` does (the sum of occupancies is kept: Q's columns
sum to 0); the initial occupancies are the scheme's steady state at the initial V (``STEADYSTATE
sparse``). A ``q10Settings`` on a gateKS is refused: NeuroML's definition computes a rateScale that
its transitions do not use, so what a file means by it is not clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.io.neuroml.rates import CURRENT_OF, RATE_FORMS, TIME_FORMS, VARIABLE_FORMS, Form
from excitable.physics.channel import AbstractChannel, channel


@dataclass(frozen=True)
class KSGate:
    """A gateKS: its state names (their occupancies are the class's states, "GATE_STATE"), which are
    open, its exponent, and transitions (i, j, rf form or None, rr form or None, inf form, tau form)
    between states i and j."""

    name: str
    instances: int
    states: tuple[str, ...]
    open: tuple[int, ...]
    transitions: tuple[tuple, ...]

    def matrix(self, v, cai=None, celsius=None):
        """Q(V) as rows of arrays shaped like V (elementwise operations only, so that it runs in the
        fused kernels too): dx/dt = Q x. ``cai`` (mM) and ``celsius``: what rates defined in LEMS
        (``lems.LemsForm``) read besides V; the standard forms ignore them."""
        v = jnp.asarray(v, dtype=float)
        n = len(self.states)
        zero = jnp.zeros_like(v)
        q = [[zero] * n for _ in range(n)]
        for i, j, forward, reverse, inf, tau in self.transitions:
            if inf is not None:
                x, t = inf(v, cai, celsius), tau(v, cai, celsius)
                rf, rr = x / t, (1.0 - x) / t
            else:
                rf = forward(v, cai, celsius) if forward is not None else zero
                rr = reverse(v, cai, celsius) if reverse is not None else zero
            q[j][i], q[i][i] = q[j][i] + rf, q[i][i] - rf
            q[i][j], q[j][j] = q[i][j] + rr, q[j][j] - rr
        return q

    def reads(self) -> frozenset:
        """What the transitions' forms read besides V: "caConc", "temperature" (forms defined in LEMS)."""
        forms = [f for t in self.transitions for f in t[2:] if f is not None]
        return frozenset().union(*(getattr(f, "reads", frozenset()) for f in forms))


def solve_dominant(a, b):
    """x with a x = b, a given as rows of arrays (a system per element), by Gaussian elimination
    without pivoting: exact in exact arithmetic and stable for I - dt Q, whose columns are diagonally
    dominant (Q's columns sum to 0, its off-diagonal rates are >= 0)."""
    n = len(b)
    a = [list(row) for row in a]
    b = list(b)
    for k in range(n):
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k, n):
                a[i][j] = a[i][j] - f * a[k][j]
            b[i] = b[i] - f * b[k]
    x = [None] * n
    for i in reversed(range(n)):
        acc = b[i]
        for j in range(i + 1, n):
            acc = acc - a[i][j] * x[j]
        x[i] = acc / a[i][i]
    return x


def _rate_element(text: str, where: str) -> SimpleNamespace:
    """The ``<rate .../>`` child of a forward/reverse transition: libNeuroML keeps it as XML text (the
    schema allows any element there); parsed here without entities or network."""
    from lxml import etree

    try:
        el = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise ModelError(f"{where}: its rate could not be read ({e})") from None
    if etree.QName(el).localname != "rate":
        raise ModelError(f"{where}: expected a <rate> element, got <{etree.QName(el).localname}>")
    return SimpleNamespace(**{k: el.get(k) for k in ("type", "rate", "midpoint", "scale")})


def ks_gate(g, field: str, form, source: str | None = None) -> KSGate:
    """A KSGate from a libNeuroML GateKS; ``form(element, allowed, where)`` reads one standard form;
    ``source``: the file's name, for the lines of elements libNeuroML does not keep (``vhalf``)."""
    from excitable.io.neuroml.vhalf import vhalf_transitions

    where = f"{field} gateKS {g.id!r}"
    if g.q10_settings is not None:
        raise ModelError(f"{where}: q10Settings on a gateKS is not supported (NeuroML's transitions do not "
                         f"use the rateScale it defines)")
    names = [s.id for s in g.closed_states or []] + [s.id for s in g.open_states or []]
    if len(set(names)) != len(names) or not g.open_states:
        raise ModelError(f"{where}: needs distinct state ids and at least one openState, got {names}")
    index = {s: k for k, s in enumerate(names)}
    transitions = []

    def ends(t, kind):
        for end in (t.from_, t.to):
            if end not in index:
                raise ModelError(f"{where} {kind} {t.id!r}: no state {end!r}; states: {', '.join(names)}")
        return index[t.from_], index[t.to]

    for kind, items in (("forwardTransition", g.forward_transition), ("reverseTransition", g.reverse_transition)):
        for t in items or []:
            i, j = ends(t, kind)
            if len(t.anytypeobjs_ or []) != 1:
                raise ModelError(f"{where} {kind} {t.id!r}: needs exactly one <rate> element")
            rate = form(_rate_element(t.anytypeobjs_[0], f"{where} {kind} {t.id!r}"), RATE_FORMS,
                        f"{where} {kind} {t.id!r} rate")
            transitions.append((i, j, rate, None, None, None) if kind == "forwardTransition"
                               else (i, j, None, rate, None, None))
    for t in g.tau_inf_transition or []:
        i, j = ends(t, "tauInfTransition")
        inf = form(t.steady_state, VARIABLE_FORMS, f"{where} tauInfTransition {t.id!r} steadyState")
        tau = form(t.time_course, TIME_FORMS, f"{where} tauInfTransition {t.id!r} timeCourse")
        transitions.append((i, j, None, None, inf, tau))
    transitions += vhalf_transitions(g, index, source, where)
    _connected(names, transitions, where)
    instances = int(g.instances)
    if instances < 1:
        raise ModelError(f"{where}: instances must be >= 1, got {instances}")
    opened = tuple(index[s.id] for s in g.open_states)
    return KSGate(g.id, instances, tuple(names), opened, tuple(transitions))


def _connected(names, transitions, where: str) -> None:
    """Refuse a scheme whose states are not all joined by transitions (none at all, or two parts):
    its steady state is not defined (0/0), so it would run as NaN."""
    if not transitions:
        raise ModelError(f"{where}: has no transitions (forwardTransition/reverseTransition, tauInfTransition, "
                         f"vHalfTransition)")
    reached, todo = {0}, [0]
    while todo:
        k = todo.pop()
        for t in transitions:
            for a, b in ((t[0], t[1]), (t[1], t[0])):
                if a == k and b not in reached:
                    reached.add(b)
                    todo.append(b)
    if len(reached) != len(names):
        apart = ", ".join(n for k, n in enumerate(names) if k not in reached)
        raise ModelError(f"{where}: states {apart} are not joined to {names[0]!r} by any transition")


# long because it assembles the whole class namespace: fields, states, the step and the steady state
def ks_channel_class(name: str, gates: tuple[KSGate, ...], species: str | None, source: str):
    """The channel class of an ionChannelKS: ``gbar`` (mS/cm2), ``erev`` (mV), a state per gate and
    state ("n_o1": the occupancy of state o1 of gate n); when a transition's rate defined in LEMS
    reads [Ca2+]i, a field ``cai`` (mM) too, which the engine fills from a calcium pool (as
    ``rates.channel_class`` does for HH gates)."""
    current = CURRENT_OF.get(species or "", "i")
    names = tuple(f"{g.name}_{s}" for g in gates for s in g.states)
    calcium = any("caConc" in g.reads() for g in gates)

    def advance(self, v, s, celsius, dt, drive):
        out = {}
        for g in gates:
            q = g.matrix(v, self.cai if calcium else None, celsius)
            n = len(g.states)
            a = [[(1.0 if i == j else 0.0) - dt * q[i][j] for j in range(n)] for i in range(n)]
            x = solve_dominant(a, [jnp.asarray(s[f"{g.name}_{k}"], dtype=float) for k in g.states])
            out.update({f"{g.name}_{k}": x[i] for i, k in enumerate(g.states)})
        return out

    def steady_state(self, v, celsius):
        # at the start only (outside the fused kernels): Q x = 0 with one balance replaced by the
        # conservation sum x = 1, solved by LAPACK with pivoting (Q itself is not diagonally dominant)
        out = {}
        for g in gates:
            q = jnp.stack([jnp.stack(row, axis=-1) for row in g.matrix(v, self.cai if calcium else None, celsius)],
                          axis=-2)
            n = len(g.states)
            a = q.at[..., n - 1, :].set(1.0)
            b = jnp.zeros(q.shape[:-1]).at[..., n - 1].set(1.0)
            x = jnp.linalg.solve(a, b[..., None])[..., 0]
            out.update({f"{g.name}_{k}": x[..., i] for i, k in enumerate(g.states)})
        return out

    def open_fraction(s):
        f = 1.0
        for g in gates:
            f = f * sum(s[f"{g.name}_{g.states[i]}"] for i in g.open) ** g.instances
        return f

    fields = {"gbar": "mS/cm2", "erev": "mV", **({"cai": "mM"} if calcium else {})}
    ion_fields = {"erev": (species, "e")} if species in CURRENT_OF else {}
    if calcium:
        ion_fields["cai"] = ("ca", "ci")
    namespace = {
        "__annotations__": {k: float for k in fields}, "gbar": 0.0, "erev": 0.0, **({"cai": 5e-5} if calcium else {}),
        "__doc__": f"{name}: a kinetic-scheme channel imported from {source}; "
                   + ", ".join(f"{k} {u}" for k, u in fields.items()) + ".",
        "states": names, "units": fields,
        "ions": {current: species} if species in CURRENT_OF else {}, "ion_fields": ion_fields,
        "gates": lambda self, v, celsius: {}, "advance": advance, "steady_state": steady_state,
        "currents": lambda self, v, s: {current: self.gbar * open_fraction(s) * (v - self.erev)},
        "conductances": lambda self, s: {"g": self.gbar * open_fraction(s)},
        "neuroml_gates": None, "neuroml_species": species, "neuroml_law": "ohmic", "neuroml_kinetic": gates,
        "neuroml_calcium": "cai" if calcium else None,
        "__module__": "excitable_imported.neuroml",  # numbers from a file: not in the program store
    }
    if not name.isidentifier():
        raise ModelError(f"NeuroML ionChannelKS id {name!r} must be an identifier (letters, digits, _)")
    return channel(type(name, (AbstractChannel,), namespace))


def _ordered_gate_ks(N):
    """libNeuroML's ``GateKS``, written in the order NeuroML's schema wants. The schema's gateKS takes
    its transitions as a choice of (``forwardTransition`` then ``reverseTransition``) pairs and
    ``tauInfTransition``s; libNeuroML keeps the three kinds in three lists and writes every forward
    transition before the first reverse one, so a scheme of two or more pairs came out invalid. This
    subclass writes the states as libNeuroML does, then forward k, reverse k for each k, then the
    tauInfTransitions (the order does not change what the scheme means)."""

    class OrderedGateKS(N.GateKS):
        def _exportChildren(self, outfile, level, namespaceprefix_="", namespacedef_="", name_="GateKS",
                            fromsubclass_=False, pretty_print=True):
            kept = self.forward_transition, self.reverse_transition, self.tau_inf_transition
            self.forward_transition, self.reverse_transition, self.tau_inf_transition = [], [], []
            try:  # notes, q10Settings and the states, as libNeuroML writes them
                super()._exportChildren(outfile, level, namespaceprefix_, namespacedef_, name_, fromsubclass_,
                                        pretty_print=pretty_print)
            finally:
                self.forward_transition, self.reverse_transition, self.tau_inf_transition = kept
            for forward, reverse in zip(kept[0], kept[1]):
                forward.export(outfile, level, "", namespacedef_="", name_="forwardTransition",
                               pretty_print=pretty_print)
                reverse.export(outfile, level, "", namespacedef_="", name_="reverseTransition",
                               pretty_print=pretty_print)
            for t in kept[2]:
                t.export(outfile, level, "", namespacedef_="", name_="tauInfTransition", pretty_print=pretty_print)

    return OrderedGateKS


def ks_element(N, chan_id: str, species: str | None, gates: tuple[KSGate, ...], rate_text, variable, time):
    """The libNeuroML ``IonChannelKS`` of ``gates`` (export); ``rate_text(form)`` writes a ``<rate>``
    child (libNeuroML keeps it as XML text), ``variable``/``time`` a steady state / time course. The
    schema pairs each forwardTransition with a reverseTransition: a gate with unequal numbers of them
    has no valid NeuroML form and is refused in one line."""
    ch = N.IonChannelKS(id=chan_id, conductance="10pS", species=species)
    gate_ks = _ordered_gate_ks(N)
    for g in gates:
        forward = sum(t[2] is not None for t in g.transitions)
        reverse = sum(t[3] is not None for t in g.transitions)
        if forward != reverse:
            raise ModelError(f"NeuroML export: ionChannelKS {chan_id!r} gateKS {g.name!r} has {forward} forward and "
                             f"{reverse} reverse transitions; NeuroML's schema takes them in forward/reverse pairs")
        el = gate_ks(id=g.name, instances=g.instances,
                     closed_states=[N.ClosedState(id=s) for k, s in enumerate(g.states) if k not in g.open],
                     open_states=[N.OpenState(id=g.states[k]) for k in g.open])
        for n, (i, j, forward, reverse, inf, tau) in enumerate(g.transitions):
            ends = {"id": f"t{n}", "from_": g.states[i], "to": g.states[j]}
            if getattr(forward, "unwritable", None):
                raise ModelError(f"NeuroML export: ionChannelKS {chan_id!r} gateKS {g.name!r}: {forward.unwritable}")
            if inf is not None:
                el.tau_inf_transition.append(N.TauInfTransition(steady_state=variable(inf), time_course=time(tau),
                                                                **ends))
            elif forward is not None:
                el.forward_transition.append(N.ForwardTransition(anytypeobjs_=[rate_text(forward)], **ends))
            else:
                el.reverse_transition.append(N.ReverseTransition(anytypeobjs_=[rate_text(reverse)], **ends))
        ch.gate_kses.append(el)
    return ch


__all__ = ["Form", "KSGate", "ks_channel_class", "ks_element", "ks_gate"]
