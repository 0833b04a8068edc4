"""The documented ~20-line channel (examples/custom_channel.py) works as a user writes it.

References: the gate ODE at a clamped voltage has the closed form x(t) = x_inf - (x_inf - x0) e^(-t/tau)
(checked against the engine's exponential Euler to 1e-9), and the A-current delays the first spike
(Connor & Stevens 1971: the transient K+ current lengthens the latency), so latency must grow.
"""

import importlib.util
from pathlib import Path

import numpy as np

import excitable as ex
from excitable.analysis import spike_times

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_channel.py"


def load_example():
    spec = importlib.util.spec_from_file_location("custom_channel", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_example_channel_is_at_most_25_lines_of_code():
    src = EXAMPLE.read_text()
    body = src[src.index("@ex.channel"):src.index("def main")].strip().splitlines()
    assert len([ln for ln in body if ln.strip()]) <= 25


def test_custom_gate_follows_the_closed_form_under_voltage_clamp():
    KA = load_example().KA
    cell = ex.Cell.cylinder().insert(KA())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.VClamp(cell.soma, levels=((50.0, -20.0),), rs=1e-6))
    sim.record("KA.a")
    sim.record("v")
    res = sim.run(20.0)
    import jax.numpy as jnp

    ch = KA()
    a0 = float(ch.gates(jnp.array(-65.0), 6.3)["a"][0])
    a_inf, tau = (float(x) for x in ch.gates(jnp.array(-20.0), 6.3)["a"])
    # A near-ideal clamp (rs = 1 ohm) holds V at -20 mV from the first step on: the error is
    # I_cap x rs = 23 nA x 1e-6 MOhm = 2.3e-5 mV in the first step and far less afterwards.
    assert np.max(np.abs(res["v"][1:] + 20.0)) < 1e-4
    expected = a_inf - (a_inf - a0) * np.exp(-res.t[1:] / tau)
    # A 2e-5 mV error in V moves a_inf by < 1e-7 relative; exponential Euler is exact at fixed V.
    np.testing.assert_allclose(res["KA.a"][1:], expected, rtol=1e-6)


def test_a_current_delays_the_first_spike():
    res = load_example().main()
    with_ka = spike_times(res.t, res["v"])
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init="rest")
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=5, duration=100))
    sim.record("v")
    plain = sim.run(110.0)
    without = spike_times(plain.t, plain["v"])
    # Measured: first spike at 7.29 ms with gKA = 5 mS/cm2, 6.92 ms without (0.37 ms later).
    assert len(with_ka) >= 1 and with_ka[0] > without[0] + 0.2
