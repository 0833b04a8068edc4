"""discretize: node structure and closed-form areas, axial conductances, nseg rules.

Tolerances: the geometries below are exactly representable in float32 (NEURON's 3-D point precision,
which discretize replays), so the only error is double round-off in a handful of operations: 1e-12.
"""

import math

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.model.discretize import discretize, lambda_f_um, nseg_d_lambda, nseg_dx
from excitable.model.morphology import Morphology, Section

RTOL = 1e-12
RA = 35.4  # ohm cm


def r_cyl_MOhm(ra_ohm_cm, length_um, diam_um):
    """4 Ra L / (pi d^2), computed in SI units and returned in MOhm."""
    ohm = 4 * (ra_ohm_cm * 1e-2) * (length_um * 1e-6) / (math.pi * (diam_um * 1e-6) ** 2)
    return ohm / 1e6


def g_nS(r_MOhm):
    return 1e9 / (r_MOhm * 1e6)


def test_single_cylinder_is_one_node_with_area_pi_d_L():
    c = discretize(Morphology.cylinder(length=20, diameter=20))
    assert c.n == 1 and c.parent.tolist() == [-1] and c.g_axial_nS.tolist() == [0.0]
    assert c.area_um2[0] == pytest.approx(math.pi * 20 * 20, rel=RTOL)
    assert c.x.tolist() == [0.5] and c.section.tolist() == [0] and c.region.tolist() == ["soma"]
    assert "N=1" in repr(c)


def test_cylinder_segments_and_axial_conductance_closed_form():
    m = Morphology.cylinder(length=1000, diameter=1, region="axon")
    c = discretize(m, nseg=5, ra_ohm_cm=RA)
    assert c.n == 5 and c.parent.tolist() == [-1, 0, 1, 2, 3]
    np.testing.assert_allclose(c.area_um2, math.pi * 1 * 200, rtol=RTOL)
    np.testing.assert_allclose(c.g_axial_nS[1:], g_nS(r_cyl_MOhm(RA, 200, 1)), rtol=RTOL)
    np.testing.assert_allclose(c.x, [0.1, 0.3, 0.5, 0.7, 0.9], rtol=RTOL)
    np.testing.assert_allclose(c.xyz_um[:, 0], [-400, -200, 0, 200, 400], atol=1e-9)
    np.testing.assert_allclose(c.distance_um, [400, 200, 0, 200, 400], atol=1e-9)


def test_ball_and_stick_junction_node_and_half_segment_resistances():
    m = Morphology.ball_and_stick(soma_diameter=20, axon_length=1000, axon_diameter=1)
    c = discretize(m, nseg=[1, 4], ra_ohm_cm=RA)
    # soma centre (root; soma 0-end dropped), soma 1-end junction, 4 axon centres (axon 1-end dropped)
    assert c.n == 6 and c.parent.tolist() == [-1, 0, 1, 2, 3, 4]
    assert c.area_um2[1] == 0.0 and c.x[1] == 1.0 and c.section[1] == 0
    np.testing.assert_allclose(c.area_um2[[0, 2]], [math.pi * 400, math.pi * 250], rtol=RTOL)
    np.testing.assert_allclose(c.g_axial_nS[1], g_nS(r_cyl_MOhm(RA, 10, 20)), rtol=RTOL)
    np.testing.assert_allclose(c.g_axial_nS[2], g_nS(r_cyl_MOhm(RA, 125, 1)), rtol=RTOL)
    np.testing.assert_allclose(c.g_axial_nS[3:], g_nS(r_cyl_MOhm(RA, 250, 1)), rtol=RTOL)
    np.testing.assert_allclose(c.distance_um, [0, 10, 135, 385, 635, 885], rtol=RTOL)
    assert c.total_area_um2 == pytest.approx(math.pi * (400 + 1000), rel=RTOL)


def test_child_at_middle_of_odd_nseg_parent_hangs_from_the_centre_node():
    b = Morphology.builder()
    b.add("soma", length=20, diameter=20)
    b.add("dend", length=100, diameter=2, parent="soma", x=0.5)
    c = discretize(b.build(), nseg=[3, 1])
    assert c.n == 4 and c.parent.tolist() == [-1, 0, 1, 1]  # no junction nodes at all
    c2 = discretize(b.build(), nseg=[2, 1])  # parent(0.5) with nseg 2 -> segment floor(0.5*2) = 1
    assert c2.parent.tolist() == [-1, 0, 1] and c2.x[1] == 0.75


def test_frustum_area_and_resistance_closed_form():
    d0, d1, L = 4.0, 1.0, 32.0
    b = Morphology.builder()
    b.add("soma", length=10, diameter=10)
    b.add("cone", points=[[5, 0, 0, d0], [5 + L, 0, 0, d1]], parent="soma", region="basal")
    m = b.build()
    d = lambda s: d0 + (d1 - d0) * s / L  # noqa: E731
    frustum = lambda a, b_, l_: math.pi * (a + b_) / 2 * math.sqrt(l_ ** 2 + ((b_ - a) / 2) ** 2)  # noqa
    r = lambda s1, s2: 4 * RA * 1e-2 * (s2 - s1) / (math.pi * d(s1) * d(s2))  # MOhm, exact integral
    c = discretize(m, nseg=[1, 1], ra_ohm_cm=RA)
    cone = c.index("cone", 0.5)
    assert c.area_um2[cone] == pytest.approx(frustum(d0, d1, L), rel=RTOL)
    assert c.diam_um[cone] == pytest.approx((d0 + d1) / 2, rel=RTOL)
    assert 1e3 / c.g_axial_nS[cone] == pytest.approx(r(0, L / 2), rel=RTOL)
    c = discretize(m, nseg=[1, 2], ra_ohm_cm=RA)
    i0, i1 = c.index("cone", 0.25), c.index("cone", 0.75)
    assert c.area_um2[i0] == pytest.approx(frustum(d0, d(L / 2), L / 2), rel=RTOL)
    assert c.area_um2[i1] == pytest.approx(frustum(d(L / 2), d1, L / 2), rel=RTOL)
    assert 1e3 / c.g_axial_nS[i1] == pytest.approx(r(L / 4, 3 * L / 4), rel=RTOL)


def test_diameter_step_at_coincident_points_adds_the_annulus():
    pts = [[0, 0, 0, 2], [10, 0, 0, 2], [10, 0, 0, 6], [20, 0, 0, 6]]
    c = discretize(Morphology((Section("d", "basal", pts),)))
    # two cylinders (pi d L) plus the annulus pi (3^2 - 1^2), as NEURON's zero-length frustum
    assert c.area_um2[0] == pytest.approx(math.pi * (2 * 10 + 6 * 10 + 8), rel=RTOL)


def test_per_section_ra_scales_resistance():
    m = Morphology.ball_and_stick(axon_length=100, axon_diameter=2)
    g1 = discretize(m, ra_ohm_cm=[100.0, 100.0]).g_axial_nS
    g2 = discretize(m, ra_ohm_cm=[100.0, 300.0]).g_axial_nS
    assert g1[1] == g2[1] and g2[2] == pytest.approx(g1[2] / 3, rel=RTOL)


def test_nseg_rules():
    assert [nseg_dx(L, 10) for L in (100, 95, 90, 10, 5, 101)] == [11, 11, 9, 1, 1, 11]
    # NEURON's lambda_f for a uniform cylinder is the AC length constant 1e5 sqrt(d/(4 pi f Ra cm)) um
    lam = 1e5 * math.sqrt(1.0 / (4 * math.pi * 100 * RA * 1.0))
    arc, d = np.array([0.0, 1000.0]), np.array([1.0, 1.0])
    assert lambda_f_um(arc, d, 100.0, RA, 1.0) == pytest.approx(lam, rel=1e-13)
    assert nseg_d_lambda(1000.0, lam, 0.1) == int((1000 / (0.1 * lam) + 0.9) / 2) * 2 + 1 == 21
    m = Morphology.ball_and_stick(axon_length=1000, axon_diameter=1)
    assert discretize(m, d_lambda=0.1, ra_ohm_cm=RA).nseg.tolist() == [1, 21]
    assert discretize(m, dx_um=30).nseg.tolist() == [1, 35]
    assert discretize(m).nseg.tolist() == [1, 1]
    assert discretize(m, nseg=[3, 7]).nseg.tolist() == [3, 7]


def test_index_like_neuron_sec_x():
    m = Morphology.ball_and_stick(dendrite_length=100)
    c = discretize(m, nseg=[3, 4, 1])
    soma, axon = c.first_node[0], c.first_node[1]
    assert c.index("soma") == soma + 1 and c.index(0, 0.1) == soma
    assert c.index("axon", 0.5) == axon + 2 and c.index("axon", 0.25) == axon + 1
    assert c.index("axon", 1.0) == axon + 3  # 1-end dropped -> last segment
    assert c.index("axon", 0.0) == c.end_node[0]  # a child's 0-end is its parent's node
    assert c.index("soma", 0.0) == c.start_node[0] >= 0  # root 0-end kept: dend hangs there
    assert c.area_um2[c.index("soma", 0.0)] == 0.0
    with pytest.raises(ModelError, match=r"x must be in \[0, 1\], got 1.5"):
        c.index("axon", 1.5)
    with pytest.raises(ModelError, match="section 'nope' not found"):
        c.index("nope")


def test_arrays_are_topological_and_read_only():
    b = Morphology.builder()
    b.add("soma", length=15, diameter=12)
    for k, x in enumerate((0.0, 0.3, 0.5, 1.0)):
        b.add(f"dend[{k}]", length=50, diameter=1, parent="soma", x=x)
    b.add("dend[4]", length=20, diameter=1, parent="dend[3]", x=0.0)
    c = discretize(b.build(), nseg=3)
    assert (c.parent < np.arange(c.n)).all()
    with pytest.raises(ValueError):
        c.area_um2[0] = 1.0


def test_float32_points_match_exact_geometry_to_single_precision():
    pts = [[0.1, 0.2, 0.3, 1.1], [7.7, 3.3, 1.9, 0.7], [25.3, -2.1, 4.4, 0.35]]
    m = Morphology((Section("d", "basal", pts),))
    a32 = discretize(m, nseg=3).area_um2
    a64 = discretize(m, nseg=3, float32_points=False).area_um2
    np.testing.assert_allclose(a32, a64, rtol=1e-6)  # float32 has 24 bits: ~6e-8 per value


@pytest.mark.parametrize("kwargs, text", [
    (dict(nseg=3, dx_um=10), "give only one of nseg, dx_um, d_lambda"),
    (dict(nseg=0), "nseg must be an integer >= 1, got 0"),
    (dict(nseg=2.5), "nseg must be an integer >= 1, got 2.5"),
    (dict(nseg=True), "nseg must be an integer >= 1, got True"),
    (dict(nseg=[1, 2, 3]), "nseg must be a number or one value per section (2), got 3"),
    (dict(nseg=[1, -2]), "nseg[1] must be an integer >= 1, got -2"),
    (dict(dx_um=math.nan), "dx_um must be finite, got nan"),
    (dict(dx_um=0), "dx_um must be > 0, got 0"),
    (dict(d_lambda=-0.1), "d_lambda must be > 0, got -0.1"),
    (dict(d_lambda=0.1, frequency_hz=0), "frequency_hz must be > 0, got 0"),
    (dict(ra_ohm_cm=-35.4), "ra_ohm_cm must be > 0, got -35.4"),
    (dict(ra_ohm_cm=[35.4, "x"]), "ra_ohm_cm[1] must be a number, got 'x'"),
    (dict(cm_uF_cm2=-1.0), "cm_uF_cm2 must be >= 0, got -1.0"),
])
def test_bad_arguments_raise_one_line(kwargs, text):
    with pytest.raises(ModelError) as e:
        discretize(Morphology.ball_and_stick(), **kwargs)
    assert text in str(e.value) and "\n" not in str(e.value)


def test_not_a_morphology():
    with pytest.raises(ModelError, match="morph must be a Morphology, got str"):
        discretize("cell.swc")
