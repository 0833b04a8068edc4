"""morphology: an input fades along a real dendrite (against NEURON on the same SWC); soma input; HH
spikes invade the tree; bad files; the answer renders."""

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from excitable.experiments.cables import morphology
from excitable.io.morphologies import path as shipped
from tests.conftest import neuron_h
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def default_run():
    return experiments.run("morphology")


class _Owner:
    def __str__(self):
        return "cell"


def _neuron_depolarization(sites, p):
    """NEURON on the same SWC (Import3d), passive membrane as the experiment's, the same step at the same
    (section, x): V at each site just before the step ends minus V at rest (mV)."""
    h = neuron_h()
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(shipped(p.swc)))
    cell = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(cell)
    for sec in cell.all:
        sec.Ra, sec.cm = p.ra, p.cm
        sec.nseg = int((sec.L / (0.1 * h.lambda_f(100, sec=sec)) + 0.9) / 2) * 2 + 1
        sec.insert("pas")
        for seg in sec:
            seg.pas.g, seg.pas.e = morphology.PASSIVE_G * 1e-3, morphology.REST_MV  # mS/cm2 -> S/cm2

    def seg(name, x):
        base, _, index = name.partition("[")
        return getattr(cell, base)[int(index.rstrip("]") or 0)](x)

    source = seg(*sites[0])
    stim = h.IClamp(source)
    stim.amp, stim.delay, stim.dur = p.amplitude_nA, p.delay, p.pulse
    recs = [h.Vector().record(seg(*s)._ref_v) for s in sites]
    h.dt, h.secondorder, h.celsius = p.dt, 0, p.temperature
    h.finitialize(morphology.REST_MV)
    h.continuerun(p.delay + p.pulse)
    return np.array([np.array(r)[-1] - morphology.REST_MV for r in recs])


@pytest.mark.neuron
def test_a_distal_input_fades_toward_the_soma_as_in_neuron(default_run):
    s, meta = default_run.summary, default_run.meta
    p = experiments.declaration("morphology").resolve({})
    cell = morphology.build_cell(p)
    c = cell.compartments
    nodes = [meta["input_node"], meta["midway_node"], meta["soma_node"]]
    sites = [(c.section_names[c.section[k]], float(c.x[k])) for k in nodes]
    theirs = _neuron_depolarization(sites, p)
    dep = np.asarray(meta["depolarization_map"])
    ours = dep[nodes]
    # Same compartments (d_lambda 0.1), same backward Euler at the same dt, a 100-ms step (5 tau): the
    # peak is the steady state in both. 1 % allows the float32 points NEURON stores and the output
    # stride (0.1 ms) we sample the peak at; a wrong length constant or a lost branch is off by 10 %+.
    np.testing.assert_allclose(ours, theirs, rtol=0.01)
    # The question's answer: large where the current enters, a few % at the soma, and falling all the
    # way along the path (each node at most its distal neighbour's, float noise aside).
    assert s["input_depolarization_mV"] > 10.0 and s["soma_fraction_percent"] < 5.0
    along = dep[meta["path_nodes"]]
    assert np.all(np.diff(along) <= 1e-9)
    assert s["attenuation_to_soma"] == pytest.approx(theirs[0] / theirs[2], rel=0.02)
    assert_signals_recorded(default_run)


def test_the_answer_renders_with_the_default_run(default_run):
    text = experiments.declaration("morphology").answer_for(default_run.summary)
    assert text and "mV" in text and any(ch.isdigit() for ch in text)


def test_attenuation_is_asymmetric_and_hh_spikes_invade_the_tree(default_run):
    soma = experiments.run("morphology", site="soma", amplitude_nA=0.2).summary
    # Cable theory (Rall; Stuart & Spruston 1998): toward a sealed tip the voltage fades far less than
    # toward the soma, which the whole tree loads. Same path, the two directions: > 10x apart.
    assert soma["n_spikes"] == 0
    assert soma["tip_fraction_percent"] > 10 * default_run.summary["soma_fraction_percent"]
    hh = experiments.run("morphology", swc="builtin", channels="hh", site="soma", amplitude_nA=1.0,
                         tstop=40.0, pulse=30.0)
    assert hh.summary["n_spikes"] >= 2
    assert hh.meta["depolarization_map"].min() > 80.0  # every point sees the full spike (rest -65, peak > +15)


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
