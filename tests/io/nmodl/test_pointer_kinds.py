"""Which POINTERs run (io/nmodl/pointers.py): one that no block reads is ignored, as NEURON never
dereferences it (ModelDB 267599's ican.mod: ``POINTER jip3p``); one declared in a unit other than a
membrane potential's (ModelDB 182758's I_AHP.mod: ``I_T (mA/cm2)``; 2015953's mglur2.mod: ``C (mM)``)
is refused with its line, since a POINTER here can only be filled with a V (``Network.pointer``
takes a site), and filling a current or a concentration with one would run, wrongly.

Reference: NEURON 9.0.2 side by side through ``compare_mods`` (1e-6 of each trace's scale, issue 18).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import OWN

UNREAD = OWN / "nm_unreadpointer.mod"
UNREAD_EVENTS = Path(__file__).parent / "mod_events" / "pt_unreadevents.mod"


def test_an_unread_pointer_is_no_field_and_check_says_it_is_ignored():
    mech = load_mod(UNREAD)
    assert mech.pointers == () and "unused" not in {f.name for f in dataclasses.fields(mech)}
    lines, bad = check_file(UNREAD)
    assert bad == 0 and "  POINTER unused: never read, so ignored (nothing to set)" in lines
    assert not any("reads the V of another place" in line for line in lines)


@pytest.mark.neuron
def test_an_unread_pointer_runs_unset_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([UNREAD])
    assert result.agrees, result.report()
    assert "nm_unreadpointer.w" in {r.trace for r in result.rows}


@pytest.mark.neuron
def test_an_unread_pointer_in_a_synapse_with_events_is_no_state_and_runs_beside_neuron():
    """The event path keeps a point process's ASSIGNED variables as states; an unread POINTER
    must not be one (NEURON cannot record it unset: "Invalid pointer"). 1e-6 of each trace's scale."""
    from excitable.workflows.neuron_compare import compare_mods

    mech = load_mod(UNREAD_EVENTS)
    assert getattr(mech, "pointers", ()) == () and "pre" not in mech.states
    result = compare_mods([UNREAD_EVENTS], weight=0.01)
    assert result.agrees, result.report()
    assert "pt_unreadevents.g" in {r.trace for r in result.rows}


@pytest.mark.parametrize("unit", ["mA/cm2", "mM"])
def test_a_pointer_to_something_other_than_a_voltage_is_refused_with_its_line(tmp_path, unit):
    path = tmp_path / "nm_ptrunit.mod"
    path.write_text("NEURON {\n SUFFIX nm_ptrunit\n NONSPECIFIC_CURRENT i\n POINTER x\n}\n"
                    f"ASSIGNED {{ v (mV) i (mA/cm2) x ({unit}) }}\nBREAKPOINT {{ i = 0.001*x }}\n")
    with pytest.raises(ModelError, match=rf"^{path}:4: POINTER x declared in {unit} \(only a POINTER to a "
                                         r"membrane potential, in mV, runs\) not supported$"):
        load_mod(path)
    lines, bad = check_file(path)
    assert bad == 1 and not any("reads the V of another place" in line for line in lines)


@pytest.mark.parametrize("unit", ["(mV)", "(millivolt)", ""])
def test_a_pointer_declared_as_a_voltage_or_without_a_unit_still_runs(tmp_path, unit):
    path = tmp_path / "nm_ptrvolt.mod"
    path.write_text("NEURON {\n SUFFIX nm_ptrvolt\n NONSPECIFIC_CURRENT i\n POINTER vpre\n}\n"
                    f"ASSIGNED {{ v (mV) i (mA/cm2) vpre {unit} }}\nBREAKPOINT {{ i = 0.001*(v - vpre) }}\n")
    mech = load_mod(path)
    assert mech.pointers == ("vpre",) and "vpre" in {f.name for f in dataclasses.fields(mech)}


def test_a_pointer_declared_in_parameter_is_no_parameter_and_its_unit_counts(tmp_path):
    """ModelDB 114047's gap.mod declares ``vgap (millivolt)`` in PARAMETER: a POINTER (a field the
    engine fills), not a parameter `mod check` lists; declared so in mM it is refused as above."""
    path = tmp_path / "nm_ptrparam.mod"
    text = ("NEURON {\n SUFFIX nm_ptrparam\n NONSPECIFIC_CURRENT i\n POINTER vpre\n}\n"
            "PARAMETER { g = 0.001 (S/cm2) vpre (millivolt) }\nASSIGNED { v (mV) i (mA/cm2) }\n"
            "BREAKPOINT { i = g*(v - vpre) }\n")
    path.write_text(text)
    lines, bad = check_file(path)
    assert bad == 0 and "  parameters: g = 0.001 S/cm2" in lines, lines
    assert load_mod(path).pointers == ("vpre",)
    path.write_text(text.replace("vpre (millivolt)", "vpre (mM)"))
    with pytest.raises(ModelError, match=r":4: POINTER vpre declared in mM \(only a POINTER"):
        load_mod(path)
