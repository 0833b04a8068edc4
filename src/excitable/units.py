"""The one table of units. excitable uses NEURON's units everywhere, as plain floats.

==================  ============  =============================================
quantity            unit          note
==================  ============  =============================================
time                ms
voltage             mV
length, diameter    um
membrane capacity   uF/cm2
density conductance mS/cm2        NEURON's mechanisms use S/cm2: 120 mS/cm2 = 0.12 S/cm2
current density     uA/cm2        NEURON's use mA/cm2: 10 uA/cm2 = 0.01 mA/cm2
point current       nA            IClamp.amp, SEClamp.i
point resistance    MOhm          series resistance of a voltage clamp
axial resistivity   ohm*cm
concentration       mM
temperature         degC
==================  ============  =============================================

Inside the engine, densities are turned into whole-compartment quantities with one factor,
``DENSITY_TO_PER_UM2 * area_um2``: 1 uF/cm2 -> 0.01 pF/um2, 1 mS/cm2 -> 0.01 nS/um2,
1 uA/cm2 -> 0.01 pA/um2. So the cable matrix is in nS (= pF/ms), currents in pA and voltages in
mV; point quantities (nA, uS) join it through ``NA_TO_PA`` and ``US_TO_NS``. Each conversion is
named once below and used by name (the engine's numbers are exactly these constants).
"""

from __future__ import annotations

#: (uF, mS, uA)/cm2 -> (pF, nS, pA)/um2: a density times a membrane area in um2 gives the
#: compartment's capacitance (pF), conductance (nS) or current (pA). 1 um2 = 1e-8 cm2, and
#: uF -> pF, mS -> nS, uA -> pA are each x 1e6: 1e-8 x 1e6 = 0.01.
DENSITY_TO_PER_UM2 = 0.01
#: nA -> pA: point currents (current clamps, synapses: nA) into the cable equation's pA.
NA_TO_PA = 1000.0
#: uS -> nS: point conductances (synapses: uS; a clamp's 1 / MOhm = uS) into the matrix's nS.
US_TO_NS = 1000.0
#: pA / (C/mol) -> mM um3/ms: an ion current of I pA carries 1e-12 I / (z F) mol/s = 1e-15 I / (z F)
#: mol/ms of ions, and 1 mM um3 = 1e-18 mol, so the flux is 1e3 I / (z F) in mM um3/ms.
PA_PER_FARADAY_TO_MM_UM3_PER_MS = 1e3
#: Faraday constant, C/mol (CODATA 2018 exact).
FARADAY = 96485.33212
#: Gas constant, J/(mol K) (CODATA 2018 exact).
GAS_CONSTANT = 8.314462618
#: 0 degC in kelvin.
ZERO_CELSIUS = 273.15

UNITS = {
    "time": "ms",
    "voltage": "mV",
    "length": "um",
    "capacitance": "uF/cm2",
    "conductance_density": "mS/cm2",
    "current_density": "uA/cm2",
    "point_current": "nA",
    "resistance": "MOhm",
    "axial_resistivity": "ohm*cm",
    "concentration": "mM",
    "temperature": "degC",
}
