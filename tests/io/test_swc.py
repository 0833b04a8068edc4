"""SWC reading: Import3d soma conventions on small hand-checked files, and malformed files.

The real files are compared with NEURON's own Import3d in tests/reference/test_neuron_geometry.py;
here each convention is checked against the geometry worked out by hand (tolerance: round-off, 1e-12).
"""

import ast
import math
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import excitable.io
from excitable.errors import ModelError
from excitable.io.import3d import SwcSections, read_swc_sections
from excitable.io.morphologies import path as shipped
from excitable.io.swc import read_swc_table
from excitable.model.discretize import discretize
from excitable.model.morphology import Morphology


def write(tmp_path, text, name="cell.swc"):
    p = tmp_path / name
    p.write_text(text)
    return p


def sec(m, name):
    return m.sections[m.index(name)]


def test_one_point_soma_is_a_cylinder_of_length_diameter_and_neurites_hang_at_its_middle(tmp_path):
    p = write(tmp_path, """# one-point soma
1 1 10 20 30 5 -1
2 3 10 26 30 1 1
3 3 10 36 30 1 2
4 2 10 14 30 0.5 1
5 2 10 4 30 0.5 4
""")
    m = Morphology.from_swc(p)
    assert m.names == ("soma", "dend[0]", "axon[0]")
    soma = m.sections[0]
    np.testing.assert_allclose(soma.points, [[5, 20, 30, 10], [10, 20, 30, 10], [15, 20, 30, 10]])
    assert soma.length_um == pytest.approx(10.0)  # pi d L = 4 pi r^2: the sphere's area
    dend, axon = m.sections[1], m.sections[2]
    assert (dend.parent, dend.parent_x, axon.parent_x) == (0, 0.5, 0.5)
    # the soma point is not copied ("wire"): the dendrite starts at its own first point
    np.testing.assert_allclose(dend.points, [[10, 26, 30, 2], [10, 36, 30, 2]])
    assert (dend.region, axon.region) == ("basal", "axon")


def test_neuromorpho_three_point_soma_is_one_cylinder(tmp_path):
    p = write(tmp_path, """1 1 0 0 0 4 -1
2 1 0 -4 0 4 1
3 1 0 4 0 4 1
4 4 0 4 0 1 1
5 4 0 30 0 1 4
""")
    m = Morphology.from_swc(p)
    soma = m.sections[0]
    np.testing.assert_allclose(soma.points, [[-4, 0, 0, 8], [0, 0, 0, 8], [4, 0, 0, 8]])
    apic = sec(m, "apic[0]")
    assert (apic.parent, apic.parent_x) == (0, 0.5)
    np.testing.assert_allclose(apic.points[:, :3], [[0, 4, 0], [0, 30, 0]])


def test_multi_point_soma_attachments_first_interior_last(tmp_path):
    # soma chain 1-2-3-4; dendrites from point 1 (first), 2 (interior) and 4 (last)
    p = write(tmp_path, """1 1 0 0 0 5 -1
2 1 0 2 0 6 1
3 1 0 4 0 6 2
4 1 0 6 0 5 3
5 3 5 0 0 1 1
6 3 9 0 0 1 5
7 3 -5 2 0 1 2
8 3 -9 2 0 1 7
9 4 0 9 0 2 4
10 4 0 20 0 1 9
""")
    m = Morphology.from_swc(p)
    assert m.names == ("soma", "dend[0]", "dend[1]", "apic[0]")
    soma = m.sections[0]
    np.testing.assert_allclose(soma.points[:, :3], [[0, 0, 0], [0, 2, 0], [0, 4, 0], [0, 6, 0]])
    assert soma.length_um == pytest.approx(6.0)
    d0, d1, a0 = m.sections[1:]
    assert (d0.parent_x, d1.parent_x, a0.parent_x) == (0.0, 0.5, 1.0)
    # a neurite hanging from the soma starts with a copy of the soma point, with its own diameter
    np.testing.assert_allclose(d0.points, [[0, 0, 0, 2], [5, 0, 0, 2], [9, 0, 0, 2]])
    np.testing.assert_allclose(a0.points, [[0, 6, 0, 4], [0, 9, 0, 4], [0, 20, 0, 2]])
    # the interior one is attached by a wire: its own points only
    np.testing.assert_allclose(d1.points[:, :3], [[-5, 2, 0], [-9, 2, 0]])


def test_sections_split_at_branch_points_and_type_changes(tmp_path):
    p = write(tmp_path, """1 1 0 0 0 3 -1
2 3 0 5 0 1 1
3 3 0 10 0 1 2
4 3 -5 15 0 0.5 3
5 3 5 15 0 0.5 3
6 2 5 20 0 0.25 5
7 5 5 30 0 0.25 6
""")
    m = Morphology.from_swc(p)
    assert m.names == ("soma", "dend[0]", "dend[1]", "dend[2]", "axon[0]", "dend_5[0]")
    parents = [(s.parent, s.parent_x) for s in m.sections[1:]]
    assert parents == [(0, 0.5), (1, 1.0), (1, 1.0), (3, 1.0), (4, 1.0)]
    np.testing.assert_allclose(sec(m, "dend[1]").points[0, :3], [0, 10, 0])  # copy of branch point
    assert sec(m, "dend_5[0]").region == "dend_5"


def test_simple_swc_by_hand():
    m = Morphology.from_swc(shipped("simple"))
    assert m.names == ("soma", "dend[0]", "dend[1]", "dend[2]", "axon[0]", "axon[1]", "axon[2]")
    assert m.total_length_um == pytest.approx(2 + (5 + 5 + 6) + (4 + 6 + 5), rel=1e-12)
    np.testing.assert_allclose(sec(m, "axon[1]").points, [[0, -4, 0, 2], [6, -4, 0, 4]])


@pytest.mark.parametrize("name, n_sections, regions", [
    ("allen-scnn1a", 123, {"soma", "axon", "basal", "apical"}),
    ("purkinje", 784, {"soma", "basal"}),
    ("ca1-pyramidal", 156, {"soma", "basal", "apical"}),
])
def test_real_files_read(name, n_sections, regions):
    m = Morphology.from_swc(shipped(name))
    assert len(m.sections) == n_sections and m.regions == regions
    t = read_swc_table(shipped(name))
    # every SWC point appears in some section (plus copies of branch points)
    pts = {tuple(np.round(p, 6)) for s in m.sections for p in s.points[:, :3]}
    soma_rows = t["type"] == 1
    assert all(tuple(np.round(p, 6)) in pts for p in t["xyz"][~soma_rows])


ROOT = "1 1 0 0 0 1 -1\n"
CASES = {  # name: (file text, expected message part)
    "too few fields": (ROOT + "2 3 0 5 0\n", "line 2: expected 7 fields"),
    "too many fields": ("1 1 0 0 0 1 -1 7\n", "line 1: expected 7 fields"),
    "non-numeric": (ROOT + "2 3 0 abc 0 1 1\n", "line 2: y must be a number, got 'abc'"),
    "nan": (ROOT + "2 3 0 nan 0 1 1\n", "line 2: y must be finite, got 'nan'"),
    "negative radius": (ROOT + "\n2 3 0 5 0 -1.0 1\n", "line 3: radius must be > 0, got -1.0"),
    "zero radius": ("1 1 0 0 0 0 -1\n", "line 1: radius must be > 0, got 0.0"),
    "missing parent": (ROOT + "2 3 0 5 0 1 7\n", "line 2: parent 7 of point 2 does not exist"),
    "cycle": (ROOT + "2 3 0 5 0 1 3\n3 3 0 9 0 1 2\n", "line 2: parents form a cycle (2 -> 3 -> 2)"),
    "self parent": (ROOT + "2 3 0 5 0 1 2\n", "line 2: parents form a cycle (2 -> 2)"),
    "forward parent": (ROOT + "2 3 0 5 0 1 3\n3 3 0 9 0 1 1\n", "line 2: parent 3 must have a smaller id"),
    "no root": ("1 1 0 0 0 1 2\n2 3 0 5 0 1 1\n", "line 1: no root point"),
    "two roots": (ROOT + "2 3 0 5 0 1 -1\n", "line 2: second root"),
    "duplicate id": (ROOT + "2 3 0 5 0 1 1\n2 3 0 6 0 1 1\n", "line 3: duplicate id 2 (first on line 2)"),
    "fractional id": (ROOT + "2.5 3 0 5 0 1 1\n", "line 2: id must be an integer, got '2.5'"),
    "bad parent": (ROOT + "2 3 0 5 0 1 -3\n", "line 2: parent must be -1 (root) or an id"),
    "empty": ("", "cell.swc: no SWC points (empty file)"),
    "only comments": ("# nothing\n   \n", "cell.swc: no SWC points"),
    "zero-length soma": (ROOT + "2 1 0 0 0 1 1\n3 1 0 0 0 1 2\n", "line 3: soma length must be > 0"),
    # bounds: numbers that would overflow lengths and areas, or ask for absurd work
    "coordinate 1e300": (ROOT + "2 3 1e300 0 0 1 1\n", "line 2: x must be at most 1e+06 um in magnitude, "
                                                         "got '1e300'"),
    "coordinate 1e20": (ROOT + "2 3 0 0 -1e20 1 1\n", "line 2: z must be at most 1e+06 um"),
    "coordinate 1e9": (ROOT + "2 3 1e9 0 0 1 1\n", "line 2: x must be at most 1e+06 um"),  # 5e7 compartments
    "radius 1e20": (ROOT + "2 3 0 5 0 1e20 1\n", "line 2: radius must be at most 1e+06 um"),
    "radius inf": (ROOT + "2 3 0 5 0 inf 1\n", "line 2: radius must be finite, got 'inf'"),
    "coordinate -inf": (ROOT + "2 3 -inf 5 0 1 1\n", "line 2: x must be finite, got '-inf'"),
    "overflowing digits": (ROOT + "2 3 " + "9" * 400 + " 5 0 1 1\n", "line 2: x must be finite, got '999"),
    "huge id": (ROOT + "2000000000000000 3 0 5 0 1 1\n", "line 2: id must be at most 1e+15"),
    "huge type": (ROOT + "2 -1e16 0 5 0 1 1\n", "line 2: type must be at most 1e+15"),
    "huge parent": (ROOT + "2 3 0 5 0 1 1e16\n", "line 2: parent must be at most 1e+15"),
    "earlier line first": (ROOT + "2 3 0 nan 0 1 1\n3 3 0 abc 0 1 2\n", "line 2: y must be finite"),
    "NUL bytes": (ROOT + "2 3 0\x00 5 0 1 1\n", "line 2: x must be a number, got '0\\x00'"),
    "garbage": (ROOT + "\x01\x02 \u2028\x7f\n", "line 2: expected 7 fields"),
    "one long line": ("1 " * 100_000 + "\n", "line 1: expected 7 fields (id type x y z radius parent), "
                                               "got 100000: '1 1 1"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_files_raise_one_line_naming_file_and_line(tmp_path, case):
    text, expected = CASES[case]
    p = write(tmp_path, text)
    with pytest.raises(ModelError) as e:
        Morphology.from_swc(p)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("cell.swc")
    assert expected in msg


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="no such SWC file"):
        read_swc_sections(tmp_path / "nope.swc")


def test_binary_file(tmp_path):
    p = tmp_path / "cell.swc"
    p.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ModelError, match="cannot read SWC file"):
        read_swc_sections(p)


def test_unsorted_ids_and_comments_are_accepted(tmp_path):
    p = write(tmp_path, "# header\n3 3 0 9 0 1 2  # tip\n1 1 0 0 0 1 -1\n2 3 0 5 0 1 1\n")
    m = Morphology.from_swc(p)
    assert m.names == ("soma", "dend[0]")
    assert math.isclose(m.sections[1].length_um, 4.0)  # a wire from the one-point soma


def test_text_that_is_not_utf8_is_named_by_line(tmp_path):
    p = tmp_path / "cell.swc"
    p.write_bytes(ROOT.encode() + b"2 3 0 5 0 1 1\n3 3 0 \xe9 0 1 2\n")
    with pytest.raises(ModelError) as e:
        read_swc_sections(p)
    assert str(e.value) == "cell.swc line 3: cannot read SWC file: byte 0xe9 is not UTF-8 text (a binary file?)"


@pytest.mark.parametrize("path, text", [
    (123, "SWC path must be a str or a path, got int 123"),
    (None, "SWC path must be a str or a path, got NoneType None"),
    (".", "cannot read SWC file (IsADirectoryError"),
])
def test_not_a_file(path, text):
    with pytest.raises(ModelError) as e:
        read_swc_sections(path)
    assert text in str(e.value) and "\n" not in str(e.value)


def test_points_are_bounded_by_the_compartment_limit_while_reading(tmp_path, monkeypatch):
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", "10")
    chain = ROOT + "".join(f"{i} 3 {i} 0 0 1 {i - 1}\n" for i in range(2, 12))  # 11 points, 170 bytes
    with pytest.raises(ModelError) as e:
        read_swc_sections(write(tmp_path, chain))
    assert str(e.value) == ("cell.swc: more than 10 points, over the limit of 10 points "
                            "(set EXCITABLE_MAX_COMPARTMENTS to raise it, or EXCITABLE_LIMITS=off)")
    monkeypatch.setenv("EXCITABLE_MAX_COMPARTMENTS", "11")
    assert len(read_swc_sections(write(tmp_path, chain))) == 2


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    p = tmp_path / "cell.swc"
    p.write_text(ROOT)
    os.truncate(p, 10 * 2**30)  # 10 GiB, sparse: costs nothing unless read
    tracemalloc.start()
    try:
        with pytest.raises(ModelError) as e:
            read_swc_sections(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(e.value) == ("cell.swc: 1.02e+04 MB (at most 100 bytes a point), over the limit of 2e+06 "
                            "points (set EXCITABLE_MAX_COMPARTMENTS to raise it, or EXCITABLE_LIMITS=off)")
    assert peak < 2**20  # bytes: nothing of the file was read


def test_a_long_cycle_is_reported_in_linear_time(tmp_path):
    n = 50_000  # point 2's parent is the last point, each other's the one before: one long cycle
    lines = [ROOT, f"2 3 0 0 0 1 {n}\n"] + [f"{i} 3 {i} 0 0 1 {i - 1}\n" for i in range(3, n + 1)]
    with pytest.raises(ModelError) as e:
        read_swc_sections(write(tmp_path, "".join(lines)))
    assert str(e.value) == f"cell.swc line 2: parents form a cycle (2 -> {n} -> {n - 1} -> {n - 2} -> " \
                           f"{n - 3} -> {n - 4} ...)"


def test_the_compartment_count_of_an_swc_cell_is_checked_naming_the_file(tmp_path):
    p = write(tmp_path, ROOT + "2 3 1e6 0 0 1 1\n")  # a 1-m dendrite: within the coordinate bound
    m = Morphology.from_swc(p)
    assert m.source == "cell.swc"
    with pytest.raises(ModelError) as e:
        discretize(m, dx_um=0.01)
    assert str(e.value).startswith("cell.swc (2 sections) discretized with dx_um=0.01 needs 1e+08 "
                                   "compartments, over the limit of 2e+06 compartments")
    assert discretize(m, dx_um=1000).n == 1 + 1001  # the soma's centre and the dendrite's segments


@pytest.mark.parametrize("name", ["simple", "allen-scnn1a", "purkinje", "ca1-pyramidal"])
def test_sections_are_plain_data_that_the_morphology_is_built_from_unchanged(name):
    secs = read_swc_sections(shipped(name))
    assert isinstance(secs, SwcSections) and secs.source == shipped(name).name
    assert all(type(v) is tuple for v in (secs.names, secs.regions, secs.parents, secs.parent_x, secs.lines))
    assert not secs.points.flags.writeable and not secs.offsets.flags.writeable
    assert secs.offsets[0] == 0 and secs.offsets[-1] == len(secs.points) and len(secs.offsets) == len(secs) + 1
    m = Morphology.from_swc(shipped(name))
    assert m.source == secs.source and m.names == secs.names
    assert [s.region for s in m.sections] == list(secs.regions)
    assert [(s.parent, s.parent_x) for s in m.sections] == list(zip(secs.parents, secs.parent_x))
    for k, s in enumerate(m.sections):  # the points as read, bit for bit
        assert s.points.tobytes() == secs.points_of(k).tobytes(), s.name


def test_a_one_point_soma_is_read_as_its_cylinder(tmp_path):
    secs = read_swc_sections(write(tmp_path, "1 1 10 20 30 5 -1\n2 3 10 26 30 1 1\n3 3 10 36 30 1 2\n"))
    np.testing.assert_array_equal(secs.points_of(0), [[5, 20, 30, 10], [10, 20, 30, 10], [15, 20, 30, 10]])
    assert (secs.names, secs.parents, secs.parent_x, secs.lines) == (("soma", "dend[0]"), (None, 0), (1.0, 0.5),
                                                                      (1, 3))


def test_a_section_the_model_refuses_is_named_with_its_file_and_line(tmp_path):
    p = write(tmp_path, ROOT + "2 1 0 0 0 1 1\n3 1 0 0 0 1 2\n")  # a soma chain of length 0
    assert len(read_swc_sections(p)) == 1  # io reads it: geometry is the model's to check
    with pytest.raises(ModelError) as e:
        Morphology.from_swc(p)
    assert str(e.value) == "cell.swc line 3: soma length must be > 0 um, got 0 (all points coincide)"


def test_io_parses_and_imports_nothing_of_the_model():
    # Layers: io parses, model builds. A fresh process: reading a file loads no excitable.model (nor
    # JAX), and no module of excitable.io names excitable.model in an import, even inside a function.
    code = ("import sys\nfrom excitable.io import read_swc_sections, morphologies\n"
            "read_swc_sections(morphologies.path('simple'))\n"
            "print(sorted(k for k in sys.modules if k.startswith('excitable.model') or k == 'jax'))")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
    folder = Path(excitable.io.__file__).parent
    for f in folder.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith("excitable.model") for n in names), f.name
