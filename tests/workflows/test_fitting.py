"""Fitting by gradient descent: recovery of known parameters, gradients vs finite differences,
checkpointed scans, parameter transforms, float32 vs float64, and the fit_hh example.

References: a synthetic trace made with known conductances (the fit must find them again: the issue's
2 % criterion), central finite differences for every gradient, and the float64 run for float32.
"""

import importlib.util
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast, with_param
from excitable.engine.grad import Bounds, astype, crossing_times, soft_count
from excitable.engine.integrate import compiled_runner
from excitable.workflows.features import Features
from excitable.workflows.fitting import fit, loss_function

TRUE = {"HH.gNa": 120.0, "HH.gK": 36.0, "HH.gL": 0.3}
BOUNDS = {"HH.gNa": (50.0, 250.0), "HH.gK": (10.0, 80.0), "HH.gL": (0.05, 1.0)}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fit_hh.py"


def protocol(v_init=-65.0):
    """A hyperpolarizing step (constrains the leak) and a suprathreshold pulse (Na+, K+)."""
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=v_init)
    nA = cell.density_to_nA(1.0, cell.soma)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=-3.0 * nA, delay=2.0, duration=5.0))
    sim.stimulate(ex.IClamp(cell.soma, amplitude=12.0 * nA, delay=12.0, duration=1.0))
    sim.record("v")
    return sim


def test_adam_recovers_gna_gk_gl_from_a_synthetic_trace():
    sim = protocol()
    target = sim.run(30.0)["v"]
    res = fit(sim, 30.0, BOUNDS, target=target, init={"HH.gNa": 100.0, "HH.gK": 30.0, "HH.gL": 0.25},
              steps=200, learning_rate=0.1)
    for name, true in TRUE.items():
        assert res.values[name] == pytest.approx(true, rel=0.02), res  # the criterion
    assert res.history[-1] < 1e-3 * res.history[0]
    np.testing.assert_allclose(sim.run(30.0, params=res.params)["v"], target, atol=0.5)


def test_spike_features_fit_recovers_gk_and_gl():
    sim = protocol(v_init="rest")
    nA = sim.cell.density_to_nA(1.0, sim.cell.soma)
    sim.stimulate(ex.IClamp(sim.cell.soma, amplitude=10.0 * nA, delay=15.0, duration=100.0))
    ref = sim.run(60.0)
    feat = Features.measure(ref.t, ref["v"], rest_window_ms=(0.0, 2.0))
    assert len(feat.spike_times_ms) >= 3 and feat.rest_mV == pytest.approx(-64.974, abs=1e-3)
    res = fit(sim, 60.0, {"HH.gK": (10.0, 80.0), "HH.gL": (0.05, 1.0)}, features=feat,
              init={"HH.gK": 30.0, "HH.gL": 0.4}, steps=100)
    assert res.values["HH.gK"] == pytest.approx(36.0, rel=0.02)
    assert res.values["HH.gL"] == pytest.approx(0.3, rel=0.02)


def test_gradient_through_checkpointed_run_and_features_matches_finite_differences():
    sim = protocol(v_init="rest")
    target = sim.run(25.0)["v"]
    feat = Features(spike_times_ms=[13.2], rest_mV=-64.0, rest_window_ms=(0.0, 2.0))
    f = jax.jit(loss_function(sim, 25.0, list(TRUE), target=target + 0.5, features=feat, checkpoint=30))
    x0 = {"HH.gNa": 110.0, "HH.gK": 33.0, "HH.gL": 0.32}
    g = jax.grad(f)(x0)
    for name, x in x0.items():
        eps = 1e-5 * x
        fd = (f({**x0, name: x + eps}) - f({**x0, name: x - eps})) / (2 * eps)
        # Central differences in float64: truncation ~eps^2 f''' and rounding ~1e-16 f / eps, both
        # below 1e-6 relative here.
        assert float(g[name]) == pytest.approx(float(fd), rel=1e-5), name
        assert abs(float(g[name])) > 1e-6


def test_checkpointed_scan_gives_the_same_run_with_sublinear_memory():
    sim = protocol()
    p = sim.parameters()
    memory = {}
    for name, tstop in (("plain", 25.0), ("ckpt", 25.0), ("ckpt", 100.0)):
        drive = {k: jnp.asarray(v) for k, v in sim.drive(tstop).items()}
        block = int(math.sqrt(len(drive["iclamp"]))) if name == "ckpt" else 0
        run = compiled_runner(sim.plan, dt=sim.dt, checkpoint=block)
        if (name, tstop) == ("ckpt", 25.0):  # forward values: bit for bit those of the plain scan
            assert np.array_equal(np.asarray(run(p, drive)[0])[:, 0], sim.run(tstop)["v"])

        def loss(cm, run=run, drive=drive):
            return jnp.mean(run({**p, "cm": cm}, drive)[0] ** 2)

        memory[name, tstop] = jax.jit(jax.grad(loss)).lower(p["cm"]).compile().memory_analysis().temp_size_in_bytes
    plain_per_step = memory["plain", 25.0] / 1000
    ckpt_per_step = (memory["ckpt", 100.0] - memory["ckpt", 25.0]) / 3000
    # Without checkpoints every step's state is kept (hundreds of bytes a step); with them what
    # grows is the recorded trace and its cotangent (a few 8-byte numbers a step).
    assert plain_per_step > 200 and ckpt_per_step < 40, (plain_per_step, ckpt_per_step)


def test_float32_spike_times_match_float64_within_one_step():
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=2.0, duration=1000))
    sim.record("v")
    sim.record_spikes()
    r64 = sim.run(1000.0)
    r32 = sim.run(1000.0, params=astype(sim.parameters(), jnp.float32))
    s64, s32 = r64.spikes[0], r32.spikes[0]
    # 1 s of repetitive firing (68 spikes): float32 round-off (1e-7 relative) accumulates in the
    # phase, yet every spike lands in the same step (NEURON-style times: within one dt, 0.025 ms).
    assert len(s64) == len(s32) == 68
    assert np.max(np.abs(s64 - s32)) <= 0.025 + 1e-9
    # Interpolated crossings agree to 1 us, the trace to 0.1 mV (steepest upstroke ~ 400 mV/ms x dt).
    t64, ok64 = crossing_times(jnp.asarray(r64["v"]), 0.025, max_count=80)
    t32, ok32 = crossing_times(jnp.asarray(r32["v"]), 0.025, max_count=80)
    assert np.max(np.abs(np.asarray(t64 - t32)[np.asarray(ok64)])) < 1e-3
    assert np.max(np.abs(r64["v"] - r32["v"])) < 0.1
    # The same in a batch of stimulus amplitudes (vmap), in chunks with a stride.
    batch = with_param(broadcast(sim.parameters(), 3), "iclamp_amp", np.array([[0.8], [1.0], [2.0]]))
    b64 = sim.run_batch(150.0, batch, stride=2)["v"]
    b32 = sim.run_batch(150.0, astype(batch, jnp.float32), stride=2)["v"]
    for v64, v32 in zip(b64, b32):
        (t64, ok64), (t32, ok32) = (crossing_times(jnp.asarray(v), 0.05, max_count=20) for v in (v64, v32))
        assert np.array_equal(ok64, ok32) and int(ok64.sum()) >= 5
        assert np.max(np.abs(np.asarray(t64 - t32))) < 1e-3


def test_bounds_map_to_unbounded_and_back():
    for b in (Bounds(10.0, 500.0), Bounds(-80.0, -40.0), Bounds(0.0, None), Bounds(None, None),
              Bounds(1.0, 5.0, scale="linear"), Bounds(None, 3.0)):
        for x in (0.5 * (max(b.lower, -100) + min(b.upper, 100)), min(b.upper, 100) - 1e-3):
            assert float(b.to_bounded(b.to_unbounded(x))) == pytest.approx(x, rel=1e-9, abs=1e-9)
        assert b.contains(float(b.to_bounded(jnp.asarray(30.0))))
    assert repr(Bounds(10, 500)) == "Bounds(10, 500, scale='log')"
    with pytest.raises(ex.ModelError, match="lower < upper"):
        Bounds(5, 1)
    assert float(soft_count(jnp.array([-60.0, 30.0, -60.0, 30.0, -60.0]))) == pytest.approx(2.0, abs=1e-6)


def test_fit_rejects_bad_requests_in_one_line():
    sim = protocol()
    with pytest.raises(ex.ModelError, match="unknown parameter 'HH.gCa'"):
        fit(sim, 5.0, {"HH.gCa": (1, 2)}, target=np.zeros(201))
    with pytest.raises(ex.ModelError, match="start value of HH.gNa"):
        fit(sim, 5.0, {"HH.gNa": (1, 2)}, target=np.zeros(201))
    with pytest.raises(ex.ModelError, match="shape"):
        fit(sim, 5.0, {"HH.gNa": (1, 200)}, target=np.zeros(10))
    with pytest.raises(ex.ModelError, match="target trace, features, or a loss"):
        fit(sim, 5.0, {"HH.gNa": (1, 200)})


def test_example_fits_a_noisy_passive_plus_hh_recording(capsys):
    spec = importlib.util.spec_from_file_location("fit_hh", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(seed=3, steps=30)  # another seed than the example's default noise
    # 1 mV noise on 1600 samples: the leak conductance is known to ~3 % (its statistical error),
    # the others to better than 1 %; the residual is the noise itself.
    for name, err in out["errors"].items():
        assert abs(err) < (0.05 if name == "Leak.g" else 0.01), (name, err)
    assert 0.9 < out["rms_mV"] < 1.1
    assert "HH.gNa" in capsys.readouterr().out


def test_several_starts_run_as_one_batch_and_keep_the_best():
    """A multi-start fit equals separate single-start fits from the same points (the vmapped
    optimizer is the same optimizer), and returns the best of them."""
    sim = protocol()
    target = sim.run(20.0)["v"]
    bounds = {"HH.gK": (10.0, 80.0), "HH.gL": (0.05, 1.0)}
    init = {"HH.gK": 20.0, "HH.gL": 0.6}
    multi = fit(sim, 20.0, bounds, target=target, init=init, steps=15, learning_rate=0.1, starts=3, seed=4)
    assert len(multi.starts) == 3 and multi.starts[0][2] == multi.loss
    assert any(start == pytest.approx(init, rel=1e-12) for start, _, _ in multi.starts)
    for start, best, loss in multi.starts:
        assert all(lo < start[k] < hi for k, (lo, hi) in bounds.items())
        single = fit(sim, 20.0, bounds, target=target, init=start, steps=15, learning_rate=0.1)
        assert single.loss == pytest.approx(loss, rel=1e-9)
        assert single.values == pytest.approx(best, rel=1e-9)
    assert multi.loss == min(loss for _, _, loss in multi.starts)
    assert len(multi.history) == 15 and multi.history.min() == multi.loss


def test_function_with_checkpoints_gives_the_same_values_and_gradients():
    sim = protocol()
    p = sim.parameters()
    plain, ckpt = sim.function(20.0), sim.function(20.0, checkpoint="auto")

    def loss(run, gk):
        return jnp.mean(run(with_param(p, "HH.gK", gk))[:, 0] ** 2)

    np.testing.assert_array_equal(np.asarray(plain(p)), np.asarray(ckpt(p)))
    g_plain, g_ckpt = jax.grad(lambda x: loss(plain, x))(36.0), jax.grad(lambda x: loss(ckpt, x))(36.0)
    assert float(g_ckpt) == pytest.approx(float(g_plain), rel=1e-10)
    with pytest.raises(ex.ModelError, match="checkpoint must be"):
        sim.function(20.0, checkpoint=-3)


def test_forward_mode_gradient_equals_reverse_mode_and_finite_differences():
    """engine.grad.value_and_grad: forward mode (one tangent per parameter) and reverse mode give
    the same value and gradient to rounding (both are exact derivatives of the same discrete run;
    1e-9 relative leaves room for a different summation order), and both match central finite
    differences (1e-5, as in the checkpointed test above); ``forward_differentiated`` makes
    ``jax.grad`` itself (what optax's line search calls) take the forward path."""
    from excitable.engine.grad import forward_differentiated, value_and_grad

    sim = protocol(v_init="rest")
    target = sim.run(25.0)["v"]
    f = loss_function(sim, 25.0, list(TRUE), target=target + 0.5, checkpoint=0)
    x0 = {"HH.gNa": 110.0, "HH.gK": 33.0, "HH.gL": 0.32}
    v_fwd, g_fwd = jax.jit(value_and_grad(f, mode="forward"))(x0)
    v_rev, g_rev = jax.jit(value_and_grad(f, mode="reverse"))(x0)
    g_wrapped = jax.jit(jax.grad(forward_differentiated(f)))(x0)
    f = jax.jit(f)
    assert float(v_fwd) == pytest.approx(float(v_rev), rel=1e-12)
    for name, x in x0.items():
        assert float(g_fwd[name]) == pytest.approx(float(g_rev[name]), rel=1e-9), name
        assert float(g_wrapped[name]) == pytest.approx(float(g_rev[name]), rel=1e-9), name
        eps = 1e-5 * x
        fd = (f({**x0, name: x + eps}) - f({**x0, name: x - eps})) / (2 * eps)
        assert float(g_fwd[name]) == pytest.approx(float(fd), rel=1e-5), name
    with pytest.raises(ex.ModelError, match="gradient mode must be one of"):
        value_and_grad(f, mode="sideways")


def test_per_cell_forward_gradients_of_a_batch_equal_the_reverse_gradient_of_its_sum():
    """value_and_grad(loss of one cell, batched=True) over a batch: each cell carries only its own
    parameters' tangents, and the result is the reverse-mode gradient of the batch's summed loss
    (to rounding, 1e-9 relative), in either mode, and that of ``jax.vmap`` of the unbatched form."""
    from excitable.engine.grad import value_and_grad

    sim = protocol()
    target = jnp.asarray(sim.run(15.0)["v"])
    one, batched = sim.function(15.0), sim.function(15.0, batched=True)
    p = sim.parameters()
    x = {"HH.gNa": jnp.linspace(80.0, 140.0, 5), "HH.gK": jnp.linspace(30.0, 40.0, 5)}

    def cell_loss(xc):
        q = with_param(with_param(p, "HH.gNa", xc["HH.gNa"] * jnp.ones(1)), "HH.gK", xc["HH.gK"] * jnp.ones(1))
        return jnp.mean((one(q)[:, 0] - target) ** 2)

    def batch_loss(x):
        q = with_param(broadcast(p, 5), "HH.gNa", x["HH.gNa"][:, None])
        return jnp.sum(jnp.mean((batched(with_param(q, "HH.gK", x["HH.gK"][:, None]))[..., 0] - target) ** 2, axis=1))

    total, g = jax.jit(jax.value_and_grad(batch_loss))(x)
    for how in (value_and_grad(cell_loss, mode="forward", batched=True),
                value_and_grad(cell_loss, mode="reverse", batched=True),
                jax.vmap(value_and_grad(cell_loss, mode="forward"))):
        values, per_cell = jax.jit(how)(x)
        assert values.shape == (5,) and float(values.sum()) == pytest.approx(float(total), rel=1e-12)
        for name in x:
            np.testing.assert_allclose(per_cell[name], g[name], rtol=1e-9)
            assert np.all(np.abs(g[name]) > 0)


def test_forward_mode_memory_does_not_grow_with_simulated_time():
    """Forward mode stores no states for a reverse pass: what grows with tstop is the recorded
    trace, its difference from the target and their two tangents (8 bytes x 3 x 2 = 48 bytes per
    sample; measured 51), not the hundreds of bytes per step a plain reverse pass keeps (466)."""
    from excitable.engine.grad import value_and_grad

    sim = protocol()
    memory = {}
    for tstop in (25.0, 100.0):
        f = loss_function(sim, tstop, ["HH.gNa", "HH.gK"], target=np.zeros(sim.n_steps(tstop) + 1), checkpoint=0)
        x = {"HH.gNa": 120.0, "HH.gK": 36.0}
        for mode in ("forward", "reverse"):
            compiled = jax.jit(value_and_grad(f, mode=mode)).lower(x).compile()
            memory[mode, tstop] = compiled.memory_analysis().temp_size_in_bytes
    per_step = {m: (memory[m, 100.0] - memory[m, 25.0]) / 3000 for m in ("forward", "reverse")}
    assert per_step["reverse"] > 200 and per_step["forward"] < 100, per_step


def test_fit_in_forward_and_reverse_mode_takes_the_same_steps():
    sim = protocol()
    target = sim.run(20.0)["v"]
    bounds = {"HH.gK": (10.0, 80.0), "HH.gL": (0.05, 1.0)}
    runs = {mode: fit(sim, 20.0, bounds, target=target, init={"HH.gK": 25.0, "HH.gL": 0.5}, steps=10,
                      learning_rate=0.1, gradient=mode) for mode in ("forward", "reverse", "auto")}
    for mode in ("forward", "auto"):
        np.testing.assert_allclose(runs[mode].history, runs["reverse"].history, rtol=1e-9)
        assert runs[mode].values == pytest.approx(runs["reverse"].values, rel=1e-9)
    with pytest.raises(ex.ModelError, match="fit: gradient must be one of"):
        fit(sim, 20.0, bounds, target=target, gradient="backwards")


def test_a_fit_in_the_fused_kernel_takes_the_same_steps():
    # Forward mode with the tangents inside the fused kernel (what kernel="auto" runs on a GPU;
    # here Pallas' interpreter) against the scan: the same iterations to rounding.
    sim = protocol()
    target = sim.run(20.0)["v"]
    bounds = {"HH.gK": (10.0, 80.0), "HH.gL": (0.05, 1.0)}
    runs = {kernel: fit(sim, 20.0, bounds, target=target, init={"HH.gK": 25.0, "HH.gL": 0.5}, steps=5,
                        learning_rate=0.1, gradient="forward", kernel=kernel) for kernel in ("fused", "scan")}
    np.testing.assert_allclose(runs["fused"].history, runs["scan"].history, rtol=1e-9)
    assert runs["fused"].values == pytest.approx(runs["scan"].values, rel=1e-9)
    with pytest.raises(ex.ModelError, match="kernel='fused' needs a forward-mode gradient"):
        fit(sim, 20.0, bounds, target=target, gradient="reverse", kernel="fused")
    with pytest.raises(ex.ModelError, match="fit: kernel must be"):
        fit(sim, 20.0, bounds, target=target, kernel="gpu")
