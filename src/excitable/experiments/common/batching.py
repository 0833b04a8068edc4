"""Run one experiment at many parameter sets, as few vmapped simulations as possible.

An experiment that runs one simulation declares it (``Experiment(batches=True)``) and defines, next
to ``run``:

- ``prepare(p) -> Prepared``: the resolved parameters -> the simulation, its duration and whatever
  ``finish`` needs (built, not run);
- ``finish(p, prep, result) -> Result``: the recordings -> the experiment's Result (summary,
  traces, figure);

with ``run(**given)`` = ``finish(p, prep, prep.sim.run(prep.tstop))``. ``run_many`` then builds every
point's simulation, groups the points whose simulations differ only in parameter values and stimulus
amplitudes (the same plan, parameter structure, dt, method, duration and stimulus timing), runs each
group as one ``Simulation.run_batch`` (``jax.vmap``; a fused kernel on a GPU) and finishes each point
from its row. Stimulus amplitudes become per-point gains (``iclamp_amp``): each current clamp's
waveform is split into its peak and its shape, and points whose shapes agree share the first point's
waveform, scaled by the ratio of the peaks. A group whose batched run goes unstable is run point by
point, so only the bad points get an error. Other experiments run point by point.

Example:
    >>> from excitable.experiments.common.batching import run_many
    >>> results = run_many("action-potential", [{"amplitude": a} for a in (5, 10, 20, 40)])
    >>> [r.summary["n_spikes"] for r in results]
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from excitable.errors import ModelError, SimulationError


@dataclass
class Prepared:
    """One simulation of an experiment, built but not run, and what ``finish`` needs besides its
    recordings."""

    sim: Any  # excitable.Simulation
    tstop: float  # ms
    context: dict = field(default_factory=dict)


def batchable(module) -> bool:
    """Whether an experiment module runs through ``prepare``/``finish`` (and so in batches): what its
    declaration says (``EXPERIMENT.batches``)."""
    return module.EXPERIMENT.batches


def run_prepared(experiment, prepare, finish, given: dict):
    """``run``'s body for batchable experiments: resolve ``given``, prepare, run, finish."""
    p = experiment.resolve(given)
    prep = prepare(p)
    return finish(p, prep, prep.sim.run(prep.tstop))


def run_many(name: str, givens: Sequence[dict]) -> list:
    """Run experiment ``name`` at each parameter set of ``givens``; returns, in order, a Result or
    the ModelError/SimulationError that point raised."""
    from excitable import experiments

    module = experiments.get(name)
    if not batchable(module):
        return [_attempt(lambda g=g: module.run(**g)) for g in givens]
    out: list = [None] * len(givens)
    groups: dict[tuple, list] = {}
    for i, given in enumerate(givens):
        try:
            p = module.EXPERIMENT.resolve(given)
            prep = module.prepare(p)
            params = prep.sim.parameters()
            key, peaks = _signature(prep, params)
        except (ModelError, SimulationError) as e:
            out[i] = e
            continue
        groups.setdefault(key, []).append((i, p, prep, peaks, params))
    for members in groups.values():
        for (i, p, prep, *_), res in zip(members, _run_group(members)):
            out[i] = res if isinstance(res, Exception) else _attempt(lambda: module.finish(p, prep, res))
    return out


def _attempt(fn):
    try:
        return fn()
    except (ModelError, SimulationError) as e:
        return e


def _padded(n: int) -> int:
    return 1 << max(1, (n - 1).bit_length())


def _signature(prep: Prepared, params) -> tuple[tuple, np.ndarray]:
    """(what must agree for two points to share one batched run, each current clamp's peak |nA|)."""
    import jax

    sim = prep.sim
    if sim.plan.record_spikes:  # spike times come from unbatched runs only
        return ("alone", id(prep)), np.zeros(0)
    drive = sim.drive(prep.tstop)
    iclamp = drive.pop("iclamp")
    peaks = np.abs(iclamp).max(axis=0) if iclamp.size else np.zeros(iclamp.shape[1])
    shapes = iclamp / np.where(peaks > 0, peaks, 1.0)
    digest = hashlib.sha1()
    # Shapes to 12 digits: amplitudes a and b give the same shape up to rounding.
    digest.update(np.round(shapes, 12).tobytes())
    for k in sorted(drive):
        digest.update(k.encode() + np.ascontiguousarray(drive[k]).tobytes())
    key = (sim.plan.key(), jax.tree.structure(params), float(sim.dt), sim.method,
           float(prep.tstop), tuple(peaks > 0), digest.hexdigest())
    return key, peaks


def _run_group(members) -> list:
    """Each member's Result (or error): one batched run for two or more, else ``sim.run``."""
    import jax

    if len(members) == 1:
        prep = members[0][2]
        return [_attempt(lambda: prep.sim.run(prep.tstop, params=members[0][4]))]
    first, peaks0 = members[0][2], members[0][3]
    params = []
    for _, _, prep, peaks, q in members:
        # This point's waveform = the first point's waveform x (its peak / the first's peak).
        gain = np.where(peaks0 > 0, peaks / np.where(peaks0 > 0, peaks0, 1.0), 1.0)
        params.append({**q, "iclamp_amp": np.asarray(q["iclamp_amp"]) * gain})
    # Padded to a power of two with copies of the first point (their rows are dropped), so the
    # group sizes a sweep meets compile a handful of programs, not one per size.
    params += [params[0]] * (_padded(len(params)) - len(params))
    stacked = jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *params)
    try:
        res = first.sim.run_batch(first.tstop, stacked)
    except SimulationError:  # some point is unstable: find which, point by point
        return [_attempt(lambda prep=prep, q=q: prep.sim.run(prep.tstop, params=q)) for _, _, prep, _, q in members]
    from excitable.results import Result

    return [Result(t=res.t, traces={k: v[j] for k, v in res.traces.items()}, meta=dict(res.meta))
            for j in range(len(members))]
