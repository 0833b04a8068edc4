"""NeuroML models written for the tests with libNeuroML's own API (not with our exporter), and the
shared runner: the same stimulus and recordings for a cell built here and its counterpart."""

from __future__ import annotations

import excitable as ex

N = __import__("pytest").importorskip("neuroml")


def q10():
    """HH's temperature factor, 3 per 10 degC from 6.3 degC, as NeuroML writes it."""
    return N.Q10Settings(type="q10ExpTemp", q10_factor="3", experimental_temp="6.3 degC")


def rate(kind, r, mid, scale):
    return N.HHRate(type=kind, rate=f"{r}per_ms", midpoint=f"{mid}mV", scale=f"{scale}mV")


def hh_channels(doc):
    """HH 1952 in NeuroML's standard rate forms (the NeuroML2 examples' NaConductance/KConductance)."""
    na = N.IonChannelHH(id="naChan", conductance="10pS", species="na")
    na.gate_hh_rates.append(N.GateHHRates(id="m", instances=3, q10_settings=q10(),
                                          forward_rate=rate("HHExpLinearRate", 1, -40, 10),
                                          reverse_rate=rate("HHExpRate", 4, -65, -18)))
    na.gate_hh_rates.append(N.GateHHRates(id="h", instances=1, q10_settings=q10(),
                                          forward_rate=rate("HHExpRate", 0.07, -65, -20),
                                          reverse_rate=rate("HHSigmoidRate", 1, -35, 10)))
    k = N.IonChannelHH(id="kChan", conductance="10pS", species="k")
    k.gate_hh_rates.append(N.GateHHRates(id="n", instances=4, q10_settings=q10(),
                                         forward_rate=rate("HHExpLinearRate", 0.1, -55, 10),
                                         reverse_rate=rate("HHExpRate", 0.125, -65, -80)))
    doc.ion_channel_hhs.extend([na, k])
    doc.ion_channel.append(N.IonChannel(id="passiveChan", type="ionChannelPassive", conductance="10pS"))


def point(x, y, z, d):
    return N.Point3DWithDiam(x=x, y=y, z=z, diameter=d)


def biophysics(densities, cm="1.0 uF_per_cm2", ra="0.0354 kohm_cm"):
    mp = N.MembraneProperties()
    for i, (channel, g, e, ion, group) in enumerate(densities):
        mp.channel_densities.append(N.ChannelDensity(id=f"d{i}", ion_channel=channel, cond_density=g, erev=e,
                                                     ion=ion, segment_groups=group))
    mp.spike_threshes.append(N.SpikeThresh(value="0mV"))
    mp.specific_capacitances.append(N.SpecificCapacitance(value=cm))
    mp.init_memb_potentials.append(N.InitMembPotential(value="-65mV"))
    ip = N.IntracellularProperties(resistivities=[N.Resistivity(value=ra)])
    return N.BiophysicalProperties(id="bio", membrane_properties=mp, intracellular_properties=ip)


HH_DENSITIES = [("naChan", "1200 S_per_m2", "50mV", "na", "all"), ("kChan", "360 S_per_m2", "-77mV", "k", "all"),
                ("passiveChan", "3.0 S_per_m2", "-54.3mV", "non_specific", "all")]


def hh_cell_document():
    """One 20 x 20 um segment with HH's densities in SI (1200 S/m2 = 120 mS/cm2)."""
    doc = N.NeuroMLDocument(id="hh")
    hh_channels(doc)
    morph = N.Morphology(id="morph")
    morph.segments.append(N.Segment(id=0, name="soma", proximal=point(0, 0, 0, 20), distal=point(20, 0, 0, 20)))
    morph.segment_groups.append(N.SegmentGroup(id="soma_group", members=[N.Member(segments=0)]))
    doc.cells.append(N.Cell(id="hhcell", morphology=morph, biophysical_properties=biophysics(HH_DENSITIES)))
    return doc


def write(doc, path):
    from neuroml.writers import NeuroMLWriter

    NeuroMLWriter.write(doc, str(path))
    return path


def run(cell, records, *, tstop=15.0, temperature=6.3, amplitude=0.2, at=None):
    """IClamp at the soma (1 ms from 1 ms), V from -65 mV; ``records``: signal or (signal, Location)."""
    sim = ex.Simulation(cell, dt=0.025, temperature=temperature, v_init=-65.0)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=amplitude, delay=1.0, duration=1.0))
    for r in records:
        sim.record(*r) if isinstance(r, tuple) else sim.record(r)
    return sim.run(tstop)
