"""Representative runs whose numbers must never change while code moves (golden traces).

Each case builds a model through the public API, runs it, and returns named float64 arrays. The
arrays were stored once by ``python -m tests.golden.make`` from the code before the restructuring
(the commit is written into the file), and ``test_golden.py`` compares every later version with
them to 1e-12: a refactor that changes no arithmetic reproduces them to rounding, anything else fails.

Cases: one HH compartment (V and gates, Euler and Crank-Nicolson), an axon, a branched SWC cell, a
synapse, a small network with spikes, ion pools with the Na/K pump, a batch, and a gradient.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DT = 0.025


def _hh_compartment(method: str = "euler"):
    import excitable as ex

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, method=method)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=2.0,
                            duration=1.0))
    for signal in ("v", "HH.m", "HH.h", "HH.n", "HH.ina", "HH.ik"):
        sim.record(signal)
    return sim


def single_compartment() -> dict[str, np.ndarray]:
    res = _hh_compartment().run(15.0)
    return {k: res[k] for k in ("v", "HH.m", "HH.h", "HH.n", "HH.ina", "HH.ik")} | {"t": res.t}


def single_compartment_cn() -> dict[str, np.ndarray]:
    res = _hh_compartment("cn").run(15.0)
    return {"v": res["v"], "HH.m": res["HH.m"]}


def axon() -> dict[str, np.ndarray]:
    import excitable as ex
    from excitable.model.morphology import Morphology

    cell = ex.Cell(Morphology.ball_and_stick(soma_diameter=20.0, axon_length=2000.0, axon_diameter=2.0),
                   d_lambda=0.1).insert(ex.HH())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=1.0, delay=1.0, duration=1.0))
    for x in (0.0, 0.5, 1.0):
        sim.record("v", at=ex.Location("axon", x), label=f"v_axon_{x:g}")
    sim.record("v", label="v_soma")
    sim.record("HH.h", at=ex.Location("axon", 0.5), label="h_axon_0.5")
    res = sim.run(12.0)
    return {k: res[k] for k in ("v_soma", "v_axon_0", "v_axon_0.5", "v_axon_1", "h_axon_0.5")}


def swc_tree(swc_path: str | Path) -> dict[str, np.ndarray]:
    import excitable as ex

    cell = ex.Cell.from_swc(swc_path, d_lambda=0.1)
    cell.insert(ex.Leak(g=0.0001, e=-65.0)).insert(ex.HH(), where="soma")
    sim = ex.Simulation(cell, dt=DT, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=2.0, delay=1.0, duration=2.0))
    sim.record("v", label="v_soma")
    sim.record("HH.n", label="n_soma")
    apical = next(s.name for s in cell.morphology.sections if s.name.startswith("apic"))
    sim.record("v", at=ex.Location(apical, 1.0), label="v_apical_end")
    res = sim.run(8.0)
    return {k: res[k] for k in ("v_soma", "n_soma", "v_apical_end")}


def synapse() -> dict[str, np.ndarray]:
    import excitable as ex
    from excitable.model.network import Network
    from excitable.physics.receptors import AMPA, Exp2Syn

    net = Network([ex.Cell.cylinder().insert(ex.HH()), ex.Cell.cylinder().insert(ex.Leak(g=0.05, e=-70.0))])
    net.connect(0, 1, Exp2Syn(tau1=0.5, tau2=2.0), delay=1.3, weight=0.001, t_max=0.0, pulse=0.0)
    net.connect(0, 1, AMPA(gmax=0.002), delay=2.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    c0 = net.cells[0]
    sim.stimulate(ex.IClamp(c0.soma, amplitude=c0.density_to_nA(10.0, c0.soma), delay=2.0, duration=1.0),
                  cell=0)
    sim.record("Exp2Syn[0].g", label="g_exp2syn")
    sim.record("v", at=ex.model.network.Site(1, ex.Location()), label="v_post")
    res = sim.run(15.0)
    return {"g_exp2syn": res["g_exp2syn"], "v_post": res["v_post"]}


def network() -> dict[str, np.ndarray]:
    import excitable as ex
    from excitable.model.network import Network, Site
    from excitable.physics.receptors import AMPA

    net = Network([ex.Cell.cylinder().insert(ex.HH()) for _ in range(4)])
    net.connect_rule(range(4), range(4), AMPA(gmax=0.02), rule="list",
                     pairs=[(0, 1), (1, 2), (2, 3), (3, 0)], delay=1.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    c0 = net.cells[0]
    sim.stimulate(ex.IClamp(c0.soma, amplitude=c0.density_to_nA(10.0, c0.soma), delay=1.0, duration=1.0),
                  cell=0)
    for i in range(4):
        sim.record("v", at=Site(i, ex.Location()), label=f"v{i}")
    sim.record_spikes()
    res = sim.run(30.0)
    out = {f"v{i}": res[f"v{i}"] for i in range(4)}
    for i in range(4):
        out[f"spikes{i}"] = np.asarray(res.spikes.get(i, []), dtype=float)
    return out


def ions_and_pump() -> dict[str, np.ndarray]:
    import excitable as ex
    from excitable.physics.pumps import NaKPump

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())
    cell.insert(NaKPump())
    cell.add_ions("na", ci=10.0, co=140.0)
    cell.add_ions("k", ci=140.0, co=5.0)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(20.0, cell.soma), delay=1.0,
                            duration=10.0))
    for signal in ("v", "ci:na", "ci:k", "NaKPump.ipump"):
        sim.record(signal)
    res = sim.run(20.0)
    return {k: res[k] for k in ("v", "ci:na", "ci:k", "NaKPump.ipump")}


def batch() -> dict[str, np.ndarray]:
    from excitable.engine.batch import broadcast, with_param

    sim = _hh_compartment()
    gna = np.array([80.0, 120.0, 160.0])
    params = with_param(broadcast(sim.parameters(), 3), "HH.gNa", gna[:, None])
    res = sim.run_batch(15.0, params)
    return {"v": np.asarray(res["v"]), "HH.n": np.asarray(res["HH.n"])}


def gradient() -> dict[str, np.ndarray]:
    import jax
    import jax.numpy as jnp

    from excitable.engine.batch import with_param

    sim = _hh_compartment()
    base = sim.parameters()
    f = sim.function(10.0)

    def loss(gna, gk):
        v = f(with_param(with_param(base, "HH.gNa", gna), "HH.gK", gk))[:, 0]
        return jnp.mean((v + 20.0) ** 2)

    value, (g_na, g_k) = jax.value_and_grad(loss, argnums=(0, 1))(jnp.array([110.0]), jnp.array([33.0]))
    return {"loss": np.atleast_1d(np.asarray(value)), "dloss_dgNa": np.asarray(g_na),
            "dloss_dgK": np.asarray(g_k)}


CASES = {
    "single_compartment": single_compartment,
    "single_compartment_cn": single_compartment_cn,
    "axon": axon,
    "swc_tree": swc_tree,
    "synapse": synapse,
    "network": network,
    "ions_and_pump": ions_and_pump,
    "batch": batch,
    "gradient": gradient,
}
