"""What a gate's LEMS ComponentType says is read or refused at its line, never dropped; top-level
instances of other ComponentTypes (a cell defined in LEMS, as OpenSourceBrain's PinskyRinzel
model writes its two-compartment cell) are named, not ignored.

libNeuroML keeps of a ComponentType only what NeuroML's schema gives it: a rate whose
``<DerivedVariable name="r" ... valueCondition=... valueIfFalse="0">`` (LEMS's older conditional
form) ran as if the condition always held, and a <Child>, <Text>, <KineticScheme>, <Structure>, a
``reduce=``, and an attribute of the element naming the type that is none of its Parameters
vanished, each without a word. Each is refused in one line naming file:line (the forms that run
keep running: test_channel_forms, test_lems_rates, test_lems_parameters)."""

from __future__ import annotations

import re
import warnings

import pytest

from excitable.errors import ModelError

pytest.importorskip("neuroml")
from excitable.io import neuroml  # noqa: E402

from .test_channel_forms import IT_FORM, WB_CELL  # noqa: E402

HEAD = '<neuroml xmlns="http://www.neuroml.org/schema/neuroml2" id="kept">\n'
#: A K+ channel whose forward rate is a ComponentType; {ct}/{dyn}: what is added to the type / its Dynamics.
RATE = HEAD + """<ionChannelHH id="k" conductance="10pS" species="k">
  <gateHHrates id="n" instances="1">
    <forwardRate type="myRate"/>
    <reverseRate type="HHExpRate" rate="0.125per_ms" midpoint="-44mV" scale="-80mV"/>
  </gateHHrates>
</ionChannelHH>
<ComponentType name="myRate" extends="baseVoltageDepRate">
  <Constant name="TIME_SCALE" dimension="time" value="1 ms"/>
  <Constant name="VOLT_SCALE" dimension="voltage" value="1 mV"/>{ct}
  <Dynamics>
    <DerivedVariable name="V" dimension="none" value="v / VOLT_SCALE"/>{dyn}
    <DerivedVariable name="r" exposure="r" dimension="per_time" value="0.1 * exp(V/10) / TIME_SCALE"/>
  </Dynamics>
</ComponentType>
</neuroml>
"""
FORM = "is not read in a gate's rate, variable or time course"
GATE = "is not read in a gate's type"


def save(tmp_path, text, name="kept.nml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def line_of(path, text):
    """The 1-based line of ``path`` where ``text`` first appears."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def refused(path, message, read=neuroml.load_channels):
    """``read`` refuses ``path`` with exactly ``message``, in one line."""
    with pytest.raises(ModelError, match="^" + re.escape(message) + "$") as e:
        read(path)
    assert "\n" not in str(e.value)


def test_a_rate_with_lemss_older_value_condition_is_refused_not_run_unconditionally(tmp_path):
    """r = 0 below 0 mV in LEMS's older form; libNeuroML dropped the condition and the rate ran
    as 0.1 exp(V/10) at every V, without a word."""
    clipped = '<DerivedVariable name="r" exposure="r" dimension="per_time" value="0.1 * exp(V/10) / TIME_SCALE" ' \
              'valueCondition="v .gt. 0" valueIfFalse="0"/>'
    text = RATE.format(ct="", dyn="").replace(
        '<DerivedVariable name="r" exposure="r" dimension="per_time" value="0.1 * exp(V/10) / TIME_SCALE"/>', clipped)
    path = save(tmp_path, text)
    refused(path, f"NeuroML: kept.nml:{line_of(path, 'valueCondition')}: ComponentType 'myRate': attribute "
                  f"valueCondition='v .gt. 0' of <DerivedVariable> {FORM} (<DerivedVariable> takes description, "
                  f"dimension, exposure, name, value)")


@pytest.mark.parametrize(("ct", "dyn", "marker", "message"), [
    ('\n  <Child name="extra" type="baseVoltageDepRate"/>', "", "<Child", f"element <Child> in <ComponentType> {FORM} "
     "(<ComponentType> holds Constant, Dynamics, Exposure, Parameter, Requirement there)"),
    ('\n  <Text name="ion"/>', "", "<Text", f"element <Text> in <ComponentType> {FORM} (<ComponentType> holds "
     "Constant, Dynamics, Exposure, Parameter, Requirement there)"),
    ('\n  <Structure><ChildInstance component="extra"/></Structure>', "", "<Structure", f"element <Structure> in "
     f"<ComponentType> {FORM} (<ComponentType> holds Constant, Dynamics, Exposure, Parameter, Requirement there)"),
    ("", '\n    <KineticScheme name="ks" nodes="s" stateVariable="o" edges="t" edgeSource="f" edgeTarget="g" '
     'forwardRate="a" reverseRate="b"/>', "<KineticScheme", f"element <KineticScheme> in <Dynamics> {FORM} "
     "(<Dynamics> holds ConditionalDerivedVariable, DerivedVariable there)"),
    ("", '\n    <DerivedVariable name="z" dimension="none" value="V" reduce="add"/>', 'reduce="add"',
     f"attribute reduce='add' of <DerivedVariable> {FORM} (<DerivedVariable> takes description, dimension, "
     "exposure, name, value)"),
    ("", '\n    <ConditionalDerivedVariable name="z" dimension="none"><Case condition="V .gt. 0" value="1" '
     'otherwise="2"/></ConditionalDerivedVariable>', "otherwise=", f"attribute otherwise='2' of <Case> {FORM} "
     "(<Case> takes condition, value)"),
])
def test_what_libneuroml_drops_from_a_rate_type_is_refused_at_its_line(tmp_path, ct, dyn, marker, message):
    path = save(tmp_path, RATE.format(ct=ct, dyn=dyn))
    refused(path, f"NeuroML: kept.nml:{line_of(path, marker)}: ComponentType 'myRate': {message}")


def test_an_attribute_of_the_naming_element_that_sets_nothing_is_refused(tmp_path):
    """A standard form's rate/midpoint left on an element whose type is a ComponentType without
    those Parameters was dropped without a word; a declared Parameter is read
    (test_lems_parameters), anything else refused at the element's line."""
    path = save(tmp_path, RATE.format(ct="", dyn="").replace('<forwardRate type="myRate"/>',
                                                              '<forwardRate type="myRate" rate="2per_ms"/>'))
    refused(path, f"NeuroML: kept.nml:{line_of(path, '<forwardRate')}: ionChannel 'k' gate 'n' forward_rate: attribute "
                  "rate='2per_ms' sets nothing: its type 'myRate' declares no Parameter")


def test_the_readers_own_refusals_keep_their_words(tmp_path):
    """A StateVariable is kept by libNeuroML and refused by the rate reader in its own words, before
    the check of what was dropped (a <Child> above it in the file)."""
    path = save(tmp_path, RATE.format(ct='\n  <Child name="extra" type="baseVoltageDepRate"/>',
                                      dyn='\n    <StateVariable name="s" dimension="none"/>'))
    refused(path, f"NeuroML: kept.nml:{line_of(path, '<StateVariable')}: ComponentType 'myRate' StateVariable is not "
                  "supported (a gate's r is a function of v and temperature)")


@pytest.mark.parametrize(("text", "old", "new", "message"), [
    # Wang & Buzsaki's instantaneous gate type: a Children list, a KineticScheme, a reduce on its select
    (WB_CELL, '<Child name="reverseRate" type="baseVoltageDepRate"/>', '<Child name="reverseRate" '
     'type="baseVoltageDepRate"/><Children name="more" type="baseVoltageDepRate"/>', f"element <Children> in "
     f"<ComponentType> {GATE} (<ComponentType> holds Child, Constant, Dynamics, Exposure there)"),
    (WB_CELL, '<Dynamics>', '<Dynamics><KineticScheme name="ks"/>', f"element <KineticScheme> in <Dynamics> {GATE} "
     "(<Dynamics> holds DerivedVariable there)"),
    (WB_CELL, 'select="reverseRate/r"', 'select="reverseRate/r" required="false"', f"attribute required='false' of "
     f"<DerivedVariable> {GATE} (<DerivedVariable> takes description, dimension, exposure, name, select, value)"),
    # Pospischil's gate of its steady state
    (IT_FORM, 'select="steadyState/x"', 'select="steadyState/x" reduce="multiply"', f"attribute reduce='multiply' "
     f"of <DerivedVariable> {GATE} (<DerivedVariable> takes description, dimension, exposure, name, select, value)"),
])
def test_what_libneuroml_drops_from_a_gate_type_is_refused_at_its_line(tmp_path, text, old, new, message):
    path = save(tmp_path, text.replace(old, new, 1))
    name = "gateHHratesInstantaneous" if text is WB_CELL else "IT_s_gate"
    marker = next(m for m in ("<Children", "<KineticScheme", "required=", "reduce=") if m in new)
    refused(path, f"NeuroML: kept.nml:{line_of(path, marker)}: ComponentType {name!r}: {message}")


#: OSB PinskyRinzel's form: a cell type of its own (extending baseCellMembPot) and its instance.
LEMS_CELL = HEAD + """<ComponentType name="twoCompartmentCell" extends="baseCellMembPot">
    <Child name="morphology" type="morphology"/>
    <Dynamics><StateVariable name="v" exposure="v" dimension="voltage"/></Dynamics>
</ComponentType>
<twoCompartmentCell id="CA3pyramidalPR">
    <morphology id="m"><segment id="0" name="soma"><proximal x="0" y="0" z="0" diameter="3"/><distal x="0" y="100" z="0" diameter="3"/></segment></morphology>
</twoCompartmentCell>
<Component id="second" type="twoCompartmentCell"/>
<myRate id="unused"/>
{more}</neuroml>
"""


def test_a_cell_defined_in_lems_is_named_not_ignored(tmp_path):
    """Alone, the file was read as an empty model; now one line names its instances (an instance
    of a gate's form, ``myRate``, does nothing at a file's top in LEMS either: not named). Beside
    an ion channel, ``read`` warns and lists them in ``not_imported``, as it does abstract cells."""
    rate_type = RATE.format(ct="", dyn="").split("</ionChannelHH>\n")[1].replace("</neuroml>\n", "")
    only = save(tmp_path, LEMS_CELL.format(more=rate_type), "pr.nml")
    message = ("NeuroML: pr.nml:6: twoCompartmentCell 'CA3pyramidalPR' (a LEMS ComponentType), Component 'second' "
               "(LEMS ComponentType 'twoCompartmentCell'): instances of LEMS ComponentTypes are not imported (only <cell>, morphology + biophysics, and ion channels are), and "
               "pr.nml has nothing else to import")
    refused(only, message, read=neuroml.read)
    refused(only, message, read=neuroml.load_cell)
    both = save(tmp_path, LEMS_CELL.format(more=rate_type + '<ionChannel id="leak" type="ionChannelPassive" '
                                           'conductance="10pS"/>\n<izhikevichCell id="izh" v0="-70mV" thresh="30mV" '
                                           'a="0.02" b="0.2" c="-65.0" d="6"/>\n'), "both.nml")
    izh = line_of(both, "<izhikevichCell")
    listed = [("izhikevichCell 'izh'", f"both.nml:{izh}"),
              ("twoCompartmentCell 'CA3pyramidalPR' (a LEMS ComponentType)", "both.nml:6"),
              ("Component 'second' (LEMS ComponentType 'twoCompartmentCell')", "both.nml:9")]
    with pytest.warns(UserWarning, match="^" + re.escape(
            "NeuroML: both.nml: abstract cells and instances of LEMS ComponentTypes are not imported: " +
            ", ".join(f"{what} ({where})" for what, where in listed)) + "$"):
        model = neuroml.read(both)
    assert model.not_imported == listed
    assert sorted(model.channels) == ["leak"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refused(both, "NeuroML: both.nml has no <cell> (morphology + biophysics) to import; its abstract cells and "
                      "instances of LEMS ComponentTypes are not imported: " +
                      ", ".join(f"{what} ({where})" for what, where in listed), read=neuroml.load_cell)
