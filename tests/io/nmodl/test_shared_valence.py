"""An ion's VALENCE given by another file loaded together (io/nmodl/valences.py): Blue Brain's
neocortex Na channels read the TTX switch (``USEION ttx READ ttxo, ttxi``) without VALENCE, and
run in NEURON because TTXDynamicsSwitch.mod (or NaV.mod) of the same library declares ``VALENCE 1``.

- tests/reference/mod/nm_ttxchan.mod: a Na channel blocked by 1/(1 + (ttxo + ttxi)/kd), no VALENCE;
- tests/reference/mod/nm_ttxvalence.mod: a leak declaring ``USEION ttx READ ttxo, ttxi VALENCE 1``.

Reference: NEURON 9.0.2 through ``compare_mods`` on the two files (one library): every trace within
1e-6 of its range (issue 18: both sides float64 evaluating the same expressions, 1e-12..1e-9
expected), while a wrong concentration default (0 instead of NEURON's 1 mM) changes the block from
0.2 to 1, the channel's current by a factor of 5. What NEURON does otherwise, checked by hand in
9.0.2 (nrnivmodl and h.nrn_load_dll): the channel alone fails to load ("ttx_ion USEION CHARGE (or
VALENCE) must be defined in at least one model using this ion"), and two files giving one ion
VALENCE 1 and 2 fail to load ("xx_ion ion charge defined differently in two USEION statements (2
and 1)"); both are refused here in one line.
"""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

CHAN, SWITCH = OWN / "nm_ttxchan.mod", OWN / "nm_ttxvalence.mod"
#: The lone file's refusal names the way it runs: another file declaring the valence, loaded with it.
ALONE = (f"{CHAN}:13: USEION ttx with its concentrations ttxo, ttxi and no VALENCE (NEURON needs the "
         f"valence of an ion it does not know: give it here, or load this file together with one declaring "
         f"`USEION ttx ... VALENCE n`, in one folder or list, which makes it run with that valence) not supported")
OTHER = """NEURON {{ SUFFIX {name} USEION ttx READ ttxo VALENCE {z} NONSPECIFIC_CURRENT i RANGE g }}
PARAMETER {{ g = 0.001 (S/cm2) }}
ASSIGNED {{ v (mV) i (mA/cm2) ttxo (mM) }}
BREAKPOINT {{ i = g*v*ttxo }}
"""


def test_the_file_alone_is_refused_naming_a_declaring_file():
    with pytest.raises(ModelError) as exc:
        load_mod(CHAN)
    assert str(exc.value) == ALONE
    with pytest.raises(ModelError) as exc:  # a folder where no file declares it: the same line
        load_mod([CHAN, OWN / "nm_otherion.mod"])
    assert str(exc.value) == ALONE


def test_loaded_together_the_class_carries_the_valence_and_defaults():
    loaded = load_mod([CHAN, SWITCH])
    chan = loaded.nm_ttxchan
    # NEURON's ion_charge("ttx_ion") = 1 and ttxo = ttxi = 1 mM in that library (the README's run)
    assert chan.ion_constants == {"ttx": {"z": 1.0, "ci": 1.0, "co": 1.0}}
    ttx = next(i for i in chan.description.ions if i.name == "ttx")
    assert ttx.valence_from == f"{SWITCH}:11"
    with pytest.raises(ModelError):  # the same file alone afterwards: refused still (the cache keys on it)
        load_mod(CHAN)


def test_two_valences_for_one_ion_are_refused_naming_both(tmp_path):
    a, b = tmp_path / "xa.mod", tmp_path / "xb.mod"
    a.write_text(OTHER.format(name="xa", z=1))
    b.write_text(OTHER.format(name="xb", z=2))
    for load in (lambda: load_mod(tmp_path), lambda: load_mod([CHAN, a, b])):
        with pytest.raises(ModelError) as exc:
            load()
        message = str(exc.value)
        assert message.startswith(f"{a}:1: USEION ttx VALENCE 1 and {b}:1: VALENCE 2: NEURON refuses"), message
        assert "\n" not in message


def test_mod_check_of_the_files_together_and_alone(capsys):
    from excitable.interfaces.cli.main import main

    assert main(["mod", "check", str(CHAN), str(SWITCH)]) == 0
    assert "  ion ttx (valence 1): reads ttxo (default 1), ttxi (default 1); writes nothing" in capsys.readouterr().out
    assert main(["mod", "check", str(CHAN)]) == 2
    assert f"  {ALONE}" in capsys.readouterr().out.splitlines()


@pytest.mark.neuron
def test_the_files_together_run_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([CHAN, SWITCH])
    assert result.agrees, result.report()
    traces = {(r.case, r.trace) for r in result.rows}
    assert {("nm_ttxchan clamp", "ina"), ("nm_ttxchan clamp", "nm_ttxchan.m"),
            ("together, current clamp", "nm_ttxvalence.i")} <= traces, traces
    assert not result.notes, result.notes
    with pytest.raises(ModelError) as exc:  # the channel alone: refused, as NEURON refuses to load it
        compare_mods([CHAN])
    assert str(exc.value) == ALONE


def test_a_file_taking_the_valence_of_a_left_out_file_is_left_out_too(tmp_path):
    """mod compare leaves a file excitable refuses out of NEURON's build too; a file taking its ion's
    valence from it would then not load in NEURON ("must be defined in at least one model"), so it
    is a note as well, naming the file it took the valence from."""
    from excitable.workflows.neuron_compare_files import select

    switch = tmp_path / "nm_ttxvalence.mod"
    switch.write_text(SWITCH.read_text().replace("    i = g*", "    VERBATIM\n    printf(\"x\");\n    ENDVERBATIM\n    i = g*"))
    chosen = select([CHAN, switch, OWN / "nm_otherion.mod"], None)
    assert list(chosen.loaded) == ["nm_otherion"]
    assert chosen.reasons[0] == (f"nm_ttxchan: not compared: {CHAN}: USEION ttx takes its VALENCE from {switch}:11, "
                                 f"which is left out (nm_ttxvalence); NEURON needs one file declaring it")
