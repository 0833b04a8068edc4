"""Spike sources of a Network's connections that are not a compartment's threshold crossing:
an artificial cell (``Network.artificial``) and a point process whose NET_RECEIVE calls
``net_event`` (``Network.connect(pp, post, ...)``, NEURON's ``h.NetCon(pp, target)``). Both are
(mechanism, instance) for the engine (``engine.synapses.Connections.artificial``: the instance's
state "spikes" counts its net_events in the step, "spike_offset" holds their times within it, each
a spike of its own, up to 4 a step: ``engine/spike_slots.py``), delivered by NEURON's rule
(``engine/arrival_times.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from excitable.errors import ModelError
from excitable.physics.channel import AbstractChannel


@dataclass(frozen=True)
class ArtificialCell:
    """An artificial cell in a Network (``Network.artificial``): an imported ARTIFICIAL_CELL instance,
    a spike source and target without a compartment (io/nmodl/artificial.py)."""

    name: str
    instance: int


class PointSource(ArtificialCell):
    """A point process placed in a Network as a spike source: its net_event(t) is the spike,
    delivered as an artificial cell's. Its instance is looked up when asked
    (``Network.point_instance``), so places made later (a receptor of its name, which comes first
    in ``Network.point_mechanisms``) do not make it point at another instance."""

    def __init__(self, net, point: AbstractChannel):
        object.__setattr__(self, "network", net)
        object.__setattr__(self, "point", point)

    name = property(lambda self: self.point.name)
    instance = property(lambda self: self.network.point_instance(self.point)[1])

    def __eq__(self, other):  # one source per instance, whatever handle found it
        return isinstance(other, PointSource) and other.point is self.point

    def __hash__(self):
        return id(self.point)

    def __repr__(self):
        return f"PointSource({self.name}[{self.instance}])"


def point_source(net, point: AbstractChannel) -> PointSource:
    """``point`` (placed once in ``net``) as a connection's source; refused in one line where its
    NET_RECEIVE never calls net_event (io/nmodl/artificial.py's ``sends_spikes``): it sends nothing."""
    if type(point).kind != "point" or not getattr(type(point), "sends_spikes", False):
        raise ModelError(f"connect: {point.name} sends no spikes (its NET_RECEIVE never calls net_event); "
                         "connect from a cell, an artificial cell or a point process that calls net_event")
    net.point_instance(point)  # placed once: refused now, not when the run is planned
    return PointSource(net, point)
