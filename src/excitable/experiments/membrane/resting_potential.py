"""Why is the inside negative, by 60-70 mV? Equilibrium potentials, permeabilities and the GHK equation.

Each ion is pushed one way by its concentration gradient and the other by the voltage. Its equilibrium
(Nernst) potential E = (RT/zF) ln([X]o/[X]i) is the voltage at which the two balance: K+ (much more
inside) would make the inside about -90 mV, Na+ (much more outside) about +65 mV, Cl- about -65 mV.
At rest the membrane lets all of them through, but K+ most easily (PK:PNa:PCl = 1:0.04:0.45, Hodgkin &
Katz 1949). The resting potential is where the currents of all ions cancel: a permeability-weighted
compromise between the equilibrium potentials (the Goldman-Hodgkin-Katz voltage equation), close to
E_K because PK dominates. In the language of conductances, V_rest = sum g_X E_X / sum g_X.

Raising [K]o moves E_K up by RT/F ln 10 = 61.5 mV per tenfold (37 °C); V_rest follows it closely only at
high [K]o, where the K+ term outweighs the Na+ and Cl- terms.

The experiment computes these closed forms and also simulates two single compartments that start at
0 mV and settle to rest: one with GHK permeabilities (``GHKLeak``), one with ohmic K+, Na+ and Cl-
conductances equal to the GHK chord conductances at rest (``IonLeak``).
"""

from __future__ import annotations

import math

import numpy as np

from excitable import backends  # noqa: F401  (float64 before any array is made)
from excitable.errors import ModelError
from excitable.experiments.base import Values
from excitable.experiments.membrane.declarations import RESTING_POTENTIAL as EXPERIMENT
from excitable.experiments.membrane.resting_potential_figure import plot_resting_potential
from excitable.model.cell import Cell
from excitable.model.simulation import Simulation
from excitable.physics.channels.ghk import GHKLeak, IonLeak
from excitable.physics.ions import ghk_current, ghk_voltage, nernst, thermal_voltage
from excitable.results import Result

#: [K]o values (mM) of the K+ series (PHENOMENA-SPEC row 2).
KO_SERIES = (2.5, 5.0, 10.0, 20.0, 50.0, 100.0)
#: Absolute permeability (cm/s) of relative permeability 1 in the simulated compartments.
P_UNIT_CM_S = 1e-6
#: The compartments start here (mV) and are simulated this long (ms): > 15 membrane time constants.
V_START_MV, TSTOP_MS = 0.0, 150.0


def ions_of(p: Values) -> dict:
    """name -> (relative permeability, [X]i, [X]o, z)."""
    return {"k": (p.pk, p.ki, p.ko, 1), "na": (p.pna, p.nai, p.nao, 1),
            "cl": (p.pcl, p.cli, p.clo, -1)}


def ghk_rest(p: Values, ko: float | None = None) -> float:
    """GHK resting potential (mV) for the parameters, optionally with another [K]o."""
    ions = ions_of(p)
    if ko is not None:
        ions["k"] = (ions["k"][0], ions["k"][1], ko, 1)
    perm, ci, co, z = zip(*ions.values())
    return float(ghk_voltage(perm, ci, co, z, p.temperature))


def chord_conductances(p: Values, v_rest: float) -> dict:
    """Chord conductance I_X / (V - E_X) of each ion at rest, mS/cm2, for P = relative x P_UNIT_CM_S."""
    out = {}
    for name, (perm, ci, co, z) in ions_of(p).items():
        e = float(nernst(ci, co, z, p.temperature))
        def i(v):
            return float(ghk_current(v, perm * P_UNIT_CM_S, ci, co, z, p.temperature))

        # At V = E the chord conductance is the slope there (only that ion permeable).
        out[name] = i(v_rest) / (v_rest - e) if abs(v_rest - e) > 1e-6 else (i(e + 1e-3) - i(e - 1e-3)) / 2e-3
    return out


def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    if p.pk + p.pna + p.pcl <= 0:
        raise ModelError("at least one of pk, pna, pcl must be > 0")
    T = p.temperature
    e = {name: float(nernst(ci, co, z, T)) for name, (_, ci, co, z) in ions_of(p).items()}
    rest = ghk_rest(p)
    g = chord_conductances(p, rest)
    g_sum = sum(g.values())
    v_cond = sum(g[k] * e[k] for k in g) / g_sum if g_sum > 0 else math.nan
    ko = np.array(sorted(set(KO_SERIES) | {p.ko}))
    v_ko = np.array([ghk_rest(p, k) for k in ko])
    ek_ko = np.asarray(nernst(p.ki, ko, 1, T))
    slopes = np.diff(v_ko) / np.diff(np.log10(ko))
    traces, t = simulate(p, g, e)
    vt = float(thermal_voltage(T))
    summary = {
        "ek_mV": e["k"], "ena_mV": e["na"], "ecl_mV": e["cl"], "rest_mV": rest,
        "thermal_voltage_mV": vt, "nernst_slope_mV_per_decade": vt * math.log(10.0),
        "ko_series_mM": ko.tolist(), "rest_vs_ko_mV": v_ko.tolist(), "ek_vs_ko_mV": ek_ko.tolist(),
        "slope_vs_ko_mV_per_decade": slopes.tolist(),
        "slope_at_high_ko_mV_per_decade": float(slopes[-1]),
        "g_k_mS_cm2": g["k"], "g_na_mS_cm2": g["na"], "g_cl_mS_cm2": g["cl"],
        "conductance_rest_mV": v_cond,
        "sim_ghk_rest_mV": float(traces["v (GHK permeabilities)"][-1]),
        "sim_conductance_rest_mV": float(traces["v (K/Na/Cl conductances)"][-1]),
        "tau_m_ms": 1.0 / g_sum if g_sum > 0 else None,  # cm = 1 uF/cm2
        "temperature_degC": T,
    }
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name, meta=dict(p),
                  plotter=plot_resting_potential)


def simulate(p: Values, g: dict, e: dict) -> tuple[dict, np.ndarray]:
    """Two compartments from V_START_MV: GHK permeabilities, and ohmic chord conductances."""
    ghk = GHKLeak(pK=p.pk * P_UNIT_CM_S, pNa=p.pna * P_UNIT_CM_S, pCl=p.pcl * P_UNIT_CM_S,
                  ki=p.ki, ko=p.ko, nai=p.nai, nao=p.nao, cli=p.cli, clo=p.clo)
    ohm = IonLeak(gK=g["k"], gNa=g["na"], gCl=g["cl"], eK=e["k"], eNa=e["na"], eCl=e["cl"])
    traces = {}
    for label, mech in (("v (GHK permeabilities)", ghk), ("v (K/Na/Cl conductances)", ohm)):
        cell = Cell.cylinder(length=20.0, diameter=20.0).insert(mech)
        sim = Simulation(cell, dt=0.025, temperature=p.temperature, v_init=V_START_MV)
        sim.record("v")
        res = sim.run(TSTOP_MS, stride=4)
        traces[label] = res["v"]
    return traces, res.t
