"""myelination: saltatory conduction, several-fold speed-up, v ~ D (PHENOMENA-SPEC rows 16, 19, 20)."""

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from tests.experiments import assert_answer_measured, assert_signals_recorded


@pytest.fixture(scope="module")
def default():
    return experiments.run("myelination")


def test_myelin_makes_conduction_several_fold_faster(default):
    s = default.summary
    assert s["conducted"] and s["myelin"]
    # "Several times faster" than a bare axon of the same axon diameter and membrane (here ~10x).
    assert s["velocity_ratio"] > 3.0
    assert s["velocity_ratio"] == pytest.approx(s["velocity_myelinated_m_s"] / s["velocity_unmyelinated_m_s"])


def test_velocity_per_fibre_diameter_is_in_the_mammalian_range(default):
    # Row 19: 4.5-6.5 m/s per um of fibre diameter (Hursh 1939: ~6 m/s/um, cat); the model gives ~5.2.
    s = default.summary
    assert 4.5 <= s["velocity_per_fibre_diameter_m_s_per_um"] <= 6.5
    assert s["fibre_diameter_um"] == 10.0 and s["internode_length_um"] == 1000.0
    for D, v in zip(s["sweep_fibre_diameters_um"], s["sweep_velocity_myelinated_m_s"]):
        assert 4.5 <= v / D <= 6.5, (D, v)


def test_myelinated_velocity_grows_as_diameter_bare_axon_as_its_square_root(default):
    s = default.summary
    assert s["sweep_fibre_diameters_um"] == [2.0, 4.0, 8.0, 10.0, 16.0]
    # Rushton 1951: with internode length, myelin thickness and node area all proportional to D, v ~ D.
    # Only the 1-um node length does not scale, which bends the exponent by < 1 %.
    assert s["exponent_myelinated"] == pytest.approx(1.0, abs=0.05)
    # Row 16: a uniform cable, v ~ sqrt(d): exponent 0.50 +/- 0.02.
    assert s["exponent_unmyelinated"] == pytest.approx(0.5, abs=0.02)


def test_the_spike_jumps_from_node_to_node(default):
    m, t = default.meta, default.t
    x, V, is_node = m["x_fibre_um"], m["V_fibre"], m["is_node"]
    nodes = np.nonzero(is_node)[0]
    ta = m["arrival_fibre_ms"][nodes]
    # Saltatory conduction at a steady pace: the same delay from each node to the next in the middle
    # of the fibre, equal to node spacing / velocity.
    mid = np.diff(ta)[len(nodes) // 4: 3 * len(nodes) // 4]
    assert np.ptp(mid) < 0.02 * mid.mean()
    expected_ms = m["node_spacing_um"] / (1000.0 * default.summary["velocity_myelinated_m_s"])
    assert mid.mean() == pytest.approx(expected_ms, rel=0.01)
    # FitzHugh 1962: V(x) changes slope abruptly at the active nodes (their membrane current) and
    # only gently along the internodes. Snapshot when the spike reaches the middle node.
    k = int(np.argmin(np.abs(t - m["arrival_fibre_ms"][nodes[len(nodes) // 2]])))
    slope_change = np.abs(np.diff(np.diff(V[k]) / np.diff(x)))
    at_node = is_node[1:-1]
    assert slope_change[at_node].max() > 5.0 * slope_change[~at_node].max()


def test_thinner_myelin_slows_then_blocks_and_demyelination_blocks():
    # Row 20: thinning the myelin slows conduction; below a safety factor of 1 it blocks: the first
    # node fires, but the current it gives no longer brings the next nodes to threshold.
    run = lambda **kw: experiments.run("myelination", sweep=False, n_nodes=13, **kw).summary  # noqa: E731
    base, thin, thinner = run(), run(lamellae=40), run(lamellae=20)
    assert base["conducted"] and base["lamellae"] == 125
    assert thin["conducted"] and thin["velocity_myelinated_m_s"] < 0.6 * base["velocity_myelinated_m_s"]
    assert not thinner["conducted"] and thinner["velocity_myelinated_m_s"] is None
    assert 1 <= thinner["nodes_reached"] < 13
    # No myelin at all: even a first node driven hard (50 nA) cannot fire the next one.
    bare = run(myelin=False, stimulus_nA=50.0)
    assert not bare["conducted"] and bare["nodes_reached"] == 1
    assert bare["velocity_demyelinated_m_s"] is None and bare["velocity_ratio"] is None
    assert bare["velocity_unmyelinated_m_s"] > 0  # the bare axon with channels everywhere still conducts


def test_velocity_is_converged_in_the_time_step():
    # Backward Euler is first order; at dt = 1 us the velocity is within 1 % of dt = 0.5 us.
    v = [experiments.run("myelination", sweep=False, n_nodes=13, dt=dt).summary["velocity_myelinated_m_s"]
         for dt in (0.001, 0.0005)]
    assert v[0] == pytest.approx(v[1], rel=0.01)


def test_quick_settings_still_show_the_phenomenon():
    quick = experiments.declaration("myelination").quick

    s = experiments.run("myelination", **quick).summary
    assert s["velocity_ratio"] > 3.0 and "exponent_myelinated" not in s


@pytest.mark.parametrize("key, value", [("g_ratio", 1.2), ("diameter_um", -1), ("n_nodes", 2),
                                        ("myelin", "maybe")])
def test_bad_parameters_are_clear_errors(key, value):
    with pytest.raises(ModelError, match=key):
        experiments.run("myelination", **{key: value})


def test_the_declared_signals_are_recorded(default):
    assert_signals_recorded(default)
    assert_answer_measured(default)
