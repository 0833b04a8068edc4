"""A ComponentType's Parameters set by the attributes of the element naming the type, as LEMS sets a
component's (korngreen's HVACa on OpenSourceBrain: ``<steadyState type="cah_m_inf" shift="-4.49601"/>``),
which libNeuroML drops: read from the element's XML, each in a unit of its Parameter's dimension.
Checked against the closed forms, and the refusals at the element's line."""

from __future__ import annotations

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

from excitable.io import neuroml  # noqa: E402

pytest.importorskip("neuroml")

HEAD = '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="p">\n'
#: m and h share the steady-state type with their own shift (none) and half-voltage (voltage); h's
#: time course has its own tau0 (time).
TYPES = """<ComponentType name="shiftedInf" extends="baseVoltageDepVariable">
  <Parameter name="shift" dimension="none"/>
  <Parameter name="vh" dimension="voltage"/>
  <Constant name="MV" dimension="voltage" value="1 mV"/>
  <Dynamics><DerivedVariable name="x" exposure="x" dimension="none" value="1/(1+exp(-((v - vh)/MV + shift)/9.76))"/>
  </Dynamics>
</ComponentType>
<ComponentType name="bellTau" extends="baseVoltageDepTime">
  <Parameter name="tau0" dimension="time"/>
  <Constant name="MV" dimension="voltage" value="1 mV"/>
  <Dynamics><DerivedVariable name="t" exposure="t" dimension="time" value="tau0 * (1 + 4 * exp(-((v/MV + 40)/20)^2))"/>
  </Dynamics>
</ComponentType>
"""
CHANNEL = HEAD + """<ionChannelHH id="cah" conductance="10pS" species="ca">
  <gate id="m" type="gateHHtauInf" instances="2">
    <timeCourse type="fixedTimeCourse" tau="1 ms"/>
    <steadyState type="shiftedInf" shift="-4.49601" vh="-10mV"/>
  </gate>
  <gate id="h" type="gateHHtauInf" instances="1">
    <timeCourse type="bellTau" tau0="0.02 s"/>
    <steadyState type="shiftedInf" shift="2" vh="-0.05 V"/>
  </gate>
</ionChannelHH>
""" + TYPES + "</neuroml>"
V = np.linspace(-100.0, 60.0, 81) + 0.37  # mV


def load(tmp_path, text):
    path = tmp_path / "p.nml"
    path.write_text(text)
    return neuroml.load_channels(path)


def test_parameters_take_each_elements_attributes(tmp_path):
    cls = load(tmp_path, CHANNEL)["cah"]
    gates = cls().gates(V, 34.0)
    # the closed forms in mV and ms (the same operations in another order: rounding, 1e-12 relative)
    np.testing.assert_allclose(gates["m"][0], 1 / (1 + np.exp(-((V + 10) - 4.49601) / 9.76)), rtol=1e-12)
    np.testing.assert_allclose(gates["h"][0], 1 / (1 + np.exp(-((V + 50) + 2) / 9.76)), rtol=1e-12)
    np.testing.assert_allclose(gates["h"][1], 20 * (1 + 4 * np.exp(-((V + 40) / 20) ** 2)), rtol=1e-12)
    # one type, two uses, two values: the forms differ by their parameters
    m, h = cls.neuroml_gates
    assert m.steady.parameters == (("shift", -4.49601), ("vh", -0.01)) and m.steady != h.steady


@pytest.mark.parametrize("use, message", [
    ('<steadyState type="shiftedInf" vh="-10mV"/>',
     r"^NeuroML: p\.nml:4: ionChannel 'cah' gate 'm' steady_state: type 'shiftedInf' needs its Parameter 'shift' set"),
    ('<steadyState type="shiftedInf" shift="-4.5" vh="-10ms"/>',
     r"^NeuroML: p\.nml:4: ionChannel 'cah' gate 'm' steady_state: vh='-10ms' is not a number in a unit of "
     r"dimension voltage \(V, mV\)$"),
    ('<steadyState type="shiftedInf" shift="-4.5 mV" vh="-10mV"/>',
     r"p\.nml:4: .* shift='-4.5 mV' is not a number in a unit of dimension none \(\(no unit\)\)$"),
    ('<steadyState type="shiftedInf" shift="nan" vh="-10mV"/>', r"p\.nml:4: .* shift='nan' is not a number"),
])
def test_a_missing_or_malformed_parameter_is_refused_at_its_element(tmp_path, use, message):
    text = HEAD + f"""<ionChannelHH id="cah" conductance="10pS" species="ca">
  <gate id="m" type="gateHHtauInf" instances="2"><timeCourse type="fixedTimeCourse" tau="1 ms"/>
    {use}
  </gate></ionChannelHH>""" + TYPES + "</neuroml>"
    with pytest.raises(ModelError, match=message) as err:
        load(tmp_path, text)
    assert "\n" not in str(err.value)


def test_a_parameter_of_a_dimension_not_read_and_export_are_refused_in_one_line(tmp_path):
    text = CHANNEL.replace('<Parameter name="tau0" dimension="time"/>', '<Parameter name="tau0" dimension="fuzz"/>')
    with pytest.raises(ModelError, match=r"^NeuroML: p\.nml:\d+: ComponentType 'bellTau' Parameter 'tau0': "
                                         r"dimension 'fuzz' is not read here"):
        load(tmp_path, text)
    cls = load(tmp_path, CHANNEL)["cah"]
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls(gbar=1.0, erev=120.0))
    # libNeuroML's elements have no attribute for the parameters: written without them, the file
    # would be refused on reading, so export says so instead
    with pytest.raises(ModelError, match=r"^NeuroML export: gate 'm': its type 'shiftedInf' takes Parameters set by "
                                         r"the element's attributes \(shift, vh\)"):
        neuroml.save(cell, tmp_path / "back.nml")
