"""Ion pools (engine/ions.py): conservation, Nernst and GHK following the concentrations, charge balance.

Independent references, written out below in SI: the content of a cylinder of diameter d and length L
is [X] pi d^2 L / 4 (mM x litres = mmol); a current density I over the membrane area pi d L carries
I A / (z F) mol/s of ion X. The recorded currents ("Mech.current") are those each step used,
so content changes must equal their time integral / (zF) to round-off: 1e-9 relative (float64 sums of
~1e3-1e5 terms lose ~1e-12).
"""

import math

import numpy as np
import pytest

import excitable as ex
from excitable.physics.channels.ghk import GHKLeak, IonLeak
from excitable.physics.ions import ghk_current, nernst
from excitable.physics.pumps import CaPump, NaKPump

F = 96485.33212
D, L = 2.0, 10.0  # um
AREA_CM2 = math.pi * D * L * 1e-8
VOL_L = math.pi * D**2 / 4 * L * 1e-15  # um3 -> litres
OUT_UM = 0.5  # extracellular um3 per um2 of membrane
VOL_OUT_L = math.pi * D * L * OUT_UM * 1e-15
DT = 0.025


def moles_from_current(i_uA_cm2, z):
    """Moles carried out of the cell by a recorded current density trace (sum over steps)."""
    return float(np.sum(i_uA_cm2[1:])) * DT * 1e-3 * 1e-6 * AREA_CM2 / (z * F)  # uA*ms -> C


@pytest.fixture(scope="module")
def busy_cell():
    """HH (no leak) + ohmic and GHK leaks + Na/K pump + Ca: every ion dynamic, K outside too, firing."""
    cell = ex.Cell.cylinder(length=L, diameter=D)
    cell.insert(ex.HH(gL=0.0)).insert(IonLeak(gK=0.05, gNa=0.02, gCl=0.1))
    cell.insert(GHKLeak(pK=2e-7, pNa=1e-8, pCl=5e-8, pCa=1e-7))
    cell.insert(NaKPump(imax=20.0, block=0.5, block_from_ms=20.01))
    cell.insert(CaPump(imax=0.5))
    cell.add_ions("na", ci=12.0, co=145.0)
    cell.add_ions("k", ci=140.0, co=5.0, outside_um3_per_um2=OUT_UM)  # no bath exchange: closed system
    cell.add_ions("cl", ci=10.0, co=110.0)
    cell.add_ions("ca", ci=1e-4, co=2.0, shell_um=0.2)
    sim = ex.Simulation(cell, dt=DT, temperature=20.0, v_init=-65.0)
    sim.stimulate(ex.PulseTrain(cell.soma, amplitude=cell.density_to_nA(30.0, cell.soma), delay=2.0,
                                width=1.0, interval=15.0, count=3))
    for sig in ("v", "ci:na", "ci:k", "co:k", "ci:cl", "ci:ca", "iclamp[0]"):
        sim.record(sig)
    for sig in ("HH.ina", "HH.ik", "IonLeak.ina", "IonLeak.ik", "IonLeak.icl", "GHKLeak.ina", "GHKLeak.ik",
                "GHKLeak.icl", "GHKLeak.ica", "NaKPump.ipump", "CaPump.ica_pump"):
        sim.record(sig)
    return cell, sim.run(50.0)


def test_each_ion_is_conserved_to_1e_9(busy_cell):
    _, r = busy_cell
    n_spikes = len(ex.analysis.crossing_times(r.t, r["v"], 0.0))
    assert n_spikes == 3  # the currents are large and varied: three APs
    ipump = r["NaKPump.ipump"]
    out = {
        "na": (r["HH.ina"] + r["IonLeak.ina"] + r["GHKLeak.ina"] + 3.0 * ipump, 1),
        "k": (r["HH.ik"] + r["IonLeak.ik"] + r["GHKLeak.ik"] - 2.0 * ipump, 1),
        "cl": (r["IonLeak.icl"] + r["GHKLeak.icl"], -1),
    }
    for ion, (current, z) in out.items():
        d_content = (r[f"ci:{ion}"][-1] - r[f"ci:{ion}"][0]) * 1e-3 * VOL_L  # mol
        expected = -moles_from_current(current, z)
        assert d_content == pytest.approx(expected, rel=1e-9), ion
        assert abs(expected) > 1e-19  # a real change (~1e-17 mol), not 0 = 0
    # K+ outside: a closed space, so what leaves the cell arrives there, and the total is constant.
    d_out = (r["co:k"][-1] - r["co:k"][0]) * 1e-3 * VOL_OUT_L
    assert d_out == pytest.approx(moles_from_current(out["k"][0], 1), rel=1e-9)
    total = r["ci:k"] * VOL_L + r["co:k"] * VOL_OUT_L
    assert np.ptp(total) < 1e-12 * total[0]


def test_calcium_in_a_submembrane_shell_is_conserved(busy_cell):
    _, r = busy_cell
    shell = 0.2
    vol = math.pi * L * (D**2 - (D - 2 * shell) ** 2) / 4 * 1e-15  # annulus of depth 0.2 um, litres
    current = r["GHKLeak.ica"] + r["CaPump.ica_pump"]
    d_content = (r["ci:ca"][-1] - r["ci:ca"][0]) * 1e-3 * vol
    assert d_content == pytest.approx(-moles_from_current(current, 2), rel=1e-9)


def test_reversal_potentials_and_ghk_currents_follow_the_pools(busy_cell):
    """At each step the mechanisms see the concentrations at the start of that step."""
    _, r = busy_cell
    v, T = r["v"][1:], 20.0
    nai, ki, ko = r["ci:na"][:-1], r["ci:k"][:-1], r["co:k"][:-1]
    e_na = v - r["IonLeak.ina"][1:] / 0.02
    e_k = v - r["IonLeak.ik"][1:] / 0.05
    assert np.max(np.abs(e_na - np.asarray(nernst(nai, 145.0, 1, T)))) < 1e-9
    assert np.max(np.abs(e_k - np.asarray(nernst(ki, ko, 1, T)))) < 1e-9
    assert np.ptp(np.asarray(nernst(ki, ko, 1, T))) > 0.1  # E_K really moved (K+ piles up outside)
    ghk_k = np.asarray(ghk_current(v, 2e-7, ki, ko, 1, T))
    assert np.max(np.abs(r["GHKLeak.ik"][1:] - ghk_k)) < 1e-12
    cai = r["ci:ca"][:-1]
    assert np.max(np.abs(r["CaPump.ica_pump"][1:] - 0.5 * cai / (cai + 2e-4))) < 1e-12
    # The pump reads [Na]i and [K]o from the pools; half of it is blocked from the first step that starts
    # after 20.01 ms (the clock state runs 1e-8 relative slow, so a block time on a step boundary would
    # fall either side: not tested).
    rate = 1.0 / ((1 + 2.0 / ko) ** 2 * (1 + 10.0 / nai) ** 3)
    avail = np.where(r.t[1:] - DT >= 20.01, 0.5, 1.0)
    assert np.max(np.abs(r["NaKPump.ipump"][1:] - 20.0 * avail * rate)) < 1e-11


def test_membrane_charge_equals_the_ions_moved():
    """Backward Euler with ohmic and V-independent currents: C dV A = I_stim dt - sum z F dn exactly."""
    cell = ex.Cell.cylinder(length=L, diameter=D)
    cell.insert(ex.HH(gL=0.0)).insert(IonLeak(gK=0.05, gNa=0.02, gCl=0.0)).insert(NaKPump(imax=10.0))
    cell.add_ions("na", ci=12.0, co=145.0)
    cell.add_ions("k", ci=140.0, co=5.0, outside_um3_per_um2=OUT_UM, tau_out_ms=50.0)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-60.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(20.0, cell.soma), delay=1.0, duration=1.0))
    for sig in ("v", "ci:na", "ci:k", "iclamp[0]"):
        sim.record(sig)
    r = sim.run(20.0)
    q_cap = 1e-6 * AREA_CM2 * (r["v"][-1] - r["v"][0]) * 1e-3  # C: uF/cm2 * cm2 * V
    q_stim = float(np.sum(r["iclamp[0]"][1:])) * DT * 1e-12  # nA * ms = pC
    dn = {ion: (r[f"ci:{ion}"][-1] - r[f"ci:{ion}"][0]) * 1e-3 * VOL_L for ion in ("na", "k")}
    q_ions_in = F * (dn["na"] + dn["k"])  # charge that entered with the ions
    assert q_cap == pytest.approx(q_stim + q_ions_in, rel=1e-9)


def test_ghk_or_ohmic_chosen_per_channel_rest_where_expected():
    """Ohmic K+ leak + GHK Na+ (two channels): rest where g_K (V - E_K) = -I_GHK,Na(V).

    Fixed concentrations here (a dynamic pool would move [Na]i by ~1e-3 relative in 200 ms)."""
    T = 37.0
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0)
    cell.insert(IonLeak(gK=0.1, gNa=0.0, gCl=0.0, eK=float(nernst(140.0, 5.0, 1, T))))
    cell.insert(GHKLeak(pK=0.0, pNa=5e-8, pCl=0.0))
    sim = ex.Simulation(cell, dt=0.025, temperature=T, v_init=-70.0)
    sim.record("v")
    v_sim = sim.run(200.0)["v"][-1]
    e_k = 1e3 * 8.314462618 * 310.15 / F * math.log(5.0 / 140.0)

    def net(v):
        u = v * 1e-3 * F / (8.314462618 * 310.15)
        i_na = 5e-8 * F * u * (12.0 - 145.0 * math.exp(-u)) / (1 - math.exp(-u))
        return 0.1 * (v - e_k) + i_na

    lo, hi = -100.0, -40.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if net(mid) > 0 else (mid, hi)
    # 200 ms = 20 time constants (tau ~ 9 ms): the transient left is < 1e-6 mV.
    assert v_sim == pytest.approx(0.5 * (lo + hi), abs=1e-6)
