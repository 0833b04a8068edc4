"""``load_mod`` gives the same class for the same file text (so a model built again meets JAX's
trace cache instead of tracing every imported mechanism anew), and a new class when the file
changes: an edited file is never run with the old text."""

from __future__ import annotations

from excitable.io.nmodl import load_mod

MOD = """NEURON {
    SUFFIX leaky
    NONSPECIFIC_CURRENT i
    RANGE g, e
}
PARAMETER { g = %s (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g * (v - e) }
"""


def test_the_same_text_gives_the_same_class_and_an_edit_a_new_one(tmp_path):
    path = tmp_path / "leaky.mod"
    path.write_text(MOD % "0.001")
    first = load_mod(path)
    assert load_mod(path) is first
    assert load_mod([path])["leaky"] is first  # a list or a folder reads through the same cache
    path.write_text(MOD % "0.002")
    edited = load_mod(path)
    assert edited is not first
    assert edited().g == 0.002 and first().g == 0.001
