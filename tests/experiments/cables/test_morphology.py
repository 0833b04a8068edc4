"""morphology: any SWC cell, a current step at the soma; passive vs HH; bad files."""

import pytest

from excitable import experiments
from excitable.errors import ModelError
from excitable.io.morphologies import path as shipped
from tests.experiments import assert_signals_recorded


def test_builtin_cell_fires_and_passive_does_not():
    hh = experiments.run("morphology", tstop=40.0, pulse=30.0)
    assert hh.summary["n_spikes"] >= 2
    assert hh.meta["peak_map"].max() > 20.0  # the spike invades the tree
    assert_signals_recorded(hh)
    passive = experiments.run("morphology", channels="passive", tstop=40.0, pulse=30.0, amplitude_nA=0.1)
    assert passive.summary["n_spikes"] == 0
    # Passive spread fades with distance: the farthest node peaks lower than the soma.
    peaks = passive.meta["peak_map"]
    assert peaks.max() == pytest.approx(passive.summary["soma_peak_mV"], abs=0.5)


def test_swc_file_runs_and_reports_compartments():
    s = experiments.run("morphology", swc=str(shipped("allen-scnn1a")), tstop=30.0).summary
    assert s["n_compartments"] > 100 and s["n_spikes"] >= 1


def test_missing_swc_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="swc"):
        experiments.run("morphology", swc=str(tmp_path / "nope.swc"))


def test_a_shipped_cell_by_name():
    # "simple": 7 sections (soma, 3 dendrite and 3 axon sections), the same as by its path
    by_name = experiments.run("morphology", swc="simple", tstop=5.0, pulse=1.0).summary
    by_path = experiments.run("morphology", swc=str(shipped("simple")), tstop=5.0, pulse=1.0).summary
    assert by_name["swc"] == "simple" and by_name["n_sections"] == 7
    assert {k: v for k, v in by_name.items() if k != "swc"} == {k: v for k, v in by_path.items() if k != "swc"}


def test_params_list_the_shipped_cells_and_a_bad_name_is_one_line_exit_2(capsys):
    from excitable.interfaces.cli.main import main
    from excitable.io.morphologies import names

    assert main(["run", "morphology", "--params"]) == 0
    swc_line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("swc ="))
    assert all(name in swc_line for name in names())
    assert main(["run", "morphology", "--set", "swc=ca1_pyramidal"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("excitable: error: swc:") and "'ca1_pyramidal'" in err and "\n" not in err
    assert all(name in err for name in names())
