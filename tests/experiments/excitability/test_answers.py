"""The plain answers of gates-overlap, membrane-currents, undershoot and refractory-period render with
their default run (the textbook mammalian neuron, 37 °C), and the numbers in them are a typical
neuron's (issue 16, items 3 and 4)."""

import pytest

from excitable import experiments


@pytest.mark.parametrize("name, check", [
    # Overlap exists and wastes Na+: more than the C dV minimum (Alle, Roth & Geiger 2009: 1.3 in
    # mossy fibres; HH's squid axon about 4), so between 1 and 4 in a warm mammalian cell.
    ("gates-overlap", lambda s: s["overlap_ms"] > 0.1 and 1.0 < s["na_charge_ratio"] < 4.0),
    # Kirchhoff at the steepest fall: INa inward, IK outward and larger, the net outward.
    ("membrane-currents", lambda s: s["INa_at_steepest_fall_uA_cm2"] < 0 < s["I_ion_at_steepest_fall_uA_cm2"]),
    # PHENOMENA-SPEC: an undershoot 2-10 mV below rest; slower K+ gates deepen it and slow firing.
    ("undershoot", lambda s: 2.0 <= s["undershoot_depth_mV_control"] <= 10.0
     and s["rate_hz_slowed"] < s["rate_hz_control"] < s["rate_hz_faster"]),
    # Textbooks: an absolute refractory period of about 1-2 ms in mammalian neurons (1-3 accepted).
    ("refractory-period", lambda s: 1.0 <= s["absolute_refractory_ms"] <= 3.0),
])
def test_the_answer_renders_with_the_default_run(name, check):
    s = experiments.run(name, **experiments.declaration(name).quick).summary
    assert s["model"] == "textbook"
    text = experiments.declaration(name).answer_for(s)
    assert text and any(ch.isdigit() for ch in text), name
    assert check(s), (name, text)
