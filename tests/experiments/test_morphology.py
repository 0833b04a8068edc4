"""morphology: any SWC cell, a current step at the soma; passive vs HH; bad files."""

from pathlib import Path

import pytest

from excitable import experiments
from excitable.errors import ModelError

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "morphologies"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/morphologies")


def test_builtin_cell_fires_and_passive_does_not():
    hh = experiments.run("morphology", tstop=40.0, pulse=30.0)
    assert hh.summary["n_spikes"] >= 2
    assert hh.meta["peak_map"].max() > 20.0  # the spike invades the tree
    passive = experiments.run("morphology", channels="passive", tstop=40.0, pulse=30.0, amplitude_nA=0.1)
    assert passive.summary["n_spikes"] == 0
    # Passive spread fades with distance: the farthest node peaks lower than the soma.
    peaks = passive.meta["peak_map"]
    assert peaks.max() == pytest.approx(passive.summary["soma_peak_mV"], abs=0.5)


def test_swc_file_runs_and_reports_compartments():
    s = experiments.run("morphology", swc=str(DATA / "allen-scnn1a-177300.01.02.01.swc"), tstop=30.0).summary
    assert s["n_compartments"] > 100 and s["n_spikes"] >= 1


def test_missing_swc_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="swc"):
        experiments.run("morphology", swc=str(tmp_path / "nope.swc"))
