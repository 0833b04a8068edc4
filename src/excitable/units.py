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
``0.01 * area_um2``: 1 uF/cm2 -> 0.01 pF/um2, 1 mS/cm2 -> 0.01 nS/um2, 1 uA/cm2 -> 0.01 pA/um2.
So the cable matrix is in nS (= pF/ms), currents in pA and voltages in mV.
"""

from __future__ import annotations

#: Density (per cm2) to per-um2 factor in (pF, nS, pA) per (uF, mS, uA)/cm2.
DENSITY_TO_PER_UM2 = 0.01
#: nA to pA.
NA_TO_PA = 1000.0
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
