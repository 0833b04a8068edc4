"""excitable ``Cell`` -> a NeuroML 2 document (libNeuroML's object model), which its validator accepts.

Each section becomes a chain of segments and a section group (``morphology``); each mechanism one
ion channel per conductance (``builtin``) with a ``channelDensity`` per set of sections that share
its values; capacitance and resistivity per set of sections likewise. A value that varies within a
section (a density set as a function of distance on a section of several segments) has no NeuroML
channelDensity: refused with one line, as is a channel without a standard form.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import numpy as np

from excitable.errors import ModelError
import excitable.io.neuroml.units as units
from excitable.io.neuroml.builtin import KINETIC, parts_of
from excitable.io.neuroml.morphology import SECTION_LEX_ID, nml_id
from excitable.io.neuroml.rates import Form, Gate


def document(cell, *, doc_id: str | None = None, v_init_mV: float = -65.0, ions=None, lems_file: str | None = None,
             instances: list | None = None):
    """A libNeuroML ``NeuroMLDocument`` holding ``cell`` and its ion channels. Concentration models
    defined in LEMS (``writer_lems``) need ``lems_file``, the sibling file the document includes
    for their instances, which are appended to ``instances`` (lxml elements); without it they are
    refused in one line (libNeuroML's document cannot hold them)."""
    import neuroml as N

    taken: set[str] = set()
    cell_id = nml_id(doc_id or cell.name or "cell", taken)
    doc = N.NeuroMLDocument(id=cell_id + "_doc")
    morph, groups = _morphology(N, cell, taken)
    mp = N.MembraneProperties()
    bio = N.BiophysicalProperties(id="biophys", membrane_properties=mp,
                                  intracellular_properties=N.IntracellularProperties())
    group_of = _GroupMaker(N, morph, groups, taken)
    comp = cell.compartments
    for value, secs in _per_section(cell, comp, cell.cm, "cm").items():
        mp.specific_capacitances.append(N.SpecificCapacitance(
            value=units.write(value, "uF_per_cm2"), segment_groups=group_of(secs)))
    ra = _section_ra(cell)
    for value in sorted(set(ra.tolist())):
        secs = tuple(np.flatnonzero(ra == value).tolist())
        bio.intracellular_properties.resistivities.append(N.Resistivity(
            value=units.write(value, "ohm_cm"), segment_groups=group_of(secs)))
    mp.init_memb_potentials.append(N.InitMembPotential(value=units.write(v_init_mV, "mV"), segment_groups="all"))
    # NeuroML requires one; 0 mV is where excitable counts spikes (NEURON's APCount default: -20 mV)
    mp.spike_threshes.append(N.SpikeThresh(value=units.write(0.0, "mV"), segment_groups="all"))
    concentrations: dict[int, tuple] = {}  # section -> (ci, co) its Nernst/GHK densities read
    pools = [(n, m) for n, m in cell.mechanisms.items() if getattr(type(m), "neuroml_pool", None)]
    from excitable.io.neuroml.writer_lems import component_types, lems_pools

    lems = lems_pools(pools)
    if lems and (lems_file is None or instances is None):  # libNeuroML has no place for their instances
        raise ModelError(f"NeuroML export: pool {lems[0]!r} is a concentration model defined in LEMS (ComponentType "
                         f"{type(cell.mechanisms[lems[0]]).neuroml_lems_type!r}), whose instance a libNeuroML document "
                         f"cannot hold; neuroml.save writes it into a sibling file")
    for name, mech in cell.mechanisms.items():
        if name not in {n for n, _ in pools}:
            _mechanism(N, doc, mp, cell, comp, name, mech, group_of, taken, concentrations)
    from excitable.io.neuroml.writer_ions import check_calcium_readers, write_species

    check_calcium_readers(cell, comp, concentrations, pools)  # the species of gates reading [Ca2+]i
    if pools and not concentrations:
        raise ModelError(f"NeuroML export: pool {pools[0][0]!r} on a cell without a Nernst/GHK density to read it")
    if concentrations:
        write_species(N, doc, bio, cell, comp, concentrations, pools, group_of, taken, instances)
    if lems:
        doc.includes.append(N.IncludeType(href=lems_file))
    component_types(doc, cell)
    doc.cells.append(N.Cell(id=cell_id, morphology=morph, biophysical_properties=bio))
    return doc


def _morphology(N, cell, taken):
    """The segments and one section group per section; returns (Morphology, section index -> group id)."""
    secs = cell.morphology.sections
    nseg = cell.compartments.nseg
    morph = N.Morphology(id="morphology")
    first, last_of, groups = {}, {}, {}
    seg_id = 0
    for i, s in enumerate(secs):
        gid = groups[i] = nml_id(s.name, taken)
        group = N.SegmentGroup(id=gid, neuro_lex_id=SECTION_LEX_ID, properties=[
            N.Property(tag="numberInternalDivisions", value=str(int(nseg[i]))),
            N.Property(tag="excitable:name", value=s.name), N.Property(tag="excitable:region", value=s.region)])
        ids = []
        for k in range(len(s.points) - 1):
            parent = None
            if k > 0:
                parent = N.SegmentParent(segments=seg_id - 1)
            elif s.parent is not None:
                parent = _hang(N, secs[s.parent], s.parent_x, first[s.parent])
            morph.segments.append(N.Segment(id=seg_id, name=f"{gid}_{k}", parent=parent,
                                            proximal=_p(N, s.points[k]), distal=_p(N, s.points[k + 1])))
            group.members.append(N.Member(segments=seg_id))
            ids.append(seg_id)
            seg_id += 1
        first[i], last_of[i] = ids[0], ids[-1]
        morph.segment_groups.append(group)
    morph.segment_groups.append(N.SegmentGroup(id="all", includes=[N.Include(segment_groups=g)
                                                                      for g in groups.values()]))
    return morph, groups


def _hang(N, parent_sec, x: float, first_id: int):
    """The SegmentParent of a section attached at ``x`` along ``parent_sec`` (whose first segment id
    is ``first_id``): the parent segment that holds that arc position, and the fraction along it."""
    arc = parent_sec.arc_um
    target = x * arc[-1]
    k = int(np.clip(np.searchsorted(arc, target, side="right") - 1, 0, len(arc) - 2))
    if x == 1.0:
        k = len(arc) - 2
    length = arc[k + 1] - arc[k]
    frac = 1.0 if x == 1.0 else 0.0 if x == 0.0 or length == 0 else float((target - arc[k]) / length)
    return N.SegmentParent(segments=first_id + k, fraction_along=frac)


def _p(N, pt):
    return N.Point3DWithDiam(x=float(pt[0]), y=float(pt[1]), z=float(pt[2]), diameter=float(pt[3]))


class _GroupMaker:
    """A segment group id for a set of sections: the section's own group for one, "all" for every
    section, else a new group including theirs."""

    def __init__(self, N, morph, groups, taken):
        self.N, self.morph, self.groups, self.taken, self.made = N, morph, groups, taken, {}

    def __call__(self, secs: tuple[int, ...]) -> str:
        if len(secs) == len(self.groups):
            return "all"
        if len(secs) == 1:
            return self.groups[secs[0]]
        if secs not in self.made:
            gid = self.made[secs] = nml_id("group", self.taken)
            self.morph.segment_groups.append(self.N.SegmentGroup(
                id=gid, includes=[self.N.Include(segment_groups=self.groups[i]) for i in secs]))
        return self.made[secs]


def _per_section(cell, comp, values: np.ndarray, what: str, nodes=None) -> dict:
    """value -> sections holding it, for a per-node array that is uniform within each section."""
    membrane = comp.area_um2 > 0 if nodes is None else nodes
    out: dict = {}
    for i in range(len(comp.section_names)):
        v = values[(comp.section == i) & membrane]
        if v.size == 0:
            continue
        if not np.all(v == v[0]):
            raise ModelError(f"NeuroML export: {what} varies within section {comp.section_names[i]!r} "
                             f"({v.min():g} to {v.max():g}); NeuroML densities are uniform per segment group")
        out.setdefault(float(v[0]), []).append(i)
    return {k: tuple(v) for k, v in out.items()}


def _section_ra(cell) -> np.ndarray:
    per_section = getattr(cell, "_ra_per_section", None)  # Cell keeps ra per section once one is set
    n = len(cell.morphology.sections)
    return np.full(n, float(cell._ra)) if per_section is None else np.asarray(per_section, float)


def _mechanism(N, doc, mp, cell, comp, name, mech, group_of, taken, concentrations) -> None:
    present = np.zeros(comp.n, bool)
    present[cell.mechanism_sites(name)] = True
    membrane = comp.area_um2 > 0
    for i in range(len(comp.section_names)):  # all of a section or none of it
        here = present[(comp.section == i) & membrane]
        if here.any() and not here.all():
            raise ModelError(f"NeuroML export: {name} is inserted on part of section {comp.section_names[i]!r}")
    values = {k: np.full(comp.n, np.nan) for k in mech.parameters()}
    at_sites = cell.mechanism_at_sites(name)
    for k in values:
        values[k][cell.mechanism_sites(name)] = np.asarray(getattr(at_sites, k), float)
    kinetic = {}
    for k in KINETIC.get(type(mech).__name__, ()):
        vals = np.unique(values[k][present])
        if len(vals) > 1:
            raise ModelError(f"NeuroML export: {name}.{k} must be one value over the cell (it is written "
                             f"into the channel's rates), got {vals.min():g} to {vals.max():g}")
        kinetic[k] = float(vals[0])
    for part in parts_of(mech, kinetic):
        chan_id = nml_id(f"{name}_{part.suffix}" if part.suffix else name, taken)
        channel = _channel(N, chan_id, part)
        hh = part.gates or part.scaling  # an ionChannelHH (a passive ionChannel has no scaling)
        (doc.ion_channel_kses if part.kinetic else doc.ion_channel_hhs if hh else doc.ion_channel).append(channel)
        fields = (part.g_field, part.e_field) if part.law == "ohmic" else (part.g_field, "ci", "co")
        pairs = np.stack([values[f] for f in fields], axis=1)
        per = {}
        for i in range(len(comp.section_names)):
            rows = pairs[(comp.section == i) & membrane & present]
            if len(rows) == 0:
                continue
            if not np.all(rows == rows[0]):
                raise ModelError(f"NeuroML export: {name}.{part.g_field}/{part.e_field} varies within section "
                                 f"{comp.section_names[i]!r}; NeuroML densities are uniform per segment group")
            per.setdefault(tuple(rows[0].tolist()), []).append(i)
        if part.law != "ohmic":
            from excitable.io.neuroml.writer_ions import write_density

            write_density(N, mp, chan_id, part.law, per, group_of, taken, concentrations, comp.section_names)
            continue
        for (g, e), secs in per.items():
            mp.channel_densities.append(N.ChannelDensity(
                id=nml_id(f"{chan_id}_density", taken), ion_channel=chan_id, cond_density=units.write(g, "mS_per_cm2"),
                erev=units.write(e, "mV"), ion=part.species or "non_specific", segment_groups=group_of(tuple(secs))))


def _channel(N, chan_id: str, part):
    if part.kinetic:
        from excitable.io.neuroml.kinetic import ks_element

        def rate_text(form):  # the <rate> child, as libNeuroML keeps it (XML text)
            r = _rate(N.HHRate, form)
            if getattr(form, "element", None) is not None:  # defined in LEMS: its ComponentType's name
                return f"<rate type={quoteattr(r.type)}/>"
            return f'<rate type="{r.type}" rate="{r.rate}" midpoint="{r.midpoint}" scale="{r.scale}"/>'

        def time(form):
            if getattr(form, "element", None) is not None:
                return N.HHTime(type=form.type)
            return N.HHTime(type=form.type, tau=units.write(form.tau, "ms"))

        return ks_element(N, chan_id, part.species, part.gates, rate_text, lambda f: _rate(N.HHVariable, f), time)
    # the conductance scaling as the file had it (an ionChannelHH without gates carries it too)
    scaling = [N.Q10ConductanceScaling(q10_factor=repr(float(q)), experimental_temp=units.write(c, "degC"))
               for q, c in part.scaling]
    if not part.gates and not scaling:
        return N.IonChannel(id=chan_id, conductance="10pS", type="ionChannelPassive", species=part.species)
    ch = N.IonChannelHH(id=chan_id, conductance="10pS", species=part.species, q10_conductance_scalings=scaling)
    # The schema lets a channel hold one kind of gate element: gates of several kinds are written as
    # generic <gate type="..."> elements (which the schema takes in any mix)
    generic = len({g.kind for g in part.gates}) > 1
    for g in part.gates:
        _add_gate(N, ch, g, generic)
    return ch


def _add_gate(N, ch, g: Gate, generic: bool = False) -> None:
    for form in (g.forward, g.reverse, g.steady, g.time):  # e.g. a gate whose type is a ComponentType
        if getattr(form, "unwritable", None):
            raise ModelError(f"NeuroML export: gate {g.name!r}: {form.unwritable}")
    q10 = None
    if g.fixed is not None:
        q10 = N.Q10Settings(type="q10Fixed", fixed_q10=repr(float(g.fixed)))
    elif g.q10 != 1.0:
        q10 = N.Q10Settings(type="q10ExpTemp", q10_factor=repr(float(g.q10)),
                            experimental_temp=units.write(g.q10_celsius, "degC"))
    kw = {"id": g.name, "instances": g.instances, "q10_settings": q10}
    if g.forward is not None:
        kw.update(forward_rate=_rate(N.HHRate, g.forward), reverse_rate=_rate(N.HHRate, g.reverse))
    if g.steady is not None:
        kw["steady_state"] = _rate(N.HHVariable, g.steady)
    if g.time is not None and getattr(g.time, "element", None) is not None:
        kw["time_course"] = N.HHTime(type=g.time.type)
    elif g.time is not None:
        kw["time_course"] = N.HHTime(type=g.time.type, tau=units.write(g.time.tau, "ms"))
    cls, attr = {"gateHHrates": (N.GateHHRates, "gate_hh_rates"),
                 "gateHHratesInf": (N.GateHHRatesInf, "gate_h_hrates_infs"),
                 "gateHHratesTau": (N.GateHHRatesTau, "gate_h_hrates_taus"),
                 "gateHHtauInf": (N.GateHHTauInf, "gate_hh_tau_infs"),
                 "gateHHratesTauInf": (N.GateHHRatesTauInf, "gate_h_hrates_tau_infs"),
                 "gateHHInstantaneous": (N.GateHHInstantaneous, "gate_hh_instantaneouses")}[g.kind]
    if g.kind == "gateHHInstantaneous" and not generic:
        kw.pop("q10_settings")
    if generic:
        ch.gates.append(N.GateHHUndetermined(type=g.kind, **kw))
        return
    getattr(ch, attr).append(cls(**kw))


def _rate(cls, form: Form):
    if getattr(form, "element", None) is not None:  # defined in LEMS: the type names its ComponentType
        return cls(type=form.type)
    variable = form.type.endswith("Variable")
    return cls(type=form.type, rate=repr(float(form.rate)) if variable else units.write(form.rate, "per_ms"),
               midpoint=units.write(form.midpoint, "mV"), scale=units.write(form.scale, "mV"))
