"""Simulation: a cell (or a network), its stimuli and recordings, compiled to a Plan and run.

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

import warnings
from functools import cached_property

import numpy as np

from excitable import limits
from excitable.errors import ModelError, check_number
from excitable.model.cell import Cell
from excitable.model.network import Network, Site
from excitable.model.stimuli import CurrentStimulus, IClamp, Location, PulseTrain, Ramp, VClamp, check_resolved
from excitable.results import Result

METHODS = {"euler": 1.0, "cn": 0.5}
#: Runs longer than two of these many steps go in chunks (bounded memory, progress reports).
CHUNK_STEPS = 20000
#: Plans (with dt, method, stride) whose fused kernel failed on this device: kernel="auto" scans them.
_FUSED_FAILED: set[tuple] = set()
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
        stochastic: draw synaptic release (probability p) at random, from ``seed``; otherwise each
            release is its mean.
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
        self.__dict__.pop("plan", None)
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
        "Channel.conductance" (mS/cm2, "HH.gna"), "iclamp[k]"/"vclamp[k]" (nA), "ci:na"/"co:k"
        (mM, dynamic ions). Synapses: "AMPA[k].r" (state), "AMPA[k].i" (nA), "AMPA[k].g" (uS),
        "AMPA[k].T" (transmitter in the cleft, mM) for instance k of a receptor.
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
            if field == "T":
                return Probe(label, "transmitter", 0, mechanism=name, index=k)
            kind = _field_kind(points[name][1], field, self.temperature)
            if kind is None:
                raise ModelError(f"record: {name} has no state, current or conductance {field!r}; it has "
                                 f"{', '.join(_fields(points[name][1], self.temperature) + ['T'])}")
            return Probe(label, kind, int(points[name][0][k]), mechanism=name, field=field, index=k)
        dens = self.network.density_mechanisms()
        if mech not in dens:
            raise ModelError(f"record: unknown signal {signal!r}; valid: {', '.join(self.signals())}")
        if node not in set(dens[mech][0]):
            raise ModelError(f"record: {mech} is not inserted at that location")
        kind = _field_kind(dens[mech][1], field, self.temperature)
        if kind is None:
            raise ModelError(f"record: {mech} has no state, current or conductance {field!r}; it has "
                             f"{', '.join(_fields(dens[mech][1], self.temperature))}")
        return Probe(label, kind, node, mechanism=mech, field=field)

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
            out += [f"{k}.{f}" for f in _fields(mech, self.temperature) + ["T"]]
        return out

    # --- compile --------------------------------------------------------------------------------
    @cached_property
    def plan(self):
        from excitable.engine.plan import Placement, Plan

        net = self.network
        placements = [Placement(name, sites) for name, (sites, _) in net.density_mechanisms().items()]
        placements += [Placement(name, nodes) for name, (nodes, _, _) in net.point_mechanisms().items()]
        probes = tuple(self._probe(lbl, sig, None if site == "all" else site) for lbl, sig, site in self._records)
        connections, _ = self._connections()
        gaps = np.array([[net.node(a), net.node(b)] for a, b, _ in net.gaps], dtype=int).reshape(-1, 2)
        return Plan(
            parent=np.asarray(net.concat("parent"), dtype=int),
            placements=tuple(placements),
            iclamp_nodes=np.array([net.node(s) for _, s in self.iclamps], dtype=int),
            vclamp_nodes=np.array([net.node(s) for _, s in self.vclamps], dtype=int),
            probes=probes,
            pools=self._pools(),
            connections=connections,
            gap_pairs=gaps,
            record_spikes=bool(self._spike_cells),
            rest_init=self.v_init == "rest",
        )

    def _pools(self):
        from excitable.engine.ions import IonPool

        names = sorted({ion for c in self.network.cells for ion in c.ion_pools})
        out = []
        for ion in names:
            specs = [c.ion_pools[ion] for c in self.network.cells if ion in c.ion_pools]
            out.append(IonPool(ion, specs[0]["z"], outside=any("outside" in s for s in specs)))
        return tuple(out)

    def _connections(self):
        """Engine connections and their per-connection parameters."""
        from excitable.engine.synapses import ConnGroup, Connections

        net = self.network
        nodes: dict[int, float] = {}
        for c in net.connections:
            if isinstance(c.source, Site):
                nodes.setdefault(net.node(c.source), c.threshold)
        for ci in self._spike_cells:
            nodes.setdefault(net.node(Site(ci, net.cells[ci].soma)), 0.0)
        order = {n: i for i, n in enumerate(nodes)}
        groups, params = [], {}
        for name in net.receptors:
            conns = [c for c in net.connections if c.receptor == name]
            if not conns:
                continue
            src = [order[net.node(c.source)] if isinstance(c.source, Site) else len(nodes) + c.source
                   for c in conns]
            groups.append(ConnGroup(name, np.array(src, int), np.array([c.instance for c in conns], int),
                                    np.array([int(round(c.delay / self.dt)) for c in conns], int)))
            params[name] = {k: np.array([getattr(c, k) for c in conns], float)
                            for k in ("weight", "p", "U", "tau_rec", "tau_facil")}
            params[name]["delay_steps"] = groups[-1].delay_steps
        conn = Connections(np.array(list(nodes), int), len(net.trains), tuple(groups), self.stochastic)
        return conn, (params, np.array(list(nodes.values()), float))

    def parameters(self) -> dict:
        """The parameter pytree: area, cm, g_axial, channels (per-site arrays), celsius, v_init
        (with ``v_init="rest"``: the starting guess of the resting-potential solve done at the start
        of every run), clamp gains, ion pools, synapses (release, plasticity, cleft), gap junctions."""
        from excitable.engine.ions import pool_params
        from excitable.engine.plan import make_params
        from excitable.engine.synapses import cleft_params, group_params

        net = self.network
        channels = {name: mech for name, (_, mech) in net.density_mechanisms().items()}
        points = net.point_mechanisms()
        channels.update({name: mech for name, (_, mech, _) in points.items()})
        _, (syn_values, thresholds) = self._connections()
        syn = {name: group_params(len(v["weight"]), **v) for name, v in syn_values.items()}
        cleft = {name: cleft_params(len(nodes), **cl) for name, (nodes, _, cl) in points.items()}
        params = make_params(
            area_um2=net.concat("area_um2"), cm=net.cm, g_axial=net.concat("g_axial_nS"),
            channels=channels, celsius=self.temperature,
            v_init=self.v_init if self.v_init != "rest" else -65.0,
            iclamp_amp=np.ones(len(self.iclamps)), vclamp_rs=[c.rs for c, _ in self.vclamps],
            ions={p.name: pool_params(**self._pool_arrays(p.name)) for p in self.plan.pools},
            syn=syn, cleft=cleft, syn_threshold=thresholds,
            gap_g=[g for _, _, g in net.gaps], seed=self.seed,
        )
        return params

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
        tstop = check_number("tstop", tstop, positive=True)
        if not np.isfinite(tstop / self.dt):
            raise ModelError(f"tstop={tstop:g} ms at dt={self.dt:g} ms is too many steps to count")
        n = int(round(tstop / self.dt))
        if n < 1:
            raise ModelError(f"tstop ({tstop} ms) must be at least one step (dt = {self.dt} ms)")
        # Every run, drive and function counts its steps here, before anything is allocated.
        limits.check("steps", n, f"tstop={tstop:g} ms at dt={self.dt:g} ms")
        return n

    def drive(self, tstop: float, start: int = 0, count: int | None = None) -> dict[str, np.ndarray]:
        """Stimulus waveforms at the mid-step times of steps [start, start + count), (count, k) each.

        Steps past ``tstop`` (padding of a last chunk) get no stimulus.
        """
        n = self.n_steps(tstop)
        count = n - start if count is None else count
        steps = np.arange(start, start + count)
        t_mid = (steps + 0.5) * self.dt
        live = (steps < n)[:, None]
        d = {"iclamp": np.stack([s.waveform(t_mid) for s, _ in self.iclamps], axis=1) * live
             if self.iclamps else np.zeros((count, 0))}
        if self.vclamps:
            cmds = [c.command(t_mid) for c, _ in self.vclamps]
            d["vclamp_cmd"] = np.stack([c for c, _ in cmds], axis=1)
            d["vclamp_on"] = np.stack([o for _, o in cmds], axis=1) * live
        if self.network.trains:
            spikes = np.zeros((count, len(self.network.trains)))
            for k, times in enumerate(self.network.trains):
                # A spike at time t counts as detected at the end of the step that ends at t.
                rows = np.clip(np.round(times / self.dt).astype(int) - 1, 0, None) - start
                ok = (rows >= 0) & (rows < count) & (rows + start < n)
                np.add.at(spikes[:, k], rows[ok], 1.0)
            d["spikes"] = spikes
        return d

    # --- run ------------------------------------------------------------------------------------
    def function(self, tstop: float, *, stride: int = 1, batched: bool = False, checkpoint: int | str = 0,
                 kernel: str = "scan"):
        """A pure jitted function ``params -> recordings`` ((n_samples, n_probes) array), to use
        under ``jax.grad``/``vmap``/``jit``.

        checkpoint: steps per block rematerialized in reverse mode (``jax.checkpoint``), so the
            memory of a gradient grows as n_steps / block + block instead of n_steps; "auto":
            ``engine.grad.auto_checkpoint`` (blocks of 16 steps, at most 4096 blocks: also the
            fastest gradient for large batches, 2-3x faster than none); 0 (default) stores every
            step. The forward values are the same. Forward-mode derivatives (``jax.jvp``,
            ``engine.grad.value_and_grad(mode="forward")``) store nothing and need no blocks.
        kernel: "scan" (default: any model, any derivative), or for a batch of single
            compartments "fused" (``engine.fused.fused_function``: the whole run in one kernel,
            forward-mode derivatives in the same kernel, no reverse mode; Pallas' interpreter off
            a GPU) or "auto" (fused on a GPU when the model allows it, scan otherwise). For
            forward-mode gradients of batches on a GPU: ``value_and_grad(loss, mode="forward",
            batched=True, vectorized=True)`` of a loss over the batch.
        """
        import jax
        import jax.numpy as jnp

        from excitable.engine.grad import auto_checkpoint
        from excitable.engine.integrate import compiled_runner

        if kernel not in ("auto", "scan", "fused"):
            raise ModelError(f"kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")
        stride = _check_stride(stride)
        n = self.n_steps(tstop)
        self._check_budget(tstop, n, stride, self._reference, None, whole=True)  # per batch element
        if kernel == "fused" and (not batched or self.plan.n != 1):
            raise ModelError("function(kernel='fused') takes a batch (batched=True) of single compartments")
        if kernel != "scan" and batched and self.plan.n == 1 and self._use_fused(kernel, None):
            from excitable.engine.fused import fused_function

            drive = {k: jnp.asarray(v) for k, v in self.drive(tstop).items()}
            return jax.jit(fused_function(self.plan, drive, dt=self.dt, theta=METHODS[self.method],
                                          stride=stride))
        if checkpoint == "auto":
            checkpoint = auto_checkpoint(self.n_steps(tstop))
        if isinstance(checkpoint, bool) or not isinstance(checkpoint, int) or checkpoint < 0:
            raise ModelError(f"checkpoint must be 'auto' or a number of steps >= 0, got {checkpoint!r}")
        run = compiled_runner(self.plan, dt=self.dt, theta=METHODS[self.method], stride=stride,
                              batched=batched, checkpoint=checkpoint)
        drive = {k: jnp.asarray(v) for k, v in self.drive(tstop).items()}
        return lambda params: run(params, drive)[0]

    def run(self, tstop: float, *, params=None, stride: int = 1, kernel: str = "auto") -> Result:
        """Simulate ``tstop`` ms and return the recorded traces (and spike times, if recorded).

        kernel: "auto" runs ``lax.scan``, except on a GPU for a single compartment, a cable or a
        branched tree shallow enough for ``engine.fused_nodes`` (``fused_tree.choose_layout``),
        where the scan would pay a kernel launch per step (and per pass of the tree solve): there
        the whole run is one kernel, as a batch of one. "scan" and "fused" force either (the
        fused kernel in Pallas' interpreter off a GPU).
        """
        if kernel not in ("auto", "scan", "fused"):
            raise ModelError(f"kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")
        return self._run(tstop, params, stride, batched=False, kernel=kernel)

    def run_batch(self, tstop: float, params, *, stride: int = 1, kernel: str = "auto") -> Result:
        """Run a batch: every leaf of ``params`` has a leading batch axis (``jax.vmap``).

        Traces come back with shape (batch, n_samples).

        kernel: "scan" (``lax.scan`` over ``vmap``-ed steps), "fused" (the whole time loop in one
        kernel: ``engine.fused`` for single compartments; for cables and trees
        ``engine.fused_nodes``, one program per cell, or ``engine.fused_tree``, one lane per
        cell, as ``fused_tree.choose_layout`` picks by shape and batch size; Pallas' interpreter
        off a GPU) or "auto" (fused on a GPU when the model allows it, scan otherwise). The
        results are the same.
        """
        if kernel not in ("auto", "scan", "fused"):
            raise ModelError(f"kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")
        return self._run(tstop, params, stride, batched=True, kernel=kernel)

    def _use_fused(self, kernel: str, params, batched: bool = True) -> bool:
        import jax

        from excitable.engine.fused import fusable
        from excitable.engine.fused_tree import choose_layout, fusable_tree

        if kernel == "scan" or (kernel == "auto" and jax.default_backend() != "gpu"):
            return False
        reason = (fusable if self.plan.n == 1 else fusable_tree)(self.plan, params)
        if kernel == "fused" and reason:
            raise ModelError(f"kernel='fused' cannot run this model: {reason}")
        if reason is not None or kernel == "fused":
            return reason is None
        # A kernel with one lane per cell would walk one cell's nodes on one thread: the scan's
        # vector passes are the better bet there.
        return batched or self.plan.n == 1 or choose_layout(self.plan) == "nodes"

    def _run_fused(self, tstop, params, stride, theta, kernel):
        """Recordings from the fused kernel, or None when ``kernel="auto"`` and it fails to compile
        or run on this device (then the scan runs instead, with a warning, and this plan does not
        try the kernel again in this process); ``kernel="fused"`` raises the error."""
        from excitable.engine.fused import fused_runner
        from excitable.engine.fused_tree import choose_layout, fused_tree_runner

        key = (self.plan.key(), float(self.dt), float(theta), int(stride))
        if kernel == "auto" and key in _FUSED_FAILED:
            return None
        try:
            if self.plan.n == 1:
                runner = fused_runner(self.plan, dt=self.dt, theta=theta, stride=stride)
            else:
                layout = choose_layout(self.plan, batch=int(np.shape(params["cm"])[0]))
                runner = fused_tree_runner(self.plan, dt=self.dt, theta=theta, stride=stride, layout=layout)
            # One kernel for the whole run: its memory is the recordings asked for and one state
            # per cell, no more.
            return np.asarray(runner(params, self.drive(tstop)))
        except Exception as e:  # noqa: BLE001 - a GPU compiler's error, whatever its type
            if kernel != "auto":
                raise
            _FUSED_FAILED.add(key)
            first = (str(e).strip().splitlines() or [""])[0][:200]
            warnings.warn(f"the fused kernel failed on this device ({type(e).__name__}: {first}); running "
                          f"lax.scan instead (kernel='scan' skips the attempt)", RuntimeWarning, stacklevel=4)
            return None

    @cached_property
    def _reference(self) -> dict:
        """The parameter pytree as the plan was built: what given ``params`` are checked against
        (kept with the plan: rebuilding it would cost as much as a short run of a large network)."""
        return self.parameters()

    def _check_budget(self, tstop, n: int, stride: int, params, batch: int | None, *, whole=False) -> None:
        """Refuse a run beyond ``excitable.limits`` before anything is compiled or allocated: its time
        steps, compartments (x batch), compartment-steps (x batch) and bytes: the recordings (twice
        when chunked: the chunks and their concatenation), spike flags, stimulus waveforms, and the
        parameters and state (taken as twice the parameters: the state is about as large).
        ``whole``: one scan over all the steps (``function``), never chunks."""
        import jax

        for stim, _ in self.iclamps + self.vclamps:  # dt may have been changed since stimulate
            check_resolved(stim, self.dt)
        b, comps = batch or 1, self.network.n
        run = f"tstop={float(tstop):g} ms at dt={self.dt:g} ms"
        on = f"{comps} compartment{'s' * (comps != 1)}" + (f" x a batch of {batch}" if batch else "")
        limits.check("compartments", comps * b, on)  # steps: checked by n_steps
        limits.check("work", float(comps) * n * b, f"{run} on {on}")
        chunk = max(stride, (CHUNK_STEPS // stride) * stride)
        chunked = not whole and n > 2 * chunk
        width = sum(p.width(self.plan.n) for p in self.plan.probes)
        inputs = len(self.iclamps) + 2 * len(self.vclamps) + len(self.network.trains)
        sources = len(self.plan.connections.source_nodes) if self.plan.record_spikes else 0
        nbytes = ((8.0 * (n // stride + 1) * width + 1.0 * n * sources) * b * (2 if chunked else 1)
                  + 8.0 * (chunk if chunked else n) * inputs
                  + 16.0 * sum(getattr(x, "size", 1) for x in jax.tree.leaves(params)))
        limits.check("memory", nbytes, f"recording {width} value{'s' * (width != 1)} every "
                     f"{stride if stride > 1 else ''}{' steps' if stride > 1 else 'step'} for {run} on {on}")

    def _run(self, tstop, params, stride, batched, kernel="scan") -> Result:
        from excitable import progress
        from excitable.engine.batch import check_params
        from excitable.engine.integrate import check_finite, stored_runner

        stride = _check_stride(stride)
        n = self.n_steps(tstop)
        if params is None and not batched:
            params, batch = self.parameters(), None
        else:
            batch = check_params(params, self._reference, batched=batched)
        self._check_budget(tstop, n, stride, params, batch if batched else None)
        theta = METHODS[self.method]
        chunk = max(stride, (CHUNK_STEPS // stride) * stride)
        report = progress.current()
        rec = None
        if self._use_fused(kernel, params, batched):
            import jax

            one = params if batched else jax.tree.map(lambda x: np.asarray(x)[None], params)
            rec = self._run_fused(tstop, one, stride, theta, kernel)
            rec = rec if rec is None or batched else rec[0]
        if rec is not None:
            spikes, final = None, None
        elif n <= 2 * chunk and batched:
            # Recordings alone, samples first: the fastest layout (see compiled_runner); the host
            # takes a transposed view, (batch, n_samples, width).
            run = stored_runner(self.plan, dt=self.dt, theta=theta, stride=stride, batched=True,
                                recordings_only=True)
            rec, spikes, final = np.moveaxis(np.asarray(run(params, self.drive(tstop))), 1, 0), None, None
        elif n <= 2 * chunk:
            run = stored_runner(self.plan, dt=self.dt, theta=theta, stride=stride, batched=batched)
            rec, spikes, final = run(params, self.drive(tstop))
            rec, spikes = np.asarray(rec), None if spikes is None else np.asarray(spikes)
        else:
            # Long runs go in equal chunks (one compilation), so memory stays bounded and progress
            # can be shown; each chunk continues from the previous one's final state.
            first = stored_runner(self.plan, dt=self.dt, theta=theta, stride=stride, batched=batched)
            more = stored_runner(self.plan, dt=self.dt, theta=theta, stride=stride, batched=batched,
                                   resume=True)
            recs, spk = [], []
            rec, spikes, final = first(params, self.drive(tstop, 0, chunk))
            recs.append(np.asarray(rec))
            spk.append(spikes)
            for start in range(chunk, n, chunk):
                check_finite(recs[-1], np.asarray(final["v"]), self.dt, stride)
                if report:
                    report(start, n)
                rec, spikes, final = more(params, self.drive(tstop, start, chunk), final)
                recs.append(np.asarray(rec))
                spk.append(spikes)
            rec = np.concatenate(recs, axis=-2)[..., : n // stride + 1, :]
            spikes = None if spk[0] is None else np.concatenate([np.asarray(x) for x in spk], axis=-2)[..., :n, :]
        if report:
            report(n, n)
        check_finite(rec, None if final is None else np.asarray(final["v"]), self.dt, stride)
        t = np.arange(rec.shape[-2]) * self.dt * stride
        traces, col = {}, 0
        for p in self.plan.probes:
            w = p.width(self.plan.n)
            traces[p.label] = rec[..., col] if p.kind != "v_all" else rec[..., col:col + w]
            col += w
        _check_voltages(traces, self.plan.probes, self.dt * stride)
        res = Result(t=t, traces=traces, meta={"dt": self.dt, "temperature": self.temperature})
        if spikes is not None and not batched:
            res.spikes = self._spike_times(spikes)
        return res

    def _spike_times(self, spiked: np.ndarray) -> dict[int, np.ndarray]:
        """cell -> spike times (ms, the end of the step in which V crossed 0 mV), NEURON's APCount."""
        conn = self.plan.connections
        where = {int(n): i for i, n in enumerate(conn.source_nodes)}
        out = {}
        for ci in self._spike_cells:
            col = where[self.network.node(Site(ci, self.network.cells[ci].soma))]
            out[ci] = (np.nonzero(spiked[:, col])[0] + 1) * self.dt
        return out


def _check_voltages(traces, probes, dt_sample: float) -> None:
    """Stop with a clear message when a recorded V leaves any physical range (|V| > 1e4 mV): the run
    blew up, or an input (a current of 1e12 uA/cm2...) makes no physical sense."""
    from excitable.engine.integrate import RUNAWAY_MV
    from excitable.errors import SimulationError

    for p in probes:
        if p.kind not in ("v", "v_all"):
            continue
        v = traces[p.label]
        if v.size == 0 or (v.min() >= -RUNAWAY_MV and v.max() <= RUNAWAY_MV):
            continue  # the usual case, in two fast reductions (NaN fails the comparison: checked below)
        over = ~(np.abs(v) <= RUNAWAY_MV)
        if p.kind == "v_all":
            over = over.any(axis=-1)  # (..., n_samples, N) -> (..., n_samples)
        if over.any():
            first = int(np.argmax(over.reshape(-1, over.shape[-1]).any(axis=0)))
            peak = float(np.abs(traces[p.label]).max())
            raise SimulationError(
                f"V reached {peak:.3g} mV at t = {first * dt_sample:g} ms: the run is numerically unstable "
                f"or an input is far outside the physical range (check amplitudes, dt and parameters)")


def _check_stride(stride) -> int:
    try:
        ok = not isinstance(stride, bool) and int(stride) == stride and stride >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ModelError(f"stride must be a positive integer, got {stride!r}")
    return int(stride)


def _index(text: str, prefix: str) -> int:
    try:
        return int(text[len(prefix) + 1:text.index("]")])
    except ValueError:
        raise ModelError(f"record: cannot read an index in {text!r}") from None


def _fields(mech, celsius: float) -> list[str]:
    from excitable.physics.channel import signal_names

    names = signal_names(mech, celsius)
    return [*names["states"], *names["currents"], *names["conductances"]]


def _field_kind(mech, field: str, celsius: float) -> str | None:
    from excitable.physics.channel import signal_names

    names = signal_names(mech, celsius)
    for kind, key in (("state", "states"), ("current", "currents"), ("conductance", "conductances")):
        if field in names[key]:
            return kind
    return None
