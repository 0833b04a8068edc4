"""Simulation: a cell, its stimuli and recordings, compiled to a Plan and run by the engine.

Example:
    >>> cell = Cell.cylinder().insert(HH())
    >>> sim = Simulation(cell, dt=0.025, temperature=6.3)
    >>> sim.stimulate(IClamp(cell.soma, amplitude=0.1, delay=5, duration=1))
    >>> sim.record("v"); sim.record("HH.m")
    >>> result = sim.run(tstop=30)
    >>> params = sim.parameters()          # a pytree: jax.vmap / jax.grad over it
    >>> f = sim.function(tstop=30)         # pure: params -> (n_samples, n_probes) recordings
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from excitable.errors import ModelError, check_number
from excitable.model.cell import Cell
from excitable.model.stimuli import CurrentStimulus, IClamp, Location, PulseTrain, Ramp, VClamp
from excitable.results import Result

METHODS = {"euler": 1.0, "cn": 0.5}
_SPECIAL = {"v": "mV", "i_cap": "uA/cm2", "i_ion": "uA/cm2"}


class Simulation:
    """Set-up of one run: time step, temperature, initial voltage, stimuli and recordings.

    Args:
        cell: the Cell.
        dt: time step, ms (> 0). temperature: degC.
        v_init: initial V, mV (gates at steady state there, like NEURON's finitialize), or "rest":
            start at the resting potential (zero steady-state membrane current), so the cell does not
            drift in the first milliseconds.
        method: "euler" (backward Euler, NEURON's default) or "cn" (Crank-Nicolson, second order).
    """

    def __init__(self, cell: Cell, *, dt: float = 0.025, temperature: float = 6.3,
                 v_init: float = -65.0, method: str = "euler"):
        if not isinstance(cell, Cell):
            raise ModelError(f"Simulation needs a Cell, got {type(cell).__name__}")
        self.cell = cell
        self.dt = check_number("dt", dt, positive=True)
        self.temperature = check_number("temperature", temperature)
        if not -10.0 <= self.temperature <= 60.0:
            raise ModelError(f"temperature must be between -10 and 60 degC, got {temperature!r}")
        self.v_init = v_init if v_init == "rest" else check_number("v_init", v_init)
        if method not in METHODS:
            raise ModelError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        self.method = method
        self.iclamps: list[CurrentStimulus] = []
        self.vclamps: list[VClamp] = []
        self._records: list[tuple[str, str, Location]] = []

    # --- set-up ---------------------------------------------------------------------------------
    def stimulate(self, stimulus) -> Simulation:
        """Add a stimulus (IClamp, PulseTrain, Ramp or VClamp)."""
        self.cell.node(stimulus.at)  # validates the location now
        if isinstance(stimulus, VClamp):
            self.vclamps.append(stimulus)
        elif isinstance(stimulus, (IClamp, PulseTrain, Ramp)):
            self.iclamps.append(stimulus)
        else:
            raise ModelError(f"unknown stimulus {stimulus!r}")
        self.__dict__.pop("plan", None)
        return self

    def record(self, signal: str, at: Location | str | None = None, label: str | None = None) -> Simulation:
        """Record ``signal`` at ``at`` (default: the soma); ``record("v", at="all")`` records V at
        every node (a trace of shape (n_samples, N)).

        Signals: "v" (mV), "i_cap" and "i_ion" (uA/cm2), "Channel.state", "Channel.current"
        (uA/cm2, e.g. "HH.ina"), "Channel.conductance" (mS/cm2, e.g. "HH.gna"), "iclamp[k]" and
        "vclamp[k]" (nA, the k-th clamp's current).
        """
        if at == "all":
            if signal != "v":
                raise ModelError(f"record: only 'v' can be recorded at='all', got {signal!r}")
            label = label or "v_all"
            self._records.append((label, "v_all", "all"))
            self.__dict__.pop("plan", None)
            return self
        at = at or self.cell.soma
        self._probe(signal, self.cell.node(at))  # validates now
        if label is None:
            label = signal if at == self.cell.soma else f"{signal}@{at}"
        if any(lbl == label for lbl, _, _ in self._records):
            raise ModelError(f"record: label {label!r} is already used")
        self._records.append((label, signal, at))
        self.__dict__.pop("plan", None)
        return self

    def _probe(self, signal: str, node: int):
        from excitable.engine.plan import Probe

        if signal == "v_all":
            return Probe(signal, "v_all", 0)
        if signal in _SPECIAL:
            return Probe(signal, signal, node)
        for kind, clamps in (("iclamp", self.iclamps), ("vclamp", self.vclamps)):
            if signal.startswith(kind + "["):
                k = int(signal[len(kind) + 1:-1])
                if not 0 <= k < len(clamps):
                    raise ModelError(f"record: there is no {signal}")
                return Probe(signal, kind, node, index=k)
        mech, _, field = signal.partition(".")
        if mech not in self.cell.mechanisms:
            raise ModelError(f"record: unknown signal {signal!r} (mechanisms: "
                             f"{', '.join(self.cell.mechanisms) or 'none'})")
        if node not in set(self.cell.mechanism_sites(mech)):
            raise ModelError(f"record: {mech} is not inserted at that location")
        kind = _field_kind(self.cell.mechanisms[mech], field, self.temperature)
        if kind is None:
            raise ModelError(f"record: {mech} has no state, current or conductance {field!r}")
        return Probe(signal, kind, node, mechanism=mech, field=field)

    # --- compile --------------------------------------------------------------------------------
    @cached_property
    def plan(self):
        from excitable.engine.plan import Placement, Plan, Probe

        comp = self.cell.compartments
        placements = tuple(Placement(name, self.cell.mechanism_sites(name)) for name in self.cell.mechanisms)
        probes = tuple(Probe(lbl, *_astuple(self._probe(sig, 0 if at == "all" else self.cell.node(at)))[1:])
                       for lbl, sig, at in self._records)
        return Plan(
            parent=np.asarray(comp.parent, dtype=int),
            placements=placements,
            iclamp_nodes=np.array([self.cell.node(s.at) for s in self.iclamps], dtype=int),
            vclamp_nodes=np.array([self.cell.node(s.at) for s in self.vclamps], dtype=int),
            probes=probes,
        )

    def parameters(self) -> dict:
        """The parameter pytree: cm, g_axial, channels (per-site arrays), celsius, v_init, gains."""
        from excitable.engine.plan import make_params

        comp = self.cell.compartments
        params = make_params(
            area_um2=comp.area_um2, cm=self.cell.cm, g_axial=comp.g_axial_nS,
            channels={name: self.cell.mechanism_at_sites(name) for name in self.cell.mechanisms},
            celsius=self.temperature, v_init=self.v_init if self.v_init != "rest" else -65.0,
            iclamp_amp=np.ones(len(self.iclamps)), vclamp_rs=[c.rs for c in self.vclamps],
        )
        if self.v_init == "rest":
            from excitable.engine.integrate import resting_potential

            params["v_init"] = resting_potential(self.plan, params)
        return params

    def n_steps(self, tstop: float) -> int:
        tstop = check_number("tstop", tstop, positive=True)
        n = int(round(tstop / self.dt))
        if n < 1:
            raise ModelError(f"tstop ({tstop} ms) must be at least one step (dt = {self.dt} ms)")
        return n

    def drive(self, tstop: float) -> dict[str, np.ndarray]:
        """Stimulus waveforms at the mid-step times, (n_steps, k) each."""
        n = self.n_steps(tstop)
        t_mid = (np.arange(n) + 0.5) * self.dt
        d = {"iclamp": np.stack([s.waveform(t_mid) for s in self.iclamps], axis=1)
             if self.iclamps else np.zeros((n, 0))}
        if self.vclamps:
            cmds = [c.command(t_mid) for c in self.vclamps]
            d["vclamp_cmd"] = np.stack([c for c, _ in cmds], axis=1)
            d["vclamp_on"] = np.stack([o for _, o in cmds], axis=1)
        return d

    # --- run ------------------------------------------------------------------------------------
    def function(self, tstop: float, *, stride: int = 1, batched: bool = False):
        """A pure jitted function ``params -> recordings`` ((n_samples, n_probes) array)."""
        import jax.numpy as jnp

        from excitable.engine.integrate import compiled_runner

        run = compiled_runner(self.plan, dt=self.dt, theta=METHODS[self.method], stride=stride,
                              batched=batched)
        drive = {k: jnp.asarray(v) for k, v in self.drive(tstop).items()}
        return lambda params: run(params, drive)[0]

    def run(self, tstop: float, *, params=None, stride: int = 1) -> Result:
        """Simulate ``tstop`` ms and return the recorded traces."""
        return self._run(tstop, params, stride, batched=False)

    def run_batch(self, tstop: float, params, *, stride: int = 1) -> Result:
        """Run a batch: every leaf of ``params`` has a leading batch axis (``jax.vmap``).

        Traces come back with shape (batch, n_samples).
        """
        return self._run(tstop, params, stride, batched=True)

    def _run(self, tstop, params, stride, batched) -> Result:
        from excitable.engine.integrate import check_finite, compiled_runner

        if int(stride) != stride or stride < 1:
            raise ModelError(f"stride must be a positive integer, got {stride!r}")
        params = self.parameters() if params is None else params
        run = compiled_runner(self.plan, dt=self.dt, theta=METHODS[self.method], stride=stride,
                              batched=batched)
        rec, _, final = run(params, self.drive(tstop))
        rec = np.asarray(rec)
        check_finite(rec, np.asarray(final["v"]), self.dt, stride)
        n = rec.shape[-2]
        t = np.arange(n) * self.dt * stride
        traces, col = {}, 0
        for p in self.plan.probes:
            w = p.width(self.plan.n)
            traces[p.label] = rec[..., col] if p.kind != "v_all" else rec[..., col:col + w]
            col += w
        return Result(t=t, traces=traces, meta={"dt": self.dt, "temperature": self.temperature})


def _astuple(probe):
    return (probe.label, probe.kind, probe.node, probe.mechanism, probe.field, probe.index)


def _field_kind(mech, field: str, celsius: float) -> str | None:
    if field in mech.states:
        return "state"
    s = mech.steady_state(-65.0, celsius)
    if field in mech.currents(-65.0, s):
        return "current"
    if field in mech.conductances(s):
        return "conductance"
    return None
