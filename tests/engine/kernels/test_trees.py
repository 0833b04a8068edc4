"""The fused kernels for cables and trees against the ordinary ``lax.scan`` path, in both layouts:
one lane per cell (engine.kernels.lanes) and one program per cell, nodes across its threads
(engine.kernels.nodes), as engine.kernels.dispatch picks and runs them. Each test that runs a kernel runs it in both (the ``layout`` fixture).

Reference: ``Simulation.run_batch(kernel="scan")``, itself checked against NEURON and separate runs
(tests/reference, test_batch_and_grad.py). The kernel runs the engine's own channel code and the
same method, with the axial terms summed in another order, so in float64 the traces agree to
rounding (tolerance 1e-9 mV: far below any physical meaning, loose enough for sums taken in
another order) and every cell fires the same spikes. On the CPU the kernel runs in Pallas'
interpreter, which executes the kernel's own program (its layout, tree tables, level passes,
padding and time loop); on a GPU the same tests run the compiled kernel.
"""


import jax
import numpy as np
import pytest

import excitable as ex
from excitable.analysis import spike_times
from excitable.engine.batch import broadcast, with_param
from excitable.engine.kernels import dispatch
from excitable.engine.kernels.common import BLOCK, fusable_tree
from excitable.engine.kernels.dispatch import choose_layout, fused_tree_runner, use_fused
from excitable.engine.kernels.lanes import run_fused_tree
from excitable.engine.kernels.node_layout import node_layout
from excitable.engine.kernels.nodes import run_fused_nodes
from excitable.engine.grad import astype
from excitable.errors import ModelError
from excitable.physics.channels.pospischil import regular_spiking

TSTOP = 15.0
SWC = "simple"  # the shipped toy tree (excitable/data/morphologies/simple.swc)


@pytest.fixture(params=["lanes", "nodes"])
def layout(request, monkeypatch):
    """Run ``kernel="fused"`` in the given layout, whatever ``choose_layout`` would pick."""
    monkeypatch.setattr(dispatch, "choose_layout", lambda plan, layout="auto", batch=1: request.param)
    return request.param


def cable_batch(n=6, record=("HH.m", "HH.ina", "HH.gk", "i_ion", "i_cap", "iclamp[0]")):
    """HH cables of 15 compartments, stimulated at one end, V recorded at both ends; gNa from
    below to above the firing threshold of the stimulus, so some cells fire and some do not."""
    cell = ex.Cell(ex.Morphology.cylinder(length=300.0, diameter=2.0), nseg=15).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.3, delay=1.0, duration=20.0))
    sim.record("v", ex.Location(0, 0.0), label="v0").record("v", ex.Location(0, 1.0), label="v1")
    for name in record:
        sim.record(name)
    sites = cell.mechanism_sites("HH").size
    gna = np.repeat(np.linspace(15.0, 200.0, n)[:, None], sites, axis=1)
    return sim, with_param(broadcast(sim.parameters(), n), "HH.gNa", gna)


def branched_batch(n=3, method="euler"):
    """A soma with an axon and two dendrites (one branching), HH everywhere and an extra leak on
    the dendrites (a mechanism on part of the nodes), clamps at the soma and a dendrite tip."""
    b = ex.Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("axon", length=200.0, diameter=1.0, parent="soma", x=1.0)
    b.add("dend[0]", length=100.0, diameter=2.0, parent="soma", x=0.0)
    b.add("dend[1]", length=80.0, diameter=1.0, parent="dend[0]")
    b.add("dend[2]", length=60.0, diameter=1.0, parent="dend[0]")
    cell = ex.Cell(b.build(), nseg=3).insert(ex.HH()).insert(ex.Leak(g=0.2, e=-65.0), where="basal")
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0, method=method)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.15, delay=1.0, duration=20.0))
    sim.stimulate(ex.IClamp(ex.Location(3, 1.0), amplitude=0.02, delay=3.0, duration=5.0))
    sim.record("v").record("v", at="all").record("Leak.i", ex.Location(4, 0.5)).record("iclamp[1]")
    sites = cell.mechanism_sites("HH").size
    gna = np.repeat(np.linspace(60.0, 160.0, n)[:, None], sites, axis=1)
    return sim, with_param(broadcast(sim.parameters(), n), "HH.gNa", gna)


def assert_same(fused, scan, atol=1e-9):
    assert fused.traces.keys() == scan.traces.keys()
    for name in scan.traces:
        np.testing.assert_allclose(fused[name], scan[name], rtol=0, atol=atol, err_msg=name)


def spikes(result, label):
    return [spike_times(result.t, v) for v in result[label]]


def test_cable_batch_equals_scan_for_every_signal_and_spike(layout):
    sim, params = cable_batch()
    fused = sim.run_batch(TSTOP, params, kernel="fused")
    scan = sim.run_batch(TSTOP, params, kernel="scan")
    assert_same(fused, scan)
    for end in ("v0", "v1"):  # the same spikes, at the stimulated end and after propagation
        for a, b in zip(spikes(fused, end), spikes(scan, end)):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    counts = [len(s) for s in spikes(scan, "v1")]
    assert min(counts) == 0 and max(counts) >= 2  # the batch spans the threshold


@pytest.mark.parametrize("method", ["euler", "cn"])
def test_branched_cell_equals_scan(method, layout):
    sim, params = branched_batch(method=method)
    assert not sim.plan.is_chain and fusable_tree(sim.plan, params) is None
    fused = sim.run_batch(TSTOP, params, kernel="fused")
    scan = sim.run_batch(TSTOP, params, kernel="scan")
    assert_same(fused, scan)
    assert max(len(s) for s in spikes(scan, "v")) >= 1


def test_swc_cell_with_other_channels_equals_scan(layout):
    # A cell read from SWC (soma, two dendrites, two axon branches), one node per section, with
    # Pospischil's regular-spiking set (leak, Traub Na+ and K+, slow M-current: other gate laws)
    # at 36 degC.
    cell = ex.Cell.from_swc(SWC, nseg=1)
    for ch in regular_spiking().channels:
        cell.insert(ch)
    sim = ex.Simulation(cell, dt=0.025, temperature=36.0, v_init=-70.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.05, delay=1.0, duration=20.0))
    sim.record("v").record("v", at="all").record("KMYamada.p")
    params = broadcast(sim.parameters(), 2)
    fused = sim.run_batch(TSTOP, params, kernel="fused")
    scan = sim.run_batch(TSTOP, params, kernel="scan")
    assert_same(fused, scan)
    assert max(len(s) for s in spikes(scan, "v")) >= 1


def test_cells_of_a_network_without_synapses_run_as_one_forest(layout):
    # Three cells in one plan (several roots: a cable, a ball-and-stick, a single compartment),
    # started at rest (Newton on the steady-state current, integrate.initial_state).
    a = ex.Cell(ex.Morphology.cylinder(length=300.0, diameter=2.0), nseg=5).insert(ex.HH())
    b = ex.Cell(ex.Morphology.ball_and_stick(axon_length=200.0), nseg=3).insert(ex.HH())
    c = ex.Cell.cylinder().insert(ex.HH())
    sim = ex.Simulation(ex.Network([a, b, c]), dt=0.025, v_init="rest")
    sim.stimulate(ex.IClamp(b.soma, amplitude=0.5, delay=1.0, duration=5.0), cell=1)
    sim.stimulate(ex.IClamp(c.soma, amplitude=0.2, delay=1.0, duration=5.0), cell=2)
    sim.record("v", at="all")
    assert (sim.plan.parent < 0).sum() == 3
    params = broadcast(sim.parameters(), 2)
    assert_same(sim.run_batch(10.0, params, kernel="fused"), sim.run_batch(10.0, params, kernel="scan"))


def test_blocks_padding_and_stride():
    sim, params = cable_batch(n=7, record=())
    scan = sim.run_batch(TSTOP, params, stride=4, kernel="scan")
    # 7 cells in blocks of 3: three program instances, the last padded with copies of cell 6.
    rec = np.asarray(fused_tree_runner(sim.plan, dt=sim.dt, stride=4, block=3, interpret=True)(
        params, sim.drive(TSTOP)))
    assert rec.shape == (7, scan.t.size, 2)
    np.testing.assert_allclose(rec[..., 0], scan["v0"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec[..., 1], scan["v1"], rtol=0, atol=1e-9)


def test_nodes_layout_with_stride_and_a_forest_of_one_compartment_cells():
    # stride 3 over 600 steps; and a plan of three single compartments (three roots, no
    # coupling): every node a root, one level.
    sim, params = branched_batch(n=2)
    rec = np.asarray(jax.jit(lambda p, d: run_fused_nodes(sim.plan, p, d, dt=sim.dt, stride=3))(
        params, sim.drive(TSTOP)))
    scan = sim.run_batch(TSTOP, params, stride=3, kernel="scan")
    assert rec.shape == (2, scan.t.size, 3 + sim.plan.n)  # v, v_all, Leak.i, iclamp[1]
    np.testing.assert_allclose(rec[..., 0], scan["v"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(rec[..., 1:-2], scan["v_all"], rtol=0, atol=1e-9)
    cells = [ex.Cell.cylinder().insert(ex.HH()) for _ in range(3)]
    net = ex.Simulation(ex.Network(cells), dt=0.025, v_init=-65.0)
    for k, amp in enumerate((0.05, 0.1, 0.2)):
        net.stimulate(ex.IClamp(cells[k].soma, amplitude=amp, delay=1.0, duration=5.0), cell=k)
    net.record("v", at="all")
    assert node_layout(net.plan.parent).height == 1
    p2 = broadcast(net.parameters(), 2)
    rec = np.asarray(run_fused_nodes(net.plan, p2, net.drive(8.0), dt=net.dt))
    np.testing.assert_allclose(rec, net.run_batch(8.0, p2, kernel="scan")["v_all"], rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def ca1():
    """The benchmarks' CA1 cell (705 nodes at d_lambda = 0.1), HH everywhere."""
    return ex.Simulation(ex.Cell.from_swc("ca1-pyramidal", d_lambda=0.1).insert(ex.HH()))


@pytest.mark.parametrize("solver", ["levels", "pcr"])
def test_both_solvers_of_the_nodes_layout_on_a_forest_of_cables(solver):
    # Two cables of different lengths in one plan: a chain with a second root, which cyclic
    # reduction must keep apart (a zero coupling) and level passes see as two trees.
    a = ex.Cell(ex.Morphology.cylinder(length=300.0, diameter=2.0), nseg=15).insert(ex.HH())
    b = ex.Cell(ex.Morphology.cylinder(length=200.0, diameter=1.0), nseg=9).insert(ex.HH())
    sim = ex.Simulation(ex.Network([a, b]), dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.3, delay=1.0, duration=20.0), cell=0)
    sim.stimulate(ex.IClamp(ex.Location(0, 0.0), amplitude=0.1, delay=1.0, duration=20.0), cell=1)
    sim.record("v", at="all")
    assert sim.plan.is_chain and (sim.plan.parent < 0).sum() == 2
    params = with_param(broadcast(sim.parameters(), 2), "HH.gNa", np.array([[60.0], [160.0]]))
    rec = np.asarray(run_fused_nodes(sim.plan, params, sim.drive(TSTOP), dt=sim.dt, solver=solver))
    scan = sim.run_batch(TSTOP, params, kernel="scan")["v_all"]
    np.testing.assert_allclose(rec, scan, rtol=0, atol=1e-9)
    assert max(len(spike_times(np.arange(rec.shape[1]) * sim.dt, v)) for v in rec[:, :, -1]) >= 1


def test_layouts_levels_and_the_choice_between_them(ca1):
    parent = ca1.plan.parent
    lay = node_layout(parent)
    n = len(parent)
    # Independent of the layout's own height count: the longest path from the root, in nodes.
    depth = np.zeros(n, int)
    for i in range(1, n):
        depth[i] = depth[parent[i]] + 1
    assert lay.height == depth.max() + 1 and lay.height * 4 < n  # 62 levels for 705 nodes
    assert lay.size == 1024 and sorted(lay.order) == list(range(n))
    assert np.array_equal(lay.position[lay.order], np.arange(n))
    level = np.repeat(np.arange(lay.height), lay.count)  # the level of each position
    kids = lay.children[:, :n]
    for k in range(kids.shape[0]):  # every child sits in a lower level than its parent
        has = kids[k] >= 0
        assert (level[kids[k][has]] < level[np.nonzero(has)[0]]).all()
    up = lay.parent[:n]
    assert (level[up] > level)[parent[lay.order] >= 0].all()
    assert lay.width >= lay.count.max() and lay.width & (lay.width - 1) == 0
    # "auto": one program per cell for the branched cell, one lane per cell for a cable.
    assert choose_layout(ca1.plan) == "nodes"
    cable, _ = cable_batch(n=1, record=())
    small, _ = branched_batch(n=1)  # 18 nodes in 8 levels
    assert choose_layout(cable.plan) == "nodes" and node_layout(cable.plan.parent).solver == "pcr"
    assert choose_layout(small.plan) == "lanes" and choose_layout(small.plan, "nodes") == "nodes"
    # A batch that gives every multiprocessor a block of lanes takes lanes (132 on an H100).
    full = BLOCK * dispatch.multiprocessors()
    assert choose_layout(ca1.plan, batch=full - 1) == "nodes" and choose_layout(ca1.plan, batch=full) == "lanes"
    long = ex.Simulation(ex.Cell(ex.Morphology.cylinder(length=5000.0, diameter=1.0), nseg=2100))
    assert long.plan.n > 2047 and choose_layout(long.plan) == "lanes"  # more than one program takes
    with pytest.raises(ValueError, match="layout must be"):
        choose_layout(cable.plan, "rows")
    with pytest.raises(ValueError, match="unbranched cables only"):
        node_layout(small.plan.parent, "pcr")


def test_float32_runs_in_float32_as_the_scan_path_does(layout):
    sim, params = cable_batch(record=())
    p32 = astype(params, np.float32)
    fused = sim.run_batch(TSTOP, p32, kernel="fused")
    assert fused["v1"].dtype == np.float32
    # The same float32 arithmetic as the scan path, the axial sums in another order: rounding
    # (float32 eps x 65 mV ~ 4e-6 mV an operation) grown over 600 steps, most on the upstroke of
    # a spike, where dV/dt ~ 100 mV/ms turns a tiny time shift into a voltage difference
    # (measured 3e-4 mV; tolerance 2e-3 mV).
    assert_same(fused, sim.run_batch(TSTOP, p32, kernel="scan"), atol=2e-3)
    # Against float64: within the engine's stated float32 accuracy (0.011 mV, tests/workflows/test_fitting.py;
    # measured 7e-4 mV here, the scan path's own float32 run 4e-4 mV), with the same spikes.
    scan64 = sim.run_batch(TSTOP, params, kernel="scan")
    assert_same(fused, scan64, atol=0.011)
    assert [len(s) for s in spikes(fused, "v1")] == [len(s) for s in spikes(scan64, "v1")]


def test_models_the_kernel_does_not_take_say_why(monkeypatch, ca1):
    sim, _ = cable_batch(n=2, record=())
    sim.stimulate(ex.VClamp(ex.Location(0, 0.5), levels=((1.0, -65.0),)))
    assert fusable_tree(sim.plan) == "a voltage clamp"
    with pytest.raises(ModelError, match="kernel='fused' cannot run this model: a voltage clamp"):
        sim.run_batch(1.0, broadcast(sim.parameters(), 2), kernel="fused")
    single = ex.Simulation(ex.Cell.cylinder().insert(ex.HH()))
    assert "single compartment" in fusable_tree(single.plan)
    # "auto": the fused kernel on a GPU when the model allows it, the scan path otherwise.
    cable, cable_params = cable_batch(n=2, record=())
    assert use_fused(cable.plan, "auto", cable_params) == (jax.default_backend() == "gpu")
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert use_fused(cable.plan, "auto", cable_params)
    assert not use_fused(sim.plan, "auto", broadcast(sim.parameters(), 2))
    # One run of one cell: a kernel when one program takes the cell (a shallow branched tree, a
    # cable, a single compartment), not a small deep tree (one lane would walk its nodes alone).
    assert use_fused(ca1.plan, "auto", ca1.parameters(), batched=False)
    assert use_fused(ex.Simulation(ex.Cell.cylinder().insert(ex.HH())).plan, "auto", None, batched=False)
    assert use_fused(cable.plan, "auto", cable.parameters(), batched=False)
    small, _ = branched_batch(n=1)
    assert not use_fused(small.plan, "auto", small.parameters(), batched=False)


def test_one_run_of_one_cell_in_the_fused_kernel_equals_the_scan():
    sim, _ = branched_batch(n=1)
    fused, scan = sim.run(TSTOP, kernel="fused"), sim.run(TSTOP, kernel="scan")
    assert fused["v_all"].shape == scan["v_all"].shape == (scan.t.size, sim.plan.n)
    assert_same(fused, scan)
    assert len(spike_times(scan.t, scan["v"])) >= 1
    with pytest.raises(ModelError, match="kernel must be"):
        sim.run(1.0, kernel="gpu")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["lanes", "levels", "pcr"])
def test_the_kernel_lowers_for_cuda_gpus(triton_modules, dtype, kind):
    """Lowering for CUDA runs on any machine (no GPU needed): every operation of the kernel has a
    Triton lowering, and Triton's own verifier accepts the module (tensor sizes powers of two,
    operand types). What this cannot check is Triton's compilation to PTX, which needs a GPU.
    Kinds: one lane per cell; one program per cell with level passes, or cyclic reduction."""
    sim, params = cable_batch(n=256, record=()) if kind == "pcr" else branched_batch(n=256, method="cn")
    params = astype(params, dtype)
    for name in ("i_ion", "i_cap", "HH.m", "HH.ina", "HH.gk", "iclamp[0]"):
        sim.record(name)
    if kind != "lanes":
        f = jax.jit(lambda p, d: run_fused_nodes(sim.plan, p, d, dt=sim.dt, theta=0.5, stride=2,
                                                 interpret=False, solver=kind))
    else:
        f = jax.jit(lambda p, d: run_fused_tree(sim.plan, p, d, dt=sim.dt, theta=0.5, stride=2, block=128,
                                                interpret=False))
    lowered = f.trace(params, sim.drive(1.0)).lower(lowering_platforms=("cuda",))
    assert "xla.gpu.triton" in lowered.as_text()
    [module] = triton_modules
    with module.module.context:
        assert module.module.operation.verify()
