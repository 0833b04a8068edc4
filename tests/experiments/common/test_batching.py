"""experiments.batching: many points of an experiment as one vmapped simulation per group.

Reference: the experiment run on its own at each point (``experiments.run``). Batching changes
only the order of floating-point operations (vmapped arrays, a stimulus amplitude applied as a
gain on another point's waveform), so every scalar of the summary agrees to 1e-9 relative (measured:
4e-14 over a 1000-point sweep), integers and strings exactly.
"""

import math

import pytest

from excitable import experiments
from excitable.errors import ModelError, SimulationError
from excitable.experiments.common import batching

POINTS = [{"amplitude": a, "gNa_scale": g, "tstop": 12.0} for a in (3.0, 9.0, 25.0) for g in (0.6, 1.4)]


def same_summary(got, ref):
    assert got.keys() == ref.keys()
    for k, v in ref.items():
        same_value(got[k], v, k)


def same_value(got, ref, where):
    if isinstance(ref, (list, tuple)):
        assert len(got) == len(ref), where
        for g, r in zip(got, ref):
            same_value(g, r, where)
    elif isinstance(ref, float) and math.isnan(ref):
        assert math.isnan(got), where
    elif isinstance(ref, float):
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-12), where
    else:
        assert got == ref, where


@pytest.mark.parametrize("name", ["action-potential", "membrane-currents"])
def test_batched_points_equal_separate_runs(name, monkeypatch):
    runs = []
    original = batching._run_group
    monkeypatch.setattr(batching, "_run_group", lambda members: runs.append(len(members)) or original(members))
    points = POINTS if name == "action-potential" else [{**p, "amplitude": 25.0} for p in POINTS[:2]]
    results = batching.run_many(name, points)
    assert runs == [len(points)]  # one group: the same model and timing, amplitudes and conductances differ
    for point, res in zip(points, results):
        ref = experiments.run(name, **point)
        same_summary(res.summary, ref.summary)
        assert res.traces.keys() == ref.traces.keys() and res.name == ref.name


def test_points_that_differ_in_structure_or_timing_run_in_separate_groups(monkeypatch):
    sizes = []
    original = batching._run_group
    monkeypatch.setattr(batching, "_run_group", lambda members: sizes.append(len(members)) or original(members))
    points = [{"tstop": 8.0}, {"tstop": 8.0, "model": "hh"}, {"tstop": 8.0, "delay": 2.0},
              {"tstop": 8.0, "amplitude": 30.0}, {"tstop": 10.0}]
    results = batching.run_many("action-potential", points)
    assert sorted(sizes) == [1, 1, 1, 2]  # only the amplitude change shares a run with the default
    for point, res in zip(points, results):
        same_summary(res.summary, experiments.run("action-potential", **point).summary)


def test_a_bad_point_gets_its_error_and_the_others_their_results():
    points = [{"tstop": 8.0, "amplitude": 20.0}, {"tstop": 8.0, "pulse": -1.0},
              {"tstop": 8.0, "amplitude": 1e12}, {"tstop": 8.0, "amplitude": 10.0}]
    first, invalid, unstable, last = batching.run_many("action-potential", points)
    assert isinstance(invalid, ModelError) and "pulse" in str(invalid)
    assert isinstance(unstable, SimulationError) and "V reached" in str(unstable)
    same_summary(first.summary, experiments.run("action-potential", **points[0]).summary)
    same_summary(last.summary, experiments.run("action-potential", **points[3]).summary)


def test_experiments_without_prepare_run_point_by_point():
    assert batching.batchable(experiments.get("action-potential"))
    assert not batching.batchable(experiments.get("all-or-none"))
    [res] = batching.run_many("resting-potential", [{}])
    assert res.summary == experiments.run("resting-potential").summary
