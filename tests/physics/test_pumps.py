"""Pumps (physics/pumps.py) and ion-specific leaks (physics/channels/ghk.py) against closed forms.

References are written here with ``math`` from the published laws, independently of excitable:
Na+/K+ pump I = Imax / (1 + KmK/[K]o)^2 / (1 + KmNa/[Na]i)^3 (Kager, Wadman & Somjen 2000), 3 Na+ out and
2 K+ in per cycle; Ca2+ pump I = Imax [Ca]i / ([Ca]i + Km); GHK current
I = P z^2 F^2 V/(RT) (ci - co e^(-zFV/RT)) / (1 - e^(-zFV/RT)). Tolerances are float64 round-off (1e-12
relative) unless stated.
"""

import math

import numpy as np
import pytest

from excitable import backends  # noqa: F401  (float64)
from excitable.physics import catalogue
from excitable.physics.channels.ghk import GHKLeak, IonLeak
from excitable.physics.pumps import CaPump, NaKPump, nak_pump_rate

R, F = 8.314462618, 96485.33212


def kager(nai, ko, imax=13.0, km_na=10.0, km_k=2.0):
    return imax / (1.0 + km_k / ko) ** 2 / (1.0 + km_na / nai) ** 3


def ghk_ref(v, p, ci, co, z, celsius):
    """GHK current density, uA/cm2, for P in cm/s and concentrations in mM."""
    u = z * v * 1e-3 * F / (R * (273.15 + celsius))
    return p * z * F * u * (ci - co * math.exp(-u)) / (1.0 - math.exp(-u))


@pytest.mark.parametrize("nai, ko", [(12.0, 5.0), (5.0, 2.5), (30.0, 20.0), (100.0, 100.0)])
def test_nak_pump_law(nai, ko):
    pump = NaKPump(nai=nai, ko=ko)
    i = float(pump.currents(-65.0, pump.steady_state(-65.0, 37.0))["ipump"])
    assert i == pytest.approx(kager(nai, ko), rel=1e-12)
    assert float(nak_pump_rate(nai, ko)) == pytest.approx(kager(nai, ko, imax=1.0), rel=1e-12)


def test_nak_pump_stoichiometry_and_saturation():
    # 3 Na+ out (+3), 2 K+ in (-2): one net charge out per cycle, so the net current is the cycle current.
    carriers = NaKPump.ions["ipump"]
    assert carriers == {"na": 3.0, "k": -2.0}
    assert sum(carriers.values()) == 1.0
    # Saturation: the rate tends to 1 at high [Na]i and [K]o and is monotonic in both.
    assert float(nak_pump_rate(1e6, 1e6)) == pytest.approx(1.0, abs=1e-4)
    na = np.array([1.0, 5.0, 12.0, 30.0, 100.0])
    assert np.all(np.diff(np.asarray(nak_pump_rate(na, 5.0))) > 0)
    assert np.all(np.diff(np.asarray(nak_pump_rate(12.0, na))) > 0)
    # At [Na]i = KmNa and [K]o = KmK each site is half occupied: rate = (1/2)^3 (1/2)^2 = 1/32.
    assert float(nak_pump_rate(10.0, 2.0)) == pytest.approx(1.0 / 32.0, rel=1e-12)


@pytest.mark.parametrize("block", [0.0, 0.25, 1.0])
def test_ouabain_block_from_a_set_time(block):
    pump = NaKPump(imax=5.0, block=block, block_from_ms=10.0)
    s = pump.steady_state(-65.0, 6.3)
    assert float(s["clock"]) == 0.0
    before = float(pump.currents(-65.0, s)["ipump"])
    after = float(pump.currents(-65.0, {"clock": np.array(10.0)})["ipump"])
    assert before == pytest.approx(kager(12.0, 5.0, imax=5.0), rel=1e-12)
    assert after == pytest.approx((1.0 - block) * before, rel=1e-12, abs=1e-15)


def test_clock_state_advances_by_dt_under_exponential_euler():
    """The engine advances x by inf + (x - inf) exp(-dt/tau); the clock gains dt (1 - dt/(2 tau))."""
    pump = NaKPump()
    x = np.array(1234.5)
    inf, tau = pump.rates(-65.0, {"clock": x}, 6.3, {})["clock"]
    dt = 0.025
    new = float(inf + (x - inf) * np.exp(-dt / tau))
    assert new - float(x) == pytest.approx(dt, rel=1e-7)  # 1e6-ms tau: 1.25e-8 relative + rounding


def test_ca_pump_michaelis_menten():
    for cai in (5e-5, 2e-4, 1e-3):
        pump = CaPump(imax=0.2, km=2e-4, cai=cai)
        assert float(pump.currents(-65.0, {})["ica_pump"]) == pytest.approx(0.2 * cai / (cai + 2e-4), rel=1e-12)
    assert CaPump.ions == {"ica_pump": "ca"}


@pytest.mark.parametrize("celsius", [6.3, 20.0, 37.0])
@pytest.mark.parametrize("v", [-90.0, -65.0, -1e-7, 0.0, 30.0])
def test_ghk_leak_currents_are_the_ghk_equation(v, celsius):
    ch = GHKLeak(pCa=1e-8)
    i = {k: float(x) for k, x in ch.currents(v, ch.steady_state(v, celsius)).items()}
    cases = {"ik": (1e-6, 140.0, 5.0, 1), "ina": (4e-8, 12.0, 145.0, 1), "icl": (4.5e-7, 10.0, 110.0, -1),
             "ica": (1e-8, 1e-4, 2.0, 2)}
    for name, (p, ci, co, z) in cases.items():
        if abs(v) < 1e-6:  # the removable singularity: I -> P z F (ci - co)
            ref = p * z * F * (ci - co)
        else:
            ref = ghk_ref(v, p, ci, co, z, celsius)
        assert i[name] == pytest.approx(ref, rel=1e-6 if abs(v) < 1e-6 else 1e-10)


@pytest.mark.parametrize("celsius", [6.3, 20.0, 37.0])
def test_ghk_leak_is_zero_at_the_ghk_voltage_and_each_ion_at_its_nernst(celsius):
    rt_f = 1e3 * R * (273.15 + celsius) / F
    v_ghk = rt_f * math.log((1.0 * 5 + 0.04 * 145 + 0.45 * 10) / (1.0 * 140 + 0.04 * 12 + 0.45 * 110))
    ch = GHKLeak()
    s = ch.steady_state(v_ghk, celsius)
    total = sum(float(x) for x in ch.currents(v_ghk, s).values())
    assert abs(total) < 1e-12
    e_k = rt_f * math.log(5.0 / 140.0)
    assert abs(float(ch.currents(e_k, ch.steady_state(e_k, celsius))["ik"])) < 1e-12


def test_ion_leak_rests_at_the_conductance_weighted_mean():
    ch = IonLeak()
    v = (ch.gK * ch.eK + ch.gNa * ch.eNa + ch.gCl * ch.eCl) / (ch.gK + ch.gNa + ch.gCl)
    assert abs(sum(float(x) for x in ch.currents(v, {}).values())) < 1e-12
    # Defaults: chord conductances of PK:PNa:PCl = 1:0.04:0.45 (1e-6 cm/s) at 37 degC: rest = GHK -67.33 mV.
    assert v == pytest.approx(-67.33, abs=0.006)


def test_catalogue_lists_the_new_mechanisms():
    for name in ("NaKPump", "CaPump", "GHKLeak", "IonLeak"):
        assert catalogue.get_channel(name).__name__ == name
