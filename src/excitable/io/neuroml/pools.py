"""NeuroML 2 calcium concentration models -> mechanisms that write [Ca]i (a pool, as an imported
NMODL ``USEION ca READ ica WRITE cai`` is: ``engine.writers.written_pools``).

Both of NeuroML's standard models (its LEMS definitions), with iCa the Ca2+ current into the cell:

    decayingPoolConcentrationModel   dC/dt = iCa / (2 F V_shell) - (C - restingConc) / decayConstant
        V_shell = 4/3 pi (r^3 - (r - shellThickness)^3), r = sqrt(area / (4 pi)): a shell under the
        membrane of a sphere of the compartment's area (NeuroML's 3.14159 and F = 96485.3 C/mol)
    fixedFactorConcentrationModel    dC/dt = (iCa / area) rho - (C - restingConc) / decayConstant

C starts at the species' initialConcentration and never goes below 0; [Ca]o stays at its
initialExtConcentration. iCa is the compartment's total calcium current at the start of the step, and
C advances by exponential Euler (exact for a fixed current, what NEURON's ``cnexp`` does). The
decaying pool's ``surfaceArea`` is a Requirement of its LEMS definition: the area of the isopotential
unit it serves (jLEMS runs one-segment cells only, where that is the cell's; the cell's own
``surfaceArea`` sums its segments). On a section of several compartments each compartment is such a
unit and has its own shell, sized by its own membrane area (``geometry_fields``, filled by the Cell),
what a NEURON .mod pool reading ``area`` does per segment (``tests/io/neuroml/test_pool_sections.py``).
"""

from __future__ import annotations

import jax.numpy as jnp

from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.rates import F_NEUROML
from excitable.physics.channel import AbstractChannel, channel

KINDS = ("decayingPoolConcentrationModel", "fixedFactorConcentrationModel")
_PI = 3.14159  # NeuroML's own value in the shell volume
_CONSTANT = float("inf")


def pool_class(model_id: str, kind: str, ci: float, co: float, source: str):
    """The mechanism class of concentration model ``model_id`` (``kind`` in ``KINDS``): state
    ``concentration`` (mM, written as [Ca]i), parameters ``rest`` (mM), ``decay`` (ms), ``cai0``
    (mM, the start), ``cao`` (mM) and ``shell_um`` with ``area_um2`` (decaying pool) or ``rho``
    (fixed factor, mol/(m A s)); ``ica`` (mA/cm2, outward) is filled by the engine each step."""
    decaying = kind == "decayingPoolConcentrationModel"
    fields = {"rest": "mM", "decay": "ms", "cai0": "mM", "cao": "mM", "ica": "mA/cm2"}
    fields.update({"shell_um": "um", "area_um2": "um2"} if decaying else {"rho": "mol/(m A s)"})

    def gates(self, v, celsius):
        start = jnp.zeros_like(jnp.asarray(v, dtype=float)) + self.cai0
        return {"concentration": (start, jnp.full_like(start, _CONSTANT))}

    def influx_mM_per_ms(self):
        inward = -self.ica * 10.0  # mA/cm2 outward -> A/m2 inward (NeuroML's iCa over the area)
        if decaying:
            area = self.area_um2 * 1e-12
            r = jnp.sqrt(area / (4 * _PI))
            shell = 4 * _PI / 3 * (r ** 3 - (r - self.shell_um * 1e-6) ** 3)
            return inward * area / (2 * F_NEUROML * shell) * 1e-3  # mol/m3/s = mM/s -> mM/ms
        return inward * self.rho * 1e-3

    def advance(self, v, s, celsius, dt, drive):
        inf = self.rest + self.decay * influx_mM_per_ms(self)
        c = inf + (s["concentration"] - inf) * jnp.exp(-dt / self.decay)
        return {"concentration": jnp.maximum(c, 0.0)}

    namespace = {
        "__annotations__": {k: float for k in fields}, **{k: 0.0 for k in fields}, "cai0": float(ci),
        "cao": float(co), "__doc__": f"{model_id}: a NeuroML {kind} imported from {source} ([Ca]i, mM).",
        "states": ("concentration",), "units": dict(fields), "ions": {},
        "ion_fields": {"ica": ("ca", "current")}, "conc_writes": {"concentration": ("ca", "ci")},
        "ion_constants": {"ca": {"z": 2, "ci": float(ci), "co": float(co)}},
        "gates": gates, "advance": advance, "currents": lambda self, v, s: {}, "neuroml_pool": kind,
        "__module__": "excitable_imported.neuroml",  # numbers from a file: not in the program store
        # the decaying pool's shell is sized per compartment: the Cell fills area_um2 from its geometry
        "geometry_fields": {"area_um2": "area_um2"} if decaying else {},
    }
    if not model_id.isidentifier():
        raise ModelError(f"NeuroML concentration model id {model_id!r} must be an identifier")
    return channel(type(model_id, (AbstractChannel,), namespace))


def parameters(model, kind: str, field: str) -> dict:
    """The pool's parameters from a libNeuroML concentration model element (one-line errors)."""
    out = {"rest": units.quantity(model.resting_conc, "concentration", f"{field} restingConc"),
           "decay": units.quantity(model.decay_constant, "time", f"{field} decayConstant")}
    if not out["decay"] > 0:
        raise ModelError(f"{field}: decayConstant must be > 0 ms, got {model.decay_constant!r}")
    if kind == "decayingPoolConcentrationModel":
        out["shell_um"] = units.quantity(model.shell_thickness, "length", f"{field} shellThickness")
        if not out["shell_um"] > 0:
            raise ModelError(f"{field}: shellThickness must be > 0, got {model.shell_thickness!r}")
    else:
        out["rho"] = units.quantity(model.rho, "rho", f"{field} rho")
    return out
