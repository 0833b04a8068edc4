"""Property-based: any SWC file gives a morphology or one line naming the file, in bounded time.

Valid random trees (somas of one or more points, any SWC types, branches anywhere, ids with gaps and
lines in any order, comments, CRLF) must read and discretize, with compartment counts that follow from
the topology alone (nseg per section plus the junction nodes something hangs from) and a membrane
area that does not depend on nseg. Malformed files (random bytes, random lines, valid trees with a
token replaced by an extreme or broken value, lines dropped or repeated, parents rewired) may only
give a `Morphology` or a ModelError whose message is one line starting with the file's name; reading
and discretizing whatever was accepted must also end in a result or such a line. Never another
exception, and each example within Hypothesis' deadline (2 s; they take milliseconds).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from excitable.errors import ModelError
from excitable.io.swc import read_swc_table
from excitable.model.morphology import Morphology
from excitable.model.discretize import discretize

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow is a bug here too

#: ~100 examples per property keep this file under ~20 s on a 2-core machine; no database written.
FAST = settings(max_examples=100, deadline=2000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TYPES = [1, 2, 3, 3, 3, 4, 4, 7, -2]
TRICKY = ["", "nan", "-nan", "inf", "-inf", "1e300", "-1e300", "1e20", "1e9", "1e-320", "-0", "0", "-1",
          "-2", "1.5", "2.5e0", "99999999999999999999999", "9" * 400, "0x10", "1_000", "abc", "１２",
          "\x00", "\x0c", "\u2028", "é", "#", "1e15", "1e16", "-1e15"]


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@st.composite
def trees(draw, max_points: int = 40):
    """(lines of a valid SWC file, number of points): a random tree whose every point is 1-5 um (an
    integer step on each axis) from its parent, so no section can have length 0."""
    n = draw(st.integers(1, max_points))
    ids = np.cumsum(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)))  # gaps allowed
    xyz = np.zeros((n, 3), dtype=int)
    rows = []
    for i in range(n):
        p = -1 if i == 0 else draw(st.one_of(st.just(i - 1), st.integers(0, i - 1)))
        if i:
            step = draw(st.tuples(*[st.integers(-3, 3)] * 3).filter(any))
            xyz[i] = xyz[p] + np.array(step)
        typ = 1 if i == 0 and draw(st.booleans()) else draw(st.sampled_from(TYPES))
        r = draw(st.sampled_from([0.2, 0.5, 1.0, 2.0, 6.0]))
        rows.append(f"{ids[i]} {typ} {xyz[i, 0]} {xyz[i, 1]} {xyz[i, 2]} {r} "
                    f"{ids[p] if p >= 0 else -1}")
    order = draw(st.permutations(range(n)))  # any line order: ids decide
    lines = [rows[k] for k in order]
    for _ in range(draw(st.integers(0, 3))):  # comments and blank lines anywhere
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["# c", "", "  \t", "#"])))
    return lines, n


def write(folder: Path, data: bytes | str, newline: str = "\n") -> Path:
    p = folder / "cell.swc"
    p.write_bytes(data if isinstance(data, bytes) else newline.join(data).encode("utf-8") + b"\n")
    return p


def result_or_one_line(fn, *args, **kwargs):
    """fn(...) or None if it raised a ModelError with a one-line message naming the file."""
    try:
        return fn(*args, **kwargs)
    except ModelError as e:
        msg = str(e)
        assert msg and "\n" not in msg and "\r" not in msg, repr(msg)
        assert msg.startswith("cell.swc"), msg
        return None


def expected_nodes(m, counts) -> int:
    """NEURON's node count from topology alone: nseg per section plus every junction node that
    something hangs from (a section's 1-end, or the root's 0-end; x = 0 on a child is its parent's
    node, so the chain is followed up)."""
    hangs = {}  # section -> the node it hangs from: ("end", k), ("root0",) or ("centre", ...)
    for i, s in enumerate(m.sections[1:], 1):
        p, px = s.parent, s.parent_x
        if px == 1.0:
            hangs[i] = ("end", p)
        elif px == 0.0:
            hangs[i] = ("root0",) if p == 0 else hangs[p]
        else:
            hangs[i] = ("centre", p, min(int(px * counts[p]), counts[p] - 1))
    junctions = {h for h in hangs.values() if h[0] != "centre"}
    return int(np.sum(counts)) + len(junctions)


def frusta_area(m) -> float:
    """Lateral area of every section's frusta, straight from the points (um2)."""
    total = 0.0
    for s in m.sections:
        p = s.points
        dl = np.linalg.norm(np.diff(p[:, :3], axis=0), axis=1)
        d1, d2 = p[:-1, 3], p[1:, 3]
        total += float(np.sum(math.pi * (d1 + d2) / 2 * np.sqrt(dl ** 2 + ((d2 - d1) / 2) ** 2)))
    return total


@FAST
@given(tree=trees(), crlf=st.booleans())
def test_valid_trees_read_and_discretize_consistently(folder, tree, crlf):
    lines, n = tree
    p = write(folder, lines, "\r\n" if crlf else "\n")
    m = Morphology.from_swc(p)
    assert m.source == "cell.swc"
    t = read_swc_table(p)
    assert len(t["id"]) == n and (np.diff(t["id"]) > 0).all()
    # every point whose parent is a neurite point is in some section (a soma's points may become a
    # sphere, and a one-point branch wired to a soma is dropped, as Import3d does)
    pts = {tuple(q) for s in m.sections for q in s.points[:, :3].tolist()}
    index = {int(i): k for k, i in enumerate(t["id"])}
    on_neurite = [k for k, p in enumerate(t["parent"]) if p >= 0 and t["type"][index[int(p)]] != 1]
    assert all(tuple(t["xyz"][k].tolist()) in pts for k in on_neurite)
    areas = []
    for k in (1, 2, 3):
        c = discretize(m, nseg=k, float32_points=False)
        assert c.n == expected_nodes(m, c.nseg) and (c.nseg == k).all()
        assert (c.parent < np.arange(c.n)).all() and c.parent[0] == -1 and (c.parent[1:] >= 0).all()
        assert (c.g_axial_nS[1:] > 0).all() and np.isfinite(c.g_axial_nS).all()
        junction = c.area_um2 == 0
        assert np.isin(c.x[junction], [0.0, 1.0]).all() and (c.area_um2 >= 0).all()
        areas.append(c.total_area_um2)
    # splitting a frustum adds no area: equal to round-off (a few ulps per piece; 1e-9 is generous)
    np.testing.assert_allclose(areas, frusta_area(m), rtol=1e-9)
    for rule in (dict(dx_um=2.0), dict(d_lambda=0.1)):
        c = discretize(m, **rule)
        assert (c.nseg % 2 == 1).all() and c.n == expected_nodes(m, c.nseg)
    c = discretize(m, dx_um=2.0)
    assert (c.length_um / c.nseg <= 2.0 * (1 + 1e-9)).all()


def mutate(lines: list[str], how: int, k: int, token: str, field: int) -> list[str]:
    """One of the ways a file goes wrong, applied to line k (mod the number of lines)."""
    lines = list(lines)
    k %= max(len(lines), 1)
    if not lines:
        return [token]
    f = lines[k].split()
    if how == 0 and len(f) == 7:  # a token replaced
        f[field] = token
        lines[k] = " ".join(f)
    elif how == 1:  # a line dropped (its children lose their parent)
        del lines[k]
    elif how == 2:  # a line repeated (a duplicate id)
        lines.insert(k, lines[k])
    elif how == 3:  # a token added or removed
        lines[k] = " ".join(f + [token]) if field % 2 else " ".join(f[:field])
    else:  # a line replaced by anything
        lines[k] = token
    return lines


@FAST
@given(tree=trees(max_points=25),
       edits=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 100),
                                st.one_of(st.sampled_from(TRICKY), st.text(max_size=10)),
                                st.integers(0, 6)), min_size=1, max_size=3))
def test_broken_trees_give_a_result_or_one_line(folder, tree, edits):
    lines, _ = tree
    for how, k, token, field in edits:
        lines = mutate(lines, how, k, token, field)
    _read_and_discretize(write(folder, lines))


EXTREME = ["1e300", "-1e300", "1e308", "1e20", "-1e20", "1e9", "1e6", "-1e6", "1000001", "3.4e38", "1e39",
           "inf", "-inf", "nan", "1e-320", "5e-324", "1e-30", "0", "-0.0", "1e15", "1e16", "-1"]


@FAST
@given(tree=trees(max_points=25),
       edits=st.lists(st.tuples(st.integers(0, 100), st.sampled_from([2, 3, 4, 5, 5, 0, 1, 6]),
                                st.sampled_from(EXTREME)), min_size=1, max_size=2))
def test_extreme_numbers_give_a_result_or_one_line(folder, tree, edits):
    lines = [ln for ln in tree[0] if len(ln.split()) == 7]
    for k, field, token in edits:
        lines = mutate(lines, 0, k, token, field)
    _read_and_discretize(write(folder, lines))


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_give_a_result_or_one_line(folder, data):
    _read_and_discretize(write(folder, data))


line = st.one_of(
    st.lists(st.one_of(st.sampled_from(TRICKY), st.integers(-3, 30).map(str),
                       st.floats(allow_nan=True, allow_infinity=True).map(repr)),
             min_size=0, max_size=9).map(" ".join),
    st.text(max_size=30))


@FAST
@given(lines=st.lists(line, max_size=12))
def test_random_lines_give_a_result_or_one_line(folder, lines):
    _read_and_discretize(write(folder, lines))


def _read_and_discretize(p: Path) -> None:
    m = result_or_one_line(Morphology.from_swc, p)
    if m is None:
        return
    for rule in (dict(), dict(dx_um=1.0), dict(d_lambda=0.1)):
        c = result_or_one_line(discretize, m, **rule)
        if c is not None:
            assert c.n >= 1 and np.isfinite(c.area_um2).all() and np.isfinite(c.g_axial_nS).all()
