"""NEURON copies of our cells that carry the textbook neuron's spike channels (test helper).

The experiments electrical-synapse, neuron-shapes and postsynaptic-spike use Pospischil et al.'s (2008)
Traub-Miles Na+ and K+ channels (``NaTraub``, ``KdTraub``), the M-current (``KMYamada``) and a leak;
NEURON has no built-in copy, so tests/reference/mod/traub/ holds them (xs_natraub, xs_kdtraub,
xs_kmyamada: the same equations as excitable.physics.channels.pospischil, exact rates, cnexp) with a
half gap junction (XsHalfGap) and a two-state receptor with its cleft (XsTwoState), compiled once by
nrnivmodl (tests/reference/nrnmech.py). ``nrn_cell`` builds NEURON sections from one of our
cells: the same 3-D points (pt3dadd; L and diam for a stylized section), nseg, Ra, cm, and each
segment's channel densities read from our cell node by node, so a comparison tests the engine, not a
second hand-written description.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.reference.nrnmech import neuron_loaded

MODS = sorted((Path(__file__).parent / "mod" / "traub").glob("*.mod"))


def neuron_traub():
    """NEURON's h with the Traub channels and the half gap loaded (compiled once), or skip."""
    return neuron_loaded(MODS, "nrnmech-traub", "tests/reference/mod/traub")


class NrnCell:
    """Owner of one cell's NEURON sections (they vanish with it): ``secs`` by our section name."""

    def __init__(self, h, cell, ra: float):
        comp = cell.compartments
        m = cell.morphology
        self.secs = {}
        for k, s in enumerate(m.sections):
            sec = h.Section(name=f"{cell.name.replace(' ', '_')}_{s.name}", cell=self)
            if not s.stylized:
                for x, y, z, d in s.points:
                    h.pt3dadd(float(x), float(y), float(z), float(d), sec=sec)
            if s.parent is not None:
                sec.connect(self.secs[m.sections[s.parent].name](s.parent_x))
            sec.nseg, sec.Ra, sec.cm = int(comp.nseg[k]), ra, 1.0
            if s.stylized:  # a length and one diameter: NEURON's L and diam (doubles), not float32 points
                sec.L, sec.diam = s.length_um, float(s.points[0, 3])
            self.secs[s.name] = sec
        self.comp = comp
        self._insert(cell)

    def __str__(self):
        return "xs_cell"

    def seg(self, section: int, x: float):
        """NEURON's segment whose centre is our node for ``Location(section, x)`` (a leaf's x = 1 is
        the last segment's centre: we drop the zero-area end node that carries no current)."""
        node = self.comp.index(section, x)
        return self.secs[self.comp.section_names[self.comp.section[node]]](float(self.comp.x[node]))

    def _insert(self, cell) -> None:
        """Each node's leak, Na+ and K+ parameters, copied segment by segment (mS/cm2 -> S/cm2)."""
        comp = self.comp
        names = {"Leak": ("pas", {"g": "g_pas", "e": "e_pas"}),
                 "NaTraub": ("xs_natraub", {"gNa": "gnabar_xs_natraub", "eNa": "ena_xs_natraub",
                                             "VT": "vt_xs_natraub"}),
                 "KdTraub": ("xs_kdtraub", {"gKd": "gkbar_xs_kdtraub", "eK": "ek_xs_kdtraub",
                                             "VT": "vt_xs_kdtraub"}),
                 "KMYamada": ("xs_kmyamada", {"gM": "gkbar_xs_kmyamada", "eK": "ek_xs_kmyamada",
                                              "tau_max": "tau_max_xs_kmyamada"})}
        assert set(cell.mechanisms) <= set(names), f"no NEURON copy of {set(cell.mechanisms) - set(names)}"
        for name, (suffix, fields) in names.items():
            if name not in cell.mechanisms:
                continue
            at = cell.mechanism_at_sites(name)
            for j, node in enumerate(cell.mechanism_sites(name)):
                if comp.area_um2[node] == 0:
                    continue  # a junction node: no membrane
                seg = self.secs[comp.section_names[comp.section[node]]](float(comp.x[node]))
                if not hasattr(seg, suffix):
                    seg.sec.insert(suffix)
                for ours, theirs in fields.items():
                    value = float(np.broadcast_to(getattr(at, ours), (len(cell.mechanism_sites(name)),))[j])
                    scale = 1e-3 if ours in ("g", "gNa", "gKd", "gM") else 1.0  # mS/cm2 -> S/cm2
                    setattr(seg, theirs, value * scale)


def run(h, tstop: float, dt: float, celsius: float, v_init: float, record):
    """Run NEURON (fixed step, backward Euler) and return each recorded segment's V (mV) by label.

    record: {label: segment}."""
    vecs = {k: h.Vector().record(seg._ref_v) for k, seg in record.items()}
    h.dt, h.secondorder, h.celsius = dt, 0, celsius
    h.finitialize(v_init)
    h.continuerun(tstop)
    return {k: np.array(v) for k, v in vecs.items()}
