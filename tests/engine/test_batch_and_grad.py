"""The engine under jax.vmap (a batch equals separate runs) and jax.grad (equals finite differences)."""

import jax
import jax.numpy as jnp
import numpy as np

import excitable as ex
from excitable.engine.batch import broadcast, with_param


def hh_sim(tstop_pulse=1.0):
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=2.0,
                            duration=tstop_pulse))
    sim.record("v")
    return sim


def test_vmap_batch_equals_separate_runs():
    sim = hh_sim(1.0)
    base = sim.parameters()
    gna = np.array([80.0, 100.0, 120.0, 150.0])
    gk = np.array([30.0, 36.0, 40.0, 20.0])
    batch = with_param(with_param(broadcast(base, 4), "HH.gNa", gna[:, None]), "HH.gK", gk[:, None])
    together = sim.run_batch(20.0, batch)["v"]
    for i in range(4):
        single = sim.run(20.0, params=with_param(with_param(base, "HH.gNa", [gna[i]]), "HH.gK", [gk[i]]))["v"]
        # Same arithmetic in a different batch layout: the 1e-10 mV criterion.
        np.testing.assert_allclose(together[i], single, atol=1e-10, rtol=0)


def test_gradient_wrt_channel_densities_matches_finite_differences():
    sim = hh_sim(1.0)
    base = sim.parameters()
    f = sim.function(15.0)
    target = np.asarray(f(base))[:, 0]

    def loss(gna, gk):
        v = f(with_param(with_param(base, "HH.gNa", gna), "HH.gK", gk))[:, 0]
        return jnp.mean((v - target - 1.0) ** 2)  # a loss that is not at its minimum

    gna0, gk0 = jnp.array([110.0]), jnp.array([33.0])
    g_na, g_k = jax.grad(loss, argnums=(0, 1))(gna0, gk0)
    eps = 1e-4
    fd_na = (loss(gna0 + eps, gk0) - loss(gna0 - eps, gk0)) / (2 * eps)
    fd_k = (loss(gna0, gk0 + eps) - loss(gna0, gk0 - eps)) / (2 * eps)
    # Central differences in float64 have error ~ eps^2 * f''' + 1e-16/eps: 1e-6 relative is safe.
    np.testing.assert_allclose(float(g_na[0]), float(fd_na), rtol=1e-5)
    np.testing.assert_allclose(float(g_k[0]), float(fd_k), rtol=1e-5)
    assert abs(float(g_na[0])) > 1e-6  # a real, non-zero gradient


def test_unstable_run_stops_with_a_clear_error():
    cell = ex.Cell.cylinder().insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025)
    sim.record("v")
    p = sim.parameters()
    p["cm"] = jnp.array([np.nan])
    import pytest

    with pytest.raises(ex.SimulationError, match="numerically unstable"):
        sim.run(5.0, params=p)


def test_absurd_input_stops_with_a_clear_error_not_silly_numbers():
    # 1e12 uA/cm2 drives V to ~1e10 mV: nothing physical; the run must say so, not report it.
    cell = ex.Cell.cylinder().insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(1e12, cell.soma), delay=1.0, duration=1.0))
    sim.record("v")
    import pytest

    with pytest.raises(ex.SimulationError, match="V reached"):
        sim.run(5.0)


def test_one_bad_cell_in_a_batch_stops_the_run_with_a_clear_error():
    """The health checks' fast path (one sum, one min and one max over all recordings) still
    catches a single bad cell among healthy ones: NaN in one, an absurd stimulus in another."""
    import pytest

    from excitable.engine.batch import broadcast, with_param

    cell = ex.Cell.cylinder().insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=1.0, duration=1.0))
    sim.record("v")
    sim.record("HH.m")
    batch = broadcast(sim.parameters(), 5)
    with pytest.raises(ex.SimulationError, match="numerically unstable"):
        sim.run_batch(5.0, with_param(batch, "cm", np.array([[1.0], [1.0], [np.nan], [1.0], [1.0]])))
    with pytest.raises(ex.SimulationError, match="V reached"):
        sim.run_batch(5.0, with_param(batch, "iclamp_amp", np.array([[1.0], [1.0], [1.0], [1.0], [1e11]])))
    assert sim.run_batch(5.0, batch)["v"].shape == (5, 201)
