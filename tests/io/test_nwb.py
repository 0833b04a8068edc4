"""NWB (issue 18, item 6): a run saved as NWB and read back with pynwb itself, ``excitable run --format
nwb``, a sweep read back as a fit target, and the one-line errors (a missing extra, a missing sweep)."""

from __future__ import annotations

import builtins
import json
import math

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io import nwb

pynwb = pytest.importorskip("pynwb")
from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries  # noqa: E402


def passive_sim(g=0.1):
    """A 20 x 20 um cylinder with a leak (tau_m = cm / g = 10 ms for g = 0.1 mS/cm2) and a step."""
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.channels.Leak(g=g, e=-65.0))
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.02, delay=2.0, duration=15.0))
    sim.record("v")
    sim.record("iclamp[0]")
    return sim


@pytest.fixture(scope="module")
def hh_result():
    cell = ex.Cell.cylinder(length=20, diameter=20).insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=0.2, delay=1.0, duration=1.0))
    for signal in ("v", "HH.m", "HH.ina", "HH.gna", "iclamp[0]"):
        sim.record(signal)
    res = sim.run(6.0)
    res.meta["note"] = "round trip"
    return res


def test_round_trip_types_units_rates_and_parameters(hh_result, tmp_path):
    path = nwb.save(hh_result, tmp_path / "hh.nwb")
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        f = io.read()
        v, stim = f.acquisition["v"], f.stimulus["iclamp[0]"]
        assert isinstance(v, CurrentClampSeries) and isinstance(stim, CurrentClampStimulusSeries)
        assert (v.unit, v.conversion, stim.unit, stim.conversion) == ("volts", 1e-3, "amperes", 1e-9)
        assert v.rate == pytest.approx(1000 / 0.025, rel=1e-12) and v.starting_time == 0.0
        # HDF5 stores the float64 samples as they are: bit for bit
        np.testing.assert_array_equal(v.data[:], hh_result["v"])
        np.testing.assert_array_equal(stim.data[:], hh_result["iclamp[0]"])
        expected = {"HH.m": ("dimensionless", 1.0), "HH.ina": ("A/m^2", 1e-2), "HH.gna": ("S/m^2", 10.0)}
        for label, (unit, conversion) in expected.items():
            s = f.acquisition[label]
            assert type(s) is pynwb.TimeSeries and (s.unit, s.conversion) == (unit, conversion)
            np.testing.assert_array_equal(s.data[:], hh_result[label])
        notes = json.loads(f.notes)
        assert notes["parameters"]["dt"] == 0.025 and notes["parameters"]["note"] == "round trip"
    sweep = nwb.read_sweep(path, 0)
    # mV -> V -> mV: two roundings of a float64 product, 1e-15 relative at most
    np.testing.assert_allclose(sweep["v"], hh_result["v"], rtol=1e-14)
    np.testing.assert_allclose(sweep["stimulus"], hh_result["iclamp[0]"], rtol=1e-14)
    np.testing.assert_allclose(sweep.t, hh_result.t, rtol=1e-12, atol=1e-12)
    assert sweep.meta["units"] == {"v": "mV", "stimulus": "nA"}
    back = nwb.read(path)  # the whole run, under its own labels and units
    assert set(back.traces) == set(hh_result.traces) and back.meta["note"] == "round trip"
    assert back.meta["units"] == {"v": "mV", "HH.m": "", "HH.ina": "uA/cm2", "HH.gna": "mS/cm2", "iclamp[0]": "nA"}
    for label, data in hh_result.traces.items():
        np.testing.assert_array_equal(back[label], data)
    np.testing.assert_allclose(back.t, hh_result.t, rtol=1e-12, atol=1e-12)  # ms -> s -> Hz -> ms


def test_units_of_trace_labels():
    assert [nwb.trace_unit(k) for k in ("v", "v@axon(0.5)", "HH.ina", "HH.gk", "HH.h", "iclamp[0]",
                                         "ci:ca", "AMPA[2].g", "AMPA[2].i", "v at 100 um (mV)")] == \
        ["mV", "mV", "uA/cm2", "mS/cm2", "", "nA", "mM", "uS", "nA", "mV"]


def test_cli_run_format_nwb_writes_a_file_pynwb_reads(tmp_path):
    from excitable.interfaces.cli.main import main

    out = tmp_path / "ap"
    assert main(["run", "action-potential", "--set", "model=hh", "--set", "tstop=10", "--set", "amplitude=14",
                 "--format", "nwb", "--out", str(out)]) == 0
    with pynwb.NWBHDF5IO(str(out / "run.nwb"), "r") as io:
        f = io.read()
        assert isinstance(f.acquisition["v"], CurrentClampSeries)
        assert f.acquisition["HH.ina"].unit == "A/m^2"
        stim = f.stimulus["i_stim"]
        assert isinstance(stim, CurrentClampStimulusSeries)
        # 14 uA/cm2 over the 20 x 20 um cylinder (pi d L um2): 14 * 400 pi * 1e-5 nA
        assert float(np.max(stim.data[:])) == pytest.approx(14 * 400 * math.pi * 1e-5, rel=1e-12)
        assert json.loads(f.notes)["parameters"]["model"] == "hh"
    assert (out / "summary.json").exists()


def test_fit_to_an_nwb_sweep_recovers_the_leak(tmp_path):
    truth = passive_sim(g=0.1).run(12.0)
    # saved at 20 kHz (every other sample): the fit interpolates it onto its own 0.025-ms grid
    coarse = ex.Result(t=truth.t[::2], traces={k: v[::2] for k, v in truth.traces.items()})
    path = nwb.save(coarse, tmp_path / "cell.nwb")
    sweep = nwb.read_sweep(path, 0)
    assert sweep.meta["rate_hz"] == pytest.approx(20000.0)
    res = ex.fit(passive_sim(g=0.3), 12.0, {"Leak.g": (0.01, 1.0)}, target=sweep, optimizer="lbfgs",
                 steps=15)
    # Linear interpolation of the 20-kHz sweep errs by <= dt^2/8 |V''| ~ 1e-5 mV on this RC curve
    # (tau 10 ms, a few mV), plus ~1e-2 mV at the one sample that straddles each step edge: g is
    # recovered to well under 1e-3 relative (the optimizer itself converges to ~1e-6).
    assert res.values["Leak.g"] == pytest.approx(0.1, rel=1e-3)


def test_missing_sweep_and_non_nwb_file_are_one_line_errors(hh_result, tmp_path):
    path = nwb.save(hh_result, tmp_path / "hh.nwb")
    with pytest.raises(ModelError, match=r"no current-clamp sweep 7; it has v \(sweep 0\)"):
        nwb.read_sweep(path, 7)
    bad = tmp_path / "bad.nwb"
    bad.write_text("not hdf5")
    with pytest.raises(ModelError, match="is not a readable NWB file") as e:
        nwb.read_sweep(bad)
    assert "\n" not in str(e.value)
    with pytest.raises(ModelError, match="no file"):
        nwb.read_sweep(tmp_path / "absent.nwb")


def test_sweep_size_is_bounded_before_reading(hh_result, tmp_path, monkeypatch):
    path = nwb.save(hh_result, tmp_path / "hh.nwb")
    monkeypatch.setenv("EXCITABLE_MAX_MEMORY_MB", "0.001")
    with pytest.raises(ModelError, match="EXCITABLE_MAX_MEMORY_MB"):
        nwb.read_sweep(path, 0)


def hide(monkeypatch, module):
    real = builtins.__import__

    def fake(name, *args, **kw):
        if name == module or name.startswith(module + "."):
            raise ImportError(f"No module named {module!r}")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)
    for key in [k for k in __import__("sys").modules if k == module or k.startswith(module + ".")]:
        monkeypatch.delitem(__import__("sys").modules, key)


def test_without_pynwb_one_line_naming_the_extra(hh_result, tmp_path, monkeypatch, capsys):
    from excitable.interfaces.cli.main import main

    hide(monkeypatch, "pynwb")
    with pytest.raises(ModelError, match=r"pip install 'excitable\[nwb\]'"):
        nwb.save(hh_result, tmp_path / "x.nwb")
    assert main(["run", "action-potential", "--format", "nwb", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "excitable[nwb]" in err
    assert not (tmp_path / "o").exists()  # refused before the run: nothing written


def test_voltage_clamp_runs_have_no_current_clamp_series(hh_result, tmp_path):
    path = nwb.save(hh_result, tmp_path / "vc.nwb", voltage=False)
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        f = io.read()
        assert type(f.acquisition["v"]) is pynwb.TimeSeries and f.acquisition["v"].unit == "volts"
    with pytest.raises(ModelError, match="voltage 'w' is not a trace"):
        nwb.save(hh_result, tmp_path / "x.nwb", voltage="w")
