"""Geometry side by side with NEURON: sections, 3-D points, nseg, segment areas and axial resistances.

For each morphology we build NEURON's cell independently (hand-built sections with pt3dadd + connect;
SWC files through NEURON's own Import3d) and compare node by node: our node (section, x) is NEURON's
``sec(x)``; its area is ``sec(x).area()`` (0 at x = 0 or 1) and 1/g_axial is ``sec(x).ri()`` (MOhm).

Tolerance: 1e-9 relative per segment and for the total area. We replay NEURON's single-precision
storage of 3-D points and its integration order, so the observed differences are double round-off
(~1e-15); without the float32 rounding they would reach ~3e-5 on sub-um segments 400 um from the origin.
"""

import math

import numpy as np
import pytest

from excitable.io.morphologies import path as shipped
from excitable.model.discretize import discretize
from excitable.model.morphology import Morphology, Section

neuron = pytest.importorskip("neuron")
h = neuron.h
h.load_file("stdlib.hoc")  # lambda_f
h.load_file("import3d.hoc")
pytestmark = pytest.mark.neuron

FILES = ["simple", "allen-scnn1a", "purkinje", "ca1-pyramidal"]  # the shipped reconstructions
RTOL = 1e-9


class _Cell:
    """Python owner of Import3d's sections, so they vanish with the object (no global hoc names)."""

    def __str__(self):
        return "cell"


def nrn_from_swc(path):
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(path))
    cell = _Cell()
    h.Import3d_GUI(reader, 0).instantiate(cell)
    secs = {s.name().split(".", 1)[1]: s for s in cell.all}
    return cell, secs


def nrn_from_morphology(m):
    """NEURON sections built from our Section points and connections (pt3dadd + connect)."""
    secs = {}
    for s in m.sections:
        sec = h.Section(name=s.name.replace("[", "_").replace("]", ""))
        for x, y, z, d in s.points:
            h.pt3dadd(float(x), float(y), float(z), float(d), sec=sec)
        if s.parent is not None:
            sec.connect(secs[m.sections[s.parent].name](s.parent_x))
        secs[s.name] = sec
    return None, secs


def nrn_name(name):
    return "soma[0]" if name == "soma" else name  # Import3d makes a soma array even for one soma


def set_nseg(secs, m, mode, ra, cm):
    for s in m.sections:
        sec = secs[nrn_name(s.name)] if nrn_name(s.name) in secs else secs[s.name]
        sec.Ra, sec.cm = ra, cm
        if "nseg" in mode:
            sec.nseg = mode["nseg"]
        elif "dx_um" in mode:
            n = max(1, math.ceil(sec.L / mode["dx_um"] - 1e-9))
            sec.nseg = n + (n % 2 == 0)
        else:  # NEURON's d_lambda rule with stdlib's lambda_f
            lam = h.lambda_f(mode.get("frequency_hz", 100.0), sec=sec)
            sec.nseg = int((sec.L / (mode["d_lambda"] * lam) + 0.9) / 2) * 2 + 1


def compare(m, secs, mode, ra=35.4, cm=1.0):
    kw = dict(mode)
    c = discretize(m, ra_ohm_cm=ra, cm_uF_cm2=cm, **kw)
    get = lambda name: secs[nrn_name(name)] if nrn_name(name) in secs else secs[name]  # noqa: E731
    set_nseg(secs, m, mode, ra, cm)
    assert [get(n).nseg for n in c.section_names] == c.nseg.tolist()
    assert int(np.sum(c.area_um2 > 0)) == sum(s.nseg for s in secs.values())
    root = get(c.section_names[0])
    area, ri, dist, diam = [], [], [], []
    for i in range(c.n):
        seg = get(c.section_names[c.section[i]])(c.x[i])
        area.append(seg.area())
        ri.append(seg.ri() if c.parent[i] >= 0 else math.inf)
        dist.append(h.distance(root(0.5), seg))
        diam.append(seg.diam if 0 < c.x[i] < 1 else c.diam_um[i])
    area, ri = np.array(area), np.array(ri)
    np.testing.assert_allclose(c.area_um2, area, rtol=RTOL, atol=0)
    has_parent = c.parent >= 0
    np.testing.assert_allclose(1e3 / c.g_axial_nS[has_parent], ri[has_parent], rtol=RTOL)
    # distances from the root's middle: NEURON measures from the node of root(0.5), which is the
    # middle only for odd nseg; mean segment diameters (NEURON keeps seg.diam to ~1e-9 um)
    if c.nseg[0] % 2:
        np.testing.assert_allclose(c.distance_um, dist, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(c.diam_um, diam, rtol=1e-7, atol=1e-9)
    total = sum(seg.area() for s in secs.values() for seg in s)
    assert c.total_area_um2 == pytest.approx(total, rel=1e-9)
    return c


def tapered():
    pts = [[0, 0, 0, 3], [1.3, 0.2, 0, 2.5], [1.3, 0.2, 0, 1.5], [7, 3, 1, 2], [15, -2, 4, 0.5],
           [15.2, -2, 4, 0.7], [30.1, 0.3, 0.2, 1.0]]
    return Morphology((Section("dend", "basal", pts),))


def branched():
    b = Morphology.builder()
    b.add("soma", length=15, diameter=12)
    b.add("axon", length=300, diameter=(2, 0.5), parent="soma", x=0.3)
    b.add("dend[0]", length=100, diameter=2, parent="soma", x=0)
    b.add("dend[1]", length=50, diameter=1, parent="dend[0]", x=0)
    b.add("dend[2]", length=50, diameter=(1, 0.3), parent="dend[0]", x=0.5)
    b.add("dend[3]", length=50, diameter=1, parent="dend[0]", x=1)
    b.add("dend[4]", length=50, diameter=1, parent="dend[3]", x=1)
    b.add("dend[5]", length=50, diameter=1, parent="soma", x=0.99)
    return b.build()


def step():  # diameter steps on segment boundaries (nseg 2, 4) and at the very end
    pts = [[0, 0, 0, 2], [10, 0, 0, 2], [10, 0, 0, 6], [20, 0, 0, 6], [20, 0, 0, 3], [40, 0, 0, 3],
           [40, 0, 0, 5]]
    return Morphology((Section("dend", "basal", pts),))


HAND_BUILT = {
    "tapered": (tapered, [dict(nseg=n) for n in (1, 2, 3, 7, 50)]),
    "step": (step, [dict(nseg=n) for n in (1, 2, 4, 5)]),
    "ball_and_stick": (lambda: Morphology.ball_and_stick(dendrite_length=200),
                       [dict(nseg=1), dict(d_lambda=0.1), dict(dx_um=7.3)]),
    "branched": (branched, [dict(nseg=n) for n in (1, 2, 3, 4)] + [dict(d_lambda=0.05, frequency_hz=500.0)]),
}


@pytest.mark.parametrize("name", list(HAND_BUILT))
def test_hand_built_morphologies_match_neuron(name):
    make, modes = HAND_BUILT[name]
    m = make()
    _, secs = nrn_from_morphology(m)
    for mode in modes:
        compare(m, secs, mode, ra=123.0, cm=0.9)


def check_import(m, secs):
    """Same sections, connections and 3-D points as NEURON's Import3d."""
    assert sorted(nrn_name(n) for n in m.names) == sorted(secs)
    for s in m.sections:
        ns = secs[nrn_name(s.name)]
        ps = ns.parentseg()
        if s.parent is None:
            assert ps is None
        else:
            assert (ps.sec.name().split(".", 1)[1], ps.x) == (nrn_name(m.sections[s.parent].name), s.parent_x)
        pts = np.array([[ns.x3d(i), ns.y3d(i), ns.z3d(i), ns.diam3d(i)] for i in range(ns.n3d())])
        np.testing.assert_array_equal(pts, s.points.astype(np.float32), err_msg=s.name)


@pytest.mark.parametrize("fname", FILES)
def test_swc_files_match_neuron_import3d(fname):
    m = Morphology.from_swc(shipped(fname))
    cell, secs = nrn_from_swc(shipped(fname))
    check_import(m, secs)
    compare(m, secs, dict(nseg=3), ra=123.0)
    compare(m, secs, dict(d_lambda=0.1), ra=123.0, cm=1.0)
    del cell


SYNTHETIC = {
    # a dendrite point with a second, non-contiguous child: Import3d attaches it to the dendrite's 0-end
    "connect_to_proximal": "1 1 0 0 0 4 -1\n2 1 0 3 0 4 1\n3 3 0 8 0 1 2\n4 3 0 15 0 1 3\n"
                           "5 3 0 25 0 1 4\n6 3 5 8 0 0.5 3\n7 3 9 8 0 0.5 6\n",
    # soma branching at its first point, a one-point neurite there (removed), another one with 2 points
    "branched_soma": "1 1 0 0 0 5 -1\n2 1 0 3 0 5 1\n3 1 0 6 0 4 2\n4 1 0 -3 0 5 1\n5 1 0 -6 0 4 4\n"
                     "6 3 8 0 0 1 1\n7 3 6 1 0 1 1\n8 3 12 1 0 1 7\n9 2 0 10 0 1 3\n10 2 0 30 0 0.5 9\n",
    # zero-length two-point section (removed; its children reattached), a dendrite root, a type change
    "zero_length": "1 3 0 0 0 1 -1\n2 3 0 10 0 1 1\n3 3 0 10 0 1 2\n4 3 5 15 0 1 3\n5 3 -5 15 0 1 3\n"
                   "6 3 3 12 0 1 2\n7 3 0 -10 0 1 1\n8 4 0 -20 0 1 7\n9 4 0 -30 0 1 8\n",
    # a one-point soma away from the origin: NEURON moves its float32 centre by -+ d/2 (Allen's Nr5a1 soma)
    "one_point_soma_off_origin": "1 1 414.8144 100 20 6.4406 -1\n2 3 414.8144 110 20 1 1\n3 3 414.8144 140 20 1 2\n",
    "three_point_soma": "1 1 0 0 0 4 -1\n2 1 0 -4 0 4 1\n3 1 0 4 0 4 1\n4 4 0 4 0 1 1\n5 4 0 30 0 1 4\n"
                        "6 3 4 0 0 1 1\n7 3 20 0 0 0.5 6\n",
}


@pytest.mark.parametrize("case", list(SYNTHETIC))
def test_synthetic_import3d_cases_match_neuron(tmp_path, case):
    p = tmp_path / f"{case}.swc"
    p.write_text(SYNTHETIC[case])
    m = Morphology.from_swc(p)
    cell, secs = nrn_from_swc(p)
    check_import(m, secs)
    compare(m, secs, dict(nseg=3))
    del cell
