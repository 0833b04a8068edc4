"""Simulation: the description of a run. It validates its settings (one ModelError line naming field
and value), tells which signals it can record, compiles to a plan, samples its stimuli, and hands
runs to the engine's front door: what run, run_batch and function return, and their shapes.
"""

import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast, with_param
from excitable.errors import ModelError

DT = 0.025


def cell():
    return ex.Cell.cylinder(length=20.0, diameter=20.0).insert(ex.HH())


def sim(**kw):
    c = cell()
    s = ex.Simulation(c, dt=DT, temperature=6.3, **kw)
    s.stimulate(ex.IClamp(c.soma, amplitude=c.density_to_nA(10.0, c.soma), delay=1.0, duration=1.0))
    s.record("v").record("HH.m")
    return s


@pytest.mark.parametrize("kwargs, words", [
    ({"dt": 0.0}, ["dt", "0"]),
    ({"dt": "fast"}, ["dt", "'fast'"]),
    ({"temperature": 80.0}, ["temperature", "80"]),
    ({"v_init": "cold"}, ["v_init", "'cold'"]),
    ({"method": "rk4"}, ["method", "'rk4'"]),
    ({"seed": -1}, ["seed", "-1"]),
    ({"seed": 1.5}, ["seed", "1.5"]),
])
def test_settings_are_validated_in_one_line(kwargs, words):
    with pytest.raises(ModelError) as err:
        ex.Simulation(cell(), **kwargs)
    msg = str(err.value)
    assert "\n" not in msg and all(w in msg for w in words), msg


def test_the_model_must_be_a_cell_or_a_network_with_cells():
    with pytest.raises(ModelError, match="needs a Cell or a Network, got str"):
        ex.Simulation("soma")
    with pytest.raises(ModelError, match="the network has no cells"):
        ex.Simulation(ex.Network([]))


def test_signals_lists_what_record_takes():
    s = sim()
    names = s.signals()
    assert names[:3] == ["v", "i_cap", "i_ion"]
    assert {"HH.m", "HH.h", "HH.n", "HH.ina", "HH.gna", "iclamp[0]"} <= set(names)
    assert "vclamp[0]" not in names
    for name in names:  # every listed signal is accepted
        s.record(name, label=f"x_{name}")
    with pytest.raises(ModelError, match=r"unknown signal 'HH\.x'|has no state, current or conductance 'x'"):
        s.record("HH.x")
    with pytest.raises(ModelError, match="label 'v' is already used"):
        s.record("v")


def test_run_returns_named_traces_on_the_sample_times():
    s = sim()
    res = s.run(5.0)
    assert res.t.shape == (201,) and res.t[0] == 0.0 and res.t[-1] == pytest.approx(5.0)
    assert set(res.traces) == {"v", "HH.m"} and res["v"].shape == (201,)
    assert res.meta == {"dt": DT, "temperature": 6.3}
    assert res["v"].max() > 0.0  # the 10 uA/cm2 pulse fires a spike
    strided = s.run(5.0, stride=4)
    assert strided.t.shape == (51,) and np.array_equal(strided["v"], res["v"][::4])


def test_v_at_all_nodes_and_spike_times():
    c = ex.Cell.cylinder(length=200.0, diameter=2.0, nseg=5).insert(ex.HH())
    s = ex.Simulation(c, dt=DT)
    s.stimulate(ex.IClamp(c.soma, amplitude=0.5, delay=1.0, duration=2.0))
    s.record("v", at="all").record_spikes()
    res = s.run(6.0)
    assert res["v_all"].shape == (241, s.plan.n)
    assert list(res.spikes) == [0] and 1.0 < res.spikes[0][0] < 6.0


def test_run_batch_gives_one_row_per_parameter_set():
    s = sim()
    batch = with_param(broadcast(s.parameters(), 3), "HH.gNa", np.array([20.0, 120.0, 120.0]))
    res = s.run_batch(5.0, batch)
    assert res["v"].shape == (3, 201) and res.t.shape == (201,)
    assert np.array_equal(res["v"][1], res["v"][2]) and res["v"][0].max() < 0.0 < res["v"][1].max()
    np.testing.assert_allclose(res["v"][1], s.run(5.0)["v"], rtol=0, atol=1e-12)


def test_function_is_pure_params_to_recordings():
    s = sim()
    f = s.function(5.0)
    rec = np.asarray(f(s.parameters()))
    assert rec.shape == (201, 2)  # samples x probes (v, HH.m)
    np.testing.assert_allclose(rec[:, 0], s.run(5.0)["v"], rtol=0, atol=1e-12)
    batched = np.asarray(s.function(5.0, batched=True, stride=2)(broadcast(s.parameters(), 2)))
    assert batched.shape == (2, 101, 2)
    with pytest.raises(ModelError, match="takes a batch"):
        s.function(5.0, kernel="fused")


def test_run_spec_is_the_description_as_plain_data():
    s = sim(method="cn")
    s.record_spikes()
    spec = s.run_spec()
    assert spec.plan is s.plan and spec.dt == DT and spec.theta == 0.5
    assert dict(spec.spike_columns) == {0: 0}
    assert set(spec.drive(5.0)) == {"iclamp"} and spec.drive(5.0)["iclamp"].shape == (200, 1)
    assert spec.parameters().keys() == s.parameters().keys()


def test_drive_samples_the_stimuli_at_mid_step_times_and_pads_with_nothing():
    s = sim()
    d = s.drive(5.0)["iclamp"]
    on = np.nonzero(d[:, 0])[0]
    assert d.shape == (200, 1) and on[0] == 40 and on[-1] == 79  # mid-steps 1.0125 .. 1.9875 ms
    tail = s.drive(5.0, start=190, count=20)["iclamp"]  # 10 steps past tstop: no stimulus
    assert tail.shape == (20, 1) and not tail.any()
    assert s.n_steps(5.0) == 200


def test_a_changed_description_compiles_a_new_plan():
    s = sim()
    first = s.plan
    assert s.plan is first  # kept while nothing changes
    s.record("HH.h")
    assert s.plan is not first and [p.label for p in s.plan.probes] == ["v", "HH.m", "HH.h"]
    assert set(s.run(2.0).traces) == {"v", "HH.m", "HH.h"}


def test_a_step_made_longer_than_a_pulse_is_refused_at_run():
    s = sim()
    s.stimulate(ex.IClamp(s.cell.soma, amplitude=0.1, delay=1.0, duration=0.05))
    s.dt = 0.1
    with pytest.raises(ModelError, match="dt"):
        s.run(2.0)
