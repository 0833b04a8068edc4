"""discretize: node structure and closed-form areas, axial conductances, nseg rules.

Tolerances: the geometries below are exactly representable in float32 (NEURON's 3-D point precision,
which discretize replays), so the only error is double round-off in a handful of operations: 1e-12.
"""

import math
import tracemalloc

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.morphologies import path as shipped
from excitable.model.discretize import discretize
from excitable.model.morphology import Morphology, Section
from excitable.model.segment_counts import lambda_f_um, nseg_d_lambda, nseg_dx

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


# ---- the vectorized discretize against the per-section algorithm it replaced --------------------
# discretize handles all sections at once (sorts and bincounts) so that 1e5-section trees take
# seconds, not minutes. The per-section code it replaced (as of commit 960a12c, loops and all) is kept
# here as the reference: every array must be equal bit for bit (tolerance 0: the same operations on
# the same numbers in the same order), on the shipped cells and on random trees.

def _old_geometry(points, float32):
    if float32:
        p = points.astype(np.float32)
        t = np.diff(p[:, :3], axis=0).astype(np.float64)
        xyz, d = p[:, :3].astype(np.float64), p[:, 3].astype(np.float64)
    else:
        t = np.diff(points[:, :3], axis=0)
        xyz, d = points[:, :3], points[:, 3]
    step = np.sqrt(t[:, 0] * t[:, 0] + t[:, 1] * t[:, 1] + t[:, 2] * t[:, 2])
    return np.concatenate([[0.0], np.cumsum(step)]), d, xyz


def _old_integrate(arc, d, nseg, ra):
    m, ds = len(arc), arc[-1] / nseg
    mid = np.arange(nseg, dtype=float) * ds + ds / 2.0
    ends = np.empty(2 * nseg)
    ends[0::2], ends[1::2] = mid, mid + ds / 2.0
    j = np.clip(np.searchsorted(arc, ends, side="right") - 1, 0, m - 2)
    gap = arc[j + 1] - arc[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(np.abs(gap) < 1e-10, 1.0, (ends - arc[j]) / gap)
    y_end = (1.0 - frac) * d[j] + frac * d[j + 1]
    pos, dia = np.insert(arc, j + 1, ends), np.insert(d, j + 1, y_end)
    is_end = np.insert(np.zeros(m, dtype=bool), j + 1, True)
    last = int(np.flatnonzero(is_end)[-1])
    pos, dia, is_end = pos[: last + 1], dia[: last + 1], is_end[: last + 1]
    half = np.cumsum(is_end)[:-1]
    x1, x2, y1, y2 = pos[:-1], pos[1:], dia[:-1], dia[1:]
    delta = x2 - x1
    dsum = (y2 + y1) * delta
    delta = np.where(delta < 1e-15, 1e-15, delta)
    temp = y2 * y1 / delta
    rpiece = 1.0 / np.where(temp == 0, 1e-15, temp)
    apiece = (y2 + y1) * np.sqrt(delta * delta + (0.5 * (y2 - y1)) ** 2)
    area = np.bincount(half // 2, apiece, minlength=nseg) * 0.5 * math.pi
    diam = np.bincount(half // 2, dsum, minlength=nseg) * (0.5 / ds)
    r = np.bincount(half, rpiece, minlength=2 * nseg) * ra / math.pi * (4.0 * 0.01)
    return area, diam, r[0::2], r[1::2]


def _old_discretize(morph, *, nseg=1, dx_um=None, d_lambda=None, ra_ohm_cm=35.4, cm_uF_cm2=1.0,
                    frequency_hz=100.0, float32_points=True):
    secs, ns = morph.sections, len(morph.sections)
    ra, cm = np.broadcast_to(np.asarray(ra_ohm_cm, float), ns), np.broadcast_to(np.asarray(cm_uF_cm2, float), ns)
    geo = [_old_geometry(s.points, float32_points) for s in secs]
    if dx_um is not None:
        counts = np.array([nseg_dx(g[0][-1], dx_um) for g in geo], dtype=int)
    elif d_lambda is not None:
        counts = np.array([nseg_d_lambda(g[0][-1], lambda_f_um(g[0], g[1], frequency_hz, ra[i], cm[i]),
                                         d_lambda) for i, g in enumerate(geo)], dtype=int)
    else:
        counts = np.broadcast_to(np.asarray(nseg, dtype=int), ns).copy()
    rows, first, end, start = [], np.zeros(ns, int), np.zeros(ns, int), np.full(ns, -1, int)
    for i, s in enumerate(secs):
        arc, d, _ = geo[i]
        L, n = float(arc[-1]), int(counts[i])
        seg_area, seg_diam, rleft, rright = _old_integrate(arc, d, n, ra[i])
        if s.parent is None:
            start[i] = len(rows)
            rows.append((-1, 0.0, math.inf, i, 0.0, 0.5 * L, d[0]))
            dist = lambda x: abs(x - 0.5) * L  # noqa: E731
        else:
            p, px = s.parent, s.parent_x
            start[i] = end[p] if px == 1.0 else start[p] if px == 0.0 else \
                first[p] + min(int(px * counts[p]), counts[p] - 1)
            dist = lambda x, d0=rows[start[i]][5]: d0 + x * L  # noqa: E731
        first[i] = len(rows)
        for k in range(n):
            xk = (k + 0.5) / n
            rk = rleft[0] if k == 0 else rright[k - 1] + rleft[k]
            rows.append((start[i] if k == 0 else len(rows) - 1, seg_area[k], rk, i, xk, dist(xk),
                         seg_diam[k]))
        end[i] = len(rows)
        rows.append((len(rows) - 1, 0.0, rright[n - 1], i, 1.0, dist(1.0), d[-1]))
    tab = np.array(rows, dtype=float)
    par = tab[:, 0].astype(int)
    degree = np.bincount(par[par >= 0], minlength=len(par)) + (par >= 0)
    is_end = np.zeros(len(par), dtype=bool)
    is_end[end], is_end[start[0]] = True, True
    keep = ~(is_end & (degree <= 1))
    new = np.cumsum(keep) - 1
    remap = lambda a: np.where((a >= 0) & keep[np.maximum(a, 0)], new[np.maximum(a, 0)], -1)  # noqa: E731
    parent, tab = remap(par[keep]), tab[keep]
    sec_arr, x = tab[:, 3].astype(int), tab[:, 4]
    xyz = np.empty((len(tab), 3))
    for i in range(ns):
        arc, _, pts = geo[i]
        on = sec_arr == i
        xyz[on] = np.column_stack([np.interp(x[on] * arc[-1], arc, pts[:, q]) for q in range(3)])
    return dict(parent=parent, area_um2=tab[:, 1], g_axial_nS=np.where(parent >= 0, 1e3 / tab[:, 2], 0.0),
                section=sec_arr, x=x, region=np.array([secs[k].region for k in sec_arr], dtype=object),
                distance_um=tab[:, 5], xyz_um=xyz, diam_um=tab[:, 6], nseg=counts,
                first_node=remap(first), end_node=remap(end), start_node=remap(start),
                length_um=np.array([g[0][-1] for g in geo]))


def random_swc(rng, n: int, duplicate: float = 0.02) -> str:
    """A random tree of ``n`` SWC points: somas of 1, 3 or several points, neurites of SWC types 2, 3, 4,
    7 and -2 branching anywhere (mostly continuing the previous point), 1-5 um steps, radii 0.2-2 um,
    some points repeating their parent's position (one-point and zero-length sections to remove)."""
    nsoma = int(rng.choice([1, 3, 4]))
    xyz, typ, lines = np.zeros((n, 3)), [1] * n, []
    for i in range(n):
        if i < nsoma:
            p, r = (-1 if i == 0 else 0 if nsoma == 3 else i - 1), 5.0
            step = [0, 5.0 * (1 if i == 1 else -1), 0] if nsoma == 3 else rng.normal(size=3) * 2
        else:
            p = i - 1 if rng.random() < 0.7 else int(rng.integers(0, i))
            typ[i] = typ[p] if typ[p] != 1 and rng.random() < 0.8 else int(rng.choice([2, 3, 4, 7, -2]))
            r = rng.uniform(0.2, 2.0)
            step = 0.0 if rng.random() < duplicate else rng.uniform(1, 5) * rng.normal(size=3) / 1.8
        if i:
            xyz[i] = xyz[p] + step
        lines.append(f"{i + 1} {typ[i]} {xyz[i, 0]:.3f} {xyz[i, 1]:.3f} {xyz[i, 2]:.3f} {r:.3f} "
                     f"{p + 1 if p >= 0 else -1}")
    return "\n".join(lines) + "\n"


RULES = [dict(), dict(nseg=3), dict(dx_um=5.0), dict(dx_um=40.0), dict(d_lambda=0.1),
         dict(d_lambda=0.3, float32_points=False, frequency_hz=37.0)]


def _assert_same(c, ref):
    for name, want in ref.items():
        got = getattr(c, name)
        assert got.shape == want.shape and got.dtype.kind == want.dtype.kind, name
        assert np.array_equal(got, want), f"{name}: {np.flatnonzero(got != want)[:5]}"


@pytest.mark.parametrize("name", ["ca1-pyramidal", "purkinje", "allen-scnn1a", "simple"])
def test_shipped_cells_give_the_per_section_algorithms_numbers_bit_for_bit(name):
    m = Morphology.from_swc(shipped(name))
    ra = np.linspace(30.0, 200.0, len(m.sections))
    for rule in RULES + [dict(dx_um=5.0, ra_ohm_cm=ra, cm_uF_cm2=ra / 100.0)]:
        _assert_same(discretize(m, **rule), _old_discretize(m, **rule))


def test_random_trees_give_the_per_section_algorithms_numbers_bit_for_bit(tmp_path):
    rng = np.random.default_rng(20261206)
    tried = 0
    for k in range(25):
        p = tmp_path / f"t{k}.swc"
        p.write_text(random_swc(rng, int(rng.integers(2, 300))))
        try:
            m = Morphology.from_swc(p)
        except ModelError as e:  # a removed section left another one of length 0
            assert "length must be > 0" in str(e)
            continue
        tried += 1
        cm = rng.uniform(0.0, 2.0, len(m.sections))
        for rule in RULES + [dict(d_lambda=0.1, cm_uF_cm2=cm)]:
            _assert_same(discretize(m, **rule), _old_discretize(m, **rule))
    assert tried >= 15


# ---- bounded work: the compartments are counted before anything per compartment exists --------

def _long_axon(length_um=1e6):
    b = Morphology.builder()
    b.add("soma", length=20, diameter=20)
    b.add("axon", length=length_um, diameter=1, parent="soma")
    return b.build()


@pytest.mark.parametrize("rule, shown", [
    (dict(dx_um=1e-3), "dx_um=0.001 needs 1e+09 compartments"),
    (dict(d_lambda=1e-7), "d_lambda=1e-07 needs"),
    (dict(nseg=10**30), "nseg=1000000000000000000000000000000 needs 2e+30 compartments"),
    (dict(nseg=[1, 3_000_000]), "nseg per section needs 3e+06 compartments"),
])
def test_too_many_compartments_are_refused_before_allocating(rule, shown):
    tracemalloc.start()
    try:
        with pytest.raises(ModelError) as e:
            discretize(_long_axon(), **rule)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("the morphology (2 sections) discretized with ")
    assert shown in msg and "over the limit of 2e+06 compartments" in msg
    assert "EXCITABLE_MAX_COMPARTMENTS" in msg
    assert peak < 4e6  # bytes; the smallest refusal above (3e6 compartments) would take ~1 GB


def test_compartment_limit_counts_the_nodes_it_will_make(monkeypatch):
    m = Morphology.ball_and_stick(dendrite_length=300)
    n = discretize(m, dx_um=10).n
    assert n == 3 + 101 + 31 + 2  # segments, and the soma's two junction ends
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", str(n - 1))
    with pytest.raises(ModelError, match=f"over the limit of {n - 1} compartments"):
        discretize(m, dx_um=10)
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", str(n + 3 * len(m.sections) + 1))
    assert discretize(m, dx_um=10).n == n  # the estimate is within a few nodes per section
    monkeypatch.setenv("EXCITABLE_LIMITS", "off")  # no limit, but still no int64 overflow
    with pytest.raises(ModelError, match="needs 1e\\+30 compartments, more than any machine holds"):
        discretize(m, nseg=[1, 10**30, 1])


def test_points_too_far_apart_for_a_double_are_refused_where_the_section_is_built():
    with pytest.raises(ModelError) as e:
        Section("axon", "axon", [[0, 0, 0, 1], [1e300, 1e300, 0, 1]])
    assert str(e.value) == "axon length must be finite, got inf um (points too far apart)"
