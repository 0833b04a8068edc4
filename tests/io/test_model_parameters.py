"""Model parameter files (excitable.io.model_parameters): a ball-and-stick cell with imported Na+, K+ and
Ca2+ channels (tests/reference/mod/model/*.mod) and an Allen-style fit.json gives NEURON's spike times;
bad files are refused in one line naming the entry and the field, exit 2 on the command line.

NEURON's side compiles the same .mod files with nrnivmodl (once per machine, cached by their digest,
as tests/reference/test_neuron_pump.py does) and applies the same file the way the Allen SDK's
biophysical loader does (Ra, cm per section; insert and set each genome entry; e_pas; the reversal
potentials per section).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.analysis import spike_times
from excitable.errors import ModelError
from excitable.io import model_parameters as mp
from tests.reference.nrnmech import neuron_loaded

MOD_DIR = Path(__file__).parents[1] / "reference" / "mod" / "model"
DT, TSTOP = 0.025, 60.0
STIM = dict(amp=0.1, delay=5.0, dur=50.0)  # nA, ms: a few spikes in the soma

#: The model: the densities of a fast-spiking cortical cell (S/cm²), soma and dendrite differ.
FIT = {
    "genome": [
        {"section": "soma", "name": "gbar_bs_na", "value": "0.12", "mechanism": "bs_na"},
        {"section": "dend", "name": "gbar_bs_na", "value": 0.01, "mechanism": "bs_na"},
        {"section": "soma", "name": "gbar_bs_kdr", "value": 0.036, "mechanism": "bs_kdr"},
        {"section": "dend", "name": "gbar_bs_kdr", "value": 0.003, "mechanism": "bs_kdr"},
        {"section": "soma", "name": "gbar_bs_cahva", "value": 0.0008, "mechanism": "bs_cahva"},
        {"section": "all", "name": "g_pas", "value": 5e-5, "mechanism": ""},
    ],
    "passive": [{"ra": 150.0, "cm": [{"section": "soma", "cm": 1.0}, {"section": "dend", "cm": 2.0}],
                 "e_pas": -70.0}],
    "conditions": [{"celsius": 34.0, "v_init": -70.0,
                    "erev": [{"section": "soma", "ena": 53.0, "ek": -90.0}, {"section": "dend", "ena": 50.0, "ek": -85.0}]}],
}
DX_UM = 40.0


def _nseg(length_um: float) -> int:
    """The smallest odd nseg with segments of at most DX_UM (excitable's dx_um rule, written out)."""
    n = max(1, int(np.ceil(length_um / DX_UM - 1e-9)))
    return n + 1 if n % 2 == 0 else n


@pytest.fixture(scope="module")
def h():
    return neuron_loaded(sorted(MOD_DIR.glob("*.mod")), "nrnmech-model", "tests/reference/mod/model")


def _neuron_spikes(h, fit) -> np.ndarray:
    """NEURON: the ball-and-stick cell with ``fit`` applied as the Allen SDK does; soma spike times."""
    soma, dend = h.Section(name="soma"), h.Section(name="dend")
    soma.L = soma.diam = 20.0
    dend.L, dend.diam = 400.0, 2.0
    dend.connect(soma(1), 0)
    secs = {"soma": [soma], "dend": [dend], "all": [soma, dend]}
    passive, cond = fit["passive"][0], fit["conditions"][0]
    for sec in secs["all"]:
        sec.nseg = _nseg(sec.L)
        sec.Ra = passive["ra"]
    for c in passive["cm"]:
        for sec in secs[c["section"]]:
            sec.cm = c["cm"]
    for g in fit["genome"]:
        for sec in secs[g["section"]]:
            sec.insert(g["mechanism"] or g["name"].rpartition("_")[2])
            for seg in sec:
                setattr(seg, g["name"], float(g["value"]))
    for sec in secs["all"]:
        for seg in sec:
            seg.e_pas = passive["e_pas"]
    for e in cond["erev"]:
        for sec in secs[e["section"]]:
            for key in ("ena", "ek"):
                setattr(sec, key, e[key])
    stim = h.IClamp(soma(0.5))
    stim.amp, stim.delay, stim.dur = STIM["amp"], STIM["delay"], STIM["dur"]
    t, v = h.Vector().record(h._ref_t), h.Vector().record(soma(0.5)._ref_v)
    h.dt, h.secondorder, h.celsius = DT, 0, cond["celsius"]
    h.finitialize(cond["v_init"])
    h.continuerun(TSTOP)
    return spike_times(np.array(t), np.array(v))


def _ours(path: Path) -> np.ndarray:
    b = ex.Morphology.builder()
    b.add("soma", length=20.0, diameter=20.0)
    b.add("dend", length=400.0, diameter=2.0, parent="soma", x=1.0)
    params = mp.read(path)
    cell = mp.apply(params, ex.Cell(b.build(), dx_um=DX_UM), ex.load_mod(MOD_DIR))
    sim = ex.Simulation(cell, dt=DT, temperature=params.celsius, v_init=params.v_init)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=STIM["amp"], delay=STIM["delay"], duration=STIM["dur"]))
    sim.record("v")
    res = sim.run(TSTOP)
    return spike_times(res.t, res["v"])


@pytest.mark.neuron
def test_ball_and_stick_with_imported_channels_spikes_as_in_neuron(h, tmp_path):
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(FIT))
    ours, theirs = _ours(path), _neuron_spikes(h, FIT)
    assert len(theirs) >= 3  # the step makes the cell fire repetitively: several times to compare
    assert len(ours) == len(theirs)
    # 0.1 ms: the criterion for a whole cell; both integrate the same equations with backward
    # Euler at dt 0.025 ms, so the difference is rounding, far below it.
    assert np.max(np.abs(ours - theirs)) < 0.1


def test_the_file_is_read_as_written():
    p = mp.parse(FIT, "fit.json")
    assert p.celsius == 34.0 and p.v_init == -70.0
    assert p.mechanisms == ("bs_na", "bs_kdr", "bs_cahva", "pas")
    na = [e for e in p.entries if e.mechanism == "bs_na"]
    assert [(e.section, e.parameter, e.value) for e in na] == [("soma", "gbar", 0.12), ("dend", "gbar", 0.01)]
    assert ("dend", "", "cm", 2.0) in [(e.section, e.mechanism, e.parameter, e.value) for e in p.entries]
    # BluePyOpt's spelling of the same content
    b = mp.parse([{"param_name": "gbar_bs_na", "mech": "bs_na", "sectionlist": "somatic", "type": "range", "value": 0.12,
                   "dist_type": "uniform"}, {"param_name": "celsius", "type": "global", "value": 34}])
    assert [(e.section, e.mechanism, e.parameter, e.value) for e in b.entries] == [("somatic", "bs_na", "gbar", 0.12)]
    assert b.celsius == 34.0


def test_builtin_hh_and_pas_take_neurons_units():
    """NEURON's hh and pas (S/cm²) become excitable's HH and Leak (mS/cm²): x 1000."""
    p = mp.parse([{"section": "soma", "name": "gnabar_hh", "value": 0.2},
                  {"section": "all", "name": "g_pas", "value": 2e-4}, {"section": "all", "name": "e_pas", "value": -72}])
    cell = mp.apply(p, ex.Cell.from_swc("simple", dx_um=40.0))
    soma = cell.node(cell.soma)
    assert cell.mechanism_at_sites("HH").gNa[list(cell.mechanism_sites("HH")).index(soma)] == pytest.approx(200.0)
    leak = cell.mechanism_at_sites("Leak")
    assert np.allclose(leak.g, 0.2) and np.allclose(leak.e, -72.0)
    assert set(cell.mechanism_sites("HH")) == {soma}
    # "simple" has no apical dendrite: an apic entry is skipped, as NEURON's empty section list is;
    # e_pas of the passive part sets pas where it is and inserts it nowhere.
    p = mp.parse({"genome": [{"section": "apic", "name": "gnabar_hh", "value": 0.2}],
                  "passive": [{"e_pas": -80.0}]})
    assert list(mp.apply(p, ex.Cell.from_swc("simple", dx_um=40.0)).mechanisms) == []


BAD = [
    ([{"section": "soma", "name": "gbar_nope", "value": 1}], "entry 0 (gbar_nope): unknown mechanism 'nope'"),
    ([{"section": "tail", "name": "g_pas", "value": 1}], "entry 0 (g_pas): unknown section type 'tail'"),
    ([{"section": "soma", "name": "g_pas", "value": "a lot"}], "entry 0 (g_pas): value must be a number, got 'a lot'"),
    ([{"section": "soma", "name": "g_pas", "value": None}], "entry 0 (g_pas): value must be a number"),
    ([{"section": "soma", "name": "gbar", "value": 1}], "entry 0 (gbar): name 'gbar' names no mechanism"),
    ([{"section": "soma", "name": "gx_pas", "value": 1}], "entry 0 (gx_pas): NEURON's pas has no parameter 'gx'"),
    ({"genome": [], "conditions": [{"celsius": "warm"}]}, "conditions[0]: celsius must be a number"),
    ({"genome": [], "extra": 1}, "unknown part 'extra'"),
]


@pytest.mark.parametrize("data,message", BAD)
def test_bad_files_are_refused_in_one_line_naming_the_entry(tmp_path, data, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError) as err:
        mp.apply(mp.read(path), ex.Cell.from_swc("simple", dx_um=40.0))
    text = str(err.value)
    assert message in text and "\n" not in text and str(path) in text


def test_a_huge_or_broken_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    path.write_text("[" + ",".join(['{"section": "soma", "name": "g_pas", "value": 1}'] * 100) + "]")
    monkeypatch.setattr(mp, "MAX_BYTES", 1000)
    with pytest.raises(ModelError, match=r"huge.json is \d+ bytes, more than 1000 "):
        mp.read(path)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"section": "soma",\n "value": }]')
    with pytest.raises(ModelError, match=r"broken.json:2: not valid JSON"):
        mp.read(broken)


def test_the_command_line_says_one_line_and_exits_2(tmp_path, capsys):
    from excitable.interfaces.cli.main import main

    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"section": "soma", "name": "gbar_nope", "value": 1}]))
    out = tmp_path / "out"
    assert main(["run", "model", "--set", f"parameters={path}", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("excitable: error: ") and "unknown mechanism 'nope'" in err and "\n" not in err
    assert not out.exists()  # nothing half-written


def test_a_name_without_its_mechanism_binds_to_the_loaded_suffix():
    """"gbar_bs_na" with no mechanism: the split at the last "_" (mechanism "na") is a guess; the loaded
    mechanism bs_na is the one NEURON would set. A negative density is refused, naming it."""
    mods = ex.load_mod(MOD_DIR)
    cell = mp.apply(mp.parse([{"section": "soma", "name": "gbar_bs_na", "value": 0.2}]),
                    ex.Cell.from_swc("simple", dx_um=40.0), mods)
    assert list(cell.mechanisms) == ["bs_na"] and np.allclose(cell.mechanism_at_sites("bs_na").gbar, 0.2)
    with pytest.raises(ModelError, match=r"^p.json: entry 0 \(gbar_bs_na\): bs_na.gbar must be >= 0 S/cm2, got -1$"):
        mp.apply(mp.parse([{"section": "soma", "name": "gbar_bs_na", "value": -1}], "p.json"),
                 ex.Cell.from_swc("simple", dx_um=40.0), mods)


@pytest.mark.neuron
def test_ball_and_stick_with_a_calcium_pool_spikes_as_in_neuron(h, tmp_path):
    """bs_cad.mod (writes cai from the soma's ica) drives bs_cahva's eca by Nernst on both sides."""
    fit = json.loads(json.dumps(FIT))
    fit["genome"][4]["value"] = 0.005  # S/cm²: a Ca2+ current large enough to move cai and eca
    fit["genome"].append({"section": "soma", "name": "gamma_bs_cad", "value": 0.5, "mechanism": "bs_cad"})
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(fit))
    ours, theirs = _ours(path), _neuron_spikes(h, fit)
    assert len(theirs) >= 3
    assert len(ours) == len(theirs)
    # 0.1 ms: the criterion for a whole cell (same equations, same backward Euler step).
    assert np.max(np.abs(ours - theirs)) < 0.1
