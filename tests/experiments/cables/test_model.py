"""model: a shipped reconstruction (allen-scnn1a) with per-region densities from a parameter file (BluePyOpt's
spelling: sectionlist, param_name, global celsius) gives NEURON's soma spike times; the answer, the
headline numbers and the figure come from the run; a missing mechanisms folder is one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from excitable import experiments
from excitable.analysis import spike_times
from excitable.errors import ModelError
from excitable.io.morphologies import path as shipped
from tests.conftest import neuron_h
from tests.experiments import assert_answer_measured, assert_signals_recorded

#: hh everywhere, denser Na+ in the axon, sparser channels and a larger capacitance in the dendrites
#: (S/cm², µF/cm², Ω·cm, mV, °C): every kind of entry the file format has, with NEURON's built-ins.
PARAMETERS = (
    [{"param_name": f"{k}_hh", "sectionlist": "all", "type": "range", "dist_type": "uniform", "value": v}
     for k, v in (("gnabar", 0.12), ("gkbar", 0.036), ("gl", 0.0003))]
    + [{"param_name": "gnabar_hh", "sectionlist": "axonal", "type": "range", "value": 0.2}]
    + [{"param_name": "gnabar_hh", "sectionlist": s, "type": "range", "value": 0.08} for s in ("basal", "apical")]
    + [{"param_name": "gkbar_hh", "sectionlist": s, "type": "range", "value": 0.024} for s in ("basal", "apical")]
    + [{"param_name": "cm", "sectionlist": s, "type": "section", "value": 1.5} for s in ("basal", "apical")]
    + [{"param_name": "Ra", "sectionlist": "all", "type": "section", "value": 120.0},
       {"param_name": "ena", "sectionlist": "somatic", "type": "section", "value": 55.0},
       {"param_name": "celsius", "type": "global", "value": 10.0},
       {"param_name": "v_init", "type": "global", "value": -65.0}]
)
RUN = dict(swc="allen-scnn1a", amplitude_nA=0.5, delay=5.0, duration=40.0, tstop=50.0, dx_um=40.0)
SECTIONS = {"all": "all", "somatic": "soma", "axonal": "axon", "basal": "dend", "apical": "apic"}


@pytest.fixture(scope="module")
def parameter_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "parameters.json"
    path.write_text(json.dumps(PARAMETERS))
    return path


@pytest.fixture(scope="module")
def result(parameter_file):
    return experiments.run("model", parameters=str(parameter_file), **RUN)


class _Owner:
    def __str__(self):
        return "cell"


def _neuron_spikes() -> np.ndarray:
    """NEURON: Import3d of the same SWC, nseg by the same dx rule, the file applied entry by entry."""
    h = neuron_h()
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(shipped(RUN["swc"])))
    cell = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(cell)
    for sec in cell.all:
        n = max(1, int(np.ceil(sec.L / RUN["dx_um"] - 1e-9)))  # excitable's dx_um rule: odd, <= dx
        sec.nseg = n + 1 if n % 2 == 0 else n
    g = {e["param_name"]: e["value"] for e in PARAMETERS if e["type"] == "global"}
    for e in (e for e in PARAMETERS if e["type"] != "global"):
        name = SECTIONS[e["sectionlist"]]
        for sec in (cell.all if name == "all" else getattr(cell, name, [])):
            if e["type"] == "range":
                sec.insert("hh")
            for seg in sec:
                setattr(seg if e["param_name"] != "Ra" else sec, e["param_name"], e["value"])
    h.usetable_hh = 0
    stim = h.IClamp(cell.soma[0](0.5))
    stim.amp, stim.delay, stim.dur = RUN["amplitude_nA"], RUN["delay"], RUN["duration"]
    t, v = h.Vector().record(h._ref_t), h.Vector().record(cell.soma[0](0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = 0.025, 0, g["celsius"]
    h.finitialize(g["v_init"])
    h.continuerun(RUN["tstop"])
    # run model counts a spike where V crosses -20 mV upward (NEURON's APCount default), not 0 mV: the
    # same spikes here (hh peaks well above 0 mV), each crossing a little earlier
    return spike_times(np.array(t), np.array(v), threshold=-20.0)


@pytest.mark.neuron
def test_per_region_densities_from_a_parameter_file_give_neurons_spike_times(result):
    theirs = _neuron_spikes()
    ours = np.asarray(result.summary["spike_times_ms"])
    assert len(theirs) >= 3  # repetitive firing: several spikes to compare
    assert len(ours) == len(theirs)
    # 0.1 ms: the criterion for a whole cell (the same equations and time step on both sides).
    assert np.max(np.abs(ours - theirs)) < 0.1


def test_the_summary_answer_and_figure_come_from_the_run(result):
    s = result.summary
    assert_signals_recorded(result)
    assert_answer_measured(result)
    during = [t for t in s["spike_times_ms"] if RUN["delay"] <= t <= RUN["delay"] + RUN["duration"]]
    assert s["n_spikes"] == len(during) and s["first_spike_ms"] == during[0]
    assert s["rate_hz"] == pytest.approx(len(during) / (RUN["duration"] / 1000.0))
    assert s["temperature"] == 10.0 and s["mechanisms"] == ["hh"]
    fig = result.plotter(result)
    assert f"{s['n_spikes']} spikes during the step" in fig.axes[0].get_title()


def test_a_missing_mechanisms_folder_is_one_line(tmp_path):
    with pytest.raises(ModelError, match=r"^mechanisms: no such folder or file '.*nowhere'$"):
        experiments.run("model", mechanisms=str(tmp_path / "nowhere"))


def test_the_lab_reads_no_server_files_a_request_names():
    """Through the lab (HTTP), mechanisms, parameters and swc name no file on the server: 422 naming the field."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.runner import Runner

    with TestClient(create_app(Runner(workers=1, time_limit_s=60)), raise_server_exceptions=False) as lab:
        for field, value in (("mechanisms", "/etc"), ("parameters", "/etc/passwd"), ("swc", "/etc/passwd")):
            r = lab.post("/api/run/model", json={"params": {field: value}})
            assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_the_seed_sets_the_draws_of_a_noisy_mechanism(tmp_path):
    """A model whose .mod file draws random numbers (tests/reference/mod/nm_ou.mod, a fluctuating
    conductance): ``seed`` sets them, so a seed repeats its trace and another seed changes it."""
    from pathlib import Path

    params = tmp_path / "noise.json"
    params.write_text(json.dumps([{"param_name": "sd_nm_ou", "sectionlist": "somatic", "type": "range",
                                   "value": 3e-3}]))
    mod = Path(__file__).parents[2] / "reference" / "mod" / "nm_ou.mod"
    run = dict(mechanisms=str(mod), parameters=str(params), amplitude_nA=0.0, tstop=5.0, dx_um=400.0)
    first, again = (np.asarray(experiments.run("model", seed=1, **run)["v"]) for _ in range(2))
    other = np.asarray(experiments.run("model", seed=2, **run)["v"])
    assert np.array_equal(first, again) and np.max(np.abs(first - other)) > 1e-3, np.max(np.abs(first - other))
