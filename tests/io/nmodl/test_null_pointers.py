"""Blue Brain's probabilistic synapses (ProbAMPANMDA_EMS.mod, ProbGABAAB_EMS.mod) run as NEURON runs
them without hoc's setRNG (io/nmodl/null_pointers.py, c_forms.py): the pointer ``rng`` is NULL, so
``if (_p_rng) { C }`` is false and urand() is its else branch, beside NEURON compiling the same files.

* mod_events/pt_probsyn.mod: their shape with ``POINTER rng`` and urand's else branch in NMODL,
  ``value = scop_random()``; a file-level VERBATIM of #include lines, a prototype and a static
  function; setRNG's C (hoc's only); NET_RECEIVE's weight guard; nrel counts releases.
* mod_events/pt_probsyn_bb.mod: the CoreNEURON-ready shape (``BBCOREPOINTER rng``, INITIAL's
  ``if (_p_rng) { nrnran123_setseq(...) }``, urand's else ``value = 0.0;``, ``_lurand = value;``,
  static bbcore_write/bbcore_read).

Tolerances: in the deterministic regimes (every draw's outcome certain: module constants below)
every trace within 1e-6 of its range (the project's side-by-side standard; the same formulas at the
same event times in float64 leave round-off, 1e-12 of V's range or less), counts exact, the same
spikes. In the stochastic regime the release count of SYNAPSES x EVENTS trials is Binomial(n, Use)
in each simulator, within 5 standard errors (as test_random_draws.py: a correct generator fails
with probability under 1e-6, and the seeds are fixed, so the test is deterministic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.workflows import neuron_side_point as side
from excitable.workflows.neuron_compare import spike_times
from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parent / "mod_events"
PROBSYN, PROBSYN_BB = OWN / "pt_probsyn.mod", OWN / "pt_probsyn_bb.mod"
DT, TOL = 0.025, 1e-6
TRAIN = [2.0, 4.0, 6.5, 9.0, 15.0]  # ms
#: Use = 1 with Fac > 0 makes u = u + 1 (1 - u) = 1 at every event, so urand() < u always holds
#: (scop_random is below 1); Dep = 1e-3 ms makes Psurv = exp(-(t - tsyn)/Dep) = exp(-2000) or less,
#: 0 in float64, so urand() > Psurv holds but for a draw of exactly 0 (probability 2^-53 a draw).
CERTAIN = {"Use": 1.0, "Dep": 1e-3, "Fac": 10.0}
SYNAPSES, EVENTS, USE = 8, 200, 0.3


def neuron():
    return neuron_loaded([PROBSYN, PROBSYN_BB], "nrnmech-null-pointers", "the null-pointer synapse files")


def both(path, params, weight=1.0):
    """(ours, NEURON's) traces of ``path``'s synapse on an hh compartment (20 x 20 um) under TRAIN
    (mod compare's point protocol: workflows/neuron_side_point.py), 30 ms."""
    cls = load_mod(path)
    kw = {"weight": weight, "spikes": TRAIN, "dt": DT, "celsius": 6.3, "tstop": 30.0}
    return side.ours(cls, params, **kw), side.neuron_run(neuron(), cls, params, **kw)


def agree(ours, theirs, name):
    """V, A, B, g = gmax (B - A), Rstate, u, tsyn_fac within TOL of NEURON's range, nrel exact, the
    same spikes (at least one: the train's work shows)."""
    traces = {k: (ours[k], theirs[k]) for k in ["v"] + [f"{name}.{s}" for s in ("A", "B", "Rstate", "u", "tsyn_fac")]}
    traces["g"] = tuple(1e-3 * (d[f"{name}.B"] - d[f"{name}.A"]) for d in (ours, theirs))
    for k, (a, b) in traces.items():
        assert np.max(np.abs(a - b)) <= TOL * np.ptp(b), (k, np.max(np.abs(a - b)), np.ptp(b))
    assert np.array_equal(ours[f"{name}.nrel"], theirs[f"{name}.nrel"])
    spikes = spike_times(theirs["v"], DT)
    assert len(spikes) >= 1 and np.array_equal(spike_times(ours["v"], DT), spikes)


@pytest.mark.neuron
def test_certain_releases_run_beside_neuron():
    """pt_probsyn with every draw's outcome certain (CERTAIN): all 5 events release, in both."""
    ours, theirs = both(PROBSYN, CERTAIN)
    agree(ours, theirs, "pt_probsyn")
    assert theirs["pt_probsyn.nrel"][-1] == len(TRAIN)


@pytest.mark.neuron
def test_a_stream_never_attached_releases_once_beside_neuron():
    """pt_probsyn_bb: urand() is 0 without a stream, so the first event releases (0 < u) and the
    synapse never recovers (0 > Psurv is false): nrel = 1, Rstate 0 from the first event on."""
    ours, theirs = both(PROBSYN_BB, {"Use": 0.5})
    agree(ours, theirs, "pt_probsyn_bb")
    assert theirs["pt_probsyn_bb.nrel"][-1] == 1 and theirs["pt_probsyn_bb.Rstate"][-1] == 0


def our_counts(seed):
    from excitable.model.network import Network

    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(ex.channels.Leak())
    net = Network([cell])
    syn = load_mod(PROBSYN)
    for _ in range(SYNAPSES):
        net.spike_train(1.0 + np.arange(EVENTS), 0, syn(Use=USE, Fac=0.0, Dep=1e-3), weight=1e-4, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0, seed=seed)
    for k in range(SYNAPSES):
        sim.record(f"pt_probsyn[{k}].nrel", label=f"r{k}")
    res = sim.run(EVENTS + 5.0)
    return [float(np.asarray(res[f"r{k}"]).ravel()[-1]) for k in range(SYNAPSES)]


def neuron_counts():
    h = neuron()
    sec = h.Section(name="probsyn")
    sec.L = sec.diam = 10.0
    sec.insert("pas")
    stim = h.NetStim()
    stim.interval, stim.number, stim.start, stim.noise = 1.0, EVENTS, 0.0, 0.0
    syns = [h.pt_probsyn(sec(0.5)) for _ in range(SYNAPSES)]
    ncs = [h.NetCon(stim, s) for s in syns]
    for s, nc in zip(syns, ncs):
        s.Use, s.Fac, s.Dep, nc.delay, nc.weight[0] = USE, 0.0, 1e-3, 1.0, 1e-4
    h.dt, h.secondorder = DT, 0
    h.finitialize(-65.0)
    h.continuerun(EVENTS + 5.0)
    counts = [s.nrel for s in syns]
    del ncs, syns, stim
    return counts


@pytest.mark.neuron
def test_releases_are_binomial_in_both_simulators_and_a_seed_repeats():
    """Use = 0.3, Fac = 0 (u = Use at each event), Dep = 1e-3 ms (recovered at every event: CERTAIN's
    reason): each of SYNAPSES x EVENTS = 1600 events releases with probability 0.3 on its own draw,
    480 +- 5 x 18.3 releases in each simulator. Ours again at the same seed: the same counts; at
    another: other counts (eight equal Binomial(200, 0.3) counts by chance: under 1e-8)."""
    ours = our_counts(11)
    n = SYNAPSES * EVENTS
    for what, counts in (("excitable", ours), ("NEURON", neuron_counts())):
        assert all(c == int(c) for c in counts), (what, counts)
        se = np.sqrt(n * USE * (1 - USE))
        assert abs(sum(counts) - n * USE) < 5 * se, f"{what}: {sum(counts)} releases, expected {n * USE} +- 5 x {se:.3g}"
    assert our_counts(11) == ours and our_counts(12) != ours


def test_check_says_the_pointer_is_never_set():
    lines = check_file(PROBSYN)[0]
    said = [ln for ln in lines if "POINTER rng" in ln]
    assert len(said) == 1 and "never set here (hoc's setRNG sets it in NEURON)" in said[0], lines
    assert "urand runs value = scop_random(); urand = value" in said[0]
    assert any("supported: yes" in ln for ln in lines)
    bb = [ln for ln in check_file(PROBSYN_BB)[0] if "BBCOREPOINTER rng" in ln]
    assert len(bb) == 1 and "INITIAL drops its C" in bb[0] and "urand runs value = 0.0; urand = value" in bb[0]


ELSE = "    } else {\nENDVERBATIM\n        value = scop_random()\nVERBATIM\n    }\n"


def line_of(text: str, needle: str, which: int = 0) -> int:
    return [n for n, ln in enumerate(text.splitlines(), 1) if needle in ln][which]


def refused(text: str, tmp_path, line: int, what: str, name: str = "pt_probsyn.mod"):
    """The file refused by the loader (one line naming it) and listed by check at ``line`` with
    ``what`` (a regex)."""
    import re

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ModelError, match=rf"{name}:\d+: "):
        load_mod(path)
    report = check_file(path)[0]
    assert any(re.match(rf"{re.escape(str(path))}:{line}: {what}", r.strip()) for r in report), report


def test_other_c_near_the_pointer_is_refused_with_its_line(tmp_path):
    text = PROBSYN.read_text()
    urand = line_of(text, "FUNCTION urand") + 1  # its first VERBATIM
    assert ELSE in text
    # the pointer's branch is the else's: `if (!_p_rng)`
    refused(text.replace("if (_p_rng) {", "if (!_p_rng) {"), tmp_path, urand, r"VERBATIM \(C code\) testing a POINTER")
    # a C call in the else branch
    called = text.replace(ELSE, "    } else {\n        value = drand48();\n    }\n")
    refused(called, tmp_path, urand, r"VERBATIM \(C code\) testing a POINTER \(drand48")
    # NMODL in the pointer's own branch (it would never run in NEURON either; no form says so)
    swapped = text.replace("    if (_p_rng) {\n        value = nrn_random_pick(_p_rng); /* the hoc Random's uniform draw */\n"
                           "        return value;\n" + ELSE,
                           "    if (_p_rng) {\nENDVERBATIM\n        value = scop_random()\nVERBATIM\n    } else {\n"
                           "        value = 0.5;\n    }\n")
    assert swapped != text
    refused(swapped, tmp_path, urand, r"VERBATIM \(C code\) testing a POINTER \(an NMODL statement")
    # `else if`: Blue Brain's multi-vesicular files test an ASSIGNED set in C first
    refused(text.replace("    } else {\nENDVERBATIM", "    } else if (value > 0) {\nENDVERBATIM"), tmp_path, urand,
            r"VERBATIM \(C code\) testing a POINTER \(else if")


def test_a_pointer_read_elsewhere_or_a_local_never_set_or_shadowing_is_refused(tmp_path):
    text = PROBSYN.read_text()
    read = text.replace("    u = u0\n", "    u = u0 + rng\n")
    refused(read, tmp_path, line_of(read, "u = u0 + rng"), r"POINTER rng named in NMODL here and tested by C")
    # ModelDB 267691's ProbGABAAB_EMS: the else sets urand itself, then `urand = value` reads a C
    # double nothing set (NEURON returns whatever the stack held)
    unset = text.replace("        value = scop_random()\n", "        urand = scop_random()\n")
    refused(unset, tmp_path, line_of(unset, "    urand = value"), r"urand = value: C local value read before")
    # a C local named as the file's u: nocmodl's macro for u would break NEURON's C, a LOCAL would hide u
    shadow = text.replace("double value;", "double u;").replace("value = scop_random()", "u = scop_random()")
    refused(shadow.replace("    urand = value", "    urand = u"), tmp_path, line_of(text, "FUNCTION urand") + 1,
            r"VERBATIM \(C code\) declaring a C local u")


@pytest.mark.parametrize("c", ["int probsyn_unused(int k) { return k + 1; }", "double shared = 2;", "#define u 3",
                               "#undef exp"])
def test_file_level_c_other_than_declarations_is_refused(c, tmp_path):
    text = PROBSYN.read_text().replace("static int probsyn_unused(int k) { return k + 1; }", c)
    refused(text, tmp_path, line_of(text, "VERBATIM"), r"VERBATIM \(C code\) not supported")
