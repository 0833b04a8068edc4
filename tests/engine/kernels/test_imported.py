"""Imported NMODL mechanisms in the fused GPU kernels, one file per way NEURON solves a step that
needs a linear system: KINETIC ``sparse`` linear in its states (nm_kinetic: one Newton step) and
nonlinear (nm_steady: NEURON's clipped loop, with its convergence count), ``derivimplicit``
(nm_implicit: NEURON's Newton loop with a finite-difference Jacobian rebuilt only where needed) and
a LINEAR block solved in BREAKPOINT (nm_linear_bp). Their solves are written as tuples of site
arrays (io/nmodl/site_systems.py) and branch-free inside a kernel (backends.kernel_body), because
Pallas' Triton backend refuses what the vectorized form used (``stack``, ``slice``, LAPACK's LU,
``reduce_or``, a cond under vmap).

Two checks, neither needing a GPU:
- the kernels lower for CUDA and Triton's own verifier accepts each module (as test_single.py and
  test_trees.py check for HH); compiling to PTX needs a GPU and is not checked here;
- in Pallas' interpreter the single-compartment kernel runs its own program (the branch-free
  form) and gives the scan's numbers (the scan is the path checked against NEURON in
  tests/io/nmodl): the same arithmetic in another loop, so the difference is round-off; 1e-9 in
  mV and in the states (fractions of 1) is far below any physical meaning.
"""

import jax
import numpy as np
import pytest

import excitable as ex
from excitable import load_mod
from excitable.engine.batch import broadcast, with_param
from excitable.engine.kernels.lanes import run_fused_tree
from excitable.engine.kernels.nodes import run_fused_nodes
from excitable.engine.kernels.single import run_fused
from tests.io.nmodl.neuron_side import mod_file

# load_mod parses with NEURON's NMODL framework (the wheel, a test dependency: always here in CI; a
# GPU machine without it runs the other kernel tests, benchmarks/gpu_session.sh)
pytest.importorskip("neuron")

#: file -> (its parameters, the traces recorded besides v)
FILES = {
    "nm_kinetic": ({"gbar": 0.02}, ("nm_kinetic.O", "nm_kinetic.I", "nm_kinetic.ik")),
    "nm_steady": ({"k1": 0.5, "k3": 0.2}, ("nm_steady.A", "nm_steady.C", "nm_steady.D")),
    "nm_implicit": ({"g": 0.002}, ("nm_implicit.p", "nm_implicit.q")),
    "nm_linear_bp": ({"gbar": 0.01}, ("nm_linear_bp.O", "nm_linear_bp.B")),
    "nm_nonlinear_bp": ({"gbar": 0.01}, ("nm_nonlinear_bp.free", "nm_nonlinear_bp.bound")),
}


def one_compartment(name, n=2):
    params, traces = FILES[name]
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH()).insert(load_mod(mod_file(name))(**params))
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(15.0, cell.soma), delay=0.5, duration=5.0))
    for trace in ("v",) + traces:
        sim.record(trace)
    # one cell that fires and one that does not: both branches of every per-site choice
    return sim, with_param(broadcast(sim.parameters(), n), "HH.gNa", np.linspace(20.0, 120.0, n))


def cable(name, n=4):
    params, traces = FILES[name]
    b = ex.Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("dend", length=150.0, diameter=2.0, parent="soma", x=0.0)
    cell = ex.Cell(b.build(), nseg=3).insert(ex.HH()).insert(load_mod(mod_file(name))(**params), where="basal")
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0, method="cn")
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.2, delay=0.5, duration=5.0))
    sim.record("v")
    sim.record(traces[0], ex.Location(1, 0.5))
    return sim, broadcast(sim.parameters(), n)


def verified(modules):
    assert modules, "no Triton module was lowered"
    for module in modules:
        with module.module.context:
            assert module.module.operation.verify()
    return True


@pytest.mark.parametrize("name", list(FILES))
def test_the_kernels_lower_for_cuda_gpus(triton_modules, name):
    """The single-compartment kernel and the tree kernels (one lane per cell; one program per cell
    with level passes) with the mechanism: lowered for CUDA, each module verified by Triton."""
    sim, params = one_compartment(name, n=4)
    f = jax.jit(lambda p, d: run_fused(sim.plan, p, d, dt=sim.dt, block=4, interpret=False))
    assert "xla.gpu.triton" in f.trace(params, sim.drive(1.0)).lower(lowering_platforms=("cuda",)).as_text()
    tree, tree_params = cable(name)
    lanes = jax.jit(lambda p, d: run_fused_tree(tree.plan, p, d, dt=tree.dt, theta=0.5, stride=2, block=4,
                                                interpret=False))
    levels = jax.jit(lambda p, d: run_fused_nodes(tree.plan, p, d, dt=tree.dt, theta=0.5, stride=2,
                                                  interpret=False, solver="levels"))
    for g in (lanes, levels):
        g.trace(tree_params, tree.drive(1.0)).lower(lowering_platforms=("cuda",))
    assert len(triton_modules) == 3 and verified(triton_modules)


@pytest.mark.parametrize("name", list(FILES))
def test_the_kernel_gives_the_scans_numbers(name):
    """In Pallas' interpreter: every recorded trace of both cells equal to the scan's (1e-9); the
    stimulus makes one of them fire (the mechanism's states then move far from rest)."""
    sim, params = one_compartment(name)
    fused = sim.run_batch(6.0, params, kernel="fused")
    scan = sim.run_batch(6.0, params, kernel="scan")
    for trace in scan.traces:
        np.testing.assert_allclose(fused[trace], scan[trace], rtol=0, atol=1e-9, err_msg=trace)
    assert np.max(scan["v"][1]) > 0.0 > np.max(scan["v"][0])  # one spike, one not


def test_float32_batches_run_in_float32():
    """A float32 batch (the GPU's fast type) stays float32 through the solves (the states were
    made float64 there, and the scan refused the batch for its mixed carry): the scan and the
    kernel each within 1e-3 of every trace's scale of the float64 run (float32 round-off, 1.2e-7,
    grown over 240 steps and a spike: 5e-5 found, so a wrong constant or a lost digit of a rate
    would show). derivimplicit's stop rules are NEURON's float64 tolerances, which float32 may
    never meet: that run is refused in one line saying so."""
    from excitable.engine.grad import astype
    from excitable.errors import ModelError

    for name in ("nm_kinetic", "nm_steady", "nm_linear_bp"):
        sim, params = one_compartment(name)
        double = sim.run_batch(6.0, params, kernel="scan")
        for kernel in ("scan", "fused"):
            single = sim.run_batch(6.0, astype(params, np.float32), kernel=kernel)
            for trace in double.traces:
                assert single[trace].dtype == np.float32
                scale = np.max(np.abs(double[trace])) + np.ptp(double[trace])
                np.testing.assert_allclose(single[trace], double[trace], rtol=0, atol=1e-3 * scale,
                                           err_msg=f"{name} {kernel} {trace}")
    sim, params = one_compartment("nm_implicit")
    with pytest.raises(ModelError, match=r"^batch element 0 of 2: nm_implicit\[0\]: .*float32 round-off may never "
                                         r"meet them; run this model in float64$"):
        sim.run_batch(6.0, astype(params, np.float32), kernel="scan")
