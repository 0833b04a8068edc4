"""one-way: spikes travel away from where they start and annihilate when they meet (spec row 18).

HH squid-axon membrane (d 476 um, Ri 35.4 ohm cm, 6.3 degC), 10 cm long, 100-um compartments.
The outcomes are exact and qualitative: one spike per recording site, outward on both sides, none
after a collision. The velocity is checked against the NEURON 9.0.2 in-house anchor for this axon
at 6.3 degC (PHENOMENA-SPEC section 1: 12.17 m/s; tolerance +/- 0.3 m/s as in spec row 15).
"""

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from tests.experiments import assert_answer_measured, assert_signals_recorded

TSTOP = 18.0  # the same for every run here, so they share one compiled program


@pytest.fixture(scope="module")
def default():
    return experiments.run("one-way", tstop=TSTOP)


def test_middle_stimulus_sends_two_spikes_outward_and_none_back(default):
    s = default.summary
    assert set(s["middle_n_spikes_per_site"]) == {1}
    assert s["middle_spikes_min_max"] == [1, 1]
    assert s["middle_outward_on_both_sides"] is True
    x = np.array(s["positions_um"])
    ta = np.array(s["middle_arrival_times_ms"])
    mid = 0.5 * s["length_um"]
    # Arrival times increase with the distance from the stimulus on both sides.
    for side in (x > mid, x < mid):
        order = np.argsort(np.abs(x[side] - mid))
        assert np.all(np.diff(ta[side][order]) > 0)
    assert s["turned_back"] is False


def test_both_directions_have_the_squid_axon_velocity(default):
    s = default.summary
    left, right = s["middle_velocity_left_m_s"], s["middle_velocity_right_m_s"]
    assert abs(left / right - 1) < 0.01  # a uniform axon: symmetric
    assert abs(right - 12.17) < 0.3


def test_spikes_from_both_ends_collide_in_the_middle_and_annihilate(default):
    s = default.summary
    assert set(s["collision_spikes_per_site"]) == {1}
    assert s["collision_ends_see_only_own_spike"] is True
    assert s["annihilated"] is True
    spacing = np.diff(s["positions_um"]).max()
    assert abs(s["collision_position_um"] - 0.5 * s["length_um"]) < spacing


def test_a_later_right_stimulus_moves_the_collision_right():
    # The left spike has travelled v x 2 ms further when the right one starts: they meet at
    # (L + v x 2 ms) / 2 = 62.2 mm.
    s = experiments.run("one-way", tstop=TSTOP, end_delay_ms=2.0).summary
    assert s["annihilated"] is True and s["turned_back"] is False
    spacing = np.diff(s["positions_um"]).max()
    assert abs(s["collision_position_um"] - s["collision_position_expected_um"]) < spacing
    assert s["collision_position_um"] > 0.5 * s["length_um"] + 5 * spacing


def test_too_weak_a_stimulus_is_a_one_line_error():
    with pytest.raises(ModelError, match="amplitude_nA"):
        experiments.run("one-way", tstop=TSTOP, amplitude_nA=100.0)


def test_figure_has_spacetime_plots_and_snapshots(default):
    import matplotlib.pyplot as plt

    fig = default.figure()
    titled = [a.get_title() for a in fig.axes if a.get_title()]
    assert len(titled) == 4 and titled[0].startswith("(a)")
    assert len(fig.axes[0].get_images()) == 1  # V(x, t) as an image
    plt.close(fig)


def test_the_declared_signals_are_recorded(default):
    assert_signals_recorded(default)
    assert_answer_measured(default)
