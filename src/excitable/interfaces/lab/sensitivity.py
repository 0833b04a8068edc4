"""Which knob matters: relative sensitivities d ln(y) / d ln(p) = (p / y) dy/dp of a page's headline
number y to each parameter p, by gradients THROUGH THE SIMULATION (forward mode: one tangent per
parameter carried through the run), each beside its central finite difference.

- action-potential: the simulation the page runs (its protocol's ``prepare``), as a pure function
  of its parameter pytree (``Simulation.function``). gNa_scale and gK_scale scale every Na+ / K+
  conductance of the pytree (as ``common.models.scale_conductances`` does), amplitude scales the
  clamp's gain, temperature is the pytree's celsius. The targets are smooth functions of the
  samples: the peak is the value at the argmax (max is differentiable there), the time to spike
  is the first upward crossing of 0 mV interpolated between the two samples that bracket it
  (``engine.grad.crossing_times``).
- resting-potential: the GHK voltage equation in closed form (``physics.ions.ghk_voltage``).
- propagation: the velocity through the page's axon (``_velocity_function``), by diameter, axial
  resistivity and temperature.

The finite differences change p by a factor 1 +- ``H`` (1e-4: a truncation error ~H² ≈ 1e-8 of the
derivative, a rounding error ~1e-16 / 1e-4 = 1e-12 in float64) and use the same function.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

from excitable.interfaces.lab.api import ApiError
from excitable.interfaces.lab.targets import Target, targets_of

#: Relative step of the central finite differences.
H = 1e-4


def target(name: str, key) -> Target:
    """The target ``key`` of experiment ``name`` (the first when None); 422 naming "target"."""
    found = targets_of(name)
    if not found:
        raise ApiError(422, f"{name} has no sensitivity targets; these pages do: "
                            f"{', '.join(_pages())}", "target")
    if key is None:
        return found[0]
    for t in found:
        if t.key == key:
            return t
    raise ApiError(422, f"target must be one of {', '.join(t.key for t in found)}, got {key!r:.60}", "target")


def _pages() -> list[str]:
    from excitable.interfaces.lab.targets import TARGETS

    return list(TARGETS)


def rank(exp, values, tgt: Target) -> dict:
    """The page's sensitivity panel (docs/lab-api.md, POST /api/sensitivity)."""
    t0 = time.perf_counter()
    fn, p0, labels, index = _MODELS[exp.name](values, tgt)
    value, grads, fds = _derivatives(fn, p0, index)
    rows = []
    for k, name in enumerate(labels):
        scale = p0[k] / value if value else float("nan")
        param = exp.params[name]
        rows.append({"param": name, "label": param.help or name, "unit": param.unit or "",
                     "value": float(p0[k]), "relative": float(grads[k] * scale),
                     "finite_difference": float(fds[k] * scale)})
    rows.sort(key=lambda r: -abs(r["relative"]) if np.isfinite(r["relative"]) else 0.0)
    return {"target": tgt.key, "label": tgt.label, "unit": tgt.unit, "value": float(value), "rows": rows,
            "elapsed_ms": round((time.perf_counter() - t0) * 1e3, 2)}


def _derivatives(fn, p0: np.ndarray, index: int):
    """y(p0), dy/dp by forward mode, and dy/dp by central differences of relative step H, where y
    is entry ``index`` of the vector ``fn(p)`` (the targets of one page share one compilation).

    All of it is one program (``_program``): a batch of forward-mode runs whose first n points carry
    the unit tangents (the gradient) and whose last 2n are the difference points p0 +- h e_k (their
    primal values; zero tangents). One compilation instead of two (the Jacobian and ``fn``)."""
    import jax.numpy as jnp

    n = len(p0)
    steps = H * np.where(np.abs(p0) > 0, np.abs(p0), 1.0)
    xs = np.concatenate([np.tile(p0, (n, 1)), p0 + np.diag(steps), p0 - np.diag(steps)])
    vs = np.concatenate([np.eye(n), np.zeros((2 * n, n))])
    ys, ts = _program(fn)(jnp.asarray(xs, dtype=float), jnp.asarray(vs, dtype=float))
    ys, ts = np.asarray(ys)[:, index], np.asarray(ts)[:, index]
    return float(ys[0]), ts[:n], (ys[n:2 * n] - ys[2 * n:]) / (2 * steps)


@lru_cache(maxsize=32)
def _program(fn):
    """(values, tangents) of ``fn`` at a batch of points, each with its own tangent, jitted."""
    import jax

    return jax.jit(jax.vmap(lambda x, v: jax.jvp(fn, (x,), (v,))))


def _action_potential(values, tgt: Target):
    """(y(p) for p = [gNa_scale, gK_scale, amplitude, temperature], p0, the parameter names)."""
    # pronase is another model (h held at 1), not a scaling of this one: part of the compiled function's key
    fixed = (*(values[k] for k in ("model", "delay", "pulse", "tstop", "dt")), bool(values.get("no_inactivation")))
    y, amplitude, temperature = _spike_function(fixed)
    amp = amplitude if values.amplitude is None else values.amplitude
    temp = temperature if values.temperature is None else values.temperature
    p0 = np.array([values.gNa_scale, values.gK_scale, amp, temp], float)
    return y, p0, ["gNa_scale", "gK_scale", "amplitude", "temperature"], _SPIKE_TARGETS.index(tgt.key)


#: The entries of the action potential's target vector.
_SPIKE_TARGETS = ("peak_mV", "crossing_0mV_after_stimulus_ms")


@lru_cache(maxsize=16)
def _spike_function(fixed: tuple):
    """y(p) = [peak, time to spike], jitted, for the model and protocol ``fixed`` (model, delay, pulse, tstop, dt,
    no_inactivation): one
    compilation per page setting, every slider of the ranking then reuses it. Returns (y, the
    default amplitude and temperature the pytree was built with)."""
    import jax
    import jax.numpy as jnp

    from excitable.engine.grad import crossing_times
    from excitable.experiments.excitability import action_potential as protocol

    model, delay, pulse, tstop, dt, no_inactivation = fixed
    from excitable.experiments.common.models import pulse_simulation

    base = protocol.EXPERIMENT.resolve({"model": model, "delay": delay, "pulse": pulse, "tstop": tstop, "dt": dt,
                                        "no_inactivation": no_inactivation})
    protocol.prepare(base)  # the page's own checks (a tstop before the stimulus: its one-line error)
    # The page's simulation (unscaled conductances: the pytree is scaled below) recording V alone:
    # the derivatives of 15 recorded signals cost ~4x the compile and run time for nothing.
    sim, _, temperature, amplitude = pulse_simulation(base)
    sim.record("v")
    f, ref = sim.function(base.tstop), sim.parameters()

    def scaled(p):
        def leaf(path, x):  # the rule of common.models.scale_conductances, on the pytree
            field = str(getattr(path[-1], "name", getattr(path[-1], "key", ""))).lower()
            if not any(getattr(k, "key", None) == "channels" for k in path) or not field.startswith("g"):
                return x
            if "na" in field:
                return x * p[0]
            return x * p[1] if field[1:] in ("k", "kd", "m") else x

        tree = jax.tree_util.tree_map_with_path(leaf, ref)
        return {**tree, "iclamp_amp": ref["iclamp_amp"] * p[2] / amplitude, "celsius": p[3]}

    def y(p):
        v = f(scaled(p))[:, 0]  # V, the only recording
        times, valid = crossing_times(v, dt, 0.0, max_count=4)
        return jnp.stack([v[jnp.argmax(v)], jnp.where(valid[0], times[0], jnp.nan) - delay])

    return jax.jit(y), amplitude, temperature


def _resting_potential(values, tgt: Target):
    """(V_GHK(p) for p = the concentrations, permeabilities and temperature, p0, the names)."""
    names = tuple(tgt.params)
    return _ghk_function(names), np.array([values[k] for k in names], float), list(names), 0


@lru_cache(maxsize=4)
def _ghk_function(names: tuple):
    import jax
    import jax.numpy as jnp

    from excitable.physics.ions import ghk_voltage

    def y(p):
        q = dict(zip(names, p))
        v = ghk_voltage(jnp.stack([q["pk"], q["pna"], q["pcl"]]), jnp.stack([q["ki"], q["nai"], q["cli"]]),
                        jnp.stack([q["ko"], q["nao"], q["clo"]]), jnp.array([1, 1, -1]), q["temperature"])
        return v[None]

    return jax.jit(y)


def _propagation(values, tgt: Target):
    """(velocity(p) for p = [diameter_um, ra, temperature], p0, the names)."""
    from excitable.experiments.cables import propagation as protocol

    p = values.replace(**{k: v for k, v in protocol.PRESETS[values.preset].items() if values.get(k) is None})
    fixed = tuple(sorted((k, v) for k, v in p.items() if k not in ("diameter_um", "ra", "temperature")))
    y = _velocity_function(fixed, p.diameter_um, p.ra, p.temperature)
    return y, np.array([p.diameter_um, p.ra, p.temperature], float), ["diameter_um", "ra", "temperature"], 0


@lru_cache(maxsize=8)
def _velocity_function(fixed: tuple, diameter_um: float, ra: float, temperature: float):
    """The velocity (m/s) of the propagation page as a function of [diameter, ra, temperature]:
    the page's axon, stimulus and recording sites; a change of diameter by a factor s scales every
    compartment's area by s and its axial conductance by s² (a cylinder: pi d L and pi d² / 4 ra L),
    of ra by s the axial conductance by 1/s. The stimulus (nA) and tstop stay those of ``p0`` (the
    experiment's defaults for them follow the diameter). The velocity is the least-squares slope of
    the arrival times (interpolated 0-mV crossings) between 25 and 75 % of the length, as
    ``propagation.measure`` fits it."""
    import jax
    import jax.numpy as jnp

    from excitable.engine.grad import crossing_times
    from excitable.experiments.cables import propagation as protocol
    from excitable.experiments.base import Values
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp, Location

    p = Values({**dict(fixed), "diameter_um": diameter_um, "ra": ra, "temperature": temperature})
    cell, stim_at, axon = protocol.build(p)
    amp = p.amplitude_nA if p.amplitude_nA is not None else protocol.default_amplitude(p, cell, stim_at)
    tstop = p.tstop or protocol.DELAY_MS + 3.0 + 2.0 * p.length_um / (1000.0 * protocol._velocity_guess(p))
    sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init="rest")
    sim.stimulate(IClamp(stim_at, amplitude=amp, delay=protocol.DELAY_MS, duration=p.pulse))
    comp = cell.compartments
    on_axon = np.nonzero((comp.section == axon) & (comp.area_um2 > 0))[0]
    picks = on_axon[np.unique(np.round(np.linspace(0, len(on_axon) - 1, p.n_sites)).astype(int))]
    x_um = comp.x[picks] * p.length_um
    for x in comp.x[picks]:
        sim.record("v", Location(axon, float(x)))
    window = (x_um >= 0.25 * p.length_um) & (x_um <= 0.75 * p.length_um)
    xw = jnp.asarray(x_um[window])
    f, ref, dt = sim.function(tstop), sim.parameters(), sim.dt

    def y(q):
        s_d, s_ra = q[0] / diameter_um, q[1] / ra
        params = {**ref, "area": ref["area"] * s_d, "g_axial": ref["g_axial"] * s_d**2 / s_ra, "celsius": q[2]}
        v = f(params)[:, np.flatnonzero(window)]
        arrival = jax.vmap(lambda col: crossing_times(col, dt, 0.0, max_count=2)[0][0], in_axes=1)(v)
        xm, am = jnp.mean(xw), jnp.mean(arrival)
        slope = jnp.sum((xw - xm) * (arrival - am)) / jnp.sum((xw - xm) ** 2)  # ms per µm
        return (1e-3 / slope)[None]  # µm/ms -> m/s

    return jax.jit(y)


_MODELS = {"action-potential": _action_potential, "resting-potential": _resting_potential,
           "propagation": _propagation}
