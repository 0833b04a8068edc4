"""A block's ``{`` on a later line than its keyword (io/nmodl/block_bodies.py): the same verdict.

NMODL lets ``NET_RECEIVE (w)`` or ``INITIAL`` stand alone with the block's ``{`` on the next line,
blank or comment lines between (nocmodl compiles all of these; ModelDB 2014822 ltpltd.mod is written
so). Every .mod file of tests/reference/mod and tests/io/nmodl/mod_events is rewritten here so
(``relaid``: each top-level block's ``{`` moved to a line of its own, after nothing, a blank line or a
comment line in turn) and must get the verdict of its original layout: the same ``mod check``
report, refusals at the lines the original's stand on (the rewritten file's lines mapped back).

Small files written here keep refusals at the statement's line where the old finders put them at
a header's or missed them (READ ica in BREAKPOINT, an ELECTRODE_CURRENT set by the SOLVE'd block, a
concentration written in BREAKPOINT, NET_RECEIVE's own INITIAL).

No NEURON is needed: the layout does not change what the file means, so the reference is the file's
own original layout, whose numbers the other tests check beside NEURON. The parsed program is the
same (``test_the_parser_reads_the_same_program``), and four files the old text finders refused or
ran otherwise with every ``{`` on the next line (pt_fromparam, pt_probsyn, pt_ou with set_seed in
INITIAL, pt_ecur's ELECTRODE_CURRENT) run to bit-identical traces in both layouts: the same program
compiled, so no tolerance is due (any difference is a different program, not rounding).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from excitable.errors import ModelError
from excitable.io.nmodl.check import check_file
from excitable.io.nmodl.parse import strip_comments

TESTS = Path(__file__).parents[2]
FOLDERS = {"reference": TESTS / "reference" / "mod", "events": TESTS / "io" / "nmodl" / "mod_events"}
BETWEEN = ([], [""], [": the block's brace follows"])  # what stands between a header and its "{", in turn
_HEADER = re.compile(r"\s*[A-Z_]+\b")


def relaid(text: str, between=BETWEEN) -> tuple[str, list[int]]:
    """(``text`` with every top-level block's ``{`` on a line of its own, after the lines of
    ``between``'s entries in turn; the original line number of each new line). Written apart from
    the code under test: braces counted on the lines with comments blanked, VERBATIM's C left alone."""
    out, origin, depth, verbatim, turn = [], [], 0, False, 0
    for n, (raw, code) in enumerate(zip(text.splitlines(), strip_comments(text)), 1):
        verbatim = verbatim or bool(re.match(r"\s*VERBATIM\b", code))
        if verbatim:
            verbatim = not re.search(r"\bENDVERBATIM\b", code)
            out.append(raw)
            origin.append(n)
            continue
        if depth == 0 and _HEADER.match(code) and "{" in code:
            k = code.index("{")  # strip_comments keeps the columns before a comment
            new = [raw[:k].rstrip(), *between[turn % len(between)], raw[k:]]
            turn += 1
        else:
            new = [raw]
        out += new
        origin += [n] * len(new)
        depth += code.count("{") - code.count("}")
    return "\n".join(out) + "\n", origin


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[Path, tuple[Path, list[int]]]:
    """original .mod path -> (its relaid copy, new line -> original line); the folders copied whole
    so that INCLUDEd files are found beside them."""
    root, out = tmp_path_factory.mktemp("relaid"), {}
    for name, folder in FOLDERS.items():
        shutil.copytree(folder, root / name)
        for path in sorted(folder.rglob("*.mod")):
            copy = root / name / path.relative_to(folder)
            text, origin = relaid(path.read_text())
            assert text != path.read_text()  # every file has a block to relay
            copy.write_text(text)
            out[path] = (copy, origin)
    return out


def verdict(path: Path) -> list[str]:
    """``mod check``'s report of ``path`` (a ModelError's message where it refuses to read it), and
    which path runs its events (``events.uses``: NET_RECEIVE's statements read from the text; a lone
    ``{`` taken for one, or a body lost, moved a file between the two paths unrefused)."""
    from excitable.io.nmodl import events
    from excitable.io.nmodl.describe import describe
    from excitable.io.nmodl.parse import parse_text, read_text

    try:
        mod = parse_text(*read_text(path))
        return [*check_file(path)[0], f"event path: {events.uses(mod, describe(mod), strip_comments(mod.text))}"]
    except ModelError as exc:
        return [str(exc)]


def mapped(lines: list[str], copy: Path, original: Path, origin: list[int]) -> list[str]:
    """``lines`` with the copy's path and line numbers put back as the original's."""
    at = re.compile(re.escape(str(copy)) + r":(\d+)|\blines? (\d+(?:, \d+)*)")  # "file:12", "(lines 12, 14: ...)"

    def back(m: re.Match) -> str:
        if m.group(1):
            return f"{original}:{origin[int(m.group(1)) - 1]}"
        numbers = [origin[int(k) - 1] for k in m.group(2).split(", ")]
        return ("lines " if len(numbers) > 1 else "line ") + ", ".join(map(str, numbers))

    return [at.sub(back, line).replace(str(copy), str(original)) for line in lines]


def test_every_file_gets_the_same_verdict(copies):
    alike, refused = [], 0
    for path, (copy, origin) in copies.items():
        theirs = verdict(path)
        assert mapped(verdict(copy), copy, path, origin) == theirs, path.name
        alike.append(path.name)
        refused += not any("supported: yes" in line for line in theirs)
    # every file of both folders, the refused ones among them (their lines mapped back)
    assert len(alike) == len(list(FOLDERS["reference"].rglob("*.mod"))) + len(list(FOLDERS["events"].rglob("*.mod")))
    assert len(alike) >= 170 and refused >= 3


def test_the_parser_reads_the_same_program(copies):
    from excitable.io.nmodl.parse import dsl, parse_text, read_text

    for path, (copy, _) in copies.items():
        programs = [dsl().to_nmodl(parse_text(*read_text(p)).program) for p in (path, copy)]
        assert programs[0] == programs[1], path.name


#: a point process whose ELECTRODE_CURRENT i only the SOLVE'd DERIVATIVE sets (after its NEURON block)
_ECUR = """PARAMETER { amp = 0.1 (nA) }
ASSIGNED { i (nA) }
STATE { x }
INITIAL { x = 1 }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s {
    x' = -x
    i = amp*x
}
"""
_FROM_SOLVE = "current i set by the SOLVE'd block, not by BREAKPOINT"

# Small files written here, each in the ordinary layout, with the refusal (line, text) its relaid
# copy must keep at the statement's own line (counted in the text below): the finders before
# block_bodies put these at a header's line, or missed them.
REFUSED = {
    # unsupported._block_lines: at BREAKPOINT's header (line 4), not the read's line
    "bl_readica": ("""NEURON { SUFFIX bl_readica USEION ca READ ica NONSPECIFIC_CURRENT i RANGE gl }
PARAMETER { gl = 0.001 (S/cm2) }
ASSIGNED { v (mV) ica (mA/cm2) i (mA/cm2) }
BREAKPOINT {
    i = gl*(v + 65) + 0*ica
}
""", 5, "READ ica in BREAKPOINT"),
    # unsupported._currents_from_solve: the NEURON block's ELECTRODE_CURRENT missed, no refusal
    "bl_ecur": ("NEURON {\n    POINT_PROCESS bl_ecur\n    ELECTRODE_CURRENT i\n    RANGE amp\n}\n" + _ECUR, 13, _FROM_SOLVE),
    # the same in a one-line NEURON block: "ELECTRODE_CURRENT i RANGE amp" was read as one name
    "bl_ecur1": ("NEURON { POINT_PROCESS bl_ecur1 ELECTRODE_CURRENT i RANGE amp }\n" + _ECUR, 9, _FROM_SOLVE),
    # unsupported._concentration_write: a blank or comment line before "{" lost the block
    "bl_cai": ("""NEURON { SUFFIX bl_cai USEION ca READ ica WRITE cai }
ASSIGNED { ica (mA/cm2) cai (mM) }
BREAKPOINT {
    cai = 1e-4
}
""", 4, "cai written in BREAKPOINT, which SOLVEs nothing"),
}

#: NET_RECEIVE's own INITIAL with its "{" on the next line (event_checks._argument_problems missed it)
NESTED = """NEURON { POINT_PROCESS bl_nrinit NONSPECIFIC_CURRENT i RANGE x }
ASSIGNED { v (mV) i (nA) x }
STATE { g (uS) }
BREAKPOINT { i = g*v }
NET_RECEIVE(w (uS)) {
    INITIAL
    {
        x = 1
    }
    g = g + w
}
"""


@pytest.mark.parametrize("name", REFUSED)
def test_refusals_keep_their_lines(tmp_path, name):
    text, line, what = REFUSED[name]
    path, copy = tmp_path / f"{name}.mod", tmp_path / "relaid" / f"{name}.mod"
    path.write_text(text)
    copy.parent.mkdir()
    relaid_text, origin = relaid(text)
    copy.write_text(relaid_text)
    theirs = verdict(path)
    assert any(f"{path}:{line}: {what}" in x for x in theirs), theirs  # the refusal is there, at its line
    assert mapped(verdict(copy), copy, path, origin) == theirs


def test_net_receive_initial_on_its_own_line(tmp_path):
    path = tmp_path / "bl_nrinit.mod"
    path.write_text(NESTED)
    assert any(f"{path}:8: INITIAL inside NET_RECEIVE setting 'x'" in x for x in verdict(path)), verdict(path)


# files the finders before block_bodies took wrongly once relaid (what they did), run in both layouts
RUNS = {
    "pt_fromparam": "NET_RECEIVE's lone '{' was a statement: the file left the jump path for the event path",
    "pt_probsyn": "its NEURON block counted as code: refused 'POINTER rng named in NMODL'",
    "pt_ecur": "an ELECTRODE_CURRENT point process",
    "bl_seed": "INITIAL then '{ set_seed(1)': refused 'set_seed() not supported'",
}
#: pt_ou.mod with set_seed in INITIAL (the form of ModelDB 114643's PpInoise.mod), written in the test
SEEDED = ("pt_ou", "INITIAL {", "INITIAL { set_seed(1)")


WEIGHT = 0.1  # uS: two events that move V by millivolts


def _trace(path: Path) -> dict[str, np.ndarray]:
    """A 10 ms run of ``path``'s point process on an hh compartment (20 x 20 um, dt 0.025 ms),
    events at 1 and 4 ms where it has a NET_RECEIVE."""
    import excitable as ex
    from excitable.io.nmodl import load_mod
    from excitable.model.network import Network, Site
    from tests.io.nmodl.neuron_side import class_loader

    mech, events = load_mod(path)(), "NET_RECEIVE" in path.read_text()
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(class_loader()("hh")())
    if not events:
        cell.place(mech, cell.soma)
    net = Network([cell])
    if events:
        net.spike_train([1.0, 4.0], 0, mech, weight=WEIGHT, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-65.0, seed=3)
    sim.record("v", Site(0, cell.soma), label="v")
    return {"v": np.asarray(sim.run(10.0)["v"]).ravel()}


@pytest.mark.parametrize("name", RUNS)
def test_runs_alike(copies, tmp_path, name):
    if name == "bl_seed":
        stem, old, new = SEEDED
        text = next(p for p in copies if p.stem == stem).read_text()
        assert old in text
        path, copy = tmp_path / "bl_seed" / f"{stem}.mod", tmp_path / f"{stem}.mod"
        path.parent.mkdir()
        path.write_text(text.replace(old, new, 1))
    else:
        path = next(p for p in copies if p.stem == name)
        copy = tmp_path / path.name
    copy.write_text(relaid(path.read_text(), between=([],))[0])  # every "{" on the very next line
    assert name != "bl_seed" or "INITIAL\n{ set_seed(1)" in copy.read_text()
    ours, relaid_run = _trace(path), _trace(copy)
    assert np.ptp(ours["v"]) > 0.5  # mV: the mechanism acts on V (hh alone: 0.05 mV over these 10 ms)
    np.testing.assert_array_equal(relaid_run["v"], ours["v"])
