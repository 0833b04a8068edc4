"""Simulation: the description of a run: a cell (or a network), dt, temperature, method, stimuli, recordings.

It validates what it is given, compiles the model to the engine's ``Plan`` (``plan``, ``parameters``,
``drive``) and hands every run to the engine's front door, ``engine.run`` (kernel choice, chunks,
health check, Result), through ``run_spec``.

Example:
    >>> cell = Cell.cylinder().insert(HH())
    >>> sim = Simulation(cell, dt=0.025, temperature=6.3)
    >>> sim.stimulate(IClamp(cell.soma, amplitude=0.1, delay=5, duration=1))
    >>> sim.record("v"); sim.record("HH.m")
    >>> result = sim.run(tstop=30)
    >>> params = sim.parameters()          # a pytree: jax.vmap / jax.grad over it
    >>> f = sim.function(tstop=30)         # pure: params -> (n_samples, n_probes) recordings

Locations are ``Location(section, x)`` on the first (or only) cell, or ``Site(cell, Location)`` in a
network.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from excitable.engine import run as engine
from excitable.engine.drive import sample_drive
from excitable.engine.noise import draws
from excitable.engine.run import METHODS
from excitable.errors import ModelError, check_number
from excitable.io.nmodl.queue_growth import grown_function, run as deepening
from excitable.model.cell import Cell, with_run_dt
from excitable.model.network import Network, Site
from excitable.model.stimuli import CurrentStimulus, IClamp, Location, PulseTrain, Ramp, VClamp, check_resolved
from excitable.model.structure import StructureKey, ion_pools
from excitable.model.train_split import engine_connections, split_trains, train_lanes
from excitable.results import Result

_SPECIAL = {"v": "mV", "i_cap": "uA/cm2", "i_ion": "uA/cm2"}


class Simulation:
    """Set-up of one run: time step, temperature, initial voltage, stimuli and recordings.

    Args:
        model: a Cell, or a Network of cells.
        dt: time step, ms (> 0). temperature: degC.
        v_init: initial V, mV (states at steady state there, like NEURON's finitialize), or "rest":
            start at the resting potential (zero steady-state membrane current), so the cell does not
            drift in the first milliseconds.
        method: "euler" (backward Euler, NEURON's default) or "cn" (Crank-Nicolson, second order).
        stochastic: draw synaptic release (probability p) at random, from ``seed`` (imported
            mechanisms' ``normrand`` ... draw from it always: ``engine.noise``); else its mean.
    """

    def __init__(self, model: Cell | Network, *, dt: float = 0.025, temperature: float = 6.3,
                 v_init: float | str = -65.0, method: str = "euler", stochastic: bool = False, seed: int = 0):
        if isinstance(model, Cell):
            self.network = Network([model])
        elif isinstance(model, Network):
            if not model.cells:
                raise ModelError("Simulation: the network has no cells")
            self.network = model
        else:
            raise ModelError(f"Simulation needs a Cell or a Network, got {type(model).__name__}")
        self.cell = self.network.cells[0]
        self.dt = check_number("dt", dt, positive=True)
        self.temperature = check_number("temperature", temperature)
        if not -10.0 <= self.temperature <= 60.0:
            raise ModelError(f"temperature must be between -10 and 60 degC, got {temperature!r}")
        self.v_init = v_init if v_init == "rest" else check_number("v_init", v_init)
        if method not in METHODS:
            raise ModelError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        self.method = method
        self.stochastic = bool(stochastic)
        try:
            ok = not isinstance(seed, bool) and int(seed) == seed and 0 <= seed < 2**32
        except (TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            raise ModelError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        self.seed = int(seed)
        self.iclamps: list[tuple[CurrentStimulus, Site]] = []
        self.vclamps: list[tuple[VClamp, Site]] = []
        self._records: list[tuple[str, str, Site | str]] = []
        self._spike_cells: list[int] = []

    def _site(self, at) -> Site:
        if isinstance(at, Site):
            self.network.node(at)
            return at
        if at is None:
            return Site(0, self.cell.soma)
        if isinstance(at, Location):
            self.cell.node(at)
            return Site(0, at)
        raise ModelError(f"expected a Location or Site, got {at!r}")

    def _changed(self):
        self.__dict__.pop("_built", None)
        self.__dict__.pop("_reference", None)

    # --- set-up ---------------------------------------------------------------------------------
    def stimulate(self, stimulus, cell: int = 0) -> Simulation:
        """Add a stimulus (IClamp, PulseTrain, Ramp or VClamp) on ``cell`` (default the first).

        Refused when ``dt`` is longer than one of its pulses, gaps or levels (``check_resolved``)."""
        if not isinstance(stimulus, (IClamp, PulseTrain, Ramp, VClamp)):
            raise ModelError(f"stimulate: expected an IClamp, PulseTrain, Ramp or VClamp, got {stimulus!r}")
        if cell:
            cell = self.network.index(cell)
        site = self._site(Site(cell, stimulus.at) if cell else stimulus.at)
        check_resolved(stimulus, self.dt)
        (self.vclamps if isinstance(stimulus, VClamp) else self.iclamps).append((stimulus, site))
        self._changed()
        return self

    def record(self, signal: str, at: Location | Site | str | None = None, label: str | None = None) -> Simulation:
        """Record ``signal`` at ``at`` (default: the soma of the first cell).

        Signals: "v" (mV; ``at="all"``: every node, a trace of shape (n_samples, N)), "i_cap" and
        "i_ion" (uA/cm2), "Channel.state", "Channel.current" (uA/cm2, e.g. "HH.ina"),
        "Channel.conductance" (mS/cm2, "HH.gna"; an imported file's RANGE values, its units: "hh.gna"
        S/cm2), "iclamp[k]"/"vclamp[k]" (nA), "ci:na"/"co:k" (mM, dynamic ions). Synapses: "AMPA[k].r",
        "AMPA[k].i" (nA), "AMPA[k].g" (uS), "AMPA[k].T" (transmitter in the cleft, mM) of instance k.
        """
        if not isinstance(signal, str):
            raise ModelError(f"record: the signal must be a name such as 'v' or 'HH.m', got {signal!r}")
        if label is not None and not isinstance(label, str):
            raise ModelError(f"record: label must be a string, got {label!r}")
        if isinstance(at, str) and at != "all":
            raise ModelError(f"record: at must be a Location, a Site or 'all', got {at!r}")
        if at == "all":
            if signal != "v":
                raise ModelError(f"record: only 'v' can be recorded at='all', got {signal!r}")
            site: Site | str = "all"
            label = label or "v_all"
            self._probe(label, "v_all", None)
        else:
            site = self._site(at)
            self._probe(signal, signal, site)  # validates now
            if label is None:
                label = signal if site == Site(0, self.cell.soma) or "[" in signal.split(".")[0] \
                    else f"{signal}@{site.at}" if site.cell == 0 else f"{signal}@{site.cell}:{site.at}"
        if any(lbl == label for lbl, _, _ in self._records):
            raise ModelError(f"record: label {label!r} is already used")
        self._records.append((label, "v_all" if at == "all" else signal, site))
        self._changed()
        return self

    def record_spikes(self, cells=None) -> Simulation:
        """Record the spike times (0 mV upward crossings at the soma) of ``cells`` (default all)."""
        idx = range(len(self.network.cells)) if cells is None else [self.network.index(c) for c in cells]
        self._spike_cells = sorted(set(self._spike_cells) | set(idx))
        self._changed()
        return self

    def _probe(self, label: str, signal: str, site: Site | None):
        from excitable.engine.plan import Probe

        if signal == "v_all":
            return Probe(label, "v_all", 0)
        node = self.network.node(site)
        if signal in _SPECIAL:
            return Probe(label, signal, node)
        if signal[:3] in ("ci:", "co:"):
            ion = signal[3:]
            if not any(ion in c.ion_pools for c in self.network.cells):
                raise ModelError(f"record: ion {ion!r} has no dynamic concentrations (use add_ions)")
            return Probe(label, signal[:2], node, field=ion)
        for kind, clamps in (("iclamp", self.iclamps), ("vclamp", self.vclamps)):
            if signal.startswith(kind + "["):
                k = _index(signal, kind)
                if not 0 <= k < len(clamps):
                    raise ModelError(f"record: there is no {signal}")
                return Probe(label, kind, node, index=k)
        mech, _, field = signal.partition(".")
        if "[" in mech:  # a receptor instance: AMPA[3].r
            name, k = mech.split("[")[0], _index(mech, mech.split("[")[0])
            points = self.network.point_mechanisms()
            if name not in points or not 0 <= k < len(points[name][0]):
                raise ModelError(f"record: there is no synapse {mech}")
            kinds = _fields(points[name][1], self.temperature)
            if field == "T" and field not in kinds:  # the cleft's; an imported file's own T is its state
                return Probe(label, "transmitter", 0, mechanism=name, index=k)
            if field not in kinds:
                raise ModelError(f"record: {name} has no state, current or conductance {field!r}; it has "
                                 f"{', '.join([*kinds, 'T'])}")
            return Probe(label, kinds[field], int(points[name][0][k]), mechanism=name, field=field, index=k)
        dens = self.network.density_mechanisms()
        if mech not in dens:
            raise ModelError(f"record: unknown signal {signal!r}; valid: {', '.join(self.signals())}")
        if node not in set(dens[mech][0]):
            raise ModelError(f"record: {mech} is not inserted at that location")
        kinds = _fields(dens[mech][1], self.temperature)
        if field not in kinds:
            raise ModelError(f"record: {mech} has no state, current or conductance {field!r}; it has "
                             f"{', '.join(kinds)}")
        return Probe(label, kinds[field], node, mechanism=mech, field=field)

    def signals(self) -> list[str]:
        """The names ``record`` takes (synapse instances as ``AMPA[0..k].r``)."""
        out = list(_SPECIAL)
        for name, (_, mech) in self.network.density_mechanisms().items():
            out += [f"{name}.{f}" for f in _fields(mech, self.temperature)]
        out += [f"iclamp[{k}]" for k in range(len(self.iclamps))]
        out += [f"vclamp[{k}]" for k in range(len(self.vclamps))]
        out += [f"{side}:{ion}" for ion in sorted({i for c in self.network.cells for i in c.ion_pools})
                for side in ("ci", "co")]
        for name, (nodes, mech, _) in self.network.point_mechanisms().items():
            k = f"{name}[0]" if len(nodes) == 1 else f"{name}[0..{len(nodes) - 1}]"
            out += [f"{k}.{f}" for f in [*_fields(mech, self.temperature), "T"]]
        return out

    # --- compile --------------------------------------------------------------------------------
    @property
    def plan(self):
        """The compiled model (``engine.plan.Plan``), rebuilt where the network changed (model.structure)
        or a spike train needs other lanes (model/train_split.py: spikes in one step into events)."""
        key, built = (StructureKey(self.network), train_lanes(self.network, self.dt)), self.__dict__.get("_built")
        if built is None or built[0] != key:
            self._changed()
            self.__dict__["_built"] = built = (key, self._build_plan(key[1]))
        return built[1]

    def _build_plan(self, lanes):
        from excitable.engine.plan import Placement, Plan

        net = self.network
        placements = [Placement(name, sites) for name, (sites, _) in net.density_mechanisms().items()]
        placements += [Placement(name, nodes) for name, (nodes, _, _) in net.point_mechanisms().items()]
        probes = tuple(self._probe(lbl, sig, None if site == "all" else site) for lbl, sig, site in self._records)
        connections, _ = self._connections(lanes)
        gaps = np.array([[net.node(a), net.node(b)] for a, b, _ in net.gaps], dtype=int).reshape(-1, 2)
        return Plan(parent=np.asarray(net.concat("parent"), dtype=int), placements=tuple(placements),
                    iclamp_nodes=np.array([net.node(s) for _, s in self.iclamps], dtype=int),
                    vclamp_nodes=np.array([net.node(s) for _, s in self.vclamps], dtype=int),
                    probes=probes, pools=ion_pools(net), connections=connections, gap_pairs=gaps, diffusion=net.diffusion_trees(),
                    record_spikes=bool(self._spike_cells), rest_init=self.v_init == "rest", pointers=net.pointer_targets())

    def _connections(self, lanes=None):
        """Engine connections (``lanes``: each train's, ``train_lanes``) and their per-connection parameters."""
        return engine_connections(self.network, self.dt, self._spike_cells, self.stochastic, lanes)

    def parameters(self) -> dict:
        """The parameter pytree: area, cm, g_axial, channels (per-site arrays), celsius, v_init
        (with ``v_init="rest"``: the starting guess of the resting-potential solve done at the start
        of every run), clamp gains, ion pools, synapses (release, plasticity, cleft), gap junctions."""
        from excitable.engine.ions import checked_ion_style, pool_params
        from excitable.engine.plan import make_params
        from excitable.engine.synapses import cleft_params, group_params

        net = self.network
        channels = {name: with_run_dt(mech, self.dt) for name, (_, mech) in net.density_mechanisms().items()}
        points = net.point_mechanisms()
        channels.update({name: with_run_dt(mech, self.dt) for name, (_, mech, _) in points.items()})
        _, (syn_values, thresholds) = self._connections()
        syn = {name: group_params(len(v["weight"]), **v) for name, v in syn_values.items()}
        cleft = {name: cleft_params(len(nodes), **cl) for name, (nodes, _, cl) in points.items()}
        return checked_ion_style(self.plan, make_params(  # refusals: io/nmodl/concentrations.check
            area_um2=net.concat("area_um2"), cm=net.cm, g_axial=net.concat("g_axial_nS"),
            channels=channels, celsius=self.temperature, v_init=self.v_init if self.v_init != "rest" else -65.0,
            iclamp_amp=np.ones(len(self.iclamps)), vclamp_rs=[c.rs for c, _ in self.vclamps],
            ions={p.name: pool_params(**self._pool_arrays(p.name)) for p in self.plan.pools},
            syn=syn, cleft=cleft, syn_threshold=thresholds, gap_g=[g for _, _, g in net.gaps], seed=self.seed))

    def resting_potential(self) -> np.ndarray:
        """V (mV) at every node where the steady-state membrane current is zero."""
        from excitable.engine.integrate import resting_potential

        return np.asarray(resting_potential(self.plan, self.parameters()))

    def _pool_arrays(self, ion: str) -> dict:
        from excitable.physics.ions import MAMMALIAN

        parts = {k: [] for k in ("ci", "co", "vol_in_um3", "vol_out_um3", "tau_out_ms", "active")}
        for c in self.network.cells:
            n = c.n
            if ion in c.ion_pools:
                spec = c.ion_pools[ion]
                vin, vout = c.ion_volumes(ion)
                vals = (spec["ci"], spec["co"], vin, vout, spec.get("tau_out", np.inf), 1.0)
            else:  # a cell without this pool: fixed concentrations, and its own reversal potentials
                vals = (MAMMALIAN[ion].c_in, MAMMALIAN[ion].c_out, np.inf, np.inf, np.inf, 0.0)
            for k, x in zip(parts, vals):
                parts[k].append(np.broadcast_to(np.asarray(x, float), (n,)))
        return {k: np.concatenate(v) for k, v in parts.items()}

    def n_steps(self, tstop: float) -> int:
        """Steps of ``dt`` in ``tstop`` ms (at least one; refused beyond the steps limit)."""
        return engine.n_steps(tstop, self.dt)

    def drive(self, tstop: float, start: int = 0, count: int | None = None) -> dict[str, np.ndarray]:
        """Stimulus waveforms at the mid-step times of steps [start, start + count), (count, k) each.
        Steps past ``tstop`` (padding of a last chunk) get no stimulus. The trains as the plan's lanes
        take them (``model.train_split.split_trains``)."""
        n, plan = self.n_steps(tstop), self.plan  # the plan first: it holds the trains' lanes
        lanes = self.__dict__["_built"][0][1]
        return sample_drive(n, self.dt, start, n - start if count is None else count,
                            currents=[s.waveform for s, _ in self.iclamps],
                            commands=[c.command for c, _ in self.vclamps],
                            trains=split_trains(self.network.train_arrivals(), self.dt, lanes),
                            step_row=draws(plan, self._reference))  # random numbers: engine.noise

    # --- run ------------------------------------------------------------------------------------
    def run_spec(self) -> engine.RunSpec:
        """This description as the engine takes it (``engine.run``): the plan, dt, the method, and
        the model's stimulus waveforms, parameters and spike sources."""
        plan, net = self.plan, self.network
        columns = {}
        if self._spike_cells:
            where = {int(n): i for i, n in enumerate(plan.connections.source_nodes)}
            columns = {ci: where[net.node(Site(ci, net.cells[ci].soma))] for ci in self._spike_cells}
        return engine.RunSpec(plan=plan, dt=self.dt, theta=METHODS[self.method], drive=self.drive,
                              parameters=self.parameters, reference=lambda: self._reference,
                              validate=self._check_stimuli, spike_columns=columns,
                              meta={"dt": self.dt, "temperature": self.temperature})

    def function(self, tstop: float, *, stride: int = 1, batched: bool = False, checkpoint: int | str = 0,
                 kernel: str = "scan"):
        """A pure jitted function ``params -> recordings`` ((n_samples, n_probes) array), to use
        under ``jax.grad``/``vmap``/``jit`` (``engine.run.function``).

        checkpoint: steps per block rematerialized in reverse mode (``jax.checkpoint``): memory
            n_steps / block + block instead of n_steps; "auto": ``engine.grad.auto_checkpoint``
            (16-step blocks, at most 4096); 0 (default) stores every step. Same forward values.
        kernel: "scan" (default: any model, any derivative), or for a batch of single compartments
            "fused" (``engine.kernels.single.fused_function``: one kernel, forward-mode derivatives
            only; Pallas' interpreter off a GPU) or "auto" (fused on a GPU where the model allows).
        An imported mechanism's self-event queue starts at the size earlier runs grew it to; the
        function cannot grow it (io/nmodl/queue_growth.py).
        """
        engine.check_kernel(kernel)
        if kernel == "fused" and (not batched or self.plan.n != 1):
            raise ModelError("function(kernel='fused') takes a batch (batched=True) of single compartments")
        return grown_function(lambda spec: engine.function(spec, tstop, stride=stride, batched=batched,
                                                           checkpoint=checkpoint, kernel=kernel if batched else "scan"),
                              self.run_spec())

    def run(self, tstop: float, *, params=None, stride: int = 1, kernel: str = "auto") -> Result:
        """Simulate ``tstop`` ms and return the recorded traces (and spike times, if recorded).

        kernel: "auto" runs ``lax.scan``, except on a GPU for a single compartment, a cable or a
        shallow branched tree (``engine.kernels.dispatch``), where the whole run is one kernel, as
        a batch of one; "scan" and "fused" force either (``engine.run.simulate``). Run again with a
        deeper self-event queue where an imported mechanism's was full (io/nmodl/queue_growth.py).
        """
        return deepening(lambda spec, p: engine.simulate(spec, tstop, p, batched=False, stride=stride, kernel=kernel),
                         self.run_spec(), params)

    def run_batch(self, tstop: float, params, *, stride: int = 1, kernel: str = "auto") -> Result:
        """Run a batch: every leaf of ``params`` has a leading batch axis (``jax.vmap``); traces come
        back with shape (batch, n_samples). kernel: "scan" (``lax.scan`` over ``vmap``-ed steps), "fused" (the whole time loop in one
        kernel, ``engine.kernels``: single compartments, or cables and trees in the layout
        ``kernels.dispatch.choose_layout`` picks; Pallas' interpreter off a GPU) or "auto" (fused
        on a GPU when the model allows it, scan otherwise). The results are the same. As ``run``, run
        again with a deeper self-event queue where one was full.
        """
        return deepening(lambda spec, p: engine.simulate(spec, tstop, p, batched=True, stride=stride, kernel=kernel),
                         self.run_spec(), params)

    @cached_property
    def _reference(self) -> dict:
        """The parameter pytree as the plan was built: what given ``params`` are checked against
        (kept with the plan: rebuilding it would cost as much as a short run of a large network)."""
        return self.parameters()

    def _check_stimuli(self) -> None:
        """Refuse a run whose dt (changed since ``stimulate``?) is longer than a stimulus' pulse."""
        for stim, _ in self.iclamps + self.vclamps:
            check_resolved(stim, self.dt)


def _index(text: str, prefix: str) -> int:
    try:
        return int(text[len(prefix) + 1:text.index("]")])
    except ValueError:
        raise ModelError(f"record: cannot read an index in {text!r}") from None


def _fields(mech, celsius: float) -> dict[str, str]:
    """A mechanism's recordable fields, in order: field -> "state", "current", "conductance", "assigned"."""
    from excitable.physics.channel import signal_names

    names, kinds = signal_names(mech, celsius), {}
    for kind in ("state", "current", "conductance", "assigned"):
        for field in names[kind + "s"]:
            kinds.setdefault(field, kind)
    return kinds
