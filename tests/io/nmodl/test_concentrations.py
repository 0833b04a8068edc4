"""A mechanism that writes an ion concentration (a calcium pool, ``USEION ca READ ica WRITE cai``,
tests/reference/mod/nm_cadecay.mod) side by side with NEURON running the same files, one compartment:

- the pool integrates the compartment's total ica (cachan1.mod's, the wheel's demo file; nm_instant's);
- cachan1 reads the pool's cai (its GHK-like driving force), nm_instant reads eca, which NEURON
  computes by Nernst from cai once a mechanism writes it (ion style), with cao at its 2 mM default;
- cai starts at NEURON's cai0_ca_ion (5e-5 mM; nm_cadecay has no INITIAL) and relaxes to cainf.

Compared at every step: V, cai, every STATE, ica, eca. As in test_neuron_side_by_side, NEURON records a
step's currents and eca as computed at the start of that step, so NEURON's sample k+1 is compared with
ours computed from our sample k. Tolerance: 1e-6 of each trace's largest magnitude (issue 18): both
sides are float64 and evaluate the same expressions; only the order of operations differs (expected
differences 1e-12..1e-9), while a wrong unit, sign or timing of ica in the pool (old vs new V), a
missed Nernst update or a wrong initial cai changes cai by > 1e-3 of its range. Spike times: 0.05 ms.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.physics.ions import nernst
from tests.io.nmodl.neuron_side import DIAM_UM, DT, L_UM, mod_file, neuron_run
from tests.io.nmodl.test_neuron_side_by_side import spike_times, worst

pytestmark = pytest.mark.neuron
RTOL = 1e-6
_CLASSES: dict[str, type] = {}


def cls(stem):
    if stem not in _CLASSES:
        _CLASSES[stem] = load_mod(mod_file(stem))
    return _CLASSES[stem]


def both(stems, *, celsius, tstop, v_init, clamp=None, iclamp=None):
    """Our run and NEURON's of the same compartment (with a 0.1 mS/cm² leak): V, every state, and
    NEURON's cai, ica and eca."""
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    for s in stems:
        cell.insert(cls(s)())
    cell.insert(cls("passive")(g=1e-4, e=-65.0))
    sim = ex.Simulation(cell, dt=DT, temperature=celsius, v_init=v_init)
    if clamp is not None:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp, rs=0.01))
    if iclamp is not None:
        delay, dur, amp = iclamp
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
    sim.record("v")
    record = [("cai", "cai"), ("ica", "ica"), ("eca", "eca")]
    for s in stems:
        c = cls(s)
        suffix = c.__name__
        for st in c.states:
            if st != "celsius":
                sim.record(f"{suffix}.{st}")
            if st != "celsius" and st not in c.conc_writes:  # NEURON: the pool's cai is the ion's
                record.append((f"{suffix}.{st}", (suffix, st)))
    ours = sim.run(tstop)
    theirs = neuron_run([cls(s).__name__ for s in stems], celsius=celsius, tstop=tstop, v_init=v_init,
                        clamp=clamp, iclamp=iclamp, record=record, extra_pas=True)
    return ours, theirs


def differences(stems, ours, theirs, celsius) -> dict[str, float]:
    out = {"v": worst(ours["v"], theirs["v"]), "cai": worst(ours["nm_cadecay.cai"], theirs["cai"])}
    cai = np.asarray(ours["nm_cadecay.cai"])
    ica = np.zeros_like(cai)
    for s in stems:
        c = cls(s)
        states = {st: np.asarray(ours[f"{c.__name__}.{st}"]) for st in c.states}
        for st in states:
            if st != "celsius" and st not in c.conc_writes:
                out[f"{c.__name__}.{st}"] = worst(states[st], theirs[f"{c.__name__}.{st}"])
        if "ica" in c.description.currents:
            # The current of step k+1 as NEURON computed it: V, states and the pool's cai of sample k.
            mech = c()
            if "cai" in c.ion_fields:
                mech = dataclasses.replace(mech, cai=cai)
            if "eca" in c.ion_fields:
                mech = dataclasses.replace(mech, eca=np.asarray(nernst(cai, 2.0, 2, celsius)))
            ica = ica + np.asarray(mech.currents(np.asarray(ours["v"]), states)["ica"]) / 1000.0
    out["ica"] = worst(ica[:-1], theirs["ica"][1:])
    # NEURON's eca (Nernst from cai, at the start of each step) against ours from our cai.
    out["eca"] = worst(np.asarray(nernst(cai, 2.0, 2, celsius))[:-1], theirs["eca"][1:])
    return out


POOL = ("cachan1", "nm_cadecay")


def test_pool_under_voltage_clamp_matches_neuron():
    for step in (-20.0, 20.0):
        clamp = ((5.0, -80.0), (15.0, step), (5.0, -80.0))
        ours, theirs = both(POOL, celsius=16.0, tstop=25.0, v_init=-80.0, clamp=clamp)
        assert np.ptp(theirs["cai"]) > 1e-5  # the pool moves (by more than its start value)
        for trace, diff in differences(POOL, ours, theirs, 16.0).items():
            assert diff <= RTOL, f"step {step} mV, {trace}: largest difference {diff:.3g} of the trace's scale"


def test_pool_with_spikes_and_nernst_eca_matches_neuron():
    """hh fires; nm_instant's Ca current runs on eca, which follows the pool's cai by Nernst."""
    stems = ("hh", "nm_instant", "nm_cadecay")
    ours, theirs = both(stems, celsius=16.0, tstop=30.0, v_init=-65.0, iclamp=(2.0, 20.0, 0.1))
    assert np.ptp(theirs["eca"][1:]) > 1.0  # mV: eca does follow cai
    for trace, diff in differences(stems, ours, theirs, 16.0).items():
        assert diff <= RTOL, f"{trace}: largest difference {diff:.3g} of the trace's scale"
    mine, ref = spike_times(ours["v"]), spike_times(theirs["v"])
    assert len(mine) == len(ref) >= 2
    np.testing.assert_allclose(mine, ref, atol=0.05)  # ms (issue 18)


def test_pool_starts_from_neurons_default_cai():
    pool = cls("nm_cadecay")()
    assert float(pool.steady_state(-65.0, 6.3)["cai"]) == 5e-5  # NEURON's cai0_ca_ion, mM


POOL_TEXT = """NEURON {
    SUFFIX badpool
    USEION ca READ ica WRITE %s
}
ASSIGNED { ica (mA/cm2) %s }
%s
BREAKPOINT { %s }
"""


@pytest.mark.parametrize("write,assigned,state,body,line,what", [  # a concentration: the line that writes it
    ("cai", "cai (mM)", "", "cai = 1e-4", 7, "cai written in BREAKPOINT, which SOLVEs nothing"),  # not a STATE
    ("cao", "cao (mM)", "", "cao = 3", 7, "cao written in BREAKPOINT, which SOLVEs nothing"),  # outside, not a STATE
    ("eca", "eca (mV)", "", "eca = 10", 3, "WRITE eca"),
])
def test_unsupported_writes_are_refused_with_their_line(tmp_path, write, assigned, state, body, line, what):
    path = tmp_path / "badpool.mod"
    extra = "DERIVATIVE s { cao' = -cao }" if "SOLVE" in body else ""
    path.write_text(POOL_TEXT % (write, assigned, state, body) + extra)
    with pytest.raises(ModelError, match=rf"badpool\.mod:{line}: .* not supported") as err:
        load_mod(path)
    assert "\n" not in str(err.value)
    report, _ = check_file(path)
    assert any(r.strip().startswith(f"{path}:{line}: {what} (") for r in report), report


def test_pool_and_dynamic_ions_together_is_refused():
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls("nm_cadecay")())
    cell.add_ions("ca", ci=5e-5, co=2.0)
    with pytest.raises(ModelError, match="writes cai"):
        ex.Simulation(cell, dt=DT, temperature=16.0).run(1.0)


def test_gradient_through_the_pool_matches_finite_differences():
    """d cai(5 ms) / d gamma by jax.grad through the run, against a central difference (h = 1e-6 of
    gamma = 0.05: truncation ~h² x the third derivative, ~1e-12 relative, rounding ~1e-16/1e-6 = 1e-10 of cai, so
    1e-6 relative is wide for both and far below a wrong or missing path through ica or cai)."""
    import jax

    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(cls("cachan1")()).insert(cls("nm_cadecay")())
    sim = ex.Simulation(cell, dt=DT, temperature=16.0, v_init=-65.0)
    sim.record("nm_cadecay.cai")
    run, p0 = sim.function(5.0), sim.parameters()

    def final_cai(gamma):
        return run(ex.with_param(p0, "nm_cadecay.gamma", gamma))[-1, 0]

    g0 = np.asarray(ex.get_param(p0, "nm_cadecay.gamma"))
    exact = jax.grad(lambda g: final_cai(g).sum())(g0)
    h = 1e-6
    central = (final_cai(g0 + h) - final_cai(g0 - h)) / (2 * h)
    assert abs(float(central)) > 1e-4  # mM per unit gamma: the pool does depend on gamma
    np.testing.assert_allclose(np.asarray(exact), np.asarray(central), rtol=1e-6)
