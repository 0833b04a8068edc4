"""The fused kernel for single compartments (engine.kernels.single) against the ordinary ``lax.scan`` path.

Reference: ``Simulation.run_batch(kernel="scan")``, itself checked against NEURON and separate runs
(tests/reference, test_batch_and_grad.py). The kernel's body is the same step function, so in
float64 the traces agree to rounding (tolerance 1e-9 mV: far below any physical meaning, and
loose enough for XLA to reassociate a sum differently) and every cell fires the same spikes. On
the CPU the kernel runs in Pallas' interpreter, which executes the kernel's own program (its block
layout, padding and time loop), so these tests check the kernel's logic; on a GPU the same tests
run the compiled kernel.
"""

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import spike_times
from excitable.engine.batch import broadcast, with_param
from excitable.engine.compiled import CompiledFunctions
from excitable.engine.kernels.common import fusable
from excitable.engine.kernels.single import fused_runner
from excitable.engine.grad import astype
from excitable.errors import ModelError
from excitable.physics.channels.pospischil import regular_spiking

TSTOP = 25.0


def hh_batch(n=7, channels=None, record=("v", "HH.m", "HH.ina", "HH.gk")):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0)
    for ch in channels or [ex.HH()]:
        cell.insert(ch)
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=2.0, duration=20.0))
    for name in record:
        sim.record(name)
    # gNa from below to above the firing threshold of this stimulus: some cells fire, some do not.
    params = broadcast(sim.parameters(), n)
    if channels is None:
        params = with_param(params, "HH.gNa", np.linspace(20.0, 160.0, n))
    return sim, params


def test_fused_equals_scan_for_every_signal_and_spike():
    sim, params = hh_batch()
    fused = sim.run_batch(TSTOP, params, kernel="fused")
    scan = sim.run_batch(TSTOP, params, kernel="scan")
    for name in scan.traces:
        np.testing.assert_allclose(fused[name], scan[name], rtol=0, atol=1e-9, err_msg=name)
    counts = [len(spike_times(scan.t, v)) for v in scan["v"]]
    assert counts == [len(spike_times(fused.t, v)) for v in fused["v"]]
    assert min(counts) == 0 and max(counts) >= 2  # the batch spans the threshold


def test_blocks_padding_and_stride():
    sim, params = hh_batch(n=7, record=("v",))
    scan = sim.run_batch(TSTOP, params, stride=4, kernel="scan")["v"]
    # 7 cells in blocks of 3: three program instances, the last padded with copies of cell 6.
    rec = np.asarray(fused_runner(sim.plan, dt=sim.dt, stride=4, block=3, interpret=True)(
        params, sim.drive(TSTOP)))
    assert rec.shape == (7, scan.shape[1], 1)
    np.testing.assert_allclose(rec[..., 0], scan, rtol=0, atol=1e-9)


def test_any_channel_runs_fused():
    # Pospischil's regular-spiking set (leak, Traub Na+ and K+, slow M-current): other gate laws.
    chans = regular_spiking().channels
    sim, params = hh_batch(n=3, channels=chans, record=("v", "KMYamada.p"))
    fused = sim.run_batch(TSTOP, params, kernel="fused")
    scan = sim.run_batch(TSTOP, params, kernel="scan")
    for name in scan.traces:
        np.testing.assert_allclose(fused[name], scan[name], rtol=0, atol=1e-9, err_msg=name)


def test_float32_runs_in_float32_as_the_scan_path_does():
    sim, params = hh_batch(n=4, record=("v",))
    p32 = astype(params, np.float32)
    fused = sim.run_batch(TSTOP, p32, kernel="fused")["v"]
    assert fused.dtype == np.float32
    # The same float32 arithmetic as the scan path (tolerance: rounding of a reassociated sum).
    np.testing.assert_allclose(fused, sim.run_batch(TSTOP, p32, kernel="scan")["v"], rtol=0, atol=1e-4)
    # And the engine's stated float32 accuracy against float64 (0.011 mV, tests/workflows/test_fitting.py),
    # with the same spikes.
    scan64 = sim.run_batch(TSTOP, params, kernel="scan")["v"]
    np.testing.assert_allclose(fused, scan64, rtol=0, atol=0.011)
    t = sim.dt * np.arange(fused.shape[1])
    assert [len(spike_times(t, v)) for v in fused] == [len(spike_times(t, v)) for v in scan64]


def test_models_the_kernel_does_not_take_say_why():
    cable = ex.Cell(ex.Morphology.cylinder(length=200.0, diameter=1.0), nseg=5).insert(ex.HH())
    sim = ex.Simulation(cable, dt=0.025)
    sim.record("v")
    assert "5 compartments" in fusable(sim.plan)  # the tree kernels' (tests/engine/kernels/test_trees.py)
    clamped, _ = hh_batch(n=1, record=("v",))
    clamped.stimulate(ex.VClamp(clamped.cell.soma, levels=((1.0, -65.0),)))
    with pytest.raises(ModelError, match="kernel='fused' cannot run this model: a voltage clamp"):
        clamped.run_batch(1.0, broadcast(clamped.parameters(), 2), kernel="fused")
    with pytest.raises(ModelError, match="kernel must be"):
        sim.run_batch(1.0, broadcast(sim.parameters(), 2), kernel="cuda")
    # "auto" off a GPU, or on a model the kernel does not take, is the scan path.
    assert sim.run_batch(1.0, broadcast(sim.parameters(), 2))["v"].shape == (2, 41)


def test_the_kernel_lowers_for_cuda_gpus(triton_modules):
    """Lowering for CUDA runs on any machine (no GPU needed): every operation of the kernel has a
    Triton lowering and Triton's own verifier accepts the module, so a GPU gets a compilable
    kernel rather than an error at its first run (compiling to PTX needs a GPU)."""
    import jax

    from excitable.engine.kernels.single import run_fused

    # Three recordings and more: one row per probe (a concatenation of three does not lower).
    sim, params = hh_batch(n=256, record=("v", "HH.m", "HH.ina", "i_ion"))
    f = jax.jit(lambda p, d: run_fused(sim.plan, p, d, dt=sim.dt, block=128, interpret=False))
    lowered = f.trace(params, sim.drive(2.0)).lower(lowering_platforms=("cuda",))
    assert "xla.gpu.triton" in lowered.as_text()
    # And the kernel that carries a tangent (forward-mode derivatives, fused_function).
    g = jax.jit(lambda p, t, d: run_fused(sim.plan, p, d, dt=sim.dt, block=128, interpret=False, tangents=t))
    g.trace(params, params, sim.drive(2.0)).lower(lowering_platforms=("cuda",))
    assert len(triton_modules) == 2
    for module in triton_modules:
        with module.module.context:
            assert module.module.operation.verify()


def test_auto_falls_back_to_the_scan_when_the_kernel_fails_on_the_device(monkeypatch):
    """The kernels have not run on every GPU: if one fails to compile or run there, "auto" warns
    once and runs lax.scan (the same numbers), and does not try that plan's kernel again;
    kernel="fused" raises the error."""
    import jax

    import excitable.engine.kernels.single as single
    from excitable.engine.kernels import dispatch

    sim, params = hh_batch(n=3, record=("v",))
    expected = sim.run_batch(3.0, params, kernel="scan")["v"]
    calls = []

    def broken(*args, **kw):
        calls.append(1)
        raise RuntimeError("Triton compilation failed\\n(details)")

    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")  # "auto" now wants the kernel
    monkeypatch.setattr(single, "fused_runner", broken)
    monkeypatch.setattr(dispatch, "FAILED", set())
    with pytest.warns(RuntimeWarning, match="fused kernel failed on this device .RuntimeError: Triton"):
        got = sim.run_batch(3.0, params)["v"]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(sim.run_batch(3.0, params)["v"], expected)  # no second attempt
    assert len(calls) == 1
    with pytest.raises(RuntimeError, match="Triton compilation failed"):
        sim.run_batch(3.0, params, kernel="fused")


def test_a_jax_without_pallas_triton_backend_runs_the_scan(monkeypatch):
    """JAX 0.11 deprecates Pallas' Triton backend, which every kernel is written for, and a later
    JAX will remove it. Then "auto" on a GPU must still run: each kernel's import of the backend
    fails, and the run warns and takes the scan, with the scan's numbers. Checked for the
    single-compartment kernel and for one program per cell (a cable), through ``Simulation.run``."""
    import sys

    import jax
    from jax.experimental import pallas

    import excitable.engine.kernels.single as single
    from excitable.engine.kernels import dispatch

    def simulation_of(cell):
        sim = ex.Simulation(cell.insert(ex.HH()), dt=0.025, temperature=6.3, v_init=-65.0)
        sim.stimulate(ex.IClamp(cell.soma, amplitude=1.0, delay=1.0, duration=1.0))
        sim.record("v")
        return sim

    sims = [simulation_of(ex.Cell.cylinder(length=20.0, diameter=20.0)),
            simulation_of(ex.Cell.cylinder(length=1000.0, diameter=1.0, nseg=20))]
    expected = [sim.run(5.0, kernel="scan")["v"] for sim in sims]
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    monkeypatch.setitem(sys.modules, "jax.experimental.pallas.triton", None)  # import fails
    monkeypatch.delattr(pallas, "triton", raising=False)
    for module in (single, dispatch):
        monkeypatch.setattr(module, "_RUNNERS", CompiledFunctions())  # trace the kernels anew
    monkeypatch.setattr(dispatch, "FAILED", set())
    assert sims[1].plan.n > 1 and dispatch.choose_layout(sims[1].plan) == "nodes"
    for sim, want in zip(sims, expected):
        with pytest.warns(RuntimeWarning, match=r"fused kernel failed on this device \(ModuleNotFoundError.*"
                                                r"pallas\.triton.*running lax\.scan instead"):
            got = sim.run(5.0)["v"]
        np.testing.assert_array_equal(got, want)


def test_forward_mode_derivatives_run_inside_the_kernel():
    """``Simulation.function(kernel="fused")``: ``jax.jvp`` runs the kernel once, the tangent
    carried beside the state. Reference: ``jax.jvp`` of the scan path's function (the same
    arithmetic, differentiated by JAX step by step; itself checked against finite differences
    in tests/workflows/test_fitting.py): equal to rounding (1e-9 mV, and 1e-9 relative for mV per mS/cm2)."""
    import jax
    import jax.numpy as jnp

    from excitable.engine.grad import value_and_grad

    sim, params = hh_batch(n=5, record=("v", "HH.ina"))
    fused = sim.function(TSTOP, batched=True, kernel="fused")
    scan = sim.function(TSTOP, batched=True)

    def zero(x):
        x = jnp.asarray(x)
        return jnp.zeros_like(x) if jnp.issubdtype(x.dtype, jnp.inexact) else np.zeros(x.shape, jax.dtypes.float0)

    tangent = with_param(jax.tree.map(zero, params), "HH.gK", jnp.ones((5, 1)))
    (rec, d_rec), (ref, d_ref) = jax.jvp(fused, (params,), (tangent,)), jax.jvp(scan, (params,), (tangent,))
    np.testing.assert_allclose(rec, ref, rtol=0, atol=1e-9)
    scale = np.abs(d_ref).max()
    assert scale > 1.0  # gK moves the traces: the comparison is not of zeros
    np.testing.assert_allclose(d_rec, d_ref, rtol=0, atol=1e-9 * scale)

    # Per-cell gradients of a loss over the batch, with respect to (gNa, gK): forward mode through
    # the kernel (the tangents vmapped over the kernel) equals reverse mode through the scan.
    target = np.asarray(ref[2, :, 0])

    def losses(x, f):  # one loss per cell, each from its own cell's trace
        p = with_param(with_param(params, "HH.gNa", x[:, :1]), "HH.gK", x[:, 1:])
        return jnp.mean((f(p)[..., 0] - target) ** 2, axis=1)

    x = jnp.stack([jnp.linspace(60.0, 160.0, 5), jnp.full(5, 30.0)], axis=1)
    values, grads = value_and_grad(lambda y: losses(y, fused), mode="forward", batched=True, vectorized=True)(x)
    ref_values, ref_grads = value_and_grad(lambda y: losses(y, scan), mode="reverse", batched=True,
                                           vectorized=True)(x)
    np.testing.assert_allclose(values, ref_values, rtol=1e-9)
    np.testing.assert_allclose(grads, ref_grads, rtol=1e-7, atol=1e-9 * np.abs(ref_grads).max())
    # No reverse mode through the kernel; and the kernel takes batches of single compartments only.
    with pytest.raises(ValueError, match="reverse-mode"):  # JAX: "... does not support reverse-mode autodiff"
        jax.grad(lambda y: losses(y, fused).sum())(x)
    with pytest.raises(ModelError, match="batched=True"):
        sim.function(TSTOP, kernel="fused")


def test_a_cell_started_at_rest_or_without_stimuli_runs_fused():
    # Both once failed to build: the resting state's Newton solve and an empty stimulus table
    # made the kernel capture constants (found by running the tour as a GPU would dispatch it).
    # Now the initial state is computed outside the kernel, by the engine's own function.
    for v_init, stimulate in (("rest", True), (-70.0, False)):
        cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
        sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=v_init)
        if stimulate:
            sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=2.0,
                                    duration=5.0))
        sim.record("v").record("HH.m")
        params = broadcast(sim.parameters(), 3)
        fused, scan = sim.run_batch(10.0, params, kernel="fused"), sim.run_batch(10.0, params, kernel="scan")
        for name in scan.traces:
            np.testing.assert_allclose(fused[name], scan[name], rtol=0, atol=1e-9, err_msg=f"{v_init} {name}")
        np.testing.assert_allclose(sim.run(10.0, kernel="fused")["v"], scan["v"][0], rtol=0, atol=1e-9)
