"""Stimulus waveforms: exact on/off steps (mid-step sampling, NEURON's), counts, ramps, validation."""

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError

LOC = ex.Location("soma", 0.5)
DT = 0.025
T_MID = (np.arange(2000) + 0.5) * DT


def test_iclamp_is_on_for_the_steps_starting_in_its_window():
    w = ex.IClamp(LOC, amplitude=2.0, delay=5.0, duration=1.0).waveform(T_MID)
    on = np.nonzero(w)[0]
    assert on[0] == 200 and len(on) == 40 and set(w[on]) == {2.0}


def test_pulse_train_counts_and_timing():
    w = ex.PulseTrain(LOC, amplitude=1.0, delay=2.0, width=0.5, interval=10.0, count=3).waveform(T_MID)
    starts = np.nonzero(np.diff(np.concatenate([[0.0], w])) > 0)[0] * DT
    np.testing.assert_allclose(starts, [2.0, 12.0, 22.0])
    assert w.sum() == 3 * 20  # 0.5 ms = 20 steps each


def test_ramp_is_linear_between_its_ends():
    w = ex.Ramp(LOC, start=0.0, stop=4.0, delay=10.0, duration=20.0).waveform(T_MID)
    inside = (T_MID >= 10.0) & (T_MID < 30.0)
    np.testing.assert_allclose(w[inside], 4.0 * (T_MID[inside] - 10.0) / 20.0)
    assert not w[~inside].any()


@pytest.mark.parametrize("make, field", [
    (lambda: ex.IClamp(LOC, amplitude=float("nan")), "amplitude"),
    (lambda: ex.IClamp(LOC, amplitude=1.0, duration=-1.0), "duration"),
    (lambda: ex.PulseTrain(LOC, amplitude=1.0, count=0), "count"),
    (lambda: ex.PulseTrain(LOC, amplitude=1.0, width=5.0, interval=2.0), "width"),
    (lambda: ex.VClamp(LOC, levels=((1.0, 0.0),), rs=0.0), "rs"),
    (lambda: ex.Location("soma", 1.5), "x"),
])
def test_bad_stimuli_name_the_field(make, field):
    with pytest.raises(ModelError, match=field):
        make()


@pytest.mark.parametrize("kw, field", [({"dt": 0}, "dt"), ({"dt": -0.1}, "dt"), ({"temperature": "warm"}, "temperature"),
                                       ({"method": "rk4"}, "method"), ({"v_init": float("nan")}, "v_init")])
def test_bad_simulation_settings_name_the_field(kw, field):
    with pytest.raises(ModelError, match=field):
        ex.Simulation(ex.Cell.cylinder().insert(ex.HH()), **kw)


def test_unknown_channel_and_parameter_are_clear():
    cell = ex.Cell.cylinder()
    with pytest.raises(ModelError, match="unknown channel 'Nav9'"):
        cell.insert("Nav9")
    cell.insert(ex.HH())
    with pytest.raises(ModelError, match="gXYZ"):
        cell.set("HH.gXYZ", 1.0)
    with pytest.raises(ModelError, match="cm"):
        cell.set("cm", -1.0)
