"""The engine's front door: a described run in, a ``Result`` (or a pure function) out.

Every run reaches the engine here: ``Simulation.run`` and ``run_batch`` (and so the experiments,
their batches and the sweeps over them) call ``simulate``; ``Simulation.function`` and ``fit`` call
``function`` for the pure ``params -> recordings`` they differentiate. What a run is comes in as
a ``RunSpec``: plain data (the compiled plan, dt, the method) and callables of the model layer
(stimulus waveforms, parameters), so the engine never imports the model.

Between the description and the numbers, in this order:

1. the step count and the work budget (``excitable.limits``: steps, compartments, compartment-
   steps, bytes), refused with one line before anything is compiled or allocated;
2. the kernel (``kernels.dispatch``): a fused kernel on a GPU where the plan allows it, the
   ``lax.scan`` time loop (``integrate``) otherwise or when the kernel fails on the device;
3. the run: past 2 x ``CHUNK_STEPS`` steps in equal chunks, each continuing from the previous
   one's final state (bounded memory, progress reports);
4. one health check (``health.check_health``: NaN or a runaway V), then the ``Result``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from excitable import limits
from excitable.engine.counts import check_counts, check_events, refusing, with_counts
from excitable.engine.health import check_health
from excitable.errors import ModelError, check_number
from excitable.results import Result

if TYPE_CHECKING:  # the plan module imports JAX: only for annotations here
    from excitable.engine.plan import Plan

#: Time-stepping methods by name -> theta of the voltage update (1: backward Euler, NEURON's
#: default; 0.5: Crank-Nicolson, second order with the staggered states).
METHODS = {"euler": 1.0, "cn": 0.5}
#: Runs longer than two of these many steps go in chunks (bounded memory, progress reports).
CHUNK_STEPS = 20000
#: What ``kernel=`` takes: "auto" (a fused kernel on a GPU where the model allows it), "scan", "fused".
KERNELS = ("auto", "scan", "fused")


@dataclass(frozen=True, eq=False)
class RunSpec:
    """What the engine needs to run a described model (``Simulation.run_spec()`` builds it).

    Attributes:
        plan: the compiled model (``engine.plan.Plan``), its probes the recordings.
        dt: time step, ms. theta: the voltage update's implicitness (``METHODS``).
        drive: ``drive(tstop, start=0, count=None) -> {name: (count, k) array}``, the stimulus
            waveforms of steps [start, start + count) at mid-step times (``Simulation.drive``).
        parameters: ``() -> params``, the parameter pytree a run without ``params`` takes.
        reference: ``() -> params``, the pytree given ``params`` are checked against (structure,
            batch size, shapes: ``engine.batch.check_params``).
        validate: ``() -> None``, checks the description again just before a run (a setting
            changed since it was given: dt now longer than a stimulus' pulse, say).
        spike_columns: cell -> its column in the run's spike flags, for the cells whose spike
            times are recorded.
        meta: what the Result's ``meta`` says (dt, temperature).
    """

    plan: Plan
    dt: float
    theta: float
    drive: Callable[..., dict[str, np.ndarray]]
    parameters: Callable[[], dict]
    reference: Callable[[], dict]
    validate: Callable[[], None] = lambda: None
    spike_columns: Mapping[int, int] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)


def n_steps(tstop: float, dt: float) -> int:
    """The number of steps of ``dt`` ms in ``tstop`` ms (at least one), within the steps limit."""
    tstop = check_number("tstop", tstop, positive=True)
    if not np.isfinite(tstop / dt):
        raise ModelError(f"tstop={tstop:g} ms at dt={dt:g} ms is too many steps to count")
    n = int(round(tstop / dt))
    if n < 1:
        raise ModelError(f"tstop ({tstop} ms) must be at least one step (dt = {dt} ms)")
    # Every run, drive and function counts its steps here, before anything is allocated.
    limits.check("steps", n, f"tstop={tstop:g} ms at dt={dt:g} ms")
    return n


def check_kernel(kernel) -> str:
    if kernel not in KERNELS:
        raise ModelError(f"kernel must be 'auto', 'scan' or 'fused', got {kernel!r}")
    return kernel


def check_stride(stride) -> int:
    try:
        ok = not isinstance(stride, bool) and int(stride) == stride and stride >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ModelError(f"stride must be a positive integer, got {stride!r}")
    return int(stride)


def chunk_steps(stride: int) -> int:
    """Steps per chunk of a long run: about ``CHUNK_STEPS``, a whole number of samples."""
    return max(stride, (CHUNK_STEPS // stride) * stride)


def check_budget(spec: RunSpec, tstop, n: int, stride: int, params, batch: int | None, *, whole=False) -> None:
    """Refuse a run beyond ``excitable.limits`` before anything is compiled or allocated: its time
    steps, compartments (x batch), compartment-steps (x batch) and bytes: the recordings (twice
    when chunked: the chunks and their concatenation), spike flags, stimulus waveforms, and the
    parameters and state (taken as twice the parameters: the state is about as large).
    ``whole``: one scan over all the steps (``function``), never chunks."""
    import jax

    plan, dt = spec.plan, spec.dt
    b, comps = batch or 1, plan.n
    run = f"tstop={float(tstop):g} ms at dt={dt:g} ms"
    on = f"{comps} compartment{'s' * (comps != 1)}" + (f" x a batch of {batch}" if batch else "")
    limits.check("compartments", comps * b, on)  # steps: checked by n_steps
    limits.check("work", float(comps) * n * b, f"{run} on {on}")
    chunk = chunk_steps(stride)
    chunked = not whole and n > 2 * chunk
    width = sum(p.width(plan.n) for p in plan.probes)
    inputs = len(plan.iclamp_nodes) + 2 * len(plan.vclamp_nodes) + plan.connections.n_external
    sources = len(plan.connections.source_nodes) if plan.record_spikes else 0
    nbytes = ((8.0 * (n // stride + 1) * width + 1.0 * n * sources) * b * (2 if chunked else 1)
              + 8.0 * (chunk if chunked else n) * inputs
              + 16.0 * sum(getattr(x, "size", 1) for x in jax.tree.leaves(params)))
    limits.check("memory", nbytes, f"recording {width} value{'s' * (width != 1)} every "
                 f"{stride if stride > 1 else ''}{' steps' if stride > 1 else 'step'} for {run} on {on}")


def simulate(spec: RunSpec, tstop: float, params=None, *, batched: bool = False, stride: int = 1,
             kernel: str = "auto") -> Result:
    """Run ``spec`` for ``tstop`` ms and return its recordings (and spike times) as a ``Result``.

    Args:
        params: the parameter pytree (default ``spec.parameters()``); with ``batched``, a leading
            batch axis on every leaf, and traces come back (batch, n_samples).
        stride: keep every ``stride``-th sample.
        kernel: "auto" (a fused kernel on a GPU where the model allows it: ``kernels.dispatch``),
            "scan" or "fused" (Pallas' interpreter off a GPU).
    """
    from excitable import progress
    from excitable.engine.batch import check_params

    check_kernel(kernel)
    stride = check_stride(stride)
    n = n_steps(tstop, spec.dt)
    if params is None and not batched:
        params, batch = spec.parameters(), None
    else:
        batch = check_params(params, spec.reference(), batched=batched)
    spec.validate()
    counted = with_counts(spec, params)  # the run's own plan where a mechanism counts failed Newton loops
    check_budget(counted, tstop, n, stride, params, batch if batched else None)
    report = progress.current()
    rec, spikes, final = _recordings(counted, tstop, n, params, stride, batched, kernel, report)
    if counted is not spec:
        rec = check_counts(rec, spec.plan, counted.plan.probes[len(spec.plan.probes):], batched)
    if report:
        report(n, n)
    check_health(rec, spec.plan.probes, spec.plan.n, dt=spec.dt, stride=stride,
                 final_v=None if final is None else final["v"], t_final=n * spec.dt)
    res = _result(spec, rec, spikes, stride, batched)
    res.netcons = {} if final is None else final["netcons"]  # Result.netcon: NetCon.weight[0] after the run
    return res


def _recordings(spec: RunSpec, tstop, n: int, params, stride: int, batched: bool, kernel: str, report):
    """(recordings (..., n_samples, width), spike flags (n_steps, n_sources) or None, final V and
    per-NetCon values (``_final``) or None)."""
    from excitable.engine.kernels.dispatch import run_or_none, use_fused

    plan, chunk = spec.plan, chunk_steps(stride)
    if use_fused(plan, kernel, params, batched):
        import jax

        one = params if batched else jax.tree.map(lambda x: np.asarray(x)[None], params)
        rec = run_or_none(plan, one, spec.drive(tstop), dt=spec.dt, theta=spec.theta, stride=stride,
                          kernel=kernel)
        if rec is not None:
            return (rec if batched else rec[0]), None, None
    if n <= 2 * chunk:
        return _scan(spec, tstop, params, stride, batched)
    return _scan_in_chunks(spec, tstop, n, params, stride, batched, report)


def _scan(spec: RunSpec, tstop, params, stride: int, batched: bool):
    """The whole run in one ``lax.scan``."""
    from excitable.engine.integrate import stored_runner

    kw = {"dt": spec.dt, "theta": spec.theta, "stride": stride, "batched": batched}
    if batched:
        # Recordings alone, samples first: the fastest layout (see compiled_runner); the host
        # takes a transposed view, (batch, n_samples, width).
        run = stored_runner(spec.plan, **kw, recordings_only=True)
        return np.moveaxis(np.asarray(run(params, spec.drive(tstop))), 1, 0), None, None
    rec, spikes, final = stored_runner(spec.plan, **kw)(params, spec.drive(tstop))
    check_events(final)
    return np.asarray(rec), None if spikes is None else np.asarray(spikes), _final(spec, final)


def _scan_in_chunks(spec: RunSpec, tstop, n: int, params, stride: int, batched: bool, report):
    """A long run in equal chunks (one compilation), so memory stays bounded and progress can be
    shown; each chunk continues from the previous one's final state. Each chunk's health is
    checked before the next one runs."""
    from excitable.engine.integrate import stored_runner

    kw = {"dt": spec.dt, "theta": spec.theta, "stride": stride, "batched": batched}
    first, more = stored_runner(spec.plan, **kw), stored_runner(spec.plan, **kw, resume=True)
    chunk = chunk_steps(stride)
    recs, spk, first_sample = [], [], 0
    rec, spikes, final = first(params, spec.drive(tstop, 0, chunk))
    recs.append(np.asarray(rec))
    spk.append(spikes)
    for start in range(chunk, n, chunk):
        check_health(recs[-1], spec.plan.probes, spec.plan.n, dt=spec.dt, stride=stride,
                     first_sample=first_sample, final_v=np.asarray(final["v"]), t_final=start * spec.dt)
        first_sample = start // stride + 1
        if report:
            report(start, n)
        rec, spikes, final = more(params, spec.drive(tstop, start, chunk), final)
        check_events(final)
        recs.append(np.asarray(rec))
        spk.append(spikes)
    rec = np.concatenate(recs, axis=-2)[..., : n // stride + 1, :]
    spikes = None if spk[0] is None else np.concatenate([np.asarray(x) for x in spk], axis=-2)[..., :n, :]
    return rec, spikes, _final(spec, final)


def _final(spec: RunSpec, final) -> dict:
    """What a run keeps of its final state: V, and the per-NetCon values (``engine.netcons``)."""
    from excitable.engine.netcons import netcon_table

    return {"v": np.asarray(final["v"]), "netcons": netcon_table(spec.plan.connections, final["chan"])}


def _result(spec: RunSpec, rec: np.ndarray, spikes, stride: int, batched: bool) -> Result:
    """The recordings as named traces (a probe of V at every node: (..., n_samples, N)), with
    the spike times (ms, the end of the step in which V crossed 0 mV: NEURON's APCount)."""
    t = np.arange(rec.shape[-2]) * spec.dt * stride
    traces, col = {}, 0
    for p in spec.plan.probes:
        w = p.width(spec.plan.n)
        traces[p.label] = rec[..., col] if p.kind != "v_all" else rec[..., col:col + w]
        col += w
    res = Result(t=t, traces=traces, meta=dict(spec.meta))
    if spikes is not None and not batched:
        res.spikes = {cell: (np.nonzero(spikes[:, c])[0] + 1) * spec.dt for cell, c in spec.spike_columns.items()}
    return res


def function(spec: RunSpec, tstop: float, *, params=None, stride: int = 1, batched: bool = False,
             checkpoint: int | str = 0, kernel: str = "scan") -> Callable:
    """A pure ``params -> recordings`` ((n_samples, width); with ``batched``, (batch, n_samples,
    width)), to use under ``jax.grad`` / ``vmap`` / ``jit``.

    Args:
        params: a parameter pytree like those the function will take (default
            ``spec.reference()``): what the work budget and the kernel's coverage are checked on.
        checkpoint: steps per block rematerialized in reverse mode; "auto":
            ``engine.grad.auto_checkpoint``; 0 stores every step (``integrate.run_scan``).
        kernel: "scan", or for single compartments "fused" / "auto" (the whole run in one kernel,
            ``kernels.single.fused_function``, forward-mode derivatives only; "auto" on a GPU):
            unbatched, it runs as a batch of one.
    """
    import jax
    import jax.numpy as jnp

    from excitable.engine.grad import auto_checkpoint
    from excitable.engine.integrate import compiled_runner
    from excitable.engine.kernels.dispatch import use_fused

    check_kernel(kernel)
    stride = check_stride(stride)
    n = n_steps(tstop, spec.dt)
    params = spec.reference() if params is None else params
    spec.validate()
    counted = with_counts(spec, params)
    check_budget(counted, tstop, n, stride, params, None, whole=True)  # per batch element
    plan = counted.plan
    if kernel == "fused" and plan.n != 1:
        raise ModelError("kernel='fused' runs functions of single compartments (cables and trees: 'scan')")
    drive = {k: jnp.asarray(v) for k, v in spec.drive(tstop).items()}
    if kernel != "scan" and plan.n == 1 and use_fused(plan, kernel, params):
        from excitable.engine.kernels.single import fused_function

        fused = fused_function(plan, drive, dt=spec.dt, theta=spec.theta, stride=stride)
        if batched:
            return refusing(jax.jit(fused), spec.plan, plan, batched)
        return refusing(lambda p: fused(jax.tree.map(lambda x: jnp.asarray(x)[None], p))[0], spec.plan, plan,
                        batched)  # a batch of one
    if checkpoint == "auto":
        checkpoint = auto_checkpoint(n)
    if isinstance(checkpoint, bool) or not isinstance(checkpoint, int) or checkpoint < 0:
        raise ModelError(f"checkpoint must be 'auto' or a number of steps >= 0, got {checkpoint!r}")
    run = compiled_runner(plan, dt=spec.dt, theta=spec.theta, stride=stride, batched=batched,
                          checkpoint=checkpoint)
    return refusing(lambda p: run(p, drive)[0], spec.plan, plan, batched)
