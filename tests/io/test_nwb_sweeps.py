"""NWB with every sweep (issue 18, item 6): several runs in one file (``save_sweeps``, ``excitable sweep
--format nwb``), several membrane potentials of one run as sweeps, ``read_sweep`` of any sweep, a fit
to a sweep other than 0, and one-line errors for bad sweeps and files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io import nwb

pynwb = pytest.importorskip("pynwb")
h5py = pytest.importorskip("h5py")
from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries  # noqa: E402

AMPLITUDES = (0.01, 0.02, 0.04)  # nA


def rc_run(amplitude_nA: float, tau=10.0, r_mohm=100.0) -> ex.Result:
    """A closed-form RC charging curve (no simulation): V = -65 + I R (1 - e^(-t/tau)) from t = 1 ms,
    the step's current, and a gate-like trace; t in ms at 0.025 ms."""
    t = np.arange(0, 20.0, 0.025)
    on = t >= 1.0
    v = -65.0 + on * amplitude_nA * r_mohm * (1 - np.exp(-(t - 1.0) / tau))
    return ex.Result(t=t, traces={"v": v, "iclamp[0]": on * amplitude_nA, "Leak.g": np.full_like(t, 0.1)},
                     summary={"peak_mV": float(v.max())}, meta={"amplitude": amplitude_nA})


@pytest.fixture(scope="module")
def runs():
    return [rc_run(a) for a in AMPLITUDES]


@pytest.fixture()
def sweep_file(runs, tmp_path):
    return nwb.save_sweeps(runs, tmp_path / "grid.nwb", points=[{"amplitude": a} for a in AMPLITUDES],
                           meta={"experiment": "rc", "tstop": 20.0})


def test_every_run_is_a_sweep_pynwb_reads(runs, sweep_file):
    with pynwb.NWBHDF5IO(str(sweep_file), "r") as io:
        f = io.read()
        table = f.intracellular_recordings
        assert list(table.id[:]) == [0, 1, 2] and list(table["amplitude"][:]) == list(AMPLITUDES)
        for k, run in enumerate(runs):
            row = table[k]
            v, stim = f.acquisition[f"v [run {k}]"], f.stimulus[f"iclamp[0] [run {k}]"]
            assert isinstance(v, CurrentClampSeries) and isinstance(stim, CurrentClampStimulusSeries)
            assert int(v.sweep_number) == int(stim.sweep_number) == k
            assert row[("responses", "response")].iloc[0].timeseries is v  # the table points at them
            assert (v.unit, v.conversion, stim.unit, stim.conversion) == ("volts", 1e-3, "amperes", 1e-9)
            assert f"amplitude={AMPLITUDES[k]}" in v.description
            # float64 samples are stored as they are: bit for bit
            np.testing.assert_array_equal(v.data[:], run["v"])
            np.testing.assert_array_equal(stim.data[:], run["iclamp[0]"])
            g = f.acquisition[f"Leak.g [run {k}]"]
            assert (g.unit, g.conversion) == ("S/m^2", 10.0)
        notes = json.loads(f.notes)
        assert notes["parameters"] == {"experiment": "rc", "tstop": 20.0}
        assert [r["point"] for r in notes["runs"]] == [{"amplitude": a} for a in AMPLITUDES]


def test_read_sweep_reads_any_sweep_and_read_lists_them(runs, sweep_file):
    for k in (2, 0, 1):
        sweep = nwb.read_sweep(sweep_file, k)
        # mV -> V -> mV and nA -> A -> nA: two float64 roundings, 1e-15 relative at most
        np.testing.assert_allclose(sweep["v"], runs[k]["v"], rtol=1e-14)
        np.testing.assert_allclose(sweep["stimulus"], runs[k]["iclamp[0]"], rtol=1e-14)
        np.testing.assert_allclose(sweep.t, runs[k].t, rtol=1e-12, atol=1e-12)  # ms -> Hz -> ms
        assert sweep.meta["sweep"] == k and sweep.meta["point"] == {"amplitude": AMPLITUDES[k]}
    assert nwb.read_sweep(sweep_file, "v [run 1]").meta["sweep"] == 1  # by the series' name
    listing = nwb.sweeps(sweep_file)
    assert [(s["sweep"], s["series"], s["stimulus"], s["point"]) for s in listing] == \
        [(k, f"v [run {k}]", f"iclamp[0] [run {k}]", {"amplitude": a}) for k, a in enumerate(AMPLITUDES)]
    back = nwb.read(sweep_file)
    assert back.meta["sweeps"] == listing and back.meta["experiment"] == "rc"
    assert back.meta["units"]["v [run 2]"] == "mV" and back.meta["units"]["Leak.g [run 0]"] == "mS/cm2"
    for k, run in enumerate(runs):
        for label in run.traces:
            np.testing.assert_array_equal(back[f"{label} [run {k}]"], run[label])


def test_several_membrane_potentials_of_one_run_are_sweeps(tmp_path):
    t = np.arange(0, 5.0, 0.1)
    traces = {f"v at {x:.2f} x threshold (mV)": -65 + x * np.sin(t) for x in (0.5, 0.99, 1.01)}
    res = ex.Result(t=t, traces={**traces, "h (Na+ inactivation gate)": np.cos(t) ** 2})
    path = nwb.save(res, tmp_path / "aon.nwb")
    listing = nwb.sweeps(path)
    assert [(s["sweep"], s["series"]) for s in listing] == list(enumerate(traces))
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        f = io.read()
        assert len(f.intracellular_recordings) == 3
        assert type(f.acquisition["h (Na+ inactivation gate)"]) is pynwb.TimeSeries
    for k, label in enumerate(traces):
        np.testing.assert_allclose(nwb.read_sweep(path, k)["v"], traces[label], rtol=1e-14)
    back = nwb.read(path)
    assert set(back.traces) == set(res.traces)


def test_fit_to_a_sweep_other_than_the_first(tmp_path):
    def sim_with(g):
        cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.channels.Leak(g=g, e=-65.0))
        sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
        sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=1.0, duration=8.0))
        sim.record("v")
        sim.record("iclamp[0]")
        return sim

    truths = [sim_with(g).run(8.0) for g in (0.05, 0.2)]
    path = nwb.save_sweeps(truths, tmp_path / "cells.nwb", points=[{"g": 0.05}, {"g": 0.2}])
    res = ex.fit(sim_with(0.5), 8.0, {"Leak.g": (0.01, 1.0)}, target=nwb.read_sweep(path, 1),
                 optimizer="lbfgs", steps=15)
    # The sweep is the simulation's own samples (mV -> V -> mV: 1e-15 relative), so the fit's
    # error is the optimizer's (~1e-6 relative on this one-parameter least squares); 1e-3 is the
    # bound the one-sweep test uses too. The other sweep (g = 0.05) would give a 4x smaller g.
    assert res.values["Leak.g"] == pytest.approx(0.2, rel=1e-3)


def test_bad_sweeps_and_files_are_one_line_errors(sweep_file, tmp_path):
    cases = [(7, r"has no current-clamp sweep 7; it has v \[run 0\] \(sweep 0\), v \[run 1\]"),
             ("w", "has no current-clamp sweep 'w'"), (-1, "no current-clamp sweep -1"),
             (True, "sweep must be a sweep number"), (1.5, "sweep must be a sweep number")]
    for sweep, message in cases:
        with pytest.raises(ModelError, match=message) as e:
            nwb.read_sweep(sweep_file, sweep)
        assert "\n" not in str(e.value)
    plain = tmp_path / "plain.h5"  # HDF5, but not NWB
    with h5py.File(plain, "w") as f:
        f["data"] = np.arange(3.0)
    for reader in (nwb.read_sweep, nwb.read, nwb.sweeps):
        with pytest.raises(ModelError, match="is not a readable NWB file") as e:
            reader(plain)
        assert "\n" not in str(e.value)


def tamper(path, series, field, value):
    with h5py.File(path, "r+") as f:
        group = f["acquisition"][series]
        if value is None:
            del group[field]
        elif field == "data":
            attrs = dict(group["data"].attrs)
            del group["data"]
            group["data"] = value
            group["data"].attrs.update(attrs)
        else:
            group["data"].attrs[field] = value


def test_a_series_without_the_fields_of_a_sweep_is_refused(runs, tmp_path):
    base = nwb.save_sweeps(runs[:2], tmp_path / "base.nwb", points=[{"a": 1}, {"a": 2}])
    bad = tmp_path / "time.nwb"
    bad.write_bytes(base.read_bytes())
    tamper(bad, "v [run 1]", "starting_time", None)  # no time base at all: pynwb cannot build it
    with pytest.raises(ModelError, match=r"NWB: .*time.nwb' is not a readable NWB file .*v \[run 1\]") as e:
        nwb.read_sweep(bad, 1)
    assert "\n" not in str(e.value)
    rate = tmp_path / "rate.nwb"
    rate.write_bytes(base.read_bytes())
    with h5py.File(rate, "r+") as f:
        f["acquisition"]["v [run 0]"]["starting_time"].attrs["rate"] = 0.0
    with pytest.raises(ModelError, match=r"'v \[run 0\]' has neither timestamps nor a sampling rate > 0"):
        nwb.read_sweep(rate, 0)
    two = tmp_path / "two.nwb"
    two.write_bytes(base.read_bytes())
    tamper(two, "v [run 0]", "data", np.zeros((len(runs[0].t), 2)))
    with pytest.raises(ModelError, match=r"two.nwb' is not a readable NWB file .*v \[run 0\]"):
        nwb.read_sweep(two, 0)  # pynwb refuses 2-D current-clamp data itself: one line naming the series
    # runs on different time bases: read refuses to put them in one Result, read_sweep reads each
    short = ex.Result(t=runs[0].t[:100], traces={k: v[:100] for k, v in runs[0].traces.items()})
    mixed = nwb.save_sweeps([runs[0], short], tmp_path / "mixed.nwb")
    with pytest.raises(ModelError, match=r"another time base .* read_sweep\(path, k\)"):
        nwb.read(mixed)
    assert len(nwb.read_sweep(mixed, 1).t) == 100
    with pytest.raises(ModelError, match="2 points for 1 results"):
        nwb.save_sweeps(runs[:1], tmp_path / "x.nwb", points=[{}, {}])


def test_cli_sweep_format_nwb_one_sweep_per_grid_point(tmp_path):
    from excitable.interfaces.cli.main import main

    out = tmp_path / "sw"
    common = ["--set", "model=hh", "--set", "tstop=8", "--out", str(out)]
    assert main(["sweep", "action-potential", "--grid", "amplitude=40", *common]) == 0
    # amplitude 40 comes from a journal without traces (run again, tests/workflows/test_sweep_traces.py),
    # 20 is new: both are batches of one point, so they share the first sweep's compiled program
    assert main(["sweep", "action-potential", "--grid", "amplitude=20,40", "--format", "nwb", *common]) == 0
    listing = nwb.sweeps(out / "sweep.nwb")
    assert [(s["sweep"], s["point"]) for s in listing] == [(0, {"amplitude": 20.0}), (1, {"amplitude": 40.0})]
    header, *rows = [line.split(",") for line in (out / "sweep.csv").read_text().splitlines()]
    area = 400 * math.pi  # the hh model's 20 x 20 um soma, um2
    for k, amplitude in enumerate((20.0, 40.0)):
        sweep = nwb.read_sweep(out / "sweep.nwb", k)
        # the density (uA/cm2) stored as the current over the soma: amplitude x area x 1e-5 nA
        assert sweep["stimulus"].max() == pytest.approx(amplitude * area * 1e-5, rel=1e-12)
        # the table's highest V is the same run's (the same float64, through mV -> V -> mV)
        assert sweep["v"].max() == pytest.approx(float(rows[k][header.index("max_v_mV")]), rel=1e-14)


def test_cli_sweep_format_nwb_bounds_the_traces_it_keeps(tmp_path, monkeypatch, capsys):
    from excitable.interfaces.cli.main import main

    # a batch of 64 runs needs 1.7 MB in the engine; the traces of 100 points, 321 samples of 12
    # traces (and t) of 8 bytes each (33384 bytes), 3.3 MB: allowed 2.5 MB, refused after the first
    # batch (the estimate before the start, t and V only, is 0.5 MB)
    monkeypatch.setenv("EXCITABLE_MAX_MEMORY_MB", "2.5")
    assert main(["sweep", "action-potential", "--grid", "amplitude=1:100:100", "--set", "model=hh", "--set",
                 "tstop=8", "--format", "nwb", "--out", str(tmp_path / "big")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("excitable: error: ") and "keeping the traces of 100 grid points (33384 bytes for the largest run so far)" in err
    assert not (tmp_path / "big" / "sweep.nwb").exists()
