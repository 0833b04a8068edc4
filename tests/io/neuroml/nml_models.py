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


#: A branched cell for the non-uniform densities (test_nonuniform.py): section -> (parent section,
#: fractionAlong of the parent's segment it hangs from, its 3-D points (x, y, z, diameter), nseg).
#: apic2 hangs from apic0's second segment 0.3 along (apic0's x = 0.65, inside a compartment: NEURON
#: connects it at that compartment's node), basal from the soma's 0 end (the root's, where path
#: lengths start), apic0 from the soma's 1 end.
BRANCHED = {"soma": (None, None, ((0, 0, 0, 20), (20, 0, 0, 20)), 1),
            "apic0": ("soma", 1.0, ((20, 0, 0, 3), (120, 0, 0, 2.5), (220, 0, 0, 2)), 5),
            "apic1": ("apic0", 1.0, ((220, 0, 0, 2), (320, 0, 0, 1.5)), 3),
            "apic2": ("apic0", 0.3, ((150, 0, 0, 1.5), (150, 90, 0, 1.2)), 3),
            "basal": ("soma", 0.0, ((0, 0, 0, 2), (-80, 0, 0, 1.5)), 3)}
#: Segment groups of that cell that declare inhomogeneousParameters: id -> (sections, parameter id,
#: translationStart or None, normalizationEnd or None).
BRANCHED_GROUPS = {"apical": (("apic0", "apic1", "apic2"), "PathOverApical", "0", None),
                   "apical_norm": (("apic0", "apic1", "apic2"), "NormOverApical", "0", "1"),
                   "basal_group": (("basal",), "PathFromRoot", None, None)}


def branched_document(densities=(), nernst=(), ghk=(), *, channels=hh_channels, species=None):
    """``BRANCHED`` with HH's channels (``channels(doc)`` adds others), one section group per section
    (neuroLexId, nseg), ``BRANCHED_GROUPS`` and soma_group; ``densities``/``nernst``/``ghk``: the
    ChannelDensity*/NonUniform* elements (each appended to its list by its class); ``species``: an
    IntracellularProperties species list."""
    doc = N.NeuroMLDocument(id="branched_nonuniform")
    channels(doc)
    m = N.Morphology(id="morph")
    last = {}  # section -> its segment ids
    for name, (parent, frac, pts, nseg) in BRANCHED.items():
        ids = []
        for k in range(1, len(pts)):
            i = len(m.segments)
            if k == 1:
                par = None if parent is None else N.SegmentParent(
                    segments=last[parent][-1] if frac in (0.0, 1.0) or len(last[parent]) == 1 else last[parent][1],
                    fraction_along=frac)
                if parent is not None and frac == 0.0:
                    par.segments = last[parent][0]
                m.segments.append(N.Segment(id=i, name=f"{name}_{k}", parent=par, proximal=point(*pts[0]),
                                            distal=point(*pts[1])))
            else:
                m.segments.append(N.Segment(id=i, name=f"{name}_{k}", parent=N.SegmentParent(segments=i - 1),
                                            distal=point(*pts[k])))
            ids.append(i)
        last[name] = ids
        m.segment_groups.append(N.SegmentGroup(
            id=name, neuro_lex_id="sao864921383", members=[N.Member(segments=i) for i in ids],
            properties=[N.Property(tag="numberInternalDivisions", value=str(nseg))]))
    m.segment_groups.append(N.SegmentGroup(id="soma_group", includes=[N.Include(segment_groups="soma")]))
    for gid, (secs, pid, start, end) in BRANCHED_GROUPS.items():
        m.segment_groups.append(N.SegmentGroup(
            id=gid, includes=[N.Include(segment_groups=s) for s in secs],
            inhomogeneous_parameters=[N.InhomogeneousParameter(
                id=pid, variable="p", metric="Path Length from root",
                proximal=None if start is None else N.ProximalDetails(translation_start=start),
                distal=None if end is None else N.DistalDetails(normalization_end=end))]))
    bio = biophysics([])
    mp = bio.membrane_properties
    for el in (*densities, *nernst, *ghk):
        attr = {"ChannelDensity": "channel_densities", "ChannelDensityNonUniform": "channel_density_non_uniforms",
                "ChannelDensityNernst": "channel_density_nernsts", "ChannelDensityGHK": "channel_density_ghks",
                "ChannelDensityNonUniformNernst": "channel_density_non_uniform_nernsts",
                "ChannelDensityNonUniformGHK": "channel_density_non_uniform_ghks"}[type(el).__name__]
        getattr(mp, attr).append(el)
    if species is not None:
        bio.intracellular_properties.species.extend(species)
    doc.cells.append(N.Cell(id="branched", morphology=m, biophysical_properties=bio))
    return doc


def non_uniform(kind, id, channel, group, parameter_id, value, **kw):
    """A ChannelDensityNonUniform (kind "", "Nernst" or "GHK") whose one variableParameter on
    ``group`` takes ``value`` (an expression of p, SI) through inhomogeneousParameter ``parameter_id``."""
    parameter = "permeability" if kind == "GHK" else "condDensity"
    vp = N.VariableParameter(parameter=parameter, segment_groups=group, inhomogeneous_value=N.InhomogeneousValue(
        inhomogeneous_parameters=parameter_id, value=value))
    return getattr(N, f"ChannelDensityNonUniform{kind}")(id=id, ion_channel=channel, variable_parameters=[vp], **kw)
