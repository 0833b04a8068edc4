"""The standard rate forms against their closed forms (NeuroML2 CoreTypes, Channels.xml), and the gate
kinds that the HH tests do not reach: gateHHtauInf with a fixedTimeCourse, gateHHInstantaneous, q10Fixed."""

from __future__ import annotations

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io import neuroml
from excitable.io.neuroml.rates import Form

from .nml_models import N, hh_cell_document, write

V = np.array([-100.0, -65.0, -40.0 - 1e-9, -40.0, -39.9, 0.0, 30.0])


def test_forms_are_the_closed_forms():
    x = (V + 40.0) / 10.0
    # a closed form evaluated in numpy: agreement to 1e-14 relative (rounding of exp)
    np.testing.assert_allclose(Form("HHExpRate", 2.0, -40.0, 10.0)(V), 2 * np.exp(x), rtol=1e-14)
    np.testing.assert_allclose(Form("HHSigmoidRate", 2.0, -40.0, 10.0)(V), 2 / (1 + np.exp(-x)), rtol=1e-14)
    with np.errstate(invalid="ignore", divide="ignore"):
        linear = np.where(x == 0, 2.0, 2 * x / -np.expm1(-x))  # expm1: no cancellation near x = 0
    # vtrap's expansion y (1 - u/2) within 1e-6 of x = 0 errs by u^2/12 < 1e-13 relative there
    np.testing.assert_allclose(Form("HHExpLinearRate", 2.0, -40.0, 10.0)(V), linear, rtol=1e-12)
    assert float(Form("HHExpLinearRate", 2.0, -40.0, 10.0)(-40.0)) == 2.0


def test_tau_inf_instantaneous_gates_and_fixed_q10(tmp_path):
    doc = hh_cell_document()
    ch = N.IonChannelHH(id="kA", conductance="10pS", species="k")
    ch.gate_hh_tau_infs.append(N.GateHHTauInf(
        id="a", instances=2, q10_settings=N.Q10Settings(type="q10Fixed", fixed_q10="2"),
        time_course=N.HHTime(type="fixedTimeCourse", tau="5ms"),
        steady_state=N.HHVariable(type="HHSigmoidVariable", rate="1", midpoint="-30mV", scale="8mV")))
    ch.gate_hh_instantaneouses.append(N.GateHHInstantaneous(
        id="b", instances=1, steady_state=N.HHVariable(type="HHSigmoidVariable", rate="1", midpoint="-60mV",
                                                        scale="-6mV")))
    doc.ion_channel_hhs.append(ch)
    KA = neuroml.read(write(doc, tmp_path / "ka.nml")).channels["kA"]
    chan = KA(gbar=4.0, erev=-90.0)
    assert KA.states == ("a",)  # the instantaneous gate is no state: b = b_inf(V) at every instant
    inf, tau = chan.gates(V, 22.0)["a"]
    np.testing.assert_allclose(inf, 1 / (1 + np.exp(-(V + 30) / 8)), rtol=1e-14)
    np.testing.assert_allclose(tau, 5.0 / 2.0, rtol=1e-15)  # q10Fixed 2: tau / 2 at any temperature
    s = {"a": np.full_like(V, 0.3)}
    b = 1 / (1 + np.exp((V + 60) / 6))
    np.testing.assert_allclose(chan.currents(V, s)["ik"], 4.0 * 0.3**2 * b * (V + 90.0), rtol=1e-13)


def test_a_q10_type_we_do_not_know_is_refused(tmp_path):
    doc = hh_cell_document()
    doc.ion_channel_hhs[0].gate_hh_rates[0].q10_settings.type = "q10Mystery"
    with pytest.raises(ModelError, match="q10Settings type 'q10Mystery' is not supported"):
        neuroml.read(write(doc, tmp_path / "q.nml"))


def test_generic_gate_element_and_spherical_soma(tmp_path):
    """``<gate type="gateHHrates">`` (libNeuroML's GateHHUndetermined) reads as gateHHrates does, and
    a segment of length 0 is NeuroML's sphere: a cylinder of length = diameter, area pi d^2 = 4 pi r^2."""
    import excitable as ex

    doc = hh_cell_document()
    na = doc.ion_channel_hhs[0]
    m = na.gate_hh_rates.pop(0)
    na.gates.append(N.GateHHUndetermined(id="m", type="gateHHrates", instances=3, q10_settings=m.q10_settings,
                                         forward_rate=m.forward_rate, reverse_rate=m.reverse_rate))
    seg = doc.cells[0].morphology.segments[0]
    seg.proximal, seg.distal = N.Point3DWithDiam(x=5, y=5, z=5, diameter=20), N.Point3DWithDiam(x=5, y=5, z=5,
                                                                                               diameter=20)
    imported = neuroml.read(write(doc, tmp_path / "g.nml")).cells["hhcell"].cell
    assert imported.area_um2(imported.soma) == pytest.approx(np.pi * 20**2, rel=1e-14)
    gates = imported.mechanisms["naChan"].gates(V, 18.5)
    ours = ex.HH().gates(V, 18.5)
    for k in (0, 1):  # inf and tau of m: the same functions as ex.HH's (1e-13: exp rounding)
        np.testing.assert_allclose(gates["m"][k], ours["m"][k], rtol=1e-13)
