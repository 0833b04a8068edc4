"""Export of NeuroML kinetic schemes with several transition pairs (issue 18, item 5).

NeuroML's schema (NeuroML_v2.3.1.xsd, complexType GateKS) takes a gate's transitions as a choice of
(``forwardTransition`` then ``reverseTransition``) pairs and ``tauInfTransition``s. libNeuroML keeps
forward and reverse transitions in two lists and writes all forward ones first, which the schema
refuses as soon as there are two pairs; ``kinetic.ks_element`` writes them pair by pair."""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

from excitable.errors import ModelError

from .nml_models import N, run, write
from .test_neuron_side import ks_channel_document

from excitable.io import neuroml  # noqa: E402


def rate(kind, r, mid, scale):
    return f'<rate type="{kind}" rate="{r}per_ms" midpoint="{mid}mV" scale="{scale}mV"/>'


def two_pair_document():
    """``ks_channel_document``'s cell with a four-state scheme: c1 <-> c2 and c2 <-> c3 by a forward
    and a reverse HH rate each, c3 <-> o by a tauInfTransition (written here in the schema's order)."""
    doc = ks_channel_document()
    gate = doc.ion_channel_kses[0].gate_kses[0]
    gate.closed_states.append(N.ClosedState(id="c3"))
    gate.tau_inf_transition[0].from_ = "c3"
    gate.forward_transition.append(N.ForwardTransition(id="f2", from_="c2", to="c3",
                                                       anytypeobjs_=[rate("HHExpRate", 0.8, -45, 15)]))
    gate.reverse_transition.append(N.ReverseTransition(id="r2", from_="c2", to="c3",
                                                       anytypeobjs_=[rate("HHSigmoidRate", 0.3, -55, -7)]))
    return doc


def transition_tags(path):
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    gate = tree.find(".//{*}gateKS")
    return [etree.QName(c).localname for c in gate if etree.QName(c).localname.endswith("Transition")]


def test_a_scheme_of_two_pairs_is_written_in_the_schema_order_and_round_trips(tmp_path):
    cell = neuroml.read(write(two_pair_document(), tmp_path / "in.nml")).cells["cell"].cell
    assert cell.mechanisms["kKS"].states == ("n_c1", "n_c2", "n_c3", "n_o")
    back = neuroml.save(cell, tmp_path / "back.nml")  # validated (libNeuroML and the XSD) before it is kept
    neuroml.validate(back)
    assert transition_tags(back) == ["forwardTransition", "reverseTransition", "forwardTransition",
                                     "reverseTransition", "tauInfTransition"]
    # libNeuroML's own order (all forward transitions first) is what the schema refuses: the test of
    # the order can fail
    plain = write(two_pair_document(), tmp_path / "plain.nml")
    assert transition_tags(plain)[:3] == ["forwardTransition", "forwardTransition", "reverseTransition"]
    with pytest.raises(ModelError, match=r"plain.nml is not valid NeuroML 2"):
        neuroml.validate(plain)
    again = next(iter(neuroml.read(back).cells.values())).cell
    labels = ["v", "kKS.n_c3", "kKS.n_o"]
    a, b = (run(c, labels, amplitude=0.05) for c in (cell, again))
    assert np.ptp(a["v"]) > 10 and np.ptp(a["kKS.n_c3"]) > 1e-3  # the step moves the new state
    # every number written with repr(): the same floats back, the same trace (1e-9: issue 18's bound)
    for label in labels:
        np.testing.assert_allclose(b[label], a[label], rtol=0, atol=1e-9)


def test_a_forward_transition_without_its_reverse_is_refused_at_export(tmp_path):
    doc = two_pair_document()
    del doc.ion_channel_kses[0].gate_kses[0].reverse_transition[1]  # read (not validated), then written
    cell = neuroml.read(write(doc, tmp_path / "odd.nml")).cells["cell"].cell
    with pytest.raises(ModelError, match=r"^NeuroML export: ionChannelKS 'kKS' gateKS 'n' has 2 forward and 1 "
                                         r"reverse transitions; NeuroML's schema takes them in forward/reverse pairs$"):
        neuroml.save(cell, tmp_path / "odd_back.nml")
    assert not (tmp_path / "odd_back.nml").exists()  # nothing half-written
