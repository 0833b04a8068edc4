"""Network building: connection rules (all, random with a seed, list), counts, validation, layout."""

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.model.network import Network
from excitable.physics.receptors import AMPA, GABAa


def cells(n):
    return [ex.Cell.cylinder().insert(ex.HH()) for _ in range(n)]


def pairs(net):
    return [(c.source.cell, net.receptors[c.receptor][c.instance][1].cell) for c in net.connections]


def test_all_to_all_connects_every_pair_except_autapses():
    net = Network(cells(5))
    n = net.connect_rule(range(3), range(5), AMPA(), rule="all")
    assert n == 3 * 5 - 3  # cells 0-2 are in both populations: no self-connections
    assert sorted(pairs(net)) == sorted((a, b) for a in range(3) for b in range(5) if a != b)
    net2 = Network(cells(4))
    assert net2.connect_rule(range(4), range(4), AMPA(), rule="all", autapses=True) == 16


def test_random_rule_is_seeded_and_has_the_binomial_count():
    n_pre, n_post, p = 60, 50, 0.1
    a, b = Network(cells(n_pre + n_post)), Network(cells(n_pre + n_post))
    post = range(n_pre, n_pre + n_post)
    na = a.connect_rule(range(n_pre), post, AMPA(), rule="random", p_connect=p, seed=3)
    nb = b.connect_rule(range(n_pre), post, AMPA(), rule="random", p_connect=p, seed=3)
    assert na == nb and pairs(a) == pairs(b)  # same seed: the same synapses
    c = Network(cells(n_pre + n_post))
    c.connect_rule(range(n_pre), post, AMPA(), rule="random", p_connect=p, seed=4)
    assert pairs(c) != pairs(a)
    # Binomial(3000, 0.1): mean 300, sd 16.4; 4 sd either way.
    assert abs(na - n_pre * n_post * p) < 4 * np.sqrt(n_pre * n_post * p * (1 - p))
    # Edge cases are exact.
    d = Network(cells(6))
    assert d.connect_rule(range(3), range(3, 6), AMPA(), rule="random", p_connect=0.0) == 0
    assert d.connect_rule(range(3), range(3, 6), AMPA(), rule="random", p_connect=1.0) == 9


def test_list_rule_connects_exactly_the_given_pairs_with_their_parameters():
    net = Network(cells(4))
    n = net.connect_rule([0, 1], [2, 3], GABAa(), rule="list", pairs=[(0, 1), (1, 0), (1, 1)],
                         delay=2.5, weight=0.5)
    assert n == 3
    assert pairs(net) == [(0, 3), (1, 2), (1, 3)]
    assert all(c.delay == 2.5 and c.weight == 0.5 and c.receptor == "GABAa" for c in net.connections)
    assert len(net.receptors["GABAa"]) == 3  # one receptor instance per connection


def test_shared_synapse_and_spike_trains():
    net = Network(cells(3))
    syn = net.synapse(AMPA(gmax=0.002), 2)
    net.connect(0, 2, synapse=syn)
    net.connect(1, 2, synapse=syn)
    net.spike_train([5.0, 1.0], 2, synapse=syn)
    assert len(net.receptors["AMPA"]) == 1 and len(net.connections) == 3
    np.testing.assert_array_equal(net.trains[0], [1.0, 5.0])  # sorted


def test_bad_input_is_a_one_line_model_error():
    net = Network(cells(3))
    with pytest.raises(ModelError, match="rule"):
        net.connect_rule([0], [1], AMPA(), rule="ring")
    with pytest.raises(ModelError, match="delay"):
        net.connect(0, 1, AMPA(), delay=-1.0)
    with pytest.raises(ModelError, match="p must be"):
        net.connect(0, 1, AMPA(), p=1.5)
    with pytest.raises(ModelError, match="no cell 7"):
        net.connect(0, 7, AMPA())
    with pytest.raises(ModelError, match="times"):
        net.spike_train([-1.0], 0, AMPA())
    with pytest.raises(ModelError, match="receptor"):
        net.synapse(ex.HH(), 0)


def test_layout_offsets_follow_the_cells():
    a = ex.Cell.cylinder()
    b = ex.Cell(ex.Morphology.cylinder(length=100.0, diameter=1.0), nseg=5)
    net = Network([a, b, ex.Cell.cylinder()])
    np.testing.assert_array_equal(net.offsets, [0, 1, 6])
    assert net.n == 7
    net.add(ex.Cell.cylinder())  # adding a cell updates the layout
    np.testing.assert_array_equal(net.offsets, [0, 1, 6, 7])
    assert net.node(ex.model.network.Site(2, ex.Location(0, 0.5))) == 6
