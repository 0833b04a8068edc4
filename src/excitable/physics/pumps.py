"""Ion pumps: the electrogenic Na+/K+-ATPase and a plasma-membrane Ca2+ pump.

Pumps are density mechanisms like channels (``@channel`` frozen dataclasses): they carry currents
(uA/cm2, outward positive) that the engine books to the ion pools through ``ions``, and they read the
concentrations they saturate in through ``ion_fields``. Their current does not depend on V here (no
voltage dependence of the cycle rate), so they add nothing to the membrane's slope conductance.

Na+/K+-ATPase (Kager, Wadman & Somjen 2000, J. Neurophysiol. 84:495, after Lauger 1991; the same law as
ModelDB's ``nakpump.mod``)::

    I_pump = (1 - block) Imax / (1 + KmK/[K]o)^2 / (1 + KmNa/[Na]i)^3      (uA/cm2, outward)

Each cycle moves 3 Na+ out and 2 K+ in, one net positive charge out: the Na+ current is 3 I_pump
(outward), the K+ current -2 I_pump (inward), their sum I_pump. The exponents are the numbers of
binding sites (3 Na+ inside, 2 K+ outside). ``block`` is the fraction of pumps blocked by ouabain
(0 none, 1 all), applied from ``block_from_ms`` on (0: from the start), so a run can switch the pump off
at a chosen time.
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.physics.channel import AbstractChannel, channel

#: A time constant (ms) that no run reaches: the clock state is integrated exactly (see ``NaKPump``).
_CLOCK_TAU_MS = 1e6


def nak_pump_rate(nai, ko, km_na=10.0, km_k=2.0):
    """Fraction of the maximal Na+/K+ pump rate at [Na]i and [K]o (mM): (1+KmK/ko)^-2 (1+KmNa/nai)^-3."""
    return 1.0 / ((1.0 + km_k / ko) ** 2 * (1.0 + km_na / nai) ** 3)


@channel
class NaKPump(AbstractChannel):
    """Electrogenic 3 Na+ : 2 K+ pump, saturating in [Na]i and [K]o (Kager et al. 2000).

    Parameters:
        imax: maximal cycle current, uA/cm2 (Kager et al.: 13 uA/cm2 on the soma). The net outward
            current is the cycle current; Na+ carries 3x it outward, K+ 2x it inward.
        km_na, km_k: half-saturation constants per binding site, mM (10 and 2).
        block: fraction of pumps blocked (ouabain: 0 none, 1 all), from the first time step that starts
            at or after ``block_from_ms`` (ms; 0: from the start).
        nai, ko: [Na]i and [K]o (mM); the engine fills them from the ion pools when these are dynamic.

    States: ``clock`` is the time since the start (ms), integrated by the engine like any state
    (d clock/dt = 1, exact to 1e-8 relative), so that the block can start at a set time.

    Example:
        >>> cell.add_ions("na", ci=12, co=145); cell.add_ions("k", ci=140, co=5)
        >>> cell.insert(NaKPump(imax=5.0, block=1.0, block_from_ms=10_000))  # ouabain at 10 s
    """

    imax: float = 13.0
    km_na: float = 10.0
    km_k: float = 2.0
    block: float = 0.0
    block_from_ms: float = 0.0
    nai: float = 12.0
    ko: float = 5.0

    states = ("clock",)
    units = {"imax": "uA/cm2", "km_na": "mM", "km_k": "mM", "block": "1", "block_from_ms": "ms",
             "nai": "mM", "ko": "mM"}
    ions = {"ipump": {"na": 3.0, "k": -2.0}}
    ion_fields = {"nai": ("na", "ci"), "ko": ("k", "co")}

    def gates(self, v, celsius):
        # dx/dt = 1 written as relaxation towards x + tau with time constant tau: exponential Euler
        # then adds tau (1 - exp(-dt/tau)) = dt (1 - dt/(2 tau)) per step.
        zero = jnp.zeros_like(jnp.asarray(v, dtype=float))
        return {"clock": (zero, zero + _CLOCK_TAU_MS)}

    def rates(self, v, s, celsius, drive):
        return {"clock": (s["clock"] + _CLOCK_TAU_MS, jnp.full_like(s["clock"], _CLOCK_TAU_MS))}

    def available(self, s):
        """Fraction of pumps not blocked at the states' time (1 - block once the block applies)."""
        return 1.0 - self.block * (s["clock"] >= self.block_from_ms)

    def currents(self, v, s):
        rate = nak_pump_rate(self.nai, self.ko, self.km_na, self.km_k)
        return {"ipump": self.available(s) * self.imax * rate + 0.0 * v}


@channel
class CaPump(AbstractChannel):
    """Plasma-membrane Ca2+ ATPase as a Michaelis-Menten extrusion current (uA/cm2, outward).

    I = imax [Ca]i / ([Ca]i + km), carried by Ca2+ (one Ca2+ out per 2 e charge: the engine divides
    by z = 2). Parameters: imax uA/cm2, km mM (0.2 uM, Blaustein & Lederer 1999 for PMCA), cai mM (from
    the Ca2+ pool when dynamic). It restores [Ca]i after influx at a terminal; a small Ca2+ leak
    (``GHKLeak`` with pCa) balances it at rest.
    """

    imax: float = 0.1
    km: float = 2e-4
    cai: float = 1e-4

    units = {"imax": "uA/cm2", "km": "mM", "cai": "mM"}
    ions = {"ica_pump": "ca"}
    ion_fields = {"cai": ("ca", "ci")}

    def currents(self, v, s):
        return {"ica_pump": self.imax * self.cai / (self.cai + self.km) + 0.0 * v}
