"""Network: many cells simulated as one system, connected by synapses and gap junctions.

Each ``connect`` places one receptor instance (a point mechanism such as AMPA) on the postsynaptic
cell and links it to a presynaptic source: the V of a node of the presynaptic cell (its soma, or an
axon terminal) crossing ``threshold`` triggers release after ``delay`` ms. External spike trains
(``spike_train``) drive receptors with given times. A single Cell is a network of one.

Example:
    >>> net = Network([pre, post])
    >>> net.connect(pre, post, AMPA(gmax=0.005), delay=1.0)
    >>> net.connect_rule(excit, inhib, GABAa(), rule="random", p=0.1, seed=1)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from excitable.engine.drive import arrival_steps
from excitable.errors import ModelError, check_number
from excitable.model.cell import Cell, at_section_ends, with_geometry
from excitable.model.mechanism_checks import check_mechanism
from excitable.model.spike_sources import ArtificialCell, point_source
from excitable.model.stimuli import Location, Site
from excitable.physics.channel import AbstractChannel


@dataclass
class Connection:
    """One synapse: source (a node of a cell, or external train k), receptor instance, release."""

    receptor: str
    instance: int
    source: Site | int | ArtificialCell  # Site, the index of an external spike train, an artificial cell or point process
    delay: float = 1.0
    weight: float = 1.0
    p: float = 1.0
    U: float = 1.0
    tau_rec: float = 0.0
    tau_facil: float = 0.0
    threshold: float = 0.0


class Network:
    """Cells, receptor instances, connections, external spike trains and gap junctions."""

    def __init__(self, cells: Sequence[Cell] = ()):
        self.cells: list[Cell] = []
        self.receptors: dict[str, list[tuple[AbstractChannel, Site, dict]]] = {}
        self.connections: list[Connection] = []
        self.trains: list[np.ndarray] = []
        self.gaps: list[tuple[Site, Site, float]] = []
        self.pointers: list = []  # model/pointers.Pointer: imported mechanisms' POINTERs, set
        for c in cells:
            self.add(c)

    # --- building -------------------------------------------------------------------------------
    def add(self, cell: Cell) -> int:
        if not isinstance(cell, Cell):
            raise ModelError(f"Network.add: expected a Cell, got {type(cell).__name__}")
        self.cells.append(cell)
        self.__dict__.pop("_layout", None)
        return len(self.cells) - 1

    def index(self, cell: Cell | int) -> int:
        if isinstance(cell, (int, np.integer)):
            if not 0 <= cell < len(self.cells):
                raise ModelError(f"no cell {cell} in this network of {len(self.cells)}")
            return int(cell)
        if not isinstance(cell, Cell):
            raise ModelError(f"expected a cell (a Cell of this network, or its index), got {cell!r}")
        for i, c in enumerate(self.cells):
            if c is cell:
                return i
        raise ModelError("that cell is not in this network (add it first)")

    def site(self, cell: Cell | int, at: Location | None = None) -> Site:
        i = self.index(cell)
        at = at or self.cells[i].soma
        self.cells[i].node(at)  # validates
        return Site(i, at)

    def synapse(self, receptor: AbstractChannel, post: Cell | int, at: Location | None = None, *,
                t_max: float = 1.0, pulse: float = 1.0, tau_clear: float = 0.0) -> tuple[str, int]:
        """Place a receptor instance; returns its handle (name, instance) for ``connect(..., synapse=)``.

        Args:
            t_max: transmitter concentration in the cleft after one full release, mM.
            pulse: how long it stays there, ms; then it decays with ``tau_clear`` ms (0: at once).
        """
        if not isinstance(receptor, AbstractChannel) or type(receptor).kind != "point":
            raise ModelError(f"synapse: expected a receptor (point mechanism), got {receptor!r}")
        check_mechanism(receptor)
        cleft = {"t_max": check_number("t_max", t_max, nonnegative=True),
                 "pulse": check_number("pulse", pulse, nonnegative=True),
                 "tau_clear": check_number("tau_clear", tau_clear, nonnegative=True)}
        lst = self.receptors.setdefault(receptor.name, [])
        if lst and type(lst[0][0]) is not type(receptor):
            raise ModelError(f"two different mechanisms are both called {receptor.name!r}")
        lst.append((receptor, self.site(post, at), cleft))
        return receptor.name, len(lst) - 1

    def connect(self, pre: Cell | int, post: Cell | int, receptor: AbstractChannel | None = None, *,
                at: Location | None = None, pre_at: Location | None = None, synapse=None,
                delay: float = 1.0, weight: float = 1.0, p: float = 1.0, U: float = 1.0,
                tau_rec: float = 0.0, tau_facil: float = 0.0, threshold: float = 0.0,
                t_max: float = 1.0, pulse: float = 1.0, tau_clear: float = 0.0) -> Connection:
        """Connect ``pre`` to ``post``: a spike at ``pre_at`` (default the soma) releases transmitter
        onto ``receptor`` at ``at`` after ``delay`` ms.

        Release per spike = weight x p (mean mode; a Bernoulli draw in stochastic mode) x u x, with
        Tsodyks-Markram depression (U, tau_rec) and facilitation (tau_facil); U = 1, tau_rec = 0 is
        a fixed synapse. Pass ``synapse=`` (from ``synapse()``) to share one receptor instance.
        ``pre`` may also be an artificial cell (``artificial``) or a point process placed in this
        network whose NET_RECEIVE calls net_event (NEURON's ``NetCon(pp, target)``): its spikes.
        """
        if isinstance(pre, AbstractChannel):
            pre = point_source(self, pre)
        if isinstance(post, ArtificialCell):  # the artificial cell is the receptor
            synapse = (post.name, post.instance)
        name, inst = synapse if synapse is not None else self.synapse(
            receptor, post, at, t_max=t_max, pulse=pulse, tau_clear=tau_clear)
        src = pre if isinstance(pre, ArtificialCell) else self.site(pre, pre_at)
        return self._add_connection(name, inst, src, delay, weight, p, U, tau_rec, tau_facil, threshold)

    def spike_train(self, times_ms, post: Cell | int, receptor: AbstractChannel | None = None, *,
                    at: Location | None = None, synapse=None, delay: float = 0.0, weight: float = 1.0,
                    p: float = 1.0, U: float = 1.0, tau_rec: float = 0.0, tau_facil: float = 0.0,
                    t_max: float = 1.0, pulse: float = 1.0, tau_clear: float = 0.0) -> Connection:
        """Drive a receptor with presynaptic spikes at ``times_ms`` (an external source). Each arrives
        at T = time + ``delay`` as NEURON's NetCon delivers it: before the first step from t_n with
        T <= t_n + dt/2 (NEURON's clock), T = 0 in finitialize (the first sample shows it), and a
        NET_RECEIVE reads T itself as ``t`` (``engine.drive.arrival_steps``); spikes sharing a step
        reach a mechanism with events one by one in time order, as NEURON's (up to 16 a step;
        model/train_split.py), and a built-in receptor summed."""
        times = np.sort(np.asarray(times_ms, dtype=float).ravel())
        if times.size and (not np.all(np.isfinite(times)) or times[0] < 0):
            raise ModelError("spike_train: times must be finite and >= 0 ms")
        if isinstance(post, ArtificialCell):  # the artificial cell is the receptor
            synapse = (post.name, post.instance)
        name, inst = synapse if synapse is not None else self.synapse(
            receptor, post, at, t_max=t_max, pulse=pulse, tau_clear=tau_clear)
        self.trains.append(times)
        return self._add_connection(name, inst, len(self.trains) - 1, delay, weight, p, U, tau_rec,
                                    tau_facil, 0.0)

    def artificial(self, cell: AbstractChannel) -> ArtificialCell:
        """Add an artificial cell (an imported ARTIFICIAL_CELL, e.g. the neuron wheel's invlfire.mod):
        ``connect(it, post, receptor, ...)`` sends its spikes (net_event) with the connection's delay
        (at least dt) and weight, each net_event a spike at its own time, up to 4 in one step
        (engine/spike_slots.py; more refuse the run in one line); ``connect(pre, it, ...)`` drives it.
        It has no compartment: it is kept beside cell 0's first node, whose V it never reads or changes."""
        if not isinstance(cell, AbstractChannel) or not getattr(type(cell), "artificial", False):
            raise ModelError(f"artificial: expected an imported ARTIFICIAL_CELL mechanism, got {cell!r}")
        if not self.cells:
            raise ModelError("artificial: add a cell to the network first (the engine steps at least one compartment)")
        return ArtificialCell(*self.synapse(cell, 0, t_max=0.0, pulse=0.0))

    def point_instance(self, point: AbstractChannel) -> tuple[str, int]:
        """(name, instance) of a point process placed in this network, in ``point_mechanisms``' order."""
        items = [m for m, _, _ in self.receptors.get(point.name, [])]
        items += [m for c in self.cells for m, _ in c.point_mechanisms if m.name == point.name]
        found = [k for k, m in enumerate(items) if m is point]
        if len(found) != 1:
            raise ModelError(f"connect: this {point.name} is {'placed twice' if found else 'not placed'} in the "
                             "network; a spike source is one instance placed once (Cell.place or Network.synapse)")
        return point.name, found[0]

    def _add_connection(self, name, inst, src, delay, weight, p, U, tau_rec, tau_facil, threshold):
        # A mechanism with NEURON's events (io/nmodl/events.py) takes a NetCon's weight as is: any
        # sign (an inhibitory input to an artificial cell), 0 included: NEURON delivers a weight-0
        # NetCon's event (NET_RECEIVE runs; STDP files signal postsynaptic spikes so).
        events = hasattr(type(self.receptors[name][inst][0]), "on_step")
        c = Connection(name, inst, src, check_number("delay", delay, nonnegative=True),
                       check_number("weight", weight, nonnegative=not events), check_number("p", p),
                       check_number("U", U), check_number("tau_rec", tau_rec, nonnegative=True),
                       check_number("tau_facil", tau_facil, nonnegative=True), check_number("threshold", threshold))
        if not 0 <= c.p <= 1 or not 0 < c.U <= 1:
            raise ModelError(f"p must be in [0, 1] and U in (0, 1], got p={p!r}, U={U!r}")
        if events and (c.p, c.U, c.tau_rec, c.tau_facil) != (1.0, 1.0, 0.0, 0.0):
            raise ModelError(f"connect: {name}[{inst}] takes NEURON's events: its weight delivered as is "
                             f"(p=1, U=1, tau_rec=tau_facil=0), got p={p!r}, U={U!r}, tau_rec={tau_rec!r}, "
                             f"tau_facil={tau_facil!r}")
        # an artificial source's spikes run through SPIKE_SLOTS engine connections in turn (several may
        # share a step: engine/spike_slots.py), each with its own release state: none to keep
        if isinstance(src, ArtificialCell) and (c.U, c.tau_rec, c.tau_facil) != (1.0, 0.0, 0.0):
            raise ModelError(f"connect: from {src.name}[{src.instance}] to {name}[{inst}]: Tsodyks-Markram release "
                             f"(U={U!r}, tau_rec={tau_rec!r}, tau_facil={tau_facil!r}) is not kept across an "
                             "artificial cell's spikes; use U=1, tau_rec=tau_facil=0 (NEURON's NetCon has none)")
        self.connections.append(c)
        return c

    def connect_rule(self, pre: Sequence[Cell | int], post: Sequence[Cell | int], receptor: AbstractChannel,
                     *, rule: str = "all", p_connect: float = 1.0, pairs=None, seed: int = 0,
                     autapses: bool = False, **kw) -> int:
        """Connect populations: rule "all" (all to all), "random" (each pair with probability
        ``p_connect``, seeded) or "list" (``pairs`` of (pre, post) positions). Returns the count."""
        pre_i = [self.index(c) for c in pre]
        post_i = [self.index(c) for c in post]
        if rule == "all":
            chosen = [(a, b) for a in pre_i for b in post_i]
        elif rule == "random":
            pc = check_number("p_connect", p_connect)
            mask = np.random.default_rng(seed).random((len(pre_i), len(post_i))) < pc
            chosen = [(pre_i[i], post_i[j]) for i, j in zip(*np.nonzero(mask))]
        elif rule == "list":
            chosen = [(pre_i[a], post_i[b]) for a, b in (pairs or [])]
        else:
            raise ModelError(f"rule must be all, random or list, got {rule!r}")
        n = 0
        for a, b in chosen:
            if a == b and not autapses:
                continue
            self.connect(a, b, receptor, **kw)
            n += 1
        return n

    def gap_junction(self, a: Cell | int, b: Cell | int, g_nS: float, *, at_a: Location | None = None,
                     at_b: Location | None = None) -> None:
        """An electrical synapse of conductance ``g_nS`` (nS) between two locations."""
        self.gaps.append((self.site(a, at_a), self.site(b, at_b), check_number("g_nS", g_nS, nonnegative=True)))

    def pointer(self, target, name: str, to: Site | Location) -> None:
        """Point POINTER ``name`` of an imported mechanism at the V (mV) of ``to`` (a Site, or a
        Location of cell 0), as NEURON's ``h.setpointer(sec(x)._ref_v, name, target)``:
        ``target`` is a point process placed in this network (the instance given to
        ``Cell.place``, ``synapse`` or ``connect``), e.g. one half of ModelDB's gap.mod pair; or the
        Site of a compartment where a density mechanism with the POINTER is inserted, ``name`` then
        "SUFFIX.name". Each block reads the V it runs at (io/nmodl/pointers.py); a POINTER left
        unset refuses the run in one line."""
        from excitable.model.pointers import entry

        self.pointers.append(entry(self, target, name, to))

    def pointer_targets(self) -> tuple:
        """(mechanism, POINTER, node of each site's target) for the plan (model/pointers.targets)."""
        from excitable.model.pointers import targets

        return targets(self)

    def diffusion_trees(self) -> tuple:
        """(mechanism, link of each site) of the imported mechanisms with LONGITUDINAL_DIFFUSION
        (model/diffusion_tree.py)."""
        from excitable.model.diffusion_tree import diffusion_trees

        return diffusion_trees(self)

    def delay_steps(self, c: Connection, dt: float) -> int:
        """A connection's delay in steps, counted from the step after its source's spike is known: a
        node's crossing at the end of a step, an artificial cell's net_event within its step (NEURON
        delivers an event at the first step from t_n where spike time + delay <= t_n + dt/2; the rest
        of the delay: ``delay_offset``, engine/arrival_times.py). A train's delay is in its arrival
        times (``train_arrivals``): 0 here (its spikes in one step into a mechanism with events
        take a lane each: model/train_split.py)."""
        n, off = arrival_steps([c.delay], dt)
        steps, rest = int(n[0]), float(off[0])
        if isinstance(c.source, ArtificialCell):
            # one step early where the spike's time past its step and the rest sum to -dt/2 or less:
            # a delay under dt could arrive in the spike's own step, which the engine cannot deliver
            if steps < 1 or (steps == 1 and rest < 0):
                raise ModelError(f"connect: the delay from {c.source.name}[{c.source.instance}] must be at least dt "
                                 f"({dt:g} ms), got {c.delay:g} ms")
            return steps - 1
        if isinstance(c.source, int):
            return 0
        return steps

    def delay_offset(self, c: Connection, dt: float) -> float:
        """The rest of a connection's delay past ``delay_steps`` (ms, in (-dt/2, dt/2]: d - t_n, t_n
        NEURON's clock at the step it gives d), which the engine adds to the event's time; 0 for a
        train, whose arrival times carry their delay."""
        if isinstance(c.source, int):
            return 0.0
        return float(arrival_steps([c.delay], dt)[1][0])

    def delay_offsets(self, conns: Sequence[Connection], dt: float) -> np.ndarray:
        """``delay_offset`` of each of ``conns``, ms."""
        return np.array([self.delay_offset(c, dt) for c in conns], float)

    def train_arrivals(self) -> list[np.ndarray]:
        """Each external train's arrival times at its receptor, ms: spike time + its connection's
        delay, added in float64 as NEURON's NetCon adds them (the engine delivers each at NEURON's
        step for it: ``engine.drive.arrival_steps``)."""
        delay = {c.source: c.delay for c in self.connections if isinstance(c.source, int)}
        return [np.asarray(t, dtype=float) + delay.get(k, 0.0) for k, t in enumerate(self.trains)]

    def source_key(self, c: Connection):
        """A connection's spike source: its node (a V threshold) or its artificial cell."""
        return self.node(c.source) if isinstance(c.source, Site) else c.source

    # --- the merged system -----------------------------------------------------------------------
    @property
    def offsets(self) -> np.ndarray:
        """First global node of each cell. Cached (``add`` resets it): ``node`` is called once per
        synapse, and recomputing this O(cells) sum each time made large networks O(cells x synapses)."""
        sizes = tuple(c.n for c in self.cells) if "_layout" not in self.__dict__ else None
        if sizes is not None:
            self.__dict__["_layout"] = (np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
                                        if sizes else np.zeros(0, int))
        return self.__dict__["_layout"]

    @property
    def n(self) -> int:
        return int(sum(c.n for c in self.cells))

    def node(self, site: Site | Location) -> int:
        """Global node index of a site (a bare Location means cell 0)."""
        if isinstance(site, Location):
            site = Site(0, site)
        elif not isinstance(site, Site):
            raise ModelError(f"expected a Location or a Site(cell, Location), got {site!r}")
        i = self.index(site.cell)
        return int(self.offsets[i] + self.cells[i].node(site.at))

    def concat(self, attr: str) -> np.ndarray:
        """A per-node compartment array of every cell, concatenated (parents shifted)."""
        parts = []
        for off, c in zip(self.offsets, self.cells):
            a = getattr(c.compartments, attr)
            parts.append(np.where(a >= 0, a + off, -1) if attr == "parent" else a)
        return np.concatenate(parts) if parts else np.zeros(0)

    @property
    def cm(self) -> np.ndarray:
        return np.concatenate([c.cm for c in self.cells])

    def density_mechanisms(self) -> dict[str, tuple[np.ndarray, AbstractChannel]]:
        """name -> (global sites, mechanism with per-site parameter arrays), across all cells."""
        out: dict[str, list] = {}
        for off, c in zip(self.offsets, self.cells):
            for name, mech in c.mechanisms.items():
                sites = c.mechanism_sites(name)
                if not len(sites):
                    continue
                at_sites = c.mechanism_at_sites(name)
                if name in out and type(out[name][1][0]) is not type(mech):
                    raise ModelError(f"two different mechanisms are both called {name!r}")
                out.setdefault(name, [[], []])
                out[name][0].append(sites + off)
                out[name][1].append(at_sites)
        return {k: (np.concatenate(s), _stack(m)) for k, (s, m) in out.items()}

    def point_mechanisms(self) -> dict[str, tuple[np.ndarray, AbstractChannel, dict]]:
        """name -> (node of each instance, mechanism with per-instance arrays, cleft parameters)."""
        lists = {k: list(v) for k, v in self.receptors.items()}
        for ci, c in enumerate(self.cells):  # points placed directly on cells (no cleft drive)
            for mech, at in c.point_mechanisms:
                lists.setdefault(mech.name, []).append((mech, Site(ci, at), {"t_max": 0.0, "pulse": 0.0,
                                                                             "tau_clear": 0.0}))
        out = {}
        for name, items in lists.items():
            nodes = np.array([self.node(s) for _, s, _ in items], dtype=int)
            # an imported point process reading diam/area gets its segment's, as density mechanisms do
            mech = at_section_ends(with_geometry(_stack([m for m, _, _ in items]), nodes, self.concat),
                                   [s.at for _, s, _ in items])
            cleft = {k: np.array([cl[k] for _, _, cl in items], dtype=float) for k in ("t_max", "pulse", "tau_clear")}
            out[name] = (nodes, mech, cleft)
        return out

    def __repr__(self) -> str:
        n_syn = sum(len(v) for v in self.receptors.values())
        return (f"Network({len(self.cells)} cells, {self.n} nodes, {n_syn} synapses, "
                f"{len(self.connections)} connections, {len(self.gaps)} gap junctions)")


def _stack(mechs: list[AbstractChannel]) -> AbstractChannel:
    """One mechanism whose fields concatenate the fields of ``mechs`` (scalars become arrays)."""
    first = mechs[0]
    fields = {f.name: np.concatenate([np.atleast_1d(np.asarray(getattr(m, f.name), dtype=float)) for m in mechs])
              for f in dataclasses.fields(first)}
    return dataclasses.replace(first, **fields)
