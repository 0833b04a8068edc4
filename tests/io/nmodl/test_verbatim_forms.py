"""The C forms excitable runs without C (io/nmodl/verbatim_forms.py, return_guards.py), each beside
NEURON compiling the same file, and their near misses refused with their line; words inside a
printf's string are no construct.

* mod_events/ev_vret.mod: NET_RECEIVE returns early under ``if (t < tcut)`` (Blue Brain's
  DetAMPANMDA.mod guard), its PROCEDURE add() under ``if (n > nmax)``; a train of 5 events, 2 before
  tcut = 5 ms (counted in nall only) and 3 after (n = 1, 2, 3: the third leaves g alone);
* reference/mod/nm_procguard.mod: a SOLVE'd PROCEDURE's guard ``if (v < vmin)``;
* reference/mod/nm_ioncopy.mod: ``VERBATIM cai = _ion_cai; ENDVERBATIM`` in INITIAL (Ican.mod);
* reference/mod/nm_strkw.mod: printf text holding BEFORE, AFTER, FOR_NETCONS, WHILE and a ``{``.

Tolerance: every trace within 1e-6 of its range (``compare_mods``' default, the project's
side-by-side standard: the same formulas at the same event times in float64 leave round-off,
below 1e-10), the counters n and nall exact (0 difference: whole numbers), the same spikes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import OWN

VRET = Path(__file__).parent / "mod_events" / "ev_vret.mod"
SPIKES = "2,3.1,7.3,7.8,15.4"  # ms: two before tcut = 5 ms, three after
GUARD = "    if (t < tcut) {\n    VERBATIM\n        return; /* before tcut: nothing else */\n    ENDVERBATIM\n    }\n"


def _refused_at_verbatim(text: str, tmp_path, name: str = "ev_vret.mod", which: int = 0):
    """The file refused at its VERBATIM line number ``which`` (0: the first, -1: the last), as check
    and the loader word it."""
    path = tmp_path / name
    path.write_text(text)
    line = [n for n, ln in enumerate(text.splitlines(), 1) if ln.strip() == "VERBATIM"][which]
    with pytest.raises(ModelError, match=rf"{name}:{line}: VERBATIM \(C code\) not supported"):
        load_mod(path)
    report, _ = check_file(path)
    assert any(r.strip() == f"{path}:{line}: VERBATIM (C code) not supported" for r in report), report


@pytest.mark.neuron
def test_early_returns_run_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([VRET], spikes=SPIKES, weight=0.01)
    assert result.agrees, result.report()
    rows = {r.trace: r for r in result.rows}
    assert {"ev_vret.g", "ev_vret.n", "ev_vret.nall"} <= set(rows)
    assert rows["ev_vret.n"].difference == 0 and rows["ev_vret.nall"].difference == 0


def test_early_return_counts_match_the_closed_form():
    """Without NEURON: after the train, nall = 5 (every event), n = 3 (those at or after tcut) and g
    the two jumps n <= nmax let through, each decayed since: w (exp(-(T - 7.3)/tau) + exp(-(T -
    7.8)/tau)) (cnexp's step is the exact exponential; the events fall on the 0.025 ms grid, so
    what is left is float64 round-off over 1000 steps: 1e-10 relative)."""
    import numpy as np

    import excitable as ex
    from excitable.model.network import Network

    times, w, tau, T = [float(x) for x in SPIKES.split(",")], 0.01, 2.0, 25.0
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0)
    net = Network([cell])
    net.spike_train(times, 0, load_mod(VRET)(), weight=w, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-65.0)
    for k in ("g", "n", "nall"):
        sim.record(f"ev_vret[0].{k}", label=k)
    res = sim.run(T)
    assert float(np.asarray(res["nall"])[-1]) == 5 and float(np.asarray(res["n"])[-1]) == 3
    expected = w * (np.exp(-(T - 7.3) / tau) + np.exp(-(T - 7.8) / tau))
    assert float(np.asarray(res["g"])[-1]) == pytest.approx(expected, rel=1e-10)


def test_a_guard_with_an_else_is_refused_where_check_says_so(tmp_path):
    """NET_RECEIVE's inner INITIAL before the guard (DetAMPANMDA's layout) must not make the
    VERBATIM look like the final return of an INITIAL: the refusal is check's, at its line."""
    text = VRET.read_text().replace("    nall = nall + 1\n", "    INITIAL {\n    }\n    nall = nall + 1\n")
    text = text.replace(GUARD, GUARD.rstrip("\n") + " else {\n        nall = nall + 1\n    }\n")
    text = text.replace("return; /* before tcut: nothing else */", "return;")  # as the nearest-keyword search took it
    _refused_at_verbatim(text, tmp_path)


@pytest.mark.parametrize("change", ["other C", "return value", "nested", "function", "initial"])
def test_other_returns_are_refused_with_their_line(change, tmp_path):
    text = VRET.read_text()
    if change == "other C":
        text = text.replace("        return; /* before", "        nall = 0;\n        return; /* before")
    elif change == "return value":
        text = text.replace("        return 0;", "        return 1;")
    elif change == "nested":
        text = text.replace(GUARD, "    if (nall > 0) {\n" + GUARD + "    }\n")
    elif change == "function":
        text = text.replace("    add(weight)\n", "    g = g + weight*f(n)\n").replace("PROCEDURE add(w (uS))", "FUNCTION f(w)")
        text = text.replace("    g = g + w\n", "    f = 1\n")
    else:
        text = text.replace("    nall = 0\n}", "    nall = 0\n    if (tcut > 0) {\n    VERBATIM\n    return;\n    ENDVERBATIM\n    }\n}")
    _refused_at_verbatim(text, tmp_path, which=-1 if change in ("return value", "function") else 0)


@pytest.mark.neuron
def test_a_solved_procedure_returning_early_runs_beside_neuron():
    """reference/mod/nm_procguard.mod: n counts the steps at or above vmin = -40 mV (count() is
    SOLVE'd: once a step), under the clamp family and the current clamp's spike."""
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "nm_procguard.mod"])
    assert result.agrees, result.report()
    rows = [r for r in result.rows if r.trace == "nm_procguard.n"]
    assert rows and all(r.difference == 0 for r in rows)


@pytest.mark.parametrize("v_init, steps", [(-30.0, 40), (-50.0, 0)])
def test_a_solved_procedure_returning_early_counts_the_steps_it_runs(v_init, steps):
    """Without NEURON: a compartment with nm_procguard alone relaxes from v_init towards -65 mV with
    tau = c_m/g = 10 ms, so over 1 ms (40 steps of 0.025) it stays above vmin = -40 mV from -30 mV
    (every step counted) and below it from -50 mV (none): counts exact."""
    import numpy as np

    import excitable as ex
    from excitable.model.network import Network

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(load_mod(OWN / "nm_procguard.mod")())
    sim = ex.Simulation(Network([cell]), dt=0.025, temperature=6.3, v_init=v_init)
    sim.record("nm_procguard.n", label="n")
    assert float(np.asarray(sim.run(1.0)["n"]).ravel()[-1]) == steps


def test_a_guard_in_a_procedure_breakpoint_calls_is_refused(tmp_path):
    """BREAKPOINT's own call: what count() sets after the guard would be taken as set every run
    (a copy of this shape setting m = f(v) differed from NEURON by 1.0 of i's range)."""
    text = (OWN / "nm_procguard.mod").read_text().replace("    SOLVE count\n", "    count()\n")
    _refused_at_verbatim(text, tmp_path, "nm_procguard.mod")


@pytest.mark.neuron
def test_a_copy_of_a_read_ion_variable_runs_beside_neuron():
    """m starts and stays at cai/(cai + kd) = 1/3 (NEURON's default cai 5e-5 mM, kd 1e-4 mM)."""
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "nm_ioncopy.mod"])
    assert result.agrees, result.report()
    assert "nm_ioncopy.m" in {r.trace for r in result.rows}
    assert load_mod(OWN / "nm_ioncopy.mod")().kd == pytest.approx(1e-4)


@pytest.mark.parametrize("copy", ["ik = _ion_ik;", "cai = _ion_cai;\n    cai = 2*cai;", "cai = _ion_cao;"])
def test_other_ion_copies_are_refused_with_their_line(copy, tmp_path):
    """ik is written, not read; any other C; a copy from another variable."""
    text = (OWN / "nm_ioncopy.mod").read_text().replace("cai = _ion_cai;", copy)
    _refused_at_verbatim(text, tmp_path, "nm_ioncopy.mod")


def test_a_copy_of_a_variable_the_file_assigns_is_refused(tmp_path):
    text = (OWN / "nm_ioncopy.mod").read_text().replace("    minf = cai/(cai + kd)\n    m = minf",
                                                        "    cai = 2*cai\n    minf = cai/(cai + kd)\n    m = minf", 1)
    path = tmp_path / "nm_ioncopy.mod"
    path.write_text(text)
    report, _ = check_file(path)
    line = text.splitlines().index("    VERBATIM") + 1
    assert any(r.strip() == f"{path}:{line}: VERBATIM (C code) not supported" for r in report), report


@pytest.mark.neuron
def test_words_in_a_printf_are_no_construct_beside_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([OWN / "nm_strkw.mod"])
    assert result.agrees, result.report()
    assert "nm_strkw.i" in {r.trace for r in result.rows}


def test_a_real_block_beside_the_printf_is_still_refused_with_its_line(tmp_path):
    text = (OWN / "nm_strkw.mod").read_text() + "BEFORE BREAKPOINT {\n    e = -70\n}\n"
    path = tmp_path / "nm_strkw.mod"
    path.write_text(text)
    line = len(text.splitlines()) - 2
    report, n = check_file(path)
    assert n == 1 and [r.strip() for r in report if "not supported" in r] == [
        f"{path}:{line}: BEFORE BREAKPOINT block not supported"], report
