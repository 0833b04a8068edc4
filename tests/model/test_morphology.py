"""Morphology and Section: constructors, closed-form lengths, validation on entry."""

import math

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.model.morphology import Morphology, Section, region_of


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_cylinder_is_one_root_section_of_given_size():
    m = Morphology.cylinder(length=30.0, diameter=4.0)
    assert len(m) == 1 and m.sections[0].parent is None
    s = m.sections[0]
    assert s.name == "soma" and s.region == "soma" and m.regions == {"soma"}
    assert s.length_um == pytest.approx(30.0, rel=1e-15)
    np.testing.assert_array_equal(s.points[:, 3], [4.0, 4.0])


def test_length_is_the_sum_of_3d_point_distances():
    # a 3-4-5 step, 12 along z, then a 5-12-13 step: L = 5 + 12 + 13 exactly.
    pts = [[0, 0, 0, 1], [3, 4, 0, 1], [3, 4, 12, 2], [3 + 5, 4 + 12, 12, 2.5]]
    s = Section("dend[0]", "basal", pts)
    assert s.length_um == pytest.approx(5 + 12 + 13, rel=1e-15)
    np.testing.assert_allclose(s.arc_um, [0, 5, 17, 30], rtol=1e-15)


def test_ball_and_stick_topology():
    m = Morphology.ball_and_stick(soma_diameter=20, axon_length=1000, axon_diameter=1,
                                  dendrite_length=300, dendrite_diameter=2)
    assert m.names == ("soma", "axon", "dend")
    soma, axon, dend = m.sections
    assert soma.length_um == pytest.approx(20.0) and axon.length_um == pytest.approx(1000.0)
    assert (axon.parent, axon.parent_x) == (0, 1.0) and (dend.parent, dend.parent_x) == (0, 0.0)
    assert m.regions == {"soma", "axon", "basal"}
    # children start where they attach: axon at soma(1), dendrite at soma(0)
    np.testing.assert_allclose(axon.points[0, :3], soma.points[-1, :3])
    np.testing.assert_allclose(dend.points[0, :3], soma.points[0, :3])
    assert Morphology.ball_and_stick().names == ("soma", "axon")


def test_builder_makes_a_branched_cell_in_a_few_lines():
    b = Morphology.builder()
    b.add("soma", length=20, diameter=20)
    b.add("axon", length=500, diameter=1, parent="soma", x=1)
    b.add("dend[0]", length=200, diameter=(3, 1), parent="soma", x=0)
    b.add("dend[1]", length=100, diameter=1, parent="dend[0]")
    b.add("apic[0]", length=100, diameter=1, parent=0, x=0.5, direction=(0, 1, 0))
    m = b.build()
    assert m.regions == {"soma", "axon", "basal", "apical"}
    assert [s.parent for s in m.sections] == [None, 0, 0, 2, 0]
    np.testing.assert_allclose(m.sections[2].points[:, 3], [3, 1])
    np.testing.assert_allclose(m.sections[4].points[1, :3] - m.sections[4].points[0, :3], [0, 100, 0])
    assert m.index("dend[1]") == 3 and m.children(0) == [1, 2, 4]
    assert "5 sections" in repr(m) and "basal 2" in repr(m)
    assert "dend[1]" in repr(m.sections[3])


def test_region_of_names():
    assert [region_of(n) for n in ("soma", "axon[2]", "dend[0]", "apic[3]", "spine[1]")] == \
        ["soma", "axon", "basal", "apical", "spine"]


def test_points_are_copied_and_read_only():
    pts = np.array([[0, 0, 0, 1.0], [10, 0, 0, 1.0]])
    s = Section("soma", "soma", pts)
    pts[1, 0] = 99
    assert s.length_um == 10.0
    with pytest.raises(ValueError):
        s.points[0, 0] = 1.0


@pytest.mark.parametrize("points, field", [
    ([[0, 0, 0, -1.0], [10, 0, 0, 1.0]], "points[0] diameter must be > 0, got -1.0"),
    ([[0, 0, 0, 1.0], [10, 0, 0, 0.0]], "points[1] diameter must be > 0, got 0.0"),
    ([[0, 0, 0, 1.0], [math.nan, 0, 0, 1.0]], "points[1] x must be finite, got nan"),
    ([[0, 0, 0, 1.0], [10, math.inf, 0, 1.0]], "points[1] y must be finite"),
    ([[0, 0, 0, 1.0]], "must have shape (n >= 2, 4)"),
    ([[0, 0, 0], [1, 0, 0]], "must have shape (n >= 2, 4)"),
    ([[0, 0, 0, 1.0], [0, 0, 0, 2.0]], "length must be > 0"),
    ([["a", 0, 0, 1.0], [0, 0, 0, 2.0]], "points must be numbers"),
])
def test_bad_points_raise_one_line_naming_the_field(points, field):
    with pytest.raises(ModelError) as e:
        Section("dend[0]", "basal", points)
    msg = _one_line(e)
    assert msg.startswith("dend[0]") and field in msg


@pytest.mark.parametrize("kwargs, text", [
    (dict(parent_x=1.5), "parent_x must be in [0, 1], got 1.5"),
    (dict(parent_x=math.nan), "parent_x must be finite"),
    (dict(parent=-1), "parent must be a section index"),
    (dict(parent=True), "parent must be a section index"),
    (dict(name="my dend"), "section name must be a non-empty string"),
    (dict(region=""), "region must be a non-empty string"),
])
def test_bad_section_fields(kwargs, text):
    args = dict(name="d", region="basal", points=[[0, 0, 0, 1], [5, 0, 0, 1]])
    args.update(kwargs)
    with pytest.raises(ModelError) as e:
        Section(**args)
    assert text in _one_line(e)


def test_builder_validates_lengths_diameters_and_parents():
    b = Morphology.builder()
    with pytest.raises(ModelError, match=r"soma.length must be finite, got nan"):
        b.add("soma", length=math.nan, diameter=10)
    with pytest.raises(ModelError, match=r"soma.length must be > 0, got -5"):
        b.add("soma", length=-5, diameter=10)
    with pytest.raises(ModelError, match=r"soma.diameter must be > 0, got -1"):
        b.add("soma", length=5, diameter=-1)
    with pytest.raises(ModelError, match=r"first section must be the root"):
        b.add("axon", length=5, diameter=1, parent="soma")
    b.add("soma", length=10, diameter=10)
    with pytest.raises(ModelError, match=r"axon.parent 'nope' is not an existing section"):
        b.add("axon", length=5, diameter=1, parent="nope")
    with pytest.raises(ModelError, match=r"already used"):
        b.add("soma", length=5, diameter=1, parent="soma")
    with pytest.raises(ModelError, match=r"axon.direction must be a nonzero 3-vector"):
        b.add("axon", length=5, diameter=1, parent="soma", direction=(0, 0, 0))
    with pytest.raises(ModelError, match=r"dendrite_length must be finite"):
        Morphology.ball_and_stick(dendrite_length=math.nan)


def test_morphology_validates_tree_and_names():
    pts = [[0, 0, 0, 1], [5, 0, 0, 1]]
    root = Section("soma", "soma", pts)
    with pytest.raises(ModelError, match="must not be empty"):
        Morphology(())
    with pytest.raises(ModelError, match=r"sections\[0\] \(a\) must be the root"):
        Morphology((Section("a", "basal", pts, parent=0),))
    with pytest.raises(ModelError, match=r"b.parent must be the index of an earlier section \(< 1\), got 1"):
        Morphology((root, Section("b", "basal", pts, parent=1)))
    with pytest.raises(ModelError, match="names must be unique, got 'soma'"):
        Morphology((root, Section("soma", "soma", pts, parent=0)))
    with pytest.raises(ModelError, match="must be a Section"):
        Morphology((root, "axon"))
    with pytest.raises(ModelError, match="'x' not found"):
        Morphology((root,)).index("x")


def test_from_swc_takes_what_cell_from_swc_takes_and_gives_its_morphology():
    from excitable.io.morphologies import path as shipped
    from excitable.model.cell import Cell

    for value in ("simple", shipped("simple"), str(shipped("simple"))):  # a shipped name, a Path, a str
        m, c = Morphology.from_swc(value), Cell.from_swc(value, nseg=1).morphology
        assert m.names == c.names and m.source == c.source == "simple.swc"
        assert all(np.array_equal(s.points, t.points) for s, t in zip(m.sections, c.sections))
    for bad, text in [(123, "path must be a path to an SWC file or the name of a shipped cell"),
                      ("purkinje.swc", "path: no such file 'purkinje.swc', and not a shipped cell")]:
        with pytest.raises(ModelError) as e:
            Morphology.from_swc(bad)
        assert _one_line(e).startswith(text)
        with pytest.raises(ModelError) as e_cell:
            Cell.from_swc(bad)
        assert str(e_cell.value) == str(e.value)
