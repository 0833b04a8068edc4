"""Channel classes as JAX pytrees (physics.channel.register_fields): two classes with the same
fields never share a tree structure, so no structure-keyed cache (jax.jit's) can run one with the
program traced for the other.

With ``jax.tree_util.register_dataclass`` (JAX 0.10) HH and HHPronase (pronase: h held at 1, the
same fields) had structures that compared equal while their hashes differed: a hash table that
meets both in one slot takes them for one key. That happened in about one full test run in ten
(test_no_spike's pronase run came back with the intact cell's repolarizing spike) and to an edited
copy of a .mod file (same SUFFIX, same fields) run after the original in one process."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import excitable as ex
from excitable.experiments.common.models import HHPronase, NaTraubPronase
from excitable.physics.channels.pospischil import NaTraub


class _Colliding:
    """A dict key with one hash for every structure and the structures' own equality: what two
    structures meeting in one slot of a hash table look like to it."""

    def __init__(self, treedef):
        self.treedef = treedef

    def __hash__(self):
        return 0

    def __eq__(self, other):
        return self.treedef == other.treedef


@pytest.mark.parametrize("pair", [(ex.HH(), HHPronase()), (NaTraub(), NaTraubPronase())], ids=["HH", "NaTraub"])
def test_classes_with_the_same_fields_have_distinct_structures(pair):
    intact, treated = (jax.tree.structure({"channels": {"x": c}}) for c in pair)
    assert intact != treated
    table = {_Colliding(intact): "intact"}
    assert table.get(_Colliding(treated)) is None  # with register_dataclass: "intact"


def test_two_files_of_one_suffix_have_distinct_structures(tmp_path):
    text = ("NEURON { SUFFIX twinleak NONSPECIFIC_CURRENT i RANGE g }\nPARAMETER { g = 0.001 (S/cm2) }\n"
            "ASSIGNED { v (mV) i (mA/cm2) }\nBREAKPOINT { i = g * (v + EREV) }\n")
    paths = []
    for k, e in enumerate((-70, -50)):
        paths.append(tmp_path / f"v{k}" / "twinleak.mod")
        paths[-1].parent.mkdir()
        paths[-1].write_text(text.replace("EREV", str(-e)))  # v + 70: the leak reverses at -70 mV
    first, second = (ex.load_mod(p) for p in paths)
    assert jax.tree.structure(first()) != jax.tree.structure(second())
    # and each runs its own numbers through the same compiled runner (one plan: the same SUFFIX)
    ends = []
    for cls in (first, second):
        cell = ex.Cell.cylinder().insert(cls(g=0.01))
        sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-60.0)
        sim.record("v")
        ends.append(float(sim.run(50.0)["v"][-1]))
    np.testing.assert_allclose(ends, [-70.0, -50.0], atol=0.01)  # 50 ms = 50 tau_m: at each leak's reversal


def test_field_names_are_the_key_paths():
    """Paths name the fields (the lab's sensitivity scales conductances found by name)."""
    paths = [path for path, _ in jax.tree_util.tree_flatten_with_path(ex.HH())[0]]
    assert [p[-1].name for p in paths] == [f for f in ex.HH().parameters()]
