"""A Ca2+ ``channelDensity`` (fixed erev) beside a calcium pool, as the NeuroML2 example pyr_4_sym
(Traub 1991's CA3 cell: Ca_pyr with erev 80 mV, a fixedFactorConcentrationModel that Kahp reads)
has it: the erev stays fixed (NeuroML's meaning) while the pool integrates the channel's current.
Side by side with NEURON running the same model as .mod files (tests/reference/mod/
nml_cafixerev.mod, nml_ffpool.mod: a channel with its own erev writing ica, a pool reading it; and
test_neuron_side's nml_bkca, a K+ channel whose gates read cai, as Kahp does in pyr_4_sym)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import excitable as ex
from tests.reference.nrnmech import neuron_loaded

from .nml_models import N, write
from .test_lems_rates import kca_cell_document
from .test_neuron_side import CAI, CAO, CELSIUS, DT, SIZE_UM
from .test_neuron_side import neuron  # noqa: F401 - the fixture: NEURON with nml_bkca (a K+ channel reading cai)

from excitable.io import neuroml  # noqa: E402

MODS = [Path(__file__).parents[2] / "reference" / "mod" / f"{name}.mod" for name in ("nml_cafixerev", "nml_ffpool")]
EREV, TSTOP, AMP_NA = 80.0, 30.0, 0.05  # mV (Traub's eca), ms, nA (a step that fires the cell)


def fixed_erev_document():
    """test_neuron_side's Ca2+ channel under channelDensity (erev 80 mV) with the fixed-factor pool,
    and test_lems_rates' K+ channel whose gates read [Ca2+]i (as pyr_4_sym's Kahp reads caConc)."""
    doc = kca_cell_document()
    doc.cells[0].biophysical_properties.intracellular_properties.species[0].concentration_model = "caFixed"
    mp = doc.cells[0].biophysical_properties.membrane_properties
    mp.channel_density_nernsts.clear()
    mp.channel_densities.append(N.ChannelDensity(id="caD", ion_channel="caChan", cond_density="10 S_per_m2",
                                                 erev=f"{EREV}mV", ion="ca"))
    return doc


def neuron_trace(h, cai_mM: float = CAI) -> dict:
    """NEURON's run of the cell, [Ca]i starting at ``cai_mM`` (its cai0_ca_ion; tests/conftest.py
    puts the global back after the test)."""
    sec = h.Section(name="nml_fixed_erev")
    sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = SIZE_UM, SIZE_UM, 1, 1.0, 35.4
    sec.insert("nml_ffpool")  # NEURON updates a concentration writer first, whatever the order here
    sec.insert("nml_cafixerev")
    sec.insert("nml_bkca")
    h.cai0_ca_ion, h.cao0_ca_ion = cai_mM, CAO
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    stim = h.IClamp(sec(0.5))
    stim.delay, stim.dur, stim.amp = 2.0, TSTOP, AMP_NA
    seg = sec(0.5)
    vecs = {"v": h.Vector().record(seg._ref_v), "cai": h.Vector().record(seg._ref_cai),
            "eca": h.Vector().record(seg._ref_eca), "m": h.Vector().record(seg.nml_cafixerev._ref_m),
            "h": h.Vector().record(seg.nml_cafixerev._ref_h), "c": h.Vector().record(seg.nml_bkca._ref_c),
            "q": h.Vector().record(seg.nml_bkca._ref_q)}
    h.finitialize(-80.0)
    h.continuerun(TSTOP)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, sec
    return out


def test_a_fixed_erev_calcium_current_feeds_the_pool_as_in_neuron(neuron, tmp_path):  # noqa: F811
    h = neuron_loaded(MODS, "nrnmech-neuroml-fixed-erev", "nml_cafixerev.mod and nml_ffpool.mod")
    path = write(fixed_erev_document(), tmp_path / "fixed.cell.nml")
    neuroml.validate(path)
    cell = neuroml.read(path).cells["cell"].cell  # was refused: "give it channelDensityNernst"
    assert cell.mechanisms["caChan"].erev == EREV
    sim = ex.Simulation(cell, dt=DT, temperature=CELSIUS, v_init=-80.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=AMP_NA, delay=2.0, duration=TSTOP))
    for signal in ("v", "caChan.m", "caChan.h", "caFixed.concentration", "kCa.c", "kCa.q"):
        sim.record(signal)
    ours = sim.run(TSTOP)
    theirs = neuron_trace(h)
    # it fires, the pool fills, the K+ gates follow it, and NEURON's eca moves (by 60 mV here) while the
    # Ca2+ channel keeps its 80 mV: a real test of all three
    assert ours["v"].max() > 0 and theirs["cai"].max() > 20 * CAI and np.ptp(theirs["q"]) > 0.3
    assert np.ptp(theirs["eca"]) > 30.0
    pairs = {"v": ours["v"], "m": ours["caChan.m"], "h": ours["caChan.h"], "cai": ours["caFixed.concentration"],
             "c": ours["kCa.c"], "q": ours["kCa.q"]}
    worst = {k: float(np.max(np.abs(mine - theirs[k])) / np.max(np.abs(theirs[k]))) for k, mine in pairs.items()}
    # The same exponential-Euler updates, the pool integrating the current of the step's start in
    # both (test_neuron_side's pool comparison): rounding only; 1e-6 of each trace's largest
    # magnitude is the bound
    assert max(worst.values()) < 1e-6, worst
