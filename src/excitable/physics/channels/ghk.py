"""Resting (leak) channels that know which ion they pass: ohmic (``IonLeak``) or GHK (``GHKLeak``).

Choose per channel how its current depends on V and on the concentrations:

- ``IonLeak``: i_X = g_X (V - E_X) for K+, Na+ and Cl-, with E_X the Nernst potential, which follows
  the concentrations when the ion has a dynamic pool (``cell.add_ions``). The resting potential of a
  cell with only these is the conductance-weighted mean V = sum g_X E_X / sum g_X.
- ``GHKLeak``: the Goldman-Hodgkin-Katz current of each ion through a membrane of permeability P_X
  (cm/s), i_X = P_X z^2 F^2 V/(RT) ([X]i - [X]o e^(-zFV/RT)) / (1 - e^(-zFV/RT)) (Hodgkin & Katz
  1949; ``excitable.physics.ions.ghk_current``). It reads [X]i and [X]o, so it needs no reversal
  potential; its rest is the GHK voltage equation. Its I-V is curved (outward rectification for K+ when
  [K]i > [K]o), unlike the straight line of ``IonLeak``.

Both carry their currents as ions ("ik" -> k, "ina" -> na, "icl" -> cl, "ica" -> ca), so they change
concentrations when the pools are dynamic.
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.physics.channel import AbstractChannel, channel
from excitable.physics.ions import ghk_current, thermal_voltage

#: A time constant (ms) no run reaches: the thermal voltage is a state that stays where it starts.
_CONSTANT = jnp.inf


@channel
class IonLeak(AbstractChannel):
    """Ohmic K+, Na+ and Cl- leak conductances (mS/cm2) with their own reversal potentials (mV).

    Defaults are a mammalian resting membrane: the chord conductances I_X / (V - E_X) of ``GHKLeak``'s
    default permeabilities at its rest (-67.33 mV, 37 degC) and the Nernst E of the textbook
    concentrations at 37 degC, so this ohmic membrane rests where the GHK one does. When an ion is
    dynamic, its E follows the pool.
    """

    gK: float = 0.076324
    gNa: float = 0.011372
    gCl: float = 0.041917
    eK: float = -89.0587
    eNa: float = 66.5982
    eCl: float = -64.0877

    units = {"gK": "mS/cm2", "gNa": "mS/cm2", "gCl": "mS/cm2", "eK": "mV", "eNa": "mV", "eCl": "mV"}
    ions = {"ik": "k", "ina": "na", "icl": "cl"}
    ion_fields = {"eK": ("k", "e"), "eNa": ("na", "e"), "eCl": ("cl", "e")}

    def conductances(self, s):
        return {"gk": self.gK, "gna": self.gNa, "gcl": self.gCl}

    def currents(self, v, s):
        return {"ik": self.gK * (v - self.eK), "ina": self.gNa * (v - self.eNa), "icl": self.gCl * (v - self.eCl)}


@channel
class GHKLeak(AbstractChannel):
    """Constant-field (GHK) K+, Na+, Cl- and Ca2+ permeabilities, cm/s; currents in uA/cm2.

    Concentrations (mM) are parameters that the engine fills from the pools when they are dynamic;
    otherwise the defaults (textbook mammalian, ``excitable.physics.ions.MAMMALIAN``) or the values set.
    Defaults: PK 1e-6 cm/s with PK:PNa:PCl = 1:0.04:0.45 (Hodgkin & Katz 1949), PCa 0.

    State ``vT``: the thermal voltage RT/F (mV) at the simulation temperature, set at initialization and
    constant (the current law needs T; ``currents`` is given only V and the states).
    """

    pK: float = 1e-6
    pNa: float = 4e-8
    pCl: float = 4.5e-7
    pCa: float = 0.0
    ki: float = 140.0
    ko: float = 5.0
    nai: float = 12.0
    nao: float = 145.0
    cli: float = 10.0
    clo: float = 110.0
    cai: float = 1e-4
    cao: float = 2.0

    states = ("vT",)
    units = {"pK": "cm/s", "pNa": "cm/s", "pCl": "cm/s", "pCa": "cm/s", "ki": "mM", "ko": "mM",
             "nai": "mM", "nao": "mM", "cli": "mM", "clo": "mM", "cai": "mM", "cao": "mM"}
    ions = {"ik": "k", "ina": "na", "icl": "cl", "ica": "ca"}
    ion_fields = {"ki": ("k", "ci"), "ko": ("k", "co"), "nai": ("na", "ci"), "nao": ("na", "co"),
                  "cli": ("cl", "ci"), "clo": ("cl", "co"), "cai": ("ca", "ci"), "cao": ("ca", "co")}

    def gates(self, v, celsius):
        vt = jnp.zeros_like(jnp.asarray(v, dtype=float)) + thermal_voltage(celsius)
        return {"vT": (vt, jnp.full_like(vt, _CONSTANT))}

    def currents(self, v, s):
        celsius = s["vT"] / thermal_voltage(0.0) * 273.15 - 273.15  # RT/F -> degC, exactly invertible
        return {
            "ik": ghk_current(v, self.pK, self.ki, self.ko, 1, celsius),
            "ina": ghk_current(v, self.pNa, self.nai, self.nao, 1, celsius),
            "icl": ghk_current(v, self.pCl, self.cli, self.clo, -1, celsius),
            "ica": ghk_current(v, self.pCa, self.cai, self.cao, 2, celsius),
        }
