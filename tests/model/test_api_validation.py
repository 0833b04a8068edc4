"""Every public entry point of the Python API refuses a bad argument with one ModelError line that
names the field and the value, before anything is compiled (issue 14, section 3).

Each case was tried before the checks existed; the comment after it says what happened then
(a raw exception from deep inside, or nothing at all).
"""

import numpy as np
import pytest

import excitable as ex
from excitable import experiments
from excitable.engine.batch import broadcast, with_param
from excitable.errors import ModelError
from excitable.physics.catalogue import get_channel, get_receptor

LOC = ex.Location("soma", 0.5)


def hh():
    return ex.Cell.cylinder().insert(ex.HH())


def sim():
    cell = hh()
    s = ex.Simulation(cell, dt=0.025)
    s.stimulate(ex.IClamp(cell.soma, amplitude=0.1, delay=1.0, duration=1.0))
    s.record("v")
    return s


def batch(n=3):
    s = sim()
    return s, broadcast(s.parameters(), n)


def neg(value):
    return lambda d: np.full_like(d, value)


CASES = {
    # --- Simulation.stimulate / record -------------------------------------------------------
    "stimulate-str": (lambda: sim().stimulate("x"), ["stimulate", "'x'"]),  # AttributeError
    "stimulate-none": (lambda: sim().stimulate(None), ["stimulate", "None"]),  # AttributeError
    "stimulate-cell": (lambda: sim().stimulate(ex.IClamp(LOC, 0.1), cell=5), ["cell 5"]),  # IndexError
    "record-int": (lambda: sim().record(42), ["signal", "42"]),  # TypeError
    "record-unknown": (lambda: sim().record("nonexistent"),
                       ["'nonexistent'", "valid: v, i_cap, i_ion, HH.m", "iclamp[0]"]),  # no valid names
    "record-field": (lambda: sim().record("HH.nope"), ["'nope'", "it has m, h, n"]),
    "record-label": (lambda: sim().record("v", label=5), ["label", "5"]),
    "record-at": (lambda: sim().record("v", at="soma"), ["at", "'soma'"]),
    "record-site": (lambda: sim().record("v", at=42), ["Location", "42"]),
    # --- run_batch / run with params -----------------------------------------------------------
    "batch-none": (lambda: sim().run_batch(5.0, None), ["params", "None"]),  # ValueError from vmap
    "batch-empty": (lambda: sim().run_batch(5.0, {}), ["params", "lacks ['area']"]),  # ValueError from vmap
    "batch-unbatched": (lambda: sim().run_batch(5.0, sim().parameters()),
                        ["params[", "has no batch axis (a scalar)"]),  # ValueError from vmap
    "batch-inconsistent": (lambda: (lambda s, b: s.run_batch(5.0, with_param(b, "celsius", np.full(4, 6.3))))(
        *batch(3)), ["params['celsius']", "batch of 4", "has 3"]),  # ValueError from vmap
    "batch-trailing": (lambda: (lambda s, b: s.run_batch(5.0, with_param(b, "HH.gNa", np.ones((3, 5)))))(
        *batch(3)), ["['HH'].gNa", "(5,)", "(1,)"]),
    "batch-structure": (lambda: sim().run_batch(5.0, {"cm": np.ones((3, 1))}), ["params", "lacks"]),  # KeyError
    "batch-extra": (lambda: (lambda s, b: s.run_batch(5.0, {**b, "bogus": np.ones(3)}))(*batch(3)),
                    ["params", "unknown ['bogus']"]),
    "batch-strings": (lambda: (lambda s, b: s.run_batch(5.0, {**b, "celsius": np.array(["a"] * 3)}))(*batch(3)),
                      ["params['celsius']", "numbers"]),
    "run-params-empty": (lambda: sim().run(5.0, params={}), ["params", "lacks ['area']"]),  # KeyError
    "run-params-list": (lambda: sim().run(5.0, params=[1.0]), ["params", "[1.0]"]),
    # --- engine.batch --------------------------------------------------------------------------
    "broadcast-neg": (lambda: broadcast(sim().parameters(), -1), ["batch size n", "-1"]),  # TypeError
    "broadcast-zero": (lambda: broadcast(sim().parameters(), 0), ["batch size n", "0"]),  # accepted
    "broadcast-float": (lambda: broadcast(sim().parameters(), 2.5), ["batch size n", "2.5"]),  # TypeError
    "broadcast-str": (lambda: broadcast(sim().parameters(), "3"), ["batch size n", "'3'"]),  # TypeError
    "broadcast-params": (lambda: broadcast(None, 3), ["params", "None"]),
    "with-param-name": (lambda: with_param(sim().parameters(), "no.such", 1.0), ["'no.such'", "HH.gNa"]),
    "with-param-none": (lambda: with_param(sim().parameters(), None, 1.0), ["parameter", "None"]),  # AttributeError
    # --- stimuli -------------------------------------------------------------------------------
    "iclamp-none": (lambda: ex.IClamp(None, 0.1, 1.0, 1.0), ["IClamp", "at", "None"]),  # accepted
    "iclamp-str": (lambda: ex.IClamp("soma", 0.1), ["IClamp", "at", "'soma'"]),  # accepted
    "train-none": (lambda: ex.PulseTrain(None, 0.1), ["PulseTrain", "at", "None"]),  # accepted
    "ramp-none": (lambda: ex.Ramp(None, 0.0, 1.0), ["Ramp", "at", "None"]),  # accepted
    "vclamp-none": (lambda: ex.VClamp(None, ((1.0, -65.0),)), ["VClamp", "at", "None"]),  # accepted
    "iclamp-nan": (lambda: ex.IClamp(LOC, 0.1, 1.0, float("nan")), ["duration", "nan"]),
    "iclamp-negative": (lambda: ex.IClamp(LOC, 0.1, 1.0, -1.0), ["duration", "-1"]),
    "train-width-nan": (lambda: ex.PulseTrain(LOC, 0.1, width=float("nan")), ["width", "nan"]),
    "train-count-str": (lambda: ex.PulseTrain(LOC, 0.1, count="a"), ["count", "'a'"]),  # ValueError from int()
    "ramp-duration": (lambda: ex.Ramp(LOC, 0.0, 1.0, duration=-2.0), ["duration", "-2"]),
    "vclamp-levels": (lambda: ex.VClamp(LOC, (1, 2)), ["levels", "(1, 2)"]),  # TypeError on unpacking
    "vclamp-level-nan": (lambda: ex.VClamp(LOC, ((float("nan"), 0.0),)), ["level duration", "nan"]),
    "location-none": (lambda: ex.Location(None), ["section", "None"]),
    # --- Cell.set / insert / construction ------------------------------------------------------
    "set-negative-g": (lambda: hh().set("HH.gNa", -5), ["HH.gNa", "-5"]),  # accepted
    "set-negative-leak": (lambda: ex.Cell.cylinder().insert("Leak").set("Leak.g", -0.1), ["Leak.g", "-0.1"]),
    "set-function-negative": (lambda: hh().set("HH.gK", neg(-2.0)), ["HH.gK", "-2"]),  # accepted
    "set-function-nan": (lambda: hh().set("HH.gNa", neg(np.nan)), ["HH.gNa", "nan"]),
    "set-function-shape": (lambda: hh().set("HH.gNa", lambda d: np.ones(7)), ["HH.gNa", "distances"]),  # ValueError
    "set-negative-cm": (lambda: hh().set("cm", -1.0), ["cm", "-1"]),
    "set-function-cm": (lambda: hh().set("cm", neg(0.0)), ["cm", "0"]),
    "set-ra-zero": (lambda: hh().set("ra", 0.0), ["ra", "0"]),
    "set-mechanism": (lambda: hh().set("NOPE.g", 1.0), ["'NOPE'", "inserted: HH"]),
    "set-field": (lambda: hh().set("HH.nope", 1.0), ["'nope'", "gNa"]),
    "set-path-int": (lambda: hh().set(42, 1.0), ["parameter", "42"]),  # AttributeError
    "set-value-str": (lambda: hh().set("HH.gNa", "a"), ["HH.gNa", "'a'"]),
    "set-where": (lambda: hh().set("HH.gNa", 1.0, where=42), ["where", "42"]),  # TypeError
    "insert-negative": (lambda: ex.Cell.cylinder().insert(get_channel("HH")(gNa=-1.0)), ["HH.gNa", "-1"]),
    "insert-nan": (lambda: ex.Cell.cylinder().insert(get_channel("Leak")(g=float("nan"))), ["Leak.g", "nan"]),
    "insert-tau": (lambda: ex.Cell.cylinder().insert(get_channel("KMYamada")(tau_max=0.0)),
                   ["KMYamada.tau_max", "0"]),
    "receptor-negative": (lambda: ex.Network([hh()]).synapse(get_receptor("AMPA")(gmax=-1e-3), 0),
                          ["AMPA.gmax", "-0.001"]),
    "cell-ra": (lambda: ex.Cell.cylinder(ra=0.0), ["ra", "0"]),
    "cell-cm": (lambda: ex.Cell.cylinder(cm=-1.0), ["cm", "-1"]),
    "cell-diameter": (lambda: ex.Cell.cylinder(diameter=0.0), ["diameter", "0"]),
    "cell-node": (lambda: hh().node(None), ["Location", "None"]),  # AttributeError
    # --- Simulation settings and run arguments -------------------------------------------------
    "dt-zero": (lambda: ex.Simulation(hh(), dt=0), ["dt", "0"]),
    "dt-nan": (lambda: ex.Simulation(hh(), dt=float("nan")), ["dt", "nan"]),
    "dt-str": (lambda: ex.Simulation(hh(), dt="fast"), ["dt", "'fast'"]),
    "seed-str": (lambda: ex.Simulation(hh(), seed="a"), ["seed", "'a'"]),  # ValueError from int()
    "tstop-zero": (lambda: sim().run(0.0), ["tstop", "0"]),
    "tstop-negative": (lambda: sim().run(-1.0), ["tstop", "-1"]),
    "tstop-nan": (lambda: sim().run(float("nan")), ["tstop", "nan"]),
    "tstop-overflow": (lambda: ex.Simulation(hh(), dt=1e-300).run(1e308), ["tstop=1e+308", "dt=1e-300"]),
    "function-tstop": (lambda: sim().function(float("nan")), ["tstop", "nan"]),
    "stride-zero": (lambda: sim().run(5.0, stride=0), ["stride", "0"]),
    "stride-float": (lambda: sim().run(5.0, stride=1.5), ["stride", "1.5"]),
    "stride-str": (lambda: sim().run(5.0, stride="a"), ["stride", "'a'"]),  # ValueError from int()
    "batch-stride": (lambda: (lambda s, b: s.run_batch(5.0, b, stride=-1))(*batch(2)), ["stride", "-1"]),
    "function-stride": (lambda: sim().function(5.0, stride=0), ["stride", "0"]),  # accepted
    # --- a time step that cannot resolve the protocol -------------------------------------------
    "dt-iclamp": (lambda: ex.Simulation(hh(), dt=10).stimulate(ex.IClamp(LOC, 0.1, 1.0, 1.0)),
                  ["dt=10 ms", "IClamp's duration of 1 ms", "fall between steps"]),  # ran, wrong physics
    "dt-train": (lambda: ex.Simulation(hh(), dt=1).stimulate(ex.PulseTrain(LOC, 0.1, width=0.5)),
                 ["dt=1 ms", "pulse width of 0.5 ms"]),
    "dt-train-gap": (lambda: ex.Simulation(hh(), dt=1).stimulate(
        ex.PulseTrain(LOC, 0.1, width=2.0, interval=2.5, count=3)), ["dt=1 ms", "gap between pulses of 0.5 ms"]),
    "dt-ramp": (lambda: ex.Simulation(hh(), dt=1).stimulate(ex.Ramp(LOC, 0.0, 1.0, duration=0.5)),
                ["dt=1 ms", "Ramp's duration of 0.5 ms"]),
    "dt-vclamp": (lambda: ex.Simulation(hh(), dt=1).stimulate(ex.VClamp(LOC, ((10, -65), (0.5, 0), (10, -65)))),
                  ["dt=1 ms", "level 1 duration of 0.5 ms"]),
    "dt-experiment": (lambda: experiments.run("action-potential", dt=10),
                      ["dt=10 ms", "IClamp's duration of 1 ms"]),  # rc 0, wrong physics
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_misuse_is_one_line_naming_field_and_value(case):
    call, parts = CASES[case]
    with pytest.raises(ModelError) as err:
        call()
    msg = str(err.value)
    assert "\n" not in msg, msg
    for part in parts:
        assert part in msg, (part, msg)


def test_dt_after_stimulate_is_checked_at_run():
    # dt is a plain attribute: a step made longer after the stimulus was added is refused at run.
    s = sim()
    s.dt = 2.0
    with pytest.raises(ModelError, match="dt=2 ms is longer than the IClamp's duration of 1 ms"):
        s.run(10.0)


@pytest.mark.parametrize("dt, duration", [(1.0, 1.0), (0.1, 0.1), (0.1, 0.30000000000000004), (0.025, 0.0)])
def test_a_step_as_long_as_the_pulse_and_null_pulses_are_accepted(dt, duration):
    # The boundary of the dt check: dt == duration resolves the pulse (one step), written in any
    # rounding; a 0-ms pulse is nothing to resolve.
    s = ex.Simulation(hh(), dt=dt)
    s.stimulate(ex.IClamp(LOC, 0.1, 0.0, duration))
    assert len(s.iclamps) == 1


def test_physical_values_are_still_accepted():
    # What the checks must not refuse: negative reversal potentials and VT, zero conductances,
    # a function of the distance, and the values set by the experiments.
    cell = hh()
    cell.set("HH.eK", -90.0).set("HH.gNa", 0.0).set("HH.gK", lambda d: 36.0 + 0.0 * d).set("cm", 0.9)
    cell.insert(get_channel("NaTraub")(VT=-60.0))
    assert cell._values["HH"]["eK"][0] == -90.0 and cell._values["HH"]["gNa"][0] == 0.0


def test_a_batch_of_the_right_structure_runs():
    # The structure and shape checks accept what broadcast/with_param build, float32 leaves and a
    # per-element value of shape (1,) where the reference is (1,).
    s, b = batch(2)
    b = with_param(b, "HH.gNa", np.array([[100.0], [120.0]]))
    v = s.run_batch(5.0, b)["v"]
    assert v.shape == (2, 201) and not np.allclose(v[0], v[1])
