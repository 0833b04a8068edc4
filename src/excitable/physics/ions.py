"""Ion equilibria: Nernst potential, Goldman-Hodgkin-Katz (GHK) voltage and current equations, Q10.

Pure ``jax.numpy`` functions of arrays, so they jit, vmap and differentiate. Units: mV, mM, degC.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from excitable import backends  # noqa: F401  (float64 before any array is made)

from excitable.units import FARADAY, GAS_CONSTANT, ZERO_CELSIUS


def thermal_voltage(celsius):
    """RT/F in mV at ``celsius`` degC (26.727 mV at 37 degC)."""
    return 1e3 * GAS_CONSTANT * (ZERO_CELSIUS + celsius) / FARADAY


#: NEURON's reversal potential (mV) for an empty side (nrn_nernst, src/nrnoc/eion.cpp): +1e6 when
#: c_in <= 0, else -1e6 when c_out <= 0, whatever the valence; 0 for z = 0. A pool that starts
#: empty (INITIAL cai = 0) then drives a finite, huge current for a step instead of V = NaN.
NERNST_EMPTY_MV = 1e6


def nernst(c_in, c_out, z, celsius):
    """Equilibrium (Nernst) potential E = RT/(zF) ln(c_out/c_in), in mV (concentrations in mM).

    NEURON's rule where a side is empty: +1e6 mV for c_in <= 0, else -1e6 mV for c_out <= 0, and
    0 mV for z = 0 (``NERNST_EMPTY_MV``). The logarithm only ever sees positive numbers (``jnp.where``
    on safe operands), so jit and grad stay finite: the gradient is 0 where the rule's constant holds.

    Example:
        >>> float(nernst(140.0, 5.0, 1, 37.0))  # K+: about -89.06 mV
        -89.05...
        >>> float(nernst(0.0, 2.0, 2, 37.0))  # empty inside: NEURON's +1e6 mV
        1000000.0
    """
    c_in, c_out, z = jnp.asarray(c_in), jnp.asarray(c_out), jnp.asarray(z)  # their own dtype: float32 runs stay float32
    empty_in, empty_out = c_in <= 0.0, c_out <= 0.0
    ratio = jnp.where(empty_out, 1.0, c_out) / jnp.where(empty_in, 1.0, c_in)
    e = thermal_voltage(celsius) / jnp.where(z == 0.0, 1.0, z) * jnp.log(ratio)
    e = jnp.where(empty_out, -NERNST_EMPTY_MV, e)
    e = jnp.where(empty_in, NERNST_EMPTY_MV, e)
    return jnp.where(z == 0.0, 0.0, e)


def ghk_voltage(p, c_in, c_out, z, celsius):
    """GHK resting potential for monovalent ions, in mV.

    Args:
        p: relative permeabilities, one per ion (any unit; only ratios matter).
        c_in, c_out: concentrations in mM, one per ion.
        z: valences, +1 or -1 (divalent ions do not enter the GHK voltage equation in this form).
        celsius: temperature in degC.

    V = RT/F ln( (sum_cations P c_out + sum_anions P c_in) / (sum_cations P c_in + sum_anions P c_out) ).
    """
    p, c_in, c_out, z = (jnp.asarray(a, dtype=float) for a in (p, c_in, c_out, z))
    cation = z > 0
    num = jnp.sum(jnp.where(cation, p * c_out, p * c_in))
    den = jnp.sum(jnp.where(cation, p * c_in, p * c_out))
    return thermal_voltage(celsius) * jnp.log(num / den)


def ghk_current(v, p, c_in, c_out, z, celsius):
    """GHK flux equation as a current density.

    I = P z^2 F^2 V / (RT) (c_in - c_out exp(-zFV/RT)) / (1 - exp(-zFV/RT))

    With ``p`` in cm/s and concentrations in mM (= mol/m3 = 1e-6 mol/cm3), the result is in
    uA/cm2 (outward positive). The removable singularity at V = 0 is handled exactly.
    """
    u = z * v / thermal_voltage(celsius)  # dimensionless zFV/RT
    # u / (1 - exp(-u)) -> 1 as u -> 0; expm1 keeps precision near 0.
    safe = jnp.where(jnp.abs(u) < 1e-9, 1.0, u)
    ratio = jnp.where(jnp.abs(u) < 1e-9, 1.0 + u / 2, safe / -jnp.expm1(-safe))
    # P [cm/s] * z F [C/mol] * c [1e-6 mol/cm3] -> 1e-6 A/cm2 = uA/cm2
    return p * z * FARADAY * ratio * (c_in - c_out * jnp.exp(-u))


def q10_factor(celsius, q10: float, reference_celsius: float):
    """Rate multiplier q10 ** ((T - T_ref) / 10): 3^((T-6.3)/10) for HH."""
    return q10 ** ((celsius - reference_celsius) / 10.0)


@dataclass(frozen=True)
class Ion:
    """An ion species with its valence and default concentrations (mM)."""

    name: str
    z: int
    c_in: float
    c_out: float


#: Textbook mammalian concentrations (Purves; Hille 2001), mM.
MAMMALIAN = {
    "k": Ion("k", +1, 140.0, 5.0),
    "na": Ion("na", +1, 12.0, 145.0),
    "cl": Ion("cl", -1, 10.0, 110.0),
    "ca": Ion("ca", +2, 1e-4, 2.0),
}
