"""The compiled form of a model: static structure (numpy) plus a parameter pytree (JAX arrays).

A ``Plan`` is what the model layer hands to the engine. Its structure (tree, where each mechanism
sits, where stimuli and recordings are) is fixed numpy data closed over by the jitted step; its
``params`` are a pytree, so ``jax.vmap`` over parameter sets and ``jax.grad`` of a loss come free.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jax
import numpy as np

from excitable.backends import host_array  # (importing backends: float64 + compilation cache)
from excitable.engine.ions import IonPool
from excitable.engine.synapses import Connections
from excitable.physics.channel import AbstractChannel


@dataclass(frozen=True, eq=False)
class Placement:
    """One mechanism (channel class) on a set of nodes ("sites").

    For point mechanisms (synapses) each entry of ``sites`` is one instance; a node may hold several.
    """

    name: str                 # "HH"
    sites: np.ndarray         # (n_sites,) node indices


@dataclass(frozen=True, eq=False)
class Probe:
    """One recorded signal: what and at which node.

    kind: "v", "v_all" (V at every node), "i_cap", "i_ion", "state", "current", "conductance",
    "iclamp", "vclamp", "transmitter" (cleft, mM), "ci"/"co" (an ion pool, ``field`` = ion).
    mechanism/field: for channel signals ("HH", "m"); index: the stimulus number for clamps, or the
    instance of a point mechanism (then ``node`` is not used to find it).
    """

    label: str
    kind: str
    node: int = 0
    mechanism: str = ""
    field: str = ""
    index: int = -1

    def width(self, n_nodes: int) -> int:
        """How many numbers the probe records per sample."""
        return n_nodes if self.kind == "v_all" else 1


@dataclass(frozen=True, eq=False)
class Plan:
    """Static structure of a compiled model.

    Attributes:
        parent: (N,) parent node, -1 at the root, parent[i] < i.
        placements: the mechanisms and their nodes.
        iclamp_nodes: (n_iclamp,) node of each current clamp.
        vclamp_nodes: (n_vclamp,) node of each voltage clamp.
        probes: what to record.
        pools: ions with concentration dynamics (``excitable.engine.ions``).
        connections: synaptic sources, delays and targets (``excitable.engine.synapses``).
        gap_pairs: (n_gap, 2) nodes coupled by gap junctions.
        pointers: (mechanism, POINTER field, (n_sites,) node whose V it reads) of imported
            mechanisms (``engine/pointers.py``).
        record_spikes: also return, per step, which synaptic sources spiked.
        diffusion: (mechanism, (n_sites,) site each site exchanges with toward the root, -1: none) of
            the imported mechanisms with LONGITUDINAL_DIFFUSION (``engine.diffusion``).
        rest_init: start from the resting potential (Newton on the steady-state current, starting
            at ``params["v_init"]``) instead of from ``v_init`` itself.
    """

    parent: np.ndarray
    placements: tuple[Placement, ...]
    iclamp_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    vclamp_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    probes: tuple[Probe, ...] = ()
    pools: tuple[IonPool, ...] = ()
    connections: Connections = field(default_factory=Connections)
    gap_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))
    pointers: tuple[tuple[str, str, np.ndarray], ...] = ()
    record_spikes: bool = False
    rest_init: bool = False
    diffusion: tuple[tuple[str, np.ndarray], ...] = ()

    @property
    def n(self) -> int:
        return len(self.parent)

    @property
    def roots(self) -> np.ndarray:
        """(N,) True at the root of each cell (parent -1)."""
        return self.parent < 0

    @cached_property
    def is_chain(self) -> bool:
        """True for unbranched cables numbered along their length (parent[i] is i - 1 or -1)."""
        from excitable.engine.hines import is_chain

        return is_chain(self.parent)

    def covers_all(self, placement: Placement) -> bool:
        """True when a mechanism sits on every node in order (no gather/scatter needed)."""
        return len(placement.sites) == self.n and bool(np.all(placement.sites == np.arange(self.n)))

    @cached_property
    def children(self) -> np.ndarray:
        """(N, max_children) child indices padded with N (an index that reads a zero)."""
        kids = [[] for _ in range(self.n)]
        for i in range(1, self.n):
            kids[self.parent[i]].append(i)
        width = max(1, max(len(k) for k in kids))
        out = np.full((self.n, width), self.n, dtype=int)
        for i, k in enumerate(kids):
            out[i, : len(k)] = k
        return out

    def placement(self, mechanism: str) -> Placement:
        return next(p for p in self.placements if p.name == mechanism)

    def site_index(self, mechanism: str, node: int) -> int:
        """Position of ``node`` in the site list of ``mechanism`` (for recording)."""
        pl = next(p for p in self.placements if p.name == mechanism)
        hits = np.nonzero(pl.sites == node)[0]
        if len(hits) == 0:
            raise ValueError(f"{mechanism} is not inserted at node {node}")
        return int(hits[0])

    def key(self) -> tuple:
        """A hashable fingerprint of the structure (for caching compiled functions)."""
        return (
            self.parent.tobytes(),
            tuple((p.name, p.sites.tobytes()) for p in self.placements),
            self.iclamp_nodes.tobytes(), self.vclamp_nodes.tobytes(),
            tuple(dataclasses.astuple(p) for p in self.probes),
            self.pools, self.connections.key(), self.gap_pairs.tobytes(), self.record_spikes,
            self.rest_init, tuple((m, f, nodes.tobytes()) for m, f, nodes in self.pointers),
            tuple((m, links.tobytes()) for m, links in self.diffusion),
        )


def make_params(*, area_um2, cm, g_axial, channels: dict[str, AbstractChannel], celsius: float, v_init: float,
                iclamp_amp=(), vclamp_rs=(), ions=None, syn=None, cleft=None, syn_threshold=(),
                gap_g=(), seed: int = 0) -> dict[str, Any]:
    """The parameter pytree of a plan.

    Args:
        area_um2: (N,) membrane area of each node, um2 (0 at junction nodes). Geometry is a
            parameter too, so cells of other sizes reuse the compiled program (and vmap over it).
        cm: (N,) membrane capacitance, uF/cm2.
        g_axial: (N,) axial conductance to the parent node, nS (entry 0 unused).
        channels: mechanism name -> channel instance whose fields are (n_sites,) arrays.
        celsius: temperature, degC.
        v_init: initial voltage, mV (every gate starts at its steady state there).
        iclamp_amp: amplitude multiplier of each current clamp's waveform (nA per unit waveform).
        vclamp_rs: series resistance of each voltage clamp, MOhm.
        ions: ion name -> ``ions.pool_params(...)`` for each dynamic pool.
        syn, cleft: receptor mechanism -> ``synapses.group_params`` / ``synapses.cleft_params``.
        syn_threshold: (n_source_nodes,) spike threshold of each presynaptic source, mV.
        gap_g: (n_gap,) gap-junction conductances, nS.
        seed: random seed for stochastic release.
    """
    f = host_array
    return {
        "area": f(area_um2),
        "cm": f(cm),
        "g_axial": f(g_axial),
        "channels": {k: jax.tree.map(f, ch) for k, ch in channels.items()},
        "celsius": f(celsius),
        "v_init": f(v_init),
        "iclamp_amp": f(iclamp_amp),
        "vclamp_rs": f(vclamp_rs),
        "ions": ions or {},
        "syn": syn or {},
        "cleft": cleft or {},
        "syn_threshold": f(syn_threshold),
        "gap_g": f(gap_g),
        "seed": host_array(seed, dtype=np.uint32),
    }
