"""Write your own channel in ~20 lines: an A-type K+ current (Connor & Stevens 1971 style kinetics).

1. Subclass AbstractChannel with @ex.channel: parameters are fields with defaults (units in `units`).
2. `gates(v, celsius)` returns, per state, its steady state and time constant (ms).
3. `currents(v, s)` returns current densities (uA/cm2, outward positive).
4. Insert it like any channel, record its states and currents by name.
"""

import jax.numpy as jnp

import excitable as ex


@ex.channel
class KA(ex.AbstractChannel):
    """Transient (A-type) K+ current: g a^3 b (V - E)."""

    gKA: float = 5.0    # mS/cm2
    eK: float = -77.0   # mV
    states = ("a", "b")
    units = {"gKA": "mS/cm2", "eK": "mV"}
    q10 = 3.0
    reference_celsius = 6.3

    def gates(self, v, celsius):
        phi = self.rate_factor(celsius)
        a_inf = (0.0761 * jnp.exp((v + 94.22) / 31.84) / (1 + jnp.exp((v + 1.17) / 28.93))) ** (1 / 3)
        tau_a = 0.3632 + 1.158 / (1 + jnp.exp((v + 55.96) / 20.12))
        b_inf = 1 / (1 + jnp.exp((v + 53.3) / 14.54)) ** 4
        tau_b = 1.24 + 2.678 / (1 + jnp.exp((v + 50) / 16.027))
        return {"a": (a_inf, tau_a / phi), "b": (b_inf, tau_b / phi)}

    def currents(self, v, s):
        return {"ik": self.gKA * s["a"] ** 3 * s["b"] * (v - self.eK)}


def main():
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH()).insert(KA())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init="rest")
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10.0, cell.soma), delay=5, duration=100))
    sim.record("v")
    sim.record("KA.a")
    sim.record("KA.ik")
    result = sim.run(tstop=110)
    print(f"{len(ex.analysis.spike_times(result.t, result['v']))} spikes with the A-current")
    return result


if __name__ == "__main__":
    main()
